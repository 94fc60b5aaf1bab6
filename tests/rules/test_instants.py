"""
Instants, not wall clocks: every rule answers the same whether its times are in Oslo or UTC.

Python compares two datetimes that share a ``tzinfo`` by their wall-clock fields and
ignores ``fold``. On the night Oslo's clocks go back, 02:45 summer time (``fold=0``) and
02:15 winter time (``fold=1``, half an hour later) compare the wrong way round; on the
night they go forward, 02:00-03:00 does not exist. The times here are drawn from
00:00-04:00 on both nights (the last Sundays of March and October), with either fold,
and each rule is asked twice: with the times as drawn, and with every time in UTC.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import patientsky.models
from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    AuthorKind,
    Clinic,
    CommunicationType,
    ConsentEvent,
    ConsentEventKind,
    ConsentHistory,
    ConsultationKind,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Invoice,
    LoginMethod,
    LoginSession,
    Message,
    Money,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTerminal,
    RelationKind,
)
from patientsky.models._base import instant_key
from patientsky.models.calendar import Calendar, Schedule, TimeSlot, TimeSlotType
from patientsky.models.clinic import CareService
from patientsky.rules import (
    AccessRequest,
    allowed_actions,
    archive,
    check_login,
    close_dialog,
    consent_state,
    decide,
    folder_of,
    inbox,
    invoice_tabs,
    payment_overview,
    payment_tabs,
    read_dialog,
    reply,
)
from patientsky.rules.booking import book, cancel
from patientsky.rules.decision import Reason
from patientsky.rules.relations import add_relation
from tests.strategies import ALL_MODELS
from tests.strategies_rules import (
    CLINIC_ID,
    CURRENT_TERMS,
    OLD_TERMS,
    OSLO,
    consent_given,
    consent_withdrawn,
    make_patient,
    make_relation,
)

UTC = dt.UTC


def _last_sunday(year: int, month: int) -> int:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last.day - (last.weekday() + 1) % 7


@attrs.frozen
class Night:
    """The night of a clock change, and a way to draw wall-clock times in it."""

    day: dt.date

    def at(self, hour: int, minute: int, fold: int = 0) -> dt.datetime:
        """Return ``hour:minute`` in Oslo that night (maybe skipped or repeated)."""
        return dt.datetime(
            self.day.year, self.day.month, self.day.day, hour, minute, fold=fold, tzinfo=OSLO
        )


NIGHTS = st.builds(
    lambda year, month: Night(dt.date(year, month, _last_sunday(year, month))),
    st.integers(2026, 2035),
    st.sampled_from([3, 10]),
)


def times(night: Night) -> st.SearchStrategy[dt.datetime]:
    """Oslo times 00:00-04:00 of ``night``, either fold, mostly in the odd hour."""
    return st.builds(
        night.at,
        st.sampled_from([0, 1, 2, 2, 2, 3]),
        st.sampled_from([0, 1, 14, 15, 30, 44, 45, 59]),
        st.integers(0, 1),
    )


def utc(value: Any) -> Any:
    """The same value with every datetime in it (deeply, in attrs objects too) in UTC."""
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC)
    if isinstance(value, list | tuple):
        return (
            type(value)(utc(v) for v in value)
            if isinstance(value, list)
            else tuple(utc(v) for v in value)
        )
    if attrs.has(type(value)):
        changes = {
            f.alias: utc(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.init
        }
        return attrs.evolve(value, **changes)
    return value


def answer(rule: Callable[[], Any]) -> Any:
    """The rule's answer with its times in UTC, or the field an InvalidInput named."""
    try:
        return utc(rule())
    except InvalidInput as exc:
        return ("invalid", exc.field)


def same_either_way(rule: Callable[..., Any], *inputs: Any) -> Any:
    """Ask ``rule`` with the inputs as drawn and with them in UTC; they must agree."""
    as_drawn = answer(lambda: rule(*inputs))
    assert as_drawn == answer(lambda: rule(*(utc(i) for i in inputs)))
    return as_drawn


def _pair(a: dt.datetime, b: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The two times in the order they happen (not the order their wall clocks show)."""
    return (a, b) if a.astimezone(UTC) <= b.astimezone(UTC) else (b, a)


def _in_order(values: list[dt.datetime]) -> list[dt.datetime]:
    return sorted(values, key=lambda t: t.astimezone(UTC))


# Access: login, consent, relations and the 16th birthday ---------------------------------


@st.composite
def access_requests(draw: st.DrawFn) -> AccessRequest:
    night = draw(NIGHTS)

    def t() -> dt.datetime:
        return draw(times(night))

    start, end = _pair(t(), t())
    assume(start.astimezone(UTC) < end.astimezone(UTC))
    # A child whose 16th birthday is this very night, or an adult.
    child = draw(st.booleans())
    born = night.day.replace(year=night.day.year - (16 if child else 40))
    patient = make_patient("kari", born)
    actor = draw(st.sampled_from(["kari", "mor"]))

    def consent(person: str) -> ConsentHistory:
        moments = _in_order([t() for _ in range(draw(st.integers(0, 3)))])
        kinds = [draw(st.sampled_from(ConsentEventKind)) for _ in moments]
        events = [
            ConsentEvent(
                f"{person}-e{i}",
                person,
                kind,
                draw(st.sampled_from([CURRENT_TERMS.version, OLD_TERMS.version])),
                at,
                person,
            )
            for i, (kind, at) in enumerate(zip(kinds, moments, strict=True))
        ]
        return ConsentHistory(person, events)

    valid_from, valid_until = _pair(t(), t())
    assume(valid_from.astimezone(UTC) < valid_until.astimezone(UTC))
    relation = make_relation(
        "kari",
        "mor",
        draw(st.sampled_from([RelationKind.PARENT, RelationKind.GUARDIAN])),
        valid_from=valid_from,
        valid_until=draw(st.none() | st.just(valid_until)),
    )
    return AccessRequest(
        session=LoginSession(actor, LoginMethod.BANKID, start, end),
        action=draw(st.sampled_from(Action)),
        patient=patient,
        at=t(),
        terms=CURRENT_TERMS,
        patient_consent=consent("kari"),
        actor_consent=None if actor == "kari" else consent("mor"),
        relations=(relation,),
    )


@given(access_requests())
def test_access_decides_the_same_in_oslo_time_and_in_utc(request: AccessRequest) -> None:
    same_either_way(decide, request)
    same_either_way(allowed_actions, request)
    same_either_way(lambda r: check_login(r.session, r.at), request)
    same_either_way(lambda r: r.session.is_active(r.at), request)
    same_either_way(lambda r: consent_state(r.patient_consent, r.terms, r.at), request)


@given(access_requests())
def test_a_relation_is_added_the_same_in_oslo_time_and_in_utc(request: AccessRequest) -> None:
    clinic = Clinic(CLINIC_ID, "Legesenteret")
    (relation,) = request.relations

    def add(at: dt.datetime, valid_from: dt.datetime, valid_until: dt.datetime | None) -> Any:
        return add_relation(
            clinic,
            relation_id="r2",
            patient=request.patient,
            representative_id="far",
            kind=relation.kind,
            at=at,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    same_either_way(add, request.at, relation.valid_from, relation.valid_until)


@given(NIGHTS.flatmap(lambda n: st.lists(times(n), min_size=2, max_size=4)))
def test_model_checks_of_order_agree_in_oslo_time_and_in_utc(moments: list[dt.datetime]) -> None:
    first, second, *_ = moments
    same_either_way(lambda a, b: LoginSession("p", LoginMethod.BANKID, a, b), first, second)
    same_either_way(lambda a, b: make_relation("p", "q", valid_from=a, valid_until=b), *moments[:2])
    events = [
        ConsentEvent(f"e{i}", "p", ConsentEventKind.GIVEN, "v", at, "p")
        for i, at in enumerate(moments)
    ]
    same_either_way(lambda e: ConsentHistory("p", e), events)


# Dialogs -----------------------------------------------------------------------------------


@st.composite
def dialogs(draw: st.DrawFn) -> tuple[Dialog, dt.datetime]:
    night = draw(NIGHTS)

    def t() -> dt.datetime:
        return draw(times(night))

    sent = _in_order([t() for _ in range(draw(st.integers(1, 3)))])
    messages = [
        Message(f"m{i}", draw(st.sampled_from(AuthorKind)), "p1" if i % 2 else "gp", "Hei", at)
        for i, at in enumerate(sent)
    ]
    messages = [
        attrs.evolve(m, author_id="p1") if m.author_kind is AuthorKind.PATIENT else m
        for m in messages
    ]
    messages = [
        attrs.evolve(m, author_id="mor") if m.author_kind is AuthorKind.REPRESENTATIVE else m
        for m in messages
    ]
    closed = draw(st.booleans())
    dialog = Dialog(
        id=draw(st.sampled_from(["d1", "d2"])),
        patient_id="p1",
        clinic_id=CLINIC_ID,
        type=CommunicationType.OTHER_INQUIRY,
        counterpart=Counterpart(CounterpartKind.PRACTITIONER, "gp", "Dr. Berg"),
        subject="Spørsmål",
        status=DialogStatus.CLOSED if closed else DialogStatus.OPEN,
        messages=messages,
        needs_reply=draw(st.booleans()),
        closed_at=t() if closed else None,
        read_at=t() if draw(st.booleans()) else None,
    )
    return dialog, t()


@given(dialogs(), dialogs())
def test_dialogs_answer_the_same_in_oslo_time_and_in_utc(
    one: tuple[Dialog, dt.datetime], other: tuple[Dialog, dt.datetime]
) -> None:
    dialog, at = one
    same_either_way(folder_of, dialog)
    same_either_way(lambda d: d.is_unread, dialog)
    same_either_way(read_dialog, dialog, at)
    same_either_way(lambda d, a: close_dialog(d, a, needs_reply=False), dialog, at)
    late = Message("m9", AuthorKind.PRACTITIONER, "gp", "Svar", at)
    same_either_way(reply, dialog, late)
    both = [dialog, attrs.evolve(other[0], id="d3")]
    same_either_way(inbox, both)
    same_either_way(archive, both)


# Payments ----------------------------------------------------------------------------------


@given(NIGHTS.flatmap(lambda n: st.lists(times(n), min_size=5, max_size=5)), st.booleans())
def test_payment_tabs_are_the_same_in_oslo_time_and_in_utc(
    moments: list[dt.datetime], paid: bool
) -> None:
    issued, paid_at, at, other, now = moments
    issued, paid_at = _pair(issued, paid_at)
    clinic = Clinic(CLINIC_ID, "Legesenteret", payment_terminal=PaymentTerminal.CONVENE)
    invoice = Invoice(
        "i1",
        "p1",
        CLINIC_ID,
        "1001",
        Money.nok(350),
        issued,
        issued.date(),
        paid_at=paid_at if paid else None,
    )
    payments = [
        Payment(
            f"pay{i}",
            "p1",
            CLINIC_ID,
            "Legesenteret",
            when,
            PaymentMethod.CARD,
            PaymentStatus.PAID,
            Money.nok(100 + i),
        )
        for i, when in enumerate((at, other))
    ]
    same_either_way(lambda i, a: invoice_tabs(i, clinic, a), invoice, now)
    same_either_way(payment_tabs, payments[0], now)
    same_either_way(
        lambda i, p, a: payment_overview(invoices=[i], payments=p, clinics=[clinic], at=a),
        invoice,
        payments,
        now,
    )


# Booking -----------------------------------------------------------------------------------


def _night_schedule(night: Night) -> Schedule:
    return Schedule(
        calendars=[Calendar("c", CLINIC_ID, "Legevakt", practitioner_id="gp")],
        time_slot_types=[TimeSlotType("t", CLINIC_ID, "Vanlig", 15)],
        time_slots=[TimeSlot("s", "c", "t", night.at(0, 0), night.at(5, 0))],
    )


@given(NIGHTS.flatmap(lambda n: st.tuples(st.just(n), times(n), times(n), times(n))))
def test_booking_and_cancelling_answer_the_same_in_oslo_time_and_in_utc(
    drawn: tuple[Night, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    night, start, at, later = drawn
    patient = make_patient("kari", dt.date(1980, 1, 1))
    clinic = Clinic(CLINIC_ID, "Legesenteret", enabled_services=[CareService.BOOK_CONSULTATION])
    consent = ConsentHistory(
        "kari",
        [consent_given("kari", night.at(0, 0))],
    )

    def request(when: dt.datetime) -> AccessRequest:
        session = LoginSession(
            "kari", LoginMethod.BANKID, night.at(0, 0), night.at(0, 0) + dt.timedelta(days=1)
        )
        return AccessRequest(
            session=session,
            action=Action.BOOK_CONSULTATION,
            patient=patient,
            at=when,
            terms=CURRENT_TERMS,
            patient_consent=consent,
        )

    def booking(s: dt.datetime, a: dt.datetime, schedule: Schedule) -> Any:
        return book(
            request(a),
            clinic=clinic,
            schedule=schedule,
            calendar_ids=["c"],
            start=s,
            kind=ConsultationKind.IN_PERSON,
            consultation_id="k1",
            time_slot_type_id="t",
        )

    outcome = same_either_way(booking, start, at, _night_schedule(night))
    made = booking(start, at, _night_schedule(night))
    if made:
        consultation = made.unwrap().consultation
        same_either_way(
            lambda c, a: cancel(request(a), clinic=clinic, consultation=c), consultation, later
        )
    else:
        assert outcome.decision.reason is not None


# The night the clocks go back: the regression -------------------------------------------------

AUTUMN = Night(dt.date(2026, 10, 25))
SUMMER_0245 = AUTUMN.at(2, 45, fold=0)  # 00:45 UTC
WINTER_0215 = AUTUMN.at(2, 15, fold=1)  # 01:15 UTC, half an hour later


def test_the_two_autumn_times_are_the_wrong_way_round_on_the_wall_clock() -> None:
    assert WINTER_0215 < SUMMER_0245  # what Python says, comparing wall clocks
    assert WINTER_0215.astimezone(UTC) > SUMMER_0245.astimezone(UTC)  # what happened


def _adult_request(**changes: Any) -> AccessRequest:
    patient = make_patient("kari", dt.date(1980, 1, 1))
    own = ConsentHistory(
        "kari",
        [consent_given("kari", AUTUMN.at(0, 0))],
    )
    fields: dict[str, Any] = {
        "session": LoginSession("kari", LoginMethod.BANKID, AUTUMN.at(0, 0), AUTUMN.at(6, 0)),
        "action": Action.READ_MESSAGES,
        "patient": patient,
        "at": WINTER_0215,
        "terms": CURRENT_TERMS,
        "patient_consent": own,
    }
    fields.update(changes)
    return AccessRequest(**fields)


def test_a_relation_that_expired_at_0245_summer_time_gives_nothing_at_0215_winter_time() -> None:
    request = _adult_request()
    mor = make_relation("kari", "mor", RelationKind.GUARDIAN, valid_until=SUMMER_0245)
    mors_consent = ConsentHistory(
        "mor",
        [consent_given("mor", AUTUMN.at(0, 0))],
    )
    as_mor = attrs.evolve(
        request,
        session=attrs.evolve(request.session, person_id="mor"),
        actor_consent=mors_consent,
        relations=(mor,),
    )
    assert decide(as_mor).reason is Reason.RELATION_EXPIRED
    assert allowed_actions(as_mor) == frozenset()


def test_a_session_that_ended_at_0245_summer_time_gives_nothing_at_0215_winter_time() -> None:
    session = LoginSession("kari", LoginMethod.BANKID, AUTUMN.at(0, 0), SUMMER_0245)
    request = _adult_request(session=session)
    assert decide(request).reason is Reason.SESSION_EXPIRED
    assert not session.is_active(WINTER_0215)


def test_consent_withdrawn_at_0245_summer_time_gives_nothing_at_0215_winter_time() -> None:
    request = _adult_request()
    withdrawn = request.patient_consent.append(consent_withdrawn("kari", SUMMER_0245))
    assert decide(attrs.evolve(request, patient_consent=withdrawn)).reason is (
        Reason.CONSENT_WITHDRAWN
    )


@pytest.mark.parametrize("earlier", [SUMMER_0245, SUMMER_0245.astimezone(UTC)])
def test_events_at_0215_winter_time_come_after_0245_summer_time(earlier: dt.datetime) -> None:
    given = ConsentEvent("e0", "kari", ConsentEventKind.GIVEN, "v", earlier, "kari")
    later = ConsentEvent("e1", "kari", ConsentEventKind.WITHDRAWN, "v", WINTER_0215, "kari")
    assert ConsentHistory("kari", [given, later]).latest == later
    with pytest.raises(InvalidInput, match=r"events\[1\]\.at"):
        ConsentHistory("kari", [later, given])


# Equality ------------------------------------------------------------------------------------


def test_every_time_field_of_the_models_compares_equal_by_its_instant() -> None:
    for name in patientsky.models.__all__:
        cls = getattr(patientsky.models, name)
        if not (isinstance(cls, type) and attrs.has(cls)):
            continue
        for field in attrs.fields(attrs.resolve_types(cls)):
            if field.type is dt.datetime or dt.datetime in typing.get_args(field.type):
                assert field.eq_key is instant_key, f"{name}.{field.name}"


def test_models_are_equal_exactly_when_their_times_are_the_same_instants() -> None:
    in_oslo = consent_given("kari", SUMMER_0245)
    in_utc = consent_given("kari", SUMMER_0245.astimezone(UTC))
    assert in_oslo == in_utc
    assert hash(in_oslo) == hash(in_utc)
    first = consent_given("kari", AUTUMN.at(2, 30, fold=0))
    second = consent_given("kari", AUTUMN.at(2, 30, fold=1))
    assert first.at == second.at  # Python compares the wall clocks: the same
    assert first != second  # an hour apart


_ANY_MODEL = st.sampled_from(sorted(ALL_MODELS, key=lambda c: c.__name__)).flatmap(
    lambda c: ALL_MODELS[c]
)


@given(_ANY_MODEL)
def test_a_model_with_its_times_in_utc_is_equal_to_itself(value: Any) -> None:
    assert utc(value) == value
    assert hash(utc(value)) == hash(value)
