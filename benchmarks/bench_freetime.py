"""
Benchmark: free time over many calendars grows about linearly with their slots and appointments.

Generates 50 calendars with a year of working days each (08:00-16:00 Oslo time in
15- and 30-minute slots, lunch 11:30-12:00 left out), books 10 % of the slots at
random, then times :func:`patientsky.rules.freetime.free_time` over the whole year for
the first 1, 2, 5, 10, 20 and 50 calendars. The input (slots and appointments) grows
with the number of calendars; ``O(n log n)`` shows as a time per item that stays about
flat, and a growth exponent (the slope of log time over log input) near 1.
Last, one week of all 50 calendars: the slots are found by bisection, so a short
period costs little however long the calendars are.

Run: ``python benchmarks/bench_freetime.py [--calendars 50] [--repeat 5] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import time

from patientsky.models.calendar import (
    OSLO,
    Appointment,
    Calendar,
    Schedule,
    TimeSlot,
    TimeSlotType,
)
from patientsky.rules.freetime import free_time

CLINIC = "bench-clinic"
YEAR = 2019
TYPES = (
    TimeSlotType("vanlig", CLINIC, "Vanlig", 15),
    TimeSlotType("lang", CLINIC, "Lang vanlig", 30),
)
COUNTS = (1, 2, 5, 10, 20, 50)
BOOKED = 0.1  # the share of slots booked


def _day_slots(day: dt.date, rng: random.Random) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """One working day of slots; each hour is all "Vanlig" or all "Lang vanlig"."""
    out = []
    for hour in range(8, 16):
        kind = TYPES[rng.randrange(2)]
        step = kind.slot_minutes
        for minute in range(0, 60, step):
            start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)
            if dt.time(11, 30) <= start.time() < dt.time(12, 0):
                continue  # lunch
            out.append((start, start + dt.timedelta(minutes=step), kind.id))
    return out


def generate(calendars: int, seed: int) -> tuple[Schedule, dict[int, int]]:
    """Return the schedule, and how many slots and appointments the first N calendars have."""
    rng = random.Random(seed)
    days = [
        dt.date(YEAR, 1, 1) + dt.timedelta(days=n)
        for n in range(365)
        if (dt.date(YEAR, 1, 1) + dt.timedelta(days=n)).weekday() < 5
    ]
    slots: list[TimeSlot] = []
    appointments: list[Appointment] = []
    items: dict[int, int] = {}
    for c in range(calendars):
        cid = f"cal-{c:02d}"
        for day in days:
            for i, (start, end, type_id) in enumerate(_day_slots(day, rng)):
                key = f"{cid}-{day.isoformat()}-{i}"
                slots.append(TimeSlot(f"s-{key}", cid, type_id, start, end))
                if rng.random() < BOOKED:
                    appointments.append(Appointment(f"a-{key}", cid, start, end, type_id=type_id))
        items[c + 1] = len(slots) + len(appointments)
    schedule = Schedule(
        calendars=[Calendar(f"cal-{c:02d}", CLINIC, f"Behandler {c}") for c in range(calendars)],
        time_slot_types=TYPES,
        time_slots=slots,
        appointments=appointments,
    )
    return schedule, items


def _best(repeat: int, schedule: Schedule, ids: list[str], period: str) -> tuple[float, int]:
    best = float("inf")
    found = 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(free_time(schedule, 15, period, calendar_ids=ids))
        best = min(best, time.perf_counter() - started)
    return best, found


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope: less sensitive to one noisy row than the end points are."""
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return num / sum((x - mean_x) ** 2 for x, _ in points)


def main() -> None:
    """Generate the calendars, time the free-time search and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--calendars", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    schedule, items = generate(args.calendars, args.seed)
    print(
        f"generated {len(schedule.calendars)} calendars, {len(schedule.time_slots)} slots, "
        f"{len(schedule.appointments)} appointments in {time.perf_counter() - started:.1f} s"
    )
    year = f"{YEAR}-01-01/{YEAR + 1}-01-01"
    schedule.slots_of(schedule.calendar_ids[0])  # build the per-calendar index once

    header = ("calendars", "items", "free", "time (ms)", "us/item", "time ratio", "items ratio")
    print()
    print("free_time over one year, duration 15 min, best of", args.repeat)
    print("  ".join(f"{h:>11}" for h in header))
    base: tuple[float, int] | None = None
    points: list[tuple[float, float]] = []
    for count in (n for n in COUNTS if n <= args.calendars):
        ids = list(schedule.calendar_ids[:count])
        seconds, found = _best(args.repeat, schedule, ids, year)
        n = items[count]
        base = base or (seconds, n)
        row = (
            f"{count}",
            f"{n}",
            f"{found}",
            f"{seconds * 1000:.1f}",
            f"{seconds * 1e6 / n:.2f}",
            f"{seconds / base[0]:.1f}",
            f"{n / base[1]:.1f}",
        )
        print("  ".join(f"{cell:>11}" for cell in row))
        points.append((math.log(n), math.log(seconds)))
    if len(points) > 1:
        print(f"growth exponent (slope of log time over log items): {_slope(points):.2f}")
        print("1.00 is linear; n log n over this range gives about 1.1")

    ids = list(schedule.calendar_ids)
    seconds, found = _best(args.repeat, schedule, ids, f"{YEAR}-06-03/P1W")
    print(f"\none week, all {len(ids)} calendars: {seconds * 1000:.1f} ms ({found} free intervals)")


if __name__ == "__main__":
    main()
