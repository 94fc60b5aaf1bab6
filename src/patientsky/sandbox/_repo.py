"""
Loading and storing models: wire JSON through :mod:`patientsky.wire`, plus lookup columns.

No rule lives here: the repository only reads and writes what the rules decided.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any, TypeVar

from patientsky.models import (
    Appointment,
    Calendar,
    Clinic,
    ConsentEvent,
    ConsentHistory,
    Consultation,
    Dialog,
    Invoice,
    NationalId,
    Patient,
    Payment,
    PrescriptionRenewalRequest,
    PublicServiceLink,
    Relation,
    Terms,
    TimeSlot,
    TimeSlotType,
)
from patientsky.models.calendar import Schedule
from patientsky.sandbox.demo_data import DemoData
from patientsky.sandbox.storage import Transaction
from patientsky.wire import WireConverter

T = TypeVar("T")


def sort_time(value: dt.datetime) -> str:
    """A sort key for an instant: UTC, fixed width."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


class Repo:
    """
    The sandbox's records, as models, inside one transaction.

    Args:
        tx: The transaction.
        converter: The wire converter.
    """

    def __init__(self, tx: Transaction, converter: WireConverter) -> None:
        self.tx = tx
        self.conv = converter

    # --- generic ---

    def _one(self, table: str, record_id: str, cls: type[T]) -> T | None:
        data = self.tx.get(table, record_id)
        return None if data is None else self.conv.structure(data, cls)

    def _many(self, table: str, cls: type[T], **where: str | None) -> list[T]:
        return [self.conv.structure(d, cls) for d in self.tx.select(table, **where)]

    def _put(self, table: str, record_id: str, value: Any, **columns: Any) -> None:
        self.tx.put(table, record_id, self.conv.unstructure(value), **columns)

    # --- people ---

    def _nid_key(self) -> bytes:
        key = self.tx.get_meta("national_id_key")
        if key is None:
            key = secrets.token_hex(32)
            self.tx.set_meta("national_id_key", key)
        return bytes.fromhex(key)

    def national_id_lookup(self, national_id: NationalId) -> str:
        """The keyed hash a patient is found by; the digits are never a lookup column."""
        digest = hmac.new(self._nid_key(), national_id.reveal().encode(), hashlib.sha256)
        return digest.hexdigest()

    def patient(self, patient_id: str) -> Patient | None:
        """Return a patient, or None."""
        return self._one("patients", patient_id, Patient)

    def patient_by_national_id(self, national_id: NationalId) -> Patient | None:
        """Return the patient with this national identity number, or None."""
        found = self._many("patients", Patient, lookup=self.national_id_lookup(national_id))
        return found[0] if found else None

    def save_patient(self, patient: Patient) -> None:
        """Store a patient."""
        self._put(
            "patients",
            patient.id,
            patient,
            patient_id=patient.id,
            lookup=self.national_id_lookup(patient.national_id),
            sort_key=patient.name.family,
        )

    # --- clinics and calendars ---

    def clinic(self, clinic_id: str) -> Clinic | None:
        """Return a clinic, or None."""
        return self._one("clinics", clinic_id, Clinic)

    def clinics(self) -> list[Clinic]:
        """Return every clinic, by name."""
        return self._many("clinics", Clinic)

    def schedule(self, clinic_id: str) -> Schedule:
        """Return a clinic's calendars, time slot types, time slots and appointments."""
        calendars = self._many("calendars", Calendar, clinic_id=clinic_id)
        slots: list[TimeSlot] = []
        appointments: list[Appointment] = []
        for calendar in calendars:
            slots += self._many("time_slots", TimeSlot, lookup=calendar.id)
            appointments += self._many("appointments", Appointment, lookup=calendar.id)
        types = self._many("time_slot_types", TimeSlotType, clinic_id=clinic_id)
        return Schedule(calendars, types, slots, appointments)

    def save_appointment(self, appointment: Appointment, clinic_id: str) -> None:
        """Store an appointment."""
        self._put(
            "appointments",
            appointment.id,
            appointment,
            patient_id=appointment.patient_id,
            clinic_id=clinic_id,
            lookup=appointment.calendar_id,
            sort_key=sort_time(appointment.start),
        )

    # --- consent ---

    def terms(self) -> Terms:
        """Return the current terms (the latest published)."""
        return self._many("terms", Terms)[-1]

    def consent(self, patient_id: str) -> ConsentHistory:
        """Return a patient's consent history."""
        return ConsentHistory(
            patient_id, self._many("consent_events", ConsentEvent, patient_id=patient_id)
        )

    def add_consent_event(self, event: ConsentEvent, seq: int) -> None:
        """Append a consent event (``seq`` orders events of the same instant)."""
        self._put(
            "consent_events",
            event.id,
            event,
            patient_id=event.patient_id,
            sort_key=f"{sort_time(event.at)}#{seq:06d}",
        )

    # --- relations ---

    def relation(self, relation_id: str) -> Relation | None:
        """Return a relation, or None."""
        return self._one("relations", relation_id, Relation)

    def relations_of(self, principal_id: str) -> list[Relation]:
        """Return the relations where the patient is the principal."""
        return self._many("relations", Relation, patient_id=principal_id)

    def relations_by(self, representative_id: str) -> list[Relation]:
        """Return the relations where the person is the representative."""
        return self._many("relations", Relation, lookup=representative_id)

    def save_relation(self, relation: Relation) -> None:
        """Store a relation."""
        self._put(
            "relations",
            relation.id,
            relation,
            patient_id=relation.principal_id,
            clinic_id=relation.added_by_clinic_id,
            lookup=relation.representative_id,
            sort_key=sort_time(relation.valid_from),
        )

    def delete_relation(self, relation_id: str) -> None:
        """Delete a relation."""
        self.tx.delete("relations", relation_id)

    # --- consultations ---

    def consultation(self, consultation_id: str) -> Consultation | None:
        """Return a consultation, or None."""
        return self._one("consultations", consultation_id, Consultation)

    def consultations_of(self, patient_id: str) -> list[Consultation]:
        """Return a patient's consultations, by start."""
        return self._many("consultations", Consultation, patient_id=patient_id)

    def consultations_at(self, clinic_id: str) -> list[Consultation]:
        """Return a clinic's consultations, by start."""
        return self._many("consultations", Consultation, clinic_id=clinic_id)

    def save_consultation(self, consultation: Consultation) -> None:
        """Store a consultation."""
        self._put(
            "consultations",
            consultation.id,
            consultation,
            patient_id=consultation.patient_id,
            clinic_id=consultation.clinic_id,
            sort_key=sort_time(consultation.start),
        )

    # --- dialogs ---

    def dialog(self, dialog_id: str) -> Dialog | None:
        """Return a dialog, or None."""
        return self._one("dialogs", dialog_id, Dialog)

    def dialogs_of(self, patient_id: str) -> list[Dialog]:
        """Return a patient's dialogs."""
        return self._many("dialogs", Dialog, patient_id=patient_id)

    def save_dialog(self, dialog: Dialog) -> None:
        """Store a dialog."""
        self._put(
            "dialogs",
            dialog.id,
            dialog,
            patient_id=dialog.patient_id,
            clinic_id=dialog.clinic_id,
            sort_key=sort_time(dialog.updated_at),
        )

    # --- payments ---

    def invoices_of(self, patient_id: str) -> list[Invoice]:
        """Return a patient's invoices."""
        return self._many("invoices", Invoice, patient_id=patient_id)

    def payments_of(self, patient_id: str) -> list[Payment]:
        """Return a patient's payments."""
        return self._many("payments", Payment, patient_id=patient_id)

    def payment(self, payment_id: str) -> Payment | None:
        """Return a payment, or None."""
        return self._one("payments", payment_id, Payment)

    # --- care ---

    def renewals_of(self, patient_id: str) -> list[PrescriptionRenewalRequest]:
        """Return a patient's prescription renewal requests."""
        return self._many(
            "prescription_renewals", PrescriptionRenewalRequest, patient_id=patient_id
        )

    def save_renewal(self, renewal: PrescriptionRenewalRequest) -> None:
        """Store a prescription renewal request."""
        self._put(
            "prescription_renewals",
            renewal.id,
            renewal,
            patient_id=renewal.patient_id,
            clinic_id=renewal.clinic_id,
            sort_key=sort_time(renewal.requested_at),
        )

    def public_services(self) -> list[PublicServiceLink]:
        """Return the links to public services."""
        return self._many("public_services", PublicServiceLink)

    # --- demo ---

    def load_demo(self, demo: DemoData) -> None:
        """Store the whole demo world."""
        self._put(
            "terms", demo.terms.version, demo.terms, sort_key=sort_time(demo.terms.published_at)
        )
        for clinic in demo.clinics:
            self._put("clinics", clinic.id, clinic, clinic_id=clinic.id, sort_key=clinic.name)
        for practitioner in demo.practitioners:
            self._put(
                "practitioners", practitioner.id, practitioner, clinic_id=practitioner.clinic_id
            )
        for calendar in demo.calendars:
            self._put("calendars", calendar.id, calendar, clinic_id=calendar.clinic_id)
        for slot_type in demo.time_slot_types:
            self._put("time_slot_types", slot_type.id, slot_type, clinic_id=slot_type.clinic_id)
        clinic_of = {c.id: c.clinic_id for c in demo.calendars}
        for slot in demo.time_slots:
            self._put(
                "time_slots",
                slot.id,
                slot,
                clinic_id=clinic_of[slot.calendar_id],
                lookup=slot.calendar_id,
                sort_key=sort_time(slot.start),
            )
        for appointment in demo.appointments:
            self.save_appointment(appointment, clinic_of[appointment.calendar_id])
        for patient in demo.patients:
            self.save_patient(patient)
        for seq, event in enumerate(demo.consent_events):
            self.add_consent_event(event, seq)
        for relation in demo.relations:
            self.save_relation(relation)
        for dialog in demo.dialogs:
            self.save_dialog(dialog)
        for consultation in demo.consultations:
            self.save_consultation(consultation)
        for invoice in demo.invoices:
            self._put(
                "invoices",
                invoice.id,
                invoice,
                patient_id=invoice.patient_id,
                clinic_id=invoice.clinic_id,
                sort_key=sort_time(invoice.issued_at),
            )
        for payment in demo.payments:
            self._put(
                "payments",
                payment.id,
                payment,
                patient_id=payment.patient_id,
                clinic_id=payment.clinic_id,
                sort_key=sort_time(payment.paid_at),
            )
        for renewal in demo.renewals:
            self.save_renewal(renewal)
        for n, link in enumerate(demo.public_services):
            self._put("public_services", link.id, link, sort_key=f"{n:04d}")
