"""
Consultations: the patient's own, booked in free time, cancelled, joined by video (K1–K3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    Clinic,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    LoggedOperation,
    Patient,
)
from patientsky.rules import (
    booking,
    consultations,
    payments,
)
from patientsky.rules.decision import Denied
from patientsky.sandbox._access_log import note_access
from patientsky.sandbox._clinic_records import next_invoice_number, save_invoice
from patientsky.sandbox._context import (
    Ctx,
    deny_unless,
    field,
    json_body,
    new_id,
    ok,
    page,
)
from patientsky.sandbox._declare import (
    PAGING,
    PATIENT,
    Operations,
    path_id,
    query,
    reply,
)
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._names import named_consultation
from patientsky.sandbox._problems import reasons_of

ops = Operations("consultations")
"""The operations of this module, in the order the document lists them."""


@ops.get(
    f"{PATIENT}/consultations",
    "listConsultations",
    "Own consultations, upcoming or past (K1)",
    ok={200: reply("ConsultationPage", "A page of consultations.")},
    params=(
        query("when", {"type": "string", "enum": ["upcoming", "past"], "default": "upcoming"}),
        *PAGING,
    ),
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.LIST_CONSULTATIONS,
)
def list_consultations(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/consultations?when=upcoming|past."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    when = ctx.params["when"]
    rows = ctx.repo.consultations_of(patient.id)
    # The rule places each: booked and not ended is upcoming; ended, completed, not
    # attended or cancelled is past (soonest first, newest first).
    chosen = consultations.upcoming(rows, ctx.now) if when == "upcoming" else None
    chosen = consultations.past(rows, ctx.now) if chosen is None else chosen
    return ok(page(ctx, chosen, dump=lambda c: ctx.dump(named_consultation(ctx, c))))


@ops.post(
    f"{PATIENT}/consultations",
    "bookConsultation",
    "Book a consultation in free time, in person or by video (K2, K3)",
    ok={201: reply("Consultation", "The booking.")},
    errors=(409,),
    body="BookingRequest",
    writes=True,
    idempotent=True,
    may=Action.BOOK_CONSULTATION,
    log=LoggedOperation.BOOK_CONSULTATION,
    problems=(*reasons_of("booking"), *reasons_of("care"), "not_found"),
)
def book_consultation(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/consultations: the booking rule decides."""
    patient = ctx.patient()
    data = json_body(ctx)
    clinic_id = field(ctx, data, "clinicId", str)
    calendar_ids = field(ctx, data, "calendarIds", tuple[str, ...])
    start = field(ctx, data, "start", dt.datetime)
    duration = field(ctx, data, "durationMinutes", int)
    kind = field(ctx, data, "kind", ConsultationKind)
    type_id = field(ctx, data, "timeSlotTypeId", str | None, required=False)
    comment = field(ctx, data, "comment", str | None, required=False)
    if not calendar_ids:
        raise ApiProblem(
            400,
            "invalid_input",
            "calendarIds: name at least one calendar",
            errors=(("calendarIds", "name at least one calendar"),),
        )
    if not 5 <= duration <= 240:
        raise ApiProblem(
            400,
            "invalid_input",
            "durationMinutes: must be from 5 to 240",
            errors=(("durationMinutes", "must be from 5 to 240"),),
        )
    if comment is not None and len(comment) > 2000:
        raise ApiProblem(
            400,
            "invalid_input",
            "comment: must be at most 2000 characters",
            errors=(("comment", "must be at most 2000 characters"),),
        )
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    schedule = ctx.repo.schedule(clinic.id)
    consultation_id = new_id("con")
    known = ctx.repo.booking_consultations(patient.id, clinic.id, consultation_id)
    try:
        outcome = booking.book(
            ctx.access(patient, Action.BOOK_CONSULTATION),
            clinic=clinic,
            schedule=schedule,
            calendar_ids=calendar_ids,
            start=start,
            kind=kind,
            consultation_id=consultation_id,
            duration=duration,
            time_slot_type_id=type_id,
            consultations=known,
            patient_comment=comment,
        )
    except InvalidInput as exc:
        raise ApiProblem.invalid(_wire_field(exc)) from None
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    made = outcome.unwrap()
    ctx.repo.save_consultation(made.consultation)
    for appointment in made.appointments:
        ctx.repo.save_appointment(appointment, clinic.id)
    action = booking.booking_action(kind)
    note_access(ctx, resource_id=made.consultation.id, clinic_id=clinic.id, action=action)
    ctx.repo.connect(patient, clinic, ctx.now)  # starting care connects (H2)
    return ok(ctx.dump(named_consultation(ctx, made.consultation)), 201)


_WIRE_NAMES = {
    "calendar_ids": "calendarIds",
    "time_slot_type_id": "timeSlotTypeId",
    "duration": "durationMinutes",
    "start": "start",
}


def _wire_field(exc: InvalidInput) -> InvalidInput:
    head = exc.field.split(".")[0].split("[")[0]
    if head in _WIRE_NAMES:
        return InvalidInput(_WIRE_NAMES[head] + exc.field[len(head) :], exc.message)
    return exc


def _own_consultation(ctx: Ctx, patient: Patient) -> Any:
    found = ctx.repo.consultation(ctx.call.path_params["consultationId"])
    if found is None or found.patient_id != patient.id:
        raise ApiProblem(404, "not_found", "no such consultation")
    return found


@ops.post(
    f"{PATIENT}/consultations/{{consultationId}}/cancel",
    "cancelConsultation",
    "Cancel a booked consultation; a late one with a fee needs the fee acknowledged, and"
    " is charged as an invoice (K2)",
    ok={200: reply("Consultation", "The cancelled consultation.")},
    errors=(409,),
    params=(path_id("consultationId", "consultation"),),
    body="ConsultationCancel",
    writes=True,
    idempotent=True,
    may=Action.BOOK_CONSULTATION,
    log=LoggedOperation.CANCEL_CONSULTATION,
    problems=(*reasons_of("booking"), "not_found"),
)
def cancel_consultation(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/consultations/{consultationId}/cancel."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    found = _own_consultation(ctx, patient)
    clinic = ctx.repo.clinic(found.clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    # An empty body acknowledges nothing (a cancellation without a fee needs nothing).
    data = json_body(ctx) if ctx.call.body else {}
    acknowledged = field(ctx, data, "feeAcknowledged", bool, required=False) or False
    outcome = booking.cancel(
        ctx.access(patient, Action.BOOK_CONSULTATION),
        clinic=clinic,
        consultation=found,
        schedule=ctx.repo.schedule(clinic.id),
        fee_acknowledged=acknowledged,
    )
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    made = outcome.unwrap()
    ctx.repo.save_consultation(made.consultation)
    for appointment in made.appointments:
        ctx.repo.save_appointment(appointment, clinic.id)
    note_access(ctx, clinic_id=clinic.id, action=booking.booking_action(found.kind))
    _charge_late_cancellation(ctx, clinic, patient, made.consultation)
    return ok(ctx.dump(named_consultation(ctx, made.consultation)))


def _charge_late_cancellation(
    ctx: Ctx, clinic: Clinic, patient: Patient, consultation: Consultation
) -> None:
    """Charge an acknowledged late cancellation's fee as an invoice (K2, B1); else nothing."""
    if consultation.status is not ConsultationStatus.LATE_CANCELLED:
        return
    number = next_invoice_number(ctx, clinic)
    # The patient booked here, so is connected; NO_FEE_DUE when the clinic charges none.
    invoice = booking.cancellation_fee_invoice(
        clinic,
        consultation,
        patient=ctx.repo.connect(patient, clinic, ctx.now),
        invoice_id=new_id("inv"),
        number=number,
        at=ctx.now,
        kid=payments.make_kid(number),
    )
    if not isinstance(invoice, Denied):
        save_invoice(ctx.repo, invoice.unwrap())


@ops.get(
    f"{PATIENT}/consultations/{{consultationId}}/cancellation-notice",
    "getCancellationNotice",
    "What cancelling the consultation now costs, to show before cancelling (K2)",
    ok={200: reply("CancellationNoticeView", "The notice.")},
    params=(path_id("consultationId", "consultation"),),
    may=Action.BOOK_CONSULTATION,
    log=LoggedOperation.VIEW_CANCELLATION_NOTICE,
)
def get_cancellation_notice(ctx: Ctx) -> Response:
    """GET .../consultations/{consultationId}/cancellation-notice (K2)."""
    patient = ctx.patient()
    found = _own_consultation(ctx, patient)
    clinic = ctx.repo.clinic(found.clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    notice = booking.cancellation_notice(clinic, found, ctx.now)
    return ok({"consultationId": found.id, **ctx.dump(notice)})


@ops.get(
    f"{PATIENT}/cancellation-notices",
    "listCancellationNotices",
    "What cancelling each upcoming booked consultation costs now, in one call (K2)",
    ok={200: reply("CancellationNoticePage", "The notices, the soonest consultation first.")},
    params=PAGING,
    may=Action.BOOK_CONSULTATION,
    log=LoggedOperation.LIST_CANCELLATION_NOTICES,
    problems=("not_found",),
)
def list_cancellation_notices(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/cancellation-notices: a list shows each one's terms."""
    patient = ctx.patient()
    booked = [
        c
        for c in consultations.upcoming(ctx.repo.consultations_of(patient.id), ctx.now)
        if c.status is ConsultationStatus.BOOKED
    ]
    clinics = {c.clinic_id: ctx.repo.clinic(c.clinic_id) for c in booked}

    def dump(found: Consultation) -> dict[str, Any]:
        clinic = clinics[found.clinic_id]
        if clinic is None:  # a consultation outlives no clinic; the database keeps both
            raise ApiProblem(404, "not_found", "no such clinic")
        notice = booking.cancellation_notice(clinic, found, ctx.now)
        return {"consultationId": found.id, **ctx.dump(notice)}

    return ok(page(ctx, booked, dump=dump))


@ops.get(
    f"{PATIENT}/consultations/{{consultationId}}/video",
    "getVideoLink",
    "The link to join a video consultation (K3)",
    ok={200: reply("VideoLink", "The link.")},
    errors=(409,),
    params=(path_id("consultationId", "consultation"),),
    may=Action.START_VIDEO_CONSULTATION,
    log=LoggedOperation.OPEN_VIDEO_CONSULTATION,
)
def get_video_link(ctx: Ctx) -> Response:
    """GET .../consultations/{consultationId}/video: only a booked video consultation has one."""
    patient = ctx.patient()
    ctx.require(patient, Action.START_VIDEO_CONSULTATION)
    found = _own_consultation(ctx, patient)
    if found.kind is not ConsultationKind.VIDEO or not found.holds_time:
        raise ApiProblem(404, "not_found", "this consultation has no video link")
    note_access(ctx, clinic_id=found.clinic_id)
    return ok({"joinUrl": ctx.repo.video_url(found.id)})
