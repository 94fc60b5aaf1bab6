"""A database held by another writer past the busy timeout is a 503 the client retries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from patientsky.client import PortalClient
from patientsky.models import ContactDetails
from patientsky.sandbox import SandboxClock, create_app, serve_in_thread
from tests.sandbox.conftest import NOW

PROFILE = "/v1/patients/me/profile"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, sqlite3.Connection]]:
    """A sandbox on a file, with a short busy timeout, and another writer's connection."""
    db = tmp_path / "sandbox.db"
    app = create_app(str(db), clock=SandboxClock(NOW), busy_timeout=0.05)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        with serve_in_thread(app) as base_url:
            yield base_url, other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def _token(http: httpx.Client) -> str:
    login = http.post("/v1/sandbox/login", json={"person": "kari", "method": "bankid"})
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    assert isinstance(token, str)
    return token


def test_a_write_kept_waiting_by_another_writer_is_a_503_with_retry_after(
    served: tuple[str, sqlite3.Connection],
) -> None:
    base_url, other = served
    with httpx.Client(base_url=base_url, timeout=30) as http:
        headers = {"Authorization": f"Bearer {_token(http)}"}
        etag = http.get(PROFILE, headers=headers).headers["etag"]
        patch_headers = {
            **headers,
            "If-Match": etag,
            "Content-Type": "application/merge-patch+json",
        }
        body = b'{"contact": {"phone": "+4791234567"}}'
        other.execute("BEGIN IMMEDIATE")
        busy = http.patch(PROFILE, headers=patch_headers, content=body)
        assert busy.status_code == 503, busy.text
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.headers["retry-after"] == "1"
        assert busy.headers["x-request-id"] == busy.json()["requestId"]
        assert busy.json()["code"] == "service_unavailable"
        # Reads that touch no patient's data go on; a read of a patient's data writes its
        # access-log entry with it, so it waits for the writer as a write does.
        assert http.get("/v1/terms").status_code == 200
        assert http.get(PROFILE, headers=headers).status_code == 503
        other.execute("ROLLBACK")
        done = http.patch(PROFILE, headers=patch_headers, content=body)
        assert done.status_code == 200, done.text
        assert done.json()["contact"]["phone"] == "+4791234567"


def test_the_client_waits_as_retry_after_says_and_tries_again(
    served: tuple[str, sqlite3.Connection],
) -> None:
    base_url, other = served
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if other.in_transaction:
            other.execute("ROLLBACK")  # the other writer is done by the time we retry

    with httpx.Client(base_url=base_url, timeout=30) as http:
        token = _token(http)
    with PortalClient(base_url, token=token, sleep=sleep) as client:
        read = client.profile.get()
        other.execute("BEGIN IMMEDIATE")
        contact = ContactDetails(phone="+4791234567")
        answer = client.with_raw_response(client.profile.update, if_match=read, contact=contact)
    assert answer.attempts == 2
    assert waits == [1.0]
    assert answer.parse().value.contact == contact
