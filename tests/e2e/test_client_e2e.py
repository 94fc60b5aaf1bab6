"""
Both clients against the real sandbox over a socket on 127.0.0.1: a walk through the portal,
token refresh after the sandbox clock moves, and faults between client and sandbox in which
no write is done twice or lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Coroutine, Iterator
from typing import Any, cast

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patientsky.client import ApiResponse, AsyncPortalClient, PortalClient
from patientsky.client.sandbox import AsyncSandbox, Sandbox
from patientsky.errors import (
    ApiConflict,
    ApiError,
    Forbidden,
    TransportError,
)
from patientsky.models import (
    CommunicationType,
    ContactDetails,
    LoginMethod,
    Money,
    NationalId,
    PersonName,
)
from patientsky.rules.decision import Reason
from patientsky.sandbox import SandboxClock, create_app, get_sandbox, serve_in_thread
from tests.client._support import (
    CLIENT_KINDS,
    AsyncFaultyTransport,
    AsyncOverSync,
    Faults,
    FaultyTransport,
    collect,
    run,
)
from tests.images import PNG

pytestmark = pytest.mark.e2e

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # the demo world's Wednesday


class World:
    """A sandbox served on 127.0.0.1, and the demo people's national identity numbers."""

    def __init__(self, base_url: str, people: dict[str, NationalId], clock: SandboxClock) -> None:
        self.base_url = base_url
        self.people = people
        self.clock = clock
        self.opened: list[AsyncPortalClient] = []

    async def close_all(self) -> None:
        """Close every client made since the last call (views share their root's pool)."""
        while self.opened:
            await self.opened.pop().aclose()

    def client(self, kind: str, faults: Faults | None = None, **kwargs: Any) -> AsyncPortalClient:
        """A client of ``kind`` (async interface), optionally through a faulty network."""
        kwargs.setdefault("sleep", None)
        sleep = kwargs.pop("sleep")
        if kind == "sync":
            transport = None if faults is None else FaultyTransport(httpx.HTTPTransport(), faults)
            sync = PortalClient(
                self.base_url, transport=transport, sleep=sleep or (lambda _s: None), **kwargs
            )
            self.opened.append(cast("AsyncPortalClient", AsyncOverSync(sync)))
            return self.opened[-1]
        async_transport = (
            None if faults is None else AsyncFaultyTransport(httpx.AsyncHTTPTransport(), faults)
        )

        async def no_sleep(_seconds: float) -> None:
            return None

        self.opened.append(
            AsyncPortalClient(
                self.base_url, transport=async_transport, sleep=sleep or no_sleep, **kwargs
            )
        )
        return self.opened[-1]

    async def login(
        self, kind: str, person: str, method: LoginMethod = LoginMethod.BANKID, **kwargs: Any
    ) -> AsyncPortalClient:
        """A client logged in as a demo person."""
        anonymous = self.client(kind, **kwargs)
        if kind == "async":
            return await AsyncSandbox(anonymous).client_for(self.people[person], method)
        sync: PortalClient = getattr(anonymous, "_target")  # noqa: B009 -- the facade's client
        view = Sandbox(sync).client_for(self.people[person], method)
        return cast("AsyncPortalClient", AsyncOverSync(view))


async def closing(world: World, body: Coroutine[Any, Any, None]) -> None:
    """Run a test body, then close the clients it made."""
    try:
        await body
    finally:
        await world.close_all()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    clock = SandboxClock(NOW)
    app = create_app(clock=clock)
    demo = get_sandbox(app).demo
    assert demo is not None
    people = {login.patient_id: login.national_id for login in demo.logins}
    with serve_in_thread(app) as base_url:
        yield World(base_url, people, clock)


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def test_a_patient_walks_through_the_portal(world: World, kind: str) -> None:
    async def go() -> None:
        kari = await world.login(kind, "p-kari")
        session = await kari.session.get()
        assert session.person_id == "p-kari"
        assert (await kari.consent.get()).in_force

        profile = await kari.profile.get()
        assert session.name == profile.value.name  # the session names the person
        contact = ContactDetails(email=f"kari.{kind}@example.no", phone="+4791234567")
        updated = await kari.profile.update(if_match=profile, contact=contact)
        assert updated.value.contact == contact
        with pytest.raises(ApiConflict) as stale:
            await kari.profile.update(if_match=profile, name=PersonName("Kari", "Olsen"))
        assert stale.value.code == "precondition_failed"

        ref = await kari.profile.upload_photo(PNG)
        assert ref.media_type == "image/png"
        photo = await kari.profile.photo()
        assert photo.data == bytes(photo) == PNG
        assert photo.media_type == "image/png"
        assert photo.etag == f'"{ref.id}"'
        assert photo.data_url().startswith("data:image/png;base64,")

        inbox = await collect(kari.dialogs.list())
        assert inbox
        first = await kari.dialogs.read(inbox[0].dialog.id)
        assert first.dialog.id == inbox[0].dialog.id
        replied = await kari.dialogs.reply(first.dialog.id, "Takk for svar")
        assert replied.body == "Takk for svar"
        thread = await kari.dialogs.read(first.dialog.id)
        assert thread.dialog.messages[-1] == replied

        notice = await kari.dialogs.fee_notice("clinic-sentrum")
        assert notice.applies
        assert notice.text_nn is not None
        assert "eigendel" in notice.text("nn")
        started = await kari.dialogs.start(
            clinic_id="clinic-sentrum",
            type=CommunicationType.E_CONSULTATION,
            subject="Utslett",
            body="Det klør",
            fee_acknowledged=True,
        )
        assert started.folder == "inbox"

        outstanding = kari.payments.list()
        rows = await collect(outstanding)
        assert {r.kind for r in rows} == {"invoice"}
        assert await outstanding.total() == sum((r.amount for r in rows), Money.zero())
        paid = await collect(kari.payments.list("all_paid", limit=2))
        receipt = await kari.payments.receipt(next(r.id for r in paid if r.kind == "payment"))
        assert receipt.startswith(b"%PDF-")

        assert await collect(kari.clinics.search(city="Bergen"))
        assert await kari.public_services.list()

    run(closing(world, go()))


def test_every_call_gives_its_request_id_status_headers_and_replay(world: World, kind: str) -> None:
    seen: list[ApiResponse[Any]] = []

    async def go() -> None:
        kari = await world.login(kind, "p-kari")
        raw = await kari.with_raw_response(kari.profile.get)
        assert raw.status_code == 200
        assert raw.request_id
        assert raw.headers["etag"] == raw.parse().etag
        assert raw.parse().value.id == "p-kari"

        inbox = await collect(kari.dialogs.list(limit=1, on_response=seen.append))
        assert len(seen) == len(inbox) >= 2  # one answer per page of one dialog
        assert len({r.request_id for r in seen}) == len(seen)

        dialog_id = inbox[0].dialog.id
        key = f"e2e-meta-{kind}"
        first = await kari.with_raw_response(
            kari.dialogs.reply, dialog_id, "Hei", idempotency_key=key
        )
        again = await kari.with_raw_response(
            kari.dialogs.reply, dialog_id, "Hei", idempotency_key=key
        )
        assert (first.status_code, first.idempotent_replayed) == (201, False)
        assert (again.status_code, again.idempotent_replayed) == (201, True)
        assert first.idempotency_key == again.idempotency_key == key
        assert first.parse() == again.parse()
        assert first.request_id != again.request_id

    run(closing(world, go()))


def test_a_parent_acts_for_a_child_only_through_an_explicit_view(world: World, kind: str) -> None:
    async def go() -> None:
        kari = await world.login(kind, "p-kari")
        children = {p.patient_id: p for p in await collect(kari.session.represented())}
        assert "p-emil" in children
        emil = kari.acting_for("p-emil")
        assert (await emil.profile.get()).value.id == "p-emil"
        assert (await kari.profile.get()).value.id == "p-kari"
        with pytest.raises(Forbidden):
            await kari.acting_for("p-jonas").profile.get()

    run(closing(world, go()))


def test_health_data_needs_a_high_assurance_login_and_consent(world: World, kind: str) -> None:
    async def go() -> None:
        minid = await world.login(kind, "p-kari", LoginMethod.MINID)
        with pytest.raises(Forbidden) as low:
            await minid.profile.get()
        assert low.value.reason is Reason.LOGIN_ASSURANCE_TOO_LOW
        per = await world.login(kind, "p-per")
        with pytest.raises(Forbidden) as withdrawn:
            await collect(per.dialogs.list())
        assert withdrawn.value.code == "consent_withdrawn"
        assert not (await per.consent.get()).in_force

    run(closing(world, go()))


def test_a_token_provider_logs_in_again_when_the_token_expires(world: World, kind: str) -> None:
    logins: list[str] = []

    def provider() -> str:
        if not logins or world.clock.now() > NOW + dt.timedelta(days=1):
            anonymous = PortalClient(world.base_url)
            token = Sandbox(anonymous).login(world.people["p-jonas"])
            anonymous.close()
            logins.append(token.access_token)
        return logins[-1]

    async def go() -> None:
        jonas = world.client(kind, token=provider)
        await jonas.profile.get()
        world.clock.advance(dt.timedelta(days=2))
        try:
            await jonas.profile.get()  # 401 session_expired, then a new login
        finally:
            world.clock.set(NOW)

    run(closing(world, go()))
    assert len(logins) == 2


def test_the_client_reads_the_servers_time_even_from_a_set_test_clock(
    world: World, kind: str
) -> None:
    async def go() -> None:
        anonymous = world.client(kind)
        assert await anonymous.server_time() == NOW
        world.clock.advance(dt.timedelta(days=3, minutes=5))
        try:
            later = await anonymous.server_time()
        finally:
            world.clock.set(NOW)
        assert later == NOW + dt.timedelta(days=3, minutes=5)
        assert later.tzinfo is not None

    run(closing(world, go()))


Slot = tuple[dt.datetime, tuple[str, ...]]
VANLIG = "452935de-975e-11e5-ae1a-c8e0eb18c1e9"  # the demo calendars' 15-minute "Vanlig" time


@pytest.fixture(scope="module")
def slots(world: World) -> Iterator[Slot]:
    """
    Every 15 minutes of free "Vanlig" time at the clinic in the coming two weeks, one at a time.

    "Vanlig" slots are 15 minutes long, so each of these starts is on a slot's grid
    (a booking in 30-minute time must start on its boundaries).
    """
    with PortalClient(world.base_url) as client:
        free = client.clinics.free_time(
            "clinic-sentrum",
            start=NOW,
            end=NOW + dt.timedelta(days=14),
            duration_minutes=15,
            time_slot_type_id=VANLIG,
        )
    return ((start, span.calendar_ids) for span in free for start in span.start_times)


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(CLIENT_KINDS),
    script=st.lists(st.sampled_from(Faults.KINDS), max_size=5),
    max_retries=st.integers(0, 3),
)
def test_a_booking_through_a_faulty_network_is_made_once_and_never_lost(
    world: World, slots: Iterator[Slot], kind: str, script: list[str], max_retries: int
) -> None:
    start, calendar_ids = next(slots)
    key = f"e2e-{kind}-{start.isoformat()}"

    async def book(client: AsyncPortalClient) -> str:
        booked = await client.consultations.book(
            clinic_id="clinic-sentrum",
            calendar_ids=calendar_ids,
            start=start,
            duration_minutes=15,
            time_slot_type_id=VANLIG,
            idempotency_key=key,
        )
        return booked.id

    async def go() -> None:
        clean = await world.login(kind, "p-jonas")
        token = await _token(world)
        faulty = world.client(kind, Faults(script=script), max_retries=max_retries, token=token)
        try:
            booked: str | None = await book(faulty)
        except (TransportError, ApiError):
            booked = None
        again = await book(clean)  # the same key: replays, or books if nothing was made
        if booked is not None:
            assert again == booked
        mine = [c for c in await collect(clean.consultations.list()) if c.start == start]
        assert [c.id for c in mine] == [again]
        # Free the place again: a patient holds only a few upcoming bookings at a clinic.
        await clean.consultations.cancel(again)

    run(closing(world, go()))


async def _token(world: World) -> str:
    anonymous = AsyncPortalClient(world.base_url)
    try:
        token = await AsyncSandbox(anonymous).login(world.people["p-jonas"])
    finally:
        await anonymous.aclose()
    return token.access_token
