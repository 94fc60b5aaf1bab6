"""
Client conveniences over ``httpx.MockTransport``: resuming lists from a saved cursor,
pages that say whether a next one exists, default and per-call headers, and the base
URL and token from the environment.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.client import AsyncPortalClient, PortalClient
from patientsky.client._base import RESERVED_HEADERS, check_headers
from patientsky.errors import InvalidInput
from tests.client._support import (
    BASE,
    CLIENT_KINDS,
    TOKEN,
    FakePortal,
    collect,
    make_client,
    run,
)


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


# --------------------------------------------------------------------------- cursors


def test_a_list_resumes_from_a_saved_cursor(kind: str) -> None:
    portal = FakePortal(dialogs=5, page_size=2)

    async def go() -> None:
        client = make_client(kind, portal)
        first = await client.dialogs.list().page()
        assert [v.dialog.id for v in first.data] == ["d-0", "d-1"]
        assert first.has_next
        assert first.next_cursor == "2"
        saved = first.next_cursor
        rest = await collect(client.dialogs.list(cursor=saved))
        assert [v.dialog.id for v in rest] == ["d-2", "d-3", "d-4"]
        last = await client.dialogs.list(cursor="4").page()
        assert not last.has_next
        assert last.next_cursor is None
        await client.aclose()

    run(go())
    assert [r.url.params.get("cursor") for r in portal.requests] == [None, "2", "4", "4"]


def test_a_saved_cursor_that_is_a_url_or_empty_is_refused_before_anything_is_sent(
    kind: str,
) -> None:
    portal = FakePortal()
    client = make_client(kind, portal)
    for bad in ("https://evil.example/steal", "//evil.example", ""):
        with pytest.raises(InvalidInput) as refused:
            client.dialogs.list(cursor=bad)
        assert refused.value.field == "cursor"
    assert portal.requests == []
    run(client.aclose())


def test_a_server_repeating_the_saved_cursor_cannot_loop_the_client(kind: str) -> None:
    def stuck(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [], "nextCursor": "c-1"})

    async def go() -> None:
        client = make_client(kind, stuck)
        try:
            await collect(client.dialogs.list(cursor="c-1"))
        finally:
            await client.aclose()

    with pytest.raises(InvalidInput) as refused:
        run(go())
    assert refused.value.field == "nextCursor"


# --------------------------------------------------------------------------- headers


def test_default_and_extra_headers_are_sent_and_the_calls_win(kind: str) -> None:
    portal = FakePortal(dialogs=1)

    async def go() -> None:
        client = make_client(
            kind, portal, default_headers={"X-Correlation-Id": "app-1", "X-Tenant": "t"}
        )
        await collect(client.dialogs.list())
        await collect(client.dialogs.list(extra_headers={"traceparent": "00-ab-cd-01"}))
        await collect(client.dialogs.list(extra_headers={"x-correlation-id": "call-2"}))
        view = client.with_options(extra_headers={"X-Tenant": "view"})
        await collect(view.dialogs.list())
        await client.aclose()

    run(go())
    first, traced, overridden, viewed = (r.headers for r in portal.requests)
    assert (first["x-correlation-id"], first["x-tenant"]) == ("app-1", "t")
    assert "traceparent" not in first
    assert traced["traceparent"] == "00-ab-cd-01"
    assert traced["x-correlation-id"] == "app-1"
    assert overridden.get_list("x-correlation-id") == ["call-2"]
    assert (viewed["x-tenant"], viewed["x-correlation-id"]) == ("view", "app-1")
    assert all(h["authorization"] == f"Bearer {TOKEN}" for h in (first, traced, viewed))


def test_a_user_agent_can_be_extended_but_the_clients_own_headers_cannot_be_replaced(
    kind: str,
) -> None:
    portal = FakePortal(dialogs=1)

    async def go() -> None:
        client = make_client(kind, portal, default_headers={"User-Agent": "my-app/1.0"})
        await collect(client.dialogs.list())
        for name in ("Authorization", "idempotency-key", "If-Match", "Accept"):
            with pytest.raises(InvalidInput) as refused:
                await client.dialogs.read("d-0", extra_headers={name: "x"})
            assert refused.value.field == f"extra_headers.{name}"
        await client.aclose()

    run(go())
    assert portal.requests[0].headers.get_list("user-agent") == ["my-app/1.0"]
    assert len(portal.requests) == 1


@given(
    name=st.sampled_from(sorted(RESERVED_HEADERS)).flatmap(
        lambda n: st.builds(
            lambda flips: "".join(c.upper() if f else c for c, f in zip(n, flips, strict=False)),
            st.lists(st.booleans(), min_size=len(n), max_size=len(n)),
        )
    )
)
def test_a_reserved_header_is_refused_in_any_spelling(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_headers({name: "v"}, "default_headers")
    assert refused.value.field == f"default_headers.{name}"


@given(
    before=st.text(max_size=10),
    breaker=st.sampled_from(["\r", "\n", "\r\n", "\0"]),
    after=st.text(max_size=10),
)
def test_a_header_value_that_could_split_a_request_is_refused_without_repeating_it(
    before: str, breaker: str, after: str
) -> None:
    value = f"{before}{breaker}{after}"
    with pytest.raises(InvalidInput) as refused:
        check_headers({"X-Note": value}, "extra_headers")
    assert value not in str(refused.value)


def test_headers_must_be_a_mapping_of_token_names() -> None:
    with pytest.raises(InvalidInput, match="mapping"):
        PortalClient(BASE, default_headers=[("X-A", "b")])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="token"):
        AsyncPortalClient(BASE, default_headers={"X A": "b"})


# --------------------------------------------------------------------------- environment


def test_the_base_url_and_token_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATIENTSKY_BASE_URL", BASE)
    monkeypatch.setenv("PATIENTSKY_TOKEN", TOKEN)
    portal = FakePortal(dialogs=1)
    caplog.set_level(logging.DEBUG, logger="patientsky.client")
    with PortalClient(transport=httpx.MockTransport(portal)) as client:
        assert client.base_url == BASE
        assert len(list(client.dialogs.list())) == 1
        assert TOKEN not in repr(client)
    assert portal.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in caplog.text
    assert caplog.records  # the exchange was logged, without the token
    asynchronous = AsyncPortalClient()
    assert asynchronous.base_url == BASE
    assert TOKEN not in repr(asynchronous)


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATIENTSKY_BASE_URL", "https://elsewhere.example")
    monkeypatch.setenv("PATIENTSKY_TOKEN", "from-the-environment")
    portal = FakePortal(dialogs=1)
    with PortalClient(BASE, token=TOKEN, transport=httpx.MockTransport(portal)) as client:
        list(client.dialogs.list())
    assert portal.requests[0].url.host == "portal.test"
    assert portal.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_without_a_base_url_anywhere_the_error_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PATIENTSKY_BASE_URL", raising=False)
    with pytest.raises(InvalidInput) as missing:
        PortalClient()
    assert missing.value.field == "base_url"
    assert "PATIENTSKY_BASE_URL" in str(missing.value)
