"""
Receipts as PDF documents (B5), in Norwegian, made with fpdf2.

The PDF core fonts are Latin-1, which covers æ, ø and å; text outside Latin-1 (a name
in another script) is replaced by ``?`` rather than failing the download.

>>> import datetime as dt
>>> from patientsky.models import Money, Payment, PaymentMethod, PaymentStatus
>>> payment = Payment(
...     "pay-1", "p-1", "c-1", "Sentrum Legesenter",
...     dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), PaymentMethod.CARD,
...     PaymentStatus.PAID, Money.nok(375), "2026-0001",
... )
>>> receipt_pdf(payment, patient_name="Kari Nordmann")[:5]
b'%PDF-'
"""

from __future__ import annotations

from fpdf import FPDF

from patientsky.models import Payment, PaymentMethod, PaymentStatus
from patientsky.models.calendar import OSLO as _OSLO

__all__ = ["receipt_pdf"]


_STATUS_NB = {
    PaymentStatus.PENDING: "Under behandling",
    PaymentStatus.PAID: "Betalt",
    PaymentStatus.REFUNDED: "Refundert",
    PaymentStatus.FAILED: "Feilet",
}


def _latin1(text: str) -> str:
    return text.encode("latin-1", errors="replace").decode("latin-1")


def receipt_pdf(payment: Payment, *, patient_name: str) -> bytes:
    """
    Return the receipt of ``payment`` as a PDF document.

    Args:
        payment: The payment.
        patient_name: The name printed as the payer.

    Returns:
        The PDF bytes.
    """
    method = (
        payment.method.label_nb
        if isinstance(payment.method, PaymentMethod)
        else str(payment.method)
    )
    status = (
        _STATUS_NB[payment.status]
        if isinstance(payment.status, PaymentStatus)
        else str(payment.status)
    )
    paid_at = payment.paid_at.astimezone(_OSLO)
    rows = (
        ("Klinikk", payment.clinic_name),
        ("Betalt av", patient_name),
        ("Dato", paid_at.strftime("%d.%m.%Y kl. %H:%M")),
        ("Betalingsmåte", method),
        ("Status", status),
        ("Fakturanummer", payment.invoice_number or "–"),
        ("Beløp", payment.amount.format_nb()),
        ("Kvitteringsnummer", payment.id),
    )
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Kvittering {payment.id}"))
    pdf.set_creator("patientsky sandbox")
    pdf.set_creation_date(payment.paid_at)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Kvittering", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 8, _latin1(payment.clinic_name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(50, 8, _latin1(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 8, _latin1(value.replace("–", "-")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            "Denne kvitteringen er laget av PatientSky-sandkassen med syntetiske testdata."
            " Ta vare på den som dokumentasjon på betalt egenandel."
        ),
    )
    return bytes(pdf.output())
