"""AL1: what the access log records for each operation, and who may list it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    AccessKind,
    AccessLogEntry,
    Action,
    ActorKind,
    LoggedOperation,
    RelationKind,
)
from patientsky.rules import (
    ACCESS_LOG_ACTION,
    DEFAULT_ACTIONS,
    LOG_RULES,
    Reason,
    access_log,
    decide,
    may_list_access_log,
    record,
    record_for_clinic,
)
from tests.strategies import access_log_entries
from tests.strategies_rules import make_patient, make_relation, make_request, oslo

NOW = oslo(2026, 3, 2, 10, 0)
CHILD = make_patient("child", dt.date(2015, 5, 17))
ELDER = make_patient("elder", dt.date(1940, 5, 17))
PERSON_SIDE = [op for op, rule in LOG_RULES.items() if not rule.clinic_side]
CLINIC_SIDE = [op for op, rule in LOG_RULES.items() if rule.clinic_side]


def test_every_operation_has_exactly_one_rule() -> None:
    assert set(LOG_RULES) == set(LoggedOperation)
    assert all(rule.operation is op for op, rule in LOG_RULES.items())
    for rule in LOG_RULES.values():
        if rule.clinic_side:
            assert rule.action is None
            assert rule.access is AccessKind.CHANGE


def test_reads_and_changes_are_told_apart() -> None:
    assert LOG_RULES[LoggedOperation.READ_DIALOG].access is AccessKind.READ
    assert LOG_RULES[LoggedOperation.SEND_MESSAGE].access is AccessKind.CHANGE
    assert LOG_RULES[LoggedOperation.LIST_ACCESS_LOG].action is ACCESS_LOG_ACTION


@pytest.mark.parametrize("operation", PERSON_SIDE)
def test_the_patient_acting_is_recorded_as_the_patient(operation: LoggedOperation) -> None:
    request = make_request(actor="child", patient=CHILD, at=NOW)
    entry = record(entry_id="e1", operation=operation, request=request, clinic_id="c1")
    assert (entry.actor_id, entry.actor_kind, entry.relation_kind) == (
        "child",
        ActorKind.PATIENT,
        None,
    )
    assert entry.for_self
    assert (entry.operation, entry.at, entry.clinic_id) == (operation, NOW, "c1")
    assert entry.action is LOG_RULES[operation].action
    assert entry.actor_name is None  # the log keeps ids only; names are the API's view


def test_a_representative_is_recorded_with_the_kind_of_relation_they_acted_through() -> None:
    relations = [
        make_relation("elder", "son", RelationKind.FAMILY_CAREGIVER),
        make_relation("child", "mother", RelationKind.PARENT),
    ]
    for patient, actor, kind in ((ELDER, "son", RelationKind.FAMILY_CAREGIVER),
                                 (CHILD, "mother", RelationKind.PARENT)):  # fmt: skip
        request = make_request(actor=actor, patient=patient, at=NOW, relations=relations)
        entry = record(
            entry_id="e1",
            operation=LoggedOperation.READ_DIALOG,
            request=request,
            resource_id="d1",
        )
        assert (entry.actor_id, entry.actor_kind, entry.relation_kind) == (
            actor,
            ActorKind.REPRESENTATIVE,
            kind,
        )
        assert entry.resource_id == "d1"


def test_the_action_the_decision_used_is_recorded() -> None:
    request = make_request(actor="child", patient=CHILD, at=NOW)
    entry = record(
        entry_id="e1",
        operation=LoggedOperation.BOOK_CONSULTATION,
        request=request,
        action=Action.BOOK_VIDEO_CONSULTATION,
    )
    assert entry.action is Action.BOOK_VIDEO_CONSULTATION


def test_a_representative_without_a_relation_in_force_is_not_recorded_as_one() -> None:
    request = make_request(actor="stranger", patient=CHILD, at=NOW)
    with pytest.raises(InvalidInput, match=r"^request.relations: "):
        record(entry_id="e1", operation=LoggedOperation.VIEW_PROFILE, request=request)


@pytest.mark.parametrize("operation", CLINIC_SIDE)
def test_the_clinic_side_is_recorded_as_the_clinic_or_its_practitioner(
    operation: LoggedOperation,
) -> None:
    by_clinic = record_for_clinic(
        entry_id="e1", operation=operation, patient_id="child", clinic_id="c1", at=NOW
    )
    assert (by_clinic.actor_id, by_clinic.actor_kind) == ("c1", ActorKind.CLINIC)
    by_gp = record_for_clinic(
        entry_id="e2",
        operation=operation,
        patient_id="child",
        clinic_id="c1",
        at=NOW,
        practitioner_id="gp-1",
    )
    assert (by_gp.actor_id, by_gp.actor_kind, by_gp.clinic_id) == (
        "gp-1",
        ActorKind.PRACTITIONER,
        "c1",
    )


def test_each_side_records_only_its_own_operations() -> None:
    request = make_request(actor="child", patient=CHILD, at=NOW)
    with pytest.raises(InvalidInput, match=r"^operation: "):
        record(entry_id="e1", operation=LoggedOperation.ISSUE_INVOICE, request=request)
    with pytest.raises(InvalidInput, match=r"^operation: "):
        record_for_clinic(
            entry_id="e1",
            operation=LoggedOperation.VIEW_PROFILE,
            patient_id="child",
            clinic_id="c1",
            at=NOW,
        )


_ELEVEN = re.compile(r"\d{11}")


@given(access_log_entries())
def test_an_entry_never_holds_a_national_id_or_free_text(entry: AccessLogEntry) -> None:
    values = [v for v in attrs.astuple(entry, recurse=False) if isinstance(v, str)]
    assert not any(_ELEVEN.search(v) for v in values)
    assert not _ELEVEN.search(repr(entry))
    assert {f.name for f in attrs.fields(AccessLogEntry)} == {
        "id", "patient_id", "actor_id", "actor_kind", "relation_kind", "operation",
        "access", "action", "at", "clinic_id", "resource_id",
        "actor_name",  # a view the API adds when listing; the rules never record it
    }  # fmt: skip


@pytest.mark.parametrize("field", ["actor_id", "patient_id", "resource_id", "clinic_id"])
def test_an_identity_number_in_an_id_is_refused_without_repeating_it(field: str) -> None:
    number = CHILD.national_id.reveal()
    entry = record_for_clinic(
        entry_id="e1",
        operation=LoggedOperation.ISSUE_INVOICE,
        patient_id="child",
        clinic_id="c1",
        at=NOW,
    )
    changes: dict[str, Any] = {field: f"x{number}"}
    with pytest.raises(InvalidInput, match=f"^{field}: ") as caught:
        attrs.evolve(entry, **changes)
    assert number not in str(caught.value)


def test_the_patient_and_a_parent_list_the_log_and_a_family_caregiver_needs_the_action() -> None:
    parent = make_relation("child", "mother", RelationKind.PARENT, actions=sorted(
        DEFAULT_ACTIONS[RelationKind.PARENT], key=lambda a: a.value))  # fmt: skip
    caregiver = make_relation(
        "elder",
        "son",
        RelationKind.FAMILY_CAREGIVER,
        actions=sorted(DEFAULT_ACTIONS[RelationKind.FAMILY_CAREGIVER], key=lambda a: a.value),
    )
    assert may_list_access_log(make_request(actor="child", patient=CHILD, at=NOW))
    assert may_list_access_log(
        make_request(actor="mother", patient=CHILD, at=NOW, relations=[parent])
    )
    denied = may_list_access_log(
        make_request(actor="son", patient=ELDER, at=NOW, relations=[caregiver])
    )
    assert denied.reason is Reason.ACTION_NOT_GRANTED
    granted = attrs.evolve(caregiver, actions=(*caregiver.actions, ACCESS_LOG_ACTION))
    assert may_list_access_log(
        make_request(actor="son", patient=ELDER, at=NOW, relations=[granted])
    )


@given(
    st.sampled_from(list(Action)),
    st.sampled_from([RelationKind.GUARDIAN, RelationKind.FAMILY_CAREGIVER]),
)
def test_listing_the_log_is_decided_exactly_as_its_action(
    action: Action, kind: RelationKind
) -> None:
    relation = make_relation("elder", "son", kind, actions=[action])
    request = make_request(actor="son", patient=ELDER, at=NOW, relations=[relation])
    assert bool(may_list_access_log(request)) is bool(
        decide(request.with_action(ACCESS_LOG_ACTION))
    )
    assert bool(may_list_access_log(request)) is (action is ACCESS_LOG_ACTION)


@given(st.lists(access_log_entries(), max_size=6))
def test_the_log_lists_the_patients_entries_newest_first(entries: list[AccessLogEntry]) -> None:
    if not entries:
        assert access_log(entries, "p") == []
        return
    patient_id = entries[0].patient_id
    listed = access_log(entries, patient_id)
    assert all(e.patient_id == patient_id for e in listed)
    assert len(listed) == sum(e.patient_id == patient_id for e in entries)
    times = [e.at.astimezone(dt.UTC) for e in listed]
    assert times == sorted(times, reverse=True)
