"""
Benchmark the access entry point, ``patientsky.rules.decide``.

Builds ``--requests`` (100,000 by default) deterministic random requests over a mix of
patients (adults, and children whose 16th birthday is near the time asked about),
actors (the patient, representatives through 0 to 4 relations of every kind, window
and switch, strangers, representatives of representatives), login methods, consent
histories, terms versions, actions (and a few unknown ones), and times in any offset.
Then prints, best of several runs, how many decisions per second :func:`decide` makes,
and how the answers were spread over the reason codes.

Building the requests (validating every model) is not timed: only the decisions are.

Run: ``python benchmarks/bench_access.py [--requests 100000] [--runs 5] [--seed 2026]``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    ConsentEvent,
    ConsentEventKind,
    ConsentHistory,
    LoginMethod,
    LoginSession,
    NationalId,
    Patient,
    PersonName,
    Relation,
    RelationKind,
    Terms,
    Unrecognized,
)
from patientsky.models.fodselsnummer import calc_check_digits
from patientsky.rules import AccessRequest, decide

OSLO = ZoneInfo("Europe/Oslo")
ZONES: list[dt.tzinfo] = [OSLO, dt.UTC, dt.timezone(dt.timedelta(hours=-5))]
TERMS = [Terms("2024-01", dt.datetime(2024, 1, 1, tzinfo=OSLO))]
TERMS.append(Terms("2026-01", dt.datetime(2026, 1, 1, tzinfo=OSLO)))
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
UNKNOWN_ACTION = Unrecognized("fly_to_the_moon")


def national_id(born: dt.date) -> NationalId:
    """Return a valid fødselsnummer for someone born on ``born`` (2000-2039)."""
    for individual in range(500, 1000):
        nine = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
        try:
            return NationalId(nine + calc_check_digits(nine))
        except InvalidInput:
            continue
    raise ValueError("no individual number fits")  # pragma: no cover


def random_time(rng: random.Random) -> dt.datetime:
    """A time in 2026-2027 in one of a few offsets, to the second."""
    seconds = rng.randrange(2 * 365 * 24 * 3600)
    return (START + dt.timedelta(seconds=seconds)).astimezone(rng.choice(ZONES))


def consent_history(rng: random.Random, person: str) -> ConsentHistory:
    """Zero to three consent events in 2024-2025; mostly consent to the current terms."""
    events = []
    t = START - dt.timedelta(days=rng.randrange(1, 700))
    for i in range(rng.choice([0, 1, 1, 1, 1, 2, 3])):
        kind = ConsentEventKind.GIVEN if i % 2 == 0 else ConsentEventKind.WITHDRAWN
        version = TERMS[1].version if rng.random() < 0.8 else TERMS[0].version
        events.append(ConsentEvent(f"{person}-e{i}", person, kind, version, t, person))
        t += dt.timedelta(days=rng.randrange(1, 300))
    return ConsentHistory(person, events)


def relation(rng: random.Random, n: int, principal: str, representative: str) -> Relation:
    """A relation of any kind, with a random window, switch and grant."""
    start = random_time(rng) - dt.timedelta(days=rng.randrange(0, 700))
    until = start + dt.timedelta(days=rng.randrange(1, 1500)) if rng.random() < 0.3 else None
    kinds: list[RelationKind | Unrecognized] = [*RelationKind] * 5 + [Unrecognized("neighbour")]
    actions = rng.sample(list(Action), rng.randrange(0, len(Action) + 1))
    return Relation(
        id=f"r{n}",
        principal_id=principal,
        representative_id=representative,
        kind=rng.choice(kinds),
        actions=tuple(actions),
        added_by_clinic_id="clinic-1",
        valid_from=start,
        valid_until=until,
        enabled=rng.random() < 0.85,
    )


def build_requests(count: int, seed: int) -> list[AccessRequest]:
    """
    Build ``count`` deterministic random access requests.

    Patients, their relations and everyone's consent histories come from pools (which
    keeps the building quick); each request draws its own mix of them, its actor,
    session, time and action.
    """
    rng = random.Random(seed)
    patients = []
    for i in range(200):
        if i % 2:
            born = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(365 * 10))
        else:  # around 2010-2011: the 16th birthday falls in 2026-2027
            born = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(2 * 365))
        patients.append(
            Patient(
                id=f"p{i}",
                national_id=national_id(born),
                name=PersonName("Kari", "Nordmann"),
                birth_date=born,
                clinic_ids=("clinic-1",),
            )
        )
    people = [p.id for p in patients] + ["rep", "other", "stranger"]
    consents = {person: [consent_history(rng, person) for _ in range(8)] for person in people}
    pairs = [("rep", True), ("rep", True), ("other", True), ("rep", False)]
    relations = {}
    for patient in patients:
        pool = []
        for k in range(12):
            representative, direct = rng.choice(pairs)
            # Not direct: the representative of "other", who may represent the patient.
            principal = patient.id if direct else "other"
            pool.append(relation(rng, k, principal, representative))
        relations[patient.id] = pool
    methods = [*[m for m in LoginMethod if m is not LoginMethod.MINID] * 5, *LoginMethod]
    requests = []
    for _ in range(count):
        patient = rng.choice(patients)
        at = random_time(rng)
        actor = rng.choice([patient.id, "rep", "rep", "rep", "other", "stranger"])
        begun = at - dt.timedelta(minutes=rng.randrange(-5, 65))
        session = LoginSession(actor, rng.choice(methods), begun, begun + dt.timedelta(hours=1))
        action: Action | Unrecognized = (
            UNKNOWN_ACTION if rng.random() < 0.01 else rng.choice(list(Action))
        )
        requests.append(
            AccessRequest(
                session=session,
                action=action,
                patient=patient,
                at=at,
                terms=TERMS[1],
                patient_consent=rng.choice(consents[patient.id]),
                actor_consent=None if actor == patient.id else rng.choice(consents[actor]),
                relations=tuple(rng.sample(relations[patient.id], rng.randrange(0, 5))),
            )
        )
    return requests


def main() -> None:
    """Build the requests, time the decisions, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    started = time.perf_counter()
    requests = build_requests(args.requests, args.seed)
    built = time.perf_counter() - started

    best = float("inf")
    for _ in range(args.runs):
        started = time.perf_counter()
        for request in requests:
            decide(request)
        best = min(best, time.perf_counter() - started)

    reasons = collections.Counter(
        "allowed" if (d := decide(r)) else str(d.reason and d.reason.value) for r in requests
    )
    print(f"built {len(requests):,} access requests in {built:.1f} s (not timed below)")
    print(
        f"decide: {len(requests) / best:,.0f} decisions per second "
        f"({best * 1e6 / len(requests):.2f} µs each, best of {args.runs} runs)"
    )
    print("answers:")
    for reason, n in reasons.most_common():
        print(f"  {reason:<34} {n:>7,} ({n / len(requests):.1%})")


if __name__ == "__main__":
    main()
