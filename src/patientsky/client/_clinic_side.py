"""
The clinic's half in the sandbox, as test helpers (like Stripe's ``test_helpers``).

This module holds the results and the calls; the methods that send them are
:class:`~patientsky.client.sandbox.ClinicSide` and its async twin (``_clinic_async.py``,
from which ``tools/unasync.py`` writes ``_clinic_sync.py``).

Reached as :attr:`patientsky.client.sandbox.Sandbox.clinic` (and the async one's): each
method plays the clinic, behind the sandbox's admin key, through the same rules as
everything else. None exists in a real deployment, where the clinic's own systems move
its half.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

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
    from patientsky.client import DialogView

__all__ = ["ClinicConnection", "Settlement"]

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
