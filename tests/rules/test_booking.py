"""Booking and cancelling consultations over the real calendar exports (K2, K3)."""

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
    ConsentEvent,
    ConsentEventKind,
    ConsentHistory,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    FeeSettings,
    LoginMethod,
    LoginSession,
    NationalId,
    Patient,
    PersonName,
    Relation,
    RelationKind,
    Terms,
    Unrecognized,
)
from patientsky.models.calendar import (
    AppointmentStatus,
    Calendar,
    Schedule,
    TimeSlot,
    TimeSlotType,
)
from patientsky.rules.access import AccessRequest
from patientsky.rules.booking import Booking, appointment_id, book, booking_action, cancel
from patientsky.rules.decision import Allowed, Denied, Outcome, Reason
from patientsky.rules.freetime import free_start_times, free_time, on_grid
from patientsky.wire.legacy import load_folder
from tests.strategies_calendar import FIXTURES, oslo

CLINIC = "00000000-0000-4000-a002-000000000002"
DANNY = "48cadf26-975e-11e5-b9c2-c8e0eb18c1e9"
EMMA = "452dccfc-975e-11e5-bfa5-c8e0eb18c1e9"
JOANNA = "48644c7a-975e-11e5-a090-c8e0eb18c1e9"
VANLIG = "452935de-975e-11e5-ae1a-c8e0eb18c1e9"  # 15 minutes
LANG_VANLIG = "4529821e-975e-11e5-bbaf-c8e0eb18c1e9"  # 30 minutes
NOW = oslo("2019-04-20T12:00")
TERMS = Terms("2019-01", oslo("2019-01-01T00:00"))

KARI = Patient(
    id="kari",
    national_id=NationalId.parse("15108695088"),
    name=PersonName("Kari", "Nordmann"),
    birth_date=dt.date(1986, 10, 15),
    clinic_ids=(CLINIC,),
)
OLA = attrs.evolve(KARI, id="ola", name=PersonName("Ola", "Nordmann"))


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return load_folder(FIXTURES).schedule


def _clinic(*services: CareService, deadline_hours: int = 24) -> Clinic:
    return Clinic(
        id=CLINIC,
        name="Legesenteret",
        enabled_services=services
        or (CareService.BOOK_CONSULTATION, CareService.VIDEO_CONSULTATION),
        fees=FeeSettings(cancellation_deadline_hours=deadline_hours),
    )


def _consent(person: str) -> ConsentHistory:
    event = ConsentEvent(
        f"e-{person}",
        person,
        ConsentEventKind.GIVEN,
        TERMS.version,
        oslo("2019-02-01T10:00"),
        person,
    )
    return ConsentHistory(person, (event,))


def _access(
    at: dt.datetime = NOW,
    *,
    actor: str = "kari",
    patient: Patient = KARI,
    method: LoginMethod = LoginMethod.BANKID,
    relations: tuple[Relation, ...] = (),
) -> AccessRequest:
    session = LoginSession(actor, method, at - dt.timedelta(minutes=5), at + dt.timedelta(hours=1))
    return AccessRequest(
        session=session,
        action=Action.BOOK_CONSULTATION,
        patient=patient,
        at=at,
        terms=TERMS,
        patient_consent=_consent(patient.id),
        actor_consent=None if actor == patient.id else _consent(actor),
        relations=relations,
    )


def _book(schedule: Schedule, when: str, **kwargs: object) -> Outcome[Booking]:
    arguments: dict[str, object] = {
        "clinic": _clinic(),
        "schedule": schedule,
        "calendar_ids": [JOANNA],
        "start": oslo(when),
        "kind": ConsultationKind.IN_PERSON,
        "consultation_id": "k1",
        "time_slot_type_id": LANG_VANLIG,
        **kwargs,
    }
    access = arguments.pop("access", _access())
    return book(access, **arguments)  # type: ignore[arg-type]


def _reason(outcome: Outcome[Booking]) -> Reason:
    assert isinstance(outcome, Denied)
    return outcome.reason


# Booking -------------------------------------------------------------------------------


def test_a_patient_books_free_public_time_of_the_types_length(schedule: Schedule) -> None:
    outcome = _book(schedule, "2019-04-23T09:15", patient_comment="vondt i ryggen")
    assert isinstance(outcome, Allowed)
    consultation = outcome.value.consultation
    assert consultation.status is ConsultationStatus.BOOKED
    assert consultation.interval.minutes == 30
    assert consultation.start == oslo("2019-04-23T09:15")
    assert (consultation.patient_id, consultation.booked_by) == ("kari", "kari")
    assert consultation.practitioner_id == JOANNA
    assert consultation.booked_at == NOW
    assert "ryggen" not in repr(consultation)
    (appointment,) = outcome.value.appointments
    assert appointment.id == appointment_id("k1", JOANNA)
    assert appointment.consultation_id == "k1"
    assert appointment.interval == consultation.interval


def test_booked_time_is_no_longer_free_and_cannot_be_booked_again(schedule: Schedule) -> None:
    booking = _book(schedule, "2019-04-23T09:15").unwrap()
    after = booking.apply(schedule)
    free = free_time(after, 15, "2019-04-23T09:00/2019-04-23T10:00", calendar_ids=[JOANNA])
    assert [(f"{i.start:%H:%M}", f"{i.end:%H:%M}") for i in free] == [
        ("09:00", "09:15"),
        ("09:45", "10:00"),
    ]
    again = _book(after, "2019-04-23T09:15", consultation_id="k2")
    assert _reason(again) is Reason.ALREADY_BOOKED  # Kari holds that time already
    olas = _book(
        after, "2019-04-23T09:15", consultation_id="k2", access=_access(actor="ola", patient=OLA)
    )
    assert _reason(olas) is Reason.SLOT_NOT_FREE
    # Half-way into a "Lang vanlig" slot is off its 30-minute grid, free or not.
    halfway = _book(
        after, "2019-04-23T09:30", consultation_id="k2", access=_access(actor="ola", patient=OLA)
    )
    assert _reason(halfway) is Reason.START_NOT_ON_GRID


def test_a_patient_cannot_hold_two_overlapping_consultations(schedule: Schedule) -> None:
    first = _book(schedule, "2019-04-23T09:15").unwrap()
    elsewhere = _book(
        schedule,
        "2019-04-23T09:30",
        calendar_ids=[DANNY],
        consultation_id="k2",
        consultations=[first.consultation],
    )
    assert _reason(elsewhere) is Reason.ALREADY_BOOKED
    again = _book(schedule, "2019-04-24T09:45", consultations=[first.consultation])
    assert _reason(again) is Reason.ALREADY_BOOKED  # the same consultation id


def test_a_patient_with_an_appointment_in_another_calendar_is_already_booked(
    schedule: Schedule,
) -> None:
    # This patient has an appointment with Joanna Hef on 2019-04-23, 14:15-14:30.
    patient = attrs.evolve(KARI, id="1cabb83c-9751-11e5-9289-c8e0eb18c1e9")
    access = _access(actor=patient.id, patient=patient)
    overlapping = _book(schedule, "2019-04-23T14:00", access=access, calendar_ids=[DANNY])
    assert _reason(overlapping) is Reason.ALREADY_BOOKED
    after = _book(schedule, "2019-04-23T14:30", access=access, calendar_ids=[DANNY])
    assert isinstance(after, Allowed)


def test_a_consultation_on_the_calendar_takes_its_time_even_without_appointments(
    schedule: Schedule,
) -> None:
    olas = Consultation(
        id="ola-1",
        patient_id="ola",
        clinic_id=CLINIC,
        practitioner_id=JOANNA,
        calendar_ids=[JOANNA],
        kind=ConsultationKind.IN_PERSON,
        status=ConsultationStatus.BOOKED,
        start=oslo("2019-04-23T09:15"),
        end=oslo("2019-04-23T09:45"),
        booked_by="ola",
        booked_at=NOW,
    )
    taken = _book(schedule, "2019-04-23T09:15", consultations=[olas])
    assert _reason(taken) is Reason.SLOT_NOT_FREE
    cancelled = attrs.evolve(olas, status=ConsultationStatus.CANCELLED, cancelled_at=NOW)
    assert isinstance(_book(schedule, "2019-04-23T09:15", consultations=[cancelled]), Allowed)


@pytest.mark.parametrize(
    ("start", "calendar"),
    [
        ("2019-04-23T11:45", JOANNA),  # an appointment (state 0) 11:45-12:15
        ("2019-04-23T10:30", EMMA),  # an appointment in state 4 10:30-11:00
        ("2019-04-23T20:00", JOANNA),  # after the last slot
        ("2019-04-23T08:00", JOANNA),  # "Vanlig" slots only
    ],
)
def test_time_that_is_taken_or_not_bookable_is_not_free(
    schedule: Schedule, start: str, calendar: str
) -> None:
    assert _reason(_book(schedule, start, calendar_ids=[calendar])) is Reason.SLOT_NOT_FREE


def test_time_in_the_past_is_not_free(schedule: Schedule) -> None:
    later = _access(oslo("2019-04-23T09:20"))
    assert _reason(_book(schedule, "2019-04-23T09:15", access=later)) is Reason.SLOT_NOT_FREE


def test_a_booking_over_two_calendars_needs_both_free_and_holds_both(schedule: Schedule) -> None:
    # Danny boy and Joanna Hef both have "Lang vanlig" time 09:15-10:30 that day.
    booking = _book(schedule, "2019-04-23T09:45", calendar_ids=[JOANNA, DANNY]).unwrap()
    assert [a.calendar_id for a in booking.appointments] == sorted([JOANNA, DANNY])
    assert booking.consultation.calendar_ids == tuple(sorted([JOANNA, DANNY]))
    busy = _book(schedule, "2019-04-23T14:00", calendar_ids=[JOANNA, DANNY])
    assert _reason(busy) is Reason.SLOT_NOT_FREE


def test_the_length_is_the_types_or_the_duration_asked_for(schedule: Schedule) -> None:
    wrong = _book(schedule, "2019-04-23T09:15", duration=15)
    assert _reason(wrong) is Reason.WRONG_DURATION
    right = _book(schedule, "2019-04-23T09:15", duration=dt.timedelta(minutes=30))
    assert isinstance(right, Allowed)
    untyped = _book(schedule, "2019-04-23T09:15", duration=45, time_slot_type_id=None)
    assert untyped.unwrap().consultation.interval.minutes == 45


def test_time_that_is_not_publicly_bookable_is_for_the_clinic_only() -> None:
    schedule = Schedule(
        calendars=[Calendar("c", CLINIC, "Dr. Berg", practitioner_id="berg")],
        time_slot_types=[TimeSlotType("t", CLINIC, "Vanlig", 15)],
        time_slots=[
            TimeSlot("s", "c", "t", oslo("2019-04-23T08:00"), oslo("2019-04-23T09:00"), False)
        ],
    )
    kwargs: dict[str, object] = {"calendar_ids": ["c"], "time_slot_type_id": "t"}
    assert _reason(_book(schedule, "2019-04-23T08:00", **kwargs)) is Reason.SLOT_NOT_PUBLIC
    by_clinic = _book(schedule, "2019-04-23T08:00", public_only=False, **kwargs)
    assert by_clinic.unwrap().consultation.practitioner_id == "berg"


def test_a_clinic_offers_only_the_kinds_it_has_enabled(schedule: Schedule) -> None:
    no_video = _clinic(CareService.BOOK_CONSULTATION)
    video = _book(schedule, "2019-04-23T09:15", clinic=no_video, kind=ConsultationKind.VIDEO)
    assert _reason(video) is Reason.KIND_NOT_OFFERED
    video_only = _clinic(CareService.VIDEO_CONSULTATION)
    in_person = _book(schedule, "2019-04-23T09:15", clinic=video_only)
    assert _reason(in_person) is Reason.KIND_NOT_OFFERED
    assert isinstance(
        _book(schedule, "2019-04-23T09:15", clinic=video_only, kind=ConsultationKind.VIDEO),
        Allowed,
    )
    unknown = _book(schedule, "2019-04-23T09:15", kind=Unrecognized("hologram"))
    assert _reason(unknown) is Reason.KIND_NOT_OFFERED


def test_booking_needs_a_high_assurance_login(schedule: Schedule) -> None:
    minid = _access(method=LoginMethod.MINID)
    outcome = _book(schedule, "2019-04-23T09:15", access=minid)
    assert _reason(outcome) is Reason.LOGIN_ASSURANCE_TOO_LOW


def test_a_relation_books_only_the_kinds_it_was_granted(schedule: Schedule) -> None:
    relation = Relation(
        id="r1",
        principal_id="kari",
        representative_id="ola",
        kind=RelationKind.FAMILY_CAREGIVER,
        actions=[Action.BOOK_CONSULTATION],
        added_by_clinic_id=CLINIC,
        valid_from=oslo("2019-01-01T00:00"),
    )
    access = _access(actor="ola", relations=(relation,))
    in_person = _book(schedule, "2019-04-23T09:15", access=access).unwrap()
    assert (in_person.consultation.patient_id, in_person.consultation.booked_by) == ("kari", "ola")
    video = _book(schedule, "2019-04-23T09:15", access=access, kind=ConsultationKind.VIDEO)
    assert _reason(video) is Reason.ACTION_NOT_GRANTED
    stranger = _book(schedule, "2019-04-23T09:15", access=_access(actor="ola"))
    assert _reason(stranger) is Reason.NO_RELATION


def test_the_kind_decides_the_action() -> None:
    assert booking_action(ConsultationKind.IN_PERSON) is Action.BOOK_CONSULTATION
    assert booking_action(ConsultationKind.VIDEO) is Action.BOOK_VIDEO_CONSULTATION
    assert booking_action(Unrecognized("hologram")) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calendar_ids": ["nobody"]}, "calendar_ids[0]"),
        ({"calendar_ids": []}, "calendar_ids"),
        ({"calendar_ids": JOANNA}, "calendar_ids"),
        ({"clinic": attrs.evolve(_clinic(), id="other")}, "calendar_ids[0]"),
        ({"time_slot_type_id": None}, "duration"),
        ({"time_slot_type_id": "nothing"}, "time_slot_type_id"),
        ({"duration": 0}, "duration"),
        ({"start": dt.datetime(2019, 4, 23, 9, 15)}, "start"),
    ],
)
def test_bad_arguments_raise_invalid_input(
    schedule: Schedule, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _book(schedule, "2019-04-23T09:15", **kwargs)
    assert caught.value.field == field


def test_a_practitioner_must_be_known(schedule: Schedule) -> None:
    anonymous = Schedule(
        calendars=[Calendar("room", CLINIC, "Rom 1")],
        time_slot_types=[TimeSlotType("t", CLINIC, "Vanlig", 15)],
        time_slots=[TimeSlot("s", "room", "t", oslo("2019-04-23T08:00"), oslo("2019-04-23T09:00"))],
    )
    kwargs: dict[str, object] = {"calendar_ids": ["room"], "time_slot_type_id": "t"}
    with pytest.raises(InvalidInput, match="practitioner_id"):
        _book(anonymous, "2019-04-23T08:00", **kwargs)
    given = _book(anonymous, "2019-04-23T08:00", practitioner_id="dr-berg", **kwargs)
    assert given.unwrap().consultation.practitioner_id == "dr-berg"


# Cancelling ------------------------------------------------------------------------------


def _booked(schedule: Schedule, start: str = "2019-04-23T09:15") -> tuple[Booking, Schedule]:
    booking = _book(schedule, start).unwrap()
    return booking, booking.apply(schedule)


def test_cancelling_before_the_deadline_is_free_and_frees_the_time(schedule: Schedule) -> None:
    booking, after = _booked(schedule)
    at = oslo("2019-04-22T09:15")  # exactly 24 hours before: still in time
    outcome = cancel(
        _access(at), clinic=_clinic(), consultation=booking.consultation, schedule=after
    )
    cancelled = outcome.unwrap()
    assert cancelled.consultation.status is ConsultationStatus.CANCELLED
    assert cancelled.consultation.cancelled_at == at
    (appointment,) = cancelled.appointments
    assert appointment.status is AppointmentStatus.CANCELLED
    freed = cancelled.apply(after)
    assert isinstance(_book(freed, "2019-04-23T09:15", consultation_id="k2"), Allowed)


def test_cancelling_after_the_deadline_is_a_late_cancellation(schedule: Schedule) -> None:
    booking, after = _booked(schedule)
    at = oslo("2019-04-22T09:16")
    outcome = cancel(
        _access(at), clinic=_clinic(), consultation=booking.consultation, schedule=after
    )
    assert outcome.unwrap().consultation.status is ConsultationStatus.LATE_CANCELLED
    lenient = _clinic(deadline_hours=0)
    outcome = cancel(_access(at), clinic=lenient, consultation=booking.consultation)
    assert outcome.unwrap().consultation.status is ConsultationStatus.CANCELLED
    assert outcome.unwrap().appointments == ()


def test_the_deadline_counts_elapsed_hours_across_the_change_to_summer_time() -> None:
    schedule = Schedule(
        calendars=[Calendar("c", CLINIC, "Dr. Berg", practitioner_id="berg")],
        time_slot_types=[TimeSlotType("t", CLINIC, "Vanlig", 15)],
        time_slots=[TimeSlot("s", "c", "t", oslo("2019-03-31T10:00"), oslo("2019-03-31T11:00"))],
    )
    access = _access(oslo("2019-03-29T12:00"))
    booking = book(
        access,
        clinic=_clinic(),
        schedule=schedule,
        calendar_ids=["c"],
        start=oslo("2019-03-31T10:00"),
        kind=ConsultationKind.IN_PERSON,
        consultation_id="k1",
        time_slot_type_id="t",
    ).unwrap()
    # 09:30 the day before is 24.5 hours earlier on the wall clock but 23.5 hours in time.
    late = cancel(
        _access(oslo("2019-03-30T09:30")), clinic=_clinic(), consultation=booking.consultation
    )
    assert late.unwrap().consultation.status is ConsultationStatus.LATE_CANCELLED
    free = cancel(
        _access(oslo("2019-03-30T09:00")), clinic=_clinic(), consultation=booking.consultation
    )
    assert free.unwrap().consultation.status is ConsultationStatus.CANCELLED


def test_a_started_or_cancelled_consultation_cannot_be_cancelled(schedule: Schedule) -> None:
    booking, _ = _booked(schedule)
    started = cancel(
        _access(oslo("2019-04-23T09:15")), clinic=_clinic(), consultation=booking.consultation
    )
    assert _reason(started) is Reason.NOT_CANCELLABLE
    done = cancel(_access(), clinic=_clinic(), consultation=booking.consultation).unwrap()
    again = cancel(_access(), clinic=_clinic(), consultation=done.consultation)
    assert _reason(again) is Reason.NOT_CANCELLABLE
    odd = attrs.evolve(booking.consultation, kind=Unrecognized("hologram"))
    assert _reason(cancel(_access(), clinic=_clinic(), consultation=odd)) is Reason.NOT_CANCELLABLE


def test_cancelling_needs_the_same_access_as_booking(schedule: Schedule) -> None:
    booking, _ = _booked(schedule)
    denied = cancel(_access(actor="ola"), clinic=_clinic(), consultation=booking.consultation)
    assert _reason(denied) is Reason.NO_RELATION


def test_a_consultation_of_another_patient_or_clinic_is_refused(schedule: Schedule) -> None:
    booking, _ = _booked(schedule)
    with pytest.raises(InvalidInput, match=r"consultation\.patient_id"):
        cancel(
            _access(),
            clinic=_clinic(),
            consultation=attrs.evolve(booking.consultation, patient_id="ola"),
        )
    with pytest.raises(InvalidInput, match=r"consultation\.clinic_id"):
        cancel(
            _access(), clinic=attrs.evolve(_clinic(), id="other"), consultation=booking.consultation
        )


# Booking and free time agree -------------------------------------------------------------


@given(
    st.lists(st.sampled_from([DANNY, EMMA, JOANNA]), min_size=1, max_size=3, unique=True),
    st.sampled_from([VANLIG, LANG_VANLIG]),
    st.data(),
)
def test_every_offered_start_can_be_booked_and_then_is_taken(
    schedule: Schedule, calendars: list[str], type_id: str, data: st.DataObject
) -> None:
    week = "2019-04-23/2019-04-27"
    length = 15 if type_id == VANLIG else 30
    offered = free_start_times(
        schedule, length, week, calendar_ids=calendars, time_slot_type_id=type_id, public_only=True
    )
    if not offered:
        return
    start = data.draw(st.sampled_from(offered))
    kwargs: dict[str, object] = {"calendar_ids": calendars, "time_slot_type_id": type_id}
    booking = _book(schedule, f"{start:%Y-%m-%dT%H:%M}", **kwargs).unwrap()
    after = booking.apply(schedule)
    assert start not in free_start_times(
        after, length, week, calendar_ids=calendars, time_slot_type_id=type_id
    )
    olas = _book(
        after,
        f"{start:%Y-%m-%dT%H:%M}",
        consultation_id="k2",
        access=_access(actor="ola", patient=OLA),
        **kwargs,
    )
    assert _reason(olas) is Reason.SLOT_NOT_FREE


# The grid --------------------------------------------------------------------------------


@given(
    st.sampled_from([VANLIG, LANG_VANLIG]),
    st.data(),
    st.one_of(
        st.integers(1, 59).map(lambda s: dt.timedelta(seconds=s)),
        st.integers(1, 999_999).map(lambda us: dt.timedelta(microseconds=us)),
    ),
)
def test_a_start_with_seconds_or_a_fraction_of_one_is_refused_as_off_the_grid(
    schedule: Schedule, type_id: str, data: st.DataObject, extra: dt.timedelta
) -> None:
    length = 15 if type_id == VANLIG else 30
    offered = free_start_times(
        schedule, length, "2019-04-23/2019-04-27", calendar_ids=[JOANNA], time_slot_type_id=type_id
    )
    start = data.draw(st.sampled_from(offered))
    for moved in (start + extra, start - extra):
        outcome = book(
            _access(),
            clinic=_clinic(),
            schedule=schedule,
            calendar_ids=[JOANNA],
            start=moved,
            kind=ConsultationKind.IN_PERSON,
            consultation_id="k1",
            time_slot_type_id=type_id,
        )
        assert _reason(outcome) is Reason.START_NOT_ON_GRID


@given(
    st.lists(st.sampled_from([DANNY, EMMA, JOANNA]), min_size=1, max_size=3, unique=True),
    st.sampled_from([VANLIG, LANG_VANLIG, None]),
    st.integers(0, 4 * 24 * 60 - 1),
)
def test_a_start_off_the_boundaries_of_the_slots_holding_it_is_refused_whether_free_or_not(
    schedule: Schedule, calendars: list[str], type_id: str | None, minute: int
) -> None:
    start = oslo("2019-04-23T00:00") + dt.timedelta(minutes=minute)  # no DST change that week
    holding = [
        s
        for c in calendars
        for s in schedule.slots_of(c)
        if (type_id is None or s.type_id == type_id) and s.interval.contains(start)
    ]
    lengths = {t.id: t.slot_length for t in schedule.time_slot_types}
    on_a_boundary = any((start - s.start) % lengths[s.type_id] == dt.timedelta(0) for s in holding)
    outcome = _book(
        schedule,
        f"{start:%Y-%m-%dT%H:%M}",
        calendar_ids=calendars,
        time_slot_type_id=type_id,
        duration=None if type_id else 15,
    )
    refused_for_the_grid = (
        isinstance(outcome, Denied) and outcome.reason is Reason.START_NOT_ON_GRID
    )
    assert refused_for_the_grid is bool(holding and not on_a_boundary)
    assert on_grid(schedule, start, calendar_ids=calendars, time_slot_type_id=type_id) is bool(
        on_a_boundary
    )


def test_the_grid_is_checked_after_access_and_before_the_time_is_free(schedule: Schedule) -> None:
    minid = _access(method=LoginMethod.MINID)
    assert _reason(_book(schedule, "2019-04-23T09:30", access=minid)) is (
        Reason.LOGIN_ASSURANCE_TOO_LOW
    )
    taken = _book(schedule, "2019-04-23T11:50")  # inside an appointment, off the grid
    assert _reason(taken) is Reason.START_NOT_ON_GRID
    assert _reason(_book(schedule, "2019-04-23T11:45")) is Reason.SLOT_NOT_FREE
