"""
Payments (B1-B4): which tab each invoice and payment is shown in, and the tab totals.

The tab is derived at a time ``at``, never stored:

- **Outstanding** (B1): invoices not paid at ``at``, only from clinics with a Convene
  payment terminal.
- **Paid this year** (B2): payments (and paid invoices) paid in the Norwegian calendar
  year of ``at`` (Europe/Oslo): a payment at 23:30 on 31 December, Oslo time (22:30
  UTC), belongs to that year.
- **All paid** (B3): everything paid, ever.

A payment is shown in the paid tabs when its status is ``PAID`` or ``REFUNDED`` (the
row's status tells which); pending, failed and unknown statuses are shown nowhere. A
tab's total counts the ``PAID`` rows only, so a refund does not count as paid. Once
an invoice is paid it leaves Outstanding and is shown through its payment; a paid
invoice with no payment among those given is shown as a row of its own.

Whether an unpaid invoice is outstanding depends on the clinic's terminal **when it
issued the invoice** (``Invoice.via_convene``), so an unpaid Convene invoice stays
outstanding after the clinic stops using the terminal; for an invoice that does not
record it, the clinic's current terminal decides.

The clinic's half (B1, B5): :func:`issue_invoice` makes an invoice (amount, due date,
a KID with a valid check digit, see :func:`make_kid`, and the terminal of the moment);
:func:`settle_invoice` records it paid, with the :class:`~patientsky.models.payment.Payment`
that is its row and its receipt (paid at the Convene terminal or by card online are
both ``CARD``); :func:`refund_payment` refunds a payment: it stays listed, marked
refunded, and counts in no total. A settled invoice is never outstanding again.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> from patientsky.models import Money, Payment, PaymentMethod, PaymentStatus
>>> oslo = ZoneInfo("Europe/Oslo")
>>> late = Payment(
...     "pay1", "p1", "c1", "Byklinikken", dt.datetime(2025, 12, 31, 23, 30, tzinfo=oslo),
...     PaymentMethod.CARD, PaymentStatus.PAID, Money.nok(350),
... )
>>> sorted(t.value for t in payment_tabs(late, dt.datetime(2025, 12, 31, 23, 45, tzinfo=oslo)))
['all_paid', 'paid_this_year']
>>> sorted(t.value for t in payment_tabs(late, dt.datetime(2026, 1, 1, 0, 15, tzinfo=oslo)))
['all_paid']
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Set

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, instant, instant_key
from patientsky.models.clinic import Clinic
from patientsky.models.identity import KidMethod, KidNumber
from patientsky.models.kid import calc_check_digit
from patientsky.models.payment import Invoice, Money, Payment, PaymentMethod, PaymentStatus
from patientsky.models.people import Patient
from patientsky.rules._time import check_aware, oslo_date
from patientsky.rules.care import connection
from patientsky.rules.decision import Allowed, Denied, Outcome, Reason

__all__ = [
    "PaymentOverview",
    "PaymentRow",
    "PaymentTab",
    "RowKind",
    "Settlement",
    "invoice_tabs",
    "issue_invoice",
    "make_kid",
    "payment_overview",
    "payment_tabs",
    "refund_payment",
    "settle_invoice",
]


class PaymentTab(enum.Enum):
    """The tabs of "My payments" (B1-B3)."""

    OUTSTANDING = "outstanding"
    """Unpaid invoices from clinics with a Convene terminal ("Utestående")."""
    PAID_THIS_YEAR = "paid_this_year"
    """Paid in the current Norwegian calendar year ("Betalt i år")."""
    ALL_PAID = "all_paid"
    """Everything paid ("Alt betalt")."""


class RowKind(enum.Enum):
    """What a row of "My payments" shows."""

    INVOICE = "invoice"
    PAYMENT = "payment"


_NONE: Set[PaymentTab] = frozenset()
_PAID_SHOWN = (PaymentStatus.PAID, PaymentStatus.REFUNDED)


def _paid_tabs(paid_at: dt.datetime, at: dt.datetime) -> Set[PaymentTab]:
    if oslo_date(paid_at).year == oslo_date(at).year:
        return frozenset({PaymentTab.PAID_THIS_YEAR, PaymentTab.ALL_PAID})
    return frozenset({PaymentTab.ALL_PAID})


def invoice_tabs(invoice: Invoice, clinic: Clinic, at: dt.datetime) -> Set[PaymentTab]:
    """
    Return the tabs ``invoice`` is shown in at ``at``.

    Args:
        invoice: The invoice.
        clinic: The clinic that issued it (its current payment terminal decides
            Outstanding for an invoice that does not record its own).
        at: When (timezone-aware).

    Returns:
        Nothing before it is issued; Outstanding while unpaid, if it was issued through
        a Convene terminal (``invoice.via_convene``; if that is not recorded, if the
        clinic uses one now); once paid, All paid, and Paid this year if paid in the
        Norwegian calendar year of ``at``.

    Raises:
        InvalidInput: If ``clinic`` is not the invoice's, or ``at`` is naive.
    """
    check_aware(at)
    if clinic.id != invoice.clinic_id:
        raise InvalidInput("clinic.id", "must be the invoice's clinic")
    at = instant(at)
    if at < instant(invoice.issued_at):
        return _NONE
    if invoice.paid_at is not None and instant(invoice.paid_at) <= at:
        return _paid_tabs(invoice.paid_at, at)
    convene = clinic.uses_convene if invoice.via_convene is None else invoice.via_convene
    return frozenset({PaymentTab.OUTSTANDING}) if convene else _NONE


def payment_tabs(payment: Payment, at: dt.datetime) -> Set[PaymentTab]:
    """
    Return the tabs ``payment`` is shown in at ``at``.

    Args:
        payment: The payment.
        at: When (timezone-aware).

    Returns:
        For a payment paid (or paid and refunded) no later than ``at``: All paid, and
        Paid this year if paid in the Norwegian calendar year of ``at``. Otherwise
        nothing.

    Raises:
        InvalidInput: If ``at`` is naive.
    """
    check_aware(at)
    if payment.status not in _PAID_SHOWN or instant(payment.paid_at) > instant(at):
        return _NONE
    return _paid_tabs(payment.paid_at, at)


@attrs.frozen
class PaymentRow:
    """
    One row of "My payments" (B4).

    Args:
        kind: Whether the row is an invoice or a payment.
        id: The invoice's or the payment's id.
        date: The date paid, in Norway; for an outstanding invoice, its due date
            ("Date").
        paid_at: When it was paid; None for an outstanding invoice.
        clinic_id: The clinic's id.
        clinic_name: The clinic's name ("Clinic").
        method: How it was paid, if known ("Payment").
        status: The status ("Status"); ``PENDING`` for an outstanding invoice.
        invoice_number: The invoice number, if any ("Invoice number").
        amount: The amount paid, or owed ("Paid").
    """

    kind: RowKind
    id: str
    date: dt.date
    paid_at: dt.datetime | None = attrs.field(eq=instant_key)
    clinic_id: str
    clinic_name: str
    method: PaymentMethod | Unrecognized | None
    status: PaymentStatus | Unrecognized
    invoice_number: str | None
    amount: Money


@attrs.frozen
class PaymentOverview:
    """
    The three tabs of "My payments", each newest first, with their totals.

    Args:
        outstanding: The Outstanding rows.
        paid_this_year: The Paid this year rows.
        all_paid: The All paid rows.
        currency: The currency of the totals.
    """

    outstanding: tuple[PaymentRow, ...]
    paid_this_year: tuple[PaymentRow, ...]
    all_paid: tuple[PaymentRow, ...]
    currency: str = "NOK"

    def rows(self, tab: PaymentTab) -> tuple[PaymentRow, ...]:
        """Return the rows of ``tab``."""
        if tab is PaymentTab.OUTSTANDING:
            return self.outstanding
        if tab is PaymentTab.PAID_THIS_YEAR:
            return self.paid_this_year
        return self.all_paid

    def total(self, tab: PaymentTab) -> Money:
        """
        Return the total of ``tab``: what is owed, or what was paid (refunds excluded).

        Raises:
            InvalidInput: If the rows mix currencies.
        """
        total = Money.zero(self.currency)
        for row in self.rows(tab):
            if tab is PaymentTab.OUTSTANDING or row.status is PaymentStatus.PAID:
                total += row.amount
        return total


def _newest_first(row: PaymentRow) -> tuple[dt.date, dt.datetime, str]:
    # Outstanding invoices have no payment time; their due date orders them.
    return (row.date, _EPOCH if row.paid_at is None else instant(row.paid_at), row.id)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _clinics(clinics: Iterable[Clinic]) -> Mapping[str, Clinic]:
    return {clinic.id: clinic for clinic in clinics}


def payment_overview(
    *,
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    clinics: Iterable[Clinic],
    at: dt.datetime,
    currency: str = "NOK",
) -> PaymentOverview:
    """
    Sort a patient's invoices and payments into the tabs of "My payments" at ``at``.

    Args:
        invoices: The patient's invoices.
        payments: The patient's payments.
        clinics: The clinics of the invoices (for their terminal and name).
        at: When (timezone-aware).
        currency: The currency of the totals.

    Returns:
        The overview. A paid invoice settled by one of ``payments`` (by the payment's
        ``invoice_id`` or the invoice's ``payment_id``) is shown through that payment.

    Raises:
        InvalidInput: If an invoice's clinic is not among ``clinics``, or ``at`` is naive.
    """
    check_aware(at)
    by_id = _clinics(clinics)
    payments = tuple(payments)
    settled = {p.invoice_id for p in payments if p.invoice_id is not None}
    payment_ids = {p.id for p in payments}
    tabs: dict[PaymentTab, list[PaymentRow]] = {tab: [] for tab in PaymentTab}
    for i, invoice in enumerate(invoices):
        clinic = by_id.get(invoice.clinic_id)
        if clinic is None:
            raise InvalidInput(f"invoices[{i}].clinic_id", "is not among the clinics given")
        shown = invoice_tabs(invoice, clinic, at)
        if PaymentTab.ALL_PAID in shown and (
            invoice.id in settled or invoice.payment_id in payment_ids
        ):
            continue  # shown through its payment
        paid_at = invoice.paid_at if PaymentTab.ALL_PAID in shown else None
        row = PaymentRow(
            kind=RowKind.INVOICE,
            id=invoice.id,
            date=invoice.due_date if paid_at is None else oslo_date(paid_at),
            paid_at=paid_at,
            clinic_id=clinic.id,
            clinic_name=clinic.name,
            method=None,
            status=PaymentStatus.PENDING if paid_at is None else PaymentStatus.PAID,
            invoice_number=invoice.number,
            amount=invoice.amount,
        )
        for tab in shown:
            tabs[tab].append(row)
    for payment in payments:
        row = PaymentRow(
            kind=RowKind.PAYMENT,
            id=payment.id,
            date=oslo_date(payment.paid_at),
            paid_at=payment.paid_at,
            clinic_id=payment.clinic_id,
            clinic_name=payment.clinic_name,
            method=payment.method,
            status=payment.status,
            invoice_number=payment.invoice_number,
            amount=payment.amount,
        )
        for tab in payment_tabs(payment, at):
            tabs[tab].append(row)
    for rows in tabs.values():
        rows.sort(key=_newest_first, reverse=True)
    return PaymentOverview(
        outstanding=tuple(tabs[PaymentTab.OUTSTANDING]),
        paid_this_year=tuple(tabs[PaymentTab.PAID_THIS_YEAR]),
        all_paid=tuple(tabs[PaymentTab.ALL_PAID]),
        currency=currency,
    )


# --- the clinic's half ----------------------------------------------------------------------


def make_kid(payload: str, method: KidMethod = KidMethod.MOD10) -> KidNumber:
    """
    Return the KID for ``payload`` with its check digit appended.

    >>> make_kid("123456789")
    KidNumber(digits='1234567897')

    Args:
        payload: The digits before the check digit (1 to 24), for example a customer
            and an invoice number.
        method: MOD10 (the default) or MOD11, as the clinic agreed with its bank.

    Raises:
        InvalidInput: With field ``kid``, if ``payload`` is not 1 to 24 digits.
    """
    digits = "".join(payload.split())
    return KidNumber(digits + calc_check_digit(digits, method))


def issue_invoice(
    clinic: Clinic,
    *,
    invoice_id: str,
    patient: Patient,
    number: str,
    amount: Money,
    due_date: dt.date,
    at: dt.datetime,
    kid: KidNumber | None = None,
    consultation_id: str | None = None,
) -> Outcome[Invoice]:
    """
    Issue an invoice from ``clinic`` to ``patient`` at ``at`` (B1).

    The invoice remembers whether the clinic used a Convene terminal at that moment.

    Args:
        clinic: The clinic issuing it.
        invoice_id: The new invoice's id.
        patient: Who pays; connected to the clinic.
        number: The invoice number.
        amount: What is owed; more than zero.
        due_date: When it is due; not before the day it is issued, in Norway.
        at: When it is issued (timezone-aware).
        kid: The KID payment reference, if any (see :func:`make_kid`).
        consultation_id: The consultation it charges for, if any.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the invoice, or
        :class:`~patientsky.rules.decision.Denied` with ``PATIENT_NOT_CONNECTED_TO_CLINIC``.

    Raises:
        InvalidInput: Naming the field: an amount of zero or less, a due date before the
            day of issue, a naive ``at``, a KID that is not a
            :class:`~patientsky.models.identity.KidNumber`.
    """
    check_aware(at)
    given: object = amount  # typed callers pass Money; the REPL may not
    if not isinstance(given, Money) or given.minor_units <= 0:
        raise InvalidInput("amount", "must be more than zero")
    due: object = due_date
    if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
        raise InvalidInput("due_date", "must be a date")
    if due_date < oslo_date(at):
        raise InvalidInput("due_date", "must not be before the day the invoice is issued")
    if kid is not None and not isinstance(kid, KidNumber):
        raise InvalidInput("kid", "must be a KidNumber")
    connected = connection(patient, clinic)
    if not connected:
        return Denied(connected)
    return Allowed(
        Invoice(
            id=invoice_id,
            patient_id=patient.id,
            clinic_id=clinic.id,
            number=number,
            amount=amount,
            issued_at=at,
            due_date=due_date,
            kid=kid,
            via_convene=clinic.uses_convene,
            consultation_id=consultation_id,
        )
    )


@attrs.frozen
class Settlement:
    """
    What settling an invoice makes: the paid invoice and the payment (its row and receipt).

    Args:
        invoice: The invoice, paid.
        payment: The payment that settled it.
    """

    invoice: Invoice
    payment: Payment


def settle_invoice(
    invoice: Invoice,
    clinic: Clinic,
    *,
    payment_id: str,
    method: PaymentMethod | Unrecognized,
    at: dt.datetime,
) -> Outcome[Settlement]:
    """
    Record ``invoice`` paid at ``at``: it leaves Outstanding and is shown through its payment.

    Args:
        invoice: The invoice, unpaid.
        clinic: The clinic that issued it (its name goes on the receipt).
        payment_id: The new payment's id.
        method: How it was paid: ``CARD`` at the Convene terminal or online, or another
            method.
        at: When (timezone-aware); no earlier than the invoice was issued.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the :class:`Settlement`, or
        :class:`~patientsky.rules.decision.Denied` with ``UNKNOWN_PAYMENT_METHOD`` or
        ``INVOICE_ALREADY_PAID``.

    Raises:
        InvalidInput: If ``clinic`` is not the invoice's, or ``at`` is naive or earlier
            than the invoice.
    """
    check_aware(at)
    if clinic.id != invoice.clinic_id:
        raise InvalidInput("clinic.id", "must be the invoice's clinic")
    if instant(at) < instant(invoice.issued_at):
        raise InvalidInput("at", "is earlier than the invoice was issued")
    if not isinstance(method, PaymentMethod):
        return Denied.because(Reason.UNKNOWN_PAYMENT_METHOD)
    if invoice.is_paid:
        return Denied.because(Reason.INVOICE_ALREADY_PAID)
    payment = Payment(
        id=payment_id,
        patient_id=invoice.patient_id,
        clinic_id=clinic.id,
        clinic_name=clinic.name,
        paid_at=at,
        method=method,
        status=PaymentStatus.PAID,
        amount=invoice.amount,
        invoice_number=invoice.number,
        invoice_id=invoice.id,
    )
    paid = attrs.evolve(invoice, paid_at=at, payment_id=payment_id)
    return Allowed(Settlement(paid, payment))


def refund_payment(payment: Payment, *, at: dt.datetime) -> Outcome[Payment]:
    """
    Refund a payment: it stays in the paid tabs, marked refunded, and counts in no total.

    An invoice it settled stays paid: a refund never makes it outstanding again.

    Args:
        payment: The payment, paid.
        at: When (timezone-aware); no earlier than the payment.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the refunded payment, or
        :class:`~patientsky.rules.decision.Denied` with ``PAYMENT_ALREADY_REFUNDED``,
        ``INVOICE_NOT_PAID`` (pending or failed) or ``UNKNOWN_PAYMENT_METHOD`` (a status
        this version does not know).

    Raises:
        InvalidInput: If ``at`` is naive or earlier than the payment.
    """
    check_aware(at)
    if instant(at) < instant(payment.paid_at):
        raise InvalidInput("at", "is earlier than the payment")
    if not isinstance(payment.status, PaymentStatus):
        return Denied.because(Reason.UNKNOWN_PAYMENT_METHOD)
    if payment.status is PaymentStatus.REFUNDED:
        return Denied.because(Reason.PAYMENT_ALREADY_REFUNDED)
    if payment.status is not PaymentStatus.PAID:
        return Denied.because(Reason.INVOICE_NOT_PAID)
    return Allowed(attrs.evolve(payment, status=PaymentStatus.REFUNDED))
