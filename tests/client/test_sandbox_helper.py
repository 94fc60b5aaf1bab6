"""
The sandbox helper logs in by a demo person's handle or by a number, and lists the people.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.client import AsyncPortalClient, PortalClient
from patientsky.client.sandbox import AsyncSandbox, DemoPerson, Sandbox
from patientsky.errors import InvalidInput
from patientsky.models import LoginMethod, NationalId

NUMBER = "17912099997"  # a synthetic test number
TOKEN = {
    "accessToken": "t0k3n",
    "tokenType": "Bearer",
    "expiresAt": "2026-03-01T13:00:00+00:00",
    "personId": "p-kari",
}
PEOPLE = {
    "data": [
        {"handle": "kari", "name": "Kari Nordmann", "role": "a parent", "patientId": "p-kari"},
        {"handle": "emil", "name": "Emil Nordmann", "role": "a child", "patientId": "p-emil"},
    ]
}


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sandbox/people":
            return httpx.Response(200, json=PEOPLE)
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, json=TOKEN)


def _sandbox(recorder: Recorder) -> Sandbox:
    client = PortalClient("https://sandbox.test", transport=httpx.MockTransport(recorder))
    return Sandbox(client)


@pytest.mark.parametrize(
    ("person", "sent"),
    [
        ("kari", {"person": "kari"}),
        ("jonas", {"person": "jonas"}),
        (NUMBER, {"nationalId": NUMBER}),
        ("179120 99997", {"nationalId": NUMBER}),
        (NationalId.parse(NUMBER, allow_synthetic=True), {"nationalId": NUMBER}),
    ],
)
def test_a_login_sends_a_handle_as_person_and_a_number_as_national_id(
    person: Any, sent: dict[str, str]
) -> None:
    recorder = Recorder()
    token = _sandbox(recorder).login(person, LoginMethod.BUYPASS_MOBILE)
    assert token.person_id == "p-kari"
    assert recorder.bodies == [{**sent, "method": "buypass_mobile"}]


@pytest.mark.parametrize(
    ("person", "field"),
    [("Kari Nordmann", "person"), ("", "person"), (7, "person"), ("1791209999", "national_id")],
)
def test_what_is_neither_a_handle_nor_a_number_is_refused_before_sending(
    person: Any, field: str
) -> None:
    recorder = Recorder()
    with pytest.raises(InvalidInput) as error:
        _sandbox(recorder).login(person)
    assert error.value.field == field
    assert recorder.bodies == []


@given(handle=st.from_regex(r"[a-z][a-z0-9-]{0,39}", fullmatch=True))
def test_every_handle_shaped_string_is_sent_as_a_handle(handle: str) -> None:
    recorder = Recorder()
    _sandbox(recorder).login(handle)
    assert recorder.bodies == [{"person": handle, "method": "bankid"}]


def test_the_helper_lists_the_demo_people() -> None:
    people = _sandbox(Recorder()).people()
    assert people[0] == DemoPerson("kari", "Kari Nordmann", "a parent", "p-kari")
    assert [p.handle for p in people] == ["kari", "emil"]


def test_client_for_a_handle_carries_that_persons_token() -> None:
    seen: list[str | None] = []

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sandbox/login":
            return httpx.Response(200, json=TOKEN)
        seen.append(request.headers.get("authorization"))
        terms = {"version": "2026-01", "publishedAt": "2026-01-01T00:00:00+01:00"}
        return httpx.Response(200, json=terms)

    client = PortalClient("https://sandbox.test", transport=httpx.MockTransport(server))
    kari = Sandbox(client).client_for("kari")
    kari.consent.terms()
    assert seen == ["Bearer t0k3n"]


def test_the_async_helper_logs_in_by_handle_and_lists_the_people() -> None:
    recorder = Recorder()

    async def main() -> tuple[str, list[DemoPerson]]:
        transport = httpx.MockTransport(recorder)
        async with AsyncPortalClient("https://sandbox.test", transport=transport) as client:
            sandbox = AsyncSandbox(client)
            token = await sandbox.login("kari")
            await sandbox.client_for("emil")
            return token.person_id, await sandbox.people()

    person_id, people = asyncio.run(main())
    assert person_id == "p-kari"
    assert [p.handle for p in people] == ["kari", "emil"]
    assert recorder.bodies == [
        {"person": "kari", "method": "bankid"},
        {"person": "emil", "method": "bankid"},
    ]
