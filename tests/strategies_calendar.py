"""
Hypothesis strategies for calendars: schedules of time slots and appointments, and periods.

Times are drawn on a five-minute grid counted in real (UTC) time from midnight in Oslo
of an ordinary day or of a night the clocks change, so the properties run across
daylight saving time. :func:`free_cells` is a brute-force oracle on that grid.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
from hypothesis import strategies as st

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
)

__all__ = [
    "SHARED_FIXTURES",
    "CELL",
    "CLINIC",
    "DAYS",
    "FIXTURES",
    "Case",
    "cases",
    "counting_slots",
    "free_cells",
    "holding_appointments",
    "oslo",
]

_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "patientsky-calendars"
SHARED_FIXTURES = _SHARED.is_dir()
"""Whether the shared fixtures (with their patients' metadata) are beside this checkout."""
FIXTURES = (
    _SHARED
    if SHARED_FIXTURES
    else Path(__file__).resolve().parents[1] / "src" / "patientsky" / "data" / "calendar-exports"
)
"""
The PatientSky calendar export fixtures (read only), from the shared folder beside the
checkout; where a checkout stands alone, the copies the package ships (the same calendars,
without their patients' metadata).
"""

CLINIC = "clinic-1"
CELL = dt.timedelta(minutes=5)
HORIZON = 2 * 24 * 12  # two days of five-minute cells

DAYS = (
    dt.datetime(2019, 4, 23, tzinfo=OSLO),  # an ordinary Tuesday
    dt.datetime(2019, 3, 31, tzinfo=OSLO),  # clocks go forward: 02:00 -> 03:00
    dt.datetime(2019, 10, 27, tzinfo=OSLO),  # clocks go back: 03:00 -> 02:00
)

TYPES = (
    TimeSlotType("t15", CLINIC, "Vanlig", 15),
    TimeSlotType("t30", CLINIC, "Lang vanlig", 30),
    TimeSlotType("t60", CLINIC, "Intern", 60, public_bookable=False),
)


def oslo(text: str) -> dt.datetime:
    """Return an ISO date and time without offset as Oslo time (fold=0)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=OSLO)


def _at(base: dt.datetime, cell: int) -> dt.datetime:
    return (base.astimezone(dt.UTC) + cell * CELL).astimezone(OSLO)


@attrs.frozen
class Case:
    """A drawn schedule with a question to ask it, all on the five-minute grid."""

    base: dt.datetime
    schedule: Schedule
    calendar_ids: tuple[str, ...]
    period: tuple[int, int]
    duration_cells: int
    type_id: str | None
    public_only: bool

    @property
    def period_interval(self) -> Interval:
        """The period as an interval."""
        return Interval(_at(self.base, self.period[0]), _at(self.base, self.period[1]))

    @property
    def duration(self) -> dt.timedelta:
        """The duration asked for."""
        return self.duration_cells * CELL

    def at(self, cell: int) -> dt.datetime:
        """The instant at the start of grid cell ``cell``."""
        return _at(self.base, cell)


@st.composite
def _slots(draw: st.DrawFn, base: dt.datetime, calendar_id: str) -> list[TimeSlot]:
    out = []
    for i in range(draw(st.integers(0, 10))):
        start = draw(st.integers(0, HORIZON - 1))
        length = draw(st.integers(1, 36))
        out.append(
            TimeSlot(
                id=f"{calendar_id}-s{i}",
                calendar_id=calendar_id,
                type_id=draw(st.sampled_from([t.id for t in TYPES])),
                start=_at(base, start),
                end=_at(base, min(start + length, HORIZON)),
                public_bookable=draw(st.booleans()),
            )
        )
    return out


_STATUSES: st.SearchStrategy[AppointmentStatus | Unrecognized] = st.sampled_from(
    [AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED, Unrecognized("legacy_state_4")]
)


@st.composite
def _appointments(draw: st.DrawFn, base: dt.datetime, calendar_id: str) -> list[Appointment]:
    out = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, HORIZON - 1))
        length = draw(st.integers(1, 12))
        out.append(
            Appointment(
                id=f"{calendar_id}-a{i}",
                calendar_id=calendar_id,
                start=_at(base, start),
                end=_at(base, min(start + length, HORIZON)),
                status=draw(_STATUSES),
            )
        )
    return out


@st.composite
def cases(draw: st.DrawFn, *, max_calendars: int = 3) -> Case:
    """Draw a schedule of 1 to ``max_calendars`` calendars and a free-time question."""
    base = draw(st.sampled_from(DAYS))
    ids = [f"c{i}" for i in range(draw(st.integers(1, max_calendars)))]
    slots = [s for cid in ids for s in draw(_slots(base, cid))]
    appointments = [a for cid in ids for a in draw(_appointments(base, cid))]
    schedule = Schedule(
        calendars=[Calendar(cid, CLINIC, f"Calendar {cid}") for cid in ids],
        time_slot_types=TYPES,
        time_slots=slots,
        appointments=appointments,
    )
    lo = draw(st.integers(0, HORIZON - 1))
    hi = draw(st.integers(lo + 1, HORIZON))
    asked = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    return Case(
        base=base,
        schedule=schedule,
        calendar_ids=tuple(asked),
        period=(lo, hi),
        duration_cells=draw(st.integers(1, 24)),
        type_id=draw(st.none() | st.sampled_from([t.id for t in TYPES])),
        public_only=draw(st.booleans()),
    )


def counting_slots(case: Case, calendar_id: str) -> list[TimeSlot]:
    """The slots of a calendar that count for the case's type and public filter."""
    public_types = {t.id for t in case.schedule.time_slot_types if t.public_bookable}
    return [
        s
        for s in case.schedule.slots_of(calendar_id)
        if (case.type_id is None or s.type_id == case.type_id)
        and (not case.public_only or (s.public_bookable and s.type_id in public_types))
    ]


def holding_appointments(case: Case, calendar_id: str) -> list[Appointment]:
    """The appointments of a calendar that hold their time."""
    return [a for a in case.schedule.appointments_of(calendar_id) if a.holds_time]


def free_cells(case: Case) -> list[tuple[dt.datetime, dt.datetime]]:
    """
    The oracle: maximal runs of grid cells free in every calendar asked about.

    A cell is free in a calendar when a counting slot covers it and no holding
    appointment touches it; runs shorter than the duration are dropped.
    """
    lo, hi = case.period
    free = []
    for cell in range(lo, hi):
        start, end = case.at(cell), case.at(cell + 1)
        cell_interval = Interval(start, end)
        free.append(
            all(
                any(s.interval.contains(cell_interval) for s in counting_slots(case, cid))
                and not any(
                    a.interval.overlaps(cell_interval) for a in holding_appointments(case, cid)
                )
                for cid in case.calendar_ids
            )
        )
    runs: list[tuple[dt.datetime, dt.datetime]] = []
    run_start = None
    for offset, is_free in enumerate([*free, False]):
        if is_free and run_start is None:
            run_start = lo + offset
        elif not is_free and run_start is not None:
            if lo + offset - run_start >= case.duration_cells:
                runs.append((case.at(run_start), case.at(lo + offset)))
            run_start = None
    return runs
