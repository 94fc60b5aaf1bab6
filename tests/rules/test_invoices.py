"""B1, B5: the clinic issues, settles and refunds invoices, and they move between the tabs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    Clinic,
    Invoice,
    KidMethod,
    KidNumber,
    Money,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTerminal,
    Unrecognized,
)
from patientsky.models.kid import is_valid
from patientsky.rules import (
    PaymentTab,
    Reason,
    Settlement,
    invoice_tabs,
    issue_invoice,
    make_kid,
    payment_overview,
    refund_payment,
    settle_invoice,
)
from tests.strategies_rules import CLINIC_ID, make_patient, oslo

NOW = oslo(2026, 3, 2, 10, 0)
PATIENT = make_patient("patient", dt.date(1980, 5, 17))
CONVENE = Clinic(CLINIC_ID, "Byklinikken", payment_terminal=PaymentTerminal.CONVENE)
NO_TERMINAL = attrs.evolve(CONVENE, payment_terminal=None)


def _issue(clinic: Clinic = CONVENE, at: dt.datetime = NOW, **kwargs: Any) -> Invoice:
    arguments: dict[str, Any] = {
        "invoice_id": "inv1",
        "patient": PATIENT,
        "number": "F2026-1",
        "amount": Money.nok(350),
        "due_date": dt.date(2026, 3, 16),
        "at": at,
        "kid": make_kid("2026000001"),
        **kwargs,
    }
    return issue_invoice(clinic, **arguments).unwrap()


def test_an_invoice_remembers_the_terminal_it_was_issued_through() -> None:
    assert _issue().via_convene is True
    assert _issue(NO_TERMINAL).via_convene is False


def test_an_unpaid_convene_invoice_stays_outstanding_after_the_clinic_drops_the_terminal() -> None:
    invoice = _issue()
    later = NOW + dt.timedelta(days=30)
    other = attrs.evolve(CONVENE, payment_terminal=PaymentTerminal.OTHER)
    for clinic in (CONVENE, NO_TERMINAL, other):
        assert invoice_tabs(invoice, clinic, later) == {PaymentTab.OUTSTANDING}


def test_an_invoice_issued_without_convene_never_becomes_outstanding() -> None:
    invoice = _issue(NO_TERMINAL)
    assert invoice_tabs(invoice, CONVENE, NOW + dt.timedelta(days=1)) == set()


def test_an_invoice_that_does_not_record_its_terminal_follows_the_clinic() -> None:
    invoice = attrs.evolve(_issue(), via_convene=None)
    assert invoice_tabs(invoice, CONVENE, NOW) == {PaymentTab.OUTSTANDING}
    assert invoice_tabs(invoice, NO_TERMINAL, NOW) == set()


def test_only_a_connected_patient_is_invoiced() -> None:
    stranger = make_patient("stranger", dt.date(1980, 5, 17), clinic_ids=())
    outcome = issue_invoice(
        CONVENE,
        invoice_id="inv1",
        patient=stranger,
        number="F1",
        amount=Money.nok(1),
        due_date=dt.date(2026, 3, 16),
        at=NOW,
    )
    assert outcome.decision.reason is Reason.PATIENT_NOT_CONNECTED_TO_CLINIC


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", Money(0)),
        ("amount", Money(-100)),
        ("due_date", dt.date(2026, 3, 1)),
        ("due_date", dt.datetime(2026, 3, 20, tzinfo=dt.UTC)),
        ("kid", "1234567897"),
    ],
)
def test_an_invoice_refuses_bad_values_naming_the_field(field: str, value: object) -> None:
    changes: dict[str, Any] = {field: value}
    with pytest.raises(InvalidInput, match=f"^{field}: "):
        _issue(**changes)


@given(st.text("0123456789", min_size=1, max_size=24), st.sampled_from(KidMethod))
def test_a_kid_made_for_an_invoice_always_carries_a_valid_check_digit(
    payload: str, method: KidMethod
) -> None:
    kid = make_kid(payload, method)
    assert kid.digits.startswith(payload)
    assert is_valid(kid.digits, method=method)


def test_settling_makes_the_payment_that_is_the_row_and_the_receipt() -> None:
    invoice = _issue()
    at = NOW + dt.timedelta(days=2)
    settled = settle_invoice(invoice, CONVENE, payment_id="pay1", method=PaymentMethod.CARD, at=at)
    assert isinstance(settled.unwrap(), Settlement)
    paid, payment = settled.unwrap().invoice, settled.unwrap().payment
    assert (paid.paid_at, paid.payment_id) == (at, "pay1")
    assert (payment.invoice_id, payment.invoice_number, payment.amount) == (
        "inv1",
        "F2026-1",
        Money.nok(350),
    )
    assert (payment.status, payment.method, payment.clinic_name) == (
        PaymentStatus.PAID,
        PaymentMethod.CARD,
        "Byklinikken",
    )
    overview = payment_overview(invoices=[paid], payments=[payment], clinics=[CONVENE], at=at)
    assert overview.outstanding == ()
    assert [row.id for row in overview.paid_this_year] == ["pay1"]
    assert overview.total(PaymentTab.PAID_THIS_YEAR) == Money.nok(350)


def test_an_invoice_is_settled_once_and_only_with_a_known_method() -> None:
    invoice = _issue()
    paid = settle_invoice(
        invoice, CONVENE, payment_id="p1", method=PaymentMethod.CARD, at=NOW
    ).unwrap()
    again = settle_invoice(
        paid.invoice, CONVENE, payment_id="p2", method=PaymentMethod.VIPPS, at=NOW
    )
    assert again.decision.reason is Reason.INVOICE_ALREADY_PAID
    unknown = settle_invoice(invoice, CONVENE, payment_id="p1", method=Unrecognized("gold"), at=NOW)
    assert unknown.decision.reason is Reason.UNKNOWN_PAYMENT_METHOD
    with pytest.raises(InvalidInput, match=r"^at: "):
        settle_invoice(
            invoice, CONVENE, payment_id="p1", method=PaymentMethod.CARD, at=NOW - dt.timedelta(1)
        )
    with pytest.raises(InvalidInput, match=r"^clinic.id: "):
        settle_invoice(
            invoice,
            attrs.evolve(CONVENE, id="other"),
            payment_id="p1",
            method=PaymentMethod.CARD,
            at=NOW,
        )


def test_a_refund_is_listed_as_refunded_counts_in_no_total_and_happens_once() -> None:
    settled = settle_invoice(
        _issue(), CONVENE, payment_id="p1", method=PaymentMethod.CARD, at=NOW
    ).unwrap()
    refunded = refund_payment(settled.payment, at=NOW + dt.timedelta(days=1)).unwrap()
    assert refunded.status is PaymentStatus.REFUNDED
    assert refund_payment(refunded, at=NOW).decision.reason is Reason.PAYMENT_ALREADY_REFUNDED
    pending = attrs.evolve(settled.payment, status=PaymentStatus.PENDING)
    assert refund_payment(pending, at=NOW).decision.reason is Reason.INVOICE_NOT_PAID
    unknown = attrs.evolve(settled.payment, status=Unrecognized("chargeback"))
    assert refund_payment(unknown, at=NOW).decision.reason is Reason.UNKNOWN_PAYMENT_METHOD
    overview = payment_overview(
        invoices=[settled.invoice], payments=[refunded], clinics=[CONVENE], at=NOW
    )
    assert overview.outstanding == ()
    assert [row.status for row in overview.all_paid] == [PaymentStatus.REFUNDED]
    assert overview.total(PaymentTab.ALL_PAID) == Money.zero()


_STEPS = st.lists(
    st.tuples(st.sampled_from(["settle", "refund", "drop_terminal", "look"]), st.integers(0, 400)),
    max_size=8,
)


@given(st.booleans(), _STEPS)
def test_invoices_never_sit_in_outstanding_and_a_paid_tab_and_a_settled_one_never_stays_outstanding(
    convene: bool, steps: list[tuple[str, int]]
) -> None:
    clinic = CONVENE if convene else NO_TERMINAL
    invoice = _issue(clinic)
    payments: list[Payment] = []
    at = NOW
    for step, days in steps:
        at += dt.timedelta(days=days)
        if step == "settle":
            outcome = settle_invoice(
                invoice, clinic, payment_id="pay", method=PaymentMethod.CARD, at=at
            )
            if not invoice.is_paid:
                invoice, payments = outcome.unwrap().invoice, [outcome.unwrap().payment]
            else:
                assert outcome.decision.reason is Reason.INVOICE_ALREADY_PAID
        elif step == "refund" and payments:
            refunded = refund_payment(payments[0], at=at)
            if refunded:
                payments = [refunded.unwrap()]
        elif step == "drop_terminal":
            clinic = NO_TERMINAL
        shown = invoice_tabs(invoice, clinic, at)
        assert not (PaymentTab.OUTSTANDING in shown and PaymentTab.ALL_PAID in shown)
        if invoice.is_paid:
            assert PaymentTab.OUTSTANDING not in shown
        else:
            assert (PaymentTab.OUTSTANDING in shown) is convene
        overview = payment_overview(invoices=[invoice], payments=payments, clinics=[clinic], at=at)
        outstanding = {row.id for row in overview.outstanding}
        paid = {row.id for row in overview.all_paid}
        assert not outstanding & paid
        assert len(overview.all_paid) + len(overview.outstanding) <= 1
        assert set(map(id, overview.paid_this_year)) <= set(map(id, overview.all_paid))


def test_a_kid_given_as_a_kid_number_is_kept() -> None:
    kid = KidNumber.parse("1234567897")
    assert _issue(kid=kid).kid == kid
