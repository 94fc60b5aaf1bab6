"""
Benchmark the sandbox's writes and reads: does a write cost the same on a big dialog?

Prints two tables, all measured in this run:

- **write throughput while one dialog grows**: a demo patient logs in, starts a dialog
  and posts ``--replies`` replies to it one after another, over HTTP (uvicorn on
  127.0.0.1, keep-alive, an ``Idempotency-Key`` on every reply as the client sends
  one). Replies per second in the first and in the last quarter of the burst (one over
  the median time of a reply there, over ``--runs`` bursts after a warm-up), and their
  ratio (1.0: a reply costs the same on a dialog of 1 message and of 400), paired: the
  two quarters of two bursts are timed in turns, so that load hits both alike. Once with
  the state in a SQLite file in a temporary directory (each write synced to disk, as
  ``patientsky sandbox --db FILE`` runs), once in memory (no disk: the server's own
  work shows);
- **server CPU per operation**: the ASGI app called in-process, with no HTTP client and
  no socket, and the process's CPU time (``time.process_time``, all threads) taken
  around a batch of calls of each operation. Reads and writes are measured in the same
  rounds, one after the other; the table gives the median and the range over
  ``--rounds`` rounds. Booking is measured as a booking and its cancellation (so the
  slot is free again), and given per request: half of the pair.

Run: ``python benchmarks/bench_sandbox.py [--replies 400] [--runs 3] [--rounds 7]``
(``--batch 50`` calls per operation and round), or ``nox -s bench``. Nothing leaves
127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from patientsky.sandbox import Limits, SandboxClock, create_app, get_sandbox, serve_in_thread

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
# The rate limits would stop a burst; the cap on messages per dialog must hold it.
_NO_LIMITS = Limits.unlimited(messages_per_dialog=100_000)
PATIENT = "p-kari"
NEW_DIALOG = {
    "clinicId": "clinic-sentrum",
    "type": "other_inquiry",
    "subject": "Spørsmål om prøvesvar",
    "body": "Hei! Har dere fått svar på blodprøven fra forrige uke?",
}
REPLY = {"body": "Takk for svaret. Jeg har ett spørsmål til om dosen, og om når jeg bør komme."}

_keys = itertools.count()


def idempotency_key() -> str:
    """Return a new idempotency key, as the client makes one per write."""
    return f"bench-{next(_keys)}"


def national_id(app: Any, patient_id: str) -> str:
    """Return the synthetic national identity number a demo patient logs in with."""
    demo = get_sandbox(app).demo
    assert demo is not None
    login = next(login for login in demo.logins if login.patient_id == patient_id)
    return login.national_id.reveal()


# --- write throughput over HTTP ---


def throughput(replies: int, runs: int, db_path: str | None) -> dict[str, float]:
    """
    Time the first and the last quarter of bursts of ``replies`` replies to one dialog.

    Each round runs two bursts side by side: one dialog has had three quarters of its
    replies already, a new one starts, and a reply to each is timed in turn, so the two
    quarters are paired in time. A short warm-up round runs every code path first.

    Args:
        replies: How many replies per burst.
        runs: How many rounds, each on new dialogs.
        db_path: The database file; memory if None.

    Returns:
        Replies per second in the first and the last quarter of a burst (one over the
        median time of a reply in that quarter, over every burst), and that median time
        in milliseconds.
    """
    app = create_app(db_path, clock=SandboxClock(NOW), limits=_NO_LIMITS)
    quarter = replies // 4
    firsts: list[float] = []
    lasts: list[float] = []
    ratios: list[float] = []
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as http:
        login = {"nationalId": national_id(app, PATIENT), "method": "bankid"}
        token = http.post("/v1/sandbox/login", json=login).json()["accessToken"]
        http.headers["Authorization"] = f"Bearer {token}"

        def start() -> str:
            started = http.post(
                "/v1/patients/me/dialogs",
                json=NEW_DIALOG,
                headers={"Idempotency-Key": idempotency_key()},
            )
            assert started.status_code == 201, started.text
            return f"/v1/patients/me/dialogs/{started.json()['id']}/messages"

        def reply(url: str) -> float:
            headers = {"Idempotency-Key": idempotency_key()}
            begin = time.perf_counter()
            response = http.post(url, json=REPLY, headers=headers)
            took = time.perf_counter() - begin
            assert response.status_code == 201, response.text
            return took

        for burst in range(runs + 1):
            # Two bursts at once, so that the first and the last quarter are timed side
            # by side: "old" has had three quarters of its burst already (untimed), "young"
            # starts now. A busy moment of a shared machine then hits both alike.
            old, young = start(), start()
            for _ in range(replies - quarter):
                http.post(old, json=REPLY, headers={"Idempotency-Key": idempotency_key()})
            for _ in range(5 if burst == 0 else quarter):
                first, last = reply(young), reply(old)
                if burst > 0:
                    firsts.append(first)
                    lasts.append(last)
                    ratios.append(last / first)
    # Medians, not totals: a moment when a shared machine is busy decides neither.
    first = statistics.median(firsts)
    last = statistics.median(lasts)
    deciles = statistics.quantiles(ratios, n=10)
    return {
        "first_rate": 1 / first,
        "last_rate": 1 / last,
        "first_ms": first * 1e3,
        "last_ms": last * 1e3,
        "ratio": statistics.median(ratios),
        "ratio_low": deciles[0],
        "ratio_high": deciles[-1],
    }


# --- server CPU per operation, in-process ---


class InProcess:
    """Calls an ASGI app directly: no HTTP client, no socket."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers: dict[str, str] = {}

    async def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Run one request through the app; return its status and body."""
        content = b"" if body is None else json.dumps(body).encode()
        raw_path, _, query = path.partition("?")
        all_headers = {**self.headers, **(headers or {})}
        if body is not None:
            all_headers["content-type"] = "application/json"
        all_headers["content-length"] = str(len(content))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": raw_path,
            "raw_path": raw_path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in all_headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": content, "more_body": False}
            await asyncio.Event().wait()  # never: the app does not read twice
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)

    async def ok(self, method: str, path: str, body: Any = None, *, keyed: bool = False) -> bytes:
        """Run one request that must succeed; return its body (not decoded: not server work)."""
        headers = {"Idempotency-Key": idempotency_key()} if keyed else None
        status, content = await self.call(method, path, body, headers)
        assert 200 <= status < 300, (status, content[:300])
        return content


async def cpu_per_operation(
    rounds: int, batch: int, big: int, directory: str
) -> list[tuple[str, list[float]]]:
    """
    Return, per operation, the server CPU time of one call in each round, in microseconds.

    Args:
        rounds: How many rounds.
        batch: Calls of each operation per round (CPU time is taken around the batch).
        big: How many messages the big dialog has before the first round.
        directory: Where the database file goes.
    """
    app = create_app(str(Path(directory) / "cpu.db"), clock=SandboxClock(NOW), limits=_NO_LIMITS)
    server = InProcess(app)
    login = {"nationalId": national_id(app, PATIENT), "method": "bankid"}
    token = json.loads(await server.ok("POST", "/v1/sandbox/login", login))["accessToken"]
    server.headers["authorization"] = f"Bearer {token}"
    me = "/v1/patients/me"
    dialogs = f"{me}/dialogs"
    big_id = json.loads(await server.ok("POST", dialogs, NEW_DIALOG, keyed=True))["id"]
    for _ in range(big - 1):
        await server.ok("POST", f"{dialogs}/{big_id}/messages", REPLY, keyed=True)

    async def read_profile() -> None:
        await server.ok("GET", "/v1/patients/me/profile")

    async def list_inbox() -> None:
        await server.ok("GET", f"{dialogs}?folder=inbox")

    async def read_big_dialog() -> None:
        await server.ok("GET", f"{dialogs}/{big_id}")

    small: list[str] = []

    async def reply_small() -> None:
        await server.ok("POST", f"{dialogs}/{small[-1]}/messages", REPLY, keyed=True)

    async def reply_big() -> None:
        await server.ok("POST", f"{dialogs}/{big_id}/messages", REPLY, keyed=True)

    async def reply_big_unkeyed() -> None:
        await server.ok("POST", f"{dialogs}/{big_id}/messages", REPLY)

    week = {"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-07T00:00:00+01:00"}
    free_url = "/v1/clinics/clinic-sentrum/free-time?" + urlencode(week)
    slot = json.loads(await server.ok("GET", free_url))["data"][0]
    booking = {
        "clinicId": "clinic-sentrum",
        "calendarIds": slot["calendarIds"],
        "start": slot["start"],
        "durationMinutes": 15,
        "kind": "in_person",
    }

    async def read_free_time() -> None:
        await server.ok("GET", free_url)

    async def book_and_cancel() -> None:
        # Two writes; the table gives the cost of one. The slot is free again after.
        made = json.loads(await server.ok("POST", f"{me}/consultations", booking, keyed=True))
        await server.ok("POST", f"{me}/consultations/{made['id']}/cancel", keyed=True)

    grown = f"{big}-{big + 2 * rounds * batch}"
    operations: Sequence[tuple[str, Callable[[], Any]]] = [
        ("read: GET profile", read_profile),
        ("read: GET dialogs (inbox page)", list_inbox),
        (f"read: GET one dialog of {grown} messages", read_big_dialog),
        (f"write: reply to a dialog of 1-{batch} messages", reply_small),
        (f"write: reply to a dialog of {grown} messages", reply_big),
        ("  the same without an Idempotency-Key", reply_big_unkeyed),
        ("read: GET a week of free time (Sentrum)", read_free_time),
        ("write: book a consultation, then cancel it", book_and_cancel),
    ]
    per_call = [2 if fn is book_and_cancel else 1 for _, fn in operations]
    results: list[list[float]] = [[] for _ in operations]
    small.append(json.loads(await server.ok("POST", dialogs, NEW_DIALOG, keyed=True))["id"])
    for _, fn in operations:  # warm up every path once
        await fn()
    for _ in range(rounds):
        small.append(json.loads(await server.ok("POST", dialogs, NEW_DIALOG, keyed=True))["id"])
        for (_, fn), kept, calls in zip(operations, results, per_call, strict=True):
            start = time.process_time()
            for _ in range(batch):
                await fn()
            kept.append((time.process_time() - start) / (batch * calls) * 1e6)
    get_sandbox(app).storage.close()
    return [(name, kept) for (name, _), kept in zip(operations, results, strict=True)]


def main() -> None:
    """Run both benchmarks and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--replies", type=int, default=400, help="replies to the growing dialog")
    parser.add_argument("--runs", type=int, default=3, help="bursts of replies per database")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the CPU measurement")
    parser.add_argument("--batch", type=int, default=50, help="calls per operation and round")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        rates = {
            "SQLite file": throughput(
                args.replies, args.runs, str(Path(directory) / "throughput.db")
            ),
            "in memory": throughput(args.replies, args.runs, None),
        }
        cpu = asyncio.run(cpu_per_operation(args.rounds, args.batch, args.replies, directory))

    q = args.replies // 4
    print(
        f"sandbox write throughput: {args.replies} replies to one dialog, HTTP on 127.0.0.1,"
        f" median reply time over {args.runs} bursts, first and last quarter timed in pairs"
    )
    for db, rate in rates.items():
        print(f"{db:<36}{'replies/s':>10}{'ms/reply':>10}")
        print(f"{f'  first quarter (messages 2-{q + 1})':<36}", end="")
        print(f"{rate['first_rate']:>10.0f}{rate['first_ms']:>10.2f}")
        last = f"  last quarter (messages {args.replies - q + 2}-{args.replies + 1})"
        print(f"{last:<36}{rate['last_rate']:>10.0f}{rate['last_ms']:>10.2f}")
        spread = f"(p10-p90 {rate['ratio_low']:.2f}-{rate['ratio_high']:.2f})"
        print(f"{'  paired ratio last / first':<36}{rate['ratio']:>10.2f}  {spread}")
    print()
    print(f"server CPU per operation, in-process, {args.rounds} rounds of {args.batch} calls")
    width = max(len(name) for name, _ in cpu) + 2
    print(f"{'operation':<{width}}{'median µs':>10}{'min-max µs':>16}")
    for name, kept in cpu:
        spread = f"{min(kept):.0f}-{max(kept):.0f}"
        print(f"{name:<{width}}{statistics.median(kept):>10.0f}{spread:>16}")


if __name__ == "__main__":
    main()
