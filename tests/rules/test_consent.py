"""C1-C3: consent in force, given, withdrawn, given again; a new terms version."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    ConsentEventKind,
    ConsentHistory,
    LoginMethod,
    Patient,
    Relation,
    RelationKind,
)
from patientsky.rules import (
    Allowed,
    ConsentState,
    Denied,
    Reason,
    check_consent,
    consent_in_force,
    consent_state,
    give_consent,
    withdraw_consent,
)
from tests.strategies_rules import (
    CURRENT_TERMS,
    OLD_TERMS,
    aware_datetimes,
    consent_given,
    consent_histories,
    consent_withdrawn,
    history,
    make_patient,
    make_relation,
    make_session,
    oslo,
)

NOW = oslo(2026, 3, 2, 10, 0)
ADULT = make_patient("patient", dt.date(1980, 5, 17))
CHILD = make_patient("patient", dt.date(2015, 5, 17))


def _give(
    patient: Patient,
    consent: ConsentHistory,
    *,
    actor: str = "patient",
    at: dt.datetime = NOW,
    relations: tuple[Relation, ...] = (),
    actor_consent: ConsentHistory | None = None,
    method: LoginMethod = LoginMethod.BANKID,
) -> Allowed[ConsentHistory] | Denied:
    return give_consent(
        session=make_session(actor, at, method),
        patient=patient,
        history=consent,
        terms=CURRENT_TERMS,
        at=at,
        event_id="new",
        relations=relations,
        actor_consent=actor_consent,
    )


def _withdraw(
    patient: Patient,
    consent: ConsentHistory,
    *,
    actor: str = "patient",
    at: dt.datetime = NOW,
    relations: tuple[Relation, ...] = (),
    actor_consent: ConsentHistory | None = None,
) -> Allowed[ConsentHistory] | Denied:
    return withdraw_consent(
        session=make_session(actor, at),
        patient=patient,
        history=consent,
        terms=CURRENT_TERMS,
        at=at,
        event_id="new",
        relations=relations,
        actor_consent=actor_consent,
    )


# --- The state ------------------------------------------------------------------------


def test_consent_is_missing_until_given() -> None:
    assert consent_state(history("patient"), CURRENT_TERMS, NOW) is ConsentState.MISSING
    assert check_consent(history("patient"), CURRENT_TERMS, NOW).reason is Reason.CONSENT_MISSING


def test_consent_given_to_the_current_terms_is_in_force() -> None:
    consent = history("patient", consent_given("patient", oslo(2026, 1, 2)))
    assert consent_state(consent, CURRENT_TERMS, NOW) is ConsentState.IN_FORCE
    assert check_consent(consent, CURRENT_TERMS, NOW)


def test_consent_can_be_withdrawn_at_any_time_and_given_again() -> None:
    consent = history(
        "patient",
        consent_given("patient", oslo(2026, 1, 2), n=0),
        consent_withdrawn("patient", oslo(2026, 2, 1), n=1),
        consent_given("patient", oslo(2026, 3, 1), n=2),
    )
    assert consent_state(consent, CURRENT_TERMS, oslo(2026, 1, 20)) is ConsentState.IN_FORCE
    assert consent_state(consent, CURRENT_TERMS, oslo(2026, 2, 10)) is ConsentState.WITHDRAWN
    assert consent_state(consent, CURRENT_TERMS, oslo(2026, 3, 1)) is ConsentState.IN_FORCE
    decision = check_consent(consent, CURRENT_TERMS, oslo(2026, 2, 10))
    assert decision.reason is Reason.CONSENT_WITHDRAWN


def test_a_new_terms_version_needs_a_new_consent() -> None:
    consent = history("patient", consent_given("patient", oslo(2024, 2, 1), OLD_TERMS))
    assert consent_in_force(consent, OLD_TERMS, NOW)
    assert consent_state(consent, CURRENT_TERMS, NOW) is ConsentState.OUTDATED_TERMS
    assert check_consent(consent, CURRENT_TERMS, NOW).reason is Reason.CONSENT_OUTDATED_TERMS


def test_events_after_the_time_asked_about_do_not_count_yet() -> None:
    consent = history("patient", consent_given("patient", oslo(2026, 4, 1)))
    assert consent_state(consent, CURRENT_TERMS, NOW) is ConsentState.MISSING


def test_consent_state_refuses_a_naive_time() -> None:
    with pytest.raises(InvalidInput, match=r"^at: "):
        consent_state(history("patient"), CURRENT_TERMS, dt.datetime(2026, 1, 1))


# --- Giving and withdrawing -----------------------------------------------------------


def test_a_patient_gives_consent_at_the_first_login() -> None:
    outcome = _give(ADULT, history("patient"))
    assert isinstance(outcome, Allowed)
    event = outcome.value.latest
    assert event is not None
    assert event.kind is ConsentEventKind.GIVEN
    assert event.terms_version == CURRENT_TERMS.version
    assert (event.at, event.actor_id, event.relation_id) == (NOW, "patient", None)
    assert consent_in_force(outcome.value, CURRENT_TERMS, NOW)


def test_consent_is_given_once_giving_it_again_changes_nothing() -> None:
    consent = history("patient", consent_given("patient", oslo(2026, 1, 2)))
    assert _give(ADULT, consent) == Allowed(consent)


def test_a_patient_consents_again_to_new_terms() -> None:
    consent = history("patient", consent_given("patient", oslo(2024, 2, 1), OLD_TERMS))
    outcome = _give(ADULT, consent)
    assert isinstance(outcome, Allowed)
    assert len(outcome.value.events) == 2
    assert consent_in_force(outcome.value, CURRENT_TERMS, NOW)


def test_a_patient_reserves_themself_by_withdrawing() -> None:
    consent = history("patient", consent_given("patient", oslo(2026, 1, 2)))
    outcome = _withdraw(ADULT, consent)
    assert isinstance(outcome, Allowed)
    assert consent_state(outcome.value, CURRENT_TERMS, NOW) is ConsentState.WITHDRAWN


def test_withdrawing_when_no_consent_stands_changes_nothing() -> None:
    assert _withdraw(ADULT, history("patient")) == Allowed(history("patient"))
    consent = history(
        "patient",
        consent_given("patient", oslo(2026, 1, 2), n=0),
        consent_withdrawn("patient", oslo(2026, 2, 1), n=1),
    )
    assert _withdraw(ADULT, consent) == Allowed(consent)


def test_consent_to_old_terms_can_be_withdrawn() -> None:
    consent = history("patient", consent_given("patient", oslo(2024, 2, 1), OLD_TERMS))
    outcome = _withdraw(ADULT, consent)
    assert isinstance(outcome, Allowed)
    assert consent_state(outcome.value, CURRENT_TERMS, NOW) is ConsentState.WITHDRAWN


def test_giving_consent_needs_a_high_assurance_login() -> None:
    outcome = _give(ADULT, history("patient"), method=LoginMethod.MINID)
    assert isinstance(outcome, Denied)
    assert outcome.reason is Reason.LOGIN_ASSURANCE_TOO_LOW


def test_a_child_under_16_does_not_consent_alone() -> None:
    assert _give(CHILD, history("patient")).decision.reason is Reason.CONSENT_BY_PARENT_REQUIRED
    consent = history("patient", consent_given("patient", oslo(2026, 1, 2)))
    outcome = _withdraw(CHILD, consent)
    assert outcome.decision.reason is Reason.CONSENT_BY_PARENT_REQUIRED


def test_a_parent_gives_consent_for_a_child_under_16() -> None:
    relation = make_relation("patient", "parent")
    parent = history("parent", consent_given("parent", oslo(2025, 1, 2)))
    outcome = _give(
        CHILD, history("patient"), actor="parent", relations=(relation,), actor_consent=parent
    )
    assert isinstance(outcome, Allowed)
    event = outcome.value.latest
    assert event is not None
    assert (event.actor_id, event.relation_id) == ("parent", relation.id)
    assert consent_in_force(outcome.value, CURRENT_TERMS, NOW)


def test_a_guardian_withdraws_consent_for_a_child() -> None:
    relation = make_relation("patient", "guardian", RelationKind.GUARDIAN)
    own = history("guardian", consent_given("guardian", oslo(2025, 1, 2)))
    consent = history("patient", consent_given("patient", oslo(2026, 1, 2)))
    outcome = _withdraw(CHILD, consent, actor="guardian", relations=(relation,), actor_consent=own)
    assert isinstance(outcome, Allowed)
    assert consent_state(outcome.value, CURRENT_TERMS, NOW) is ConsentState.WITHDRAWN


def test_a_family_caregiver_cannot_consent_for_someone_else() -> None:
    relation = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER)
    own = history("son", consent_given("son", oslo(2025, 1, 2)))
    outcome = _give(
        ADULT, history("patient"), actor="son", relations=(relation,), actor_consent=own
    )
    assert outcome.decision.reason is Reason.RELATION_CANNOT_CONSENT


def test_a_parent_no_longer_consents_once_the_child_is_16() -> None:
    teen = make_patient("patient", dt.date(2010, 3, 2))
    relation = make_relation("patient", "parent")
    own = history("parent", consent_given("parent", oslo(2025, 1, 2)))
    outcome = _give(
        teen, history("patient"), actor="parent", relations=(relation,), actor_consent=own
    )
    assert outcome.decision.reason is Reason.CHILD_TURNED_16
    assert _give(teen, history("patient"))  # the 16-year-old consents themself


def test_a_parent_without_consent_of_their_own_cannot_consent_for_a_child() -> None:
    relation = make_relation("patient", "parent")
    outcome = _give(
        CHILD,
        history("patient"),
        actor="parent",
        relations=(relation,),
        actor_consent=history("parent"),
    )
    assert outcome.decision.reason is Reason.CONSENT_MISSING


def test_a_stranger_cannot_consent_for_a_child() -> None:
    own = history("stranger", consent_given("stranger", oslo(2025, 1, 2)))
    outcome = _give(CHILD, history("patient"), actor="stranger", actor_consent=own)
    assert outcome.decision.reason is Reason.NO_RELATION


def test_consent_changes_refuse_bad_input() -> None:
    with pytest.raises(InvalidInput, match=r"^history.patient_id: "):
        _give(ADULT, history("someone-else"))
    with pytest.raises(InvalidInput, match=r"^actor_consent: "):
        _give(CHILD, history("patient"), actor="parent")
    with pytest.raises(InvalidInput, match=r"^actor_consent.patient_id: "):
        _give(CHILD, history("patient"), actor="parent", actor_consent=history("x"))
    later = history("patient", consent_withdrawn("patient", oslo(2026, 4, 1)))
    with pytest.raises(InvalidInput, match=r"^at: "):
        _give(ADULT, later)


# --- Properties -----------------------------------------------------------------------


@given(st.data(), aware_datetimes(dt.datetime(2026, 1, 2), dt.datetime(2030, 1, 1)))
def test_after_giving_consent_it_is_in_force(data: st.DataObject, at: dt.datetime) -> None:
    consent = data.draw(consent_histories("patient", dt.datetime(2025, 12, 1)))
    outcome = _give(ADULT, consent, at=at)
    assert isinstance(outcome, Allowed)
    assert consent_in_force(outcome.value, CURRENT_TERMS, at)
    assert outcome.value.events[: len(consent.events)] == consent.events


@given(st.data(), aware_datetimes(dt.datetime(2026, 1, 2), dt.datetime(2030, 1, 1)))
def test_after_withdrawing_consent_it_is_not_in_force(data: st.DataObject, at: dt.datetime) -> None:
    consent = data.draw(consent_histories("patient", dt.datetime(2025, 12, 1)))
    outcome = _withdraw(ADULT, consent, at=at)
    assert isinstance(outcome, Allowed)
    assert not consent_in_force(outcome.value, CURRENT_TERMS, at)
    assert outcome.value.events[: len(consent.events)] == consent.events


@given(st.data(), aware_datetimes())
def test_consent_is_in_force_exactly_when_the_latest_event_gives_the_current_terms(
    data: st.DataObject, at: dt.datetime
) -> None:
    consent = data.draw(consent_histories("patient", at.replace(tzinfo=None)))
    past = [e for e in consent.events if e.at <= at]
    expected = bool(past) and (
        past[-1].kind is ConsentEventKind.GIVEN and past[-1].terms_version == CURRENT_TERMS.version
    )
    assert consent_in_force(consent, CURRENT_TERMS, at) is expected
    assert bool(check_consent(consent, CURRENT_TERMS, at)) is expected
