"""
The clinic's half, played in the sandbox, as methods over a client.

The async class is written here; ``tools/unasync.py`` writes the sync one from it, as it
writes the sync client from ``_async.py``. Both are exported by
:mod:`patientsky.client.sandbox`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Unpack

from patientsky.client._clinic_side import (
    ClinicConnection,
    Settlement,
    _approve,
    _close,
    _connect,
    _issue,
    _mark,
    _offer,
    _refund,
    _reject,
    _reply,
    _settle,
)
from patientsky.models import (
    CareService,
    Clinic,
    CommunicationType,
    Consultation,
    Invoice,
    Message,
    Money,
    Payment,
    PaymentMethod,
    PrescriptionRenewalRequest,
)

if TYPE_CHECKING:
    from patientsky.client import AsyncPortalClient, CallOptions, DialogView

__all__ = ["AsyncClinicSide"]


class AsyncClinicSide:
    """
    The clinic's half, played in the sandbox with its admin key.

    Every method takes ``idempotency_key`` (one is made if omitted; retries reuse it, so
    the write happens once) and the call options of the client.

    Args:
        admin: A client for the sandbox that sends the admin key.
    """

    def __init__(self, admin: AsyncPortalClient) -> None:
        self._admin = admin

    async def connect(
        self,
        clinic_id: str,
        patient_id: str,
        *,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> ClinicConnection:
        """Connect a patient to the clinic, as the clinic taking them in does (H2, R4)."""
        return await self._admin._run(_connect(clinic_id, patient_id, idempotency_key), options)

    async def reply(
        self,
        clinic_id: str,
        dialog_id: str,
        body: str,
        *,
        practitioner_id: str | None = None,
        reopen: bool = False,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Message:
        """
        Answer in a dialog as the clinic, or as one of its practitioners (M1).

        Args:
            clinic_id: The dialog's clinic.
            dialog_id: The dialog.
            body: The message (health data; never logged).
            practitioner_id: The practitioner who writes; the clinic itself if None.
            reopen: Open a closed dialog again, asking the patient to answer.
            idempotency_key: Your key; one is made if omitted.
        """
        call = _reply(clinic_id, dialog_id, body, practitioner_id, reopen, idempotency_key)
        return await self._admin._run(call, options)

    async def close_dialog(
        self,
        clinic_id: str,
        dialog_id: str,
        *,
        needs_reply: bool,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> DialogView:
        """Close a dialog, saying whether the patient must still answer (M5, M9)."""
        call = _close(clinic_id, dialog_id, needs_reply, idempotency_key)
        return await self._admin._run(call, options)

    async def issue_invoice(
        self,
        clinic_id: str,
        *,
        patient_id: str,
        amount: Money,
        due_date: dt.date,
        consultation_id: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Invoice:
        """
        Issue an invoice to a patient connected to the clinic, with a KID (B1).

        Raises:
            Forbidden: With code ``patient_not_connected_to_clinic``.
        """
        call = _issue(clinic_id, patient_id, amount, due_date, consultation_id, idempotency_key)
        return await self._admin._run(call, options)

    async def settle_invoice(
        self,
        clinic_id: str,
        invoice_id: str,
        *,
        method: PaymentMethod = PaymentMethod.CARD,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Settlement:
        """
        Record an invoice paid (at the Convene terminal or by card online: ``CARD``).

        Raises:
            ApiConflict: With code ``invoice_already_paid``.
        """
        call = _settle(clinic_id, invoice_id, method, idempotency_key)
        return await self._admin._run(call, options)

    async def refund(
        self,
        clinic_id: str,
        payment_id: str,
        *,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Payment:
        """Refund a payment: it stays listed, marked refunded, counted in no total (B4)."""
        return await self._admin._run(_refund(clinic_id, payment_id, idempotency_key), options)

    async def approve_renewal(
        self,
        clinic_id: str,
        renewal_id: str,
        *,
        pharmacy: str,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> PrescriptionRenewalRequest:
        """Approve a renewal request; the prescription goes to ``pharmacy`` (E1)."""
        call = _approve(clinic_id, renewal_id, pharmacy, idempotency_key)
        return await self._admin._run(call, options)

    async def reject_renewal(
        self,
        clinic_id: str,
        renewal_id: str,
        *,
        reason: str,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> PrescriptionRenewalRequest:
        """Reject a renewal request, saying why (E1)."""
        call = _reject(clinic_id, renewal_id, reason, idempotency_key)
        return await self._admin._run(call, options)

    async def mark_consultation(
        self,
        clinic_id: str,
        consultation_id: str,
        *,
        attended: bool,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Consultation:
        """Mark a consultation that has started completed, or not attended (K1)."""
        call = _mark(clinic_id, consultation_id, attended, idempotency_key)
        return await self._admin._run(call, options)

    async def change_offer(
        self,
        clinic_id: str,
        *,
        services: Iterable[CareService] | None = None,
        communication_types: Iterable[CommunicationType] | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Clinic:
        """
        Change what the clinic offers under "Start care" and which dialogs it takes (H1, M4).

        Args:
            clinic_id: The clinic.
            services: Every service it offers from now on; unchanged if None.
            communication_types: Every dialog type patients may start; unchanged if None.
            idempotency_key: Your key; one is made if omitted.
        """
        call = _offer(clinic_id, services, communication_types, idempotency_key)
        return await self._admin._run(call, options)
