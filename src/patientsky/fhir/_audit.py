"""
The access log (AL1) as FHIR AuditEvents, and back.
"""

from __future__ import annotations

import enum
from typing import Any

from patientsky.errors import InvalidInput
from patientsky.fhir._common import (
    CodeSystem,
    IdentifierSystem,
    Resource,
    coding,
    enum_code,
    expect,
    extension,
    extension_values,
    fhir_id,
    find_code,
    instant,
    parse_instant,
    ref,
    ref_id,
    validated,
)
from patientsky.fhir._people import ROLE_CODES
from patientsky.models import (
    AccessKind,
    AccessLogEntry,
    Action,
    ActorKind,
    LoggedOperation,
    RelationKind,
    Unrecognized,
)

_OP = LoggedOperation
# The RESTful interaction (http://hl7.org/fhir/restful-interaction) each operation is,
# and from it the AuditEvent.action (C, R, U, D, or E for a search).
_INTERACTIONS: dict[LoggedOperation, str] = {
    **dict.fromkeys(
        (
            _OP.VIEW_PROFILE,
            _OP.VIEW_PHOTO,
            _OP.VIEW_CONSENT,
            _OP.OPEN_VIDEO_CONSULTATION,
            _OP.READ_DIALOG,
            _OP.VIEW_FEE_NOTICE,
            _OP.VIEW_CANCELLATION_NOTICE,
            _OP.DOWNLOAD_RECEIPT,
            _OP.DOWNLOAD_ATTACHMENT,
            _OP.EXPORT_RECORD,
            _OP.EXPORT_CALENDAR,
        ),
        "read",
    ),
    **dict.fromkeys(
        (
            _OP.LIST_CONSULTATIONS,
            _OP.LIST_DIALOGS,
            _OP.LIST_PAYMENTS,
            _OP.LIST_RELATIONS,
            _OP.LIST_RENEWALS,
            _OP.LIST_ACCESS_LOG,
            _OP.LIST_ATTACHMENTS,
            _OP.LIST_CANCELLATION_NOTICES,
        ),
        "search-type",
    ),
    **dict.fromkeys(
        (
            _OP.GIVE_CONSENT,
            _OP.BOOK_CONSULTATION,
            _OP.START_DIALOG,
            _OP.SEND_MESSAGE,
            _OP.REQUEST_RENEWAL,
            _OP.CONNECT_PATIENT,
            _OP.ADD_RELATION,
            _OP.PRACTITIONER_REPLY,
            _OP.ISSUE_INVOICE,
            _OP.UPLOAD_ATTACHMENT,
        ),
        "create",
    ),
    **dict.fromkeys(
        (
            _OP.EDIT_PROFILE,
            _OP.CHANGE_PHOTO,
            _OP.WITHDRAW_CONSENT,
            _OP.CANCEL_CONSULTATION,
            _OP.CHANGE_RELATION,
            _OP.CLOSE_DIALOG,
            _OP.SETTLE_INVOICE,
            _OP.REFUND_PAYMENT,
            _OP.DECIDE_RENEWAL,
            _OP.MARK_CONSULTATION,
            _OP.MANAGE_CALENDAR_FEED,
        ),
        "update",
    ),
    _OP.REMOVE_RELATION: "delete",
}
_ACTIONS = {"read": "R", "search-type": "E", "create": "C", "update": "U", "delete": "D"}
_BY_ACCESS = {AccessKind.READ: ("read", "R"), AccessKind.CHANGE: ("update", "U")}
_ACTOR_TYPES = {
    ActorKind.PATIENT: "Patient",
    ActorKind.REPRESENTATIVE: "Patient",  # a representative is a PatientSky user too
    ActorKind.PRACTITIONER: "Practitioner",
    ActorKind.CLINIC: "Organization",
}


def _value(cls: type[enum.Enum], code: str | None, field: str) -> Any:
    if code is None:
        raise InvalidInput(field, "has no PatientSky code")
    try:
        return cls(code)
    except ValueError:
        return Unrecognized(code)


def access_log_entry_to_fhir(entry: AccessLogEntry) -> Resource:
    """
    Map an access log entry (AL1) to a FHIR AuditEvent.

    The event is a RESTful operation (``type`` ``rest``); the operation's RESTful
    interaction (``read``, ``search-type``, ``create``, ``update``, ``delete``) is the
    subtype, beside PatientSky's own operation code, and gives the ``action`` (R, E,
    C, U, D). The one agent is who acted (the patient or a representative as Patient,
    a practitioner, the clinic as Organization), with the relation's role (HL7 v3
    RoleCode) for a representative. The entities are the patient (``1`` Person, role
    ``1`` Patient) and, if any, what was read or changed (``2`` System Object, role
    ``4`` Domain Resource) by its PatientSky id. Whether it read or changed, the action
    (R4) it needed and the clinic go in extensions. Like the entry, the event holds
    ids and codes only.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    operation = entry.operation
    interaction = _INTERACTIONS.get(operation) if isinstance(operation, LoggedOperation) else None
    action = _ACTIONS[interaction] if interaction is not None else None
    if interaction is None and isinstance(entry.access, AccessKind):
        interaction, action = _BY_ACCESS[entry.access]
    subtype = [coding(CodeSystem.PATIENTSKY_LOGGED_OPERATION, enum_code(operation))]
    if interaction is not None:
        subtype.insert(0, coding(CodeSystem.RESTFUL_INTERACTION, interaction))
    extensions: list[dict[str, Any]] = [
        extension("access", valueCode=enum_code(entry.access)),
    ]
    if entry.action is not None:
        code = enum_code(entry.action)
        extensions.append(
            extension("action", valueCoding=coding(CodeSystem.PATIENTSKY_ACTION, code))
        )
    if entry.clinic_id is not None:
        extensions.append(
            extension("clinic", valueReference=ref("Organization", "clinic_id", entry.clinic_id))
        )
    kind = entry.actor_kind
    who: dict[str, Any] = {
        "identifier": {"system": IdentifierSystem.PATIENTSKY_ACTOR.value, "value": entry.actor_id}
    }
    if isinstance(kind, ActorKind):
        who.update(ref(_ACTOR_TYPES[kind], "actor_id", entry.actor_id))
    agent: dict[str, Any] = {
        "type": {"coding": [coding(CodeSystem.PATIENTSKY_ACTOR_KIND, enum_code(kind))]},
        "who": who,
        "requestor": True,
    }
    if entry.relation_kind is not None:
        roles = [coding(CodeSystem.PATIENTSKY_RELATION_KIND, enum_code(entry.relation_kind))]
        if isinstance(entry.relation_kind, RelationKind):
            code, display = ROLE_CODES[entry.relation_kind]
            roles.insert(0, coding(CodeSystem.ROLE_CODE, code, display))
        agent["role"] = [{"coding": roles}]
    entities: list[dict[str, Any]] = [
        {
            "what": ref("Patient", "patient_id", entry.patient_id),
            "type": coding(CodeSystem.AUDIT_ENTITY_TYPE, "1", "Person"),
            "role": coding(CodeSystem.OBJECT_ROLE, "1", "Patient"),
        }
    ]
    if entry.resource_id is not None:
        entities.append(
            {
                "what": {
                    "identifier": {
                        "system": IdentifierSystem.PATIENTSKY_RESOURCE.value,
                        "value": entry.resource_id,
                    }
                },
                "type": coding(CodeSystem.AUDIT_ENTITY_TYPE, "2", "System Object"),
                "role": coding(CodeSystem.OBJECT_ROLE, "4", "Domain Resource"),
            }
        )
    resource: Resource = {
        "resourceType": "AuditEvent",
        "id": fhir_id("id", entry.id),
        "extension": extensions,
        "type": coding(CodeSystem.AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
        "subtype": subtype,
        "recorded": instant(entry.at),
        "outcome": "0",
        "agent": [agent],
        "source": {
            "site": "PatientSky",
            "observer": {"display": "PatientSky"},
            "type": [coding(CodeSystem.SECURITY_SOURCE_TYPE, "4", "Application Server")],
        },
        "entity": entities,
    }
    if action is not None:
        resource["action"] = action
    return validated(resource)


def _one(values: list[Any], field: str) -> Any:
    if len(values) != 1 or values[0] is None:
        raise InvalidInput(field, "must be given exactly once")
    return values[0]


def access_log_entry_from_fhir(resource: Any) -> AccessLogEntry:
    """
    Read an access log entry back from a FHIR AuditEvent (a dict or an R4B model).

    Raises:
        InvalidInput: Naming the field, if the resource is not a valid AuditEvent or
            holds what an entry cannot: not exactly one agent, no PatientSky operation
            code, no patient entity, or none of PatientSky's extensions.
    """
    data = expect(resource, "AuditEvent")
    agents = list(data.get("agent") or ())
    if len(agents) != 1:
        raise InvalidInput("agent", "must be exactly one: who acted")
    agent = agents[0]
    identifier = (agent.get("who") or {}).get("identifier") or {}
    if identifier.get("system") != IdentifierSystem.PATIENTSKY_ACTOR.value:
        raise InvalidInput("agent.who", "has no PatientSky id")
    roles = agent.get("role") or ()
    relation = (
        _value(RelationKind, find_code(roles[0], CodeSystem.PATIENTSKY_RELATION_KIND), "agent.role")
        if roles
        else None
    )
    operation = None
    for item in data.get("subtype") or ():
        if item.get("system") == CodeSystem.PATIENTSKY_LOGGED_OPERATION.value:
            operation = item.get("code")
    patients = [
        e.get("what")
        for e in data.get("entity") or ()
        if str((e.get("what") or {}).get("reference", "")).startswith("Patient/")
    ]
    resources = [
        (e.get("what") or {}).get("identifier", {}).get("value")
        for e in data.get("entity") or ()
        if (e.get("what") or {}).get("identifier", {}).get("system")
        == IdentifierSystem.PATIENTSKY_RESOURCE.value
    ]
    actions = extension_values(data, "action", "valueCoding")
    clinics = extension_values(data, "clinic", "valueReference")
    return AccessLogEntry(
        id=data.get("id") or "",
        patient_id=ref_id("entity", _one(patients, "entity(patient)"), "Patient"),
        actor_id=str(identifier.get("value") or ""),
        actor_kind=_value(
            ActorKind, find_code(agent.get("type"), CodeSystem.PATIENTSKY_ACTOR_KIND), "agent.type"
        ),
        relation_kind=relation,
        operation=_value(LoggedOperation, operation, "subtype"),
        access=_value(
            AccessKind,
            _one(extension_values(data, "access", "valueCode"), "extension(access)"),
            "extension(access)",
        ),
        action=(
            _value(Action, _one(actions, "extension(action)").get("code"), "extension(action)")
            if actions
            else None
        ),
        at=parse_instant("recorded", data.get("recorded")),
        clinic_id=(
            ref_id("extension(clinic)", _one(clinics, "extension(clinic)"), "Organization")
            if clinics
            else None
        ),
        resource_id=_one(resources, "entity(resource)") if resources else None,
    )
