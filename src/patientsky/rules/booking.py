"""
Booking and cancelling consultations (K2, K3).

:func:`book` checks, in this order, and the first check that fails gives the reason:

1. **The kind** is one this version knows (``KIND_NOT_OFFERED`` otherwise).
2. **Access** (:func:`patientsky.rules.access.decide`): the actor may book for the
   patient now, with :attr:`~patientsky.models.relation.Action.BOOK_CONSULTATION` for a
   consultation in person and :attr:`~patientsky.models.relation.Action.BOOK_VIDEO_CONSULTATION`
   for a video consultation (login, consent and relation reasons).
3. **The clinic offers the kind**: ``CareService.BOOK_CONSULTATION`` for in person,
   ``CareService.VIDEO_CONSULTATION`` for video (``KIND_NOT_OFFERED``). No earlier
   connection to the clinic is asked for, as for dialogs and renewals; a booking
   connects the patient to the clinic (:func:`~patientsky.rules.care.connect_patient`).
4. **The length** is the time slot type's, when a type is given; a duration asked for
   as well must be the same (``WRONG_DURATION``).
5. **The start is on the grid** (``START_NOT_ON_GRID``): a whole minute, never 08:47:13
   nor with a fraction of a second; and when it lies in time slots of the calendars
   (of the type, if given), at the start of one of them or a whole number of its
   type's length after it (:func:`~patientsky.rules.freetime.on_grid`). A start in no
   such slot is not free, which the next checks say.
6. **The patient is not booked already** at an overlapping time: no active
   consultation of theirs (in any clinic) and no appointment of theirs in the
   schedule overlaps it, and the consultation id is not taken (``ALREADY_BOOKED``).
7. **The time is free** (``SLOT_NOT_FREE``): it starts no earlier than ``at``; no
   active consultation on one of the calendars overlaps it; and it lies inside the
   free time (:func:`patientsky.rules.freetime.free_time`) of every calendar: inside
   their time slots (of the type, if given) and outside every appointment that holds
   time.
8. **The time is publicly bookable** (``SLOT_NOT_PUBLIC``): with ``public_only`` (the
   default, as for every booking made in the portal, by the patient or a relation),
   the time must be free in publicly bookable slots of publicly bookable types.
9. **The patient holds room for one more** (``TOO_MANY_FUTURE_BOOKINGS``): fewer of
   the patient's consultations at the clinic that hold their time start after ``at``
   than the clinic's ``max_future_bookings``
   (:class:`~patientsky.models.clinic.Clinic`).

Every start :func:`~patientsky.rules.freetime.free_start_times` offers is on the grid;
a portal that offers those never meets ``START_NOT_ON_GRID``.

:func:`cancel` checks the kind and access (the same actions), then that the
consultation is still booked and has not started (``NOT_CANCELLABLE``). Up to the
clinic's deadline, ``cancellation_deadline_hours`` (of its
:class:`~patientsky.models.clinic.FeeSettings`) before the start, counted in elapsed
hours whatever the clocks do and the deadline itself included, the cancellation is
free (``CANCELLED``); after it, it is ``LATE_CANCELLED``.

**The late-cancellation fee** (``late_cancellation_fee`` of the same settings) is never
a surprise: :func:`cancellation_notice` tells the patient, before they cancel, whether
cancelling now is late and what it costs, and :func:`cancel` refuses a late
cancellation that costs a fee until the patient has acknowledged the notice
(``LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED``), as starting an e-consultation needs the
co-payment notice acknowledged (M7). The fee is then charged as an invoice,
:func:`cancellation_fee_invoice`, for a late cancellation or a consultation not
attended (``NO_FEE_DUE`` otherwise). A clinic that charges no fee needs no
acknowledgement.

Both return an :data:`~patientsky.rules.decision.Outcome`: :class:`Booking` (the
consultation and its appointments, one per calendar) or the denying decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, aware, instant_key, items, of_type, text
from patientsky.models.calendar import (
    OSLO,
    Appointment,
    AppointmentStatus,
    Interval,
    Schedule,
    to_oslo,
)
from patientsky.models.clinic import CareService, Clinic
from patientsky.models.consultation import Consultation, ConsultationKind, ConsultationStatus
from patientsky.models.identity import KidNumber
from patientsky.models.payment import Invoice, Money
from patientsky.models.people import Patient
from patientsky.models.relation import Action
from patientsky.rules._time import check_aware, oslo_date
from patientsky.rules.access import AccessRequest, decide
from patientsky.rules.decision import Allowed, Denied, Outcome, Reason
from patientsky.rules.freetime import _grid_verdict, free_time
from patientsky.rules.payments import issue_invoice

__all__ = [
    "Booking",
    "CancellationNotice",
    "appointment_id",
    "book",
    "booking_action",
    "cancel",
    "cancellation_fee_invoice",
    "cancellation_notice",
]

_ACTIONS = {
    ConsultationKind.IN_PERSON: Action.BOOK_CONSULTATION,
    ConsultationKind.VIDEO: Action.BOOK_VIDEO_CONSULTATION,
}
_SERVICES = {
    ConsultationKind.IN_PERSON: CareService.BOOK_CONSULTATION,
    ConsultationKind.VIDEO: CareService.VIDEO_CONSULTATION,
}


def _by_calendar(values: Iterable[Any]) -> tuple[Any, ...]:
    """Converter: the appointments sorted by calendar (``Any``: mypy's attrs plugin needs it)."""
    return tuple(sorted(values, key=lambda a: str(getattr(a, "calendar_id", ""))))


@attrs.frozen
class Booking:
    """
    A consultation and the appointments it holds in its calendars: what a booking makes.

    Args:
        consultation: The consultation, booked or cancelled.
        appointments: Its appointments, one per calendar, sorted by calendar.
    """

    consultation: Consultation = attrs.field(validator=of_type(Consultation))
    appointments: tuple[Appointment, ...] = attrs.field(
        converter=_by_calendar, validator=items(of_type(Appointment))
    )

    def __attrs_post_init__(self) -> None:
        for i, appointment in enumerate(self.appointments):
            if appointment.consultation_id != self.consultation.id:
                raise InvalidInput(
                    f"appointments[{i}].consultation_id", "is another consultation's"
                )

    def apply(self, schedule: Schedule) -> Schedule:
        """Return ``schedule`` with the appointments added (or replaced, by id)."""
        return schedule.with_appointments(self.appointments)


def booking_action(kind: ConsultationKind | Unrecognized) -> Action | None:
    """
    Return the action that books (and cancels) a consultation of ``kind``.

    Returns:
        :attr:`~patientsky.models.relation.Action.BOOK_CONSULTATION` or
        :attr:`~patientsky.models.relation.Action.BOOK_VIDEO_CONSULTATION`; None for a kind this
        version does not know.
    """
    return _ACTIONS.get(kind) if isinstance(kind, ConsultationKind) else None


def appointment_id(consultation_id: str, calendar_id: str) -> str:
    """Return the id of a consultation's appointment in one calendar."""
    return f"{consultation_id}/{calendar_id}"


def _length(
    duration: int | dt.timedelta | None, time_slot_type_id: str | None, schedule: Schedule
) -> dt.timedelta | Reason:
    given: object = duration  # typed callers pass int, timedelta or None; the REPL may not
    if isinstance(given, bool) or not isinstance(given, int | dt.timedelta | None):
        raise InvalidInput("duration", "must be a whole number of minutes or a timedelta")
    asked = dt.timedelta(minutes=given) if isinstance(given, int) else given
    if asked is not None and asked <= dt.timedelta(0):
        raise InvalidInput("duration", "must be positive")
    if time_slot_type_id is None:
        if asked is None:
            raise InvalidInput("duration", "give a duration or a time slot type")
        return asked
    slot_type = schedule.time_slot_type(time_slot_type_id)
    if slot_type is None:
        raise InvalidInput("time_slot_type_id", "is not a time slot type of the schedule")
    if asked is not None and asked != slot_type.slot_length:
        return Reason.WRONG_DURATION
    return slot_type.slot_length


def _calendars(schedule: Schedule, clinic: Clinic, calendar_ids: Iterable[str]) -> tuple[str, ...]:
    if isinstance(calendar_ids, str):
        raise InvalidInput("calendar_ids", "must be a collection of ids, not one string")
    ids = tuple(calendar_ids)
    if not ids:
        raise InvalidInput("calendar_ids", "name at least one calendar")
    for i, calendar_id in enumerate(ids):
        calendar = schedule.calendar(calendar_id)
        if calendar is None:
            raise InvalidInput(f"calendar_ids[{i}]", "is not a calendar of the schedule")
        if calendar.clinic_id != clinic.id:
            raise InvalidInput(f"calendar_ids[{i}]", "is a calendar of another clinic")
    return tuple(sorted(set(ids)))


def _practitioner(schedule: Schedule, calendar_ids: tuple[str, ...], given: str | None) -> str:
    if given is not None:
        return given
    for calendar_id in calendar_ids:
        calendar = schedule.calendar(calendar_id)
        if calendar is not None and calendar.practitioner_id is not None:
            return calendar.practitioner_id
    raise InvalidInput("practitioner_id", "none of the calendars names a practitioner; give one")


def _has_appointment(schedule: Schedule, patient_id: str, wanted: Interval) -> bool:
    """Whether the patient has an appointment that holds time overlapping ``wanted``."""
    return any(
        a.patient_id == patient_id
        for calendar_id in schedule.calendar_ids
        for a in schedule._holding_of(calendar_id, wanted.start, wanted.end)
    )


def _is_free(
    schedule: Schedule,
    wanted: Interval,
    calendar_ids: tuple[str, ...],
    time_slot_type_id: str | None,
    *,
    public_only: bool,
) -> bool:
    free = free_time(
        schedule,
        wanted.duration,
        wanted,
        calendar_ids=calendar_ids,
        time_slot_type_id=time_slot_type_id,
        public_only=public_only,
    )
    # Clipped to the wanted time and at least as long, a free interval can only be all of it.
    return len(free) == 1


def _future_bookings(
    consultations: Iterable[Consultation], patient_id: str, clinic_id: str, at: dt.datetime
) -> int:
    """Count the patient's consultations at the clinic that hold time and start after ``at``."""
    now = at.astimezone(dt.UTC)
    upcoming = {
        c.id
        for c in consultations
        if c.patient_id == patient_id
        and c.clinic_id == clinic_id
        and c.holds_time
        and c.start.astimezone(dt.UTC) > now
    }
    return len(upcoming)


def book(
    access: AccessRequest,
    *,
    clinic: Clinic,
    schedule: Schedule,
    calendar_ids: Iterable[str],
    start: dt.datetime,
    kind: ConsultationKind | Unrecognized,
    consultation_id: str,
    duration: int | dt.timedelta | None = None,
    time_slot_type_id: str | None = None,
    consultations: Iterable[Consultation] = (),
    public_only: bool = True,
    practitioner_id: str | None = None,
    patient_comment: str | None = None,
) -> Outcome[Booking]:
    """
    Book a consultation for ``access.patient`` at ``start``, made by ``access.session``'s person.

    The checks and their order are in the module documentation. ``access.action`` is
    not looked at: the kind decides the action.

    Args:
        access: Who books, for whom, when (``access.at``), and the facts access needs.
        clinic: The clinic of the calendars.
        schedule: The clinic's calendars, time slot types, time slots and appointments.
        calendar_ids: The calendars the consultation takes (a practitioner's, a room's).
        start: When it starts (timezone-aware).
        kind: In person or video.
        consultation_id: The new consultation's id (its appointments get
            ``"<consultation_id>/<calendar_id>"``).
        duration: Its length in minutes (or a timedelta); by default the type's.
        time_slot_type_id: The type of time to book: only its slots count.
        consultations: Consultations already made: the patient's (any clinic) and
            those on these calendars. Cancelled ones are ignored (but their ids are
            taken).
        public_only: Only publicly bookable time counts (portal bookings).
        practitioner_id: With whom; by default the first calendar's practitioner.
        patient_comment: What the patient wrote; health data, never logged.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the :class:`Booking`, or
        :class:`~patientsky.rules.decision.Denied` with the reason.

    Raises:
        InvalidInput: If a value is not valid: an unknown calendar or type, a calendar
            of another clinic, no duration and no type, a naive ``start``.
    """
    at = access.at
    given: object = start  # typed callers pass an aware datetime; the REPL may not
    if not isinstance(given, dt.datetime) or given.utcoffset() is None:
        raise InvalidInput("start", "must be a timezone-aware datetime")
    ids = _calendars(schedule, clinic, calendar_ids)
    action = booking_action(kind)
    if action is None or not isinstance(kind, ConsultationKind):
        return Denied.because(Reason.KIND_NOT_OFFERED)
    allowed = decide(access.with_action(action))
    if not allowed:
        return Denied(allowed)
    if not clinic.offers(_SERVICES[kind]):
        return Denied.because(Reason.KIND_NOT_OFFERED)
    length = _length(duration, time_slot_type_id, schedule)
    if isinstance(length, Reason):
        return Denied.because(length)

    start = to_oslo(start, field="start")
    if _grid_verdict(schedule, start, ids, time_slot_type_id) is False:
        return Denied.because(Reason.START_NOT_ON_GRID)
    wanted = Interval(start, (start.astimezone(dt.UTC) + length).astimezone(OSLO))
    known = tuple(consultations)
    active = [c for c in known if c.holds_time]
    patient = access.patient
    if (
        any(c.id == consultation_id for c in known)
        or any(c.patient_id == patient.id and c.interval.overlaps(wanted) for c in active)
        or _has_appointment(schedule, patient.id, wanted)
    ):
        return Denied.because(Reason.ALREADY_BOOKED)
    if start.astimezone(dt.UTC) < at.astimezone(dt.UTC) or any(
        set(c.calendar_ids) & set(ids) and c.interval.overlaps(wanted) for c in active
    ):
        return Denied.because(Reason.SLOT_NOT_FREE)
    if not _is_free(schedule, wanted, ids, time_slot_type_id, public_only=False):
        return Denied.because(Reason.SLOT_NOT_FREE)
    if public_only and not _is_free(schedule, wanted, ids, time_slot_type_id, public_only=True):
        return Denied.because(Reason.SLOT_NOT_PUBLIC)
    if _future_bookings(known, patient.id, clinic.id, at) >= clinic.max_future_bookings:
        return Denied.because(Reason.TOO_MANY_FUTURE_BOOKINGS)

    consultation = Consultation(
        id=consultation_id,
        patient_id=patient.id,
        clinic_id=clinic.id,
        practitioner_id=_practitioner(schedule, ids, practitioner_id),
        calendar_ids=ids,
        kind=kind,
        status=ConsultationStatus.BOOKED,
        start=wanted.start,
        end=wanted.end,
        booked_by=access.actor_id,
        booked_at=at,
        time_slot_type_id=time_slot_type_id,
        patient_comment=patient_comment,
    )
    appointments = [
        Appointment(
            id=appointment_id(consultation_id, calendar_id),
            calendar_id=calendar_id,
            start=wanted.start,
            end=wanted.end,
            patient_id=patient.id,
            type_id=time_slot_type_id,
            status=AppointmentStatus.BOOKED,
            consultation_id=consultation_id,
        )
        for calendar_id in ids
    ]
    return Allowed(Booking(consultation, appointments))


def cancel(
    access: AccessRequest,
    *,
    clinic: Clinic,
    consultation: Consultation,
    schedule: Schedule | None = None,
    fee_acknowledged: bool = False,
) -> Outcome[Booking]:
    """
    Cancel a booked consultation at ``access.at``; late (after the clinic's deadline) or not.

    Args:
        access: Who cancels, for whom, when, and the facts access needs.
        clinic: The consultation's clinic (its fee settings give the deadline).
        consultation: The consultation to cancel.
        schedule: The clinic's schedule, to find the consultation's appointments.
        fee_acknowledged: Whether the patient acknowledged the :func:`cancellation_notice`;
            needed when cancelling now is late and costs a fee.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the :class:`Booking`: the
        consultation ``CANCELLED`` or ``LATE_CANCELLED`` with ``cancelled_at`` set, and
        its appointments in ``schedule`` marked cancelled (their time is free again);
        or :class:`~patientsky.rules.decision.Denied` with the reason (among them
        ``LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED``).

    Raises:
        InvalidInput: If the consultation is another patient's or another clinic's.
    """
    if not isinstance(fee_acknowledged, bool):
        raise InvalidInput("fee_acknowledged", "must be a bool")
    if not isinstance(consultation, Consultation):
        raise InvalidInput("consultation", "must be a Consultation")
    if consultation.patient_id != access.patient.id:
        raise InvalidInput("consultation.patient_id", "is not the patient's")
    if consultation.clinic_id != clinic.id:
        raise InvalidInput("consultation.clinic_id", "is not the clinic's")
    action = booking_action(consultation.kind)
    if action is None:
        return Denied.because(Reason.NOT_CANCELLABLE)
    allowed = decide(access.with_action(action))
    if not allowed:
        return Denied(allowed)
    at = access.at.astimezone(dt.UTC)
    starts = consultation.start.astimezone(dt.UTC)
    if consultation.status is not ConsultationStatus.BOOKED or at >= starts:
        return Denied.because(Reason.NOT_CANCELLABLE)
    late = at > _free_until(clinic, consultation)
    if late and clinic.fees.late_cancellation_fee.minor_units > 0 and not fee_acknowledged:
        return Denied.because(Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED)
    status = ConsultationStatus.LATE_CANCELLED if late else ConsultationStatus.CANCELLED
    cancelled = attrs.evolve(consultation, status=status, cancelled_at=access.at)
    appointments = (
        []
        if schedule is None
        else [
            attrs.evolve(a, status=AppointmentStatus.CANCELLED)
            for calendar_id in consultation.calendar_ids
            for a in schedule.appointments_of(calendar_id)
            if a.consultation_id == consultation.id
        ]
    )
    return Allowed(Booking(cancelled, appointments))


def _free_until(clinic: Clinic, consultation: Consultation) -> dt.datetime:
    """The last instant (UTC) a cancellation is free: the deadline itself is included."""
    starts = consultation.start.astimezone(dt.UTC)
    return starts - dt.timedelta(hours=clinic.fees.cancellation_deadline_hours)


@attrs.frozen
class CancellationNotice:
    """
    What cancelling a consultation now costs, told to the patient before they cancel.

    Args:
        free_until: Until when cancelling is free (the deadline itself included).
        late: Whether cancelling at the time asked is after that deadline.
        fee: The late-cancellation fee that applies now; zero when none does.
        applies: Whether a fee applies, so that cancelling needs the patient's
            acknowledgement.
        text_nb: The notice in Norwegian bokmål.
        text_en: The notice in English.
        text_nn: The notice in Norwegian nynorsk.
    """

    free_until: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    late: bool = attrs.field(validator=of_type(bool))
    fee: Money = attrs.field(validator=of_type(Money))
    applies: bool = attrs.field(validator=of_type(bool))
    text_nb: str = attrs.field(validator=text(1000))
    text_en: str = attrs.field(validator=text(1000))
    text_nn: str = attrs.field(validator=text(1000))

    def text(self, lang: Literal["nb", "nn", "en"] = "nb") -> str:
        """
        Return the notice in a language: ``"nb"`` (the default), ``"nn"`` or ``"en"``.

        Raises:
            ValueError: For another language.
        """
        if lang not in ("nb", "nn", "en"):
            raise ValueError(f"lang: must be 'nb', 'nn' or 'en', not {lang!r}")
        return {"nb": self.text_nb, "nn": self.text_nn, "en": self.text_en}[lang]


def cancellation_notice(
    clinic: Clinic, consultation: Consultation, at: dt.datetime
) -> CancellationNotice:
    """
    Return the notice to show before cancelling ``consultation`` at ``at``.

    Args:
        clinic: The consultation's clinic; its fee settings give the deadline and fee.
        consultation: The consultation to cancel.
        at: When the patient would cancel (timezone-aware).

    Returns:
        The notice: whether it is late, the fee that applies, the texts to show.

    Raises:
        InvalidInput: If ``at`` is naive or the consultation is another clinic's.
    """
    check_aware(at)
    if consultation.clinic_id != clinic.id:
        raise InvalidInput("consultation.clinic_id", "is not the clinic's")
    free_until = _free_until(clinic, consultation)
    late = at.astimezone(dt.UTC) > free_until
    fee = clinic.fees.late_cancellation_fee
    hours = clinic.fees.cancellation_deadline_hours
    if not late:
        return CancellationNotice(
            free_until=free_until,
            late=False,
            fee=Money.zero(fee.currency),
            applies=False,
            text_nb=f"Avbestilling er gratis til {hours} timer før timen starter.",
            text_en=f"Cancelling is free until {hours} hours before the appointment starts.",
            text_nn=f"Avbestilling er gratis til {hours} timar før timen byrjar.",
        )
    if fee.minor_units <= 0:
        return CancellationNotice(
            free_until=free_until,
            late=True,
            fee=Money.zero(fee.currency),
            applies=False,
            text_nb="Fristen for gratis avbestilling er ute, men klinikken tar ikke gebyr.",
            text_en="The free cancellation deadline has passed, but the clinic charges no fee.",
            text_nn="Fristen for gratis avbestilling er ute, men klinikken tek ikkje gebyr.",
        )
    return CancellationNotice(
        free_until=free_until,
        late=True,
        fee=fee,
        applies=True,
        text_nb=(
            f"Fristen for gratis avbestilling ({hours} timer før timen) er ute. "
            f"Avbestiller du nå, sender klinikken en faktura på {fee.format_nb()}."
        ),
        text_en=(
            f"The free cancellation deadline ({hours} hours before the appointment) has "
            f"passed. If you cancel now, the clinic sends an invoice for {fee}."
        ),
        text_nn=(
            f"Fristen for gratis avbestilling ({hours} timar før timen) er ute. "
            f"Avbestiller du no, sender klinikken ein faktura på {fee.format_nb()}."
        ),
    )


_FEE_STATUSES = (ConsultationStatus.LATE_CANCELLED, ConsultationStatus.NO_SHOW)


def cancellation_fee_invoice(
    clinic: Clinic,
    consultation: Consultation,
    *,
    patient: Patient,
    invoice_id: str,
    number: str,
    at: dt.datetime,
    due_in_days: int = 14,
    kid: KidNumber | None = None,
) -> Outcome[Invoice]:
    """
    Charge the late-cancellation fee as an invoice, for a late cancellation or a no-show.

    Args:
        clinic: The consultation's clinic; its ``late_cancellation_fee`` is charged.
        consultation: The consultation, ``LATE_CANCELLED`` or ``NO_SHOW``.
        patient: The consultation's patient.
        invoice_id: The new invoice's id.
        number: The invoice number.
        at: When it is issued (timezone-aware); not before the cancellation.
        due_in_days: Days from the day of issue, in Norway, to the due date.
        kid: The KID payment reference, if any.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the invoice (linked to the
        consultation), or :class:`~patientsky.rules.decision.Denied` with
        ``NO_FEE_DUE`` or a reason of :func:`~patientsky.rules.payments.issue_invoice`.

    Raises:
        InvalidInput: If the consultation is another clinic's or patient's, or a value
            is not valid.
    """
    check_aware(at)
    if consultation.clinic_id != clinic.id:
        raise InvalidInput("consultation.clinic_id", "is not the clinic's")
    if consultation.patient_id != patient.id:
        raise InvalidInput("consultation.patient_id", "is not the patient's")
    days: object = due_in_days
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidInput("due_in_days", "must be a whole number of days, zero or more")
    fee = clinic.fees.late_cancellation_fee
    if consultation.status not in _FEE_STATUSES or fee.minor_units <= 0:
        return Denied.because(Reason.NO_FEE_DUE)
    return issue_invoice(
        clinic,
        invoice_id=invoice_id,
        patient=patient,
        number=number,
        amount=fee,
        due_date=oslo_date(at) + dt.timedelta(days=days),
        at=at,
        kid=kid,
        consultation_id=consultation.id,
    )
