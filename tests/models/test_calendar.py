"""Calendar models: Oslo wall-clock times, intervals, and the Schedule bundle."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import Unrecognized
from patientsky.models.calendar import (
    OSLO,
    Appointment,
    AppointmentStatus,
    Calendar,
    Interval,
    Schedule,
    TimeSlot,
    TimeSlotType,
    to_oslo,
)
from tests.strategies_calendar import Case, cases, oslo


def _schedule() -> Schedule:
    return Schedule(
        calendars=[Calendar("c", "k", "Dr. Berg")],
        time_slot_types=[TimeSlotType("t", "k", "Vanlig", 15)],
        time_slots=[TimeSlot("s", "c", "t", oslo("2019-04-23T08:00"), oslo("2019-04-23T09:00"))],
        appointments=[Appointment("a", "c", oslo("2019-04-23T08:00"), oslo("2019-04-23T08:15"))],
    )


def test_to_oslo_reads_naive_times_as_oslo_wall_clock_and_converts_aware_ones() -> None:
    assert to_oslo(dt.datetime(2019, 4, 23, 8)).isoformat() == "2019-04-23T08:00:00+02:00"
    assert to_oslo(dt.datetime(2019, 1, 23, 8)).isoformat() == "2019-01-23T08:00:00+01:00"
    utc = dt.datetime(2019, 4, 23, 6, tzinfo=dt.UTC)
    assert to_oslo(utc) == utc
    assert to_oslo(utc).tzinfo is OSLO
    with pytest.raises(InvalidInput, match=r"^when: must be a datetime"):
        to_oslo("2019-04-23T08:00", field="when")  # type: ignore[arg-type]


def test_an_interval_must_end_after_it_starts_and_be_aware() -> None:
    with pytest.raises(InvalidInput, match=r"^end: must be after start"):
        Interval(oslo("2019-04-23T09:00"), oslo("2019-04-23T09:00"))
    with pytest.raises(InvalidInput, match=r"^start: must be timezone-aware"):
        Interval(dt.datetime(2019, 4, 23, 8), oslo("2019-04-23T09:00"))


def test_intervals_overlap_contain_sort_and_print_in_oslo_time() -> None:
    morning = Interval(oslo("2019-04-23T08:00"), oslo("2019-04-23T12:00"))
    late = Interval(oslo("2019-04-23T11:00"), oslo("2019-04-24T01:00"))
    after = Interval(oslo("2019-04-23T12:00"), oslo("2019-04-23T13:00"))
    assert morning.overlaps(late)
    assert not morning.overlaps(after)  # touching is not overlapping
    assert morning.contains(oslo("2019-04-23T08:00"))
    assert not morning.contains(oslo("2019-04-23T12:00"))
    assert not morning.contains(late)
    assert sorted([after, late, morning]) == [morning, late, after]
    assert morning < late <= late < after
    assert after > late >= late > morning
    assert morning != "2019-04-23 08:00-12:00"
    assert len({morning, morning.in_oslo(), late}) == 2
    assert str(morning) == "2019-04-23 08:00-12:00"
    assert str(late) == "2019-04-23 11:00-2019-04-24 01:00"
    utc = dt.datetime(2019, 4, 23, 6, tzinfo=dt.UTC)
    assert str(Interval(utc, utc + after.duration)) == "2019-04-23 08:00-09:00"
    assert morning.minutes == 240


def test_only_a_cancelled_appointment_frees_its_time() -> None:
    appointment = _schedule().appointments[0]
    assert appointment.holds_time
    assert attrs.evolve(appointment, status=Unrecognized("legacy_state_4")).holds_time
    assert not attrs.evolve(appointment, status=AppointmentStatus.CANCELLED).holds_time


def test_a_schedule_refuses_dangling_references_and_repeated_ids() -> None:
    good = _schedule()
    with pytest.raises(InvalidInput, match=r"^time_slots\[0\]\.calendar_id"):
        attrs.evolve(good, calendars=[])
    with pytest.raises(InvalidInput, match=r"^time_slots\[0\]\.type_id"):
        attrs.evolve(good, time_slot_types=[])
    with pytest.raises(InvalidInput, match=r"^appointments\[0\]\.calendar_id"):
        Schedule(appointments=good.appointments)
    with pytest.raises(InvalidInput, match=r"^time_slots\[1\]\.id: repeats"):
        attrs.evolve(good, time_slots=[*good.time_slots, *good.time_slots])
    with pytest.raises(InvalidInput, match="must be a list"):
        Schedule(calendars="c")


def test_a_schedule_merges_with_itself_and_refuses_conflicting_ids() -> None:
    schedule = _schedule()
    assert schedule.merge(schedule) == schedule
    moved = attrs.evolve(schedule.time_slots[0], end=oslo("2019-04-23T10:00"))
    with pytest.raises(InvalidInput, match=r"^time_slots\.s: two different items"):
        schedule.merge(attrs.evolve(schedule, time_slots=[moved]))


def test_with_appointments_adds_new_ones_and_replaces_by_id() -> None:
    schedule = _schedule()
    cancelled = attrs.evolve(schedule.appointments[0], status=AppointmentStatus.CANCELLED)
    extra = Appointment("b", "c", oslo("2019-04-23T08:30"), oslo("2019-04-23T08:45"))
    updated = schedule.with_appointments([cancelled, extra])
    assert updated.appointments == (cancelled, extra)
    assert schedule.appointments_of("c")[0].holds_time  # the original is unchanged
    assert updated.calendar("c") == schedule.calendar("c")
    assert updated.calendar("x") is None
    assert updated.slots_of("x") == ()
    assert updated.appointments_of("x") == ()


@given(cases(), st.data())
def test_the_range_queries_find_exactly_the_items_that_overlap(
    case: Case, data: st.DataObject
) -> None:
    lo = data.draw(st.integers(-20, 600))
    hi = data.draw(st.integers(lo + 1, 620))
    start, end = case.at(lo), case.at(hi)
    window = Interval(start, end)
    for calendar_id in case.schedule.calendar_ids:
        slots = case.schedule.slots_of(calendar_id)
        assert case.schedule.slots_of(calendar_id, start, end) == tuple(
            s for s in slots if s.interval.overlaps(window)
        )
        appointments = case.schedule.appointments_of(calendar_id)
        assert case.schedule.appointments_of(calendar_id, start, end) == tuple(
            a for a in appointments if a.interval.overlaps(window)
        )
        assert list(slots) == sorted(slots, key=lambda s: (s.interval, s.id))
