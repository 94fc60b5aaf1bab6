"""
The demo world's calendars (PatientSky's exports, moved to the coming weeks) and bookings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from patientsky.models import (
    Appointment,
    Calendar,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    TimeSlot,
    TimeSlotType,
)
from patientsky.models.calendar import OSLO
from patientsky.sandbox._demo_common import (
    _CALENDAR_FILES,
    _FIXTURE_MONDAY,
    SENTRUM,
    _oslo,
)
from patientsky.wire.legacy import load_calendar_export


def _week_shift(now: dt.datetime) -> dt.timedelta:
    """Whole weeks that move the fixtures' Monday to the Monday of the coming week."""
    today = now.astimezone(OSLO).date()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = (monday - _FIXTURE_MONDAY).days // 7 + 1
    return dt.timedelta(weeks=weeks)


def _shift_wall(value: dt.datetime, shift: dt.timedelta) -> dt.datetime:
    """Move a time by whole weeks on the Oslo wall clock (so 08:00 stays 08:00 across DST)."""
    local = value.astimezone(OSLO).replace(tzinfo=None) + shift
    return local.replace(tzinfo=OSLO)


def _calendars(
    now: dt.datetime, folder: Path
) -> tuple[
    tuple[Calendar, ...], tuple[TimeSlotType, ...], tuple[TimeSlot, ...], tuple[Appointment, ...]
]:
    """Read the fixture calendars, give them to the demo practitioners and move them to now."""
    shift = _week_shift(now)
    calendars: list[Calendar] = []
    types: dict[str, TimeSlotType] = {}
    slots: list[TimeSlot] = []
    appointments: list[Appointment] = []
    for file_name, practitioner_id, name, _role in _CALENDAR_FILES:
        imported = load_calendar_export(folder / file_name, clinic_id=SENTRUM)
        calendars.extend(
            attrs.evolve(c, name=name.full, practitioner_id=practitioner_id)
            for c in imported.calendars
        )
        for slot_type in imported.time_slot_types:
            types.setdefault(slot_type.id, attrs.evolve(slot_type, clinic_id=SENTRUM))
        slots.extend(
            attrs.evolve(s, start=_shift_wall(s.start, shift), end=_shift_wall(s.end, shift))
            for s in imported.time_slots
        )
        appointments.extend(
            attrs.evolve(a, start=_shift_wall(a.start, shift), end=_shift_wall(a.end, shift))
            for a in imported.appointments
        )
    return tuple(calendars), tuple(types.values()), tuple(slots), tuple(appointments)


def _consultations(
    now: dt.datetime, calendars: tuple[Calendar, ...]
) -> tuple[tuple[Consultation, ...], tuple[Appointment, ...]]:
    """Kari's and Olav's consultations, past and upcoming, and the time they hold."""
    emma = next(c.id for c in calendars if c.practitioner_id == "pr-emma")
    # Upcoming ones go three weeks out, after the shifted fixture week, so they take no
    # fixture slot; their appointments still hold the time.
    later = (now.astimezone(OSLO) + dt.timedelta(days=21)).date()
    booked_at = now - dt.timedelta(days=3)
    rows = (
        (
            "con-kari-past",
            "p-kari",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.COMPLETED,
            _oslo((now - dt.timedelta(days=30)).astimezone(OSLO).date(), 9),
            30,
        ),
        (
            "con-kari-cancelled",
            "p-kari",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.CANCELLED,
            _oslo((now - dt.timedelta(days=10)).astimezone(OSLO).date(), 11),
            15,
        ),
        (
            "con-kari-upcoming",
            "p-kari",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.BOOKED,
            _oslo(later, 10),
            30,
        ),
        (
            "con-kari-video",
            "p-kari",
            ConsultationKind.VIDEO,
            ConsultationStatus.BOOKED,
            _oslo(later, 13),
            15,
        ),
        (
            "con-olav-upcoming",
            "p-olav",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.BOOKED,
            _oslo(later + dt.timedelta(days=1), 9),
            30,
        ),
        (
            "con-olav-video",
            "p-olav",
            ConsultationKind.VIDEO,
            ConsultationStatus.BOOKED,
            _oslo(later + dt.timedelta(days=1), 11),
            15,
        ),
    )
    consultations = []
    appointments = []
    for cid, patient, kind, status, start, minutes in rows:
        end = start + dt.timedelta(minutes=minutes)
        cancelled = status is ConsultationStatus.CANCELLED
        made = min(booked_at, start - dt.timedelta(days=2))
        consultations.append(
            Consultation(
                id=cid,
                patient_id=patient,
                clinic_id=SENTRUM,
                practitioner_id="pr-emma",
                calendar_ids=(emma,),
                kind=kind,
                status=status,
                start=start,
                end=end,
                booked_by=patient,
                booked_at=made,
                cancelled_at=start - dt.timedelta(days=2) if cancelled else None,
            )
        )
        if status is ConsultationStatus.BOOKED:
            appointments.append(
                Appointment(f"apt-{cid}", emma, start, end, patient_id=patient, consultation_id=cid)
            )
    return tuple(consultations), tuple(appointments)
