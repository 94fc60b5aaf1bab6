"""B1-B4: the tabs of "My payments" and their totals."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    Clinic,
    Invoice,
    Money,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTerminal,
    Unrecognized,
)
from patientsky.rules import (
    PaymentTab,
    RowKind,
    invoice_tabs,
    payment_overview,
    payment_tabs,
)
from tests.strategies_rules import OSLO, UTC, aware_datetimes, oslo

CONVENE = Clinic("c1", "Byklinikken", payment_terminal=PaymentTerminal.CONVENE)
OTHER = Clinic("c2", "Fjordklinikken", payment_terminal=PaymentTerminal.OTHER)
PAID_TABS = {PaymentTab.PAID_THIS_YEAR, PaymentTab.ALL_PAID}


def _payment(
    paid_at: dt.datetime,
    status: PaymentStatus | Unrecognized = PaymentStatus.PAID,
    *,
    payment_id: str = "pay1",
    amount: Money = Money.nok(350),  # noqa: B008 - Money is immutable
    invoice_id: str | None = None,
) -> Payment:
    return Payment(
        id=payment_id,
        patient_id="patient",
        clinic_id="c1",
        clinic_name="Byklinikken",
        paid_at=paid_at,
        method=PaymentMethod.CARD,
        status=status,
        amount=amount,
        invoice_number=None if invoice_id is None else "F-1",
        invoice_id=invoice_id,
    )


def _invoice(
    clinic: Clinic = CONVENE,
    *,
    invoice_id: str = "inv1",
    paid_at: dt.datetime | None = None,
    payment_id: str | None = None,
) -> Invoice:
    return Invoice(
        id=invoice_id,
        patient_id="patient",
        clinic_id=clinic.id,
        number="F-1",
        amount=Money.nok(450),
        issued_at=oslo(2026, 1, 10),
        due_date=dt.date(2026, 1, 24),
        paid_at=paid_at,
        payment_id=payment_id,
    )


def test_a_payment_made_on_31_december_at_2330_oslo_time_belongs_to_that_year() -> None:
    late = _payment(dt.datetime(2025, 12, 31, 22, 30, tzinfo=UTC))
    assert late.paid_at.astimezone(OSLO).hour == 23
    assert payment_tabs(late, oslo(2025, 12, 31, 23, 45)) == PAID_TABS
    assert payment_tabs(late, oslo(2026, 1, 1, 0, 0)) == {PaymentTab.ALL_PAID}
    overview = payment_overview(
        invoices=[], payments=[late], clinics=[], at=dt.datetime(2025, 12, 31, 22, 45, tzinfo=UTC)
    )
    assert overview.paid_this_year[0].date == dt.date(2025, 12, 31)
    assert overview.total(PaymentTab.PAID_THIS_YEAR) == Money.nok(350)
    # 23:00 UTC is midnight in Oslo: a new year, and the payment was last year's.
    assert payment_tabs(late, dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC)) == {PaymentTab.ALL_PAID}


def test_a_payment_at_0030_on_1_january_oslo_time_belongs_to_the_new_year() -> None:
    early = _payment(dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert payment_tabs(early, oslo(2026, 6, 1)) == PAID_TABS
    assert payment_tabs(early, oslo(2025, 12, 31, 23, 59)) == frozenset()


def test_outstanding_shows_unpaid_invoices_only_from_clinics_with_a_convene_terminal() -> None:
    at = oslo(2026, 2, 1)
    assert invoice_tabs(_invoice(CONVENE), CONVENE, at) == {PaymentTab.OUTSTANDING}
    assert invoice_tabs(_invoice(OTHER), OTHER, at) == frozenset()
    no_terminal = attrs.evolve(OTHER, payment_terminal=None)
    assert invoice_tabs(_invoice(no_terminal), no_terminal, at) == frozenset()


def test_once_paid_an_invoice_moves_to_paid_this_year_and_all_paid() -> None:
    paid = _invoice(paid_at=oslo(2026, 2, 3, 12, 0))
    assert invoice_tabs(paid, CONVENE, oslo(2026, 2, 3, 11, 0)) == {PaymentTab.OUTSTANDING}
    assert invoice_tabs(paid, CONVENE, oslo(2026, 2, 3, 12, 0)) == PAID_TABS
    assert invoice_tabs(paid, CONVENE, oslo(2027, 1, 1)) == {PaymentTab.ALL_PAID}


def test_an_invoice_is_shown_nowhere_before_it_is_issued() -> None:
    assert invoice_tabs(_invoice(), CONVENE, oslo(2026, 1, 9)) == frozenset()


def test_a_refunded_payment_is_listed_but_not_counted_and_failed_ones_are_not_listed() -> None:
    at = oslo(2026, 6, 1)
    paid = _payment(oslo(2026, 3, 1), payment_id="a")
    refunded = _payment(oslo(2026, 3, 2), PaymentStatus.REFUNDED, payment_id="b")
    failed = _payment(oslo(2026, 3, 3), PaymentStatus.FAILED, payment_id="c")
    pending = _payment(oslo(2026, 3, 4), PaymentStatus.PENDING, payment_id="d")
    unknown = _payment(oslo(2026, 3, 5), Unrecognized("chargeback"), payment_id="e")
    overview = payment_overview(
        invoices=[], payments=[paid, refunded, failed, pending, unknown], clinics=[], at=at
    )
    assert [r.id for r in overview.paid_this_year] == ["b", "a"]
    assert [r.id for r in overview.all_paid] == ["b", "a"]
    assert overview.total(PaymentTab.PAID_THIS_YEAR) == Money.nok(350)
    assert overview.total(PaymentTab.ALL_PAID) == Money.nok(350)


def test_the_overview_lists_each_tab_newest_first_with_totals() -> None:
    at = oslo(2026, 6, 1)
    last_year = _payment(oslo(2025, 5, 1), payment_id="old", amount=Money.nok(100))
    this_year = _payment(oslo(2026, 2, 1, 8), payment_id="new", amount=Money.nok(200))
    same_day = _payment(oslo(2026, 2, 1, 9), payment_id="later", amount=Money.nok(50))
    overview = payment_overview(
        invoices=[_invoice(CONVENE, invoice_id="i1"), _invoice(OTHER, invoice_id="i2")],
        payments=[last_year, this_year, same_day],
        clinics=[CONVENE, OTHER],
        at=at,
    )
    assert [r.id for r in overview.rows(PaymentTab.OUTSTANDING)] == ["i1"]
    assert overview.total(PaymentTab.OUTSTANDING) == Money.nok(450)
    assert [r.id for r in overview.rows(PaymentTab.PAID_THIS_YEAR)] == ["later", "new"]
    assert overview.total(PaymentTab.PAID_THIS_YEAR) == Money.nok(250)
    assert [r.id for r in overview.rows(PaymentTab.ALL_PAID)] == ["later", "new", "old"]
    assert overview.total(PaymentTab.ALL_PAID) == Money.nok(350)
    outstanding = overview.outstanding[0]
    assert (outstanding.kind, outstanding.date, outstanding.status, outstanding.method) == (
        RowKind.INVOICE,
        dt.date(2026, 1, 24),
        PaymentStatus.PENDING,
        None,
    )
    row = overview.all_paid[0]
    assert (row.date, row.clinic_name, row.method, row.status, row.amount) == (
        dt.date(2026, 2, 1),
        "Byklinikken",
        PaymentMethod.CARD,
        PaymentStatus.PAID,
        Money.nok(50),
    )


def test_a_paid_invoice_is_shown_through_its_payment_and_alone_when_it_has_none() -> None:
    at = oslo(2026, 6, 1)
    settled = _invoice(invoice_id="i1", paid_at=oslo(2026, 2, 1), payment_id="pay1")
    payment = _payment(oslo(2026, 2, 1), invoice_id="i1")
    orphan = _invoice(invoice_id="i2", paid_at=oslo(2026, 2, 2))
    overview = payment_overview(
        invoices=[settled, orphan], payments=[payment], clinics=[CONVENE], at=at
    )
    assert [(r.kind, r.id) for r in overview.all_paid] == [
        (RowKind.INVOICE, "i2"),
        (RowKind.PAYMENT, "pay1"),
    ]
    assert overview.all_paid[0].status is PaymentStatus.PAID
    assert overview.total(PaymentTab.ALL_PAID) == Money.nok(800)
    assert overview.outstanding == ()


def test_payments_refuse_bad_input() -> None:
    with pytest.raises(InvalidInput, match=r"^clinic.id: "):
        invoice_tabs(_invoice(CONVENE), OTHER, oslo(2026, 2, 1))
    with pytest.raises(InvalidInput, match=r"^at: "):
        payment_tabs(_payment(oslo(2026, 2, 1)), dt.datetime(2026, 2, 2))
    with pytest.raises(InvalidInput, match=r"^invoices\[0\].clinic_id: "):
        payment_overview(invoices=[_invoice()], payments=[], clinics=[OTHER], at=oslo(2026, 2, 1))


@given(aware_datetimes(), aware_datetimes())
def test_every_payment_is_in_all_paid_once_paid(paid_at: dt.datetime, at: dt.datetime) -> None:
    tabs = payment_tabs(_payment(paid_at), at)
    assert (PaymentTab.ALL_PAID in tabs) is (paid_at <= at)
    assert PaymentTab.OUTSTANDING not in tabs


@given(aware_datetimes(), aware_datetimes())
def test_paid_this_year_means_the_same_norwegian_calendar_year(
    paid_at: dt.datetime, at: dt.datetime
) -> None:
    tabs = payment_tabs(_payment(paid_at), at)
    same_year = paid_at.astimezone(OSLO).year == at.astimezone(OSLO).year
    assert (PaymentTab.PAID_THIS_YEAR in tabs) is (paid_at <= at and same_year)


@given(
    st.sampled_from([CONVENE, OTHER]),
    st.none() | aware_datetimes(dt.datetime(2026, 1, 11), dt.datetime(2028, 1, 1)),
    aware_datetimes(dt.datetime(2026, 1, 11), dt.datetime(2028, 1, 1)),
)
def test_an_invoice_is_outstanding_exactly_while_unpaid_at_a_convene_clinic(
    clinic: Clinic, paid_at: dt.datetime | None, at: dt.datetime
) -> None:
    tabs = invoice_tabs(_invoice(clinic, paid_at=paid_at), clinic, at)
    unpaid = paid_at is None or paid_at > at
    assert (PaymentTab.OUTSTANDING in tabs) is (unpaid and clinic.uses_convene)
    assert (PaymentTab.ALL_PAID in tabs) is (not unpaid)
    assert not (PaymentTab.OUTSTANDING in tabs and PaymentTab.ALL_PAID in tabs)
