"""
The endpoints of the sandbox: each loads models, asks :mod:`patientsky.rules`, stores the answer.

Which :class:`~patientsky.models.Action` an endpoint needs is the one choice made here;
every allow or deny comes from the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    AuthorKind,
    CommunicationType,
    ConsultationKind,
    ContactDetails,
    Counterpart,
    CounterpartKind,
    Dialog,
    LoginMethod,
    Message,
    NationalId,
    Patient,
    PersonName,
    PhotoRef,
    PrescriptionRenewalRequest,
    RelationKind,
)
from patientsky.rules import (
    booking,
    care,
    communication,
    consent,
    dialogs,
    freetime,
    login,
    payments,
    relations,
)
from patientsky.rules.access import allowed_actions, decide
from patientsky.rules.decision import Denied
from patientsky.sandbox import _auth, _people
from patientsky.sandbox._headers import attachment, etag_matches
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._photos import clean_photo
from patientsky.sandbox._repo import DialogHead
from patientsky.sandbox.app import (
    Ctx,
    Operation,
    deny_unless,
    new_id,
    ok,
    page,
    query_choice,
    query_int,
    query_text,
)
from patientsky.sandbox.receipts import receipt_pdf
from patientsky.wire._hooks import REAL_NUMBER_REFUSED

T = TypeVar("T")

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_MAX_PERIOD = dt.timedelta(days=31)


# --- reading bodies ---


def _field(ctx: Ctx, data: Mapping[str, Any], name: str, cls: Any, *, required: bool = True) -> Any:
    """Read one field of a JSON body as ``cls``, naming it in any error."""
    if name not in data:
        if required:
            raise ApiProblem(
                400, "invalid_input", f"{name}: is required", errors=((name, "is required"),)
            )
        return None
    try:
        return ctx.conv.structure(data[name], cls)
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc, name) from None


def _json(ctx: Ctx) -> dict[str, Any]:
    data = ctx.call.json()
    assert isinstance(data, dict)  # noqa: S101 - Call.json returns objects only
    return data


def _etag(ctx: Ctx, patient: Patient) -> str:
    body = ctx.conv.dumps(patient)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _ts(ctx: Ctx, value: dt.datetime) -> Any:
    return ctx.conv.unstructure(value, unstructure_as=dt.datetime)


# --- sandbox ---


def sandbox_login(ctx: Ctx) -> Response:
    """POST /v1/sandbox/login."""
    data = _json(ctx)
    raw = _field(ctx, data, "nationalId", str)
    try:
        national_id = NationalId.parse(raw, allow_synthetic=True)
    except InvalidInput as exc:
        raise ApiProblem.invalid(InvalidInput("nationalId", exc.message)) from None
    if not national_id.is_synthetic:
        raise ApiProblem.invalid(InvalidInput("nationalId", REAL_NUMBER_REFUSED))
    method = _field(ctx, data, "method", LoginMethod)
    patient = ctx.repo.patient_by_national_id(national_id)
    if patient is None:
        raise ApiProblem(404, "not_found", "no person with that number in the sandbox")
    token, expires = _auth.issue_person_token(ctx.repo.tx, patient.id, method, ctx.now)
    return ok(
        {
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresAt": _ts(ctx, expires),
            "personId": patient.id,
        }
    )


def sandbox_clinic_login(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinic-login."""
    clinic_id = _field(ctx, _json(ctx), "clinicId", str)
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    token, expires = _auth.issue_clinic_token(ctx.repo.tx, clinic.id, ctx.now)
    return ok(
        {
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresAt": _ts(ctx, expires),
            "clinicId": clinic.id,
        }
    )


def _clock(ctx: Ctx, now: dt.datetime) -> Response:
    return ok({"now": _ts(ctx, now), "frozen": ctx.sandbox.clock.is_frozen})


def get_clock(ctx: Ctx) -> Response:
    """GET /v1/sandbox/clock."""
    return _clock(ctx, ctx.sandbox.clock.now())


def set_clock(ctx: Ctx) -> Response:
    """PUT /v1/sandbox/clock."""
    now = _field(ctx, _json(ctx), "now", dt.datetime)
    return _clock(ctx, ctx.sandbox.clock.set(now))


def reset_clock(ctx: Ctx) -> Response:
    """DELETE /v1/sandbox/clock."""
    ctx.sandbox.clock.reset()
    return _clock(ctx, ctx.sandbox.clock.now())


def advance_clock(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clock/advance."""
    seconds = _field(ctx, _json(ctx), "seconds", int)
    if not 0 <= seconds <= 10 * 366 * 86400:
        raise ApiProblem(
            400,
            "invalid_input",
            "seconds: must be from 0 to ten years",
            errors=(("seconds", "must be from 0 to ten years"),),
        )
    return _clock(ctx, ctx.sandbox.clock.advance(dt.timedelta(seconds=seconds)))


# --- session ---


def get_session(ctx: Ctx) -> Response:
    """GET /v1/session."""
    session = ctx.person().session
    return ok(
        {
            "personId": session.person_id,
            "method": session.method.value,
            "assurance": session.assurance.value,
            "authenticatedAt": _ts(ctx, session.authenticated_at),
            "expiresAt": _ts(ctx, session.expires_at),
        }
    )


def logout(ctx: Ctx) -> Response:
    """DELETE /v1/session: the token stops working at once and is forgotten."""
    ctx.person()
    _auth.revoke(ctx.repo.tx, ctx.call.headers)
    return Response(status_code=204)


def list_represented(ctx: Ctx) -> Response:
    """GET /v1/session/represented: relations in force, with what they allow now."""
    me = ctx.person().session.person_id
    rows = []
    for relation in ctx.repo.relations_by(me):
        principal = ctx.repo.patient(relation.principal_id)
        if principal is None:
            continue
        actions = allowed_actions(ctx.access(principal, Action.VIEW_PROFILE))
        if not actions or not isinstance(relation.kind, RelationKind):
            continue
        rows.append(
            {
                "patientId": principal.id,
                "relationId": relation.id,
                "name": ctx.dump(principal.name),
                "kind": relation.kind.value,
                "actions": sorted(a.value for a in actions),
            }
        )
    rows.sort(key=lambda r: (r["name"]["family"], r["name"]["given"], r["patientId"]))
    return ok(page(ctx, rows, dump=lambda r: r))


def get_terms(ctx: Ctx) -> Response:
    """GET /v1/terms."""
    return ok(ctx.dump(ctx.repo.terms()))


# --- profile ---


def get_profile(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/profile."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    return ok(ctx.dump(patient), headers={"ETag": _etag(ctx, patient)})


def update_profile(ctx: Ctx) -> Response:
    """PATCH /v1/patients/{patientId}/profile (If-Match required)."""
    patient = ctx.patient()
    ctx.require(patient, Action.EDIT_PROFILE)
    data = _json(ctx)
    if_match = ctx.call.headers.get("if-match")
    if if_match is None:
        raise ApiProblem(
            428, "precondition_required", "If-Match is required: send the ETag you last read"
        )
    matches = etag_matches(if_match, _etag(ctx, patient))
    if matches is None:
        message = 'must be "*" or a list of entity tags, such as "abc"'
        raise ApiProblem(
            400, "invalid_input", f"If-Match: {message}", errors=(("If-Match", message),)
        )
    if not matches:
        raise ApiProblem(
            412, "precondition_failed", "the profile changed since you read it; read it again"
        )
    name = _field(ctx, data, "name", PersonName, required=False)
    contact = _field(ctx, data, "contact", ContactDetails, required=False)
    if name is None and contact is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "the body must change name or contact",
            errors=(("", "must have name or contact"),),
        )
    changed = attrs.evolve(
        patient,
        name=patient.name if name is None else name,
        contact=patient.contact if contact is None else contact,
    )
    ctx.repo.save_patient(changed)
    return ok(ctx.dump(changed), headers={"ETag": _etag(ctx, changed)})


def get_photo(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/photo."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    stored = None if patient.photo is None else ctx.repo.tx.get_photo(patient.photo.id)
    if stored is None:
        raise ApiProblem(404, "not_found", "no photo uploaded")
    media_type, data = stored
    return Response(data, 200, media_type=media_type)


def put_photo(ctx: Ctx) -> Response:
    """PUT /v1/patients/{patientId}/photo: a whole JPEG or PNG, kept without its metadata."""
    patient = ctx.patient()
    ctx.require(patient, Action.EDIT_PROFILE)
    declared = ctx.call.media_type
    if declared not in ("image/jpeg", "image/png"):
        raise ApiProblem(415, "unsupported_media_type", "the photo must be image/jpeg or image/png")
    body = ctx.call.body
    if not body:
        raise ApiProblem(400, "invalid_input", "the photo is empty", errors=(("", "is empty"),))
    actual = (
        "image/jpeg" if body.startswith(_JPEG) else "image/png" if body.startswith(_PNG) else None
    )
    if actual != declared:
        raise ApiProblem(
            415,
            "unsupported_media_type",
            f"the content is not a {declared.split('/')[1].upper()} image",
        )
    body = clean_photo(body, declared)
    photo = PhotoRef(new_id("photo"), declared, len(body))
    ctx.repo.tx.put_photo(photo.id, patient.id, declared, body)
    ctx.repo.tx.delete_photos(patient.id, keep=photo.id)
    ctx.repo.save_patient(attrs.evolve(patient, photo=photo))
    return ok(ctx.dump(photo))


# --- consent ---


def _consent_state(ctx: Ctx, patient: Patient) -> Response:
    history = ctx.repo.consent(patient.id)
    terms = ctx.repo.terms()
    return ok(
        {
            "inForce": consent.consent_in_force(history, terms, ctx.now),
            "termsVersion": terms.version,
            "history": [ctx.dump(event) for event in history.events],
        }
    )


def get_consent(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/consent: the patient sees it even when withdrawn."""
    patient = ctx.patient()
    session = ctx.person().session
    if session.person_id == patient.id:
        deny_unless(login.check_login(session, ctx.now))
    else:
        ctx.require(patient, Action.VIEW_PROFILE)
    return _consent_state(ctx, patient)


def _change_consent(ctx: Ctx, give: bool) -> Response:
    patient = ctx.patient()
    session = ctx.person().session
    terms = ctx.repo.terms()
    history = ctx.repo.consent(patient.id)
    actor = session.person_id
    change = consent.give_consent if give else consent.withdraw_consent
    outcome = change(
        session=session,
        patient=patient,
        history=history,
        terms=terms,
        at=ctx.now,
        event_id=new_id("ce"),
        relations=ctx.repo.relations_of(patient.id),
        actor_consent=None if actor == patient.id else ctx.repo.consent(actor),
    )
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    if give:
        # Only now, when the rule said this person may give it, is the body read.
        version = _field(ctx, _json(ctx), "termsVersion", str)
        if version != terms.version:
            raise ApiProblem(
                409,
                "conflict",
                "termsVersion is not the current terms version; read GET /v1/terms",
            )
    new = outcome.unwrap()
    if len(new.events) > len(history.events):
        ctx.repo.add_consent_event(new.events[-1], len(new.events))
    return _consent_state(ctx, patient)


def give_consent(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/consent."""
    return _change_consent(ctx, give=True)


def withdraw_consent(ctx: Ctx) -> Response:
    """DELETE /v1/patients/{patientId}/consent."""
    return _change_consent(ctx, give=False)


# --- consultations ---


def list_consultations(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/consultations?when=upcoming|past."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    when = query_choice(ctx.call.query, "when", ("upcoming", "past"))
    now = ctx.now.astimezone(dt.UTC)
    rows = ctx.repo.consultations_of(patient.id)
    if when == "upcoming":
        chosen = [c for c in rows if c.end.astimezone(dt.UTC) > now]
    else:
        chosen = [c for c in rows if c.end.astimezone(dt.UTC) <= now]
        chosen.reverse()  # newest first
    return ok(page(ctx, chosen))


def book_consultation(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/consultations: the booking rule decides."""
    patient = ctx.patient()
    data = _json(ctx)
    clinic_id = _field(ctx, data, "clinicId", str)
    calendar_ids = _field(ctx, data, "calendarIds", tuple[str, ...])
    start = _field(ctx, data, "start", dt.datetime)
    duration = _field(ctx, data, "durationMinutes", int)
    kind = _field(ctx, data, "kind", ConsultationKind)
    type_id = _field(ctx, data, "timeSlotTypeId", str | None, required=False)
    comment = _field(ctx, data, "comment", str | None, required=False)
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
    known = ctx.repo.consultations_of(patient.id) + ctx.repo.consultations_at(clinic.id)
    try:
        outcome = booking.book(
            ctx.access(patient, Action.BOOK_CONSULTATION),
            clinic=clinic,
            schedule=schedule,
            calendar_ids=calendar_ids,
            start=start,
            kind=kind,
            consultation_id=new_id("con"),
            duration=duration,
            time_slot_type_id=type_id,
            consultations={c.id: c for c in known}.values(),
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
    return ok(ctx.dump(made.consultation), 201)


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


def cancel_consultation(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/consultations/{consultationId}/cancel."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    found = _own_consultation(ctx, patient)
    clinic = ctx.repo.clinic(found.clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    outcome = booking.cancel(
        ctx.access(patient, Action.BOOK_CONSULTATION),
        clinic=clinic,
        consultation=found,
        schedule=ctx.repo.schedule(clinic.id),
    )
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    made = outcome.unwrap()
    ctx.repo.save_consultation(made.consultation)
    for appointment in made.appointments:
        ctx.repo.save_appointment(appointment, clinic.id)
    return ok(ctx.dump(made.consultation))


def get_video_link(ctx: Ctx) -> Response:
    """GET .../consultations/{consultationId}/video: only a booked video consultation has one."""
    patient = ctx.patient()
    ctx.require(patient, Action.START_VIDEO_CONSULTATION)
    found = _own_consultation(ctx, patient)
    if found.kind is not ConsultationKind.VIDEO or not found.holds_time:
        raise ApiProblem(404, "not_found", "this consultation has no video link")
    room = ctx.repo.video_room(found.id)
    return ok({"joinUrl": f"https://video.sandbox.patientsky.invalid/room/{room}"})


# --- dialogs ---


def _dialog_view(ctx: Ctx, dialog: Any) -> dict[str, Any]:
    view: dict[str, Any] = ctx.dump(dialog)
    view["folder"] = dialogs.folder_of(dialog).value
    view["updatedAt"] = _ts(ctx, dialog.updated_at)
    view["unread"] = dialog.is_unread
    return view


def _dialog_response(ctx: Ctx, head: Dialog, status: int = 200) -> Response:
    """
    The view of a dialog: its header from ``head``, and every message as stored.

    The messages go into the body as the JSON they are stored as, so answering with a
    long dialog neither decodes nor encodes its messages.
    """
    view = _dialog_view(ctx, head)
    del view["messages"]
    view["messages"] = []  # last, so the stored array text can take its place
    response = ok(view, status)
    body = bytes(response.body)
    messages = ctx.repo.dialog_messages_json(head.id)
    if not body.endswith(b'"messages":[]}'):  # not compact JSON: decode and encode them
        view["messages"] = json.loads(messages)
        return ok(view, status)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(
        body[: -len(b"[]}")] + messages + b"}",
        status,
        headers=headers,
        media_type=response.media_type,
    )


def list_dialogs(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/dialogs?folder=inbox|archive, newest first."""
    patient = ctx.patient()
    ctx.require(patient, Action.READ_MESSAGES)
    folder = query_choice(ctx.call.query, "folder", ("inbox", "archive"))
    # The folder and the order need each dialog's header and last message only; the
    # messages are loaded for the dialogs on the page.
    mine = {h.dialog.id: h.dialog for h in ctx.repo.dialog_heads_of(patient.id)}
    rows = dialogs.inbox(mine.values()) if folder == "inbox" else dialogs.archive(mine.values())

    def view(head: Dialog) -> dict[str, Any]:
        found = _dialog_view(ctx, head)
        found["messages"] = json.loads(ctx.repo.dialog_messages_json(head.id))
        return found

    return ok(page(ctx, [mine[r.dialog_id] for r in rows], dump=view))


def _own_dialog(ctx: Ctx, patient: Patient) -> DialogHead:
    found = ctx.repo.dialog_head(ctx.call.path_params["dialogId"])
    if found is None or found.dialog.patient_id != patient.id:
        raise ApiProblem(404, "not_found", "no such dialog")
    return found


def read_dialog(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/dialogs/{dialogId}: reading marks it read (M5)."""
    patient = ctx.patient()
    ctx.require(patient, Action.READ_MESSAGES)
    head = _own_dialog(ctx, patient).dialog
    dialog = dialogs.read_dialog(head, ctx.now)
    if dialog is not head:
        ctx.repo.save_dialog_header(dialog)
    return _dialog_response(ctx, dialog)


def _author(ctx: Ctx, patient: Patient) -> tuple[AuthorKind, str]:
    me = ctx.person().session.person_id
    return (AuthorKind.PATIENT if me == patient.id else AuthorKind.REPRESENTATIVE), me


def start_dialog(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/dialogs: type enabled by the clinic, fee acknowledged."""
    patient = ctx.patient()
    data = _json(ctx)
    clinic_id = _field(ctx, data, "clinicId", str)
    ctype = _field(ctx, data, "type", CommunicationType)
    subject = _field(ctx, data, "subject", str)
    body = _field(ctx, data, "body", str)
    acknowledged = _field(ctx, data, "feeAcknowledged", bool, required=False) or False
    action = communication.action_for_type(ctype)
    ctx.require(patient, action)
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    kind, author = _author(ctx, patient)
    try:
        message = Message(new_id("msg"), kind, author, body, ctx.now)
        outcome = dialogs.start_dialog(
            dialog_id=new_id("dlg"),
            patient=patient,
            clinic=clinic,
            type=ctype,
            counterpart=Counterpart(CounterpartKind.CLINIC, clinic.id, clinic.name),
            subject=subject,
            message=message,
            fee_acknowledged=acknowledged,
        )
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    dialog = outcome.unwrap()
    ctx.repo.save_dialog(dialog)
    return _dialog_response(ctx, dialog, 201)


def reply_to_dialog(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/dialogs/{dialogId}/messages."""
    patient = ctx.patient()
    ctx.require(patient, Action.SEND_MESSAGES)
    body = _field(ctx, _json(ctx), "body", str)
    # The header and the last message are all the rule reads (see DialogHead): a reply
    # costs the same on a dialog of one message as on one of thousands.
    head = _own_dialog(ctx, patient)
    dialog = head.dialog
    kind, author = _author(ctx, patient)
    # Never earlier than the last message, even if a test clock went back.
    sent_at = max(ctx.now, dialog.updated_at)
    try:
        message = Message(new_id("msg"), kind, author, body, sent_at)
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    outcome = dialogs.reply(
        dialog,
        message,
        max_messages=ctx.sandbox.limits.messages_per_dialog,
        message_count=head.message_count,
    )
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    updated = outcome.unwrap()
    ctx.repo.append_message(updated, message)
    # The new message, not the thread: the answer costs the same on the thousandth reply.
    where = f"/v1/patients/{patient.id}/dialogs/{dialog.id}"
    return ok(ctx.dump(message), 201, headers={"Location": where})


def _clinic_of_path(ctx: Ctx) -> Any:
    clinic = ctx.repo.clinic(ctx.call.path_params["clinicId"])
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    return clinic


def get_fee_notice(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/clinics/{clinicId}/fee-notice (M7)."""
    patient = ctx.patient()
    ctx.require(patient, Action.START_E_CONSULTATION)
    clinic = _clinic_of_path(ctx)
    notice = communication.fee_notice(clinic, patient.birth_date, ctx.now)
    return ok({"clinicId": clinic.id, **ctx.dump(notice)})


def get_clinic_services(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/clinics/{clinicId}/services (H1, M4)."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    clinic = _clinic_of_path(ctx)
    return ok(
        {
            "clinicId": clinic.id,
            "services": [s.value for s in clinic.enabled_services],
            "communicationTypes": [t.value for t in communication.startable_types(clinic)],
        }
    )


# --- payments ---


def list_payments(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/payments?tab=...: tabs and totals from the payments rule."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PAYMENTS)
    tab = payments.PaymentTab(
        query_choice(ctx.call.query, "tab", ("outstanding", "paid_this_year", "all_paid"))
    )
    invoices = ctx.repo.invoices_of(patient.id)
    clinic_ids = {i.clinic_id for i in invoices}
    clinics = [c for c in ctx.repo.clinics() if c.id in clinic_ids]
    overview = payments.payment_overview(
        invoices=invoices, payments=ctx.repo.payments_of(patient.id), clinics=clinics, at=ctx.now
    )
    body = page(ctx, overview.rows(tab))
    body["total"] = ctx.dump(overview.total(tab))
    return ok(body)


def download_receipt(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/payments/{paymentId}/receipt (B5): a PDF."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PAYMENTS)
    payment = ctx.repo.payment(ctx.call.path_params["paymentId"])
    if payment is None or payment.patient_id != patient.id:
        raise ApiProblem(404, "not_found", "no such payment")
    pdf = receipt_pdf(payment, patient_name=patient.name.full)
    return Response(
        pdf,
        200,
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(f"kvittering-{payment.id}.pdf")},
    )


# --- relations ---


def list_relations(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/relations (R1)."""
    patient = ctx.patient()
    ctx.require(patient, Action.MANAGE_RELATIONS)
    return ok(page(ctx, ctx.repo.relations_of(patient.id)))


def _own_relation(ctx: Ctx, patient: Patient) -> Any:
    found = ctx.repo.relation(ctx.call.path_params["relationId"])
    if found is None or found.principal_id != patient.id:
        raise ApiProblem(404, "not_found", "no such relation")
    return found


def change_relation(ctx: Ctx) -> Response:
    """PATCH /v1/patients/{patientId}/relations/{relationId}: actions, switch off or on (R4)."""
    patient = ctx.patient()
    data = _json(ctx)
    actions = _field(ctx, data, "actions", tuple[Action, ...], required=False)
    enabled = _field(ctx, data, "enabled", bool, required=False)
    if actions is None and enabled is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "the body must change actions or enabled",
            errors=(("", "must have actions or enabled"),),
        )
    request = ctx.access(patient, Action.MANAGE_RELATIONS)
    deny_unless(decide(request))
    relation = _own_relation(ctx, patient)
    if actions is not None:
        outcome = relations.change_relation_actions(request, relation, actions)
        if isinstance(outcome, Denied):
            deny_unless(outcome)
        relation = outcome.unwrap()
    if enabled is not None:
        switch = relations.switch_on if enabled else relations.switch_off
        switched = switch(request, relation)
        if isinstance(switched, Denied):
            deny_unless(switched)
        relation = switched.unwrap()
    ctx.repo.save_relation(relation)
    return ok(ctx.dump(relation))


def remove_relation(ctx: Ctx) -> Response:
    """DELETE /v1/patients/{patientId}/relations/{relationId} (R4)."""
    patient = ctx.patient()
    request = ctx.require(patient, Action.MANAGE_RELATIONS)
    relation = _own_relation(ctx, patient)
    outcome = relations.remove_relation(request, relation)
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    ctx.repo.delete_relation(relation.id)
    return Response(status_code=204)


def add_relation(ctx: Ctx) -> Response:
    """POST /v1/clinics/{clinicId}/relations: only a clinic adds relations (R3)."""
    if isinstance(ctx.principal, _auth.ClinicPrincipal):
        if ctx.principal.clinic_id != ctx.call.path_params["clinicId"]:
            raise ApiProblem(403, "clinic_mismatch", "the token is another clinic's")
    else:
        deny_unless(relations.may_add_relations(ctx.person().session))
    data = _json(ctx)
    principal_id = _field(ctx, data, "principalId", str)
    representative_id = _field(ctx, data, "representativeId", str)
    kind = _field(ctx, data, "kind", RelationKind)
    actions = _field(ctx, data, "actions", tuple[Action, ...], required=False)
    valid_from = _field(ctx, data, "validFrom", dt.datetime, required=False)
    valid_until = _field(ctx, data, "validUntil", dt.datetime | None, required=False)
    clinic = _clinic_of_path(ctx)
    by: Any
    if isinstance(ctx.principal, _auth.ClinicPrincipal):
        if ctx.principal.clinic_id != clinic.id:
            raise ApiProblem(403, "clinic_mismatch", "the token is another clinic's")
        by = clinic
    else:
        by = ctx.person().session
    patient = ctx.repo.patient(principal_id)
    if patient is None or ctx.repo.patient(representative_id) is None:
        raise ApiProblem(404, "not_found", "no such patient")
    try:
        outcome = relations.add_relation(
            by,
            relation_id=new_id("rel"),
            patient=patient,
            representative_id=representative_id,
            kind=kind,
            at=ctx.now,
            actions=actions,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    except InvalidInput as exc:
        raise ApiProblem.invalid(_relation_field(exc)) from None
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    relation = outcome.unwrap()
    ctx.repo.save_relation(relation)
    return ok(ctx.dump(relation), 201)


def _relation_field(exc: InvalidInput) -> InvalidInput:
    names = {
        "valid_until": "validUntil",
        "valid_from": "validFrom",
        "representative_id": "representativeId",
    }
    return InvalidInput(names.get(exc.field, exc.field), exc.message)


# --- care ---


def list_renewals(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/prescription-renewals (E1)."""
    patient = ctx.patient()
    ctx.require(patient, Action.REQUEST_PRESCRIPTION_RENEWAL)
    rows = ctx.repo.renewals_of(patient.id)
    rows.reverse()  # newest first
    return ok(page(ctx, rows))


def request_renewal(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/prescription-renewals (E1)."""
    patient = ctx.patient()
    data = _json(ctx)
    clinic_id = _field(ctx, data, "clinicId", str)
    medications = _field(ctx, data, "medications", tuple[str, ...])
    note = _field(ctx, data, "note", str | None, required=False)
    ctx.require(patient, Action.REQUEST_PRESCRIPTION_RENEWAL)
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    try:
        outcome = care.request_prescription_renewal(
            request_id=new_id("rx"),
            patient=patient,
            clinic=clinic,
            medications=medications,
            requested_by=ctx.person().session.person_id,
            at=ctx.now,
            note=note,
        )
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    renewal: PrescriptionRenewalRequest = outcome.unwrap()
    ctx.repo.save_renewal(renewal)
    return ok(ctx.dump(renewal), 201)


# --- clinics and public ---


def search_clinics(ctx: Ctx) -> Response:
    """GET /v1/clinics?query=&city= (H2): a case-insensitive match on name and city."""
    query = query_text(ctx.call.query, "query").strip().casefold()
    city = query_text(ctx.call.query, "city").strip().casefold()
    found = [
        c
        for c in ctx.repo.clinics()
        if query in c.name.casefold() and (not city or city == (c.city or "").casefold())
    ]
    return ok(page(ctx, found))


def get_clinic(ctx: Ctx) -> Response:
    """GET /v1/clinics/{clinicId}."""
    return ok(ctx.dump(_clinic_of_path(ctx)))


def get_free_time(ctx: Ctx) -> Response:
    """GET /v1/clinics/{clinicId}/free-time: publicly bookable free time, per calendar."""
    clinic = _clinic_of_path(ctx)
    query = ctx.call.query
    bounds = []
    for name in ("from", "to"):
        if name not in query:
            raise ApiProblem(
                400, "invalid_input", f"{name}: is required", errors=((name, "is required"),)
            )
        bounds.append(_field(ctx, query, name, dt.datetime))
    start, end = bounds
    if end <= start or end - start > _MAX_PERIOD:
        message = "must be after from, and at most 31 days after it"
        raise ApiProblem(400, "invalid_input", f"to: {message}", errors=(("to", message),))
    duration = query_int(query, "durationMinutes", 15, 5, 240)
    type_id = query.get("timeSlotTypeId")
    schedule = ctx.repo.schedule(clinic.id)
    wanted = query.get("calendarId")
    if wanted is not None and schedule.calendar(wanted) is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "calendarId: is not a calendar of the clinic",
            errors=(("calendarId", "is not a calendar of the clinic"),),
        )
    if type_id is not None and schedule.time_slot_type(type_id) is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "timeSlotTypeId: is not a time slot type of the clinic",
            errors=(("timeSlotTypeId", "is not a time slot type of the clinic"),),
        )
    rows: list[tuple[dt.datetime, dt.datetime, str]] = []
    for calendar_id in [wanted] if wanted is not None else list(schedule.calendar_ids):
        free = freetime.free_time(
            schedule,
            duration,
            (start, end),
            calendar_ids=[calendar_id],
            time_slot_type_id=type_id,
            public_only=True,
        )
        rows.extend((interval.start, interval.end, calendar_id) for interval in free)
    rows.sort()
    return ok(
        {
            "data": [
                {
                    "start": _ts(ctx, s),
                    "end": _ts(ctx, e),
                    "calendarIds": [c],
                    "timeSlotTypeId": type_id,
                }
                for s, e, c in rows
            ]
        }
    )


def list_public_services(ctx: Ctx) -> Response:
    """GET /v1/public-services (O1)."""
    return ok({"data": [ctx.dump(link) for link in ctx.repo.public_services()]})


def health(_ctx: Ctx) -> Response:
    """GET /healthz."""
    return ok({"status": "ok"})


def openapi_document(ctx: Ctx) -> Response:
    """GET /openapi.json: the shipped contract."""
    return Response(ctx.sandbox.document, 200, media_type="application/json")


# --- the table ---

_P = "/v1/patients/{patientId}"


def operations() -> dict[str, dict[str, Operation]]:
    """Return every path's operations by method."""
    o = Operation
    a = Action
    dialog_actions = (a.SEND_MESSAGES, a.START_E_CONSULTATION, a.REQUEST_PRESCRIPTION_RENEWAL)
    return {
        "/v1/sandbox/login": {
            "POST": o("POST", _people.login_by_handle(sandbox_login), "json", False, True)
        },
        "/v1/sandbox/people": {"GET": o("GET", _people.list_people, auth=False)},
        "/v1/sandbox/clinic-login": {
            "POST": o("POST", sandbox_clinic_login, "json", False, True, admin=True)
        },
        "/v1/sandbox/clock": {
            "GET": o("GET", get_clock, auth=False),
            "PUT": o("PUT", set_clock, "json", auth=False, admin=True),
            "DELETE": o("DELETE", reset_clock, auth=False, admin=True),
        },
        "/v1/sandbox/clock/advance": {
            "POST": o("POST", advance_clock, "json", auth=False, admin=True)
        },
        "/v1/session": {
            "GET": o("GET", get_session),
            "DELETE": o("DELETE", logout, writes=True),
        },
        "/v1/session/represented": {"GET": o("GET", list_represented)},
        "/v1/terms": {"GET": o("GET", get_terms, auth=False)},
        f"{_P}/profile": {
            "GET": o("GET", get_profile, may=a.VIEW_PROFILE),
            "PATCH": o("PATCH", update_profile, "json", writes=True, may=a.EDIT_PROFILE),
        },
        f"{_P}/photo": {
            "GET": o("GET", get_photo, may=a.VIEW_PROFILE),
            "PUT": o("PUT", put_photo, "photo", writes=True, may=a.EDIT_PROFILE),
        },
        f"{_P}/consent": {
            "GET": o("GET", get_consent),
            "POST": o("POST", give_consent, "json", writes=True),
            "DELETE": o("DELETE", withdraw_consent, writes=True),
        },
        f"{_P}/consultations": {
            "GET": o("GET", list_consultations, may=a.VIEW_PROFILE),
            "POST": o(
                "POST",
                book_consultation,
                "json",
                writes=True,
                idempotent=True,
                may=a.BOOK_CONSULTATION,
            ),
        },
        f"{_P}/consultations/{{consultationId}}/cancel": {
            "POST": o(
                "POST",
                cancel_consultation,
                writes=True,
                idempotent=True,
                may=a.BOOK_CONSULTATION,
            )
        },
        f"{_P}/consultations/{{consultationId}}/video": {
            "GET": o("GET", get_video_link, may=a.START_VIDEO_CONSULTATION)
        },
        f"{_P}/dialogs": {
            "GET": o("GET", list_dialogs, may=a.READ_MESSAGES),
            "POST": o(
                "POST", start_dialog, "json", writes=True, idempotent=True, may=dialog_actions
            ),
        },
        f"{_P}/dialogs/{{dialogId}}": {
            "GET": o("GET", read_dialog, writes=True, may=a.READ_MESSAGES)
        },
        f"{_P}/dialogs/{{dialogId}}/messages": {
            "POST": o(
                "POST",
                reply_to_dialog,
                "json",
                writes=True,
                idempotent=True,
                may=a.SEND_MESSAGES,
            )
        },
        f"{_P}/clinics/{{clinicId}}/fee-notice": {
            "GET": o("GET", get_fee_notice, may=a.START_E_CONSULTATION)
        },
        f"{_P}/clinics/{{clinicId}}/services": {
            "GET": o("GET", get_clinic_services, may=a.VIEW_PROFILE)
        },
        f"{_P}/payments": {"GET": o("GET", list_payments, may=a.VIEW_PAYMENTS)},
        f"{_P}/payments/{{paymentId}}/receipt": {
            "GET": o("GET", download_receipt, may=a.VIEW_PAYMENTS)
        },
        f"{_P}/relations": {"GET": o("GET", list_relations, may=a.MANAGE_RELATIONS)},
        f"{_P}/relations/{{relationId}}": {
            "PATCH": o("PATCH", change_relation, "json", writes=True, may=a.MANAGE_RELATIONS),
            "DELETE": o("DELETE", remove_relation, writes=True, may=a.MANAGE_RELATIONS),
        },
        f"{_P}/prescription-renewals": {
            "GET": o("GET", list_renewals, may=a.REQUEST_PRESCRIPTION_RENEWAL),
            "POST": o(
                "POST",
                request_renewal,
                "json",
                writes=True,
                idempotent=True,
                may=a.REQUEST_PRESCRIPTION_RENEWAL,
            ),
        },
        "/v1/clinics": {"GET": o("GET", search_clinics, auth=False)},
        "/v1/clinics/{clinicId}": {"GET": o("GET", get_clinic, auth=False)},
        "/v1/clinics/{clinicId}/free-time": {"GET": o("GET", get_free_time, auth=False)},
        "/v1/clinics/{clinicId}/relations": {
            "POST": o("POST", add_relation, "json", writes=True, idempotent=True)
        },
        "/v1/public-services": {"GET": o("GET", list_public_services, auth=False)},
        "/healthz": {"GET": o("GET", health, auth=False)},
        "/openapi.json": {"GET": o("GET", openapi_document, auth=False)},
    }
