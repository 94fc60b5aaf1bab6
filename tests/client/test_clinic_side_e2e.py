"""
The clinic's half through both clients, against a live sandbox (the admin key's helpers).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patientsky.client import AsyncPortalClient, PortalClient
from patientsky.client.sandbox import AsyncSandbox, Sandbox
from patientsky.errors import ApiConflict, Forbidden, Unauthorized
from patientsky.models import CareService, ConsultationStatus, Money, PaymentStatus
from patientsky.rules.payments import make_kid

pytest.importorskip("starlette")

from patientsky.sandbox import SandboxClock, create_app, serve_in_thread

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
KEY = "a-test-admin-key-that-is-long-enough"
SENTRUM = "clinic-sentrum"


@pytest.fixture
def base_url() -> Iterator[str]:
    app = create_app(clock=SandboxClock(NOW), admin_key=KEY)
    with serve_in_thread(app) as url:
        yield url


def test_the_clinics_half_through_the_sync_client(base_url: str) -> None:
    with PortalClient(base_url) as anonymous:
        sandbox = Sandbox(anonymous, admin_key=KEY)
        kari = sandbox.client_for("kari")
        message = sandbox.clinic.reply(SENTRUM, "dlg-kari-2", "Hvordan går det?")
        assert message.author_id == SENTRUM
        closed = sandbox.clinic.close_dialog(SENTRUM, "dlg-kari-2", needs_reply=True)
        assert closed.dialog.needs_reply
        kari.dialogs.reply("dlg-kari-2", "Bedre, takk.")
        archived = {d.dialog.id for d in kari.dialogs.list("archive")}
        assert "dlg-kari-2" in archived

        invoice = sandbox.clinic.issue_invoice(
            SENTRUM,
            patient_id="p-kari",
            amount=Money.nok(350),
            due_date=dt.date(2026, 12, 9),
            idempotency_key="inv-1",
        )
        again = sandbox.clinic.issue_invoice(
            SENTRUM,
            patient_id="p-kari",
            amount=Money.nok(350),
            due_date=dt.date(2026, 12, 9),
            idempotency_key="inv-1",
        )
        assert again == invoice
        assert invoice.kid == make_kid(invoice.number)
        assert invoice.id in {r.id for r in kari.payments.list("outstanding")}
        settled = sandbox.clinic.settle_invoice(SENTRUM, invoice.id)
        assert settled.invoice.payment_id == settled.payment.id
        assert settled.payment.id in {r.id for r in kari.payments.list("paid_this_year")}
        with pytest.raises(ApiConflict) as paid:
            sandbox.clinic.settle_invoice(SENTRUM, invoice.id)
        assert paid.value.code == "invoice_already_paid"
        refunded = sandbox.clinic.refund(SENTRUM, settled.payment.id)
        assert refunded.status is PaymentStatus.REFUNDED

        renewal = sandbox.clinic.approve_renewal(
            "clinic-nord", "rx-kari-1", pharmacy="Apotek 1 Storgata"
        )
        assert renewal.pharmacy == "Apotek 1 Storgata"
        (listed,) = kari.prescriptions.list()
        assert listed.status == renewal.status
        with pytest.raises(ApiConflict):
            sandbox.clinic.reject_renewal("clinic-nord", "rx-kari-1", reason="For sent.")
        with pytest.raises(Forbidden) as stranger:
            sandbox.clinic.issue_invoice(
                SENTRUM, patient_id="p-jonas", amount=Money.nok(1), due_date=NOW.date()
            )
        assert stranger.value.code == "patient_not_connected_to_clinic"
        sandbox.clinic.connect(SENTRUM, "p-jonas")
        sandbox.clinic.issue_invoice(
            SENTRUM, patient_id="p-jonas", amount=Money.nok(1), due_date=NOW.date()
        )


def test_a_late_cancellation_through_the_sync_client(base_url: str) -> None:
    with PortalClient(base_url) as anonymous:
        sandbox = Sandbox(anonymous, admin_key=KEY)
        sandbox.set_clock(dt.datetime(2026, 12, 16, 8, 30, tzinfo=dt.UTC))
        kari = sandbox.client_for("kari")
        notice = kari.consultations.cancellation_notice("con-kari-upcoming")
        assert notice.applies
        listed = {n.consultation_id: n for n in kari.consultations.cancellation_notices()}
        assert listed["con-kari-upcoming"] == notice
        assert notice.fee == Money.nok(350)
        with pytest.raises(ApiConflict) as refused:
            kari.consultations.cancel("con-kari-upcoming")
        assert refused.value.code == "late_cancellation_fee_not_acknowledged"
        cancelled = kari.consultations.cancel("con-kari-upcoming", fee_acknowledged=True)
        assert cancelled.status is ConsultationStatus.LATE_CANCELLED
        assert "con-kari-upcoming" in {c.id for c in kari.consultations.list("past")}


def test_the_clinics_half_through_the_async_client(base_url: str) -> None:
    async def scenario() -> None:
        async with AsyncPortalClient(base_url) as anonymous:
            sandbox = AsyncSandbox(anonymous, admin_key=KEY)
            await sandbox.set_clock(dt.datetime(2026, 12, 16, 9, 10, tzinfo=dt.UTC))
            marked = await sandbox.clinic.mark_consultation(
                SENTRUM, "con-kari-upcoming", attended=True, idempotency_key="m-1"
            )
            assert marked.status is ConsultationStatus.COMPLETED
            again = await sandbox.clinic.mark_consultation(
                SENTRUM, "con-kari-upcoming", attended=True, idempotency_key="m-1"
            )
            assert again == marked
            rejected = await sandbox.clinic.reject_renewal(
                "clinic-nord", "rx-kari-1", reason="Time hos fastlegen først.\nRing oss."
            )
            assert rejected.rejection_reason == "Time hos fastlegen først.\nRing oss."
            message = await sandbox.clinic.reply(SENTRUM, "dlg-kari-1", "Hei", reopen=False)
            assert message.body == "Hei"
            kari = await sandbox.client_for("kari")
            dialog = await kari.dialogs.read("dlg-kari-1")
            assert dialog.dialog.messages[-1].id == message.id
            changed = await sandbox.clinic.change_offer(
                "clinic-nord", services=[CareService.BOOK_CONSULTATION]
            )
            assert changed.enabled_services == (CareService.BOOK_CONSULTATION,)
            seen = await kari.care.services("clinic-nord")
            assert list(seen.services) == [CareService.BOOK_CONSULTATION]

    asyncio.run(scenario())


def test_without_the_admin_key_the_clinics_half_is_unauthorized(base_url: str) -> None:
    with PortalClient(base_url) as anonymous:
        sandbox = Sandbox(anonymous, admin_key="not-the-key-of-this-sandbox")
        with pytest.raises(Unauthorized):
            sandbox.clinic.reply(SENTRUM, "dlg-kari-1", "Hei")


@pytest.fixture(scope="module")
def shared_url() -> Iterator[str]:
    app = create_app(clock=SandboxClock(NOW), admin_key=KEY)
    with serve_in_thread(app) as url:
        yield url


@settings(max_examples=10)
@given(amount=st.integers(min_value=1, max_value=10**7), pay=st.booleans())
def test_an_invoice_is_in_outstanding_or_in_the_paid_tabs_never_both(
    shared_url: str, amount: int, pay: bool
) -> None:
    with PortalClient(shared_url) as anonymous:
        sandbox = Sandbox(anonymous, admin_key=KEY)
        kari = sandbox.client_for("kari")
        invoice = sandbox.clinic.issue_invoice(
            SENTRUM, patient_id="p-kari", amount=Money(amount, "NOK"), due_date=NOW.date()
        )
        paid_id = sandbox.clinic.settle_invoice(SENTRUM, invoice.id).payment.id if pay else None
        outstanding = {r.id for r in kari.payments.list("outstanding")}
        paid = {r.id for r in kari.payments.list("all_paid")}
        this_year = {r.id for r in kari.payments.list("paid_this_year")}
        assert (invoice.id in outstanding) is not pay
        assert invoice.id not in paid
        assert (paid_id in paid and paid_id in this_year) is pay
