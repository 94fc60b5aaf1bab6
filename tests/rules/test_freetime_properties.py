"""Free time: its invariants as properties, over drawn schedules (on DST nights too)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models.calendar import (
    Appointment,
    AppointmentStatus,
    Interval,
    Schedule,
    _Track,
)
from patientsky.rules import _intervals as iv
from patientsky.rules.freetime import free_start_times, free_time, on_grid, start_times
from tests.strategies_calendar import (
    HORIZON,
    TYPES,
    Case,
    cases,
    counting_slots,
    free_cells,
    holding_appointments,
)

_TINY = dt.timedelta(microseconds=1)


def _free(case: Case, schedule: Schedule | None = None) -> tuple[Interval, ...]:
    return free_time(
        schedule or case.schedule,
        case.duration,
        case.period_interval,
        calendar_ids=case.calendar_ids,
        time_slot_type_id=case.type_id,
        public_only=case.public_only,
    )


def _merged(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for interval in sorted(intervals):
        if out and interval.start <= out[-1].end:
            if interval.end > out[-1].end:
                out[-1] = Interval(out[-1].start, interval.end)
        else:
            out.append(interval)
    return out


def _free_at(case: Case, instant: dt.datetime) -> bool:
    """Whether every calendar asked about is free at one instant (checked directly)."""
    return all(
        any(s.interval.contains(instant) for s in counting_slots(case, cid))
        and not any(a.interval.contains(instant) for a in holding_appointments(case, cid))
        for cid in case.calendar_ids
    )


@given(cases())
def test_free_time_equals_the_brute_force_answer_on_the_grid(case: Case) -> None:
    assert [(i.start, i.end) for i in _free(case)] == free_cells(case)


@given(cases())
def test_every_interval_lies_inside_the_slots_of_every_calendar(case: Case) -> None:
    for interval in _free(case):
        for calendar_id in case.calendar_ids:
            bookable = _merged([s.interval for s in counting_slots(case, calendar_id)])
            assert any(b.contains(interval) for b in bookable)


@given(cases())
def test_no_interval_overlaps_an_appointment_that_holds_time(case: Case) -> None:
    for interval in _free(case):
        for calendar_id in case.calendar_ids:
            for appointment in holding_appointments(case, calendar_id):
                assert not interval.overlaps(appointment.interval)


@given(cases(), st.data())
def test_adding_an_appointment_never_adds_free_time(case: Case, data: st.DataObject) -> None:
    calendar_id = data.draw(st.sampled_from(case.calendar_ids))
    start = data.draw(st.integers(case.period[0] - 10, case.period[1] + 10))
    length = data.draw(st.integers(1, 30))
    extra = Appointment("extra", calendar_id, case.at(start), case.at(start + length))
    before = _free(case)
    after = _free(case, case.schedule.with_appointments([extra]))
    assert all(any(b.contains(a) for b in before) for a in after)
    assert all(not a.overlaps(extra.interval) for a in after)


@given(cases(), st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_order_of_calendars_or_inputs(
    case: Case, rng: random.Random
) -> None:
    schedule = case.schedule
    calendars, types = list(schedule.calendars), list(schedule.time_slot_types)
    slots, appointments = list(schedule.time_slots), list(schedule.appointments)
    rng.shuffle(calendars)
    rng.shuffle(types)
    rng.shuffle(slots)
    rng.shuffle(appointments)
    reordered = Schedule(
        calendars=calendars, time_slot_types=types, time_slots=slots, appointments=appointments
    )
    ids = list(case.calendar_ids)
    rng.shuffle(ids)
    assert free_time(
        reordered,
        case.duration,
        case.period_interval,
        calendar_ids=ids,
        time_slot_type_id=case.type_id,
        public_only=case.public_only,
    ) == _free(case)


@given(cases())
def test_every_interval_is_at_least_the_duration_and_inside_the_period(case: Case) -> None:
    period = case.period_interval
    for interval in _free(case):
        assert interval.duration >= case.duration
        assert period.contains(interval)


@given(cases())
def test_intervals_are_sorted_disjoint_and_maximal(case: Case) -> None:
    free = _free(case)
    period = case.period_interval
    for earlier, later in itertools.pairwise(free):
        # Strictly apart: two intervals that touched would be one.
        assert earlier.end < later.start
    for interval in free:
        assert _free_at(case, interval.start)
        assert _free_at(case, interval.end - _TINY)
        assert interval.start == period.start or not _free_at(case, interval.start - _TINY)
        assert interval.end == period.end or not _free_at(case, interval.end)


@given(cases())
def test_one_calendar_asked_twice_is_the_same_as_once(case: Case) -> None:
    twice = attrs.evolve(case, calendar_ids=(*case.calendar_ids, case.calendar_ids[0]))
    assert _free(twice) == _free(case)


@given(cases(), st.integers(1, 12))
def test_start_times_lie_in_free_time_and_step_from_each_interval_start(
    case: Case, step_cells: int
) -> None:
    free = _free(case)
    step = step_cells * dt.timedelta(minutes=5)
    starts = start_times(free, case.duration, step=step)
    for start in starts:
        # Elapsed time: adding to an Oslo wall clock is wrong on the nights the clocks change.
        booking = Interval(
            start, (start.astimezone(dt.UTC) + case.duration).astimezone(start.tzinfo)
        )
        home = [i for i in free if i.contains(booking)]
        assert len(home) == 1
        offset = iv.to_micros(start) - iv.to_micros(home[0].start)
        assert offset % (step // _TINY) == 0
    # Every interval offers at least its own start.
    assert {i.start for i in free} <= set(starts)


@given(
    st.lists(st.tuples(st.integers(0, 100), st.integers(1, 20)), max_size=8),
    st.lists(st.tuples(st.integers(0, 100), st.integers(1, 20)), max_size=8),
)
def test_the_interval_sweeps_agree_with_sets_of_points(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> None:
    a = iv.union((s, s + n) for s, n in left)
    b = iv.union((s, s + n) for s, n in right)

    def points(spans: list[iv.Span]) -> set[int]:
        return {p for s, e in spans for p in range(s, e)}

    assert points(iv.subtract(a, b)) == points(a) - points(b)
    assert points(iv.intersect_all([a, b])) == points(a) & points(b)
    for result in (iv.union([*a, *b]), iv.subtract(a, b), iv.intersect_all([a, b])):
        assert all(s < e for s, e in result)
        assert all(x[1] < y[0] for x, y in itertools.pairwise(result))


# The grid --------------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _grid_oracle(case: Case, start: dt.datetime) -> bool | None:
    """On the grid of a slot that holds ``start`` (True), off it (False), in none (None)."""
    if _utc(start).second or _utc(start).microsecond:
        return False
    lengths = {t.id: t.slot_length for t in case.schedule.time_slot_types}
    holding = [
        s
        for cid in case.calendar_ids
        for s in case.schedule.slots_of(cid)
        if (case.type_id is None or s.type_id == case.type_id) and s.interval.contains(start)
    ]
    if not holding:
        return None
    return any(
        (_utc(start) - _utc(s.start)) % lengths[s.type_id] == dt.timedelta(0) for s in holding
    )


@given(cases(), st.integers(0, HORIZON - 1), st.sampled_from([0, 1, 59]))
def test_a_start_is_on_the_grid_exactly_when_a_slot_holding_it_has_a_boundary_there(
    case: Case, cell: int, seconds: int
) -> None:
    start = (_utc(case.at(cell)) + dt.timedelta(seconds=seconds)).astimezone(case.base.tzinfo)
    expected = _grid_oracle(case, start)
    got = on_grid(
        case.schedule, start, calendar_ids=case.calendar_ids, time_slot_type_id=case.type_id
    )
    assert got is (expected is True)


@given(cases(), st.none() | st.integers(1, 12))
def test_every_offered_start_is_on_the_grid_in_free_time_and_a_step_apart(
    case: Case, step_cells: int | None
) -> None:
    step = None if step_cells is None else step_cells * dt.timedelta(minutes=5)
    free = _free(case)
    starts = free_start_times(
        case.schedule,
        case.duration,
        case.period_interval,
        calendar_ids=case.calendar_ids,
        time_slot_type_id=case.type_id,
        public_only=case.public_only,
        step=step,
    )
    if step is None:
        type_length = {t.id: t.slot_length for t in TYPES}.get(case.type_id or "")
        step = type_length or case.duration
    assert [_utc(t) for t in starts] == sorted({_utc(t) for t in starts})
    for start in starts:
        assert _grid_oracle(case, start) is True
        assert on_grid(case.schedule, start, calendar_ids=case.calendar_ids)
        end = _utc(start) + case.duration
        (home,) = [i for i in free if i.contains(start) and _utc(i.end) >= end]
        same = [t for t in starts if home.contains(t) and _utc(t) < _utc(start)]
        assert not same or _utc(start) - _utc(same[-1]) >= step
    # An interval whose earliest grid start fits offers it.
    for interval in free:
        cells = range(case.period[0], case.period[1] + 1)
        fitting = [
            case.at(c)
            for c in cells
            if interval.contains(case.at(c))
            and _utc(case.at(c)) + case.duration <= _utc(interval.end)
            and _grid_oracle(case, case.at(c)) is True
        ]
        if fitting:
            assert _utc(fitting[0]) in {_utc(t) for t in starts}


@given(cases(), st.data())
def test_a_schedule_made_from_another_with_new_appointments_is_the_one_made_afresh(
    case: Case, data: st.DataObject
) -> None:
    # The sandbox makes a booked schedule from the last one (its slots' index shared);
    # it must be the schedule, and answer exactly as, the one made from all the rows.
    base = case.schedule
    _free(case)  # the base has derived (and kept) its free time first
    calendar_id = data.draw(st.sampled_from(case.calendar_ids))
    start = data.draw(st.integers(case.period[0] - 10, case.period[1] + 10))
    length = data.draw(st.integers(1, 30))
    kept = [a for a in base.appointments if data.draw(st.booleans())]
    if data.draw(st.booleans()):
        kept.append(Appointment("extra", calendar_id, case.at(start), case.at(start + length)))
    fresh = Schedule(base.calendars, base.time_slot_types, base.time_slots, kept)
    derived = base._with_appointments_only(kept)
    assert derived == fresh
    assert _free(case, derived) == _free(case, fresh)
    period = case.period_interval
    for calendar_id in case.calendar_ids:
        assert derived.appointments_of(calendar_id) == fresh.appointments_of(calendar_id)
        assert derived.slots_of(calendar_id, period.start, period.end) == fresh.slots_of(
            calendar_id, period.start, period.end
        )
    starts = [
        free_start_times(
            schedule,
            case.duration,
            period,
            calendar_ids=case.calendar_ids,
            time_slot_type_id=case.type_id,
            public_only=case.public_only,
        )
        for schedule in (derived, fresh)
    ]
    assert starts[0] == starts[1]


@given(cases(), st.data())
def test_a_schedule_with_appointments_replaced_is_the_one_made_afresh(
    case: Case, data: st.DataObject
) -> None:
    # The sandbox puts the appointments it stores into the schedule it read: replaced
    # by id (a cancellation), moved to another calendar, or new (a booking). Only the
    # calendars they touch are indexed again; it must answer as the one made afresh.
    base = case.schedule
    _free(case)  # the base has derived (and kept) its free time first
    period = case.period_interval
    if data.draw(st.booleans()):  # and those holding time, kept up to date if so
        for calendar_id in case.calendar_ids:
            base._holding_of(calendar_id, period.start, period.end)
    changed = []
    for appointment in base.appointments:
        if data.draw(st.booleans()):
            calendar_id = data.draw(st.sampled_from(case.calendar_ids))
            status = data.draw(st.sampled_from(AppointmentStatus))
            changed.append(attrs.evolve(appointment, calendar_id=calendar_id, status=status))
    for n in range(data.draw(st.integers(0, 2))):
        calendar_id = data.draw(st.sampled_from(case.calendar_ids))
        start = data.draw(st.integers(case.period[0] - 10, case.period[1] + 10))
        length = data.draw(st.integers(1, 30))
        end = case.at(start + length)
        changed.append(Appointment(f"new-{n}", calendar_id, case.at(start), end))
    fresh = base.with_appointments(changed)
    derived = base._with_appointments_replaced(changed)
    assert derived == fresh
    assert _free(case, derived) == _free(case, fresh)
    for calendar_id in case.calendar_ids:
        assert derived.appointments_of(calendar_id) == fresh.appointments_of(calendar_id)
        assert derived.appointments_of(
            calendar_id, period.start, period.end
        ) == fresh.appointments_of(calendar_id, period.start, period.end)
        holding = fresh.appointments_of(calendar_id, period.start, period.end)
        assert derived._holding_of(calendar_id, period.start, period.end) == tuple(
            a for a in holding if a.holds_time
        )
    assert _free(case, base) == _free(case, case.schedule)  # the base is unchanged


def test_a_schedule_made_with_new_appointments_checks_them_as_a_new_schedule_does() -> None:
    at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    base = Schedule()
    bad: tuple[list[Any], ...] = (
        [Appointment("a", "nowhere", at, at + dt.timedelta(minutes=15))],
        ["not an appointment"],
    )
    for appointments in bad:
        with pytest.raises(InvalidInput) as fresh:
            Schedule(appointments=appointments)
        with pytest.raises(InvalidInput) as derived:
            base._with_appointments_only(appointments)
        assert (derived.value.field, derived.value.message) == (
            fresh.value.field,
            fresh.value.message,
        )
        with pytest.raises(InvalidInput) as replaced:
            base._with_appointments_replaced(appointments)
        assert (replaced.value.field, replaced.value.message) == (
            fresh.value.field,
            fresh.value.message,
        )


@given(cases(), st.data())
def test_a_track_with_items_replaced_is_the_track_made_afresh(
    case: Case, data: st.DataObject
) -> None:
    # Found and placed by bisection, or made afresh when a dropped item is not there.
    items = list(case.schedule.appointments)
    track = _Track(items)
    dropped = [a for a in items if data.draw(st.booleans())]
    if data.draw(st.booleans()):
        dropped.append(Appointment("stranger", "c", case.at(0), case.at(1)))
    start = data.draw(st.integers(case.period[0] - 10, case.period[1] + 10))
    added = [Appointment("added", "c", case.at(start), case.at(start + 3))]
    replaced = track.replaced(dropped, added)
    fresh = _Track([*(a for a in items if all(a is not d for d in dropped)), *added])
    assert (replaced.items, replaced.starts, replaced.ends, replaced.reach) == (
        fresh.items,
        fresh.starts,
        fresh.ends,
        fresh.reach,
    )


@given(cases(), st.integers(0, 40), st.integers(1, 12))
def test_a_short_period_asked_first_is_answered_as_from_the_whole_calendar(
    case: Case, offset: int, width: int
) -> None:
    # A schedule not asked about before answers a short period from the parts inside
    # it; one asked about a long period first clips the whole calendar's free time.
    def copy() -> Schedule:
        base = case.schedule
        return Schedule(base.calendars, base.time_slot_types, base.time_slots, base.appointments)

    start = case.period[0] - 10 + offset
    short = Interval(case.at(start), case.at(start + width))
    everything = Interval(case.at(case.period[0] - 1000), case.at(case.period[1] + 1000))

    def ask(schedule: Schedule, period: Interval) -> tuple[Interval, ...]:
        return free_time(
            schedule,
            case.duration,
            period,
            calendar_ids=case.calendar_ids,
            time_slot_type_id=case.type_id,
            public_only=case.public_only,
        )

    first = copy()
    answer = ask(first, short)
    whole_first = copy()
    ask(whole_first, everything)
    assert answer == ask(whole_first, short)
