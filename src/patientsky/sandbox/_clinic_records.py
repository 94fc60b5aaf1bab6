"""
The records the clinic side reads and writes: invoices, payments, renewals, practitioners.

Like :mod:`patientsky.sandbox._repo`, no rule lives here: these only load and store what
the rules decided, through the repository's transaction and wire converter.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from patientsky.models import (
    Clinic,
    Invoice,
    Money,
    Patient,
    Payment,
    Practitioner,
    PrescriptionRenewalRequest,
)
from patientsky.rules import payments
from patientsky.rules._time import oslo_date
from patientsky.rules.decision import Denied, Outcome
from patientsky.sandbox._context import Ctx, new_id
from patientsky.sandbox._repo import Repo
from patientsky.sandbox._repo_dialogs import sort_time

__all__ = [
    "invoice",
    "issue_invoice",
    "next_invoice_number",
    "payment",
    "practitioner",
    "renewal",
    "save_invoice",
    "save_payment",
]

T = TypeVar("T")


def _one(repo: Repo, table: str, record_id: str, cls: type[T]) -> T | None:
    data = repo.tx.get(table, record_id)
    return None if data is None else repo.conv.structure(data, cls)


def invoice(repo: Repo, invoice_id: str) -> Invoice | None:
    """Return an invoice, or None."""
    return _one(repo, "invoices", invoice_id, Invoice)


def next_invoice_number(ctx: Ctx, clinic: Clinic) -> str:
    """
    Return the number of the clinic's next invoice: the year in Norway, then a count.

    ``202600000004`` is the fourth; with its MOD10 check digit it is the invoice's KID
    (13 digits: never 11 in a row, which would read as an identity number).
    """
    count = len(ctx.repo.tx.select("invoices", clinic_id=clinic.id))
    return f"{oslo_date(ctx.now).year}{count + 1:08d}"


def save_invoice(repo: Repo, value: Invoice) -> None:
    """Store an invoice."""
    repo.put_record(
        "invoices",
        value.id,
        value,
        patient_id=value.patient_id,
        clinic_id=value.clinic_id,
        sort_key=sort_time(value.issued_at),
    )


def payment(repo: Repo, payment_id: str) -> Payment | None:
    """Return a payment, or None."""
    return repo.payment(payment_id)


def save_payment(repo: Repo, value: Payment) -> None:
    """Store a payment."""
    repo.put_record(
        "payments",
        value.id,
        value,
        patient_id=value.patient_id,
        clinic_id=value.clinic_id,
        sort_key=sort_time(value.paid_at),
    )


def renewal(repo: Repo, renewal_id: str) -> PrescriptionRenewalRequest | None:
    """Return a prescription renewal request, or None."""
    return _one(repo, "prescription_renewals", renewal_id, PrescriptionRenewalRequest)


def practitioner(repo: Repo, practitioner_id: str) -> Practitioner | None:
    """Return a practitioner, or None."""
    return _one(repo, "practitioners", practitioner_id, Practitioner)


def issue_invoice(
    ctx: Ctx,
    clinic: Clinic,
    patient: Patient,
    *,
    amount: Money,
    due_date: dt.date,
    consultation_id: str | None = None,
) -> Outcome[Invoice]:
    """
    Issue an invoice through :func:`patientsky.rules.payments.issue_invoice` and store it.

    The clinic numbers its invoices (see
    :func:`~patientsky.sandbox._clinic_records.next_invoice_number`); the number with
    its MOD10 check digit is the KID.
    """
    number = next_invoice_number(ctx, clinic)
    outcome = payments.issue_invoice(
        clinic,
        invoice_id=new_id("inv"),
        patient=patient,
        number=number,
        amount=amount,
        due_date=due_date,
        at=ctx.now,
        kid=payments.make_kid(number),
        consultation_id=consultation_id,
    )
    if not isinstance(outcome, Denied):
        save_invoice(ctx.repo, outcome.unwrap())
    return outcome
