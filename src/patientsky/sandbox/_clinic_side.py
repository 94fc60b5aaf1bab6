"""
The clinic's half, as sandbox-only test helpers (like Stripe's ``test_helpers``).

A portal team cannot test a flow whose other half only the clinic moves: the
practitioner's answer, an invoice issued and settled, a renewal decided, a consultation
marked. These operations play the clinic, behind the sandbox's admin key, under
``/v1/sandbox/clinics/{clinicId}``. Each goes through the same rules as everything else
(:mod:`patientsky.rules`); none exists in a real deployment, where the clinic's own
systems do this.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    AuthorKind,
    Clinic,
    LoggedOperation,
    Message,
    Money,
    Patient,
    PaymentMethod,
    PrescriptionRenewalRequest,
)
from patientsky.rules import care, consultations, dialogs, payments
from patientsky.rules.decision import Denied, Outcome
from patientsky.sandbox import _clinic_records as records
from patientsky.sandbox._access_log import note_access
from patientsky.sandbox._context import (
    Ctx,
    clinic_of_path,
    deny_unless,
    field,
    json_body,
    new_id,
    ok,
)
from patientsky.sandbox._declare import Operations, path_id, reply
from patientsky.sandbox._dialogs import _dialog_response
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._problems import reasons_of
from patientsky.sandbox._repo_dialogs import DialogHead

__all__ = ["CLINIC", "ops"]

ops = Operations("sandbox")
"""The operations of this module, in the order the document lists them."""

CLINIC = "/v1/sandbox/clinics/{clinicId}"
"""The prefix of the clinic-side helpers' paths."""

_CLINIC_ID = path_id("clinicId", "clinic")


T = TypeVar("T")


def _allowed(outcome: Outcome[T]) -> T:
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    return outcome.unwrap()


def _patient(ctx: Ctx, patient_id: str) -> Patient:
    patient = ctx.repo.patient(patient_id)
    if patient is None:
        raise ApiProblem(404, "not_found", "no such patient")
    return patient


@ops.post(
    f"{CLINIC}/connections",
    "connectPatient",
    "Sandbox: the clinic connects a patient to itself (H2, R4)",
    ok={200: reply("Connection", "The connection.")},
    errors=(404,),
    params=(_CLINIC_ID,),
    body="ConnectionCreate",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.CONNECT_PATIENT,
    problems=("not_found",),
)
def connect_patient(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/connections."""
    clinic = clinic_of_path(ctx)
    patient = _patient(ctx, field(ctx, json_body(ctx), "patientId", str))
    ctx.repo.connect(patient, clinic, ctx.now)
    note_access(ctx, patient_id=patient.id)
    return ok({"patientId": patient.id, "clinicId": clinic.id})


def _clinic_dialog(ctx: Ctx, clinic: Clinic) -> DialogHead:
    found = ctx.repo.dialog_head(ctx.call.path_params["dialogId"])
    if found is None or found.dialog.clinic_id != clinic.id:
        raise ApiProblem(404, "not_found", "no such dialog at this clinic")
    return found


@ops.post(
    f"{CLINIC}/dialogs/{{dialogId}}/messages",
    "clinicReplyToDialog",
    "Sandbox: the practitioner answers in a dialog, optionally reopening it (M1, M5)",
    ok={201: reply("Message", "The practitioner's message.")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("dialogId", "dialog")),
    body="ClinicReply",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.PRACTITIONER_REPLY,
    problems=(*reasons_of("communication"), "not_found"),
)
def clinic_reply(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/dialogs/{dialogId}/messages."""
    clinic = clinic_of_path(ctx)
    data = json_body(ctx)
    body = field(ctx, data, "body", str)
    practitioner_id = field(ctx, data, "practitionerId", str | None, required=False)
    reopen = field(ctx, data, "reopen", bool, required=False) or False
    head = _clinic_dialog(ctx, clinic)
    kind, author = AuthorKind.CLINIC, clinic.id
    if practitioner_id is not None:
        found = records.practitioner(ctx.repo, practitioner_id)
        if found is None or found.clinic_id != clinic.id:
            raise ApiProblem(
                400,
                "invalid_input",
                "practitionerId: is not a practitioner of this clinic",
                errors=(("practitionerId", "is not a practitioner of this clinic"),),
            )
        kind, author = AuthorKind.PRACTITIONER, found.id
    sent_at = max(ctx.now, head.dialog.updated_at)
    try:
        message = Message(new_id("msg"), kind, author, body, sent_at)
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    updated = _allowed(
        dialogs.reply(
            head.dialog,
            message,
            reopen=reopen,
            max_messages=ctx.sandbox.limits.messages_per_dialog,
            message_count=head.message_count,
        )
    )
    ctx.repo.append_message(updated, message)
    note_access(ctx, patient_id=updated.patient_id, practitioner_id=practitioner_id)
    return ok(ctx.dump(message), 201)


@ops.post(
    f"{CLINIC}/dialogs/{{dialogId}}/close",
    "clinicCloseDialog",
    "Sandbox: the practitioner closes a dialog, saying whether the patient must answer (M5)",
    ok={200: reply("DialogView", "The closed dialog.")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("dialogId", "dialog")),
    body="DialogClose",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.CLOSE_DIALOG,
    problems=(*reasons_of("communication"), "not_found"),
)
def clinic_close_dialog(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/dialogs/{dialogId}/close."""
    clinic = clinic_of_path(ctx)
    needs_reply = field(ctx, json_body(ctx), "needsReply", bool)
    dialog = _clinic_dialog(ctx, clinic).dialog
    closed = _allowed(
        dialogs.close_dialog(dialog, max(ctx.now, dialog.updated_at), needs_reply=needs_reply)
    )
    ctx.repo.save_dialog_header(closed)
    note_access(ctx, patient_id=closed.patient_id)
    return _dialog_response(ctx, closed)


@ops.post(
    f"{CLINIC}/invoices",
    "clinicIssueInvoice",
    "Sandbox: the clinic issues an invoice to a connected patient, with a KID (B1)",
    ok={201: reply("Invoice", "The invoice.")},
    errors=(403, 404),
    params=(_CLINIC_ID,),
    body="InvoiceIssue",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.ISSUE_INVOICE,
    problems=(*reasons_of("payments"), *reasons_of("relations"), "not_found"),
)
def clinic_issue_invoice(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/invoices."""
    clinic = clinic_of_path(ctx)
    data = json_body(ctx)
    patient_id = field(ctx, data, "patientId", str)
    amount = field(ctx, data, "amount", Money)
    due_date = field(ctx, data, "dueDate", dt.date)
    consultation_id = field(ctx, data, "consultationId", str | None, required=False)
    patient = _patient(ctx, patient_id)
    if consultation_id is not None:
        found = ctx.repo.consultation(consultation_id)
        if found is None or found.patient_id != patient.id or found.clinic_id != clinic.id:
            raise ApiProblem(404, "not_found", "no such consultation of the patient here")
    try:
        outcome = records.issue_invoice(
            ctx,
            clinic,
            patient,
            amount=amount,
            due_date=due_date,
            consultation_id=consultation_id,
        )
    except InvalidInput as exc:
        names = {"due_date": "dueDate"}
        raise ApiProblem.invalid(
            InvalidInput(names.get(exc.field, exc.field), exc.message)
        ) from None
    invoice = _allowed(outcome)
    note_access(ctx, patient_id=patient.id, resource_id=invoice.id)
    return ok(ctx.dump(invoice), 201)


@ops.post(
    f"{CLINIC}/invoices/{{invoiceId}}/settle",
    "clinicSettleInvoice",
    "Sandbox: an invoice is paid (at the Convene terminal or by card: ``card``) (B1–B5)",
    ok={200: reply("Settlement", "The paid invoice and its payment (with a receipt).")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("invoiceId", "invoice")),
    body="InvoiceSettle",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.SETTLE_INVOICE,
    problems=(*reasons_of("payments"), "not_found"),
)
def clinic_settle_invoice(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/invoices/{invoiceId}/settle."""
    clinic = clinic_of_path(ctx)
    method = field(ctx, json_body(ctx), "method", PaymentMethod, required=False)
    invoice = records.invoice(ctx.repo, ctx.call.path_params["invoiceId"])
    if invoice is None or invoice.clinic_id != clinic.id:
        raise ApiProblem(404, "not_found", "no such invoice at this clinic")
    settled = _allowed(
        payments.settle_invoice(
            invoice,
            clinic,
            payment_id=new_id("pay"),
            method=PaymentMethod.CARD if method is None else method,
            at=max(ctx.now, invoice.issued_at),
        )
    )
    records.save_invoice(ctx.repo, settled.invoice)
    records.save_payment(ctx.repo, settled.payment)
    note_access(ctx, patient_id=invoice.patient_id)
    return ok({"invoice": ctx.dump(settled.invoice), "payment": ctx.dump(settled.payment)})


@ops.post(
    f"{CLINIC}/payments/{{paymentId}}/refund",
    "clinicRefundPayment",
    "Sandbox: the clinic refunds a payment; it stays listed, counted in no total (B4)",
    ok={200: reply("Payment", "The refunded payment.")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("paymentId", "payment")),
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.REFUND_PAYMENT,
    problems=(*reasons_of("payments"), "not_found"),
)
def clinic_refund_payment(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/payments/{paymentId}/refund."""
    clinic = clinic_of_path(ctx)
    payment = records.payment(ctx.repo, ctx.call.path_params["paymentId"])
    if payment is None or payment.clinic_id != clinic.id:
        raise ApiProblem(404, "not_found", "no such payment at this clinic")
    refunded = _allowed(payments.refund_payment(payment, at=max(ctx.now, payment.paid_at)))
    records.save_payment(ctx.repo, refunded)
    note_access(ctx, patient_id=payment.patient_id)
    return ok(ctx.dump(refunded))


def _clinic_renewal(ctx: Ctx, clinic: Clinic) -> PrescriptionRenewalRequest:
    found = records.renewal(ctx.repo, ctx.call.path_params["renewalId"])
    if found is None or found.clinic_id != clinic.id:
        raise ApiProblem(404, "not_found", "no such renewal request at this clinic")
    return found


@ops.post(
    f"{CLINIC}/prescription-renewals/{{renewalId}}/approve",
    "clinicApproveRenewal",
    "Sandbox: the clinic approves a renewal request; it goes to a pharmacy (E1)",
    ok={200: reply("PrescriptionRenewalRequest", "The approved request.")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("renewalId", "renewal request")),
    body="RenewalApprove",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.DECIDE_RENEWAL,
    problems=(*reasons_of("care"), "not_found"),
)
def clinic_approve_renewal(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/prescription-renewals/{renewalId}/approve."""
    clinic = clinic_of_path(ctx)
    pharmacy = field(ctx, json_body(ctx), "pharmacy", str)
    request = _clinic_renewal(ctx, clinic)
    at = max(ctx.now, request.requested_at)
    try:
        outcome = care.approve_renewal(request, pharmacy=pharmacy, at=at)
        approved = _allowed(outcome)
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    ctx.repo.save_renewal(approved)
    note_access(ctx, patient_id=approved.patient_id)
    return ok(ctx.dump(approved))


@ops.post(
    f"{CLINIC}/prescription-renewals/{{renewalId}}/reject",
    "clinicRejectRenewal",
    "Sandbox: the clinic rejects a renewal request, saying why (E1)",
    ok={200: reply("PrescriptionRenewalRequest", "The rejected request.")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("renewalId", "renewal request")),
    body="RenewalReject",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.DECIDE_RENEWAL,
    problems=(*reasons_of("care"), "not_found"),
)
def clinic_reject_renewal(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/prescription-renewals/{renewalId}/reject."""
    clinic = clinic_of_path(ctx)
    reason = field(ctx, json_body(ctx), "reason", str)
    request = _clinic_renewal(ctx, clinic)
    at = max(ctx.now, request.requested_at)
    try:
        rejected = _allowed(care.reject_renewal(request, reason=reason, at=at))
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    ctx.repo.save_renewal(rejected)
    note_access(ctx, patient_id=rejected.patient_id)
    return ok(ctx.dump(rejected))


@ops.post(
    f"{CLINIC}/consultations/{{consultationId}}/mark",
    "clinicMarkConsultation",
    "Sandbox: the clinic marks a consultation completed or not attended (K1)",
    ok={200: reply("Consultation", "The marked consultation.")},
    errors=(404, 409),
    params=(_CLINIC_ID, path_id("consultationId", "consultation")),
    body="ConsultationMark",
    caller="admin",
    writes=True,
    idempotent=True,
    log=LoggedOperation.MARK_CONSULTATION,
    problems=(*reasons_of("booking"), "not_found"),
)
def clinic_mark_consultation(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinics/{clinicId}/consultations/{consultationId}/mark."""
    clinic = clinic_of_path(ctx)
    attended = field(ctx, json_body(ctx), "attended", bool)
    found = ctx.repo.consultation(ctx.call.path_params["consultationId"])
    if found is None or found.clinic_id != clinic.id:
        raise ApiProblem(404, "not_found", "no such consultation at this clinic")
    marked = _allowed(consultations.mark_consultation(found, ctx.now, attended=attended))
    ctx.repo.save_consultation(marked)
    note_access(ctx, patient_id=marked.patient_id)
    return ok(ctx.dump(marked))
