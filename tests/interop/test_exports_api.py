"""
The FHIR export and the calendar feed through both clients, against the sandbox on a socket.

Who may export (the patient, a representative with ``view_profile``; what each part of
the Bundle needs), who may make a feed (the patient only), that a rotated or revoked
feed address is 404, ETags, and that no national identity number is in any URL sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, cast

import httpx
import icalendar
import pytest
from fhir.resources.R4B.bundle import Bundle

from patientsky.client import AsyncPortalClient, CalendarFeed, PortalClient
from patientsky.client.sandbox import AsyncSandbox, Sandbox
from patientsky.errors import ApiConflict, ApiNotFound, Forbidden, InvalidInput
from patientsky.fhir import access_log_entry_from_fhir, patient_from_fhir
from patientsky.models import Action, LoggedOperation
from patientsky.sandbox import SandboxClock, create_app, get_sandbox, serve_in_thread
from tests.client._support import CLIENT_KINDS, AsyncOverSync, run

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # the demo world's Wednesday


class World:
    """A fresh sandbox on 127.0.0.1; every URL any client sends is recorded."""

    def __init__(self, base_url: str, national_ids: list[str]) -> None:
        self.base_url = base_url
        self.national_ids = national_ids
        self.urls: list[str] = []
        self.closers: list[Callable[[], Any]] = []

    def _record(self, request: httpx.Request) -> None:
        self.urls.append(str(request.url))

    async def _arecord(self, request: httpx.Request) -> None:
        self._record(request)

    def anonymous(self, kind: str) -> AsyncPortalClient:
        """A client of ``kind`` without a token (the async interface either way)."""
        if kind == "sync":
            sync_http = httpx.Client(event_hooks={"request": [self._record]})
            self.closers.append(sync_http.close)
            return cast(
                "AsyncPortalClient",
                AsyncOverSync(PortalClient(self.base_url, http_client=sync_http)),
            )
        async_http = httpx.AsyncClient(event_hooks={"request": [self._arecord]})
        self.closers.append(async_http.aclose)
        return AsyncPortalClient(self.base_url, http_client=async_http)

    async def login(self, kind: str, handle: str) -> AsyncPortalClient:
        """A client of ``kind`` logged in as a demo person, by handle."""
        anonymous = self.anonymous(kind)
        if kind == "async":
            return await AsyncSandbox(anonymous).client_for(handle)
        sync: PortalClient = getattr(anonymous, "_target")  # noqa: B009 -- the facade's client
        return cast("AsyncPortalClient", AsyncOverSync(Sandbox(sync).client_for(handle)))

    async def close(self) -> None:
        for close in self.closers:
            result = close()
            if result is not None:
                await result


@pytest.fixture
def world() -> Iterator[World]:
    app = create_app(clock=SandboxClock(NOW))
    demo = get_sandbox(app).demo
    assert demo is not None
    ids = [login.national_id.reveal() for login in demo.logins]
    with serve_in_thread(app) as base_url:
        yield World(base_url, ids)


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def _go(world: World, body: Callable[[], Coroutine[Any, Any, None]]) -> None:
    async def wrapped() -> None:
        try:
            await body()
        finally:
            await world.close()

    run(wrapped())
    assert world.urls
    for url in world.urls:
        assert not any(number in url for number in world.national_ids), "a number in a URL"


def _types(bundle: dict[str, Any]) -> Counter[str]:
    return Counter(entry["resource"]["resourceType"] for entry in bundle.get("entry", []))


def test_the_patient_exports_everything_the_account_holds(world: World, kind: str) -> None:
    async def body() -> None:
        kari = await world.login(kind, "kari")
        await kari.profile.get()  # a read, in her access log before the export
        bundle = await kari.exports.fhir_bundle()
        Bundle.model_validate(bundle)  # R4B
        assert bundle["type"] == "collection"
        assert bundle["timestamp"].startswith("2026-11-25T12:00")
        types = _types(bundle)
        assert types["Patient"] == 1
        assert types["Communication"] > 0
        assert types["Appointment"] > 0
        assert types["Invoice"] > 0
        assert types["PaymentNotice"] > 0
        assert types["Consent"] > 0
        audits = [
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AuditEvent"
        ]
        assert audits, "her access log travels as AuditEvents"
        assert access_log_entry_from_fhir(audits[-1]).operation is LoggedOperation.VIEW_PROFILE
        patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "p-kari")
        back = patient_from_fhir(patient)
        assert back.id == "p-kari"
        assert back.national_id.reveal() in world.national_ids

    _go(world, body)


def test_a_representative_gets_the_parts_their_relation_grants(world: World, kind: str) -> None:
    async def body() -> None:
        # Lars is Olav's guardian: view_profile, read_messages, view_payments, no relations.
        lars = await world.login(kind, "lars")
        bundle = await lars.acting_for("p-olav").exports.fhir_bundle()
        Bundle.model_validate(bundle)
        types = _types(bundle)
        assert types["Patient"] == 1
        assert types["RelatedPerson"] == 0
        assert types["AuditEvent"] == 0  # the access log needs manage_relations too
        # Ingrid, Olav's caregiver, manages his relations: she sees them.
        ingrid = await world.login(kind, "ingrid")
        full = await ingrid.acting_for("p-olav").exports.fhir_bundle()
        assert _types(full)["RelatedPerson"] >= 2
        assert _types(full)["AuditEvent"] >= 1  # Lars's export is in Olav's log
        # Without read_messages and view_payments, those parts stay out.
        await ingrid.acting_for("p-olav").relations.change(
            "rel-lars-olav", actions=[Action.VIEW_PROFILE]
        )
        narrow = _types(await lars.acting_for("p-olav").exports.fhir_bundle())
        assert narrow["Communication"] == narrow["Invoice"] == narrow["PaymentNotice"] == 0
        assert narrow["Patient"] == 1
        # Without view_profile, nothing.
        await ingrid.acting_for("p-olav").relations.change(
            "rel-lars-olav", actions=[Action.BOOK_CONSULTATION]
        )
        with pytest.raises(Forbidden) as refused:
            await lars.acting_for("p-olav").exports.fhir_bundle()
        assert refused.value.code == "action_not_granted"

    _go(world, body)


@pytest.mark.parametrize(
    ("handle", "patient_id", "code"),
    [
        ("jonas", "p-olav", "no_relation"),
        ("nils", "p-olav", "relation_expired"),
        ("kari", "p-olav", "relation_disabled"),
    ],
)
def test_others_are_refused_the_export_with_the_rules_reason(
    world: World, handle: str, patient_id: str, code: str
) -> None:
    async def body() -> None:
        caller = await world.login("async", handle)
        with pytest.raises(Forbidden) as refused:
            await caller.acting_for(patient_id).exports.fhir_bundle()
        assert refused.value.code == code

    _go(world, body)


def _events(feed: bytes) -> dict[str, icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(feed)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_a_feed_is_made_fetched_rotated_and_revoked(
    world: World, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="patientsky")

    async def body() -> None:
        kari = await world.login(kind, "kari")
        feed = await kari.calendar_feed.create()
        assert isinstance(feed, CalendarFeed)
        assert feed.url.startswith(world.base_url + "/v1/calendar-feeds/")
        assert feed.url.endswith(".ics")
        assert feed.url.rsplit("/", 1)[1].removesuffix(".ics") not in repr(feed)
        with pytest.raises(ApiConflict):
            await kari.calendar_feed.create()
        # A calendar app sends no token: the address is enough.
        anonymous = world.anonymous(kind)
        text = await anonymous.calendar_feed.fetch(feed)
        events = _events(text)
        assert "con-kari-upcoming@patientsky" in events
        assert events["con-kari-cancelled@patientsky"]["STATUS"] == "CANCELLED"
        assert b"TZID=Europe/Oslo" in text
        assert b"BEGIN:VTIMEZONE" in text
        assert await anonymous.calendar_feed.fetch(feed.url) == text

        rotated = await kari.calendar_feed.rotate()
        assert rotated.url != feed.url
        with pytest.raises(ApiNotFound) as gone:
            await anonymous.calendar_feed.fetch(feed)
        token = feed.url.rsplit("/", 1)[1].removesuffix(".ics")
        assert token not in str(gone.value)
        assert token not in repr(gone.value)
        assert await anonymous.calendar_feed.fetch(rotated) == text

        await kari.calendar_feed.revoke()
        await kari.calendar_feed.revoke()  # safe to repeat
        with pytest.raises(ApiNotFound):
            await anonymous.calendar_feed.fetch(rotated)
        with pytest.raises(ApiNotFound):
            await kari.calendar_feed.rotate()

    _go(world, body)
    assert "/v1/calendar-feeds/{feedToken}.ics" in caplog.text  # the fetches were logged
    for url in world.urls:
        if "/calendar-feeds/" in url:
            assert url.rsplit("/", 1)[1].removesuffix(".ics") not in caplog.text


def test_only_the_patient_makes_their_feed(world: World, kind: str) -> None:
    async def body() -> None:
        kari = await world.login(kind, "kari")
        for call in (
            kari.acting_for("p-emil").calendar_feed.create,
            kari.acting_for("p-emil").calendar_feed.rotate,
            kari.acting_for("p-emil").calendar_feed.revoke,
        ):
            with pytest.raises(Forbidden) as refused:
                await call()
            assert refused.value.code == "patient_only"
        jonas = await world.login(kind, "jonas")
        with pytest.raises(Forbidden) as stranger:
            await jonas.acting_for("p-kari").calendar_feed.create()
        assert stranger.value.code == "no_relation"
        per = await world.login(kind, "per")  # withdrew his consent
        with pytest.raises(Forbidden) as reserved:
            await per.calendar_feed.create()
        assert reserved.value.code == "consent_withdrawn"

    _go(world, body)


def test_the_feed_answers_with_an_etag_and_private_caching(world: World) -> None:
    async def body() -> None:
        kari = await world.login("async", "kari")
        feed = await kari.calendar_feed.create()
        async with httpx.AsyncClient() as http:
            first = await http.get(feed.url)
            assert first.status_code == 200
            assert first.headers["content-type"].startswith("text/calendar")
            assert first.headers["cache-control"] == "private, no-cache"
            etag = first.headers["etag"]
            again = await http.get(feed.url, headers={"If-None-Match": f'W/{etag}, "other"'})
            assert again.status_code == 304
            assert again.headers["etag"] == etag
            assert not again.content
            other = await http.get(feed.url, headers={"If-None-Match": '"other"'})
            assert other.status_code == 200
            assert other.content == first.content
            # An unknown token is the same 404 as a revoked one; a malformed one is a 400
            # naming the parameter (and never echoing it), as every declared path is.
            for bad, status in (("x", 400), ("A" * 43, 404), ("%00" * 20, 400)):
                missing = await http.get(f"{world.base_url}/v1/calendar-feeds/{bad}.ics")
                assert missing.status_code == status
                assert missing.headers["cache-control"] == "no-store"
                assert bad not in missing.text
        world.urls.append(feed.url)

    _go(world, body)


def test_the_calendar_file_comes_with_the_login_to_whoever_may_see_the_profile(
    world: World, kind: str
) -> None:
    async def body() -> None:
        kari = await world.login(kind, "kari")
        ics = await kari.calendar_feed.download()
        calendar = icalendar.Calendar.from_ical(ics)
        assert calendar.walk("VEVENT"), "her consultations are events"
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Oslo"
        lars = await world.login(kind, "lars")  # Olav's guardian, with view_profile
        assert b"BEGIN:VCALENDAR" in await lars.acting_for("p-olav").calendar_feed.download()
        jonas = await world.login(kind, "jonas")  # no relation to Olav
        with pytest.raises(Forbidden) as refused:
            await jonas.acting_for("p-olav").calendar_feed.download()
        assert refused.value.code == "no_relation"

    _go(world, body)


def test_a_feed_address_is_refused_by_the_client_when_it_is_not_one() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    transport = httpx.MockTransport(handler)
    client = PortalClient("https://portal.example.no", token="t", transport=transport)
    for bad in ("", "https://portal.example.no/v1/calendar-feeds/a b.ics", "x/", 42):
        with pytest.raises(InvalidInput) as caught:
            client.calendar_feed.fetch(bad)  # type: ignore[arg-type]
        assert caught.value.field == "feed"
    assert not sent
    client.close()
