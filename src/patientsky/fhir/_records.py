"""
Appointment, Communication, the portal Consent, Invoice and PaymentNotice.
"""

from __future__ import annotations

from decimal import Decimal
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
from patientsky.models import (
    AuthorKind,
    CommunicationType,
    ConsentEventKind,
    ConsentHistory,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    CounterpartKind,
    Dialog,
    Invoice,
    Money,
    Payment,
    PaymentStatus,
    Unrecognized,
)

_APPOINTMENT_STATUS = {
    ConsultationStatus.BOOKED: "booked",
    ConsultationStatus.CANCELLED: "cancelled",
    ConsultationStatus.LATE_CANCELLED: "cancelled",
    ConsultationStatus.COMPLETED: "fulfilled",
    ConsultationStatus.NO_SHOW: "noshow",
}
_FROM_APPOINTMENT_STATUS = {
    "booked": ConsultationStatus.BOOKED,
    "cancelled": ConsultationStatus.CANCELLED,
    "fulfilled": ConsultationStatus.COMPLETED,
    "noshow": ConsultationStatus.NO_SHOW,
}
_MODE = {
    ConsultationKind.IN_PERSON: ("PHYSICAL", "physical presence"),
    ConsultationKind.VIDEO: ("VIDEOCONF", "videoconferencing"),
}
_FROM_MODE = {"PHYSICAL": ConsultationKind.IN_PERSON, "VIDEOCONF": ConsultationKind.VIDEO}
_AUTHOR_TYPES = {
    AuthorKind.PATIENT: "Patient",
    AuthorKind.REPRESENTATIVE: "Patient",
    AuthorKind.PRACTITIONER: "Practitioner",
    AuthorKind.CLINIC: "Organization",
}


def consultation_to_fhir(consultation: Consultation) -> Resource:
    """
    Map a consultation to a FHIR Appointment.

    The status maps to FHIR's (a late cancellation is ``cancelled``, with PatientSky's
    own status as the cancellation reason); whether it is by video is the appointment
    type, in HL7's ParticipationMode (``VIDEOCONF`` or ``PHYSICAL``). The patient and
    the practitioner take part; the clinic, the calendars, who booked and when it was
    cancelled, which R4's Appointment has no element for, go in extensions.

    Raises:
        InvalidInput: If an id is not a FHIR id, or the status is one this version does
            not know (FHIR's status is a closed set).
    """
    status = consultation.status
    if not isinstance(status, ConsultationStatus):
        raise InvalidInput("status", "is not a status this version knows")
    kind_codings = [coding(CodeSystem.PATIENTSKY_CONSULTATION_KIND, enum_code(consultation.kind))]
    if isinstance(consultation.kind, ConsultationKind):
        code, display = _MODE[consultation.kind]
        kind_codings.insert(0, coding(CodeSystem.PARTICIPATION_MODE, code, display))
    extensions: list[dict[str, Any]] = [
        extension(
            "clinic", valueReference=ref("Organization", "clinic_id", consultation.clinic_id)
        ),
        *(extension("calendar", valueString=c) for c in consultation.calendar_ids),
        extension("booked-by", valueString=consultation.booked_by),
    ]
    if consultation.time_slot_type_id is not None:
        extensions.append(extension("time-slot-type", valueString=consultation.time_slot_type_id))
    if consultation.cancelled_at is not None:
        extensions.append(
            extension("cancelled-at", valueDateTime=instant(consultation.cancelled_at))
        )
    resource: Resource = {
        "resourceType": "Appointment",
        "id": fhir_id("id", consultation.id),
        "extension": extensions,
        "status": _APPOINTMENT_STATUS[status],
        "appointmentType": {"coding": kind_codings},
        "start": instant(consultation.start),
        "end": instant(consultation.end),
        "created": instant(consultation.booked_at),
        "participant": [
            {
                "actor": ref("Patient", "patient_id", consultation.patient_id),
                "required": "required",
                "status": "accepted",
            },
            {
                "actor": ref("Practitioner", "practitioner_id", consultation.practitioner_id),
                "required": "required",
                "status": "accepted",
            },
        ],
    }
    if status in (ConsultationStatus.CANCELLED, ConsultationStatus.LATE_CANCELLED):
        resource["cancelationReason"] = {
            "coding": [coding(CodeSystem.PATIENTSKY_CONSULTATION_STATUS, status.value)]
        }
    if consultation.patient_comment:
        resource["comment"] = consultation.patient_comment
    return validated(resource)


def _one(values: list[Any], field: str) -> Any:
    if len(values) != 1 or values[0] is None:
        raise InvalidInput(field, "must be given exactly once")
    return values[0]


def _participant(data: Resource, resource_type: str) -> str:
    found = [
        p["actor"]
        for p in data.get("participant") or ()
        if str(p.get("actor", {}).get("reference", "")).startswith(f"{resource_type}/")
    ]
    return ref_id("participant", _one(found, "participant"), resource_type)


def _status(data: Resource) -> ConsultationStatus:
    own = find_code(data.get("cancelationReason"), CodeSystem.PATIENTSKY_CONSULTATION_STATUS)
    if own == ConsultationStatus.LATE_CANCELLED.value and data.get("status") == "cancelled":
        return ConsultationStatus.LATE_CANCELLED
    status = _FROM_APPOINTMENT_STATUS.get(str(data.get("status")))
    if status is None:
        raise InvalidInput("status", "has no PatientSky status (proposed, pending, ...)")
    return status


def _consultation_kind(data: Resource) -> ConsultationKind | Unrecognized:
    concept = data.get("appointmentType")
    own = find_code(concept, CodeSystem.PATIENTSKY_CONSULTATION_KIND)
    if own is not None:
        try:
            return ConsultationKind(own)
        except ValueError:
            return Unrecognized(own)
    mode = find_code(concept, CodeSystem.PARTICIPATION_MODE)
    if mode in _FROM_MODE:
        return _FROM_MODE[mode]
    raise InvalidInput("appointmentType", "must say in person (PHYSICAL) or video (VIDEOCONF)")


def consultation_from_fhir(resource: Any) -> Consultation:
    """
    Read a consultation back from a FHIR Appointment (a dict or an R4B model).

    Raises:
        InvalidInput: Naming the field, if the resource is not a valid Appointment or
            holds what a consultation cannot: a status with no PatientSky meaning
            (``proposed``, ``pending``, ``arrived``, ...), no start or end, not exactly
            one patient and one practitioner, or none of PatientSky's extensions.
    """
    data = expect(resource, "Appointment")
    clinic = _one(extension_values(data, "clinic", "valueReference"), "extension(clinic)")
    slot_types = extension_values(data, "time-slot-type", "valueString")
    cancelled = extension_values(data, "cancelled-at", "valueDateTime")
    return Consultation(
        id=data.get("id") or "",
        patient_id=_participant(data, "Patient"),
        clinic_id=ref_id("extension(clinic)", clinic, "Organization"),
        practitioner_id=_participant(data, "Practitioner"),
        calendar_ids=extension_values(data, "calendar", "valueString"),
        kind=_consultation_kind(data),
        status=_status(data),
        start=parse_instant("start", data.get("start")),
        end=parse_instant("end", data.get("end")),
        booked_by=_one(extension_values(data, "booked-by", "valueString"), "extension(booked-by)"),
        booked_at=parse_instant("created", data.get("created")),
        time_slot_type_id=_one(slot_types, "extension(time-slot-type)") if slot_types else None,
        cancelled_at=(
            parse_instant("extension(cancelled-at)", _one(cancelled, "extension(cancelled-at)"))
            if cancelled
            else None
        ),
        patient_comment=data.get("comment"),
    )


def dialog_to_fhir(dialog: Dialog) -> list[Resource]:
    """
    Map a dialog to FHIR Communications, one per message, oldest first.

    The category is the communication type; the subject line is the topic; the
    thread is kept by ``inResponseTo`` (each message answers the one before) and
    ``partOf`` (every later message is part of the first one, which opened the
    dialog). The dialog's id is an identifier of every message. A message's
    attachments follow its text in ``payload``, each as a ``contentAttachment`` with
    its media type, file name and size (the bytes stay with the API).

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    category: dict[str, Any] = {
        "coding": [coding(CodeSystem.PATIENTSKY_COMMUNICATION_TYPE, enum_code(dialog.type))]
    }
    if isinstance(dialog.type, CommunicationType):
        category["text"] = dialog.type.label_en
    counterpart_type = (
        "Practitioner"
        if dialog.counterpart.kind is CounterpartKind.PRACTITIONER
        else "Organization"
    )
    counterpart = ref(counterpart_type, "counterpart.id", dialog.counterpart.id)
    counterpart["display"] = dialog.counterpart.name
    patient = ref("Patient", "patient_id", dialog.patient_id)
    result: list[Resource] = []
    for i, message in enumerate(dialog.messages):
        field = f"messages[{i}]"
        author_type = _AUTHOR_TYPES.get(message.author_kind, "Patient")
        resource: Resource = {
            "resourceType": "Communication",
            "id": fhir_id(f"{field}.id", message.id),
            "identifier": [
                {"system": IdentifierSystem.PATIENTSKY_DIALOG.value, "value": dialog.id}
            ],
            "status": "completed",
            "category": [category],
            "subject": patient,
            "topic": {"text": dialog.subject},
            "sent": instant(message.sent_at),
            "sender": ref(author_type, f"{field}.author_id", message.author_id),
            "recipient": [counterpart if message.author_kind.is_patient_side else patient],
            "payload": [
                {"contentString": message.body},
                # The files it carried (M8), described; their bytes stay with the API.
                *(
                    {
                        "contentAttachment": {
                            "contentType": a.media_type,
                            "title": a.file_name,
                            "size": a.size,
                        }
                    }
                    for a in message.attachments
                ),
            ],
        }
        if i:
            resource["partOf"] = [ref("Communication", "messages[0].id", dialog.messages[0].id)]
            resource["inResponseTo"] = [
                ref("Communication", f"messages[{i - 1}].id", dialog.messages[i - 1].id)
            ]
        result.append(validated(resource))
    return result


def consent_history_to_fhir(history: ConsentHistory) -> list[Resource]:
    """
    Map a patient's consent history to FHIR Consents, one per event, oldest first.

    A consent given is a ``permit``, a withdrawal a ``deny``; the latest event is
    ``active`` and every earlier one ``inactive``. The terms version is the policy
    rule; when someone acted for the patient, they are the performer.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    result: list[Resource] = []
    last = len(history.events) - 1
    for i, event in enumerate(history.events):
        performer = (
            ref("Patient", f"events[{i}].actor_id", event.actor_id)
            if event.relation_id is None
            else ref("RelatedPerson", f"events[{i}].relation_id", event.relation_id)
        )
        resource: Resource = {
            "resourceType": "Consent",
            "id": fhir_id(f"events[{i}].id", event.id),
            "status": "active" if i == last else "inactive",
            "scope": {"coding": [coding(CodeSystem.CONSENT_SCOPE, "patient-privacy")]},
            "category": [{"coding": [coding(CodeSystem.CONSENT_CATEGORY, "59284-0")]}],
            "patient": ref("Patient", "patient_id", history.patient_id),
            "dateTime": instant(event.at),
            "performer": [performer],
            "policyRule": {"text": f"PatientSky terms, version {event.terms_version}"},
            "provision": {
                "type": "permit" if event.kind is ConsentEventKind.GIVEN else "deny",
            },
        }
        result.append(validated(resource))
    return result


def _money(amount: Money) -> dict[str, Any]:
    return {"value": Decimal(amount.minor_units) / 100, "currency": amount.currency}


def invoice_to_fhir(invoice: Invoice) -> Resource:
    """
    Map an invoice to a FHIR Invoice: ``issued`` while outstanding, ``balanced`` once paid.

    The invoice number is an identifier; the due date and the KID are in the payment
    terms.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    terms = f"Due {invoice.due_date.isoformat()}"
    if invoice.kid is not None:
        terms += f", KID {invoice.kid.digits}"
    resource: Resource = {
        "resourceType": "Invoice",
        "id": fhir_id("id", invoice.id),
        "identifier": [
            {"system": IdentifierSystem.PATIENTSKY_INVOICE_NUMBER.value, "value": invoice.number}
        ],
        "status": "balanced" if invoice.is_paid else "issued",
        "subject": ref("Patient", "patient_id", invoice.patient_id),
        "issuer": ref("Organization", "clinic_id", invoice.clinic_id),
        "date": instant(invoice.issued_at),
        "totalNet": _money(invoice.amount),
        "totalGross": _money(invoice.amount),
        "paymentTerms": terms,
    }
    return validated(resource)


def payment_to_fhir(payment: Payment) -> Resource:
    """
    Map a payment to a FHIR PaymentNotice to the clinic.

    The payment is referred to by its PatientSky id (there is no PaymentReconciliation
    to point at); the invoice it settled, if any, is the request. A ``paid`` payment
    has FHIR's payment status ``paid``; the method and PatientSky's own status are
    codes of their own.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    status_codings = [coding(CodeSystem.PATIENTSKY_PAYMENT, f"status:{enum_code(payment.status)}")]
    if payment.status is PaymentStatus.PAID:
        status_codings.insert(0, coding(CodeSystem.PAYMENT_STATUS, "paid", "Paid"))
    recipient = ref("Organization", "clinic_id", payment.clinic_id)
    recipient["display"] = payment.clinic_name
    resource: Resource = {
        "resourceType": "PaymentNotice",
        "id": fhir_id("id", payment.id),
        "extension": [extension("payment-method", valueCode=enum_code(payment.method))],
        "status": "active",
        "created": instant(payment.paid_at),
        "payment": {
            "identifier": {"system": IdentifierSystem.PATIENTSKY_PAYMENT.value, "value": payment.id}
        },
        "paymentDate": payment.paid_at.date().isoformat(),
        "recipient": recipient,
        "amount": _money(payment.amount),
        "paymentStatus": {"coding": status_codings},
    }
    if payment.invoice_id is not None:
        resource["request"] = ref("Invoice", "invoice_id", payment.invoice_id)
        if payment.invoice_number is not None:
            resource["request"]["display"] = payment.invoice_number
    return validated(resource)
