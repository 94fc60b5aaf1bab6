"""
The sandbox's demo world: clinics, practitioners with real calendars, and synthetic patients.

Every national identity number here is a *synthetic* test number (month + 80, as the
population register's test environment issues them), made for the day the demo is
built; none is a real person's. The practitioners' calendars are PatientSky's own
calendar exports (April 2019), moved forward by whole weeks so that the weekday and the
time of day stay the same and there is free time in the coming week.

>>> import datetime as dt
>>> demo = build_demo(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))
>>> sorted(login.patient_id for login in demo.logins)[:3]
['p-emil', 'p-ingrid', 'p-jonas']
>>> all(p.national_id.is_synthetic for p in demo.patients)
True
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from patientsky.models import (
    Appointment,
    Calendar,
    Clinic,
    ConsentEvent,
    Consultation,
    ConsultationStatus,
    Dialog,
    Invoice,
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
from patientsky.sandbox._demo_calendar import calendars_of
from patientsky.sandbox._demo_common import CALENDAR_DIR, DemoLogin, synthetic_national_id
from patientsky.sandbox._demo_world import DemoWorldError, read_world, structure
from patientsky.sandbox._repo import Repo
from patientsky.sandbox._repo_dialogs import sort_time
from patientsky.wire import make_converter

__all__ = [
    "CALENDAR_DIR",
    "DemoData",
    "DemoLogin",
    "DemoWorldError",
    "build_demo",
    "load_demo",
    "synthetic_national_id",
]


@attrs.frozen
class DemoData:
    """
    Everything the sandbox starts with.

    Args:
        now: The time the demo was built for.
        terms: The current terms.
        clinics: The clinics.
        practitioners: Their practitioners.
        calendars: The practitioners' calendars.
        time_slot_types: The calendars' time slot types.
        time_slots: The bookable time.
        appointments: Busy time.
        patients: The demo patients.
        consent_events: Their consent histories, oldest first.
        relations: Who may act for whom.
        dialogs: Conversations with the clinics.
        consultations: Booked consultations.
        invoices: Invoices, paid and outstanding.
        payments: Payments.
        renewals: Prescription renewal requests.
        public_services: Links to HelseNorge.
        logins: Who to log in as.
    """

    now: dt.datetime
    terms: Terms
    clinics: tuple[Clinic, ...]
    practitioners: tuple[Practitioner, ...]
    calendars: tuple[Calendar, ...]
    time_slot_types: tuple[TimeSlotType, ...]
    time_slots: tuple[TimeSlot, ...]
    appointments: tuple[Appointment, ...]
    patients: tuple[Patient, ...]
    consent_events: tuple[ConsentEvent, ...]
    relations: tuple[Relation, ...]
    dialogs: tuple[Dialog, ...]
    consultations: tuple[Consultation, ...]
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    renewals: tuple[PrescriptionRenewalRequest, ...]
    public_services: tuple[PublicServiceLink, ...]
    logins: tuple[DemoLogin, ...]


def build_demo(
    now: dt.datetime, calendar_dir: Path = CALENDAR_DIR, world: str | None = None
) -> DemoData:
    """
    Build the demo world for the time ``now``, from its data file.

    The records are in ``patientsky/sandbox/demo_world.json``, in the wire format with
    times relative to now (see ``patientsky.sandbox._demo_world``); every one is
    read through the wire converter, so the models validate it. The practitioners'
    calendars come from PatientSky's calendar exports the file names.

    Args:
        now: The sandbox's time (timezone-aware); birthdays, payments and calendars are
            placed relative to it.
        calendar_dir: Where the PatientSky calendar exports are.
        world: The data file's text, instead of the shipped file's.

    Returns:
        The demo data.

    Raises:
        patientsky.sandbox.demo_data.DemoWorldError: If the data file is not valid,
            naming the record and the field.
    """
    data = read_world(now, world)
    conv = make_converter(synthetic_national_ids_only=True)
    people = data.get("people")
    if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
        raise DemoWorldError("demo_world.json: people: must be a list of {role, patient}")
    patients = structure(conv, {"people": [p.get("patient") for p in people]}, "people", Patient)
    logins = tuple(
        DemoLogin(p.id, p.name.full, p.national_id, str(person.get("role", "")))
        for p, person in zip(patients, people, strict=True)
    )
    practitioners = structure(conv, data, "practitioners", Practitioner)
    files = tuple(str(p.get("calendarFile", "")) for p in data["practitioners"])
    calendars, types, slots, appointments = calendars_of(
        now, calendar_dir, tuple(zip(files, practitioners, strict=True))
    )
    consultations = structure(conv, data, "consultations", Consultation)
    # A booked consultation holds its time in the calendar.
    booked = tuple(
        Appointment(
            f"apt-{c.id}",
            c.calendar_ids[0],
            c.start,
            c.end,
            patient_id=c.patient_id,
            consultation_id=c.id,
        )
        for c in consultations
        if c.status is ConsultationStatus.BOOKED
    )
    (terms,) = structure(conv, data, "terms", Terms)
    return DemoData(
        now=now,
        terms=terms,
        clinics=structure(conv, data, "clinics", Clinic),
        practitioners=practitioners,
        calendars=calendars,
        time_slot_types=types,
        time_slots=slots,
        appointments=(*appointments, *booked),
        patients=patients,
        consent_events=structure(conv, data, "consentEvents", ConsentEvent),
        relations=structure(conv, data, "relations", Relation),
        dialogs=structure(conv, data, "dialogs", Dialog),
        consultations=consultations,
        invoices=structure(conv, data, "invoices", Invoice),
        payments=structure(conv, data, "payments", Payment),
        renewals=structure(conv, data, "renewals", PrescriptionRenewalRequest),
        public_services=structure(conv, data, "publicServices", PublicServiceLink),
        logins=logins,
    )


def load_demo(repo: Repo, demo: DemoData) -> None:
    """Store the whole demo world through ``repo`` (each record as the wire converter writes it)."""
    repo.put_record(
        "terms", demo.terms.version, demo.terms, sort_key=sort_time(demo.terms.published_at)
    )
    for clinic in demo.clinics:
        repo.put_record("clinics", clinic.id, clinic, clinic_id=clinic.id, sort_key=clinic.name)
    for practitioner in demo.practitioners:
        repo.put_record(
            "practitioners", practitioner.id, practitioner, clinic_id=practitioner.clinic_id
        )
    for calendar in demo.calendars:
        repo.put_record("calendars", calendar.id, calendar, clinic_id=calendar.clinic_id)
    for slot_type in demo.time_slot_types:
        repo.put_record("time_slot_types", slot_type.id, slot_type, clinic_id=slot_type.clinic_id)
    clinic_of = {c.id: c.clinic_id for c in demo.calendars}
    for slot in demo.time_slots:
        repo.put_record(
            "time_slots",
            slot.id,
            slot,
            clinic_id=clinic_of[slot.calendar_id],
            lookup=slot.calendar_id,
            sort_key=sort_time(slot.start),
        )
    for appointment in demo.appointments:
        repo.save_appointment(appointment, clinic_of[appointment.calendar_id])
    for patient in demo.patients:
        repo.save_patient(patient)
    for seq, event in enumerate(demo.consent_events):
        repo.add_consent_event(event, seq)
    for relation in demo.relations:
        repo.save_relation(relation)
    for dialog in demo.dialogs:
        repo.save_dialog(dialog)
    for consultation in demo.consultations:
        repo.save_consultation(consultation)
    for invoice in demo.invoices:
        repo.put_record(
            "invoices",
            invoice.id,
            invoice,
            patient_id=invoice.patient_id,
            clinic_id=invoice.clinic_id,
            sort_key=sort_time(invoice.issued_at),
        )
    for payment in demo.payments:
        repo.put_record(
            "payments",
            payment.id,
            payment,
            patient_id=payment.patient_id,
            clinic_id=payment.clinic_id,
            sort_key=sort_time(payment.paid_at),
        )
    for renewal in demo.renewals:
        repo.save_renewal(renewal)
    for n, link in enumerate(demo.public_services):
        repo.put_record("public_services", link.id, link, sort_key=f"{n:04d}")
