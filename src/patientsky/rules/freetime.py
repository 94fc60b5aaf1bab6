"""
Free time: when every one of some calendars can take a booking (K2).

A calendar's *bookable time* is the union of its time slots (joined where they touch
or overlap), optionally only the slots of one time slot type, and, when a patient
books for themself, only the slots that are publicly bookable (the slot *and* its
type). Its *free time* is its bookable time outside every appointment that holds time
(:attr:`~patientsky.models.calendar.Appointment.holds_time`). The free time of several
calendars is the time free in all of them, clipped to the period asked about, as
maximal intervals at least the asked duration long, sorted.

All arithmetic is on instants (UTC microseconds), so the nights the clocks change in
Oslo need no special case: the answers are given in Europe/Oslo. The work is one sort
and a few linear sweeps, O(n log n) in the slots and appointments of the calendars
asked about that overlap the period (found by bisection, so a week of a year-long
calendar looks at a week of slots).

>>> from patientsky.models.calendar import Calendar, Schedule, TimeSlot, TimeSlotType, to_oslo
>>> at = lambda text: to_oslo(dt.datetime.fromisoformat(text))
>>> schedule = Schedule(
...     calendars=[Calendar("c1", "clinic", "Dr. Berg")],
...     time_slot_types=[TimeSlotType("t15", "clinic", "Vanlig", 15)],
...     time_slots=[
...         TimeSlot("s1", "c1", "t15", at("2019-04-23T08:00"), at("2019-04-23T09:00")),
...         TimeSlot("s2", "c1", "t15", at("2019-04-23T09:00"), at("2019-04-23T10:00")),
...     ],
... )
>>> [str(i) for i in free_time(schedule, 30, "2019-04-23T08:30/2019-04-23T12:00")]
['2019-04-23 08:30-10:00']
>>> [t.strftime("%H:%M") for t in free_start_times(schedule, 30, "2019-04-23T09:00/P1D")]
['09:00', '09:30']

A booking starts on the *grid* of a time slot (:func:`on_grid`): whole minutes, at the
slot's start or a whole number of its type's length after it, never at 08:47:13.

>>> on_grid(schedule, at("2019-04-23T09:45")), on_grid(schedule, at("2019-04-23T09:50"))
(True, False)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING

from patientsky.errors import InvalidInput
from patientsky.models.calendar import (
    OSLO,
    Appointment,
    Interval,
    Schedule,
    TimeSlot,
    _holding,
    _Track,
    to_oslo,
)
from patientsky.rules import _intervals as iv

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

_UTC = dt.UTC

__all__ = [
    "free_start_times",
    "free_time",
    "on_grid",
    "parse_period",
    "start_times",
]

# A period to search: an ISO 8601 interval string, an Interval, or two aware datetimes.
_Period = str | Interval | tuple[dt.datetime, dt.datetime]

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_INTERVAL_FORMS = "an ISO 8601 interval: start/end, start/duration or duration/end"
_MINUTE = 60_000_000  # microseconds


def _parse_instant(text: str, field: str, which: str) -> dt.datetime:
    # dateutil's parser costs an import of ~16 ms: paid by the first period given as text.
    from dateutil.parser import isoparse

    try:
        value = isoparse(text)
    except (ValueError, OverflowError):
        raise InvalidInput(field, f"{which} {text!r} is not an ISO 8601 date or time") from None
    return to_oslo(value, field=field)


def _parse_duration(text: str, field: str) -> tuple[relativedelta, dt.timedelta]:
    """Return the calendar part (years to days) and the clock part (hours to seconds)."""
    match = _DURATION.fullmatch(text)
    if match is None or text == "P":
        raise InvalidInput(field, f"duration {text!r} is not an ISO 8601 duration such as P1D")
    from dateutil.relativedelta import relativedelta

    n = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    calendar = relativedelta(years=n["years"], months=n["months"], days=7 * n["weeks"] + n["days"])
    clock = dt.timedelta(hours=n["hours"], minutes=n["minutes"], seconds=n["seconds"])
    return calendar, clock


def _shift(at: dt.datetime, text: str, sign: int, field: str) -> dt.datetime:
    """Move ``at`` by an ISO duration: days and longer on the Oslo wall clock, the rest in UTC."""
    calendar, clock = _parse_duration(text, field)
    wall = at.astimezone(OSLO).replace(tzinfo=None) + sign * calendar
    moved = to_oslo(wall, field=field)
    return (moved.astimezone(dt.UTC) + sign * clock).astimezone(OSLO)


def parse_period(text: str, *, field: str = "period") -> Interval:
    """
    Read an ISO 8601 time interval: ``start/end``, ``start/duration`` or ``duration/end``.

    A time without an offset is Oslo wall-clock time (see
    :func:`~patientsky.models.calendar.to_oslo`); a date alone means its midnight.
    In a duration, years, months, weeks and days move the Oslo calendar date (so
    ``P1D`` is one calendar day, 23 or 25 hours on the nights the clocks change);
    hours, minutes and seconds are elapsed time.

    >>> print(parse_period("2019-04-23T08:00:00/2019-04-27T00:00:00"))
    2019-04-23 08:00-2019-04-27 00:00
    >>> parse_period("2019-03-31/P1D").minutes
    1380

    Args:
        text: The interval, for example ``2019-04-23T08:00:00/2019-04-27T00:00:00``.
        field: The field path to name in an error.

    Returns:
        The interval, bounds in Europe/Oslo.

    Raises:
        InvalidInput: If the text is not such an interval, a bound does not exist in
            Oslo, or the end is not after the start.
    """
    if not isinstance(text, str):
        raise InvalidInput(field, f"must be a string, not {type(text).__name__}")
    parts = text.strip().split("/")
    if len(parts) != 2 or not all(parts):
        raise InvalidInput(field, f"must be {_INTERVAL_FORMS}")
    first, second = parts
    if first.startswith("P") and second.startswith("P"):
        raise InvalidInput(field, f"must be {_INTERVAL_FORMS}, not two durations")
    if first.startswith("P"):
        end = _parse_instant(second, field, "end")
        start = _shift(end, first, -1, field)
    elif second.startswith("P"):
        start = _parse_instant(first, field, "start")
        end = _shift(start, second, 1, field)
    else:
        start = _parse_instant(first, field, "start")
        end = _parse_instant(second, field, "end")
    if start.astimezone(dt.UTC) >= end.astimezone(dt.UTC):
        raise InvalidInput(field, "must end after it starts")
    return Interval(start, end)


def _period(given: _Period, field: str = "period") -> Interval:
    period: object = given  # typed callers pass a period; the REPL may not
    if isinstance(period, str):
        return parse_period(period, field=field)
    if isinstance(period, Interval):
        return period
    if isinstance(period, tuple) and len(period) == 2:
        start, end = period
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, dt.datetime) or value.utcoffset() is None:
                raise InvalidInput(f"{field}.{name}", "must be a timezone-aware datetime")
        if start.astimezone(dt.UTC) >= end.astimezone(dt.UTC):
            raise InvalidInput(field, "must end after it starts")
        return Interval(start, end)
    raise InvalidInput(field, "must be an ISO 8601 interval string, an Interval or two datetimes")


def _length(given: int | dt.timedelta, field: str) -> int:
    """Return a positive length given in minutes (or as a timedelta) in microseconds."""
    value: object = given  # typed callers pass int or timedelta; the CLI and REPL may not
    if isinstance(value, dt.timedelta):
        micros = value // dt.timedelta(microseconds=1)
    elif isinstance(value, int) and not isinstance(value, bool):
        micros = value * 60_000_000
    else:
        raise InvalidInput(field, "must be a whole number of minutes or a timedelta")
    if micros <= 0:
        raise InvalidInput(field, "must be positive")
    return micros


def _calendars(schedule: Schedule, calendar_ids: Iterable[str] | None) -> list[str]:
    if calendar_ids is None:
        ids = list(schedule.calendar_ids)
    else:
        if isinstance(calendar_ids, str):
            raise InvalidInput("calendar_ids", "must be a collection of ids, not one string")
        ids = list(calendar_ids)
        for i, calendar_id in enumerate(ids):
            if schedule.calendar(calendar_id) is None:
                raise InvalidInput(f"calendar_ids[{i}]", "is not a calendar of the schedule")
    if not ids:
        raise InvalidInput("calendar_ids", "name at least one calendar")
    return sorted(set(ids))


def _free_spans(
    schedule: Schedule,
    duration: int | dt.timedelta,
    period: _Period,
    calendar_ids: Iterable[str] | None,
    time_slot_type_id: str | None,
    public_only: bool,
) -> list[iv.Span]:
    length = _length(duration, "duration")
    window = _period(period)
    ids = _calendars(schedule, calendar_ids)
    if time_slot_type_id is not None and schedule.time_slot_type(time_slot_type_id) is None:
        raise InvalidInput("time_slot_type_id", "is not a time slot type of the schedule")
    public_types = {t.id for t in schedule.time_slot_types if t.public_bookable}

    def counts(slot: TimeSlot) -> bool:
        if time_slot_type_id is not None and slot.type_id != time_slot_type_id:
            return False
        return not public_only or (slot.public_bookable and slot.type_id in public_types)

    lo, hi = iv.to_micros(window.start), iv.to_micros(window.end)
    key = (time_slot_type_id, public_only)
    free: list[list[iv.Span]] = []
    for calendar_id in ids:
        tracks = schedule._tracks(calendar_id)
        if tracks is None:  # pragma: no cover -- _calendars checked every id
            return []
        slots, appointments = tracks
        # A calendar's free time under one filter, over all its days, is derived once per
        # schedule (an immutable value); each question clips it to its period.
        whole = slots.memo.get(key)
        if whole is None:
            bookable, busy = _calendar_parts(slots, appointments, counts, key)
            near = iv.clip_sorted(bookable, lo, hi)
            if len(near) * 4 < len(bookable):
                # A short period of a schedule not asked about before (a booking's check
                # of the schedule it is about to change): the same set, made from the
                # parts inside the period only, (B - A) clipped being B clipped - A clipped.
                free.append(iv.subtract(near, iv.clip_sorted(busy, lo, hi)))
                continue
            whole = slots.memo[key] = iv.subtract(bookable, busy)
        free.append(iv.clip_sorted(whole, lo, hi))
    return iv.at_least(iv.intersect_sorted(free), length)


def _calendar_parts(
    slots: _Track[TimeSlot],
    appointments: _Track[Appointment],
    counts: Callable[[TimeSlot], bool],
    key: Hashable,
) -> tuple[list[iv.Span], list[iv.Span]]:
    """The time in the slots that count, and in the appointments that hold time, as sets."""
    # The slots' part depends on the slots, the filter (``key``) and the schedule's types
    # only: a schedule that differs in appointments alone shares it (``_Track.own``).
    bookable = slots.own.get(key)
    if bookable is None:
        bookable = slots.own[key] = iv.union(
            (start, end)
            for start, end, slot in zip(slots.starts, slots.ends, slots.items, strict=True)
            if counts(slot)
        )
    busy = appointments.own.get("busy")
    if busy is None:
        held = _holding(appointments)  # the appointments that hold time
        busy = appointments.own["busy"] = iv.union(zip(held.starts, held.ends, strict=True))
    return bookable, busy


def _grid_slots(
    schedule: Schedule,
    calendar_id: str,
    lo: int,
    hi: int,
    time_slot_type_id: str | None,
) -> list[tuple[int, int, int]]:
    """Return ``(start, end, step)`` (microseconds) of the slots whose grid counts in a range."""
    out: list[tuple[int, int, int]] = []
    tracks = schedule._tracks(calendar_id)
    if tracks is None:  # pragma: no cover -- _calendars checked every id
        return out
    track = tracks[0]
    starts, ends, slots = track.starts, track.ends, track.items
    for i in track.indices(lo, hi):
        slot = slots[i]
        if ends[i] <= lo or (time_slot_type_id is not None and slot.type_id != time_slot_type_id):
            continue
        slot_type = schedule.time_slot_type(slot.type_id)
        if slot_type is not None:  # always: a schedule's slots have its types
            out.append((starts[i], ends[i], slot_type.slot_minutes * _MINUTE))
    return out


def _grid_verdict(
    schedule: Schedule,
    start: dt.datetime,
    calendar_ids: Sequence[str],
    time_slot_type_id: str | None,
) -> bool | None:
    """
    Return whether ``start`` is on the grid, or None when no slot that counts holds it.

    For the rules: :mod:`patientsky.rules.booking` refuses a start that is off the grid
    (False), and leaves a start in no slot at all to its "is it free" check.
    """
    t = iv.to_micros(start)
    if t % _MINUTE:
        return False
    inside = False
    for calendar_id in calendar_ids:
        for slot_start, _, step in _grid_slots(schedule, calendar_id, t, t + 1, time_slot_type_id):
            if (t - slot_start) % step == 0:
                return True
            inside = True
    return False if inside else None


def on_grid(
    schedule: Schedule,
    start: dt.datetime,
    *,
    calendar_ids: Iterable[str] | None = None,
    time_slot_type_id: str | None = None,
) -> bool:
    """
    Tell whether a booking may start at ``start`` as far as the time slots' grid goes.

    It may when ``start`` is a whole minute (no seconds, no fraction of one) and lies in
    a time slot of one of the calendars (of the type, if given) at the slot's start or
    a whole number of the slot type's length after it, counted in elapsed time.
    Whether the time is free is :func:`free_time`'s question.

    Args:
        schedule: The calendars, slot types and slots.
        start: The start asked about (timezone-aware).
        calendar_ids: The calendars; all of the schedule's if None.
        time_slot_type_id: Count only the slots of this type.

    Returns:
        Whether ``start`` is on the grid of a slot that holds it.

    Raises:
        InvalidInput: If ``start`` is not aware, or a calendar or type is not in the schedule.
    """
    given: object = start  # typed callers pass an aware datetime; the REPL may not
    if not isinstance(given, dt.datetime) or given.utcoffset() is None:
        raise InvalidInput("start", "must be a timezone-aware datetime")
    ids = _calendars(schedule, calendar_ids)
    if time_slot_type_id is not None and schedule.time_slot_type(time_slot_type_id) is None:
        raise InvalidInput("time_slot_type_id", "is not a time slot type of the schedule")
    return _grid_verdict(schedule, given, ids, time_slot_type_id) is True


def free_time(
    schedule: Schedule,
    duration: int | dt.timedelta,
    period: _Period,
    *,
    calendar_ids: Iterable[str] | None = None,
    time_slot_type_id: str | None = None,
    public_only: bool = False,
) -> tuple[Interval, ...]:
    """
    Return the times when every calendar asked about is free, at least ``duration`` long.

    Args:
        schedule: The calendars, slot types, slots and appointments.
        duration: The least length wanted: minutes, or a timedelta.
        period: Where to look: an ISO 8601 interval (naive times are Oslo wall clock),
            an :class:`~patientsky.models.calendar.Interval`, or two aware datetimes.
        calendar_ids: The calendars that must all be free; all of the schedule's if None.
        time_slot_type_id: Count only the slots of this type.
        public_only: Count only publicly bookable slots of publicly bookable types,
            as when a patient books for themself.

    Returns:
        Maximal free intervals, sorted, disjoint, inside the period, in Europe/Oslo.

    Raises:
        InvalidInput: If the duration or period is not valid, or a calendar or type is
            not in the schedule.
    """
    spans = _free_spans(schedule, duration, period, calendar_ids, time_slot_type_id, public_only)
    return tuple(Interval(iv.from_micros(s, OSLO), iv.from_micros(e, OSLO)) for s, e in spans)


def start_times(
    intervals: Sequence[Interval],
    duration: int | dt.timedelta,
    *,
    step: int | dt.timedelta | None = None,
) -> tuple[dt.datetime, ...]:
    """
    Return the times a booking of ``duration`` can start inside the intervals.

    In each interval the starts are its start, then every ``step`` after it, as long
    as the booking still ends inside the interval.

    >>> from patientsky.models.calendar import to_oslo
    >>> free = Interval(to_oslo(dt.datetime(2019, 4, 23, 8)), to_oslo(dt.datetime(2019, 4, 23, 9)))
    >>> [t.strftime("%H:%M") for t in start_times([free], 30, step=15)]
    ['08:00', '08:15', '08:30']

    Args:
        intervals: Free intervals, as :func:`free_time` returns them.
        duration: The booking's length: minutes, or a timedelta.
        step: The distance between starts: minutes, or a timedelta; ``duration`` if None.

    Returns:
        The start times, sorted if the intervals are, in Europe/Oslo.

    Raises:
        InvalidInput: If the duration or step is not positive.
    """
    length = _length(duration, "duration")
    stride = length if step is None else _length(step, "step")
    out: list[dt.datetime] = []
    for interval in intervals:
        start, end = iv.to_micros(interval.start), iv.to_micros(interval.end)
        out.extend(iv.from_micros(t, OSLO) for t in range(start, end - length + 1, stride))
    return tuple(out)


def free_start_times(
    schedule: Schedule,
    duration: int | dt.timedelta,
    period: _Period,
    *,
    calendar_ids: Iterable[str] | None = None,
    time_slot_type_id: str | None = None,
    public_only: bool = False,
    step: int | dt.timedelta | None = None,
) -> tuple[dt.datetime, ...]:
    """
    Return the times a booking of ``duration`` can start in every calendar asked about.

    The starts lie on the grid of the time slots (:func:`on_grid`), so that each can be
    booked as it is: in each interval of :func:`free_time`, the grid points where the
    booking still ends inside the interval, the first of them and then each one at
    least ``step`` after the one before. The step is by default the length of the time
    slot type (if one is given), else ``duration``.

    Args:
        schedule: The calendars, slot types, slots and appointments.
        duration: The booking's length: minutes, or a timedelta.
        period: Where to look (see :func:`free_time`).
        calendar_ids: The calendars that must all be free; all of the schedule's if None.
        time_slot_type_id: Count only the slots of this type.
        public_only: Count only publicly bookable time.
        step: The distance between starts: minutes, or a timedelta.

    Returns:
        The start times, sorted, in Europe/Oslo.

    Raises:
        InvalidInput: As :func:`free_time`, or if the step is not positive.
    """
    spans = _free_spans(schedule, duration, period, calendar_ids, time_slot_type_id, public_only)
    length = _length(duration, "duration")
    if step is None and time_slot_type_id is not None:
        slot_type = schedule.time_slot_type(time_slot_type_id)
        step = slot_type.slot_length if slot_type is not None else None
    stride = length if step is None else _length(step, "step")
    ids = _calendars(schedule, calendar_ids)
    out: list[dt.datetime] = []
    for lo, hi in spans:
        points: set[int] = set()
        for calendar_id in ids:
            for slot_start, slot_end, grid in _grid_slots(
                schedule, calendar_id, lo, hi, time_slot_type_id
            ):
                first = slot_start + max(0, -(-(lo - slot_start) // grid)) * grid
                last = min(slot_end - 1, hi - length)
                points.update(t for t in range(first, last + 1, grid) if t % _MINUTE == 0)
        kept: int | None = None
        for t in sorted(points):
            if kept is None or t - kept >= stride:
                out.append(iv.from_micros(t, OSLO))
                kept = t
    return tuple(out)
