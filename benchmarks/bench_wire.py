"""
Benchmark the wire converter and the cost of ``import patientsky``.

Prints, best of several runs:

- the wall time of ``python -c "import patientsky"`` (and of ``patientsky.wire``) against
  ``python -c pass``, the interpreter's own start-up;
- the time to encode (``dumps``) and decode (``loads``) one inbox page of dialogs
  (``Page[Dialog]``, three messages each), in total and per dialog. The first decode with
  a new converter includes cattrs generating its code, and is reported separately.

Run: ``python benchmarks/bench_wire.py [--dialogs 1000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from patientsky.models import (
    AuthorKind,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
)
from patientsky.wire import Page, make_converter

OSLO = ZoneInfo("Europe/Oslo")


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Return the shortest wall time of ``runs`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def python_wall_time(code: str, runs: int) -> float:
    """Return the best wall time of a fresh interpreter running ``code``."""
    command = [sys.executable, "-c", code]
    return best_of(runs, lambda: subprocess.run(command, check=True))


def inbox_page(count: int, seed: int = 2026) -> Page[Dialog]:
    """Build a deterministic page of ``count`` dialogs with three messages each."""
    rng = random.Random(seed)
    # Arithmetic in UTC, then shown in Oslo: wall-clock arithmetic in Oslo could land in
    # the daylight-saving gap, a time that does not exist.
    start = dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.UTC)
    types = list(CommunicationType)
    dialogs = []
    for i in range(count):
        sent = start + dt.timedelta(minutes=rng.randrange(0, 500_000))
        messages = []
        for j in range(3):
            sent += dt.timedelta(minutes=rng.randrange(1, 3000))
            author = AuthorKind.PATIENT if j % 2 == 0 else AuthorKind.PRACTITIONER
            body = f"Melding {j} om vondt i kneet, blåmerker og øvelser. " * rng.randrange(1, 6)
            messages.append(Message(f"m{i}-{j}", author, f"a{i}", body, sent.astimezone(OSLO)))
        closed = rng.random() < 0.3
        dialogs.append(
            Dialog(
                id=f"d{i}",
                patient_id="p1",
                clinic_id=f"c{i % 7}",
                type=types[i % len(types)],
                counterpart=Counterpart(CounterpartKind.PRACTITIONER, f"pr{i % 11}", "Dr. Ås"),
                subject=f"Spørsmål nummer {i}",
                status=DialogStatus.CLOSED if closed else DialogStatus.OPEN,
                messages=tuple(messages),
                needs_reply=not closed,
                closed_at=(sent + dt.timedelta(hours=2)).astimezone(OSLO) if closed else None,
                read_at=sent.astimezone(OSLO) if rng.random() < 0.5 else None,
            )
        )
    return Page(tuple(dialogs), "cursor-2")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--dialogs", type=int, default=1000, help="dialogs per page")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (best kept)")
    args = parser.parse_args(argv)
    n, runs = args.dialogs, args.runs

    bare = python_wall_time("pass", runs)
    core = python_wall_time("import patientsky", runs)
    wire = python_wall_time("import patientsky.wire", runs)

    page = inbox_page(n)
    converter = make_converter()
    start = time.perf_counter()
    document = converter.dumps(page)
    decoded = converter.loads(document, Page[Dialog])
    first = time.perf_counter() - start
    # Bytes, not ==: Python never finds a time in the autumn fold equal to the same instant
    # at a fixed offset, which is what the wire decodes to.
    assert converter.dumps(decoded) == document
    encode = best_of(runs, lambda: converter.dumps(page))
    decode = best_of(runs, lambda: converter.loads(document, Page[Dialog]))

    rows = [
        ("python -c pass", bare * 1e3, "ms", ""),
        ('python -c "import patientsky"', core * 1e3, "ms", f"+{(core - bare) * 1e3:.1f} ms"),
        ('python -c "import patientsky.wire"', wire * 1e3, "ms", f"+{(wire - bare) * 1e3:.1f} ms"),
        (f"first dumps+loads, new converter ({n})", first * 1e3, "ms", "includes codegen"),
        (
            f"dumps Page[Dialog] ({n} dialogs)",
            encode * 1e3,
            "ms",
            f"{encode / n * 1e6:.1f} µs/dialog",
        ),
        (
            f"loads Page[Dialog] ({n} dialogs)",
            decode * 1e3,
            "ms",
            f"{decode / n * 1e6:.1f} µs/dialog",
        ),
    ]
    print(f"patientsky wire benchmark, best of {runs} runs, {len(document):,} bytes per page")
    print(f"{'measurement':<44} {'time':>10}  note")
    print("-" * 76)
    for name, value, unit, note in rows:
        print(f"{name:<44} {value:>7.1f} {unit:<2}  {note}")


if __name__ == "__main__":
    main()
