"""Free time on the nights the clocks change in Oslo (2019-03-31 and 2019-10-27)."""

from __future__ import annotations

import datetime as dt

import pytest

from patientsky.errors import InvalidInput
from patientsky.models.calendar import (
    OSLO,
    Appointment,
    Calendar,
    Interval,
    Schedule,
    TimeSlot,
    TimeSlotType,
    to_oslo,
)
from patientsky.rules.freetime import free_start_times, free_time, parse_period
from tests.strategies_calendar import oslo

SPRING = "2019-03-31"  # 02:00 CET becomes 03:00 CEST: the night has 23 hours
AUTUMN = "2019-10-27"  # 03:00 CEST becomes 02:00 CET: the night has 25 hours


def _night(day: str, *appointments: tuple[dt.datetime, dt.datetime]) -> Schedule:
    """A calendar with one slot from 00:00 to 06:00 (wall clock) on ``day``."""
    return Schedule(
        calendars=[Calendar("c", "k", "Legevakt")],
        time_slot_types=[TimeSlotType("t", "k", "Vanlig", 30)],
        time_slots=[TimeSlot("s", "c", "t", oslo(f"{day}T00:00"), oslo(f"{day}T06:00"))],
        appointments=[
            Appointment(f"a{i}", "c", start, end) for i, (start, end) in enumerate(appointments)
        ],
    )


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_a_night_slot_is_an_hour_shorter_when_the_clocks_go_forward() -> None:
    (free,) = free_time(_night(SPRING), 30, f"{SPRING}/P1D")
    assert free.duration == dt.timedelta(hours=5)
    assert free_time(_night(SPRING), 5 * 60 + 1, f"{SPRING}/P1D") == ()


def test_a_night_slot_is_an_hour_longer_when_the_clocks_go_back() -> None:
    (free,) = free_time(_night(AUTUMN), 7 * 60, f"{AUTUMN}/P1D")
    assert free.duration == dt.timedelta(hours=7)
    assert free.start == oslo(f"{AUTUMN}T00:00")
    assert free.end == oslo(f"{AUTUMN}T06:00")


def test_an_appointment_in_the_first_of_the_two_autumn_hours_leaves_the_second_free() -> None:
    # 02:00-03:00 happens twice; the appointment takes the first (summer time) one.
    first = (_utc(f"{AUTUMN}T00:00"), _utc(f"{AUTUMN}T01:00"))
    free = free_time(_night(AUTUMN, first), 30, f"{AUTUMN}/P1D")
    # The slot is 22:00 UTC (the day before) to 05:00 UTC.
    assert [(i.start.astimezone(dt.UTC), i.end.astimezone(dt.UTC)) for i in free] == [
        (_utc("2019-10-26T22:00"), _utc(f"{AUTUMN}T00:00")),
        (_utc(f"{AUTUMN}T01:00"), _utc(f"{AUTUMN}T05:00")),
    ]
    # Reported in Oslo time: the second interval starts at 02:00 winter time (+01:00).
    assert free[1].start.isoformat() == f"{AUTUMN}T02:00:00+01:00"
    assert free[1].start.fold == 1


def test_start_times_step_in_elapsed_time_across_the_spring_gap() -> None:
    starts = free_start_times(_night(SPRING), 30, f"{SPRING}T01:00/{SPRING}T04:00")
    # 01:00-04:00 on the wall clock is two real hours: 02:xx does not exist.
    assert [t.isoformat() for t in starts] == [
        f"{SPRING}T01:00:00+01:00",
        f"{SPRING}T01:30:00+01:00",
        f"{SPRING}T03:00:00+02:00",
        f"{SPRING}T03:30:00+02:00",
    ]


def test_start_times_step_in_elapsed_time_through_the_repeated_autumn_hour() -> None:
    starts = free_start_times(_night(AUTUMN), 30, f"{AUTUMN}T01:00/{AUTUMN}T04:00")
    assert [f"{t:%H:%M%z}" for t in starts] == [
        "01:00+0200",
        "01:30+0200",
        "02:00+0200",
        "02:30+0200",
        "02:00+0100",
        "02:30+0100",
        "03:00+0100",
        "03:30+0100",
    ]


def test_an_ambiguous_wall_clock_time_means_its_first_occurrence() -> None:
    first = to_oslo(dt.datetime(2019, 10, 27, 2, 30))
    assert first.utcoffset() == dt.timedelta(hours=2)
    assert first.fold == 0
    assert parse_period(f"{AUTUMN}T02:30/{AUTUMN}T02:45").minutes == 15
    second = to_oslo(dt.datetime(2019, 10, 27, 2, 30, fold=1))
    assert second.utcoffset() == dt.timedelta(hours=1)
    assert Interval(first, second).minutes == 60


def test_a_wall_clock_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(InvalidInput, match="does not exist in Europe/Oslo"):
        to_oslo(dt.datetime(2019, 3, 31, 2, 30), field="start")
    with pytest.raises(InvalidInput, match=r"^period: does not exist"):
        parse_period(f"{SPRING}T02:00/{SPRING}T05:00")


def test_a_day_long_period_is_one_calendar_day_whatever_its_length() -> None:
    assert parse_period(f"{SPRING}/P1D").duration == dt.timedelta(hours=23)
    assert parse_period(f"{AUTUMN}/P1D").duration == dt.timedelta(hours=25)
    assert parse_period(f"{AUTUMN}/PT24H").end == oslo(f"{AUTUMN}T23:00")


def test_intervals_compare_by_instant_even_in_the_repeated_hour() -> None:
    summer = dt.datetime(2019, 10, 27, 2, 30, tzinfo=OSLO)  # 00:30 UTC
    winter = dt.datetime(2019, 10, 27, 2, 15, fold=1, tzinfo=OSLO)  # 01:15 UTC
    interval = Interval(summer, winter)
    assert interval.minutes == 45
    assert interval.in_oslo() == interval
    assert Interval(summer.astimezone(dt.UTC), winter.astimezone(dt.UTC)) == interval
    with pytest.raises(InvalidInput, match="end: must be after start"):
        Interval(winter, summer)
