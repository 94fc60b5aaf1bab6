"""
The schedule half of :class:`~patientsky.sandbox._repo.Repo`: a clinic's calendars as one value.

A clinic's :class:`~patientsky.models.calendar.Schedule` (its calendars, time slot
types, time slots and appointments) and what is derived from it are kept in the memo
by the clinic's schedule versions (:mod:`patientsky.sandbox._schedule_versions`), which
the database changes with every change to those rows, in the same transaction. Reading
a kept schedule costs one primary-key lookup, however many rows it has; it is never
stale, because other rows have another version.

When only appointments changed since a kept schedule of the same ``base`` version (a
booking, a cancellation, maybe in another process), the schedule is made from that one
with the appointments read afresh (:meth:`Schedule._with_appointments_only`). An
appointment this repository stores itself is put into the schedule read in the same
transaction (:meth:`Schedule._with_appointments_replaced`), kept under the version the
write gave the clinic: the next request finds it ready.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from patientsky.models import Appointment, Calendar, TimeSlot, TimeSlotType
from patientsky.models.calendar import Schedule
from patientsky.sandbox._memo import Decoded
from patientsky.sandbox._repo_dialogs import sort_time
from patientsky.sandbox._schedule_versions import ScheduleVersion
from patientsky.sandbox.storage import Transaction
from patientsky.wire import WireConverter

__all__ = ["ScheduleRecords"]

T = TypeVar("T")
_BASE = "schedule-base"  # the memo key of a schedule by its base version, appointments aside


def _row_text(data: Any) -> str:
    # As storage writes a record (see storage._json): the text a fresh read decodes.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class ScheduleRecords:
    """Schedules as models: the methods :class:`~patientsky.sandbox._repo.Repo` inherits."""

    tx: Transaction
    conv: WireConverter
    memo: Decoded | None
    _decode: Callable[[str, type[Any]], Any]
    _seen: dict[str, tuple[ScheduleVersion, Schedule]]
    """The schedules read in this transaction, each with the version it was read at."""

    def schedule(self, clinic_id: str) -> Schedule:
        """
        Return a clinic's calendars, time slot types, time slots and appointments.

        With a memo, the same rows give the same :class:`Schedule` object, so the
        free-time index it builds on first use is built once, not on every request.
        """
        return self.schedule_and_version(clinic_id)[0]

    def from_schedule(
        self, question: Hashable, version: Hashable | None, make: Callable[[], T]
    ) -> T:
        """``make()``, kept by the memo for a schedule's ``version`` and ``question``."""
        if self.memo is None or version is None:
            return make()
        return self.memo.answer((question, version), make)

    def _schedule_rows(self, clinic_id: str, *, slots: bool) -> tuple[list[str], ...]:
        """The texts of a clinic's calendars, types, slots (if ``slots``) and appointments."""
        calendars = self.tx.select_text("calendars", clinic_id=clinic_id)
        slot_rows: list[str] = []
        appointments: list[str] = []
        for text in calendars:
            calendar_id = self._decode(text, Calendar).id
            if slots:
                slot_rows += self.tx.select_text("time_slots", lookup=calendar_id)
            appointments += self.tx.select_text("appointments", lookup=calendar_id)
        types = self.tx.select_text("time_slot_types", clinic_id=clinic_id) if slots else []
        return calendars, types, slot_rows, appointments

    def _read_schedule(self, clinic_id: str) -> Schedule:
        calendars, types, slots, appointments = self._schedule_rows(clinic_id, slots=True)
        return Schedule(
            [self._decode(text, Calendar) for text in calendars],
            [self._decode(text, TimeSlotType) for text in types],
            [self._decode(text, TimeSlot) for text in slots],
            [self._decode(text, Appointment) for text in appointments],
        )

    def schedule_and_version(self, clinic_id: str) -> tuple[Schedule, Hashable | None]:
        """:meth:`schedule`, with the key of its version (None without a memo)."""
        memo = self.memo
        if memo is None:
            return self._read_schedule(clinic_id), None
        version = self.tx.schedule_version(clinic_id)
        base_key = (_BASE, clinic_id, version[0])

        def derive() -> Schedule:
            base = memo.peek(base_key)
            if not isinstance(base, Schedule):
                made = self._read_schedule(clinic_id)
            else:
                appointments = self._schedule_rows(clinic_id, slots=False)[3]
                made = base._with_appointments_only(memo.records(appointments, Appointment))
            memo.put(base_key, made)
            return made

        key = (clinic_id, *version)
        schedule = memo.made((Schedule, key), derive)
        self._seen[clinic_id] = (version, schedule)
        return schedule, key

    def save_appointment(self, appointment: Appointment, clinic_id: str) -> None:
        """Store an appointment."""
        data = self.conv.unstructure(appointment)
        seen = self._seen.pop(clinic_id, None)
        # The clinic's schedule rows are as they were read (other rows may have changed).
        unchanged = seen is not None and seen[0] == self.tx.schedule_version(clinic_id)
        self.tx.put(
            "appointments",
            appointment.id,
            data,
            patient_id=appointment.patient_id,
            clinic_id=clinic_id,
            lookup=appointment.calendar_id,
            sort_key=sort_time(appointment.start),
        )
        memo = self.memo
        if memo is None or seen is None or not unchanged:
            return
        # The schedule read in this transaction, just before this write, with this
        # appointment as a fresh read decodes it.
        version, schedule = seen
        after = self.tx.schedule_version(clinic_id)
        if after[0] != version[0] or schedule.calendar(appointment.calendar_id) is None:
            return
        stored = memo.record(_row_text(data), Appointment)
        made = schedule._with_appointments_replaced([stored])
        memo.put((Schedule, (clinic_id, *after)), made)
        self._seen[clinic_id] = (after, made)
