"""R1-R4 with L1 and C1-C3: the one access decision."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import Action, LoginMethod, Relation, RelationKind, Unrecognized
from patientsky.rules import (
    ALL_ACTIONS,
    AccessRequest,
    Reason,
    allowed_actions,
    consent_in_force,
    decide,
    is_under_16,
    parent_access_ends_at,
    sixteenth_birthday,
)
from tests.strategies_rules import (
    CURRENT_TERMS,
    OLD_TERMS,
    OSLO,
    UTC,
    access_requests,
    consent_given,
    consent_withdrawn,
    history,
    make_patient,
    make_relation,
    make_request,
    oslo,
    timezones,
)

NOW = oslo(2026, 3, 2, 10, 0)
ADULT = make_patient("patient", dt.date(1980, 5, 17))
CHILD = make_patient("patient", dt.date(2015, 5, 17))


def _direct(request: AccessRequest) -> list[Relation]:
    return [
        r
        for r in request.relations
        if r.principal_id == request.patient.id and r.representative_id == request.actor_id
    ]


def _in_force(relation: Relation, request: AccessRequest) -> bool:
    at = request.at
    if not isinstance(relation.kind, RelationKind) or not relation.enabled:
        return False
    if not relation.valid_from <= at or (relation.valid_until and at >= relation.valid_until):
        return False
    return not (
        relation.kind is RelationKind.PARENT
        and at >= parent_access_ends_at(request.patient.birth_date)
    )


# --- A patient acting for themself -------------------------------------------------


def test_a_patient_with_consent_in_force_may_do_everything_for_themself() -> None:
    request = make_request(actor="patient", patient=ADULT, at=NOW)
    for action in Action:
        assert decide(request.with_action(action))
    assert allowed_actions(request) == ALL_ACTIONS


def test_a_child_with_consent_in_force_may_use_the_portal_themself() -> None:
    assert decide(make_request(actor="patient", patient=CHILD, at=NOW))


@pytest.mark.parametrize(
    ("events", "terms", "reason"),
    [
        ((), CURRENT_TERMS, Reason.CONSENT_MISSING),
        (
            (
                consent_given("patient", oslo(2026, 1, 5)),
                consent_withdrawn("patient", oslo(2026, 2, 1)),
            ),
            CURRENT_TERMS,
            Reason.CONSENT_WITHDRAWN,
        ),
        (
            (consent_given("patient", oslo(2024, 2, 1), OLD_TERMS),),
            CURRENT_TERMS,
            Reason.CONSENT_OUTDATED_TERMS,
        ),
    ],
)
def test_a_patient_without_consent_in_force_may_do_nothing(
    events: tuple[object, ...], terms: object, reason: Reason
) -> None:
    consent = history("patient", *events)  # type: ignore[arg-type]
    request = make_request(
        actor="patient",
        patient=ADULT,
        at=NOW,
        patient_consent=consent,
        terms=terms,  # type: ignore[arg-type]
    )
    for action in Action:
        assert decide(request.with_action(action)).reason is reason
    assert allowed_actions(request) == frozenset()


def test_a_minid_login_gets_no_health_data_even_for_oneself() -> None:
    request = make_request(actor="patient", patient=ADULT, at=NOW, method=LoginMethod.MINID)
    assert decide(request).reason is Reason.LOGIN_ASSURANCE_TOO_LOW
    assert allowed_actions(request) == frozenset()


def test_an_expired_session_gets_nothing() -> None:
    request = make_request(actor="patient", patient=ADULT, at=NOW)
    later = attrs.evolve(request, at=request.session.expires_at)
    assert decide(later).reason is Reason.SESSION_EXPIRED


def test_an_unknown_action_is_never_allowed() -> None:
    request = make_request(actor="patient", patient=ADULT, at=NOW, action=Unrecognized("x"))
    assert decide(request).reason is Reason.UNKNOWN_ACTION


# --- A representative -----------------------------------------------------------------


def test_a_parent_acts_for_a_child_through_a_relation() -> None:
    relation = make_relation("patient", "parent")
    request = make_request(actor="parent", patient=CHILD, at=NOW, relations=[relation])
    assert decide(request.with_action(Action.BOOK_CONSULTATION))
    assert allowed_actions(request) == ALL_ACTIONS


def test_a_person_without_a_relation_gets_nothing() -> None:
    request = make_request(actor="stranger", patient=ADULT, at=NOW)
    assert decide(request).reason is Reason.NO_RELATION
    assert allowed_actions(request) == frozenset()


def test_a_relation_to_someone_else_gives_nothing_for_this_patient() -> None:
    elsewhere = make_relation("someone-else", "rep", RelationKind.GUARDIAN)
    request = make_request(actor="rep", patient=ADULT, at=NOW, relations=[elsewhere])
    assert decide(request).reason is Reason.NO_RELATION


def test_the_patient_does_not_get_access_to_their_representative_by_the_reverse_relation() -> None:
    relation = make_relation("rep", "patient", RelationKind.GUARDIAN)
    rep = make_patient("rep", dt.date(1950, 1, 1))
    request = make_request(actor="patient", patient=rep, at=NOW, relations=[relation])
    assert decide(request)  # through the relation "patient" represents "rep"
    reverse = make_request(actor="rep", patient=ADULT, at=NOW, relations=[relation])
    assert decide(reverse).reason is Reason.NO_RELATION


def test_a_switched_off_relation_gives_nothing() -> None:
    relation = make_relation("patient", "rep", RelationKind.GUARDIAN, enabled=False)
    request = make_request(actor="rep", patient=ADULT, at=NOW, relations=[relation])
    assert decide(request).reason is Reason.RELATION_DISABLED


def test_a_relation_gives_access_only_inside_its_window() -> None:
    start, end = oslo(2026, 3, 1), oslo(2026, 4, 1)
    relation = make_relation(
        "patient", "rep", RelationKind.GUARDIAN, valid_from=start, valid_until=end
    )
    request = make_request(actor="rep", patient=ADULT, at=start, relations=[relation])
    assert decide(request)
    just_before = attrs.evolve(request, at=start - dt.timedelta(microseconds=1))
    assert decide(just_before).reason is Reason.RELATION_NOT_YET_VALID
    at_end = make_request(actor="rep", patient=ADULT, at=end, relations=[relation])
    assert decide(at_end).reason is Reason.RELATION_EXPIRED
    last = make_request(
        actor="rep", patient=ADULT, at=end - dt.timedelta(microseconds=1), relations=[relation]
    )
    assert decide(last)


def test_a_relation_does_only_what_it_grants() -> None:
    relation = make_relation(
        "patient", "rep", RelationKind.FAMILY_CAREGIVER, actions=[Action.READ_MESSAGES]
    )
    request = make_request(actor="rep", patient=ADULT, at=NOW, relations=[relation])
    assert decide(request.with_action(Action.READ_MESSAGES))
    assert decide(request.with_action(Action.SEND_MESSAGES)).reason is Reason.ACTION_NOT_GRANTED
    assert allowed_actions(request) == {Action.READ_MESSAGES}


def test_an_unknown_action_in_a_relation_grants_nothing() -> None:
    relation = make_relation(
        "patient", "rep", RelationKind.GUARDIAN, actions=[Unrecognized("view_profile_v2")]
    )
    request = make_request(actor="rep", patient=ADULT, at=NOW, relations=[relation])
    assert decide(request).reason is Reason.ACTION_NOT_GRANTED
    assert allowed_actions(request) == frozenset()


def test_an_unknown_relation_kind_gives_nothing() -> None:
    relation = make_relation("patient", "rep", Unrecognized("neighbour"))
    request = make_request(actor="rep", patient=ADULT, at=NOW, relations=[relation])
    assert decide(request).reason is Reason.UNKNOWN_RELATION_KIND


def test_the_representative_of_a_representative_gets_nothing() -> None:
    first = make_relation("patient", "daughter", RelationKind.FAMILY_CAREGIVER)
    second = make_relation("daughter", "grandson", RelationKind.GUARDIAN)
    request = make_request(actor="grandson", patient=ADULT, at=NOW, relations=[first, second])
    assert decide(request).reason is Reason.TRANSITIVE_RELATION
    assert allowed_actions(request) == frozenset()


def test_any_relation_in_force_that_grants_the_action_will_do() -> None:
    off = make_relation("patient", "rep", RelationKind.PARENT, enabled=False, relation_id="a")
    on = make_relation(
        "patient", "rep", RelationKind.GUARDIAN, actions=[Action.VIEW_PAYMENTS], relation_id="b"
    )
    request = make_request(actor="rep", patient=CHILD, at=NOW, relations=[off, on])
    assert decide(request.with_action(Action.VIEW_PAYMENTS))
    assert allowed_actions(request) == {Action.VIEW_PAYMENTS}


def test_the_reason_comes_from_the_relation_that_got_furthest() -> None:
    off = make_relation("patient", "rep", RelationKind.GUARDIAN, enabled=False, relation_id="a")
    narrow = make_relation(
        "patient", "rep", RelationKind.GUARDIAN, actions=[Action.VIEW_PAYMENTS], relation_id="b"
    )
    request = make_request(
        actor="rep", patient=ADULT, at=NOW, relations=[off, narrow], action=Action.EDIT_PROFILE
    )
    assert decide(request).reason is Reason.ACTION_NOT_GRANTED
    reversed_order = attrs.evolve(request, relations=(narrow, off))
    assert decide(reversed_order).reason is Reason.ACTION_NOT_GRANTED


def test_a_relation_added_by_any_clinic_applies_at_every_clinic_of_the_patient() -> None:
    patient = make_patient("patient", dt.date(1940, 1, 1), clinic_ids=["clinic-1", "clinic-2"])
    relation = attrs.evolve(
        make_relation("patient", "rep", RelationKind.FAMILY_CAREGIVER),
        added_by_clinic_id="clinic-2",
    )
    request = make_request(actor="rep", patient=patient, at=NOW, relations=[relation])
    assert decide(request.with_action(Action.BOOK_CONSULTATION))


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ((), Reason.CONSENT_MISSING),
        ((consent_withdrawn("rep", oslo(2026, 1, 1), 0),), Reason.CONSENT_WITHDRAWN),
        ((consent_given("rep", oslo(2024, 2, 1), OLD_TERMS),), Reason.CONSENT_OUTDATED_TERMS),
    ],
)
def test_a_representative_without_consent_of_their_own_may_do_nothing(
    events: tuple[object, ...], reason: Reason
) -> None:
    relation = make_relation("patient", "rep", RelationKind.GUARDIAN)
    request = make_request(
        actor="rep",
        patient=ADULT,
        at=NOW,
        relations=[relation],
        actor_consent=history("rep", *events),  # type: ignore[arg-type]
    )
    assert decide(request).reason is reason
    assert allowed_actions(request) == frozenset()


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ((), Reason.PRINCIPAL_CONSENT_MISSING),
        (
            (
                consent_given("patient", oslo(2026, 1, 2)),
                consent_withdrawn("patient", oslo(2026, 2, 1)),
            ),
            Reason.PRINCIPAL_CONSENT_WITHDRAWN,
        ),
        (
            (consent_given("patient", oslo(2024, 2, 1), OLD_TERMS),),
            Reason.PRINCIPAL_CONSENT_OUTDATED_TERMS,
        ),
    ],
)
def test_nobody_acts_for_a_patient_whose_consent_is_not_in_force(
    events: tuple[object, ...], reason: Reason
) -> None:
    relation = make_relation("patient", "parent")
    request = make_request(
        actor="parent",
        patient=CHILD,
        at=NOW,
        relations=[relation],
        patient_consent=history("patient", *events),  # type: ignore[arg-type]
    )
    assert decide(request).reason is reason
    assert allowed_actions(request) == frozenset()


def test_a_stranger_learns_nothing_about_the_patients_consent() -> None:
    request = make_request(
        actor="stranger", patient=ADULT, at=NOW, patient_consent=history("patient")
    )
    assert decide(request).reason is Reason.NO_RELATION


# --- The 16th birthday ----------------------------------------------------------------

BIRTHDAYS_ACROSS_DST = [
    dt.date(2010, 3, 29),  # the 16th birthday, 29 March 2026, is the day summer time begins
    dt.date(2010, 3, 30),  # the day after summer time begins
    dt.date(2010, 10, 25),  # 25 October 2026: summer time ends
    dt.date(2010, 7, 1),  # summer
    dt.date(2010, 1, 15),  # winter
    dt.date(2010, 12, 31),
    dt.date(2011, 1, 1),
]


@pytest.mark.parametrize("born", BIRTHDAYS_ACROSS_DST)
def test_parent_loses_access_on_childs_16th_birthday(born: dt.date) -> None:
    child = make_patient("patient", born)
    relation = make_relation("patient", "parent")
    birthday = sixteenth_birthday(born)
    midnight = dt.datetime(birthday.year, birthday.month, birthday.day, tzinfo=OSLO)
    for tz in (OSLO, UTC):
        at = midnight.astimezone(tz)
        request = make_request(actor="parent", patient=child, at=at, relations=[relation])
        for action in Action:
            assert decide(request.with_action(action)).reason is Reason.CHILD_TURNED_16
        assert allowed_actions(request) == frozenset()


@pytest.mark.parametrize("born", BIRTHDAYS_ACROSS_DST)
def test_parent_has_full_access_at_235959_the_day_before_the_16th_birthday(born: dt.date) -> None:
    child = make_patient("patient", born)
    relation = make_relation("patient", "parent")
    day_before = sixteenth_birthday(born) - dt.timedelta(days=1)
    last_second = dt.datetime(
        day_before.year, day_before.month, day_before.day, 23, 59, 59, tzinfo=OSLO
    )
    for tz in (OSLO, UTC):
        request = make_request(
            actor="parent", patient=child, at=last_second.astimezone(tz), relations=[relation]
        )
        for action in Action:
            assert decide(request.with_action(action))
        assert allowed_actions(request) == ALL_ACTIONS


def test_parent_access_ends_at_midnight_oslo_time_whatever_the_offset() -> None:
    assert parent_access_ends_at(dt.date(2010, 3, 29)).isoformat() == "2026-03-29T00:00:00+01:00"
    assert parent_access_ends_at(dt.date(2010, 7, 1)).isoformat() == "2026-07-01T00:00:00+02:00"
    summer = parent_access_ends_at(dt.date(2010, 7, 1))
    assert summer.astimezone(UTC) == dt.datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_a_child_born_on_29_february_turns_16_on_1_march_in_a_year_without_it() -> None:
    assert sixteenth_birthday(dt.date(2084, 2, 29)) == dt.date(2100, 3, 1)
    assert sixteenth_birthday(dt.date(1884, 2, 29)) == dt.date(1900, 3, 1)
    assert sixteenth_birthday(dt.date(2008, 2, 29)) == dt.date(2024, 2, 29)


def test_parent_of_a_child_born_on_29_february_keeps_access_through_28_february() -> None:
    child = make_patient("patient", dt.date(1884, 2, 29))
    relation = make_relation("patient", "parent", valid_from=oslo(1884, 3, 1))
    consent = history("patient", consent_given("patient", oslo(1890, 1, 1)))
    own = history("parent", consent_given("parent", oslo(1890, 1, 1)))

    def request(at: dt.datetime) -> AccessRequest:
        return make_request(
            actor="parent",
            patient=child,
            at=at,
            relations=[relation],
            patient_consent=consent,
            actor_consent=own,
        )

    assert decide(request(oslo(1900, 2, 28, 23, 59, 59)))
    assert decide(request(oslo(1900, 3, 1))).reason is Reason.CHILD_TURNED_16


def test_a_guardian_keeps_access_after_the_16th_birthday() -> None:
    relation = make_relation("patient", "guardian", RelationKind.GUARDIAN)
    request = make_request(
        actor="guardian",
        patient=make_patient("patient", dt.date(2005, 1, 1)),
        at=NOW,
        relations=[relation],
    )
    assert decide(request)


def test_is_under_16_is_decided_in_oslo_time() -> None:
    born = dt.date(2010, 7, 1)
    assert is_under_16(born, dt.datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC))
    assert not is_under_16(born, dt.datetime(2026, 6, 30, 22, 0, tzinfo=UTC))
    with pytest.raises(InvalidInput, match=r"^at: "):
        is_under_16(born, dt.datetime(2026, 6, 30))


# --- The request ----------------------------------------------------------------------


def test_a_representatives_request_needs_their_consent_history() -> None:
    request = make_request(actor="rep", patient=ADULT, at=NOW)
    with pytest.raises(InvalidInput, match=r"^actor_consent: "):
        attrs.evolve(request, actor_consent=None)


def test_a_request_refuses_histories_of_other_people() -> None:
    request = make_request(actor="rep", patient=ADULT, at=NOW)
    with pytest.raises(InvalidInput, match=r"^patient_consent.patient_id: "):
        attrs.evolve(request, patient_consent=history("rep"))
    with pytest.raises(InvalidInput, match=r"^actor_consent.patient_id: "):
        attrs.evolve(request, actor_consent=history("patient"))
    own = make_request(actor="patient", patient=ADULT, at=NOW)
    with pytest.raises(InvalidInput, match=r"^actor_consent: "):
        attrs.evolve(own, actor_consent=history("patient"))


def test_a_request_refuses_a_naive_time_and_wrong_types() -> None:
    request = make_request(actor="patient", patient=ADULT, at=NOW)
    with pytest.raises(InvalidInput, match=r"^at: "):
        attrs.evolve(request, at=dt.datetime(2026, 3, 2, 10, 0))
    with pytest.raises(InvalidInput, match=r"^action: "):
        attrs.evolve(request, action="view_profile")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^relations\[0\]: "):
        attrs.evolve(request, relations=["rel-1"])


def test_a_request_takes_the_relations_as_any_collection() -> None:
    relation = make_relation("patient", "rep", RelationKind.GUARDIAN)
    request = make_request(actor="rep", patient=ADULT, at=NOW)
    assert attrs.evolve(request, relations=[relation]).relations == (relation,)


# --- Properties -----------------------------------------------------------------------


@given(access_requests())
def test_no_access_without_consent_in_force(request: AccessRequest) -> None:
    if decide(request):
        actor_history = request.actor_consent or request.patient_consent
        assert consent_in_force(actor_history, request.terms, request.at)
        assert consent_in_force(request.patient_consent, request.terms, request.at)


@given(access_requests())
def test_no_access_without_an_active_high_assurance_login(request: AccessRequest) -> None:
    if decide(request):
        assert request.session.is_active(request.at)
        assert request.session.method is not LoginMethod.MINID


@given(access_requests())
def test_a_representative_acts_only_through_a_direct_relation_in_force_granting_the_action(
    request: AccessRequest,
) -> None:
    if decide(request) and request.actor_id != request.patient.id:
        assert any(_in_force(r, request) and request.action in r.actions for r in _direct(request))


@given(access_requests())
def test_no_relation_action_when_switched_off(request: AccessRequest) -> None:
    assume(request.actor_id != request.patient.id)
    off = tuple(attrs.evolve(r, enabled=False) for r in request.relations)
    assert not decide(attrs.evolve(request, relations=off))


@given(access_requests(), st.booleans())
def test_no_relation_action_outside_its_window(request: AccessRequest, before: bool) -> None:
    assume(request.actor_id != request.patient.id)
    at = request.at
    moved = tuple(
        attrs.evolve(r, valid_from=at + dt.timedelta(seconds=1), valid_until=None)
        if before
        else attrs.evolve(
            r, valid_from=min(r.valid_from, at - dt.timedelta(days=1)), valid_until=at
        )
        for r in request.relations
    )
    assert not decide(attrs.evolve(request, relations=moved))


@given(access_requests())
def test_no_transitive_access(request: AccessRequest) -> None:
    assume(request.actor_id != request.patient.id)
    indirect = tuple(r for r in request.relations if r not in _direct(request))
    decision = decide(attrs.evolve(request, relations=indirect))
    assert not decision
    if decision.reason is Reason.TRANSITIVE_RELATION:
        middle = {r.representative_id for r in indirect if r.principal_id == "patient"}
        assert any(
            r.principal_id in middle and r.representative_id == request.actor_id for r in indirect
        )


@given(access_requests())
def test_no_parent_access_on_or_after_the_16th_birthday(request: AccessRequest) -> None:
    assume(request.actor_id != request.patient.id)
    assume(request.at >= parent_access_ends_at(request.patient.birth_date))
    parents = tuple(attrs.evolve(r, kind=RelationKind.PARENT) for r in request.relations)
    assert not decide(attrs.evolve(request, relations=parents))


@given(
    st.dates(dt.date(2000, 1, 1), dt.date(2014, 12, 31)),
    st.timedeltas(dt.timedelta(seconds=1), dt.timedelta(days=1)),
    timezones(),
    st.sampled_from(Action),
)
def test_a_parent_has_full_access_before_the_16th_birthday(
    born: dt.date, before: dt.timedelta, tz: dt.tzinfo, action: Action
) -> None:
    child = make_patient("patient", born)
    # Elapsed time: subtracting in the Oslo zone would count wall-clock hours across DST.
    at = (parent_access_ends_at(born).astimezone(dt.UTC) - before).astimezone(tz)

    def request(at: dt.datetime) -> AccessRequest:
        return make_request(
            actor="parent",
            patient=child,
            at=at,
            action=action,
            relations=[make_relation("patient", "parent", valid_from=oslo(1999, 1, 1))],
            patient_consent=history("patient", consent_given("patient", oslo(1999, 6, 1))),
            actor_consent=history("parent", consent_given("parent", oslo(1999, 6, 1))),
        )

    assert decide(request(at))
    assert decide(request(at.astimezone(dt.UTC) + before)).reason is Reason.CHILD_TURNED_16


@given(access_requests())
def test_allowed_actions_are_exactly_the_actions_decide_allows(request: AccessRequest) -> None:
    assert allowed_actions(request) == {a for a in Action if decide(request.with_action(a))}


@given(access_requests())
def test_an_unrecognized_action_is_never_allowed(request: AccessRequest) -> None:
    assert not decide(request.with_action(Unrecognized("teleport")))


@given(access_requests(), timezones())
def test_the_decision_does_not_depend_on_the_timezone_of_at(
    request: AccessRequest, tz: dt.tzinfo
) -> None:
    assert decide(request) == decide(attrs.evolve(request, at=request.at.astimezone(tz)))


@given(access_requests())
def test_the_decision_does_not_depend_on_the_order_of_the_relations(request: AccessRequest) -> None:
    flipped = attrs.evolve(request, relations=tuple(reversed(request.relations)))
    assert decide(request) == decide(flipped)


def test_times_must_be_datetimes_and_birthdays_stop_at_the_calendars_end() -> None:
    with pytest.raises(InvalidInput, match=r"^at: must be a datetime"):
        is_under_16(dt.date(2010, 1, 1), "2026-01-01T00:00:00+01:00")  # type: ignore[arg-type]
    assert sixteenth_birthday(dt.date(9990, 1, 1)) == dt.date.max
    request = make_request(actor="patient", patient=ADULT, at=NOW)
    with pytest.raises(InvalidInput, match=r"^relations: "):
        attrs.evolve(request, relations=42)
