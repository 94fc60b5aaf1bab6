"""
Loading and storing models: wire JSON through :mod:`patientsky.wire`, plus lookup columns.

No rule lives here: the repository only reads and writes what the rules decided.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from patientsky.errors import PatientSkyError
from patientsky.models import (
    Clinic,
    ConsentEvent,
    ConsentHistory,
    Consultation,
    Invoice,
    NationalId,
    Patient,
    Payment,
    Practitioner,
    PrescriptionRenewalRequest,
    PublicServiceLink,
    Relation,
    Terms,
)
from patientsky.rules.care import connect_patient
from patientsky.sandbox._memo import Decoded
from patientsky.sandbox._repo_dialogs import DialogRecords, sort_time
from patientsky.sandbox._repo_schedules import ScheduleRecords
from patientsky.sandbox._schedule_versions import RELEASED
from patientsky.sandbox.storage import Transaction
from patientsky.wire import WireConverter

T = TypeVar("T")


class Repo(DialogRecords, ScheduleRecords):
    """
    The sandbox's records, as models, inside one transaction.

    Args:
        tx: The transaction.
        converter: The wire converter.
        memo: Records already decoded with ``converter``, kept by their text (see
            :mod:`patientsky.sandbox._memo`); every record is decoded afresh if None.
    """

    def __init__(
        self, tx: Transaction, converter: WireConverter, memo: Decoded | None = None
    ) -> None:
        self.tx = tx
        self.conv = converter
        self.memo = memo if memo is not None and memo.conv is converter else None
        # What the access check reads, kept until anything is written in the transaction.
        self._read: dict[tuple[str, str], tuple[int, Any]] = {}
        self._seen = {}  # the schedules read in the transaction (see ScheduleRecords)

    # --- generic ---

    def _unchanged(self, what: str, key: str, read: Callable[[], T]) -> T:
        changes = self.tx.changes
        found = self._read.get((what, key))
        if found is not None and found[0] == changes:
            return found[1]  # type: ignore[no-any-return]
        # Nothing but access-log entries written since an earlier transaction read it:
        # the same value (see Transaction.kept).
        value = self.tx.kept((what, key), read)
        self._read[(what, key)] = (changes, value)
        return value

    def _decode(self, text: str, cls: type[T]) -> T:
        if self.memo is not None:
            return self.memo.record(text, cls)
        return self.conv.structure(json.loads(text), cls)

    def _one(self, table: str, record_id: str, cls: type[T]) -> T | None:
        text = self.tx.get_text(table, record_id)
        return None if text is None else self._decode(text, cls)

    def _many(self, table: str, cls: type[T], **where: str | None) -> list[T]:
        return [self._decode(text, cls) for text in self.tx.select_text(table, **where)]

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

    def video_url(self, consultation_id: str) -> str:
        """The address to join a video consultation (in its :meth:`video_room`)."""
        return f"https://video.sandbox.patientsky.invalid/room/{self.video_room(consultation_id)}"

    def patient(self, patient_id: str) -> Patient | None:
        """Return a patient, connected to every clinic of their stored connections, or None."""

        def read() -> Patient | None:
            found = self._one("patients", patient_id, Patient)
            return None if found is None else self._connected(found)

        return self.tx.kept(("patient", patient_id), read)

    def practitioner(self, practitioner_id: str) -> Practitioner | None:
        """Return a practitioner, or None."""
        key = ("practitioner", practitioner_id)
        return self.tx.kept(key, lambda: self._one("practitioners", practitioner_id, Practitioner))

    def patient_by_national_id(self, national_id: NationalId) -> Patient | None:
        """Return the patient with this national identity number, or None."""
        found = self._many("patients", Patient, lookup=self.national_id_lookup(national_id))
        return self._connected(found[0]) if found else None

    def _connected(self, patient: Patient) -> Patient:
        rows = self.tx.select("connections", patient_id=patient.id)
        more = [r["clinicId"] for r in rows if r["clinicId"] not in patient.clinic_ids]
        return attrs.evolve(patient, clinic_ids=(*patient.clinic_ids, *more)) if more else patient

    def connect(self, patient: Patient, clinic: Clinic, at: dt.datetime) -> Patient:
        """Store that ``patient`` is connected to ``clinic`` (by the rule), from ``at``."""
        connected = connect_patient(clinic, patient)
        if connected is not patient:
            data = {"patientId": patient.id, "clinicId": clinic.id, "connectedAt": at.isoformat()}
            self.tx.put(
                "connections",
                f"{patient.id}|{clinic.id}",
                data,
                patient_id=patient.id,
                clinic_id=clinic.id,
                sort_key=sort_time(at),
            )
        return connected

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

    # --- consent ---

    def terms(self) -> Terms:
        """Return the current terms (the latest published)."""
        return self._unchanged("terms", "", lambda: self._many("terms", Terms)[-1])

    def consent(self, patient_id: str) -> ConsentHistory:
        """Return a patient's consent history."""
        return self._unchanged(
            "consent",
            patient_id,
            lambda: ConsentHistory(
                patient_id, self._many("consent_events", ConsentEvent, patient_id=patient_id)
            ),
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
        found = self._unchanged(
            "relations_of",
            principal_id,
            lambda: tuple(self._many("relations", Relation, patient_id=principal_id)),
        )
        return list(found)

    def relations_by(self, representative_id: str) -> list[Relation]:
        """Return the relations where the person is the representative."""
        found = self._unchanged(
            "relations_by",
            representative_id,
            lambda: tuple(self._many("relations", Relation, lookup=representative_id)),
        )
        return list(found)

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

    def booking_consultations(
        self, patient_id: str, clinic_id: str, new_id: str
    ) -> list[Consultation]:
        """
        The consultations a booking of ``new_id`` is checked against, as the rule sees them.

        Of :meth:`consultations_of` the patient and :meth:`consultations_at` the clinic,
        all but those stored as holding no time (cancelled), and the one with ``new_id``:
        the others change no decision of :func:`patientsky.rules.booking.book`.
        """
        texts = self.tx.booking_consultation_texts(patient_id, clinic_id, new_id)
        return [self._decode(text, Consultation) for text in texts]

    def save_consultation(self, consultation: Consultation) -> None:
        """Store a consultation."""
        self.put_record(
            "consultations",
            consultation.id,
            consultation,
            patient_id=consultation.patient_id,
            clinic_id=consultation.clinic_id,
            # Marks a consultation that holds no time, which a booking need not read.
            lookup=None if consultation.holds_time else RELEASED,
            sort_key=sort_time(consultation.start),
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

    # --- the access log ---

    def access_entries(
        self, patient_id: str, *, before: int | None, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """Return a patient's entries as wire JSON, newest first, with their numbers."""
        return self.tx.access_entries(patient_id, before=before, limit=limit)
