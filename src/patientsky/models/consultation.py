"""
Consultations: the patient's booked appointments, in person or by video (K1–K3).

The clinic's calendars, time slots and appointments that booking works from are in
:mod:`patientsky.models.calendar`.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    aware,
    instant_key,
    items,
    nfc,
    nfc_lines_or_none,
    nfc_or_none,
    of_type,
    one_of,
    optional,
    str_tuple,
    text,
)
from patientsky.models._consultation_kind import ConsultationKind
from patientsky.models.calendar import Interval
from patientsky.models.people import PersonName

__all__ = [
    "Consultation",
    "ConsultationKind",
    "ConsultationStatus",
]


class ConsultationStatus(enum.Enum):
    """Where a consultation is in its life."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"

    @property
    def is_active(self) -> bool:
        """Whether the consultation still holds its time (it was not cancelled)."""
        return self in (ConsultationStatus.BOOKED, ConsultationStatus.COMPLETED)


@attrs.frozen
class Consultation:
    """
    A consultation booked for a patient (K1).

    Args:
        id: The consultation's id.
        patient_id: Who it is for.
        clinic_id: Where.
        practitioner_id: With whom.
        calendar_ids: The calendars it occupies (the practitioner's, a room's, ...), sorted.
        kind: In person or video.
        status: Booked, cancelled, completed, ...
        start: When it starts.
        end: When it ends.
        booked_by: Who booked it: the patient or a representative.
        booked_at: When it was booked.
        time_slot_type_id: The type of time it was booked in, if any.
        cancelled_at: When it was cancelled, if it was.
        patient_comment: What the patient wrote when booking; health data, never logged.
        practitioner_name: The practitioner's name, as the API shows it next to the id
            (a view, not part of the consultation's value: ignored by ``==``).
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    practitioner_id: str = attrs.field(converter=nfc, validator=text(200))
    calendar_ids: tuple[str, ...] = attrs.field(converter=str_tuple, validator=items(text(200)))
    kind: ConsultationKind | Unrecognized = attrs.field(
        validator=one_of(ConsultationKind, unrecognized=True)
    )
    status: ConsultationStatus | Unrecognized = attrs.field(
        validator=one_of(ConsultationStatus, unrecognized=True)
    )
    start: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    end: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    booked_by: str = attrs.field(converter=nfc, validator=text(200))
    booked_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    time_slot_type_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    cancelled_at: dt.datetime | None = attrs.field(default=None, validator=aware, eq=instant_key)
    patient_comment: str | None = attrs.field(
        default=None,
        converter=nfc_lines_or_none,
        validator=optional(text(2000, empty=True, multiline=True)),
        repr=False,
    )
    practitioner_name: PersonName | None = attrs.field(
        default=None, validator=optional(of_type(PersonName)), eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.start.astimezone(dt.UTC) >= self.end.astimezone(dt.UTC):
            raise InvalidInput("end", "must be after start")
        if not self.calendar_ids:
            raise InvalidInput("calendar_ids", "a consultation occupies at least one calendar")
        cancelled = self.status in (ConsultationStatus.CANCELLED, ConsultationStatus.LATE_CANCELLED)
        if cancelled and self.cancelled_at is None:
            raise InvalidInput("cancelled_at", "is required when the consultation is cancelled")

    @property
    def interval(self) -> Interval:
        """The time it takes."""
        return Interval(self.start, self.end)

    @property
    def duration(self) -> dt.timedelta:
        """How long it lasts, in real (elapsed) time."""
        return self.interval.duration

    @property
    def holds_time(self) -> bool:
        """
        Whether it still takes its time, not being cancelled.

        A consultation whose status is unrecognized holds its time, so that nothing is
        booked over it.
        """
        return self.status not in (ConsultationStatus.CANCELLED, ConsultationStatus.LATE_CANCELLED)
