"""
Receipts as PDF documents (B5), in Norwegian, made with fpdf2.

The text is set in DejaVu Sans, shipped in ``patientsky/sandbox/fonts`` with its license
and embedded in each receipt (only the glyphs used, so a receipt stays small). It covers
every letter a Norwegian, Sámi or foreign name in the Latin, Greek or Cyrillic script may
hold ("Ærlig Øvre Ås", "Łukasz Áŋŋá Čábbá", "Олександр"), where the PDF core fonts know
only Latin-1.

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

from importlib import resources

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


_FONT = "DejaVuSans"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def _add_fonts(pdf: FPDF) -> None:
    fonts = resources.files("patientsky.sandbox").joinpath("fonts")
    for style, name in _FONT_FILES.items():
        with resources.as_file(fonts.joinpath(name)) as path:
            pdf.add_font(_FONT, style, str(path))


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
    _add_fonts(pdf)
    pdf.set_title(f"Kvittering {payment.id}")
    pdf.set_creator("patientsky sandbox")
    pdf.set_creation_date(payment.paid_at)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 18)
    pdf.cell(0, 12, "Kvittering", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 11)
    pdf.cell(0, 8, payment.clinic_name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in rows:
        pdf.set_font(_FONT, "B", 11)
        pdf.cell(50, 8, label)
        pdf.set_font(_FONT, "", 11)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(_FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        "Denne kvitteringen er laget av PatientSky-sandkassen med syntetiske testdata."
        " Ta vare på den som dokumentasjon på betalt egenandel.",
    )
    return bytes(pdf.output())
