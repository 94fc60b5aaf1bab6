"""
Benchmark the HTTP client against plain httpx, and the cost of ``import patientsky.client``.

Prints one table, all measured in this run:

- per request, ``GET /v1/patients/me/profile`` on the sandbox served by uvicorn on
  127.0.0.1 (a real socket, same process, keep-alive): plain ``httpx`` (body read as
  JSON), plain ``httpx`` plus decoding the body into a ``Patient`` with the wire
  converter (the same work the client does), and ``PortalClient.profile.get()``; then the
  same for the async clients;
- per request over ``httpx.MockTransport`` (no network, a canned empty page): the client
  against httpx plus the same decoding, which leaves the client's own overhead;
- the wall time of ``python -c "import patientsky.client"``, ``import patientsky`` (the
  models it needs) and ``import httpx`` against ``python -c pass``, best of several runs,
  with compiled bytecode cached (in a temporary directory) for every side.

Times are medians per request after a warm-up, with the compared calls interleaved, so
that neither a slow outlier nor a busy moment of a shared machine decides the answer.

Run: ``python benchmarks/bench_client.py [--requests 300] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from patientsky import wire
from patientsky.client import AsyncPortalClient, PortalClient
from patientsky.client.sandbox import Sandbox
from patientsky.models import Patient, Relation
from patientsky.sandbox import SandboxClock, create_app, get_sandbox, serve_in_thread
from patientsky.wire import Page

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def medians_us(requests: int, fns: Sequence[Callable[[], object]]) -> list[float]:
    """
    Return the median wall time of one call of each of ``fns``, in microseconds.

    The calls are interleaved (one of each per round), so that a shared machine's slow
    moments fall on all of them alike.
    """
    for _ in range(min(50, requests)):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(requests):
        for fn, kept in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - start)
    return [statistics.median(kept) * 1e6 for kept in times]


async def amedians_us(requests: int, fns: Sequence[Callable[[], Awaitable[object]]]) -> list[float]:
    """Like :func:`medians_us`, for coroutine functions."""
    for _ in range(min(50, requests)):
        for fn in fns:
            await fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(requests):
        for fn, kept in zip(fns, times, strict=True):
            start = time.perf_counter()
            await fn()
            kept.append(time.perf_counter() - start)
    return [statistics.median(kept) * 1e6 for kept in times]


def python_wall_time(code: str, runs: int, env: dict[str, str]) -> float:
    """Return the best wall time of ``python -c code`` over ``runs`` runs, in seconds."""
    subprocess.run([sys.executable, "-c", code], check=True, env=env)  # writes the .pyc files
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def import_env(cache: str) -> dict[str, str]:
    """
    Return the environment for the import timings: compiled bytecode kept in ``cache``.

    Installed packages come with their ``.pyc`` files while a source tree may run with
    ``PYTHONDONTWRITEBYTECODE``; both sides are timed with cached bytecode, as users get.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def over_the_sandbox(requests: int) -> list[tuple[str, float]]:
    """Per-request times against the sandbox on 127.0.0.1."""
    app = create_app(clock=SandboxClock(NOW))
    demo = get_sandbox(app).demo
    assert demo is not None
    kari = next(login for login in demo.logins if login.patient_id == "p-kari")
    rows: list[tuple[str, float]] = []
    with serve_in_thread(app) as base_url:
        with PortalClient(base_url) as anonymous:
            token = Sandbox(anonymous).login(kari.national_id).access_token
        url = f"{base_url}/v1/patients/me/profile"
        headers = {"Authorization": f"Bearer {token}"}

        with httpx.Client(headers=headers) as plain, PortalClient(base_url, token=token) as ours:

            def plain_json() -> Any:
                return plain.get(url).json()

            def plain_decoded() -> Patient:
                return wire.loads(plain.get(url).content, Patient)

            labels = [
                "sync: httpx, body as JSON",
                "sync: httpx + wire.loads(Patient)",
                "sync: PortalClient.profile.get()",
            ]
            times = medians_us(requests, [plain_json, plain_decoded, ours.profile.get])
            rows.extend(zip(labels, times, strict=True))

        async def async_rows() -> list[float]:
            async with (
                httpx.AsyncClient(headers=headers) as plain_async,
                AsyncPortalClient(base_url, token=token) as ours_async,
            ):

                async def plain_async_decoded() -> Patient:
                    return wire.loads((await plain_async.get(url)).content, Patient)

                return await amedians_us(requests, [plain_async_decoded, ours_async.profile.get])

        labels = ["async: httpx + wire.loads(Patient)", "async: AsyncPortalClient.profile.get()"]
        rows.extend(zip(labels, asyncio.run(async_rows()), strict=True))
    return rows


def over_a_mock(requests: int) -> list[tuple[str, float]]:
    """Per-request times with no network: the client's own overhead."""
    body = b'{"data": [], "nextCursor": null}'

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    transport = httpx.MockTransport(answer)
    base = "https://portal.test"
    rows: list[tuple[str, float]] = []
    with (
        httpx.Client(transport=transport, headers={"Authorization": "Bearer t"}) as plain,
        PortalClient(base, token="t", transport=transport) as ours,  # noqa: S106
    ):

        def plain_get() -> Any:
            response = plain.get(f"{base}/v1/patients/me/relations")
            return wire.loads(response.content, Page[Relation])

        def ours_get() -> Any:
            return next(iter(ours.relations.list().pages()))

        labels = ["mock: httpx + wire.loads(Page)", "mock: PortalClient list page"]
        rows.extend(zip(labels, medians_us(requests, [plain_get, ours_get]), strict=True))
    return rows


def main() -> None:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--runs", type=int, default=7, help="runs per import measurement")
    args = parser.parse_args()

    sandbox = over_the_sandbox(args.requests)
    mock = over_a_mock(args.requests)
    with tempfile.TemporaryDirectory() as cache:
        env = import_env(cache)
        start_up = python_wall_time("pass", args.runs, env)
        imports = [
            (name, python_wall_time(f"import {name}", args.runs, env) - start_up)
            for name in ("httpx", "patientsky", "patientsky.client")
        ]

    width = max(len(label) for label, _ in [*sandbox, *mock]) + 2
    print(f"{'per request (median)':<{width}}{'µs':>10}")
    for label, us in [*sandbox, *mock]:
        print(f"{label:<{width}}{us:>10.0f}")
    plain = dict(sandbox)["sync: httpx + wire.loads(Patient)"]
    ours = dict(sandbox)["sync: PortalClient.profile.get()"]
    aplain = dict(sandbox)["async: httpx + wire.loads(Patient)"]
    aours = dict(sandbox)["async: AsyncPortalClient.profile.get()"]
    mplain, mours = (us for _, us in mock)
    print(f"{'client overhead, sync (sandbox)':<{width}}{ours - plain:>+10.0f}")
    print(f"{'client overhead, async (sandbox)':<{width}}{aours - aplain:>+10.0f}")
    print(f"{'client overhead (mock, no network)':<{width}}{mours - mplain:>+10.0f}")
    print()
    print(f"{'import (best of ' + str(args.runs) + ', minus start-up)':<{width}}{'ms':>10}")
    print(f"{'python -c pass (start-up)':<{width}}{start_up * 1000:>10.1f}")
    for name, seconds in imports:
        print(f"{'import ' + name:<{width}}{seconds * 1000:>10.1f}")


if __name__ == "__main__":
    main()
