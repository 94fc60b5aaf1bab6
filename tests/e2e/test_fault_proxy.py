"""
Both clients through a fault-injecting TCP proxy in front of the real sandbox.

The proxy listens on 127.0.0.1 and passes one HTTP/1.1 exchange per connection to the
sandbox, or not: for each request it draws a fault from a seeded mix (dropped before
the sandbox saw the request, dropped after it acted, the answer truncated or trickling
in slower than the call's deadline, a 503 or a 429 of its own). A run of dialog replies
through it must show:

- no duplicate: no reply appears twice in the dialog;
- no lost acknowledged write: every reply the client returned is in the dialog, once;
- no call past its deadline (with a margin for a loaded machine);
- every error truthful: a reply whose error says it was not applied is not in the
  dialog, and one the sandbox acted on says it may have been; calling again with the
  error's ``idempotency_key`` finishes it, once;
- every attempt of a reply, and the caller's retry, kept one ``Idempotency-Key``.

The run is bounded in count and in time.
"""

from __future__ import annotations

import collections
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, NamedTuple, cast

import httpx
import pytest

from patientsky.client import AsyncPortalClient, Backoff, PortalClient, Timeouts
from patientsky.client.sandbox import AsyncSandbox
from patientsky.errors import ApiError, TransportError
from patientsky.models import NationalId
from patientsky.sandbox import Limits, create_app, get_sandbox, serve_in_thread
from tests.client._support import CLIENT_KINDS, AsyncOverSync, collect, run

pytestmark = pytest.mark.e2e

SEED = 20261202
WRITES = 120  # per client kind
BUDGET = 40.0  # seconds per client kind; the run stops issuing writes after it
DEADLINE = 1.0  # each call's overall deadline, in seconds
MARGIN = 1.5  # seconds a call may overrun its deadline on a loaded machine
MIX = {
    "ok": 50,
    "drop_before": 8,
    "drop_after": 10,
    "truncate": 8,
    "slow": 3,
    "503": 10,
    "429": 11,
}
FORWARDED = frozenset({"ok", "drop_after", "truncate", "slow"})
LOST_AFTER_ACTING = frozenset({"drop_after", "truncate", "slow"})


class Seen(NamedTuple):
    """One request as the proxy saw it, and the fault it met."""

    fault: str
    key: str | None
    text: str | None


def _read_request(conn: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head, body


def _header(head: bytes, wanted: bytes) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == wanted:
            return value.strip().decode("latin-1")
    return None


def _text(body: bytes) -> str | None:
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    text = doc.get("body") if isinstance(doc, dict) else None
    return text if isinstance(text, str) else None


def _canned(status: int, reason: str, extra: str) -> bytes:
    body = json.dumps({"type": "about:blank", "title": reason, "status": status}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
    ).encode() + body


class FaultProxy:
    """
    A threaded TCP proxy on 127.0.0.1 with a seeded fault per request.

    Args:
        upstream: The sandbox's host and port.
        seed: The fault mix's seed.
        max_faults: After this many faults, every request passes.
    """

    def __init__(self, upstream: tuple[str, int], seed: int, max_faults: int) -> None:
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.max_faults = max_faults
        self.faults = 0
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> FaultProxy:
        accept = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        accept.start()
        self.threads.append(accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in list(self.threads):
            thread.join(5)
        self.listener.close()

    def _pick(self) -> str:
        with self.lock:
            fault = self.rng.choices(list(MIX), list(MIX.values()))[0]
            if fault != "ok" and self.faults >= self.max_faults:
                fault = "ok"
            self.faults += fault != "ok"
            return fault

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            worker.start()
            self.threads.append(worker)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            request = _read_request(conn)
            if request is None:
                return
            head, body = request
            fault = self._pick()
            with self.lock:
                self.seen.append(Seen(fault, _header(head, b"idempotency-key"), _text(body)))
            if fault == "drop_before":
                return
            if fault == "503":
                conn.sendall(_canned(503, "Service Unavailable", ""))
                return
            if fault == "429":
                conn.sendall(_canned(429, "Too Many Requests", "Retry-After: 0\r\n"))
                return
            answer = self._forward(head, body)
            if fault == "drop_after":
                return
            if fault == "truncate":
                conn.sendall(answer[: len(answer) // 2])
                return
            if fault == "slow":
                for start in range(0, len(answer), 16):
                    if self.stop.wait(0.2):
                        return
                    conn.sendall(answer[start : start + 16])
                return
            conn.sendall(answer)
        except OSError:
            return
        finally:
            conn.close()

    def _forward(self, head: bytes, body: bytes) -> bytes:
        lines = [
            line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")
        ]
        outgoing = b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body
        with socket.create_connection(self.upstream, timeout=10) as upstream:
            upstream.sendall(outgoing)
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
        return answer


class Sandbox(NamedTuple):
    """The sandbox served on 127.0.0.1, and Kari's national identity number."""

    url: str
    kari: NationalId


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    app = create_app(limits=Limits.unlimited(messages_per_dialog=10_000))
    demo = get_sandbox(app).demo
    assert demo is not None
    kari = next(login.national_id for login in demo.logins if login.patient_id == "p-kari")
    with serve_in_thread(app) as url:
        yield Sandbox(url, kari)


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def _client(kind: str, url: str, **kwargs: Any) -> AsyncPortalClient:
    if kind == "sync":
        return cast("AsyncPortalClient", AsyncOverSync(PortalClient(url, **kwargs)))
    return AsyncPortalClient(url, **kwargs)


class Outcome(NamedTuple):
    """What one reply call returned or raised, and how long it took."""

    body: str
    message_id: str | None
    error: ApiError | TransportError | None
    seconds: float


def test_writes_through_a_faulty_network_are_never_doubled_lost_or_misreported(
    sandbox: Sandbox, kind: str
) -> None:
    async def go() -> tuple[list[Outcome], dict[str, str], list[Seen], dict[str, int]]:
        anonymous = AsyncPortalClient(sandbox.url)
        token = (await AsyncSandbox(anonymous).login(sandbox.kari)).access_token
        await anonymous.aclose()
        clean = _client(kind, sandbox.url, token=token)
        dialog_id = (await collect(clean.dialogs.list()))[0].dialog.id
        outcomes: list[Outcome] = []
        retried: dict[str, str] = {}  # body -> message id, after calling again with the key
        with FaultProxy(_host_port(sandbox.url), SEED, max_faults=WRITES) as proxy:
            faulty = _client(
                kind,
                proxy.url,
                token=token,
                deadline=DEADLINE,
                timeout=Timeouts(connect=1.0, read=1.0, write=1.0, pool=1.0),
                max_retries=3,
                backoff=Backoff(base=0.01, maximum=0.05),
            )
            began = time.monotonic()
            for n in range(WRITES):
                if time.monotonic() - began > BUDGET:
                    break
                body = f"fault-run {kind} {n}"
                started = time.monotonic()
                try:
                    message = await faulty.dialogs.reply(dialog_id, body)
                    outcome = Outcome(body, message.id, None, time.monotonic() - started)
                except (ApiError, TransportError) as exc:
                    outcome = Outcome(body, None, exc, time.monotonic() - started)
                    if exc.may_have_been_applied:
                        # The documented way to finish it: the same key, so never twice.
                        again = await clean.dialogs.reply(
                            dialog_id, body, idempotency_key=exc.idempotency_key
                        )
                        retried[body] = again.id
                outcomes.append(outcome)
            await faulty.aclose()
            seen = list(proxy.seen)
            counts = dict(collections.Counter(s.fault for s in seen))
        thread = (await clean.dialogs.read(dialog_id)).dialog.messages
        await clean.aclose()
        in_dialog = collections.defaultdict(list)
        for message in thread:
            in_dialog[message.body].append(message.id)
        _check(outcomes, retried, seen, in_dialog)
        return outcomes, retried, seen, counts

    outcomes, retried, seen, counts = run(go())
    errors = collections.Counter(type(o.error).__name__ for o in outcomes if o.error)
    print(  # the numbers of the run, for the record (pytest -s)
        f"\n{kind}: {len(outcomes)} writes, {len(seen)} requests, faults {counts}, "
        f"errors {dict(errors)}, finished with their key {len(retried)}"
    )
    assert len(outcomes) >= 40  # the budget leaves room for many more
    assert sum(n for fault, n in counts.items() if fault != "ok") >= 20


def _check(
    outcomes: list[Outcome],
    retried: dict[str, str],
    seen: list[Seen],
    in_dialog: dict[str, list[str]],
) -> None:
    by_body: dict[str | None, list[Seen]] = collections.defaultdict(list)
    for request in seen:
        by_body[request.text].append(request)
    for outcome in outcomes:
        ids = in_dialog.get(outcome.body, [])
        assert len(ids) <= 1, f"{outcome.body!r} was written {len(ids)} times"
        assert outcome.seconds <= DEADLINE + MARGIN, f"{outcome.body!r} ran past its deadline"
        attempts = by_body[outcome.body]
        assert attempts, f"{outcome.body!r} never reached the proxy"
        keys = {a.key for a in attempts}
        assert len(keys) == 1, "every attempt keeps one key"
        assert None not in keys, "every attempt of a write carries its key"
        if outcome.error is None:
            assert ids == [outcome.message_id], f"acknowledged {outcome.body!r} was lost"
            continue
        error = outcome.error
        assert error.idempotency_key in keys
        acted_and_lost = any(a.fault in LOST_AFTER_ACTING for a in attempts)
        if acted_and_lost:
            assert error.may_have_been_applied, f"{outcome.body!r}: acted on, error says not"
        if not error.may_have_been_applied:
            assert ids == [], f"{outcome.body!r}: error says not applied, but it was"
        else:
            assert ids == [retried[outcome.body]], "calling again with the key finishes it once"


def _host_port(url: str) -> tuple[str, int]:
    parts = httpx.URL(url)
    assert parts.port is not None
    return parts.host, parts.port
