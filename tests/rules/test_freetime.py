"""Free time over the real PatientSky export files, with answers worked out by hand."""

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
)
from patientsky.rules.freetime import free_start_times, free_time, parse_period, start_times
from patientsky.wire.legacy import ImportedCalendars, load_folder
from tests.strategies_calendar import FIXTURES, oslo

DANNY = "48cadf26-975e-11e5-b9c2-c8e0eb18c1e9"
EMMA = "452dccfc-975e-11e5-bfa5-c8e0eb18c1e9"
JOANNA = "48644c7a-975e-11e5-a090-c8e0eb18c1e9"
VANLIG = "452935de-975e-11e5-ae1a-c8e0eb18c1e9"  # 15 minutes
LANG_VANLIG = "4529821e-975e-11e5-bbaf-c8e0eb18c1e9"  # 30 minutes
TUESDAY = "2019-04-23T08:00:00/2019-04-24T00:00:00"


@pytest.fixture(scope="module")
def imported() -> ImportedCalendars:
    return load_folder(FIXTURES)


def _spans(intervals: tuple[Interval, ...]) -> list[tuple[str, str]]:
    return [(f"{i.start:%Y-%m-%d %H:%M}", f"{i.end:%H:%M}") for i in intervals]


def _day(*spans: tuple[str, str], day: str = "2019-04-23") -> list[tuple[str, str]]:
    return [(f"{day} {start}", end) for start, end in spans]


def test_all_three_calendars_are_free_together_only_between_their_appointments(
    imported: ImportedCalendars,
) -> None:
    # Worked out by hand: all three have slots 08:00-20:00 that day; their appointments
    # (any state) together take 08:00-09:00, 10:30-11:00, 11:45-13:00, 13:30-14:00,
    # 14:15-14:30, 15:00-16:00, 16:30-16:45, 17:00-17:30 and 18:00-20:00.
    free = free_time(imported.schedule, 30, TUESDAY)
    assert _spans(free) == _day(
        ("09:00", "10:30"),
        ("11:00", "11:45"),
        ("13:00", "13:30"),
        ("14:30", "15:00"),
        ("16:00", "16:30"),
        ("17:30", "18:00"),
    )


def test_shorter_gaps_appear_when_the_duration_is_shorter(imported: ImportedCalendars) -> None:
    free = free_time(imported.schedule, 15, TUESDAY)
    assert ("2019-04-23 14:00", "14:15") in _spans(free)
    assert ("2019-04-23 16:45", "17:00") in _spans(free)
    assert len(free) == 8


def test_one_calendar_alone_is_free_around_its_own_appointments(
    imported: ImportedCalendars,
) -> None:
    # Danny boy: slots 08:00-20:15; appointments 12:15-12:30, 18:30-18:45, 19:00-19:15.
    free = free_time(imported.schedule, 15, TUESDAY, calendar_ids=[DANNY])
    assert _spans(free) == _day(
        ("08:00", "12:15"), ("12:30", "18:30"), ("18:45", "19:00"), ("19:15", "20:15")
    )


def test_a_slot_type_filter_counts_only_slots_of_that_type(imported: ImportedCalendars) -> None:
    # Joanna Hef has "Lang vanlig" slots 09:15-14:15 and an appointment 11:45-12:15.
    free = free_time(
        imported.schedule, 30, TUESDAY, calendar_ids=[JOANNA], time_slot_type_id=LANG_VANLIG
    )
    assert _spans(free) == _day(("09:15", "11:45"), ("12:15", "14:15"))
    vanlig = free_time(
        imported.schedule, 15, TUESDAY, calendar_ids=[JOANNA], time_slot_type_id=VANLIG
    )
    assert _spans(vanlig) == _day(
        ("08:00", "09:15"),
        ("14:30", "15:00"),
        ("16:00", "16:30"),
        ("16:45", "18:00"),
        ("18:30", "19:30"),
        ("19:45", "20:00"),
    )


def test_a_type_filter_over_two_calendars_intersects_their_slots_of_that_type(
    imported: ImportedCalendars,
) -> None:
    # Danny boy's "Lang vanlig": 08:00-10:30, 13:00-18:00, 19:15-20:15; Joanna's: 09:15-14:15.
    free = free_time(
        imported.schedule,
        30,
        TUESDAY,
        calendar_ids=[DANNY, JOANNA],
        time_slot_type_id=LANG_VANLIG,
    )
    assert _spans(free) == _day(("09:15", "10:30"), ("13:00", "14:15"))


def test_a_period_that_cuts_slots_in_half_clips_the_free_time(
    imported: ImportedCalendars,
) -> None:
    # Danny boy's slots 08:00-08:30 and 09:00-09:30 are cut by the period.
    free = free_time(
        imported.schedule, 30, "2019-04-23T08:10:00/2019-04-23T09:05:00", calendar_ids=[DANNY]
    )
    assert _spans(free) == _day(("08:10", "09:05"))
    # The appointment 12:15-12:30 leaves 12:30 to the end of the period (mid-slot, 13:10).
    after = free_time(
        imported.schedule, 15, "2019-04-23T12:20:00/2019-04-23T13:10:00", calendar_ids=[DANNY]
    )
    assert _spans(after) == _day(("12:30", "13:10"))


def test_a_period_shorter_than_the_duration_has_no_free_time(imported: ImportedCalendars) -> None:
    assert free_time(imported.schedule, 30, "2019-04-23T09:00/2019-04-23T09:20") == ()


def test_the_whole_export_week_has_free_time_every_weekday_but_saturday(
    imported: ImportedCalendars,
) -> None:
    free = free_time(imported.schedule, 30, "2019-04-23T08:00:00/2019-04-27T00:00:00")
    days = sorted({i.start.date().isoformat() for i in free})
    assert days == ["2019-04-23", "2019-04-24", "2019-04-25", "2019-04-26"]
    assert len(free) == 16
    assert all(i.start.tzinfo is OSLO and i.end.tzinfo is OSLO for i in free)


def test_every_appointment_state_holds_its_time(imported: ImportedCalendars) -> None:
    # Emma Win: slots 08:00-20:00; appointments 08:00-09:00, 10:30-11:00 (state 4),
    # 12:30-13:00, 13:30-14:00, 15:30-15:45, 17:00-17:30 and 18:45-20:00 (19:00 and
    # 19:30 in state 4).
    free = free_time(imported.schedule, 15, TUESDAY, calendar_ids=[EMMA])
    assert _spans(free) == _day(
        ("09:00", "10:30"),
        ("11:00", "12:30"),
        ("13:00", "13:30"),
        ("14:00", "15:30"),
        ("15:45", "17:00"),
        ("17:30", "18:45"),
    )


def test_public_only_leaves_out_slots_that_are_not_publicly_bookable() -> None:
    public = TimeSlotType("pub", "k", "Vanlig", 15)
    internal = TimeSlotType("int", "k", "Intern", 15, public_bookable=False)
    schedule = Schedule(
        calendars=[Calendar("c", "k", "C")],
        time_slot_types=[public, internal],
        time_slots=[
            TimeSlot("s1", "c", "pub", oslo("2019-04-23T08:00"), oslo("2019-04-23T09:00")),
            TimeSlot("s2", "c", "pub", oslo("2019-04-23T09:00"), oslo("2019-04-23T10:00"), False),
            TimeSlot("s3", "c", "int", oslo("2019-04-23T10:00"), oslo("2019-04-23T11:00")),
            TimeSlot("s4", "c", "pub", oslo("2019-04-23T11:00"), oslo("2019-04-23T12:00")),
        ],
    )
    period = "2019-04-23/2019-04-24"
    assert _spans(free_time(schedule, 15, period)) == _day(("08:00", "12:00"))
    assert _spans(free_time(schedule, 15, period, public_only=True)) == _day(
        ("08:00", "09:00"), ("11:00", "12:00")
    )


def test_overlapping_slots_join_and_cancelled_appointments_free_nothing() -> None:
    schedule = Schedule(
        calendars=[Calendar("c", "k", "C")],
        time_slot_types=[TimeSlotType("t", "k", "Vanlig", 15)],
        time_slots=[
            TimeSlot("s1", "c", "t", oslo("2019-04-23T08:00"), oslo("2019-04-23T09:30")),
            TimeSlot("s2", "c", "t", oslo("2019-04-23T09:00"), oslo("2019-04-23T10:00")),
        ],
        appointments=[
            Appointment("a1", "c", oslo("2019-04-23T08:30"), oslo("2019-04-23T08:45")),
        ],
    )
    free = free_time(schedule, 15, "2019-04-23/P1D")
    assert _spans(free) == _day(("08:00", "08:30"), ("08:45", "10:00"))


def test_start_times_step_by_the_slot_types_length_from_each_intervals_start(
    imported: ImportedCalendars,
) -> None:
    starts = free_start_times(
        imported.schedule,
        30,
        "2019-04-23T09:00/2019-04-23T12:00",
        calendar_ids=[JOANNA],
        time_slot_type_id=LANG_VANLIG,
    )
    # Free "Lang vanlig" time 09:15-11:45: starts every 30 minutes, the last at 11:15.
    assert [f"{t:%H:%M}" for t in starts] == ["09:15", "09:45", "10:15", "10:45", "11:15"]


def test_start_times_without_a_type_step_by_the_duration_unless_told() -> None:
    free = (Interval(oslo("2019-04-23T08:10"), oslo("2019-04-23T09:00")),)
    assert [f"{t:%H:%M}" for t in start_times(free, 20)] == ["08:10", "08:30"]
    assert [f"{t:%H:%M}" for t in start_times(free, 20, step=dt.timedelta(minutes=10))] == [
        "08:10",
        "08:20",
        "08:30",
        "08:40",
    ]


def test_periods_can_be_given_as_an_interval_or_two_aware_datetimes(
    imported: ImportedCalendars,
) -> None:
    text = free_time(imported.schedule, 30, TUESDAY)
    start, end = oslo("2019-04-23T08:00"), oslo("2019-04-24T00:00")
    assert free_time(imported.schedule, 30, Interval(start, end)) == text
    in_utc = (start.astimezone(dt.UTC), end.astimezone(dt.UTC))
    assert free_time(imported.schedule, dt.timedelta(minutes=30), in_utc) == text


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019-04-23T08:00:00/2019-04-27T00:00:00", "2019-04-23T08:00", "2019-04-27T00:00"),
        ("2019-04-23/2019-04-24", "2019-04-23T00:00", "2019-04-24T00:00"),
        ("2019-04-23T06:00:00Z/2019-04-23T12:00+02:00", "2019-04-23T08:00", "2019-04-23T12:00"),
        ("2019-04-23T08:00/PT4H30M", "2019-04-23T08:00", "2019-04-23T12:30"),
        ("P1W/2019-04-30T08:00", "2019-04-23T08:00", "2019-04-30T08:00"),
        ("2019-01-31/P1M", "2019-01-31T00:00", "2019-02-28T00:00"),
    ],
)
def test_periods_are_read_as_iso_8601_intervals_in_oslo_time(
    text: str, start: str, end: str
) -> None:
    period = parse_period(text)
    assert period == Interval(oslo(start), oslo(end))
    assert period.start.tzinfo is OSLO


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-04-23T08:00:00", "must be an ISO 8601 interval"),
        ("2019-04-23/2019-04-24/2019-04-25", "must be an ISO 8601 interval"),
        ("nonsense/2019-04-24", "start 'nonsense' is not an ISO 8601 date or time"),
        ("2019-04-24/2019-04-23", "must end after it starts"),
        ("2019-04-23/2019-04-23", "must end after it starts"),
        ("P1D/P2D", "not two durations"),
        ("2019-04-23/P", "is not an ISO 8601 duration"),
        ("2019-04-23/P1DT", "is not an ISO 8601 duration"),
        ("2019-03-31T02:30/2019-04-01", "does not exist in Europe/Oslo"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_period(text)
    assert caught.value.field == "period"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"duration": 0}, "duration"),
        ({"duration": -5}, "duration"),
        ({"duration": True}, "duration"),
        ({"duration": 30.0}, "duration"),
        ({"calendar_ids": []}, "calendar_ids"),
        ({"calendar_ids": "c"}, "calendar_ids"),
        ({"calendar_ids": ["nobody"]}, "calendar_ids[0]"),
        ({"time_slot_type_id": "nothing"}, "time_slot_type_id"),
        ({"period": (dt.datetime(2019, 4, 23), dt.datetime(2019, 4, 24))}, "period.start"),
        ({"period": 42}, "period"),
    ],
)
def test_bad_arguments_raise_invalid_input_naming_the_argument(
    imported: ImportedCalendars, kwargs: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"duration": 30, "period": TUESDAY, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        free_time(imported.schedule, **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_step_must_be_positive() -> None:
    free = (Interval(oslo("2019-04-23T08:00"), oslo("2019-04-23T09:00")),)
    with pytest.raises(InvalidInput, match="step: must be positive"):
        start_times(free, 15, step=0)
