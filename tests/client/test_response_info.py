"""
Response metadata over ``httpx.MockTransport``: every call can give its answer's status,
headers, request id, attempts and replay flag, with its typed result, in both clients.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from patientsky.client import ApiResponse, AsyncPortalClient, DialogView, PortalClient
from patientsky.errors import ApiNotFound, InvalidInput
from tests.client._support import (
    AT,
    BASE,
    CLIENT_KINDS,
    TOKEN,
    FakePortal,
    Faults,
    collect,
    dialog_json,
    make_client,
    ok,
    run,
)


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


async def _book(client: AsyncPortalClient, key: str) -> ApiResponse[Any]:
    return await client.with_raw_response(
        client.consultations.book,
        clinic_id="c-1",
        calendar_ids=["cal-1"],
        start=AT + dt.timedelta(days=1),
        duration_minutes=15,
        idempotency_key=key,
    )


def _one_dialog(request: httpx.Request) -> httpx.Response:
    return ok(dialog_json(0), headers={"X-Trace": "t-1"})


def test_a_raw_response_gives_the_typed_result_with_status_headers_and_request_id(
    kind: str,
) -> None:
    async def go() -> None:
        client = make_client(kind, _one_dialog)
        raw = await client.with_raw_response(client.dialogs.read, "d-0")
        await client.aclose()
        view: DialogView = raw.parse()
        assert view.dialog.id == "d-0"
        assert raw.status_code == 200
        assert raw.request_id == "req-ok"
        assert raw.headers["x-trace"] == "t-1"
        assert raw.headers["content-type"] == "application/json"
        assert (raw.method, raw.path, raw.attempts) == ("GET", "/v1/patients/me/dialogs/d-0", 1)
        assert raw.idempotency_key is None
        assert not raw.idempotent_replayed
        assert "private body" not in repr(raw)

    run(go())


def test_an_error_is_raised_as_from_the_call_itself(kind: str) -> None:
    async def go() -> None:
        client = make_client(kind, FakePortal())
        try:
            await client.with_raw_response(client.dialogs.read, "d-0")
        finally:
            await client.aclose()

    with pytest.raises(ApiNotFound):
        run(go())


def test_a_replayed_write_says_so_and_carries_its_key(kind: str) -> None:
    portal = FakePortal()

    async def go() -> None:
        client = make_client(kind, portal)
        first = await _book(client, "key-1")
        again = await _book(client, "key-1")
        await client.aclose()
        assert (first.status_code, first.idempotent_replayed) == (201, False)
        assert (again.status_code, again.idempotent_replayed) == (201, True)
        assert first.idempotency_key == again.idempotency_key == "key-1"
        assert first.parse() == again.parse()

    run(go())
    assert len(portal.bookings) == 1


def test_attempts_count_the_retries_behind_a_result(kind: str) -> None:
    portal = FakePortal()

    async def go() -> None:
        client = make_client(kind, Faults(portal, ["503", "drop_after"]))
        raw = await _book(client, "key-2")
        await client.aclose()
        assert raw.attempts == 3
        assert raw.idempotent_replayed  # the second attempt was applied; the third replays it

    run(go())
    assert len(portal.bookings) == 1


def test_a_list_is_not_a_single_call_and_says_to_use_on_response() -> None:
    # The async client's signature refuses a list already (it is not awaitable).
    client = PortalClient(BASE, token=TOKEN, transport=httpx.MockTransport(FakePortal()))
    with pytest.raises(InvalidInput) as refused:
        client.with_raw_response(client.dialogs.list)
    client.close()
    assert refused.value.field == "method"
    assert "on_response" in str(refused.value)


def test_on_response_sees_every_page_per_client_per_view_and_per_call(kind: str) -> None:
    seen: list[tuple[str, ApiResponse[Any]]] = []

    def hook(name: str) -> Any:
        return lambda response: seen.append((name, response))

    async def go() -> None:
        client = make_client(kind, FakePortal(dialogs=5, page_size=2), on_response=hook("client"))
        assert len(await collect(client.dialogs.list())) == 5
        view = client.with_options(on_response=hook("view"))
        await collect(view.dialogs.list())
        await collect(client.dialogs.list(on_response=hook("call")))
        await client.aclose()

    run(go())
    assert [name for name, _ in seen] == ["client"] * 3 + ["view"] * 3 + ["call"] * 3
    assert all(r.status_code == 200 and r.request_id == "req-ok" for _, r in seen)
    pages = [r.parse().next_cursor for name, r in seen if name == "client"]
    assert pages == ["2", "4", None]


def test_an_on_response_hook_must_be_a_function() -> None:
    with pytest.raises(InvalidInput) as bad:
        PortalClient(BASE, token=TOKEN, on_response="print")  # type: ignore[arg-type]
    assert bad.value.field == "on_response"
    client = AsyncPortalClient(BASE, token=TOKEN)
    with pytest.raises(InvalidInput):
        client.with_options(on_response=42)  # type: ignore[arg-type]
