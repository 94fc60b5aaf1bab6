"""
The clinic's half in the sandbox, as test helpers (like Stripe's ``test_helpers``).

Reached as :attr:`patientsky.client.sandbox.Sandbox.clinic` (and the async one's): each
method plays the clinic, behind the sandbox's admin key, through the same rules as
everything else. None exists in a real deployment, where the clinic's own systems move
its half.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, Unpack

import attrs

from patientsky import errors
from patientsky.client import _calls, _core
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
    from patientsky.client import AsyncPortalClient, CallOptions, DialogView, PortalClient

__all__ = ["AsyncClinicSide", "ClinicConnection", "ClinicSide", "Settlement"]

_JSON = "application/json"
T = TypeVar("T")


@attrs.frozen
class ClinicConnection:
    """
    A patient connected to a clinic (H2, R4).

    Args:
        patient_id: The patient.
        clinic_id: The clinic.
    """

    patient_id: str
    clinic_id: str


@attrs.frozen
class Settlement:
    """
    An invoice paid: the invoice, and the payment that is its row and its receipt (B1–B5).

    Args:
        invoice: The invoice, paid.
        payment: The payment.
    """

    invoice: Invoice
    payment: Payment


def _clinic(clinic_id: str) -> tuple[str, ...]:
    return ("sandbox", "clinics", _core.segment("clinic_id", clinic_id))


def _write(
    path: tuple[str, ...],
    decode: Callable[[_core.Response], T],
    body: bytes | None,
    key: str | None,
) -> _core.Call[T]:
    return _core.Call(
        "POST",
        path,
        decode,
        body=body,
        content_type=None if body is None else _JSON,
        idempotency_key=key,
        idempotent=True,
    )


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise errors.InvalidInput(field, "must be a bool")
    return value


def _text(field: str, value: object, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise errors.InvalidInput(field, "must be a non-empty string")
    if len(value) > max_len:
        raise errors.InvalidInput(field, f"must be at most {max_len} characters")
    return value


def _connect(clinic_id: str, patient_id: str, key: str | None) -> _core.Call[ClinicConnection]:
    body = _calls.json_body(patientId=_core.segment("patient_id", patient_id))
    return _write((*_clinic(clinic_id), "connections"), _calls.model(ClinicConnection), body, key)


def _reply(
    clinic_id: str,
    dialog_id: str,
    body: str,
    practitioner_id: str | None,
    reopen: bool,
    key: str | None,
) -> _core.Call[Message]:
    data = _calls.json_body(
        body=_text("body", body, 20000),
        practitionerId=None
        if practitioner_id is None
        else _core.segment("practitioner_id", practitioner_id),
        reopen=_flag("reopen", reopen),
    )
    path = (*_clinic(clinic_id), "dialogs", _core.segment("dialog_id", dialog_id), "messages")
    return _write(path, _calls.model(Message), data, key)


def _close(
    clinic_id: str, dialog_id: str, needs_reply: bool, key: str | None
) -> _core.Call[DialogView]:
    data = _calls.json_body(needsReply=_flag("needs_reply", needs_reply))
    path = (*_clinic(clinic_id), "dialogs", _core.segment("dialog_id", dialog_id), "close")
    return _write(path, _calls.dialog_view, data, key)


def _issue(
    clinic_id: str,
    patient_id: str,
    amount: Money,
    due_date: dt.date,
    consultation_id: str | None,
    key: str | None,
) -> _core.Call[Invoice]:
    given: object = amount  # typed callers pass Money and a date; the REPL may not
    if not isinstance(given, Money):
        raise errors.InvalidInput("amount", "must be a Money")
    due: object = due_date
    if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
        raise errors.InvalidInput("due_date", "must be a date")
    data = _calls.json_body(
        patientId=_core.segment("patient_id", patient_id),
        amount=amount,
        dueDate=due_date,
        consultationId=None
        if consultation_id is None
        else _core.segment("consultation_id", consultation_id),
    )
    return _write((*_clinic(clinic_id), "invoices"), _calls.model(Invoice), data, key)


def _settle(
    clinic_id: str, invoice_id: str, method: PaymentMethod, key: str | None
) -> _core.Call[Settlement]:
    if not isinstance(method, PaymentMethod):
        raise errors.InvalidInput("method", "must be a PaymentMethod")
    path = (*_clinic(clinic_id), "invoices", _core.segment("invoice_id", invoice_id), "settle")
    return _write(path, _calls.model(Settlement), _calls.json_body(method=method), key)


def _refund(clinic_id: str, payment_id: str, key: str | None) -> _core.Call[Payment]:
    path = (*_clinic(clinic_id), "payments", _core.segment("payment_id", payment_id), "refund")
    return _write(path, _calls.model(Payment), None, key)


def _decide(
    clinic_id: str, renewal_id: str, verb: str, body: bytes, key: str | None
) -> _core.Call[PrescriptionRenewalRequest]:
    renewal = _core.segment("renewal_id", renewal_id)
    path = (*_clinic(clinic_id), "prescription-renewals", renewal, verb)
    return _write(path, _calls.model(PrescriptionRenewalRequest), body, key)


def _approve(
    clinic_id: str, renewal_id: str, pharmacy: str, key: str | None
) -> _core.Call[PrescriptionRenewalRequest]:
    body = _calls.json_body(pharmacy=_text("pharmacy", pharmacy, 200))
    return _decide(clinic_id, renewal_id, "approve", body, key)


def _reject(
    clinic_id: str, renewal_id: str, reason: str, key: str | None
) -> _core.Call[PrescriptionRenewalRequest]:
    body = _calls.json_body(reason=_text("reason", reason, 2000))
    return _decide(clinic_id, renewal_id, "reject", body, key)


def _mark(
    clinic_id: str, consultation_id: str, attended: bool, key: str | None
) -> _core.Call[Consultation]:
    consultation = _core.segment("consultation_id", consultation_id)
    path = (*_clinic(clinic_id), "consultations", consultation, "mark")
    body = _calls.json_body(attended=_flag("attended", attended))
    return _write(path, _calls.model(Consultation), body, key)


def _offer(
    clinic_id: str,
    services: Iterable[CareService] | None,
    communication_types: Iterable[CommunicationType] | None,
    key: str | None,
) -> _core.Call[Clinic]:
    def members(field: str, values: object, cls: type[Any]) -> list[Any] | None:
        if values is None:
            return None
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise errors.InvalidInput(field, "must be a collection")
        found = list(values)
        for value in found:
            if not isinstance(value, cls):
                raise errors.InvalidInput(field, f"must hold {cls.__name__} values")
        return found

    body = _calls.json_body(
        services=members("services", services, CareService),
        communicationTypes=members("communication_types", communication_types, CommunicationType),
    )
    return _core.Call(
        "PUT",
        (*_clinic(clinic_id), "offer"),
        _calls.model(Clinic),
        body=body,
        content_type=_JSON,
        idempotency_key=key,
        idempotent=True,
    )


class ClinicSide:
    """
    The clinic's half, played in the sandbox with its admin key.

    Every method takes ``idempotency_key`` (one is made if omitted; retries reuse it, so
    the write happens once) and the call options of the client.

    Args:
        admin: A client for the sandbox that sends the admin key.
    """

    def __init__(self, admin: PortalClient) -> None:
        self._admin = admin

    def connect(
        self,
        clinic_id: str,
        patient_id: str,
        *,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> ClinicConnection:
        """Connect a patient to the clinic, as the clinic taking them in does (H2, R4)."""
        return self._admin._run(_connect(clinic_id, patient_id, idempotency_key), options)

    def reply(
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
        return self._admin._run(call, options)

    def close_dialog(
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
        return self._admin._run(call, options)

    def issue_invoice(
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
        return self._admin._run(call, options)

    def settle_invoice(
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
        return self._admin._run(call, options)

    def refund(
        self,
        clinic_id: str,
        payment_id: str,
        *,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Payment:
        """Refund a payment: it stays listed, marked refunded, counted in no total (B4)."""
        return self._admin._run(_refund(clinic_id, payment_id, idempotency_key), options)

    def approve_renewal(
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
        return self._admin._run(call, options)

    def reject_renewal(
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
        return self._admin._run(call, options)

    def mark_consultation(
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
        return self._admin._run(call, options)

    def change_offer(
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
        return self._admin._run(call, options)


class AsyncClinicSide:
    """
    The clinic's half, played in the sandbox with its admin key; see :class:`ClinicSide`.

    Args:
        admin: An async client for the sandbox that sends the admin key.
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
        """Connect a patient to the clinic (H2, R4)."""
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
        """Answer in a dialog as the clinic or a practitioner (M1); see :meth:`ClinicSide.reply`."""
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
        """Issue an invoice to a patient connected to the clinic, with a KID (B1)."""
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
        """Record an invoice paid (B1–B5)."""
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
        """Refund a payment (B4)."""
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
