"""
The demo world's calendars: PatientSky's exports, moved to the coming weeks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from patientsky.models import Appointment, Calendar, Practitioner, TimeSlot, TimeSlotType
from patientsky.models.calendar import OSLO
from patientsky.sandbox._demo_common import FIXTURE_MONDAY
from patientsky.wire.legacy import load_calendar_export


def _week_shift(now: dt.datetime) -> dt.timedelta:
    """Whole weeks that move the fixtures' Monday to the Monday of the coming week."""
    today = now.astimezone(OSLO).date()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = (monday - FIXTURE_MONDAY).days // 7 + 1
    return dt.timedelta(weeks=weeks)


def _shift_wall(value: dt.datetime, shift: dt.timedelta) -> dt.datetime:
    """Move a time by whole weeks on the Oslo wall clock (so 08:00 stays 08:00 across DST)."""
    local = value.astimezone(OSLO).replace(tzinfo=None) + shift
    return local.replace(tzinfo=OSLO)


def calendars_of(
    now: dt.datetime, folder: Path, files: tuple[tuple[str, Practitioner], ...]
) -> tuple[
    tuple[Calendar, ...], tuple[TimeSlotType, ...], tuple[TimeSlot, ...], tuple[Appointment, ...]
]:
    """Read each ``(file, practitioner)``'s calendar export, moved to the coming week."""
    shift = _week_shift(now)
    calendars: list[Calendar] = []
    types: dict[str, TimeSlotType] = {}
    slots: list[TimeSlot] = []
    appointments: list[Appointment] = []
    for file_name, practitioner in files:
        clinic = practitioner.clinic_id
        imported = load_calendar_export(folder / file_name, clinic_id=clinic)
        calendars.extend(
            attrs.evolve(c, name=practitioner.name.full, practitioner_id=practitioner.id)
            for c in imported.calendars
        )
        for slot_type in imported.time_slot_types:
            types.setdefault(slot_type.id, attrs.evolve(slot_type, clinic_id=clinic))
        slots.extend(
            attrs.evolve(s, start=_shift_wall(s.start, shift), end=_shift_wall(s.end, shift))
            for s in imported.time_slots
        )
        appointments.extend(
            attrs.evolve(a, start=_shift_wall(a.start, shift), end=_shift_wall(a.end, shift))
            for a in imported.appointments
        )
    return tuple(calendars), tuple(types.values()), tuple(slots), tuple(appointments)
