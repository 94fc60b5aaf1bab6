"""
Payments: invoices and payments by tab with their totals, and receipts as PDF (B1–B5).
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.models import (
    Action,
    LoggedOperation,
)
from patientsky.rules import (
    payments,
)
from patientsky.sandbox._access_log import note_access
from patientsky.sandbox._context import (
    Ctx,
    file_response,
    ok,
    page,
)
from patientsky.sandbox._declare import (
    PAGING,
    PATIENT,
    Operations,
    path_id,
    query,
    reply,
)
from patientsky.sandbox._headers import attachment
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox.receipts import receipt_pdf

ops = Operations("payments")
"""The operations of this module, in the order the document lists them."""


@ops.get(
    f"{PATIENT}/payments",
    "listPayments",
    "Payments by tab: outstanding invoices, paid this year, all paid (B1–B4)",
    ok={200: reply("PaymentsPage", "A page of rows and the tab's total.")},
    params=(
        query(
            "tab",
            {
                "type": "string",
                "enum": ["outstanding", "paid_this_year", "all_paid"],
                "default": "outstanding",
            },
        ),
        *PAGING,
    ),
    may=Action.VIEW_PAYMENTS,
    log=LoggedOperation.LIST_PAYMENTS,
)
def list_payments(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/payments?tab=...: tabs and totals from the payments rule."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PAYMENTS)
    tab = payments.PaymentTab(ctx.params["tab"])
    invoices = ctx.repo.invoices_of(patient.id)
    clinic_ids = {i.clinic_id for i in invoices}
    clinics = [c for c in ctx.repo.clinics() if c.id in clinic_ids]
    overview = payments.payment_overview(
        invoices=invoices, payments=ctx.repo.payments_of(patient.id), clinics=clinics, at=ctx.now
    )
    body = page(ctx, overview.rows(tab))
    body["total"] = ctx.dump(overview.total(tab))
    return ok(body)


@ops.get(
    f"{PATIENT}/payments/{{paymentId}}/receipt",
    "downloadReceipt",
    "A payment's receipt as PDF (B5)",
    ok={
        200: reply(
            None,
            "The receipt.",
            {
                "Content-Disposition": {
                    "description": "``attachment``, with the file's name.",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^attachment;"},
                }
            },
            media=("application/pdf",),
        )
    },
    params=(path_id("paymentId", "payment"),),
    may=Action.VIEW_PAYMENTS,
    log=LoggedOperation.DOWNLOAD_RECEIPT,
)
def download_receipt(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/payments/{paymentId}/receipt (B5): a PDF."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PAYMENTS)
    payment = ctx.repo.payment(ctx.call.path_params["paymentId"])
    if payment is None or payment.patient_id != patient.id:
        raise ApiProblem(404, "not_found", "no such payment")
    note_access(ctx, clinic_id=payment.clinic_id)
    pdf = receipt_pdf(payment, patient_name=patient.name.full)
    disposition = attachment(f"kvittering-{payment.id}.pdf")
    return file_response(ctx, pdf, "application/pdf", {"Content-Disposition": disposition})
