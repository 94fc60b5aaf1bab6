"""
Dialogs with a clinic: the inbox and archive, starting one, reading, replying (M1–M7).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    AuthorKind,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    LoggedOperation,
    Message,
    Patient,
)
from patientsky.rules import (
    communication,
    dialogs,
)
from patientsky.rules.decision import Denied
from patientsky.sandbox._access_log import note_access
from patientsky.sandbox._attachments import ATTACHMENT_PROBLEMS, mark_sent, pending_attachments
from patientsky.sandbox._context import (
    Ctx,
    clinic_of_path,
    deny_unless,
    field,
    json_body,
    new_id,
    ok,
    page,
    timestamp,
)
from patientsky.sandbox._declare import (
    LOCATION_HEADER,
    PAGING,
    PATIENT,
    Operations,
    path_id,
    query,
    reply,
)
from patientsky.sandbox._http import JSON_MEDIA_TYPE, ApiProblem, json_bytes
from patientsky.sandbox._problems import reasons_of
from patientsky.sandbox._repo_dialogs import DialogHead

ops = Operations("dialogs")
"""The operations of this module, in the order the document lists them."""


def _dialog_view(ctx: Ctx, dialog: Any) -> dict[str, Any]:
    view: dict[str, Any] = ctx.dump(dialog)
    view["folder"] = dialogs.folder_of(dialog).value
    view["updatedAt"] = timestamp(ctx, dialog.updated_at)
    view["unread"] = dialog.is_unread
    return view


def _dialog_response(
    ctx: Ctx, head: Dialog, status: int = 200, stored: DialogHead | None = None
) -> Response:
    """
    The view of a dialog: its header from ``head``, and every message as stored.

    The messages go into the body as the JSON they are stored as, so answering with a
    long dialog neither decodes nor encodes its messages. ``stored``: the dialog as
    this transaction read it, with the same messages (its view is kept by its texts
    if ``head`` is its dialog, unchanged).
    """

    def make() -> bytes:
        view = _dialog_view(ctx, head)
        del view["messages"]
        view["messages"] = []  # last, so the stored array text can take its place
        return json_bytes(view)

    if stored is not None and stored.dialog is head:
        body = ctx.repo.dialog_view_json(stored, "one", make)
    else:
        body = make()
    count = None if stored is None else stored.message_count
    messages = ctx.repo.dialog_messages_json(head.id, count)
    # json_bytes writes compact JSON: the view ends in '"messages":[]}'.
    return Response(
        body[: -len(b"[]}")] + messages + b"}",
        status,
        headers={"content-type": JSON_MEDIA_TYPE},
        media_type=JSON_MEDIA_TYPE,
    )


@ops.get(
    f"{PATIENT}/dialogs",
    "listDialogs",
    "Dialogs in the inbox or the archive, newest first (M1, M2, M6)",
    ok={200: reply("DialogPage", "A page of dialogs.")},
    params=(
        query("folder", {"type": "string", "enum": ["inbox", "archive"], "default": "inbox"}),
        *PAGING,
    ),
    may=Action.READ_MESSAGES,
    log=LoggedOperation.LIST_DIALOGS,
)
def list_dialogs(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/dialogs?folder=inbox|archive, newest first."""
    patient = ctx.patient()
    ctx.require(patient, Action.READ_MESSAGES)
    rows = ctx.repo.dialog_rows_of(patient.id)
    # The page but its messages follows from the question and the rows alone (every
    # dialog's header, last message and count): kept by them.
    query = ctx.call.query
    asked = (ctx.params["folder"], ctx.params.get("limit"), query.get("limit"), query.get("cursor"))
    listed, parts = ctx.repo.dialog_page(("dialogs", asked, rows), lambda: _page(ctx, rows))
    # As in _dialog_response: each dialog's messages go in as the JSON they are stored
    # as (compact, like every answer), the same bytes as decoding and encoding them
    # again, without that work. One copy of each long array into the body.
    messages = ctx.repo.dialogs_counted_messages_json(listed)
    body = [parts[0]]
    for (dialog_id, _), after in zip(listed, parts[1:], strict=True):
        body += (messages[dialog_id], after)
    return Response(b"".join(body), 200, media_type=JSON_MEDIA_TYPE)


def _page(ctx: Ctx, rows: tuple[tuple[str, str, int], ...]) -> _Page:
    """
    The page of dialogs ``ctx`` asks for, made from ``rows``: its dialogs, and its text.

    The dialogs on the page are ``(id, message count)``; the text has one part more
    than them, and each dialog's messages array goes between its two parts.
    """
    folder = ctx.params["folder"]
    # The folder and the order need each dialog's header and last message only; the
    # messages are loaded for the dialogs on the page.
    stored = ctx.repo.dialog_heads(rows)
    mine = {h.dialog.id: h for h in stored}
    choose = dialogs.inbox if folder == "inbox" else dialogs.archive
    heads = [h.dialog for h in mine.values()]
    # The rows follow from the dialogs alone: kept by their texts.
    listing = ctx.repo.dialog_listing(stored, folder, lambda: tuple(choose(heads)))

    on_page: list[DialogHead] = []

    def view(head: DialogHead) -> bytes:
        on_page.append(head)

        def make() -> bytes:
            found = _dialog_view(ctx, head.dialog)
            found["messages"] = []  # the stored array text takes its place below
            return json_bytes(found)

        return ctx.repo.dialog_view_json(head, "listed", make)

    found = page(ctx, [mine[r.dialog_id] for r in listing], dump=view)
    rest = json_bytes({"nextCursor": found["nextCursor"]})
    parts = [b'{"data":[']
    for i, one in enumerate(found["data"]):
        before, after = _spliced(one)
        parts[-1] += (b"," if i else b"") + before
        parts.append(after)
    parts[-1] += b"]," + rest[1:]
    return tuple((h.dialog.id, h.message_count) for h in on_page), tuple(parts)


_Page = tuple[tuple[tuple[str, int], ...], tuple[bytes, ...]]
_NO_MESSAGES = b'"messages":[]'


def _spliced(view: bytes) -> tuple[bytes, bytes]:
    """
    ``view`` cut where its ``messages`` (``[]``) go: the text before and after that array.

    ``view`` is compact JSON whose ``"messages"`` is ``[]``; no other text of it can
    read ``"messages":[]``, since a quote inside a string is escaped.
    """
    at = view.index(_NO_MESSAGES) + len(_NO_MESSAGES) - 2
    return view[:at], view[at + 2 :]


@ops.post(
    f"{PATIENT}/dialogs",
    "startDialog",
    "Start a dialog of a type the clinic enabled; e-consultations need the fee"
    " acknowledged (M3, M4, M7)",
    ok={201: reply("DialogView", "The new dialog.")},
    errors=(422,),
    body="DialogStart",
    writes=True,
    idempotent=True,
    may=(Action.SEND_MESSAGES, Action.START_E_CONSULTATION, Action.REQUEST_PRESCRIPTION_RENEWAL),
    log=LoggedOperation.START_DIALOG,
    problems=(*reasons_of("communication"), "not_found", *ATTACHMENT_PROBLEMS),
)
def start_dialog(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/dialogs: type enabled by the clinic, fee acknowledged."""
    patient = ctx.patient()
    data = json_body(ctx)
    clinic_id = field(ctx, data, "clinicId", str)
    ctype = field(ctx, data, "type", CommunicationType)
    subject = field(ctx, data, "subject", str)
    body = field(ctx, data, "body", str)
    acknowledged = field(ctx, data, "feeAcknowledged", bool, required=False) or False
    action = communication.action_for_type(ctype)
    ctx.require(patient, action)
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    kind, author = _author(ctx, patient)
    files = pending_attachments(ctx, patient, data)
    try:
        message = Message(new_id("msg"), kind, author, body, ctx.now, files)
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
    note_access(ctx, resource_id=dialog.id, clinic_id=clinic.id, action=action)
    mark_sent(ctx, files, dialog.id, message.id)
    ctx.repo.connect(patient, clinic, ctx.now)  # starting care connects (H2)
    return _dialog_response(ctx, dialog, 201)


def _own_dialog(ctx: Ctx, patient: Patient, *, keep: bool = False) -> DialogHead:
    found = ctx.repo.dialog_head(ctx.call.path_params["dialogId"], keep=keep)
    if found is None or found.dialog.patient_id != patient.id:
        raise ApiProblem(404, "not_found", "no such dialog")
    return found


@ops.get(
    f"{PATIENT}/dialogs/{{dialogId}}",
    "readDialog",
    "Open a dialog; reading marks it read and may archive it (M5)",
    ok={200: reply("DialogView", "The dialog.")},
    params=(path_id("dialogId", "dialog"),),
    writes=True,
    may=Action.READ_MESSAGES,
    log=LoggedOperation.READ_DIALOG,
)
def read_dialog(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/dialogs/{dialogId}: reading marks it read (M5)."""
    patient = ctx.patient()
    ctx.require(patient, Action.READ_MESSAGES)
    known = _own_dialog(ctx, patient, keep=True)
    head = known.dialog
    dialog = dialogs.read_dialog(head, ctx.now)
    if dialog is not head:
        ctx.repo.save_dialog_header(dialog)
    note_access(ctx, clinic_id=dialog.clinic_id)
    return _dialog_response(ctx, dialog, stored=known)


def _author(ctx: Ctx, patient: Patient) -> tuple[AuthorKind, str]:
    me = ctx.person().session.person_id
    return (AuthorKind.PATIENT if me == patient.id else AuthorKind.REPRESENTATIVE), me


@ops.post(
    f"{PATIENT}/dialogs/{{dialogId}}/messages",
    "replyToDialog",
    "Answer in a dialog (M1)",
    ok={
        201: reply(
            "Message",
            "The new message. The dialog stays open and read by the writer;"
            " ``Location`` names it (read it for the whole thread). The answer"
            " does not grow with the dialog.",
            LOCATION_HEADER,
        )
    },
    errors=(409, 422),
    params=(path_id("dialogId", "dialog"),),
    body="Reply",
    writes=True,
    idempotent=True,
    may=Action.SEND_MESSAGES,
    log=LoggedOperation.SEND_MESSAGE,
    problems=(*reasons_of("communication"), "not_found", *ATTACHMENT_PROBLEMS),
)
def reply_to_dialog(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/dialogs/{dialogId}/messages."""
    patient = ctx.patient()
    ctx.require(patient, Action.SEND_MESSAGES)
    data = json_body(ctx)
    body = field(ctx, data, "body", str)
    # The header and the last message are all the rule reads (see DialogHead): a reply
    # costs the same on a dialog of one message as on one of thousands.
    head = _own_dialog(ctx, patient)
    dialog = head.dialog
    kind, author = _author(ctx, patient)
    # Never earlier than the last message, even if a test clock went back.
    sent_at = max(ctx.now, dialog.updated_at)
    files = pending_attachments(ctx, patient, data)
    try:
        message = Message(new_id("msg"), kind, author, body, sent_at, files)
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
    note_access(ctx, clinic_id=dialog.clinic_id)
    mark_sent(ctx, files, dialog.id, message.id)
    # The new message, not the thread: the answer costs the same on the thousandth reply.
    where = f"/v1/patients/{patient.id}/dialogs/{dialog.id}"
    return ok(ctx.dump(message), 201, headers={"Location": where})


@ops.get(
    f"{PATIENT}/clinics/{{clinicId}}/fee-notice",
    "getFeeNotice",
    "What starting an e-consultation at the clinic costs (M7)",
    ok={200: reply("ClinicFeeNotice", "The fee notice.")},
    params=(path_id("clinicId", "clinic"),),
    may=Action.START_E_CONSULTATION,
    log=LoggedOperation.VIEW_FEE_NOTICE,
)
def get_fee_notice(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/clinics/{clinicId}/fee-notice (M7)."""
    patient = ctx.patient()
    ctx.require(patient, Action.START_E_CONSULTATION)
    clinic = clinic_of_path(ctx)
    notice = communication.fee_notice(clinic, patient.birth_date, ctx.now)
    return ok({"clinicId": clinic.id, **ctx.dump(notice)})
