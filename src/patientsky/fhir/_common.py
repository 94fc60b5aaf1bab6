"""
Identifier and code systems, and the small helpers every mapping shares.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from patientsky.errors import InvalidInput
from patientsky.models import Unrecognized

Resource = dict[str, Any]
"""A FHIR resource as JSON-ready data (what ``json.dumps`` takes)."""

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class IdentifierSystem(enum.StrEnum):
    """
    The identifier systems (``Identifier.system``) the mapping writes and reads.

    The Norwegian ones are the OIDs of the Norwegian Directorate of eHealth, as the
    HL7 Norway base profiles (no-basis) list them; the ``urn:patientsky:`` ones are
    this library's own, for ids that have no national system.
    """

    FODSELSNUMMER = "urn:oid:2.16.578.1.12.4.1.4.1"
    """Fødselsnummer (the population register's national identity number)."""
    D_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.2"
    """D-number, for people who are not registered as resident in Norway."""
    H_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.3"
    """H-number (felles hjelpenummer), when neither of the above is known."""
    HPR_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.4"
    """HPR number: the health personnel register's number of a practitioner."""
    ORGANISATION_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.101"
    """Organisation number in the Central Coordinating Register (Enhetsregisteret)."""
    PATIENTSKY_PATIENT = "urn:patientsky:id:patient"
    """A person's id in PatientSky (a representative is a PatientSky user too)."""
    PATIENTSKY_INVOICE_NUMBER = "urn:patientsky:id:invoice-number"
    """An invoice's number as printed on it."""
    PATIENTSKY_PAYMENT = "urn:patientsky:id:payment"
    """A payment's id in PatientSky."""
    PATIENTSKY_DIALOG = "urn:patientsky:id:dialog"
    """The id of the dialog a message belongs to."""
    PATIENTSKY_ACTOR = "urn:patientsky:id:actor"
    """Who acted, in an access log entry: a person's, practitioner's or clinic's id."""
    PATIENTSKY_RESOURCE = "urn:patientsky:id:resource"
    """What an access log entry says was read or changed (a dialog, an invoice, ...)."""


class CodeSystem(enum.StrEnum):
    """
    The code systems (``Coding.system``) the mapping writes and reads.

    The ``terminology.hl7.org`` ones are the FHIR R4 terminology; the
    ``urn:patientsky:`` ones carry this library's own enum values unchanged, so an
    import gets back exactly what was exported.
    """

    ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
    """HL7 v3 ActReason; ``HTEST`` (test health data) marks synthetic people."""
    ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
    """HL7 v3 RoleCode: ``PRN`` parent, ``GUARD`` guardian, ``FAMMEMB`` family member."""
    PARTICIPATION_MODE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
    """HL7 v3 ParticipationMode: ``PHYSICAL`` presence or ``VIDEOCONF``."""
    CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
    """FHIR consent scope; ``patient-privacy`` for both kinds of consent."""
    CONSENT_CATEGORY = "http://loinc.org"
    """LOINC; ``59284-0`` "Patient Consent" is the consent category."""
    PAYMENT_STATUS = "http://terminology.hl7.org/CodeSystem/paymentstatus"
    """FHIR payment status: ``paid`` or ``cleared``."""
    AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
    """FHIR audit event type; ``rest`` (RESTful Operation) for every access log entry."""
    RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
    """FHIR RESTful interaction, the audit event subtype: ``read``, ``create``, ..."""
    AUDIT_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
    """FHIR audit entity type: ``1`` Person, ``2`` System Object."""
    OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
    """FHIR audit entity role: ``1`` Patient, ``4`` Domain Resource."""
    SECURITY_SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
    """FHIR audit source type; ``4`` Application Server."""
    PATIENTSKY_RELATION_KIND = "urn:patientsky:code:relation-kind"
    """:class:`~patientsky.models.relation.RelationKind` values."""
    PATIENTSKY_ACTION = "urn:patientsky:code:action"
    """:class:`~patientsky.models.relation.Action` values."""
    PATIENTSKY_CONSULTATION_KIND = "urn:patientsky:code:consultation-kind"
    """:class:`~patientsky.models.consultation.ConsultationKind` values."""
    PATIENTSKY_CONSULTATION_STATUS = "urn:patientsky:code:consultation-status"
    """
    :class:`~patientsky.models.consultation.ConsultationStatus` values, where FHIR's is coarser.
    """
    PATIENTSKY_COMMUNICATION_TYPE = "urn:patientsky:code:communication-type"
    """:class:`~patientsky.models.communication.CommunicationType` values."""
    PATIENTSKY_LOGGED_OPERATION = "urn:patientsky:code:logged-operation"
    """:class:`~patientsky.models.access_log.LoggedOperation` values."""
    PATIENTSKY_ACTOR_KIND = "urn:patientsky:code:actor-kind"
    """:class:`~patientsky.models.access_log.ActorKind` values."""
    PATIENTSKY_PAYMENT = "urn:patientsky:code:payment"
    """
    :class:`~patientsky.models.payment.PaymentMethod` and
    :class:`~patientsky.models.payment.PaymentStatus` values.
    """


EXTENSION = "urn:patientsky:extension:"
MIDDLE_NAME = "http://hl7.no/fhir/StructureDefinition/no-basis-middlename"
PROFILE = "http://hl7.no/fhir/StructureDefinition/no-basis-"

HTEST = {
    "system": CodeSystem.ACT_REASON.value,
    "code": "HTEST",
    "display": "test health data",
}


def fhir_id(field: str, value: str) -> str:
    """Return ``value`` if it can be a FHIR resource id, else raise naming ``field``."""
    if not _FHIR_ID.match(value):
        raise InvalidInput(field, "is not a FHIR id (1-64 of A-Z, a-z, 0-9, '-', '.')")
    return value


def ref(resource_type: str, field: str, value: str) -> dict[str, str]:
    """Return a literal reference, ``{"reference": "Patient/p-1"}``."""
    return {"reference": f"{resource_type}/{fhir_id(field, value)}"}


def ref_id(field: str, reference: Any, resource_type: str) -> str:
    """Read the id out of a literal reference to ``resource_type``."""
    text = reference.get("reference") if isinstance(reference, Mapping) else None
    prefix = f"{resource_type}/"
    if not isinstance(text, str) or not text.startswith(prefix) or len(text) == len(prefix):
        raise InvalidInput(field, f"must be a reference to a {resource_type}")
    return text[len(prefix) :]


def instant(value: dt.datetime) -> str:
    """Format an aware datetime as a FHIR instant, keeping its offset."""
    return value.isoformat()


def parse_instant(field: str, value: Any) -> dt.datetime:
    """Read a FHIR dateTime or instant that has a time and an offset."""
    if not isinstance(value, str):
        raise InvalidInput(field, "is missing")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "must be a date and time with an offset") from None
    if "T" not in value or parsed.tzinfo is None:
        raise InvalidInput(field, "must be a date and time with an offset")
    return parsed


def coding(system: CodeSystem, code: str, display: str | None = None) -> dict[str, str]:
    """Return a Coding."""
    result = {"system": system.value, "code": code}
    if display is not None:
        result["display"] = display
    return result


def enum_code(value: enum.Enum | Unrecognized) -> str:
    """The wire value of an enum member, or an unrecognized value's raw text."""
    return str(value.value)


def find_code(concept: Any, system: CodeSystem) -> str | None:
    """Return the code ``concept`` (a CodeableConcept) has in ``system``, if any."""
    if not isinstance(concept, Mapping):
        return None
    for item in concept.get("coding") or ():
        if isinstance(item, Mapping) and item.get("system") == system.value:
            code = item.get("code")
            return code if isinstance(code, str) else None
    return None


def extension(name: str, **value: Any) -> dict[str, Any]:
    """Return one of this library's extensions, ``valueX`` given as a keyword."""
    return {"url": EXTENSION + name, **value}


def extension_values(resource: Mapping[str, Any], name: str, key: str) -> list[Any]:
    """Return the ``key`` values of every extension ``name`` on ``resource``."""
    return [
        ext.get(key)
        for ext in resource.get("extension") or ()
        if isinstance(ext, Mapping) and ext.get("url") == EXTENSION + name
    ]


def validated(resource: Resource) -> Resource:
    """
    Check ``resource`` against the R4B model of its type and return it as JSON data.

    Raises:
        InvalidInput: Naming the first field that does not validate; the message never
            repeats the value.
    """
    kind = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (KeyError, ValueError, AttributeError):
        raise InvalidInput("resourceType", "is not an R4B resource type") from None
    try:
        parsed = model.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"]) or str(kind)
        raise InvalidInput(path, f"does not validate as FHIR R4B ({first['type']})") from None
    except (TypeError, AttributeError, ValueError):
        # fhir.resources lets some values of the wrong JSON type through to code that
        # fails on them; all we know is that the resource is not valid.
        raise InvalidInput(str(kind), "does not validate as FHIR R4B") from None
    data: Resource = parsed.model_dump(mode="json", exclude_none=True)
    return data


def expect(resource: Any, resource_type: str) -> Resource:
    """Validate an incoming resource of ``resource_type`` and return it as data."""
    if not isinstance(resource, Mapping):
        dump = getattr(resource, "model_dump", None)
        if dump is None:
            raise InvalidInput("resourceType", "must be a FHIR resource (a dict or a model)")
        resource = dump(mode="json", exclude_none=True)
    if resource.get("resourceType") != resource_type:
        raise InvalidInput("resourceType", f"must be {resource_type}")
    return validated(dict(resource))


def nonempty(values: Iterable[Any]) -> list[Any]:
    """Drop the ``None`` items."""
    return [v for v in values if v is not None]
