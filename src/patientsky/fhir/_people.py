"""
Patient, Practitioner, Organization, and RelatedPerson with its Consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from patientsky.errors import InvalidInput
from patientsky.fhir._common import (
    HTEST,
    MIDDLE_NAME,
    PROFILE,
    CodeSystem,
    IdentifierSystem,
    Resource,
    coding,
    enum_code,
    expect,
    fhir_id,
    find_code,
    instant,
    parse_instant,
    ref,
    ref_id,
    validated,
)
from patientsky.models import (
    Action,
    Address,
    Clinic,
    ContactDetails,
    Gender,
    NationalId,
    NationalIdKind,
    Patient,
    PersonName,
    PhotoRef,
    Practitioner,
    Relation,
    RelationKind,
    Unrecognized,
)

_ID_SYSTEMS = {
    NationalIdKind.FODSELSNUMMER: IdentifierSystem.FODSELSNUMMER,
    NationalIdKind.D_NUMBER: IdentifierSystem.D_NUMBER,
    NationalIdKind.H_NUMBER: IdentifierSystem.H_NUMBER,
}
_PHOTO = "urn:patientsky:photo:"
ROLE_CODES = {
    RelationKind.PARENT: ("PRN", "parent"),
    RelationKind.GUARDIAN: ("GUARD", "guardian"),
    RelationKind.FAMILY_CAREGIVER: ("FAMMEMB", "family member"),
}
_FROM_ROLE_CODE = {
    "PRN": RelationKind.PARENT,
    "MTH": RelationKind.PARENT,
    "FTH": RelationKind.PARENT,
    "GUARD": RelationKind.GUARDIAN,
    "FAMMEMB": RelationKind.FAMILY_CAREGIVER,
    "CHILD": RelationKind.FAMILY_CAREGIVER,
    "GRNDCHILD": RelationKind.FAMILY_CAREGIVER,
}


def _name(name: PersonName) -> dict[str, Any]:
    result: dict[str, Any] = {"use": "official", "family": name.family, "given": [name.given]}
    if name.middle is not None:
        result["extension"] = [{"url": MIDDLE_NAME, "valueString": name.middle}]
    return result


def _read_name(field: str, names: Any) -> PersonName:
    if not names:
        raise InvalidInput(field, "is missing")
    name = names[0]
    given = list(name.get("given") or [])
    if len(given) != 1 or "family" not in name:
        raise InvalidInput(f"{field}[0]", "must have one given name and a family name")
    middles = [
        ext.get("valueString") for ext in name.get("extension") or () if ext["url"] == MIDDLE_NAME
    ]
    try:
        return PersonName(given[0], name["family"], middles[0] if middles else None)
    except InvalidInput as exc:
        raise exc.at(f"{field}[0]") from None


def patient_to_fhir(patient: Patient) -> Resource:
    """
    Map a patient to a FHIR Patient resource (no-basis-Patient).

    The national identity number is the identifier, in the system its kind names; a
    synthetic test number is marked as test data (``meta.security`` ``HTEST``) so it
    can never pass for a real person's. The clinics a patient is connected to have no
    place in a Patient resource and are left out.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    nid = patient.national_id
    meta: dict[str, Any] = {"profile": [PROFILE + "Patient"]}
    if nid.is_synthetic:
        meta["security"] = [HTEST]
    resource: Resource = {
        "resourceType": "Patient",
        "id": fhir_id("id", patient.id),
        "meta": meta,
        "identifier": [
            {"use": "official", "system": _ID_SYSTEMS[nid.kind].value, "value": nid.reveal()}
        ],
        "name": [_name(patient.name)],
        "gender": patient.gender.value,
        "birthDate": patient.birth_date.isoformat(),
    }
    telecom = []
    if patient.contact.phone is not None:
        telecom.append({"system": "phone", "value": patient.contact.phone, "use": "mobile"})
    if patient.contact.email is not None:
        telecom.append({"system": "email", "value": patient.contact.email})
    if telecom:
        resource["telecom"] = telecom
    address = patient.contact.address
    if address is not None:
        resource["address"] = [
            {
                "use": "home",
                "line": [address.street],
                "postalCode": address.postal_code,
                "city": address.city,
                "country": address.country,
            }
        ]
    if patient.photo is not None:
        resource["photo"] = [
            {
                "contentType": patient.photo.media_type,
                "size": patient.photo.size_bytes,
                "url": _PHOTO + quote(patient.photo.id, safe=""),
            }
        ]
    if patient.gp_id is not None:
        resource["generalPractitioner"] = [ref("Practitioner", "gp_id", patient.gp_id)]
    return validated(resource)


def _national_id(identifiers: Any) -> NationalId:
    by_system = {system.value: kind for kind, system in _ID_SYSTEMS.items()}
    for i, identifier in enumerate(identifiers or ()):
        kind = by_system.get(identifier.get("system"))
        if kind is None:
            continue
        try:
            nid = NationalId(str(identifier.get("value")))
        except InvalidInput as exc:
            raise InvalidInput(f"identifier[{i}].value", exc.message) from None
        if nid.kind is not kind:
            raise InvalidInput(f"identifier[{i}].system", "does not match the number's kind")
        return nid
    raise InvalidInput("identifier", "has no fødselsnummer, D-number or H-number")


def _contact(resource: Mapping[str, Any]) -> ContactDetails:
    email = phone = None
    for i, point in enumerate(resource.get("telecom") or ()):
        if point.get("system") == "email" and email is None:
            email = point.get("value")
        elif point.get("system") in ("phone", "sms") and phone is None:
            phone = point.get("value")
        else:
            raise InvalidInput(f"telecom[{i}]", "only one e-mail address and one phone fit")
    address = None
    addresses = list(resource.get("address") or [])
    if len(addresses) > 1:
        raise InvalidInput("address", "only one address fits")
    if addresses:
        item = addresses[0]
        lines = list(item.get("line") or [])
        if len(lines) != 1:
            raise InvalidInput("address[0].line", "must be exactly one line")
        try:
            address = Address(lines[0], item.get("postalCode"), item.get("city"), item["country"])
        except KeyError:
            raise InvalidInput("address[0].country", "is missing") from None
        except InvalidInput as exc:
            raise exc.at("address[0]") from None
    try:
        return ContactDetails(email, phone, address)
    except InvalidInput as exc:
        raise exc.at("telecom") from None


def _photo(photos: Any) -> PhotoRef | None:
    if not photos:
        return None
    photo = photos[0]
    url = photo.get("url") or ""
    if len(photos) > 1 or not url.startswith(_PHOTO):
        raise InvalidInput("photo", "only one photo that PatientSky holds fits")
    try:
        return PhotoRef(unquote(url[len(_PHOTO) :]), photo.get("contentType"), photo.get("size"))
    except InvalidInput as exc:
        raise exc.at("photo[0]") from None


def patient_from_fhir(resource: Any) -> Patient:
    """
    Read a patient back from a FHIR Patient resource (a dict or an R4B model).

    Raises:
        InvalidInput: Naming the field, if the resource is not a valid Patient or holds
            what a patient here cannot (no national identity number, several names,
            several addresses, a birth date without a day, ...). The message never
            repeats the number.
    """
    data = expect(resource, "Patient")
    birth = data.get("birthDate")
    try:
        birth_date = dt.date.fromisoformat(birth) if isinstance(birth, str) else None
    except ValueError:
        birth_date = None
    if birth_date is None:
        raise InvalidInput("birthDate", "must be a full date")
    gps = list(data.get("generalPractitioner") or [])
    if len(gps) > 1:
        raise InvalidInput("generalPractitioner", "only one GP fits")
    return Patient(
        id=data.get("id") or "",
        national_id=_national_id(data.get("identifier")),
        name=_read_name("name", data.get("name")),
        birth_date=birth_date,
        contact=_contact(data),
        photo=_photo(data.get("photo")),
        gp_id=ref_id("generalPractitioner[0]", gps[0], "Practitioner") if gps else None,
        gender=_gender(data.get("gender", "unknown")),
    )


def _gender(value: Any) -> Gender:
    try:
        return Gender(value)
    except ValueError:
        raise InvalidInput("gender", "must be male, female, other or unknown") from None


def practitioner_to_fhir(practitioner: Practitioner) -> Resource:
    """
    Map a practitioner to a FHIR Practitioner resource (no-basis-Practitioner).

    The HPR number is the identifier, when it is known.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    resource: Resource = {
        "resourceType": "Practitioner",
        "id": fhir_id("id", practitioner.id),
        "meta": {"profile": [PROFILE + "Practitioner"]},
        "name": [_name(practitioner.name)],
    }
    if practitioner.hpr_number is not None:
        resource["identifier"] = [
            {"system": IdentifierSystem.HPR_NUMBER.value, "value": practitioner.hpr_number}
        ]
    return validated(resource)


def clinic_to_fhir(clinic: Clinic) -> Resource:
    """
    Map a clinic to a FHIR Organization resource (no-basis-Organization).

    The organisation number is the identifier, when it is known.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    resource: Resource = {
        "resourceType": "Organization",
        "id": fhir_id("id", clinic.id),
        "meta": {"profile": [PROFILE + "Organization"]},
        "active": True,
        "name": clinic.name,
    }
    if clinic.org_number is not None:
        resource["identifier"] = [
            {
                "system": IdentifierSystem.ORGANISATION_NUMBER.value,
                "value": clinic.org_number.digits,
            }
        ]
    if clinic.city is not None:
        resource["address"] = [{"city": clinic.city, "country": "NO"}]
    return validated(resource)


def _period(start: dt.datetime, end: dt.datetime | None) -> dict[str, str]:
    period = {"start": instant(start)}
    if end is not None:
        period["end"] = instant(end)
    return period


def relation_to_fhir(relation: Relation) -> Resource:
    """
    Map a relation to a FHIR RelatedPerson: the representative, in relation to the patient.

    The representative is a PatientSky user too; their PatientSky id is the
    identifier. What they may do is in :func:`relation_consent_to_fhir`.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    codings = [coding(CodeSystem.PATIENTSKY_RELATION_KIND, enum_code(relation.kind))]
    if isinstance(relation.kind, RelationKind):
        code, display = ROLE_CODES[relation.kind]
        codings.insert(0, coding(CodeSystem.ROLE_CODE, code, display))
    text = relation.kind.label_en if isinstance(relation.kind, RelationKind) else None
    relationship: dict[str, Any] = {"coding": codings}
    if text is not None:
        relationship["text"] = text
    resource: Resource = {
        "resourceType": "RelatedPerson",
        "id": fhir_id("id", relation.id),
        "identifier": [
            {
                "system": IdentifierSystem.PATIENTSKY_PATIENT.value,
                "value": relation.representative_id,
            }
        ],
        "active": relation.enabled,
        "patient": ref("Patient", "principal_id", relation.principal_id),
        "relationship": [relationship],
        "period": _period(relation.valid_from, relation.valid_until),
    }
    return validated(resource)


def relation_consent_to_fhir(relation: Relation) -> Resource:
    """
    Map what a relation may do to a FHIR Consent: the patient permits the representative.

    Each granted action is a code of its own; the clinic that added the relation is
    the consent's organization, and the relation's window its period.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    fhir_id("id", relation.id)
    provision: dict[str, Any] = {
        "type": "permit",
        "period": _period(relation.valid_from, relation.valid_until),
        "actor": [
            {
                "role": {"coding": [coding(CodeSystem.ROLE_CODE, "DELEGATEE", "delegatee")]},
                "reference": {"reference": f"RelatedPerson/{relation.id}"},
            }
        ],
    }
    if relation.actions:
        provision["action"] = [
            {"coding": [coding(CodeSystem.PATIENTSKY_ACTION, enum_code(action))]}
            for action in relation.actions
        ]
    resource: Resource = {
        "resourceType": "Consent",
        "id": relation.id,
        "status": "active" if relation.enabled else "inactive",
        "scope": {"coding": [coding(CodeSystem.CONSENT_SCOPE, "patient-privacy")]},
        "category": [{"coding": [coding(CodeSystem.CONSENT_CATEGORY, "59284-0")]}],
        "patient": ref("Patient", "principal_id", relation.principal_id),
        "dateTime": instant(relation.valid_from),
        "organization": [ref("Organization", "added_by_clinic_id", relation.added_by_clinic_id)],
        "policyRule": {"text": "Access for a representative, granted by the clinic"},
        "provision": provision,
    }
    return validated(resource)


def _kind(concept: Any) -> RelationKind | Unrecognized:
    own = find_code(concept, CodeSystem.PATIENTSKY_RELATION_KIND)
    if own is not None:
        try:
            return RelationKind(own)
        except ValueError:
            return Unrecognized(own)
    role = find_code(concept, CodeSystem.ROLE_CODE)
    if role in _FROM_ROLE_CODE:
        return _FROM_ROLE_CODE[role]
    raise InvalidInput("relationship", "is not a parent, guardian or family caregiver")


def _action(concept: Any) -> Action | Unrecognized:
    code = find_code(concept, CodeSystem.PATIENTSKY_ACTION)
    if code is None:
        raise InvalidInput("provision.action", "has an action that is not PatientSky's")
    try:
        return Action(code)
    except ValueError:
        return Unrecognized(code)


def relation_from_fhir(related_person: Any, consent: Any) -> Relation:
    """
    Read a relation back from its RelatedPerson and the Consent of what it may do.

    Raises:
        InvalidInput: Naming the field, if either resource does not validate, the two
            do not belong together, or they hold what a relation cannot (no period
            start, a relationship that is none of the three kinds, ...).
    """
    person = expect(related_person, "RelatedPerson")
    grant = expect(consent, "Consent")
    relation_id = person.get("id") or ""
    principal_id = ref_id("patient", person.get("patient"), "Patient")
    if ref_id("patient", grant.get("patient"), "Patient") != principal_id:
        raise InvalidInput("patient", "the consent is for another patient")
    provision = grant.get("provision") or {}
    actors = provision.get("actor") or ()
    if not any(
        a.get("reference", {}).get("reference") == f"RelatedPerson/{relation_id}" for a in actors
    ):
        raise InvalidInput("provision.actor", "does not name this RelatedPerson")
    representatives = [
        i.get("value")
        for i in person.get("identifier") or ()
        if i.get("system") == IdentifierSystem.PATIENTSKY_PATIENT.value
    ]
    if not representatives:
        raise InvalidInput("identifier", "has no PatientSky id for the representative")
    relationships = list(person.get("relationship") or [])
    if len(relationships) != 1:
        raise InvalidInput("relationship", "must be exactly one")
    organizations = list(grant.get("organization") or [])
    if len(organizations) != 1:
        raise InvalidInput("organization", "must be the one clinic that added the relation")
    period = person.get("period") or {}
    end = period.get("end")
    return Relation(
        id=relation_id,
        principal_id=principal_id,
        representative_id=representatives[0],
        kind=_kind(relationships[0]),
        actions=[_action(a) for a in provision.get("action") or ()],
        added_by_clinic_id=ref_id("organization[0]", organizations[0], "Organization"),
        valid_from=parse_instant("period.start", period.get("start")),
        valid_until=None if end is None else parse_instant("period.end", end),
        enabled=bool(person.get("active", True)),
    )
