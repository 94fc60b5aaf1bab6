"""Decisions, reason codes, outcomes and ``require``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import AccessDenied, Forbidden, InvalidInput
from patientsky.rules import Allowed, Decision, Denied, Reason, require

SPEC_CODES = {
    "consent_missing",
    "consent_withdrawn",
    "consent_outdated_terms",
    "login_assurance_too_low",
    "session_expired",
    "no_relation",
    "relation_disabled",
    "relation_not_yet_valid",
    "relation_expired",
    "child_turned_16",
    "action_not_granted",
    "principal_consent_missing",
    "transitive_relation",
    "only_clinic_adds_relations",
    "patient_not_connected_to_clinic",
    "grant_exceeds_patient",
    "type_not_enabled_by_clinic",
    "unknown_type",
    "fee_not_acknowledged",
    "dialog_closed",
    "service_not_enabled",
    "no_clinic_chosen",
    "slot_not_free",
    "slot_not_public",
    "wrong_duration",
    "kind_not_offered",
    "already_booked",
    "not_cancellable",
    "unknown",
}


def test_every_code_the_issue_names_exists() -> None:
    assert {r.value for r in Reason} >= SPEC_CODES


def test_reason_codes_are_unique_snake_case_strings() -> None:
    values = [r.value for r in Reason]
    assert len(values) == len(set(values))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", v) for v in values)
    assert all(r.name.lower() == r.value for r in Reason)


def test_every_reason_has_a_message_in_bokmal_and_english() -> None:
    for reason in Reason:
        decision = Decision.deny(reason)
        assert decision.message_nb.strip()
        assert decision.message_en.strip()
        assert decision.message_nb != decision.message_en
        assert decision.message_nb == reason.message_nb
        assert decision.message_en == reason.message_en


def test_every_reason_has_a_nynorsk_message_in_the_reasons_module() -> None:
    for reason in Reason:
        assert reason.message_nn.strip(), reason
        assert reason.message("nn") == reason.message_nn
        assert reason.message("nb") == reason.message() == reason.message_nb
        assert reason.message("en") == reason.message_en
    with pytest.raises(ValueError, match="lang"):
        Reason.UNKNOWN.message("sv")  # type: ignore[arg-type]


def test_messages_never_contain_eleven_digits_or_any_number_but_16() -> None:
    for reason in Reason:
        for text in (reason.message_nb, reason.message_nn, reason.message_en):
            assert set(re.findall(r"\d+", text)) <= {"16"}


def test_every_reason_belongs_to_a_rule_family() -> None:
    families = {
        "general",
        "login",
        "consent",
        "relations",
        "communication",
        "care",
        "booking",
        "payments",
    }
    assert {r.area for r in Reason} == families


@given(st.sampled_from(Reason))
def test_parse_reads_back_every_code(reason: Reason) -> None:
    assert Reason.parse(reason.value) is reason


@given(st.text().filter(lambda s: s not in {r.value for r in Reason}))
def test_parse_turns_an_unknown_code_into_unknown(code: str) -> None:
    assert Reason.parse(code) is Reason.UNKNOWN


def test_parse_turns_no_code_into_unknown() -> None:
    assert Reason.parse(None) is Reason.UNKNOWN


def test_forbidden_from_the_client_carries_the_parsed_reason() -> None:
    assert Forbidden(403, {"code": "child_turned_16"}).reason is Reason.CHILD_TURNED_16
    assert Forbidden(403, {"code": "a_code_from_2030"}).reason is Reason.UNKNOWN
    assert Forbidden(403, {}).reason is Reason.UNKNOWN


def test_an_allowing_decision_is_truthy_and_has_no_reason() -> None:
    decision = Decision.allow()
    assert decision
    assert decision.allowed
    assert decision.reason is None


@given(st.sampled_from(Reason))
def test_a_denying_decision_is_falsy_and_carries_its_reason(reason: Reason) -> None:
    decision = Decision.deny(reason)
    assert not decision
    assert decision.reason is reason
    assert decision == Decision.deny(reason)


def test_a_decision_cannot_allow_with_a_reason_or_deny_without_one() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        Decision(True, Reason.NO_RELATION, "a", "b")
    with pytest.raises(InvalidInput, match="reason"):
        Decision(False, None, "a", "b")
    with pytest.raises(InvalidInput, match="reason"):
        Decision.deny("no_relation")  # type: ignore[arg-type]


def test_require_passes_an_allowing_decision() -> None:
    require(Decision.allow())


@given(st.sampled_from(Reason))
def test_require_raises_access_denied_with_the_reason_and_english_message(reason: Reason) -> None:
    with pytest.raises(AccessDenied) as info:
        require(Decision.deny(reason))
    assert info.value.reason is reason
    assert str(info.value) == reason.message_en


def test_allowed_holds_the_value_and_unwraps_to_it() -> None:
    outcome = Allowed(42)
    assert outcome
    assert outcome.unwrap() == 42
    assert outcome.decision == Decision.allow()


def test_denied_holds_the_decision_and_raises_on_unwrap() -> None:
    outcome = Denied.because(Reason.DIALOG_CLOSED)
    assert not outcome
    assert outcome.reason is Reason.DIALOG_CLOSED
    with pytest.raises(AccessDenied) as info:
        outcome.unwrap()
    assert info.value.reason is Reason.DIALOG_CLOSED


def test_denied_refuses_an_allowing_decision() -> None:
    with pytest.raises(InvalidInput, match="decision"):
        Denied(Decision.allow())


def test_a_decision_refuses_a_reason_that_is_not_a_reason() -> None:
    with pytest.raises(InvalidInput, match="must be a Reason"):
        Decision(False, "no_relation", "a", "b")  # type: ignore[arg-type]
