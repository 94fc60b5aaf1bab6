"""
Kill -9 durability: every write the sandbox acknowledged is there after a crash.

The sandbox runs in a subprocess on 127.0.0.1 with a database file. Threads reply to
dialogs as fast as the server answers, each reply with its own ``Idempotency-Key``; in
the middle of the burst the server is killed with ``SIGKILL``, then started again on
the same file. Every reply answered 2xx must be there, in order, nothing else but the
one reply per thread that was in flight, and ``PRAGMA integrity_check`` must be ok.
"""

from __future__ import annotations

import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from patientsky.sandbox import Storage

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

THREADS = 6
KILL_AFTER = 120  # acknowledged replies in the burst before the kill
MAX_PER_THREAD = 2_000  # the burst is cut by the kill long before this
DEADLINE = 60.0  # seconds for the burst, and for a server to start
PEOPLE = ("p-kari", "p-olav", "p-ingrid", "p-lars", "p-nils", "p-jonas", "p-astrid", "p-erik")

_SERVER = """
import sys
import uvicorn
from patientsky.sandbox import create_app
app = create_app(sys.argv[1])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """The sandbox in a subprocess, on a database file."""

    def __init__(self, db: Path, log: Path) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SERVER, str(db), str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.log = log
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                if httpx.get(f"{self.base_url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("the sandbox did not start: " + log.read_text()[-2000:])
            time.sleep(0.05)

    def kill(self) -> None:
        """Kill it the hard way: no shutdown, no flush, no checkpoint."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Stop it if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        yield started
    finally:
        for server in started:
            server.stop()


def _national_ids(db: Path) -> dict[str, str]:
    found = {}
    with Storage(str(db)) as storage, storage.read() as tx:
        for person in PEOPLE:
            data = tx.get("patients", person)
            if data is not None:
                found[person] = str(data["nationalId"])
    return found


def _login(client: httpx.Client, national_id: str) -> None:
    response = client.post(
        "/v1/sandbox/login", json={"nationalId": national_id, "method": "bankid"}
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['accessToken']}"


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(1.0, max(0.0, float(response.headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0


class Writer:
    """One thread's burst of replies to its own dialog."""

    def __init__(self, base_url: str, national_id: str, dialog_id: str, name: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=10)
        _login(self.client, national_id)
        self.dialog_id = dialog_id
        self.name = name
        self.acknowledged: list[str] = []
        self.in_flight: str | None = None
        self.failure: str | None = None

    def run(self, stop: threading.Event, counter: list[int], lock: threading.Lock) -> None:
        url = f"/v1/patients/me/dialogs/{self.dialog_id}/messages"
        try:
            for n in range(MAX_PER_THREAD):
                if stop.is_set():
                    return
                body = f"{self.name}-{n}"
                self.in_flight = body
                try:
                    response = self.client.post(
                        url, json={"body": body}, headers={"Idempotency-Key": body}
                    )
                except httpx.TransportError:
                    return  # the server is gone: this one may or may not have been written
                while response.status_code == 429:
                    # A rate limit: wait as told (at most a second), send it again.
                    if stop.is_set():
                        return
                    time.sleep(_retry_after(response))
                    try:
                        response = self.client.post(
                            url, json={"body": body}, headers={"Idempotency-Key": body}
                        )
                    except httpx.TransportError:
                        return
                if response.status_code != 201:
                    self.failure = f"{response.status_code}: {response.text[:300]}"
                    return
                self.acknowledged.append(body)
                self.in_flight = None
                with lock:
                    counter[0] += 1
        finally:
            self.client.close()


def _messages(client: httpx.Client, dialog_id: str) -> list[str]:
    response = client.get(f"/v1/patients/me/dialogs/{dialog_id}")
    assert response.status_code == 200, response.text
    return [m["body"] for m in response.json()["messages"]]


def _integrity(db: Path) -> tuple[list[Any], list[Any]]:
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute("PRAGMA integrity_check").fetchall(),
            conn.execute("PRAGMA foreign_key_check").fetchall(),
        )
    finally:
        conn.close()


def test_every_acknowledged_write_survives_a_kill_9_in_the_middle_of_a_burst(
    tmp_path: Path, servers: list[Server]
) -> None:
    db = tmp_path / "sandbox.db"
    log = tmp_path / "server.log"
    servers.append(Server(db, log))
    first = servers[0]
    people = _national_ids(db)

    # Each thread has its own person and dialog, started (and acknowledged) before.
    writers: list[Writer] = []
    new = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "Hei", "body": "0"}
    for person, national_id in people.items():
        with httpx.Client(base_url=first.base_url, timeout=10) as client:
            _login(client, national_id)
            started = client.post("/v1/patients/me/dialogs", json=new)
        if started.status_code == 201:
            dialog_id = started.json()["id"]
            writers.append(Writer(first.base_url, national_id, dialog_id, person))
        if len(writers) == THREADS:
            break
    assert len(writers) >= 2, "the demo has too few people who can start a dialog"

    stop = threading.Event()
    counter = [0]
    lock = threading.Lock()
    threads = [
        threading.Thread(target=w.run, args=(stop, counter, lock), daemon=True) for w in writers
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE
    while counter[0] < KILL_AFTER and time.monotonic() < deadline:
        if not any(thread.is_alive() for thread in threads):
            break
        time.sleep(0.005)
    first.kill()  # in the middle of the burst: the threads are still writing
    stop.set()
    for thread in threads:
        thread.join(DEADLINE)
    assert not any(thread.is_alive() for thread in threads)
    assert [w.failure for w in writers if w.failure] == []
    assert counter[0] >= KILL_AFTER, "the burst ended before the kill"

    assert _integrity(db) == ([("ok",)], [])

    servers.append(Server(db, log))
    again = servers[1]
    for writer in writers:
        with httpx.Client(base_url=again.base_url, timeout=10) as client:
            _login(client, people[writer.name])
            stored = _messages(client, writer.dialog_id)
            expected = ["0", *writer.acknowledged]
            # Every acknowledged reply, in order; besides them at most the one in flight.
            assert stored[: len(expected)] == expected
            assert stored[len(expected) :] in ([], [writer.in_flight])
            if writer.acknowledged:
                # A retry of an acknowledged reply is the same write, not a new one.
                key = writer.acknowledged[-1]
                replay = client.post(
                    f"/v1/patients/me/dialogs/{writer.dialog_id}/messages",
                    json={"body": key},
                    headers={"Idempotency-Key": key},
                )
                assert replay.status_code == 201, replay.text
                assert _messages(client, writer.dialog_id) == stored
    again.stop()

    assert _integrity(db) == ([("ok",)], [])
    with Storage(str(db)) as storage:
        assert storage.count("messages") >= len(writers) + KILL_AFTER
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
