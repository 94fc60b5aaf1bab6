"""
Clinic calendars: bookable time slots of typed lengths, and appointments (K2).

These mirror PatientSky's own calendar export (``timeslots``, ``timeslottypes``,
``appointments``); :mod:`patientsky.wire` reads that format. Times are timezone-aware;
the export's wall-clock times are in Europe/Oslo.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from patientsky.models._base import aware, of_type, one_of, optional, ordered, positive, text

__all__ = [
    "Appointment",
    "Calendar",
    "CalendarKind",
    "TimeSlot",
    "TimeSlotType",
]


class CalendarKind(enum.Enum):
    """What a calendar schedules: a practitioner, a room, or equipment."""

    PRACTITIONER = "practitioner"
    ROOM = "room"
    EQUIPMENT = "equipment"


@attrs.frozen
class Calendar:
    """
    A calendar of a clinic.

    Args:
        id: The calendar's id.
        clinic_id: The clinic it belongs to.
        name: A display name.
        kind: Whose time it schedules.
        practitioner_id: The practitioner, for a practitioner's calendar.
    """

    id: str = attrs.field(validator=text(200))
    clinic_id: str = attrs.field(validator=text(200))
    name: str = attrs.field(validator=text(200))
    kind: CalendarKind = attrs.field(
        default=CalendarKind.PRACTITIONER, validator=one_of(CalendarKind)
    )
    practitioner_id: str | None = attrs.field(default=None, validator=optional(text(200)))


@attrs.frozen
class TimeSlotType:
    """
    A type of bookable time, such as "Vanlig" (15 minutes) or "Lang vanlig" (30 minutes).

    Args:
        id: The type's id.
        clinic_id: The clinic that defined it.
        name: Its name.
        slot_minutes: The length of one booking of this type, in minutes.
        public_bookable: Whether patients may book this type themselves.
    """

    id: str = attrs.field(validator=text(200))
    clinic_id: str = attrs.field(validator=text(200))
    name: str = attrs.field(validator=text(200))
    slot_minutes: int = attrs.field(validator=positive)
    public_bookable: bool = attrs.field(default=True, validator=of_type(bool))

    @property
    def slot_length(self) -> dt.timedelta:
        """The length of one booking of this type."""
        return dt.timedelta(minutes=self.slot_minutes)


@attrs.frozen
class TimeSlot:
    """
    A window of bookable time in one calendar.

    Args:
        id: The slot's id.
        calendar_id: The calendar it belongs to.
        type_id: Its time slot type.
        start: When it starts.
        end: When it ends.
        public_bookable: Whether patients may book it themselves (the type must allow it too).
    """

    id: str = attrs.field(validator=text(200))
    calendar_id: str = attrs.field(validator=text(200))
    type_id: str = attrs.field(validator=text(200))
    start: dt.datetime = attrs.field(validator=aware)
    end: dt.datetime = attrs.field(validator=aware)
    public_bookable: bool = attrs.field(default=True, validator=of_type(bool))

    def __attrs_post_init__(self) -> None:
        ordered("start", "end")(self)


@attrs.frozen
class Appointment:
    """
    Busy time in one calendar.

    Args:
        id: The appointment's id.
        calendar_id: The calendar it occupies.
        start: When it starts.
        end: When it ends.
        patient_id: The patient, if it is a patient's appointment.
        type_id: The time slot type it was booked as, if any.
    """

    id: str = attrs.field(validator=text(200))
    calendar_id: str = attrs.field(validator=text(200))
    start: dt.datetime = attrs.field(validator=aware)
    end: dt.datetime = attrs.field(validator=aware)
    patient_id: str | None = attrs.field(default=None, validator=optional(text(200)))
    type_id: str | None = attrs.field(default=None, validator=optional(text(200)))

    def __attrs_post_init__(self) -> None:
        ordered("start", "end")(self)
