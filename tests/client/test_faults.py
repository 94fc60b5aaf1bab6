"""
Fault tests: a faulty network between each client and an in-memory portal.

Whatever the network does (refuse, drop before or after the server acted, time out,
answer 502/503/504 or 429), every call ends in a result or a typed error, and no write
is done twice or lost: a booking the server made is either returned, or found again by
retrying with the same idempotency key.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patientsky.client import DialogView, Versioned
from patientsky.errors import ApiConflict, ApiError, PatientSkyError, TransportError
from patientsky.models import ContactDetails, Patient
from tests.client._support import (
    CLIENT_KINDS,
    FakePortal,
    Faults,
    collect,
    make_client,
    run,
)

FAULT_TESTS = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
START = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)

scripts = st.lists(st.sampled_from(Faults.KINDS), max_size=6)
kinds = st.sampled_from(CLIENT_KINDS)
retries = st.integers(0, 4)


@FAULT_TESTS
@given(kind=kinds, script=scripts, max_retries=retries)
def test_a_booking_is_made_once_whatever_the_network_does(
    kind: str, script: list[str], max_retries: int
) -> None:
    portal = FakePortal()
    faults = Faults(portal, script)

    async def go() -> None:
        client = make_client(kind, faults, max_retries=max_retries)
        try:
            booked = await client.consultations.book(
                clinic_id="c-1",
                calendar_ids=["cal-1"],
                start=START,
                duration_minutes=15,
                idempotency_key="booking-1",
            )
        except (TransportError, ApiError):
            assert len(portal.bookings) <= 1
            # Not lost: the same key on a clean network finds (or makes) the one booking.
            clean = make_client(kind, portal)
            booked = await clean.consultations.book(
                clinic_id="c-1",
                calendar_ids=["cal-1"],
                start=START,
                duration_minutes=15,
                idempotency_key="booking-1",
            )
        assert list(portal.bookings) == [booked.id]

    run(go())
    attempts = [f for f in faults.seen if f in ("ok", "drop_after", "timeout_after")]
    assert len(attempts) <= max_retries + 1


@FAULT_TESTS
@given(kind=kinds, script=scripts, max_retries=retries)
def test_a_write_the_server_does_not_deduplicate_reaches_it_at_most_once(
    kind: str, script: list[str], max_retries: int
) -> None:
    portal = FakePortal()
    faults = Faults(portal, script)

    async def go() -> None:
        client = make_client(kind, faults, max_retries=max_retries)
        try:
            state = await client.consent.give("2026-01")
        except (TransportError, ApiError):
            assert len(portal.consents) <= 1
        else:
            assert state.in_force
            assert portal.consents == ["2026-01"]

    run(go())


@FAULT_TESTS
@given(kind=kinds, script=scripts, max_retries=retries)
def test_a_profile_update_is_applied_at_most_once(
    kind: str, script: list[str], max_retries: int
) -> None:
    portal = FakePortal()
    read = portal.etag

    async def go() -> Versioned[Patient] | PatientSkyError:
        client = make_client(kind, Faults(portal, script), max_retries=max_retries)
        try:
            return await client.profile.update(if_match=read, contact=contact)
        except PatientSkyError as exc:
            return exc

    contact = ContactDetails(email="kari@example.no")
    outcome = run(go())
    if isinstance(outcome, Versioned):
        assert outcome.value.contact == contact
        assert portal.version == 2
    elif isinstance(outcome, ApiConflict):
        # A retry after the first attempt was applied meets the new ETag: the change is
        # there, and the caller reads the profile again to see it.
        assert outcome.code == "precondition_failed"
        assert portal.version == 2
    else:
        assert isinstance(outcome, TransportError | ApiError)
        assert portal.version <= 2


@FAULT_TESTS
@given(kind=kinds, script=scripts, max_retries=retries)
def test_a_listing_gives_every_item_or_a_typed_error(
    kind: str, script: list[str], max_retries: int
) -> None:
    portal = FakePortal(dialogs=5, page_size=2)

    async def go() -> list[DialogView] | PatientSkyError:
        client = make_client(kind, Faults(portal, script), max_retries=max_retries)
        try:
            return await collect(client.dialogs.list())
        except PatientSkyError as exc:
            return exc

    outcome = run(go())
    if isinstance(outcome, list):
        assert [v.dialog.id for v in outcome] == [f"d-{n}" for n in range(5)]
    else:
        assert isinstance(outcome, TransportError | ApiError)
