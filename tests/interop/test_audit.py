"""The access log as FHIR AuditEvents: each validates, maps to the standard codes, round-trips."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.auditevent import AuditEvent
from hypothesis import given, settings

from patientsky.errors import InvalidInput
from patientsky.fhir import (
    CodeSystem,
    access_log_entry_from_fhir,
    access_log_entry_to_fhir,
    patient_bundle,
)
from patientsky.models import (
    AccessKind,
    AccessLogEntry,
    Action,
    ActorKind,
    LoggedOperation,
    Patient,
    RelationKind,
)
from patientsky.rules.access_log import LOG_RULES
from tests.strategies import access_log_entries, patients

AT = dt.datetime(2026, 11, 25, 13, 5, 7, tzinfo=dt.UTC)


def _entry(**changes: Any) -> AccessLogEntry:
    fields: dict[str, Any] = {
        "id": "log-1",
        "patient_id": "p-olav",
        "actor_id": "p-ingrid",
        "actor_kind": ActorKind.REPRESENTATIVE,
        "relation_kind": RelationKind.FAMILY_CAREGIVER,
        "operation": LoggedOperation.READ_DIALOG,
        "access": AccessKind.READ,
        "action": Action.READ_MESSAGES,
        "at": AT,
        "clinic_id": "clinic-sentrum",
        "resource_id": "d-1",
    }
    fields.update(changes)
    return AccessLogEntry(**fields)


def _code(codings: list[dict[str, str]], system: CodeSystem) -> str | None:
    return next((c["code"] for c in codings if c["system"] == system.value), None)


@given(access_log_entries())
def test_every_entry_validates_and_round_trips(entry: AccessLogEntry) -> None:
    event = access_log_entry_to_fhir(entry)
    AuditEvent.model_validate(event)  # R4B
    assert access_log_entry_from_fhir(event) == entry
    assert access_log_entry_from_fhir(AuditEvent.model_validate(event)) == entry


def test_a_representatives_read_maps_to_the_standard_codes() -> None:
    event = access_log_entry_to_fhir(_entry())
    assert event["type"] == {
        "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
        "code": "rest",
        "display": "RESTful Operation",
    }
    assert _code(event["subtype"], CodeSystem.RESTFUL_INTERACTION) == "read"
    assert _code(event["subtype"], CodeSystem.PATIENTSKY_LOGGED_OPERATION) == "read_dialog"
    assert event["action"] == "R"
    assert event["outcome"] == "0"
    assert event["recorded"].startswith("2026-11-25T13:05:07")
    (agent,) = event["agent"]
    assert agent["who"]["reference"] == "Patient/p-ingrid"
    assert agent["requestor"] is True
    assert _code(agent["role"][0]["coding"], CodeSystem.ROLE_CODE) == "FAMMEMB"
    patient, what = event["entity"]
    assert patient["what"] == {"reference": "Patient/p-olav"}
    assert (patient["type"]["code"], patient["role"]["code"]) == ("1", "1")
    assert what["what"]["identifier"]["value"] == "d-1"
    assert (what["type"]["code"], what["role"]["code"]) == ("2", "4")
    assert event["source"]["type"][0]["code"] == "4"


@pytest.mark.parametrize(
    ("operation", "interaction", "action"),
    [
        (LoggedOperation.LIST_DIALOGS, "search-type", "E"),
        (LoggedOperation.BOOK_CONSULTATION, "create", "C"),
        (LoggedOperation.EDIT_PROFILE, "update", "U"),
        (LoggedOperation.REMOVE_RELATION, "delete", "D"),
        (LoggedOperation.DOWNLOAD_RECEIPT, "read", "R"),
    ],
)
def test_the_operation_gives_the_restful_interaction_and_action(
    operation: LoggedOperation, interaction: str, action: str
) -> None:
    event = access_log_entry_to_fhir(_entry(operation=operation))
    assert _code(event["subtype"], CodeSystem.RESTFUL_INTERACTION) == interaction
    assert event["action"] == action


def test_every_logged_operation_reads_or_changes_in_fhir_as_its_rule_says() -> None:
    for operation, rule in LOG_RULES.items():
        event = access_log_entry_to_fhir(_entry(operation=operation, access=rule.access))
        interaction = _code(event["subtype"], CodeSystem.RESTFUL_INTERACTION)
        reads = interaction in ("read", "search-type")
        assert reads is (rule.access is AccessKind.READ), operation
        assert event["action"] in (("R", "E") if reads else ("C", "U", "D"))
    assert set(LOG_RULES) == set(LoggedOperation)


@pytest.mark.parametrize(
    ("kind", "actor", "reference"),
    [
        (ActorKind.PATIENT, "p-olav", "Patient/p-olav"),
        (ActorKind.PRACTITIONER, "prac-1", "Practitioner/prac-1"),
        (ActorKind.CLINIC, "clinic-sentrum", "Organization/clinic-sentrum"),
    ],
)
def test_the_agent_is_who_acted(kind: ActorKind, actor: str, reference: str) -> None:
    entry = _entry(actor_kind=kind, actor_id=actor, relation_kind=None)
    (agent,) = access_log_entry_to_fhir(entry)["agent"]
    assert agent["who"]["reference"] == reference
    assert "role" not in agent


@settings(max_examples=10)
@given(patients(synthetic=True))
def test_the_patients_bundle_holds_the_access_log(patient: Patient) -> None:
    entry = _entry(
        patient_id=patient.id, actor_id=patient.id, actor_kind=ActorKind.PATIENT, relation_kind=None
    )
    bundle = patient_bundle(patient, access_log=[entry])
    events = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AuditEvent"
    ]
    assert [access_log_entry_from_fhir(e) for e in events] == [entry]


def test_import_refuses_what_an_entry_cannot_hold_naming_the_field() -> None:
    event = access_log_entry_to_fhir(_entry())
    two_agents = {**event, "agent": event["agent"] * 2}
    with pytest.raises(InvalidInput) as caught:
        access_log_entry_from_fhir(two_agents)
    assert caught.value.field == "agent"
    no_patient = {**event, "entity": event["entity"][1:]}
    with pytest.raises(InvalidInput) as caught:
        access_log_entry_from_fhir(no_patient)
    assert caught.value.field == "entity(patient)"
    foreign = {**event, "subtype": event["subtype"][:1]}
    with pytest.raises(InvalidInput) as caught:
        access_log_entry_from_fhir(foreign)
    assert caught.value.field == "subtype"
    with pytest.raises(InvalidInput) as caught:
        access_log_entry_from_fhir({**event, "resourceType": "Patient"})
    assert caught.value.field == "resourceType"
