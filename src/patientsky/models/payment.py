"""
Payments: money, invoices and payments (B1–B5).

Which tab a row belongs to ("Outstanding", "Paid this year", "All paid") is derived by
:mod:`patientsky.rules`, never stored.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    aware,
    date_only,
    instant,
    instant_key,
    nfc,
    nfc_or_none,
    of_type,
    one_of,
    optional,
    text,
)
from patientsky.models.identity import KidNumber

__all__ = [
    "Invoice",
    "Money",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
]

_CURRENCY = re.compile(r"[A-Z]{3}")


def _minor(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(attr.name, "must be an integer number of minor units (øre)")


def _currency(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise InvalidInput(attr.name, "must be an ISO 4217 code such as NOK")


@attrs.frozen(order=True)
class Money:
    """
    An amount of money in integer minor units (øre for NOK), never a float.

    Args:
        minor_units: The amount in minor units; 35000 is NOK 350.00.
        currency: ISO 4217 currency code.

    >>> Money(35000)
    Money(minor_units=35000, currency='NOK')
    >>> Money.nok(350) + Money(50)
    Money(minor_units=35050, currency='NOK')
    >>> Money(35050).format_nb()
    'kr 350,50'
    """

    minor_units: int = attrs.field(validator=_minor)
    currency: str = attrs.field(default="NOK", validator=_currency)

    @classmethod
    def zero(cls, currency: str = "NOK") -> Money:
        """Return no money in ``currency``."""
        return cls(0, currency)

    @classmethod
    def nok(cls, kroner: int, ore: int = 0) -> Money:
        """Return an amount in Norwegian kroner and øre."""
        return cls(kroner * 100 + ore, "NOK")

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise InvalidInput("currency", "cannot mix currencies")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor_units + other.minor_units, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor_units - other.minor_units, self.currency)

    def __bool__(self) -> bool:
        return self.minor_units != 0

    @property
    def is_negative(self) -> bool:
        """Whether the amount is below zero (a refund)."""
        return self.minor_units < 0

    def format_nb(self) -> str:
        """Format as a Norwegian reader expects, for example ``kr 1 250,00``."""
        sign = "-" if self.minor_units < 0 else ""
        whole, cents = divmod(abs(self.minor_units), 100)
        grouped = f"{whole:,}".replace(",", "\u00a0")
        unit = "kr" if self.currency == "NOK" else self.currency
        return f"{sign}{unit} {grouped},{cents:02d}".replace("\u00a0", " ")

    def __str__(self) -> str:
        whole, cents = divmod(abs(self.minor_units), 100)
        sign = "-" if self.minor_units < 0 else ""
        return f"{sign}{whole}.{cents:02d} {self.currency}"


class PaymentMethod(enum.Enum):
    """How a payment was made (B4 "Payment")."""

    CARD = "card"
    VIPPS = "vipps"
    BANK_TRANSFER = "bank_transfer"
    INVOICE = "invoice"
    CASH = "cash"

    @property
    def label_nb(self) -> str:
        """The method's name in Norwegian bokmål."""
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    PaymentMethod.CARD: "Kort",
    PaymentMethod.VIPPS: "Vipps",
    PaymentMethod.BANK_TRANSFER: "Bankoverføring",
    PaymentMethod.INVOICE: "Faktura",
    PaymentMethod.CASH: "Kontant",
}


class PaymentStatus(enum.Enum):
    """The state of a payment (B4 "Status")."""

    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    FAILED = "failed"


@attrs.frozen
class Invoice:
    """
    An invoice from a clinic to a patient (B1).

    Args:
        id: The invoice's id.
        patient_id: Who pays.
        clinic_id: Who is paid.
        number: The invoice number (B4 "Invoice number").
        amount: What is owed.
        issued_at: When it was issued.
        due_date: When it is due.
        kid: The KID payment reference for a bank payment, if any.
        paid_at: When it was paid; ``None`` while outstanding.
        payment_id: The payment that settled it.
        via_convene: Whether the clinic took payments on a Convene terminal when it
            issued the invoice (B1). Remembered, so an unpaid invoice stays outstanding
            after the clinic stops using the terminal; ``None`` for an invoice recorded
            before it was remembered, for which the clinic's current terminal decides.
        consultation_id: The consultation it charges for, if any (a late-cancellation
            or no-show fee).
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    number: str = attrs.field(converter=nfc, validator=text(50))
    amount: Money = attrs.field(validator=of_type(Money))
    issued_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    due_date: dt.date = attrs.field(validator=date_only)
    kid: KidNumber | None = attrs.field(default=None, validator=optional(of_type(KidNumber)))
    paid_at: dt.datetime | None = attrs.field(default=None, validator=aware, eq=instant_key)
    payment_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    via_convene: bool | None = attrs.field(default=None, validator=optional(of_type(bool)))
    consultation_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )

    def __attrs_post_init__(self) -> None:
        if self.amount.is_negative:
            raise InvalidInput("amount", "must not be negative")
        if self.paid_at is not None and instant(self.paid_at) < instant(self.issued_at):
            raise InvalidInput("paid_at", "must not be before issued_at")

    @property
    def is_paid(self) -> bool:
        """Whether the invoice has been paid."""
        return self.paid_at is not None


@attrs.frozen
class Payment:
    """
    A payment to a clinic: one row of "My payments" (B4).

    Args:
        id: The payment's id.
        patient_id: Who paid.
        clinic_id: The clinic paid.
        clinic_name: The clinic's name when paid, as printed on the receipt (B4 "Clinic").
        paid_at: When it was paid (B4 "Date").
        method: How (B4 "Payment").
        status: Its state (B4 "Status").
        amount: What was paid (B4 "Paid").
        invoice_number: The invoice it settled, if any (B4 "Invoice number").
        invoice_id: The invoice's id, if any.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_name: str = attrs.field(converter=nfc, validator=text(200))
    paid_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    method: PaymentMethod | Unrecognized = attrs.field(
        validator=one_of(PaymentMethod, unrecognized=True)
    )
    status: PaymentStatus | Unrecognized = attrs.field(
        validator=one_of(PaymentStatus, unrecognized=True)
    )
    amount: Money = attrs.field(validator=of_type(Money))
    invoice_number: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(50))
    )
    invoice_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
