"""FHIR R4 export and import: every resource validates, and the round trips keep the fields."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.fhir import (
    CodeSystem,
    IdentifierSystem,
    clinic_to_fhir,
    consent_history_to_fhir,
    consultation_from_fhir,
    consultation_to_fhir,
    dialog_to_fhir,
    invoice_to_fhir,
    patient_bundle,
    patient_from_fhir,
    patient_to_fhir,
    payment_to_fhir,
    practitioner_to_fhir,
    relation_consent_to_fhir,
    relation_from_fhir,
    relation_to_fhir,
)
from patientsky.models import (
    Action,
    Address,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    ContactDetails,
    Gender,
    NationalId,
    NationalIdKind,
    Patient,
    PersonName,
    Relation,
    RelationKind,
    Unrecognized,
)
from tests.strategies import (
    clinics,
    consent_histories,
    consultations,
    dialogs,
    invoices,
    patients,
    payments,
    practitioners,
    relations,
)
from tests.strategies_ids import national_ids

Resource = dict[str, Any]

OSLO_TZ = dt.timezone(dt.timedelta(hours=1))
OSLO = ZoneInfo("Europe/Oslo")


def assert_valid_r4b(resource: Resource) -> None:
    """The resource validates with the R4B model of its type, and is plain JSON data."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)
    assert json.loads(json.dumps(resource)) == resource


def known_status(c: Any) -> bool:
    return isinstance(c.status, ConsultationStatus)


def a_patient() -> Patient:
    return Patient(
        id="pat-1",
        national_id=NationalId.parse("15108695088"),
        name=PersonName("Kari", "Nordmann", "Eline"),
        birth_date=dt.date(1986, 10, 15),
        contact=ContactDetails(
            "kari@example.org", "+4791234567", Address("Borggata 1A", "0650", "Oslo")
        ),
        gp_id="prac-1",
        clinic_ids=("clinic-1",),
        gender=Gender.FEMALE,
    )


def a_relation() -> Relation:
    return Relation(
        id="rel-1",
        principal_id="pat-2",
        representative_id="pat-1",
        kind=RelationKind.PARENT,
        actions=[Action.VIEW_PROFILE, Action.BOOK_CONSULTATION],
        added_by_clinic_id="clinic-1",
        valid_from=dt.datetime(2026, 1, 5, 8, 0, tzinfo=OSLO_TZ),
    )


def a_consultation(**changes: Any) -> Consultation:
    consultation = Consultation(
        id="con-1",
        patient_id="pat-1",
        clinic_id="clinic-1",
        practitioner_id="prac-1",
        calendar_ids=["cal-1"],
        kind=ConsultationKind.VIDEO,
        status=ConsultationStatus.BOOKED,
        start=dt.datetime(2026, 3, 29, 9, 0, tzinfo=OSLO),
        end=dt.datetime(2026, 3, 29, 9, 20, tzinfo=OSLO),
        booked_by="pat-1",
        booked_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC),
    )
    return attrs.evolve(consultation, **changes)


# --- Patient ---------------------------------------------------------------------------------


@given(patients(synthetic=None))
def test_patient_round_trips_through_fhir_keeping_every_field_but_the_clinics(patient: Any) -> None:
    resource = patient_to_fhir(patient)
    assert_valid_r4b(resource)
    assert patient_from_fhir(resource) == attrs.evolve(patient, clinic_ids=())


@given(patients(synthetic=None))
def test_patient_import_takes_the_r4b_model_as_well_as_a_dict(patient: Any) -> None:
    model = get_fhir_model_class("Patient").model_validate(patient_to_fhir(patient))
    assert patient_from_fhir(model) == patient_from_fhir(patient_to_fhir(patient))


@pytest.mark.parametrize(
    ("kind", "system"),
    [
        (NationalIdKind.FODSELSNUMMER, IdentifierSystem.FODSELSNUMMER),
        (NationalIdKind.D_NUMBER, IdentifierSystem.D_NUMBER),
        (NationalIdKind.H_NUMBER, IdentifierSystem.H_NUMBER),
    ],
)
@given(data=st.data())
def test_identifier_system_is_chosen_from_the_numbers_kind(
    kind: NationalIdKind, system: IdentifierSystem, data: st.DataObject
) -> None:
    patient = data.draw(patients(synthetic=None))
    nid = data.draw(national_ids(kinds=[kind], synthetic=None))
    resource = patient_to_fhir(attrs.evolve(patient, national_id=nid))
    assert resource["identifier"] == [
        {"use": "official", "system": system.value, "value": nid.reveal()}
    ]


def test_the_published_oids_are_the_ones_written() -> None:
    assert IdentifierSystem.FODSELSNUMMER.value == "urn:oid:2.16.578.1.12.4.1.4.1"
    assert IdentifierSystem.D_NUMBER.value == "urn:oid:2.16.578.1.12.4.1.4.2"
    assert IdentifierSystem.H_NUMBER.value == "urn:oid:2.16.578.1.12.4.1.4.3"
    assert IdentifierSystem.HPR_NUMBER.value == "urn:oid:2.16.578.1.12.4.1.4.4"
    assert IdentifierSystem.ORGANISATION_NUMBER.value == "urn:oid:2.16.578.1.12.4.1.4.101"
    assert CodeSystem.ACT_REASON.value == "http://terminology.hl7.org/CodeSystem/v3-ActReason"


@given(patients(synthetic=True))
def test_synthetic_number_is_marked_as_test_data(patient: Any) -> None:
    security = patient_to_fhir(patient)["meta"]["security"]
    assert {"system": CodeSystem.ACT_REASON.value, "code": "HTEST"}.items() <= security[0].items()


@given(patients(synthetic=False))
def test_real_number_carries_no_test_data_mark(patient: Any) -> None:
    assert "security" not in patient_to_fhir(patient)["meta"]


@given(patients(synthetic=False))
def test_import_refuses_a_number_under_another_kinds_system_without_showing_it(
    patient: Any,
) -> None:
    resource = patient_to_fhir(patient)
    wrong = {
        NationalIdKind.FODSELSNUMMER: IdentifierSystem.D_NUMBER,
        NationalIdKind.D_NUMBER: IdentifierSystem.H_NUMBER,
        NationalIdKind.H_NUMBER: IdentifierSystem.FODSELSNUMMER,
    }[patient.national_id.kind]
    resource["identifier"][0]["system"] = wrong.value
    with pytest.raises(InvalidInput) as info:
        patient_from_fhir(resource)
    assert info.value.field == "identifier[0].system"
    assert patient.national_id.reveal() not in str(info.value)


@given(patients())
def test_import_refuses_a_patient_without_a_national_id(patient: Any) -> None:
    resource = patient_to_fhir(patient)
    del resource["identifier"]
    with pytest.raises(InvalidInput, match="identifier"):
        patient_from_fhir(resource)


@given(patients())
def test_import_refuses_an_invalid_number_without_showing_it(patient: Any) -> None:
    resource = patient_to_fhir(patient)
    digits = patient.national_id.reveal()
    bad = digits[:10] + str((int(digits[10]) + 1) % 10)
    resource["identifier"][0]["value"] = bad
    with pytest.raises(InvalidInput) as info:
        patient_from_fhir(resource)
    assert bad not in str(info.value)
    assert bad not in repr(info.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(resourceType="Practitioner"), "resourceType"),
        (lambda r: r.update(birthDate="1990-05"), "birthDate"),
        (lambda r: r.update(birthDate="not a date"), "birthDate"),
        (lambda r: r["name"].__setitem__(0, {"family": "Nordmann"}), "name[0]"),
        (lambda r: r.update(name=[]), "name"),
        (lambda r: r.update(id="has spaces"), "id"),
        (lambda r: r.update(address=[{"line": ["a"], "country": "NO"}] * 2), "address"),
        (lambda r: r.update(address=[{"line": ["a", "b"], "country": "NO"}]), "address[0].line"),
        (
            lambda r: r.update(
                generalPractitioner=[
                    {"reference": "Practitioner/a"},
                    {"reference": "Practitioner/b"},
                ]
            ),
            "generalPractitioner",
        ),
        (
            lambda r: r.update(generalPractitioner=[{"reference": "Organization/a"}]),
            "generalPractitioner[0]",
        ),
        (lambda r: r.update(photo=[{"url": "https://elsewhere/p.png"}]), "photo"),
        (
            lambda r: r.update(
                telecom=[
                    {"system": "email", "value": "a@b.no"},
                    {"system": "email", "value": "c@d.no"},
                ]
            ),
            "telecom[1]",
        ),
    ],
)
def test_import_refuses_what_a_patient_cannot_hold_naming_the_field(
    change: Any, field: str
) -> None:
    patient = a_patient()
    resource = patient_to_fhir(patient)
    change(resource)
    with pytest.raises(InvalidInput) as info:
        patient_from_fhir(resource)
    assert info.value.field.startswith(field)


def test_import_refuses_what_is_not_a_resource() -> None:
    with pytest.raises(InvalidInput, match="resourceType"):
        patient_from_fhir(42)


def test_export_refuses_an_id_that_cannot_be_a_fhir_id() -> None:
    patient = attrs.evolve(a_patient(), id="not a fhir id")
    with pytest.raises(InvalidInput) as info:
        patient_to_fhir(patient)
    assert info.value.field == "id"


def test_validation_error_names_the_field_and_not_the_value() -> None:
    patient = a_patient()
    resource = patient_to_fhir(patient)
    resource["birthDate"] = "sixteen-oh-nine"
    with pytest.raises(InvalidInput) as info:
        patient_from_fhir(resource)
    assert info.value.field == "birthDate"
    assert "sixteen" not in str(info.value)


# --- Practitioner and Organization -----------------------------------------------------------


@given(practitioners())
def test_practitioner_has_the_hpr_number_where_known(practitioner: Any) -> None:
    resource = practitioner_to_fhir(practitioner)
    assert_valid_r4b(resource)
    expected = (
        []
        if practitioner.hpr_number is None
        else [{"system": IdentifierSystem.HPR_NUMBER.value, "value": practitioner.hpr_number}]
    )
    assert resource.get("identifier", []) == expected


@given(clinics())
def test_clinic_is_an_organization_with_its_organisation_number(clinic: Any) -> None:
    resource = clinic_to_fhir(clinic)
    assert_valid_r4b(resource)
    assert resource["name"] == clinic.name
    if clinic.org_number is not None:
        assert resource["identifier"] == [
            {
                "system": IdentifierSystem.ORGANISATION_NUMBER.value,
                "value": clinic.org_number.digits,
            }
        ]


# --- RelatedPerson and Consent ---------------------------------------------------------------


@given(relations())
def test_relation_round_trips_through_related_person_and_consent(relation: Relation) -> None:
    person, consent = relation_to_fhir(relation), relation_consent_to_fhir(relation)
    assert_valid_r4b(person)
    assert_valid_r4b(consent)
    assert relation_from_fhir(person, consent) == relation


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (RelationKind.PARENT, "PRN"),
        (RelationKind.GUARDIAN, "GUARD"),
        (RelationKind.FAMILY_CAREGIVER, "FAMMEMB"),
    ],
)
def test_relation_kind_is_an_hl7_role_code(kind: RelationKind, code: str) -> None:
    relation = attrs.evolve(a_relation(), kind=kind)
    first = relation_to_fhir(relation)["relationship"][0]["coding"][0]
    assert (first["system"], first["code"]) == (CodeSystem.ROLE_CODE.value, code)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("PRN", RelationKind.PARENT),
        ("GUARD", RelationKind.GUARDIAN),
        ("GRNDCHILD", RelationKind.FAMILY_CAREGIVER),
    ],
)
def test_relation_from_another_system_is_read_by_its_role_code(
    code: str, kind: RelationKind
) -> None:
    relation = a_relation()
    person = relation_to_fhir(relation)
    person["relationship"] = [{"coding": [{"system": CodeSystem.ROLE_CODE.value, "code": code}]}]
    assert relation_from_fhir(person, relation_consent_to_fhir(relation)).kind is kind


def test_relation_import_refuses_a_relationship_of_no_known_kind() -> None:
    relation = a_relation()
    person = relation_to_fhir(relation)
    person["relationship"] = [{"coding": [{"system": CodeSystem.ROLE_CODE.value, "code": "NBOR"}]}]
    with pytest.raises(InvalidInput) as info:
        relation_from_fhir(person, relation_consent_to_fhir(relation))
    assert info.value.field == "relationship"


def test_relation_import_refuses_a_consent_for_another_relation() -> None:
    one = a_relation()
    with pytest.raises(InvalidInput) as info:
        relation_from_fhir(
            relation_to_fhir(one), relation_consent_to_fhir(attrs.evolve(one, id="rel-2"))
        )
    assert info.value.field == "provision.actor"


def test_relation_import_refuses_a_consent_for_another_patient() -> None:
    one = a_relation()
    other = attrs.evolve(one, principal_id="pat-3")
    with pytest.raises(InvalidInput) as info:
        relation_from_fhir(relation_to_fhir(one), relation_consent_to_fhir(other))
    assert info.value.field == "patient"


def test_relation_consent_lists_each_granted_action() -> None:
    relation = attrs.evolve(
        a_relation(), actions=[Action.VIEW_PROFILE, Unrecognized("from_the_future")]
    )
    actions = relation_consent_to_fhir(relation)["provision"]["action"]
    assert [a["coding"][0]["code"] for a in actions] == ["from_the_future", "view_profile"]


# --- Appointment -----------------------------------------------------------------------------


@given(consultations().filter(known_status))
def test_consultation_round_trips_through_appointment(consultation: Any) -> None:
    resource = consultation_to_fhir(consultation)
    assert_valid_r4b(resource)
    expected = attrs.evolve(consultation, patient_comment=consultation.patient_comment or None)
    assert consultation_from_fhir(resource) == expected


@given(consultations().filter(known_status))
def test_video_consultation_is_flagged_as_videoconference(consultation: Any) -> None:
    resource = consultation_to_fhir(consultation)
    codes = [c["code"] for c in resource["appointmentType"]["coding"]]
    assert ("VIDEOCONF" in codes) == (consultation.kind is ConsultationKind.VIDEO)
    assert ("PHYSICAL" in codes) == (consultation.kind is ConsultationKind.IN_PERSON)


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (ConsultationStatus.BOOKED, "booked"),
        (ConsultationStatus.CANCELLED, "cancelled"),
        (ConsultationStatus.LATE_CANCELLED, "cancelled"),
        (ConsultationStatus.COMPLETED, "fulfilled"),
        (ConsultationStatus.NO_SHOW, "noshow"),
    ],
)
def test_consultation_status_maps_to_fhirs(status: ConsultationStatus, fhir_status: str) -> None:
    base = a_consultation()
    consultation = attrs.evolve(base, status=status, cancelled_at=base.booked_at)
    assert consultation_to_fhir(consultation)["status"] == fhir_status


def test_consultation_of_an_unknown_status_is_refused() -> None:
    consultation = attrs.evolve(a_consultation(), status=Unrecognized("postponed"))
    with pytest.raises(InvalidInput) as info:
        consultation_to_fhir(consultation)
    assert info.value.field == "status"


@pytest.mark.parametrize("status", ["proposed", "pending", "arrived", "checked-in", "waitlist"])
def test_appointment_of_a_status_patientsky_has_not_is_refused(status: str) -> None:
    resource = consultation_to_fhir(a_consultation())
    resource["status"] = status
    with pytest.raises(InvalidInput) as info:
        consultation_from_fhir(resource)
    assert info.value.field == "status"


def test_appointment_from_another_system_without_patientsky_extensions_is_refused() -> None:
    resource = consultation_to_fhir(a_consultation())
    del resource["extension"]
    with pytest.raises(InvalidInput) as info:
        consultation_from_fhir(resource)
    assert info.value.field == "extension(clinic)"


def test_appointment_with_two_patients_is_refused() -> None:
    resource = consultation_to_fhir(a_consultation())
    resource["participant"].append(
        {"actor": {"reference": "Patient/another"}, "status": "accepted"}
    )
    with pytest.raises(InvalidInput) as info:
        consultation_from_fhir(resource)
    assert info.value.field == "participant"


def test_appointment_kind_is_read_from_the_participation_mode_alone() -> None:
    resource = consultation_to_fhir(a_consultation())
    resource["appointmentType"] = {
        "coding": [{"system": CodeSystem.PARTICIPATION_MODE.value, "code": "VIDEOCONF"}]
    }
    assert consultation_from_fhir(resource).kind is ConsultationKind.VIDEO
    resource["appointmentType"] = {"text": "home visit"}
    with pytest.raises(InvalidInput, match="appointmentType"):
        consultation_from_fhir(resource)


# --- Communication, Consent history, Invoice, PaymentNotice ----------------------------------


@given(dialogs())
def test_dialog_is_a_thread_of_communications(dialog: Any) -> None:
    resources = dialog_to_fhir(dialog)
    for resource in resources:
        assert_valid_r4b(resource)
    assert [r["id"] for r in resources] == [m.id for m in dialog.messages]
    assert [r["payload"][0]["contentString"] for r in resources] == [
        m.body for m in dialog.messages
    ]
    assert [
        [
            (p["contentAttachment"]["title"], p["contentAttachment"]["size"])
            for p in r["payload"][1:]
        ]
        for r in resources
    ] == [[(a.file_name, a.size) for a in m.attachments] for m in dialog.messages]
    for before, after in itertools.pairwise(resources):
        assert after["inResponseTo"] == [{"reference": f"Communication/{before['id']}"}]
        assert after["partOf"] == [{"reference": f"Communication/{resources[0]['id']}"}]
    assert {r["category"][0]["coding"][0]["code"] for r in resources} == {str(dialog.type.value)}


@given(consent_histories())
def test_consent_history_is_one_consent_per_event_with_the_latest_active(history: Any) -> None:
    resources = consent_history_to_fhir(history)
    for resource in resources:
        assert_valid_r4b(resource)
    assert [r["status"] for r in resources] == ["inactive"] * (len(resources) - 1) + (
        ["active"] if resources else []
    )
    assert [r["provision"]["type"] for r in resources] == [
        "permit" if e.kind.value == "given" else "deny" for e in history.events
    ]


@given(invoices())
def test_invoice_is_balanced_exactly_when_paid(invoice: Any) -> None:
    resource = invoice_to_fhir(invoice)
    assert_valid_r4b(resource)
    assert (resource["status"] == "balanced") == invoice.is_paid
    value = resource["totalGross"]["value"]
    assert round(value * 100) == invoice.amount.minor_units


@given(payments())
def test_payment_is_a_payment_notice_to_the_clinic(payment: Any) -> None:
    resource = payment_to_fhir(payment)
    assert_valid_r4b(resource)
    assert resource["recipient"]["reference"] == f"Organization/{payment.clinic_id}"
    assert round(resource["amount"]["value"] * 100) == payment.amount.minor_units


# --- Bundle ----------------------------------------------------------------------------------


@given(
    patient=patients(synthetic=None),
    relations_=st.lists(relations(), max_size=2),
    history=consent_histories(max_events=2),
    dialogs_=st.lists(dialogs(max_messages=2), max_size=2),
    consultations_=st.lists(consultations(), max_size=3),
    invoices_=st.lists(invoices(), max_size=2),
    payments_=st.lists(payments(), max_size=2),
    clinics_=st.lists(clinics(), max_size=2),
    practitioners_=st.lists(practitioners(), max_size=2),
)
def test_patient_bundle_is_a_valid_collection_of_everything_the_account_holds(
    patient: Any,
    relations_: list[Any],
    history: Any,
    dialogs_: list[Any],
    consultations_: list[Any],
    invoices_: list[Any],
    payments_: list[Any],
    clinics_: list[Any],
    practitioners_: list[Any],
) -> None:
    bundle = patient_bundle(
        patient,
        relations=relations_,
        consent=history,
        dialogs=dialogs_,
        consultations=consultations_,
        invoices=invoices_,
        payments=payments_,
        clinics=clinics_,
        practitioners=practitioners_,
        generated_at=dt.datetime(2026, 12, 2, 9, 30, tzinfo=OSLO_TZ),
        base_url="https://fhir.example.org/r4/",
    )
    assert_valid_r4b(bundle)
    assert bundle["type"] == "collection"
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types.count("Patient") == 1
    assert types.count("RelatedPerson") == len(relations_)
    assert types.count("Communication") == sum(len(d.messages) for d in dialogs_)
    assert types.count("Appointment") == sum(known_status(c) for c in consultations_)
    assert types.count("Invoice") == len(invoices_)
    assert types.count("PaymentNotice") == len(payments_)
    assert types.count("Consent") == len(relations_) + len(history.events)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == (
            f"https://fhir.example.org/r4/{resource['resourceType']}/{resource['id']}"
        )


def test_bundle_of_a_bare_patient_has_just_the_patient() -> None:
    patient = a_patient()
    bundle = patient_bundle(patient)
    assert_valid_r4b(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert "fullUrl" not in bundle["entry"][0]
    assert "timestamp" not in bundle


def test_national_id_is_only_in_the_identifier_value() -> None:
    nid = NationalId.parse("15108695088")
    patient = attrs.evolve(a_patient(), national_id=nid)
    text = json.dumps(patient_to_fhir(patient))
    assert text.count("15108695088") == 1


# --- hostile input ---------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def mutated(resource: Resource, data: st.DataObject) -> Resource:
    """The resource with one element (at the top or one level down) replaced by any JSON."""
    result: Resource = json.loads(json.dumps(resource))
    key = data.draw(st.sampled_from(sorted(result)))
    if isinstance(result[key], dict) and result[key] and data.draw(st.booleans()):
        inner = data.draw(st.sampled_from(sorted(result[key])))
        result[key][inner] = data.draw(JSON)
    elif isinstance(result[key], list) and result[key] and isinstance(result[key][0], dict):
        inner = data.draw(st.sampled_from(sorted(result[key][0])))
        result[key][0][inner] = data.draw(JSON)
    else:
        result[key] = data.draw(JSON)
    return result


def error_of(call: Callable[[], object]) -> InvalidInput | None:
    """The InvalidInput that ``call`` raises, or None if it returns."""
    try:
        call()
    except InvalidInput as exc:
        return exc
    return None


@given(patients(), st.data())
def test_patient_import_of_any_damage_raises_invalid_input_that_hides_the_number(
    patient: Any, data: st.DataObject
) -> None:
    resource = mutated(patient_to_fhir(patient), data)
    error = error_of(lambda: patient_from_fhir(resource))
    if error is not None:
        assert patient.national_id.reveal() not in str(error)
        assert error.field


@given(relations(), st.data())
def test_relation_import_of_any_damage_raises_invalid_input(
    relation: Relation, data: st.DataObject
) -> None:
    person, consent = relation_to_fhir(relation), relation_consent_to_fhir(relation)
    if data.draw(st.booleans()):
        person = mutated(person, data)
    else:
        consent = mutated(consent, data)
    error = error_of(lambda: relation_from_fhir(person, consent))
    assert error is None or error.field


@given(consultations().filter(known_status), st.data())
def test_appointment_import_of_any_damage_raises_invalid_input(
    consultation: Any, data: st.DataObject
) -> None:
    resource = mutated(consultation_to_fhir(consultation), data)
    error = error_of(lambda: consultation_from_fhir(resource))
    assert error is None or error.field


@pytest.mark.parametrize(
    ("part", "change", "field"),
    [
        ("person", lambda r: r.pop("identifier"), "identifier"),
        ("person", lambda r: r.update(relationship=r["relationship"] * 2), "relationship"),
        ("person", lambda r: r["period"].update(start="2026-01-05"), "period.start"),
        ("person", lambda r: r.update(patient={"reference": "Group/g"}), "patient"),
        ("consent", lambda r: r.pop("organization"), "organization"),
        ("consent", lambda r: r["provision"].update(action=[{"text": "anything"}]), "provision"),
    ],
)
def test_relation_import_refuses_what_a_relation_cannot_hold_naming_the_field(
    part: str, change: Any, field: str
) -> None:
    relation = a_relation()
    person, consent = relation_to_fhir(relation), relation_consent_to_fhir(relation)
    change(person if part == "person" else consent)
    with pytest.raises(InvalidInput) as info:
        relation_from_fhir(person, consent)
    assert info.value.field.startswith(field)


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({"line": ["Borggata 1A"], "postalCode": "0650", "city": "Oslo"}, "address[0].country"),
        (
            {"line": ["Borggata 1A"], "postalCode": "65", "city": "Oslo", "country": "NO"},
            "address[0]",
        ),
    ],
)
def test_patient_import_refuses_an_address_that_cannot_be(address: Resource, field: str) -> None:
    resource = patient_to_fhir(a_patient())
    resource["address"] = [address]
    with pytest.raises(InvalidInput) as info:
        patient_from_fhir(resource)
    assert info.value.field.startswith(field)


def test_an_element_of_the_wrong_json_type_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as info:
        patient_from_fhir({"resourceType": "Patient", "id": "p", "photo": 3})
    assert info.value.field.startswith("photo")
