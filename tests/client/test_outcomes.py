"""
What a failed call tells its caller: whether a write may have been applied, the key to
call again with, and an overall deadline across attempts and waits (in the sans-I/O core,
then in both clients); and a token provider that is told its token was refused.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.client import AsyncPortalClient, PortalClient
from patientsky.client._core import (
    Call,
    FailureKind,
    GetToken,
    Response,
    Send,
    Sleep,
    TransportFailure,
    exchange,
)
from patientsky.errors import (
    ApiError,
    ConnectError,
    ConnectionLost,
    DeadlineExceeded,
    InvalidInput,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from tests.client._support import (
    BASE,
    CLIENT_KINDS,
    TOKEN,
    FakePortal,
    collect,
    make_client,
    run,
)
from tests.client.test_core import get, post, response, settings

# What an attempt can meet, and whether the server may have acted on it.
OUTCOMES: dict[str, tuple[Response | TransportFailure, bool]] = {
    "refused": (TransportFailure(FailureKind.CONNECT, False, OSError("refused")), False),
    "connect_timeout": (TransportFailure(FailureKind.TIMEOUT, False, OSError("slow")), False),
    "dropped": (TransportFailure(FailureKind.CONNECT, True, OSError("dropped")), True),
    "read_timeout": (TransportFailure(FailureKind.TIMEOUT, True, OSError("late")), True),
    "429": (response(429, {"code": "rate_limited"}, retry_after="1"), False),
    "500": (response(500, {"code": "internal"}), True),
    "502": (response(502, {"code": "bad_gateway"}), True),
    "503": (response(503, {"code": "unavailable"}), True),
    "409 in use": (response(409, {"code": "idempotency_key_in_use"}), True),
    "400": (response(400, {"code": "invalid_input"}), False),
    "201": (Response(201, (("content-type", "text/plain"),), b"made"), False),
}


class Clock:
    """A fake monotonic clock that each attempt and each sleep moves forward."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def drive(
    call: Call[Any],
    script: list[str],
    clock: Clock | None = None,
    attempt_seconds: float = 1.0,
    **config: Any,
) -> Any:
    """
    Run ``call`` against ``script`` (then successes); return the result or the error raised,
    the requests sent and the sleeps asked for.
    """
    steps = exchange(call, settings(clock=clock or Clock(), **config))
    sent: list[Any] = []
    sleeps: list[float] = []
    outcomes = list(script)
    step = next(steps)
    try:
        while True:
            if isinstance(step, Send):
                sent.append(step.request)
                name = outcomes.pop(0) if outcomes else "201"
                if clock is not None:
                    clock.now += attempt_seconds
                step = steps.send(OUTCOMES[name][0])
            elif isinstance(step, Sleep):
                sleeps.append(step.seconds)
                if clock is not None:
                    clock.now += step.seconds
                step = steps.send(None)
            else:
                assert isinstance(step, GetToken)
                step = steps.send("t")
    except StopIteration as done:
        return done.value, sent, sleeps
    except (ApiError, TransportError) as exc:
        return exc, sent, sleeps


names = st.sampled_from(sorted(OUTCOMES))


@given(script=st.lists(names, max_size=6), retries=st.integers(0, 4), idempotent=st.booleans())
def test_every_error_from_a_write_says_truthfully_whether_it_may_have_been_applied(
    script: list[str], retries: int, idempotent: bool
) -> None:
    result, sent, _ = drive(post("x", idempotent=idempotent), script, max_retries=retries)
    used = script[: len(sent)]
    keys = {request.header("Idempotency-Key") for request in sent}
    assert len(keys) == 1  # every attempt kept the call's key
    if isinstance(result, ApiError | TransportError):
        assert result.attempts == len(sent)
        assert result.idempotency_key == keys.pop()
        assert result.may_have_been_applied == any(OUTCOMES[name][1] for name in used)
        if result.may_have_been_applied:
            assert any("idempotency" in n or "read the state" in n for n in result.__notes__)


@given(script=st.lists(names, max_size=6))
def test_an_error_from_a_read_never_claims_it_was_applied(script: list[str]) -> None:
    result, _, _ = drive(get("x"), script, max_retries=3)
    if isinstance(result, ApiError | TransportError):
        assert not result.may_have_been_applied
        assert result.idempotency_key is None


def test_could_not_connect_and_connection_lost_are_different_errors() -> None:
    refused, _, _ = drive(post("x"), ["refused"], max_retries=0)
    assert type(refused) is ConnectError
    assert not refused.may_have_been_applied
    lost, _, _ = drive(post("x"), ["dropped"], max_retries=0)
    assert type(lost) is ConnectionLost
    assert lost.may_have_been_applied


def test_an_applied_first_attempt_is_not_hidden_by_later_refusals() -> None:
    # The first attempt reached the server and its answer was lost; the retries then
    # met a 503 and a refused connection. The last error alone would read "nothing
    # happened"; the call says it may have been applied, and with which key to retry.
    error, sent, _ = drive(post("x"), ["dropped", "503", "refused"], max_retries=2)
    assert type(error) is ConnectError
    assert error.may_have_been_applied
    assert error.idempotency_key == sent[0].header("Idempotency-Key")
    assert "idempotency_key='key-0'" in " ".join(error.__notes__)


@given(
    script=st.lists(names, max_size=8),
    deadline=st.floats(0.5, 20.0),
    attempt_seconds=st.floats(0.0, 5.0),
    retries=st.integers(0, 6),
)
def test_no_attempt_and_no_wait_goes_past_the_calls_deadline(
    script: list[str], deadline: float, attempt_seconds: float, retries: int
) -> None:
    clock = Clock()
    start = clock.now
    result, sent, sleeps = drive(
        post("x"),
        script,
        clock,
        deadline=deadline,
        max_retries=retries,
        attempt_seconds=attempt_seconds,
    )
    ends = start + deadline
    for request in sent:
        assert request.deadline == ends
        assert request.timeout is not None
        assert all(t is not None and t <= deadline + 1e-9 for t in request.timeout)
    # Attempts start before the deadline and every wait ends before it; an attempt in
    # flight at the deadline is cut off by the driver at ``request.deadline``.
    assert clock.now <= ends + attempt_seconds
    assert sum(sleeps) < deadline
    if clock.now >= ends and isinstance(result, TransportError):
        assert isinstance(result, Timeout)


def test_a_call_past_its_deadline_raises_deadline_exceeded_with_what_it_did() -> None:
    clock = Clock()
    error, sent, _ = drive(
        post("x"), ["dropped", "read_timeout"], clock, deadline=3.0, attempt_seconds=2.0
    )
    assert isinstance(error, DeadlineExceeded)
    assert isinstance(error, Timeout)
    assert error.may_have_been_applied
    assert "deadline of 3 s" in str(error)
    assert len(sent) == 2


def test_a_backoff_that_would_end_past_the_deadline_is_not_taken() -> None:
    clock = Clock()
    # A 503, then a backoff of 0.5 s (jitter 1.0): with 0.45 s left it is not taken.
    error, sent, sleeps = drive(get("x"), ["503", "503"], clock, attempt_seconds=0.55, deadline=1.0)
    assert isinstance(error, ServerError)
    assert (len(sent), sleeps) == (1, [])
    clock = Clock()
    result, sent, sleeps = drive(get("x"), ["503"], clock, attempt_seconds=0.1, deadline=1.0)
    assert result.parse() == "made"
    assert (len(sent), sleeps) == (2, [0.5])


# --------------------------------------------------------------------------- both clients


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


class Drip:
    """An answer that trickles in, one chunk every ``every`` seconds; counts what was sent."""

    def __init__(self, chunks: int = 40, every: float = 0.05) -> None:
        self.chunks = chunks
        self.every = every
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"data": ['
        for _ in range(self.chunks):
            time.sleep(self.every)
            self.sent += 1
            yield b" "
        yield b'], "nextCursor": null}'

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": ['
        for _ in range(self.chunks):
            await asyncio.sleep(self.every)
            self.sent += 1
            yield b" "
        yield b'], "nextCursor": null}'


def test_an_answer_that_trickles_in_is_cut_off_at_the_calls_deadline(kind: str) -> None:
    drips: list[Drip] = []

    def server(request: httpx.Request) -> httpx.Response:
        drips.append(Drip())
        body: Any = drips[-1] if kind == "sync" else drips[-1].__aiter__()
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async def go() -> None:
        client = make_client(kind, server, deadline=0.3)
        try:
            await collect(client.dialogs.list())
        finally:
            await client.aclose()

    with pytest.raises(DeadlineExceeded) as late:
        run(go())
    assert not late.value.may_have_been_applied  # a read
    # Each attempt reads a few chunks at most: the whole answer would take 40.
    assert drips
    assert all(drip.sent < drip.chunks for drip in drips)


def test_a_token_provider_is_told_when_its_token_was_refused(kind: str) -> None:
    calls: list[str] = []
    portal = FakePortal()

    def current() -> str:
        calls.append("current")
        return "cached-and-revoked"

    def refresh() -> str:
        calls.append("refresh")
        return TOKEN

    async def go() -> None:
        client = make_client(kind, portal, token=current, refresh_token=refresh)
        await client.profile.get()
        view = client.with_options(timeout=5)  # keeps both functions
        await view.profile.get()
        fixed = client.with_options(token="also-revoked")  # a new token drops the refresh
        with pytest.raises(Unauthorized):
            await fixed.profile.get()
        await client.aclose()

    run(go())
    assert calls == ["current", "refresh", "current", "refresh"]


def test_the_async_client_takes_an_async_refresh_function() -> None:
    async def refresh() -> str:
        return TOKEN

    async def go() -> None:
        async with AsyncPortalClient(
            BASE,
            token="revoked",
            refresh_token=refresh,
            transport=httpx.MockTransport(FakePortal()),
        ) as client:
            await client.profile.get()

    run(go())


def test_a_refresh_function_must_be_callable() -> None:
    with pytest.raises(InvalidInput) as bad:
        PortalClient(BASE, token=TOKEN, refresh_token="t")  # type: ignore[arg-type]
    assert bad.value.field == "refresh_token"


def test_a_deadline_must_be_a_positive_number_of_seconds() -> None:
    for bad in (0, -1, "10", True):
        with pytest.raises(InvalidInput) as refused:
            PortalClient(BASE, deadline=bad)  # type: ignore[arg-type]
        assert refused.value.field == "deadline"


def test_sync_attempts_reuse_a_few_worker_threads_and_pass_their_errors_on() -> None:
    portal = FakePortal(dialogs=1)
    with PortalClient(BASE, token=TOKEN, transport=httpx.MockTransport(portal)) as client:
        for _ in range(50):
            assert len(list(client.dialogs.list())) == 1
    workers = [t for t in threading.enumerate() if t.name == "patientsky-attempt"]
    assert 1 <= len(workers) <= 8

    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug in a transport")

    client = PortalClient(BASE, token=TOKEN, transport=httpx.MockTransport(broken))
    with pytest.raises(RuntimeError, match="a bug in a transport"):
        client.profile.get()
    client.close()


def test_without_a_deadline_a_sync_attempt_runs_in_the_calling_thread() -> None:
    threads: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        threads.append(threading.current_thread().name)
        return httpx.Response(200, json={"data": [], "nextCursor": None})

    with PortalClient(BASE, transport=httpx.MockTransport(server), deadline=None) as client:
        list(client.dialogs.list())
    assert threads == [threading.current_thread().name]
