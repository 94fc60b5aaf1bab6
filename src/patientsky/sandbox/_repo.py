"""
Loading and storing models: wire JSON through :mod:`patientsky.wire`, plus lookup columns.

No rule lives here: the repository only reads and writes what the rules decided.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any, TypeVar

import attrs

from patientsky.errors import InvalidInput, PatientSkyError
from patientsky.models import (
    Appointment,
    Calendar,
    Clinic,
    ConsentEvent,
    ConsentHistory,
    Consultation,
    Dialog,
    Invoice,
    Message,
    NationalId,
    Patient,
    Payment,
    Practitioner,
    PrescriptionRenewalRequest,
    PublicServiceLink,
    Relation,
    Terms,
    TimeSlot,
    TimeSlotType,
)
from patientsky.models.calendar import Schedule
from patientsky.sandbox.storage import Transaction
from patientsky.wire import WireConverter

T = TypeVar("T")


def sort_time(value: dt.datetime) -> str:
    """A sort key for an instant: UTC, fixed width."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


@attrs.frozen
class DialogHead:
    """
    A dialog as a write or a listing needs it: its header and its last message only.

    Loading it reads two rows however long the dialog is. ``dialog`` is a
    :class:`~patientsky.models.Dialog` whose ``messages`` hold only the last message:
    everything :func:`patientsky.rules.dialogs.reply`,
    :func:`~patientsky.rules.dialogs.read_dialog`,
    :func:`~patientsky.rules.dialogs.folder_of` and the inbox and archive read
    (status, closure, whether an answer is needed, when it was read, and the time and
    author of the last message). The one check of a whole dialog those rules make on
    the messages before the last, that message ids are unique, is made by the
    database (a unique index on dialog and message id).

    Args:
        dialog: The dialog, with its last message only.
        message_count: How many messages it really has.
    """

    dialog: Dialog
    message_count: int


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

    def put_record(self, table: str, record_id: str, value: Any, **columns: Any) -> None:
        """Store a model in ``table`` (``columns``: its lookup columns)."""
        self.tx.put(table, record_id, self.conv.unstructure(value), **columns)

    # --- people ---

    def _secret(self, name: str) -> bytes:
        # Made at random when the database was created (see storage.SECRETS).
        key = self.tx.get_meta(name)
        if key is None:
            raise PatientSkyError(f"the database has no {name}: it was not made by Storage")
        return bytes.fromhex(key)

    def national_id_lookup(self, national_id: NationalId) -> str:
        """The keyed hash a patient is found by; the digits are never a lookup column."""
        key = self._secret("national_id_key")
        return hmac.new(key, national_id.reveal().encode(), hashlib.sha256).hexdigest()

    def video_room(self, consultation_id: str) -> str:
        """The video room of a consultation: a keyed hash, so room names cannot be guessed."""
        key = self._secret("video_link_key")
        return hmac.new(key, consultation_id.encode(), hashlib.sha256).hexdigest()[:24]

    def patient(self, patient_id: str) -> Patient | None:
        """Return a patient, or None."""
        return self._one("patients", patient_id, Patient)

    def practitioner(self, practitioner_id: str) -> Practitioner | None:
        """Return a practitioner, or None."""
        return self._one("practitioners", practitioner_id, Practitioner)

    def patient_by_national_id(self, national_id: NationalId) -> Patient | None:
        """Return the patient with this national identity number, or None."""
        found = self._many("patients", Patient, lookup=self.national_id_lookup(national_id))
        return found[0] if found else None

    def save_patient(self, patient: Patient) -> None:
        """Store a patient."""
        self.put_record(
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
        self.put_record(
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
        self.put_record(
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
        self.put_record(
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
        self.put_record(
            "consultations",
            consultation.id,
            consultation,
            patient_id=consultation.patient_id,
            clinic_id=consultation.clinic_id,
            sort_key=sort_time(consultation.start),
        )

    # --- dialogs ---

    def _dialog_rows(self, dialog: Dialog) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        data: dict[str, Any] = self.conv.unstructure(dialog)
        messages: list[dict[str, Any]] = data.pop("messages")
        return data, messages

    def _head(self, found: tuple[dict[str, Any], int]) -> DialogHead:
        data, count = found
        return DialogHead(self.conv.structure(data, Dialog), count)

    def dialog(self, dialog_id: str) -> Dialog | None:
        """Return a whole dialog, every message decoded, or None."""
        data = self.tx.get_dialog(dialog_id)
        return None if data is None else self.conv.structure(data, Dialog)

    def dialog_head(self, dialog_id: str) -> DialogHead | None:
        """Return a dialog's header and last message (see :class:`DialogHead`), or None."""
        found = self.tx.get_dialog_head(dialog_id)
        return None if found is None else self._head(found)

    def dialog_heads_of(self, patient_id: str) -> list[DialogHead]:
        """Return a patient's dialogs, each as its header and last message."""
        return [self._head(found) for found in self.tx.select_dialog_heads(patient_id=patient_id)]

    def dialog_messages_json(self, dialog_id: str) -> bytes:
        """Return a dialog's messages as their wire JSON array (UTF-8), oldest first, as stored."""
        return self.tx.dialog_messages(dialog_id)

    def save_dialog(self, dialog: Dialog) -> None:
        """Store a whole dialog: its header and every message."""
        header, messages = self._dialog_rows(dialog)
        self.tx.put_dialog(
            dialog.id,
            header,
            messages,
            patient_id=dialog.patient_id,
            clinic_id=dialog.clinic_id,
            sort_key=sort_time(dialog.updated_at),
        )

    def save_dialog_header(self, dialog: Dialog) -> None:
        """
        Store what a dialog's header says (status, closure, read state), not its messages.

        ``dialog`` may be a :class:`DialogHead`'s: only its last message is looked at.
        """
        header, _ = self._dialog_rows(attrs.evolve(dialog, messages=dialog.messages[-1:]))
        if not self.tx.update_dialog(dialog.id, header, sort_key=sort_time(dialog.updated_at)):
            raise InvalidInput("dialog.id", "is not a dialog of the sandbox")

    def append_message(self, dialog: Dialog, message: Message) -> int:
        """
        Store a new message of a dialog and its new header, without touching the others.

        Args:
            dialog: The dialog as the rules returned it with ``message`` added (a
                :class:`DialogHead`'s dialog is enough: only the last message is read).
            message: The new message, the last of ``dialog``.

        Returns:
            How many messages the dialog has now.

        Raises:
            InvalidInput: If ``message`` is not ``dialog``'s last message.
        """
        if dialog.messages[-1] != message:
            raise InvalidInput("message", "must be the dialog's last message")
        header, messages = self._dialog_rows(attrs.evolve(dialog, messages=(message,)))
        return self.tx.append_message(
            dialog.id, header, messages[0], sort_key=sort_time(dialog.updated_at)
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
        self.put_record(
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
