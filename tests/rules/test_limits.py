"""Caps that keep one person from filling the system: messages per dialog, future bookings."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    AuthorKind,
    CareService,
    Clinic,
    CommunicationType,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
    Unrecognized,
)
from patientsky.models.calendar import Calendar, Schedule, TimeSlot, TimeSlotType
from patientsky.rules.access import AccessRequest
from patientsky.rules.booking import book
from patientsky.rules.decision import Allowed, Denied, Reason
from patientsky.rules.dialogs import MAX_MESSAGES_PER_DIALOG, reply
from tests.strategies_rules import (
    CLINIC_ID,
    CURRENT_TERMS,
    consent_given,
    history,
    make_patient,
    make_session,
    oslo,
    timezones,
)

T0 = oslo(2026, 3, 2, 9, 0)
PATIENT = make_patient("patient", dt.date(1980, 5, 17))
GP = Counterpart(CounterpartKind.PRACTITIONER, "gp-1", "Dr. Berg")
AUTHOR_IDS = {
    AuthorKind.PATIENT: "patient",
    AuthorKind.REPRESENTATIVE: "mother",
    AuthorKind.PRACTITIONER: "gp-1",
    AuthorKind.CLINIC: CLINIC_ID,
}


# --- messages per dialog ---


def _dialog(size: int, status: DialogStatus = DialogStatus.OPEN) -> Dialog:
    messages = tuple(
        Message(f"m{i}", AuthorKind.PATIENT, "patient", f"text {i}", T0 + dt.timedelta(minutes=i))
        for i in range(size)
    )
    closed = status is DialogStatus.CLOSED
    return Dialog(
        "d1",
        "patient",
        CLINIC_ID,
        CommunicationType.OTHER_INQUIRY,
        GP,
        "Spørsmål",
        status,
        messages,
        needs_reply=not closed,
        closed_at=messages[-1].sent_at if closed else None,
    )


def _answer(author: AuthorKind) -> Message:
    return Message("new", author, AUTHOR_IDS[author], "svar", T0 + dt.timedelta(days=1))


@given(
    size=st.integers(1, 12),
    cap=st.integers(1, 12),
    author=st.sampled_from(AuthorKind),
    reopen=st.booleans(),
)
def test_a_dialog_never_holds_more_messages_than_its_cap_whoever_writes(
    size: int, cap: int, author: AuthorKind, reopen: bool
) -> None:
    reopen = reopen and not author.is_patient_side
    outcome = reply(_dialog(size), _answer(author), reopen=reopen, max_messages=cap)
    if size < cap:
        assert isinstance(outcome, Allowed)
        assert len(outcome.value.messages) == size + 1 <= cap
    else:
        assert isinstance(outcome, Denied)
        assert outcome.reason is Reason.DIALOG_FULL


@given(size=st.integers(1, 6), cap=st.integers(1, 6))
def test_a_closed_dialog_needing_no_answer_says_closed_to_the_patient_before_it_says_full(
    size: int, cap: int
) -> None:
    outcome = reply(
        _dialog(size, DialogStatus.CLOSED), _answer(AuthorKind.PATIENT), max_messages=cap
    )
    assert isinstance(outcome, Denied)
    assert outcome.reason is Reason.DIALOG_CLOSED


def test_the_default_cap_is_the_named_constant() -> None:
    full = _dialog(MAX_MESSAGES_PER_DIALOG)
    denied = reply(full, _answer(AuthorKind.PRACTITIONER))
    assert isinstance(denied, Denied)
    assert denied.reason is Reason.DIALOG_FULL
    room = _dialog(MAX_MESSAGES_PER_DIALOG - 1)
    assert isinstance(reply(room, _answer(AuthorKind.PATIENT)), Allowed)


@pytest.mark.parametrize("cap", [0, -1, True, 2.0, "3"])
def test_a_cap_that_is_not_a_positive_integer_is_invalid_input(cap: object) -> None:
    with pytest.raises(InvalidInput) as error:
        reply(_dialog(1), _answer(AuthorKind.PATIENT), max_messages=cap)  # type: ignore[arg-type]
    assert error.value.field == "max_messages"


# --- future bookings per patient per clinic ---

AT = oslo(2026, 3, 2, 12, 0)
WANTED = oslo(2026, 3, 10, 9, 0)  # a Tuesday, eight days later
SCHEDULE = Schedule(
    calendars=[Calendar("c", CLINIC_ID, "Dr. Berg", practitioner_id="berg")],
    time_slot_types=[TimeSlotType("t", CLINIC_ID, "Vanlig", 15)],
    time_slots=[TimeSlot("s", "c", "t", oslo(2026, 3, 10, 8, 0), oslo(2026, 3, 10, 16, 0), True)],
)
STATUSES = [*ConsultationStatus, Unrecognized("rescheduled")]
HOLDING = {ConsultationStatus.BOOKED, ConsultationStatus.COMPLETED, ConsultationStatus.NO_SHOW}


def _clinic(cap: int) -> Clinic:
    return Clinic(
        CLINIC_ID,
        "Byklinikken",
        enabled_services=(CareService.BOOK_CONSULTATION,),
        max_future_bookings=cap,
    )


def _access(at: dt.datetime) -> AccessRequest:
    return AccessRequest(
        session=make_session("patient", at),
        action=Action.BOOK_CONSULTATION,
        patient=PATIENT,
        at=at,
        terms=CURRENT_TERMS,
        patient_consent=history("patient", consent_given("patient", AT - dt.timedelta(days=30))),
    )


@st.composite
def _consultation(draw: st.DrawFn, n: int) -> Consultation:
    # Whole quarters from twenty days before AT to thirty after, never over the wanted time.
    quarters = draw(
        st.integers(-20 * 96, 30 * 96).filter(
            lambda q: abs(AT + dt.timedelta(minutes=15 * q) - WANTED) >= dt.timedelta(minutes=15)
        )
    )
    start = AT + dt.timedelta(minutes=15 * quarters)
    status = draw(st.sampled_from(STATUSES))
    cancelled = status in (ConsultationStatus.CANCELLED, ConsultationStatus.LATE_CANCELLED)
    return Consultation(
        id=f"k{n}",
        patient_id=draw(st.sampled_from(["patient", "someone-else"])),
        clinic_id=draw(st.sampled_from([CLINIC_ID, "another-clinic"])),
        practitioner_id="berg",
        calendar_ids=("elsewhere",),
        kind=ConsultationKind.IN_PERSON,
        status=status,
        start=start,
        end=start + dt.timedelta(minutes=15),
        booked_by="patient",
        booked_at=AT - dt.timedelta(days=30),
        cancelled_at=AT - dt.timedelta(days=1) if cancelled else None,
    )


@st.composite
def _consultations(draw: st.DrawFn) -> list[Consultation]:
    return [draw(_consultation(n)) for n in range(draw(st.integers(0, 8)))]


def _upcoming(consultations: list[Consultation]) -> int:
    return sum(
        1
        for c in consultations
        if c.patient_id == "patient"
        and c.clinic_id == CLINIC_ID
        and (c.status in HOLDING or isinstance(c.status, Unrecognized))
        and c.start > AT
    )


@given(consultations=_consultations(), cap=st.integers(1, 6), zone=timezones())
def test_a_patient_books_at_a_clinic_only_while_under_its_cap_of_upcoming_bookings(
    consultations: list[Consultation], cap: int, zone: dt.tzinfo
) -> None:
    outcome = book(
        _access(AT.astimezone(zone)),
        clinic=_clinic(cap),
        schedule=SCHEDULE,
        calendar_ids=["c"],
        start=WANTED,
        kind=ConsultationKind.IN_PERSON,
        consultation_id="new",
        time_slot_type_id="t",
        consultations=consultations,
    )
    if _upcoming(list(consultations)) < cap:
        assert isinstance(outcome, Allowed)
    else:
        assert isinstance(outcome, Denied)
        assert outcome.reason is Reason.TOO_MANY_FUTURE_BOOKINGS


@given(cap=st.integers(1, 6))
def test_each_booking_counts_until_it_is_cancelled_or_has_begun(cap: int) -> None:
    made: list[Consultation] = []
    for n in range(cap):
        start = AT + dt.timedelta(days=1, hours=n)
        made.append(
            Consultation(
                f"k{n}",
                "patient",
                CLINIC_ID,
                "berg",
                ("elsewhere",),
                ConsultationKind.IN_PERSON,
                ConsultationStatus.BOOKED,
                start,
                start + dt.timedelta(minutes=15),
                "patient",
                AT,
            )
        )

    def attempt(at: dt.datetime, known: list[Consultation]) -> Reason | None:
        outcome = book(
            _access(at),
            clinic=_clinic(cap),
            schedule=SCHEDULE,
            calendar_ids=["c"],
            start=WANTED,
            kind=ConsultationKind.IN_PERSON,
            consultation_id="new",
            time_slot_type_id="t",
            consultations=known,
        )
        return outcome.reason if isinstance(outcome, Denied) else None

    assert attempt(AT, made) is Reason.TOO_MANY_FUTURE_BOOKINGS
    first = made[0]
    cancelled = attrs.evolve(first, status=ConsultationStatus.CANCELLED, cancelled_at=AT)
    assert attempt(AT, [cancelled, *made[1:]]) is None
    assert attempt(first.start, made) is None  # the first has begun: no longer upcoming


@pytest.mark.parametrize("cap", [0, -1, True, "4"])
def test_a_clinics_cap_is_a_positive_integer(cap: object) -> None:
    with pytest.raises(InvalidInput) as error:
        Clinic("c", "Byklinikken", max_future_bookings=cap)  # type: ignore[arg-type]
    assert error.value.field == "max_future_bookings"


def test_a_clinic_allows_four_upcoming_bookings_unless_it_says_otherwise() -> None:
    assert Clinic("c", "Byklinikken").max_future_bookings == 4
