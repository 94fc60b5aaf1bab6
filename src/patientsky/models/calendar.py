"""
Clinic calendars: bookable time slots of typed lengths, and appointments (K2).

These mirror PatientSky's own calendar export (``timeslots``, ``timeslottypes``,
``appointments``); :mod:`patientsky.wire.legacy` reads that format. Times are
timezone-aware; the export's wall-clock times are in Europe/Oslo, and
:func:`to_oslo` is the one place that turns a wall-clock time into an aware one.

Times are compared and subtracted as instants (in UTC), never as wall-clock times:
Python compares two datetimes that share a ``tzinfo`` by their wall-clock fields,
which is wrong in the hour the clocks go back.

>>> start = to_oslo(dt.datetime(2019, 10, 27, 1, 30))
>>> end = to_oslo(dt.datetime(2019, 10, 27, 3, 0))
>>> Interval(start, end).minutes  # the night the clocks go back: 02:00-03:00 twice
150
>>> to_oslo(dt.datetime(2019, 3, 31, 2, 30))
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: time: does not exist in Europe/Oslo (the clocks skip 02:00-03:00)
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    aware,
    instant_key,
    items,
    nfc,
    nfc_or_none,
    of_type,
    one_of,
    optional,
    positive,
    text,
)

__all__ = [
    "OSLO",
    "Appointment",
    "AppointmentStatus",
    "Calendar",
    "CalendarKind",
    "Interval",
    "Schedule",
    "TimeSlot",
    "TimeSlotType",
    "to_oslo",
]

OSLO: Final = ZoneInfo("Europe/Oslo")
"""The time zone every Norwegian wall-clock time is in."""

_UTC = dt.UTC


def to_oslo(value: dt.datetime, *, field: str = "time") -> dt.datetime:
    """
    Return ``value`` as an aware datetime in Europe/Oslo.

    An aware ``value`` is converted. A naive one is read as Oslo wall-clock time:
    in the hour that occurs twice (the night the clocks go back) it is the first
    occurrence, summer time (``fold=0``, what parsing gives; a value with ``fold=1``
    is the second); a time the clocks skip (the night they go forward) is refused
    rather than guessed.

    Args:
        value: The time, naive (Oslo wall clock) or aware.
        field: The field path to name in an error.

    Returns:
        The same instant, with ``tzinfo`` Europe/Oslo.

    Raises:
        InvalidInput: If ``value`` is not a datetime, or is a wall-clock time that
            does not exist in Oslo.
    """
    if not isinstance(value, dt.datetime):
        raise InvalidInput(field, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(OSLO)
    back = value.replace(tzinfo=OSLO).astimezone(_UTC).astimezone(OSLO)
    if back.replace(tzinfo=None, fold=0) != value.replace(fold=0):
        raise InvalidInput(field, "does not exist in Europe/Oslo (the clocks skip 02:00-03:00)")
    return back


def _instant(value: dt.datetime) -> dt.datetime:
    return value.astimezone(_UTC)


def _clock(value: dt.datetime) -> str:
    return value.strftime("%H:%M:%S" if value.second or value.microsecond else "%H:%M")


def _starts_before_end(inst: Any) -> None:
    if _instant(inst.start) >= _instant(inst.end):
        raise InvalidInput("end", "must be after start")


@attrs.frozen(eq=False, order=False)
class Interval:
    """
    A half-open stretch of time ``[start, end)`` between two aware datetimes.

    Equality, hashing and ordering go by the instants (UTC), so two intervals that
    mean the same time are equal whatever their time zones, and the hour the clocks
    go back sorts right. ``str`` shows it in Oslo time, for example
    ``2019-04-23 08:30-10:00``.

    Args:
        start: When it begins (included).
        end: When it ends (excluded); after ``start``.

    Raises:
        InvalidInput: If a bound is not aware, or ``end`` is not after ``start``.
    """

    start: dt.datetime = attrs.field(validator=[of_type(dt.datetime), aware], eq=instant_key)
    end: dt.datetime = attrs.field(validator=[of_type(dt.datetime), aware], eq=instant_key)

    def __attrs_post_init__(self) -> None:
        _starts_before_end(self)

    @property
    def duration(self) -> dt.timedelta:
        """How long it lasts, in real (elapsed) time."""
        return _instant(self.end) - _instant(self.start)

    @property
    def minutes(self) -> int:
        """How long it lasts, in whole minutes."""
        return self.duration // dt.timedelta(minutes=1)

    def in_oslo(self) -> Interval:
        """Return the same interval with both bounds in Europe/Oslo."""
        return Interval(self.start.astimezone(OSLO), self.end.astimezone(OSLO))

    def overlaps(self, other: Interval) -> bool:
        """Whether the two share some time (touching at one instant is not overlapping)."""
        return _instant(self.start) < _instant(other.end) and _instant(other.start) < _instant(
            self.end
        )

    def contains(self, other: Interval | dt.datetime) -> bool:
        """Whether ``other`` (an interval, or an instant) lies inside this interval."""
        if isinstance(other, Interval):
            return _instant(self.start) <= _instant(other.start) and _instant(
                other.end
            ) <= _instant(self.end)
        return _instant(self.start) <= _instant(other) < _instant(self.end)

    def __str__(self) -> str:
        start, end = self.start.astimezone(OSLO), self.end.astimezone(OSLO)
        same_day = start.date() == end.date()
        return f"{start.date()} {_clock(start)}-" + (
            _clock(end) if same_day else f"{end.date()} {_clock(end)}"
        )

    def _key(self) -> tuple[dt.datetime, dt.datetime]:
        return (_instant(self.start), _instant(self.end))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Interval) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: Interval) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: Interval) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: Interval) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() >= other._key()


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

    id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    name: str = attrs.field(converter=nfc, validator=text(200))
    kind: CalendarKind = attrs.field(
        default=CalendarKind.PRACTITIONER, validator=one_of(CalendarKind)
    )
    practitioner_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )


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

    id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    name: str = attrs.field(converter=nfc, validator=text(200))
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

    id: str = attrs.field(converter=nfc, validator=text(200))
    calendar_id: str = attrs.field(converter=nfc, validator=text(200))
    type_id: str = attrs.field(converter=nfc, validator=text(200))
    start: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    end: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    public_bookable: bool = attrs.field(default=True, validator=of_type(bool))

    def __attrs_post_init__(self) -> None:
        _starts_before_end(self)

    @property
    def interval(self) -> Interval:
        """The time the slot covers."""
        return Interval(self.start, self.end)


class AppointmentStatus(enum.Enum):
    """
    Whether an appointment holds its time.

    An appointment whose status is ``Unrecognized`` (for
    example a state of PatientSky's export whose meaning is not documented) holds
    its time: the rules never book over it.
    """

    BOOKED = "booked"
    """The time is taken."""
    CANCELLED = "cancelled"
    """Cancelled, so the time is free again."""


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
        status: Booked or cancelled; an unrecognized status holds the time too.
        consultation_id: The consultation it belongs to, if it was booked through the portal.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    calendar_id: str = attrs.field(converter=nfc, validator=text(200))
    start: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    end: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    patient_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    type_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    status: AppointmentStatus | Unrecognized = attrs.field(
        default=AppointmentStatus.BOOKED, validator=one_of(AppointmentStatus, unrecognized=True)
    )
    consultation_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )

    def __attrs_post_init__(self) -> None:
        _starts_before_end(self)

    @property
    def interval(self) -> Interval:
        """The time the appointment covers."""
        return Interval(self.start, self.end)

    @property
    def holds_time(self) -> bool:
        """Whether the time is taken, as by anything but a cancelled appointment."""
        return self.status is not AppointmentStatus.CANCELLED


_Item = TypeVar("_Item", Calendar, TimeSlotType, TimeSlot, Appointment)


def _by_id(value: Any) -> str:
    return str(getattr(value, "id", ""))


def _canonical(values: Iterable[Any]) -> tuple[Any, ...]:
    """
    Converter: a tuple sorted by id, so equal data in any order gives an equal value.

    Typed with ``Any`` because mypy's attrs plugin cannot solve a generic converter.
    """
    if isinstance(values, str):
        raise InvalidInput("", "must be a list, not a string")
    return tuple(sorted(values, key=_by_id))


_NOT_A_CALENDAR = "is not a calendar of the schedule"


def _unique_ids(field: str, values: tuple[Any, ...]) -> None:
    for i in range(1, len(values)):
        if values[i].id == values[i - 1].id:
            raise InvalidInput(f"{field}[{i}].id", "repeats the id of another item")


def _dedupe(field: str, values: Iterable[_Item]) -> list[_Item]:
    """Keep one of each id; the same id with other content is a conflict."""
    seen: dict[str, _Item] = {}
    for value in values:
        known = seen.setdefault(value.id, value)
        if known != value:
            raise InvalidInput(f"{field}.{value.id}", "two different items share this id")
    return list(seen.values())


_Timed = TypeVar("_Timed", TimeSlot, Appointment)


def _check_appointments(appointments: tuple[Appointment, ...], calendar_ids: set[str]) -> None:
    for i, appointment in enumerate(appointments):
        if appointment.calendar_id not in calendar_ids:
            raise InvalidInput(f"appointments[{i}].calendar_id", _NOT_A_CALENDAR)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


def _micros(value: dt.datetime) -> int:
    """An aware datetime as whole microseconds since the epoch: an instant, as an int."""
    return (value - _EPOCH) // _MICRO


class _Track(Generic[_Timed]):
    """
    One calendar's slots (or appointments) by start, ready for range queries.

    The bounds are kept as integer instants (microseconds since the epoch), computed
    once: a query converts its two bounds and compares integers. ``memo`` holds what
    the rules derive from the track and the schedule (a schedule is immutable, so it
    never goes stale); ``own`` what they derive from the items and the schedule's time
    slot types only.
    """

    def __init__(self, values: Iterable[_Timed]) -> None:
        keyed = sorted(((_micros(v.start), _micros(v.end), v.id), v) for v in values)
        self.items: tuple[_Timed, ...] = tuple(v for _, v in keyed)
        self.starts = [k[0] for k, _ in keyed]
        self.ends = [k[1] for k, _ in keyed]
        # The latest end among the first i items: non-decreasing, so it can be bisected.
        self.reach = list(itertools.accumulate(self.ends, max))
        self.memo: dict[Any, Any] = {}
        self.own: dict[Any, Any] = {}

    def fresh(self) -> _Track[_Timed]:
        """
        The same track with an empty ``memo``: for a schedule that shares these items.

        ``own`` (what is derived from these items and the schedule's types alone) is
        shared with this track, since a schedule that shares the items shares the types.
        """
        track: _Track[_Timed] = object.__new__(_Track)
        track.items, track.starts, track.ends = self.items, self.starts, self.ends
        track.reach = self.reach
        track.memo = {}
        track.own = self.own
        return track

    def replaced(self, gone: Iterable[_Timed], added: Iterable[_Timed]) -> _Track[_Timed]:
        """
        The track of these items but ``gone`` (items of it), and ``added``.

        Equal to a new track of those items; each item is found and placed by bisection,
        so the kept items' bounds are neither computed nor sorted again.
        """
        dropped: list[_Timed] = list(gone)
        new: list[_Timed] = list(added)
        items, starts, ends = list(self.items), list(self.starts), list(self.ends)
        for item in dropped:
            start = _micros(item.start)
            i = bisect.bisect_left(starts, start)
            while i < len(items) and starts[i] == start and items[i] is not item:
                i += 1  # among those of the same start
            if i == len(items) or items[i] is not item:  # not an item of this track
                ids: set[int] = {id(g) for g in dropped}
                rebuilt: _Track[_Timed] = _Track([v for v in self.items if id(v) not in ids])
                return rebuilt.replaced((), new)
            del items[i], starts[i], ends[i]
        for item in new:
            start, end = _micros(item.start), _micros(item.end)
            lo, hi = bisect.bisect_left(starts, start), bisect.bisect_right(starts, start)
            # Among those of the same start: by end, then id (as the sort of __init__).
            i = lo + bisect.bisect_left(
                [(ends[j], items[j].id) for j in range(lo, hi)], (end, item.id)
            )
            items.insert(i, item)
            starts.insert(i, start)
            ends.insert(i, end)
        track: _Track[_Timed] = object.__new__(_Track)
        track.items, track.starts, track.ends = tuple(items), starts, ends
        track.reach = list(itertools.accumulate(ends, max))
        track.memo = {}
        track.own = {}
        return track

    def where(self, keep: Callable[[_Timed], bool]) -> _Track[_Timed]:
        """The track of the items ``keep`` keeps, in the same order, bounds not computed again."""
        chosen = [i for i, v in enumerate(self.items) if keep(v)]
        track: _Track[_Timed] = object.__new__(_Track)
        track.items = tuple(self.items[i] for i in chosen)
        track.starts = [self.starts[i] for i in chosen]
        track.ends = [self.ends[i] for i in chosen]
        track.reach = list(itertools.accumulate(track.ends, max))
        track.memo = {}
        track.own = {}
        return track

    def indices(self, lo: int, hi: int) -> range:
        """The positions of the items that may overlap ``[lo, hi)`` (check each end > lo)."""
        return range(bisect.bisect_right(self.reach, lo), bisect.bisect_left(self.starts, hi))

    def between(self, start: dt.datetime, end: dt.datetime) -> tuple[_Timed, ...]:
        lo, hi = _micros(start), _micros(end)
        items, ends = self.items, self.ends
        return tuple(items[i] for i in self.indices(lo, hi) if ends[i] > lo)


def _holds_time(appointment: Appointment) -> bool:
    return appointment.holds_time


def _holding(track: _Track[Appointment]) -> _Track[Appointment]:
    """The track of the appointments of ``track`` that hold time, made once per track."""
    found: _Track[Appointment] | None = track.own.get("holding")
    if found is None:
        found = track.own["holding"] = track.where(_holds_time)
    return found


@attrs.frozen
class Schedule:
    """
    The calendars of one or more clinics, with their time slots and appointments.

    The bundle the booking rules work on (:mod:`patientsky.rules.freetime`,
    :mod:`patientsky.rules.booking`). Each collection is kept sorted by id, so two
    schedules of the same data are equal whatever order it came in. Every slot and
    appointment must belong to a calendar of the schedule, and every slot's type
    must be one of its time slot types.

    Args:
        calendars: The calendars.
        time_slot_types: The time slot types the slots use.
        time_slots: The bookable time.
        appointments: The busy time (cancelled appointments may stay; they hold no time).

    Raises:
        InvalidInput: If an id repeats, or a slot or appointment points at a calendar
            or type that is not there.
    """

    calendars: tuple[Calendar, ...] = attrs.field(
        default=(), converter=_canonical, validator=items(of_type(Calendar))
    )
    time_slot_types: tuple[TimeSlotType, ...] = attrs.field(
        default=(), converter=_canonical, validator=items(of_type(TimeSlotType))
    )
    time_slots: tuple[TimeSlot, ...] = attrs.field(
        default=(), converter=_canonical, validator=items(of_type(TimeSlot)), repr=False
    )
    appointments: tuple[Appointment, ...] = attrs.field(
        default=(), converter=_canonical, validator=items(of_type(Appointment)), repr=False
    )

    def __attrs_post_init__(self) -> None:
        _unique_ids("calendars", self.calendars)
        _unique_ids("time_slot_types", self.time_slot_types)
        _unique_ids("time_slots", self.time_slots)
        _unique_ids("appointments", self.appointments)
        calendar_ids = {c.id for c in self.calendars}
        type_ids = {t.id for t in self.time_slot_types}
        for i, slot in enumerate(self.time_slots):
            if slot.calendar_id not in calendar_ids:
                raise InvalidInput(
                    f"time_slots[{i}].calendar_id", "is not a calendar of the schedule"
                )
            if slot.type_id not in type_ids:
                raise InvalidInput(
                    f"time_slots[{i}].type_id", "is not a time slot type of the schedule"
                )
        _check_appointments(self.appointments, calendar_ids)

    @functools.cached_property
    def _index(
        self,
    ) -> tuple[
        Mapping[str, Calendar],
        Mapping[str, TimeSlotType],
        Mapping[str, _Track[TimeSlot]],
        Mapping[str, _Track[Appointment]],
    ]:
        slots: dict[str, list[TimeSlot]] = {c.id: [] for c in self.calendars}
        for slot in self.time_slots:
            slots[slot.calendar_id].append(slot)
        return (
            {c.id: c for c in self.calendars},
            {t.id: t for t in self.time_slot_types},
            {k: _Track(v) for k, v in slots.items()},
            self._busy_tracks(),
        )

    def _busy_tracks(
        self, known: Mapping[str, _Track[Appointment]] | None = None
    ) -> dict[str, _Track[Appointment]]:
        """Each calendar's appointments as a track; one of ``known`` if it holds the same."""
        busy: dict[str, list[Appointment]] = {c.id: [] for c in self.calendars}
        for appointment in self.appointments:
            busy[appointment.calendar_id].append(appointment)
        tracks: dict[str, _Track[Appointment]] = {}
        for calendar_id, appointments in busy.items():
            track = None if known is None else known.get(calendar_id)
            # The same objects (a memo decodes the same row to the same object).
            if (
                track is not None
                and len(track.items) == len(appointments)
                and {id(a) for a in track.items} == {id(a) for a in appointments}
            ):
                tracks[calendar_id] = track.fresh()
                continue
            tracks[calendar_id] = _Track(appointments)
        return tracks

    def _with_appointments_only(self, appointments: Iterable[Appointment]) -> Schedule:
        """
        Return ``Schedule(calendars, time_slot_types, time_slots, appointments)`` of this one.

        The same value and the same checks on the appointments as that call, but the
        calendars, types and slots (already checked here) are not checked again, and the
        slots' index is shared (each calendar's derived free time is not: it depends on
        the appointments). For a store whose appointments changed and nothing else.

        Raises:
            InvalidInput: As :class:`Schedule` would for these appointments.
        """
        field = attrs.fields(Schedule).appointments
        value = _canonical(appointments)
        # Those of this schedule were checked here: the type check (the field's
        # validator) runs, naming the index as always, when a new one is not an
        # Appointment.
        checked = {id(a) for a in self.appointments}
        new = [a for a in value if id(a) not in checked]
        if field.validator is not None and not all(isinstance(a, Appointment) for a in new):
            field.validator(self, field, value)
        _unique_ids("appointments", value)
        _check_appointments(value, {c.id for c in self.calendars})
        schedule: Schedule = object.__new__(Schedule)
        for name in ("calendars", "time_slot_types", "time_slots"):
            object.__setattr__(schedule, name, getattr(self, name))
        object.__setattr__(schedule, "appointments", value)
        calendars, types, slots, known = self._index
        busy = schedule._busy_tracks(known)
        fresh = {k: v.fresh() for k, v in slots.items()}
        object.__setattr__(schedule, "_index", (calendars, types, fresh, busy))
        return schedule

    def _with_appointments_replaced(self, appointments: Iterable[Appointment]) -> Schedule:
        """
        Return :meth:`with_appointments` of this one: these added, or replacing their ids.

        The same value and the same checks as that call (itself a new :class:`Schedule`),
        but only the calendars the appointments touch are indexed again: the others keep
        their tracks, and with them the free time already derived from them. For a store
        that changed a few appointments and nothing else.

        Raises:
            InvalidInput: As :class:`Schedule` would for the appointments.
        """
        given: list[object] = list(appointments)  # typed callers pass appointments; not all do
        calendars, types, slots, busy = self._index
        if not all(isinstance(a, Appointment) and a.calendar_id in calendars for a in given):
            ids = {getattr(a, "id", None) for a in given}
            kept = [a for a in self.appointments if a.id not in ids]
            mixed: list[Any] = [*kept, *given]
            return self._with_appointments_only(mixed)  # raises as Schedule does
        new = {a.id: a for a in given if isinstance(a, Appointment)}  # all are, checked above
        kept = list(self.appointments)
        old: list[Appointment] = []
        for appointment in new.values():  # by bisection: the tuple is sorted by id
            i = bisect.bisect_left(kept, appointment.id, key=_by_id)
            if i < len(kept) and kept[i].id == appointment.id:
                old.append(kept[i])
                kept[i] = appointment
            else:
                kept.insert(i, appointment)
        schedule: Schedule = object.__new__(Schedule)
        for name in ("calendars", "time_slot_types", "time_slots"):
            object.__setattr__(schedule, name, getattr(self, name))
        object.__setattr__(schedule, "appointments", tuple(kept))
        busy_before, busy = busy, dict(busy)
        slots = dict(slots)
        for calendar_id in {a.calendar_id for a in [*old, *new.values()]}:
            gone = [a for a in old if a.calendar_id == calendar_id]
            mine = [a for a in new.values() if a.calendar_id == calendar_id]
            track = busy[calendar_id] = busy[calendar_id].replaced(gone, mine)
            known = busy_before[calendar_id].own.get("holding")
            if known is not None:  # those that hold time, kept up to date the same way
                track.own["holding"] = known.replaced(
                    [a for a in gone if a.holds_time], [a for a in mine if a.holds_time]
                )
            slots[calendar_id] = slots[calendar_id].fresh()
        object.__setattr__(schedule, "_index", (calendars, types, slots, busy))
        return schedule

    @property
    def calendar_ids(self) -> tuple[str, ...]:
        """The ids of the calendars, sorted."""
        return tuple(c.id for c in self.calendars)

    def calendar(self, calendar_id: str) -> Calendar | None:
        """Return the calendar with this id, or None."""
        return self._index[0].get(calendar_id)

    def time_slot_type(self, type_id: str) -> TimeSlotType | None:
        """Return the time slot type with this id, or None."""
        return self._index[1].get(type_id)

    def slots_of(
        self, calendar_id: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> tuple[TimeSlot, ...]:
        """
        Return the time slots of one calendar by start time, those overlapping a range if given.

        Args:
            calendar_id: The calendar (an unknown id has none).
            start: With ``end``, only slots that overlap ``[start, end)``; found by
                bisection, so a week of a year's calendar costs little.
            end: See ``start``.
        """
        track = self._index[2].get(calendar_id)
        if track is None:
            return ()
        return track.items if start is None or end is None else track.between(start, end)

    def appointments_of(
        self, calendar_id: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> tuple[Appointment, ...]:
        """
        Return the appointments of one calendar by start time, those overlapping a range if given.

        Args:
            calendar_id: The calendar (an unknown id has none).
            start: With ``end``, only appointments that overlap ``[start, end)``.
            end: See ``start``.
        """
        track = self._index[3].get(calendar_id)
        if track is None:
            return ()
        return track.items if start is None or end is None else track.between(start, end)

    def _holding_of(
        self, calendar_id: str, start: dt.datetime, end: dt.datetime
    ) -> tuple[Appointment, ...]:
        """
        :meth:`appointments_of` a range, those that hold time only: for the rules.

        Found among those that hold time alone, so the cancelled ones kept in a
        calendar (many, where a time was booked and cancelled again and again) cost
        nothing.
        """
        track = self._index[3].get(calendar_id)
        return () if track is None else _holding(track).between(start, end)

    def _tracks(self, calendar_id: str) -> tuple[_Track[TimeSlot], _Track[Appointment]] | None:
        """One calendar's slots and appointments as tracks, for the rules; None if unknown."""
        slots = self._index[2].get(calendar_id)
        return None if slots is None else (slots, self._index[3][calendar_id])

    def with_appointments(self, appointments: Iterable[Appointment]) -> Schedule:
        """
        Return the schedule with these appointments added, or replacing those with their ids.

        Args:
            appointments: New appointments, or new versions of existing ones (for
                example cancelled).

        Raises:
            InvalidInput: If an appointment points at a calendar that is not there.
        """
        new = {a.id: a for a in appointments}
        kept = [a for a in self.appointments if a.id not in new]
        return attrs.evolve(self, appointments=[*kept, *new.values()])

    def merge(self, other: Schedule) -> Schedule:
        """
        Return one schedule with everything of both.

        An item present in both (same id) is kept once if it is equal in both.

        Raises:
            InvalidInput: If the same id names different items.
        """
        return Schedule(
            calendars=_dedupe("calendars", [*self.calendars, *other.calendars]),
            time_slot_types=_dedupe(
                "time_slot_types", [*self.time_slot_types, *other.time_slot_types]
            ),
            time_slots=_dedupe("time_slots", [*self.time_slots, *other.time_slots]),
            appointments=_dedupe("appointments", [*self.appointments, *other.appointments]),
        )
