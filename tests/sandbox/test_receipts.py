"""Receipts (B5): any Norwegian, Sámi or foreign name comes out of the PDF intact."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from patientsky.models import Money, Payment, PaymentMethod, PaymentStatus
from patientsky.sandbox import receipt_pdf

PAID_AT = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)

NAMES = [
    "Ærlig Øvre Ås",
    "Łukasz Áŋŋá Čábbá",
    "Máret Ánne Sárá",  # North Sámi
    "Đuvvá Šiŋŋá Žŋ",  # North Sámi: đ, š, ŋ, ž
    "Ǥǥ Ǧǧ Ǩǩ Ʒʒ Ǯǯ Ŧŧ",  # Skolt and Inari Sámi
    "Zoë Ğül Şahin-Nguyễn",
    "Jürgen Groß",
    "Siobhán Ó Ceallaigh",
    "Олександр Ковальчук",
    "Αλέξανδρος Παπαδόπουλος",
]

# The letters those alphabets use, for the property below.
LETTERS = "".join(sorted(set("".join(NAMES).replace(" ", "").replace("-", ""))))


def _payment(clinic: str = "Sentrum Legesenter") -> Payment:
    return Payment(
        "pay-1",
        "p-1",
        "c-1",
        clinic,
        PAID_AT,
        PaymentMethod.CARD,
        PaymentStatus.PAID,
        Money.nok(375),
        "2026-0001",
    )


def _text(pdf: bytes) -> str:
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    return page.extract_text()


@pytest.mark.parametrize("name", NAMES)
def test_the_receipt_shows_the_payers_name_letter_for_letter(name: str) -> None:
    text = _text(receipt_pdf(_payment(), patient_name=name))
    assert f"Betalt av {name}" in text
    assert "?" not in text


def test_the_clinic_name_and_the_norwegian_labels_come_out_intact() -> None:
    clinic = "Sámi dearvvašvuođaguovddáš Kárášjohka"
    text = _text(receipt_pdf(_payment(clinic), patient_name="Kari Nordmann"))
    assert text.splitlines()[:2] == ["Kvittering", clinic]
    for label in ("Betalingsmåte", "Beløp kr 375,00", "Ta vare på den"):
        assert label in text


def test_the_receipt_embeds_only_the_glyphs_it_uses() -> None:
    pdf = receipt_pdf(_payment(), patient_name="Łukasz Áŋŋá Čábbá")
    # The shipped fonts are about 200 kB each; a receipt embeds a few kB of them.
    assert len(pdf) < 60_000
    assert b"/FontFile2" in pdf


@settings(max_examples=15)
@given(
    first=st.text(st.sampled_from(LETTERS), min_size=1, max_size=12),
    last=st.text(st.sampled_from(LETTERS), min_size=1, max_size=12),
)
def test_any_name_of_these_alphabets_comes_back_from_the_pdf(first: str, last: str) -> None:
    name = f"{first} {last}"
    assert f"Betalt av {name}" in _text(receipt_pdf(_payment(), patient_name=name))
