"""The late-cancellation fee: announced before cancelling, acknowledged, charged as an invoice."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    CareService,
    Clinic,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    FeeSettings,
    Money,
    PaymentTerminal,
)
from patientsky.models.calendar import Calendar, Schedule, TimeSlot, TimeSlotType
from patientsky.rules import (
    Booking,
    Outcome,
    PaymentTab,
    Reason,
    book,
    cancel,
    cancellation_fee_invoice,
    cancellation_notice,
    invoice_tabs,
    mark_consultation,
)
from tests.strategies_rules import CLINIC_ID, make_patient, make_request, oslo

PATIENT = make_patient("patient", dt.date(1980, 5, 17))
START = oslo(2026, 3, 10, 9, 0)
FEE = Money.nok(350)
CLINIC = Clinic(
    CLINIC_ID,
    "Byklinikken",
    enabled_services=[CareService.BOOK_CONSULTATION],
    payment_terminal=PaymentTerminal.CONVENE,
    fees=FeeSettings(cancellation_deadline_hours=24, late_cancellation_fee=FEE),
)
FREE = attrs.evolve(CLINIC, fees=FeeSettings(cancellation_deadline_hours=24))
BOOKED = Consultation(
    "k1",
    "patient",
    CLINIC_ID,
    "gp-1",
    ["cal-1"],
    ConsultationKind.IN_PERSON,
    ConsultationStatus.BOOKED,
    START,
    START + dt.timedelta(minutes=15),
    "patient",
    START - dt.timedelta(days=7),
)


def _cancel(
    at: dt.datetime, *, clinic: Clinic = CLINIC, acknowledged: bool = False
) -> Outcome[Booking]:
    access = make_request(actor="patient", patient=PATIENT, at=at, action=Action.BOOK_CONSULTATION)
    return cancel(access, clinic=clinic, consultation=BOOKED, fee_acknowledged=acknowledged)


def test_the_notice_before_the_deadline_says_cancelling_is_free() -> None:
    notice = cancellation_notice(CLINIC, BOOKED, START - dt.timedelta(hours=24))
    assert (notice.late, notice.applies, notice.fee) == (False, False, Money.zero())
    assert notice.free_until == START - dt.timedelta(hours=24)
    assert "24" in notice.text_en


def test_the_notice_after_the_deadline_names_the_fee() -> None:
    notice = cancellation_notice(CLINIC, BOOKED, START - dt.timedelta(hours=2))
    assert (notice.late, notice.applies, notice.fee) == (True, True, FEE)
    assert "kr 350,00" in notice.text_nb
    assert "350.00 NOK" in notice.text_en
    assert notice.text("nn") == notice.text_nn
    assert "kr 350,00" in notice.text_nn
    assert "no," in notice.text_nn  # nynorsk, not bokmål's "nå,"
    with pytest.raises(ValueError, match="lang"):
        notice.text("sv")  # type: ignore[arg-type]


def test_a_clinic_without_a_fee_announces_none_and_needs_no_acknowledgement() -> None:
    at = START - dt.timedelta(hours=2)
    notice = cancellation_notice(FREE, BOOKED, at)
    assert (notice.late, notice.applies) == (True, False)
    outcome = _cancel(at, clinic=FREE)
    assert outcome.unwrap().consultation.status is ConsultationStatus.LATE_CANCELLED


@given(st.integers(-48 * 60, 60 * 24 * 3), st.booleans())
def test_a_late_cancellation_that_costs_a_fee_needs_the_notice_acknowledged(
    minutes_before: int, acknowledged: bool
) -> None:
    at = START - dt.timedelta(minutes=minutes_before)
    notice = cancellation_notice(CLINIC, BOOKED, at)
    outcome = _cancel(at, acknowledged=acknowledged)
    if at >= START:
        assert outcome.decision.reason is Reason.NOT_CANCELLABLE
    elif notice.applies and not acknowledged:
        assert outcome.decision.reason is Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED
    else:
        status = outcome.unwrap().consultation.status
        assert (status is ConsultationStatus.LATE_CANCELLED) is notice.late


def test_the_fee_is_charged_as_an_invoice_for_a_late_cancellation_or_a_no_show() -> None:
    at = START - dt.timedelta(hours=2)
    late = _cancel(at, acknowledged=True).unwrap().consultation
    missed = mark_consultation(BOOKED, START + dt.timedelta(minutes=20), attended=False).unwrap()
    for consultation in (late, missed):
        invoice = cancellation_fee_invoice(
            CLINIC, consultation, patient=PATIENT, invoice_id="inv1", number="G1", at=START
        ).unwrap()
        assert (invoice.amount, invoice.consultation_id) == (FEE, "k1")
        assert invoice.due_date == dt.date(2026, 3, 24)
        assert invoice_tabs(invoice, CLINIC, START) == {PaymentTab.OUTSTANDING}


def test_no_fee_is_due_for_a_free_cancellation_a_completed_visit_or_a_clinic_without_a_fee() -> (
    None
):
    free = _cancel(START - dt.timedelta(days=2)).unwrap().consultation
    done = mark_consultation(BOOKED, START, attended=True).unwrap()
    missed = attrs.evolve(BOOKED, status=ConsultationStatus.NO_SHOW)
    for clinic, consultation in ((CLINIC, free), (CLINIC, done), (FREE, missed)):
        outcome = cancellation_fee_invoice(
            clinic, consultation, patient=PATIENT, invoice_id="inv1", number="G1", at=START
        )
        assert outcome.decision.reason is Reason.NO_FEE_DUE


def test_the_fee_invoice_refuses_another_patients_consultation() -> None:
    other = make_patient("other", dt.date(1980, 5, 17))
    with pytest.raises(InvalidInput, match=r"^consultation.patient_id: "):
        cancellation_fee_invoice(
            CLINIC, BOOKED, patient=other, invoice_id="inv1", number="G1", at=START
        )
    with pytest.raises(InvalidInput, match=r"^due_in_days: "):
        cancellation_fee_invoice(
            CLINIC, BOOKED, patient=PATIENT, invoice_id="i", number="G", at=START, due_in_days=-1
        )


def test_booking_needs_no_earlier_connection_as_dialogs_and_renewals_need_none() -> None:
    schedule = Schedule(
        calendars=[Calendar("cal-1", CLINIC_ID, "Dr. Berg", practitioner_id="gp-1")],
        time_slot_types=[TimeSlotType("t", CLINIC_ID, "Vanlig", 15)],
        time_slots=[TimeSlot("s", "cal-1", "t", START, START + dt.timedelta(hours=1))],
    )
    stranger = make_patient("stranger", dt.date(1980, 5, 17), clinic_ids=())
    at = START - dt.timedelta(days=3)
    for n, patient in enumerate((stranger, PATIENT)):
        access = make_request(
            actor=patient.id, patient=patient, at=at, action=Action.BOOK_CONSULTATION
        )
        outcome = book(
            access,
            clinic=CLINIC,
            schedule=schedule,
            calendar_ids=["cal-1"],
            start=START,
            kind=ConsultationKind.IN_PERSON,
            consultation_id=f"k{n}",
            time_slot_type_id="t",
        )
        assert outcome.unwrap().consultation.patient_id == patient.id
