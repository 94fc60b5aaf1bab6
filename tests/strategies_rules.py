"""
Hypothesis strategies and small builders for the tests of :mod:`patientsky.rules`.

The builders (``make_*``) give readable example tests; the strategies build small
worlds of patients, representatives, relations, consent histories and sessions, so the
properties range over every combination the access rules distinguish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from patientsky.models import (
    Action,
    ConsentEvent,
    ConsentEventKind,
    ConsentHistory,
    LoginMethod,
    LoginSession,
    NationalId,
    Patient,
    PersonName,
    Relation,
    RelationKind,
    Terms,
    Unrecognized,
)
from patientsky.rules import AccessRequest
from tests.strategies_ids import classic_check_digits

__all__ = [
    "CLINIC_ID",
    "CURRENT_TERMS",
    "OLD_TERMS",
    "OSLO",
    "RELATIONS_BEGIN",
    "UTC",
    "access_requests",
    "actions",
    "aware_datetimes",
    "consent_given",
    "consent_histories",
    "consent_withdrawn",
    "history",
    "make_patient",
    "make_relation",
    "make_request",
    "make_session",
    "national_id_for",
    "oslo",
    "timezones",
]

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
CLINIC_ID = "clinic-1"
OLD_TERMS = Terms("2024-01", dt.datetime(2024, 1, 1, tzinfo=OSLO))
CURRENT_TERMS = Terms("2026-01", dt.datetime(2026, 1, 1, tzinfo=OSLO))

# Times in the tests lie in this range; the births of the patients before it.
FIRST = dt.datetime(2023, 1, 1)
LAST = dt.datetime(2030, 12, 31)


def oslo(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """Return a wall-clock time in Europe/Oslo."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=OSLO)


RELATIONS_BEGIN = oslo(2020, 1, 1)


def _individual_range(year: int) -> range:
    if year <= 1899:
        return range(500, 750)
    if year <= 1939:
        return range(500)
    if year <= 1999:
        return range(500)
    return range(500, 1000)


def national_id_for(born: dt.date) -> NationalId:
    """Return a valid (classic, real) fødselsnummer for someone born on ``born``."""
    for individual in _individual_range(born.year):
        nine = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
        checks = classic_check_digits(nine)
        if checks is not None:
            return NationalId(nine + checks)
    raise AssertionError("no individual number fits")  # pragma: no cover


def make_patient(
    patient_id: str,
    born: dt.date,
    *,
    clinic_ids: Sequence[str] = (CLINIC_ID,),
    gp_id: str | None = None,
) -> Patient:
    """Return a patient born on ``born``, connected to ``clinic_ids``."""
    return Patient(
        id=patient_id,
        national_id=national_id_for(born),
        name=PersonName("Kari", "Nordmann"),
        birth_date=born,
        clinic_ids=tuple(clinic_ids),
        gp_id=gp_id,
    )


def make_session(
    person_id: str,
    at: dt.datetime,
    method: LoginMethod = LoginMethod.BANKID,
    *,
    hours: int = 1,
) -> LoginSession:
    """Return a session that began a minute before ``at`` and lasts ``hours`` (elapsed time)."""
    start = at.astimezone(dt.UTC) - dt.timedelta(minutes=1)
    end = start + dt.timedelta(hours=hours)
    return LoginSession(person_id, method, start.astimezone(at.tzinfo), end.astimezone(at.tzinfo))


def consent_given(
    patient_id: str, at: dt.datetime, terms: Terms = CURRENT_TERMS, n: int = 0
) -> ConsentEvent:
    """Return the patient's own consent to ``terms`` at ``at``."""
    return ConsentEvent(
        f"{patient_id}-e{n}", patient_id, ConsentEventKind.GIVEN, terms.version, at, patient_id
    )


def consent_withdrawn(patient_id: str, at: dt.datetime, n: int = 1) -> ConsentEvent:
    """Return the patient's own withdrawal at ``at``."""
    return ConsentEvent(
        f"{patient_id}-e{n}",
        patient_id,
        ConsentEventKind.WITHDRAWN,
        CURRENT_TERMS.version,
        at,
        patient_id,
    )


def history(patient_id: str, *events: ConsentEvent) -> ConsentHistory:
    """Return a consent history of ``events``."""
    return ConsentHistory(patient_id, events)


def make_relation(
    principal_id: str,
    representative_id: str,
    kind: RelationKind | Unrecognized = RelationKind.PARENT,
    *,
    actions: Sequence[Action | Unrecognized] | None = None,
    valid_from: dt.datetime = RELATIONS_BEGIN,
    valid_until: dt.datetime | None = None,
    enabled: bool = True,
    relation_id: str | None = None,
) -> Relation:
    """Return a relation (all actions unless told otherwise)."""
    return Relation(
        id=relation_id or f"rel-{principal_id}-{representative_id}",
        principal_id=principal_id,
        representative_id=representative_id,
        kind=kind,
        actions=tuple(Action) if actions is None else tuple(actions),
        added_by_clinic_id=CLINIC_ID,
        valid_from=valid_from,
        valid_until=valid_until,
        enabled=enabled,
    )


def make_request(
    *,
    actor: str,
    patient: Patient,
    at: dt.datetime,
    action: Action | Unrecognized = Action.VIEW_PROFILE,
    relations: Sequence[Relation] = (),
    method: LoginMethod = LoginMethod.BANKID,
    patient_consent: ConsentHistory | None = None,
    actor_consent: ConsentHistory | None = None,
    terms: Terms = CURRENT_TERMS,
) -> AccessRequest:
    """
    Return an access request; consent histories default to consent given long before.
    """
    long_ago = oslo(2022, 6, 1)
    if patient_consent is None:
        patient_consent = history(patient.id, consent_given(patient.id, long_ago))
    if actor_consent is None and actor != patient.id:
        actor_consent = history(actor, consent_given(actor, long_ago))
    return AccessRequest(
        session=make_session(actor, at, method),
        action=action,
        patient=patient,
        at=at,
        terms=terms,
        patient_consent=patient_consent,
        actor_consent=actor_consent,
        relations=tuple(relations),
    )


def timezones() -> st.SearchStrategy[dt.tzinfo]:
    """Oslo, UTC and a few fixed offsets: every rule must give the same answer in any of them."""
    return st.sampled_from(
        [OSLO, UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=9))]
    )


def aware_datetimes(
    min_value: dt.datetime = FIRST, max_value: dt.datetime = LAST
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes, whole seconds, between two naive bounds."""
    return st.datetimes(min_value, max_value, timezones=timezones(), allow_imaginary=False).map(
        lambda t: t.replace(microsecond=0)
    )


def actions() -> st.SearchStrategy[Action | Unrecognized]:
    """Every action, and now and then one from a newer server."""
    return st.sampled_from(list(Action)) | st.just(Unrecognized("fly_to_the_moon"))


@st.composite
def consent_histories(draw: st.DrawFn, patient_id: str, before: dt.datetime) -> ConsentHistory:
    """A consent history of up to four events, some maybe after ``before``."""
    n = draw(st.integers(0, 4))
    times = sorted(
        draw(
            st.lists(
                aware_datetimes(
                    dt.datetime(2023, 1, 1), before.replace(tzinfo=None) + dt.timedelta(days=30)
                ),
                min_size=n,
                max_size=n,
            )
        )
    )
    events = []
    for i, t in enumerate(times):
        kind = draw(st.sampled_from(ConsentEventKind))
        version = draw(st.sampled_from([OLD_TERMS.version, CURRENT_TERMS.version]))
        events.append(ConsentEvent(f"{patient_id}-e{i}", patient_id, kind, version, t, patient_id))
    return ConsentHistory(patient_id, events)


@st.composite
def _relation(draw: st.DrawFn, principal: str, representative: str, n: int) -> Relation:
    kind = draw(st.sampled_from([*RelationKind, Unrecognized("neighbour")]))
    start = draw(aware_datetimes(dt.datetime(2015, 1, 1), LAST))
    until = draw(st.none() | st.timedeltas(dt.timedelta(seconds=1), dt.timedelta(days=2000)))
    granted = draw(st.lists(actions(), max_size=len(Action) + 1))
    return Relation(
        id=f"rel{n}",
        principal_id=principal,
        representative_id=representative,
        kind=kind,
        actions=tuple(granted),
        added_by_clinic_id=CLINIC_ID,
        valid_from=start,
        valid_until=None if until is None else start + until,
        enabled=draw(st.booleans()),
    )


@st.composite
def access_requests(draw: st.DrawFn) -> AccessRequest:
    """
    A patient, an actor (the patient, a representative, or a stranger), a third person,
    the relations among them (direct, chained, reversed), consents, a session and a time.
    """
    at = draw(aware_datetimes())
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2030, 12, 31)))
    # Birthdays near the time asked about, so the 16th birthday is often close.
    if draw(st.booleans()):
        at_day = at.astimezone(OSLO).date()
        offset = draw(st.integers(-3, 3))
        try:
            born = (at_day + dt.timedelta(days=offset)).replace(year=at_day.year - 16)
        except ValueError:
            born = dt.date(at_day.year - 16, 3, 1)
    patient = make_patient("patient", born)
    actor = draw(st.sampled_from(["patient", "rep", "other"]))
    people = ["patient", "rep", "other"]
    relations = []
    for n in range(draw(st.integers(0, 4))):
        principal = draw(st.sampled_from(people))
        representative = draw(st.sampled_from([p for p in people if p != principal]))
        relations.append(draw(_relation(principal, representative, n)))
    method = draw(st.sampled_from(LoginMethod))
    start = at - draw(st.timedeltas(dt.timedelta(hours=-1), dt.timedelta(hours=3)))
    session = LoginSession(actor, method, start, start + dt.timedelta(hours=2))
    terms = draw(st.sampled_from([OLD_TERMS, CURRENT_TERMS]))
    patient_consent = draw(consent_histories("patient", at.replace(tzinfo=None)))
    actor_consent = (
        None if actor == "patient" else draw(consent_histories(actor, at.replace(tzinfo=None)))
    )
    return AccessRequest(
        session=session,
        action=draw(actions()),
        patient=patient,
        at=at,
        terms=terms,
        patient_consent=patient_consent,
        actor_consent=actor_consent,
        relations=tuple(relations),
    )
