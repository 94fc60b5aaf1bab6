"""
Attachments on dialog messages (M8): upload a file, send it with a message, list, download.

A file is uploaded on its own first (``POST .../attachments``, the bytes as the body,
``Content-Type`` their media type, ``Content-Disposition`` their name): the request is
the file, so an ``Idempotency-Key`` makes a retried upload replay the same attachment
instead of storing it twice, and a large upload never sits inside a JSON body. The name
travels in a header, never in the URL, which access logs and proxies keep. The answer
describes the file (id, sanitised name, type, size, SHA-256). A new dialog or a reply
names up to five such ids in ``attachmentIds``; an attachment goes with one message
only, and one not sent within 24 hours (on the sandbox clock) is dropped.

Every upload is checked by :func:`patientsky.rules.attachments.check_upload`, by its
bytes and never its name; a JPEG or PNG is also decoded whole here (Pillow), so a
file with a valid header and garbage after it is refused. HEIC has no decoder here:
its container header is checked. The bytes are stored as they came, so the digest
is theirs. Nothing of a file, and no file name, is ever logged.

Whoever may read the patient's messages (the patient, a representative holding
``read_messages``) may list and download a sent attachment; someone else's dialog is
404, and another person's path 403, as everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from PIL import Image
from starlette.responses import Response

from patientsky.models import Action, Attachment, LoggedOperation, Patient
from patientsky.models.attachment import ATTACHMENT_MEDIA_TYPES
from patientsky.reasons import Reason
from patientsky.rules import attachments as rules
from patientsky.rules.decision import Denied
from patientsky.sandbox._access_log import note_access
from patientsky.sandbox._context import Ctx, file_response, new_id, ok
from patientsky.sandbox._declare import FILE, PATIENT, Operations, path_id, reply
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._photos import MAX_PHOTO_PIXELS

__all__ = ["mark_sent", "ops", "pending_attachments"]

ops = Operations("dialogs")
"""The operations of this module, in the order the document lists them."""

MAX_DISPOSITION = 4000
"""The longest ``Content-Disposition`` an upload may send (the name is cut to 120 characters)."""

# Whoever may write for the patient in some dialog may upload a file to send.
_SENDING = (Action.SEND_MESSAGES, Action.START_E_CONSULTATION, Action.REQUEST_PRESCRIPTION_RENEWAL)
_OCTETS = "application/octet-stream"
_STATUS: Mapping[Reason, int] = {
    Reason.ATTACHMENT_TYPE_NOT_ALLOWED: 415,
    Reason.ATTACHMENT_CONTENT_MISMATCH: 415,
    Reason.ATTACHMENT_TOO_LARGE: 413,
    Reason.TOO_MANY_ATTACHMENTS: 422,
    Reason.ATTACHMENTS_TOO_LARGE: 422,
    Reason.ATTACHMENT_UNAVAILABLE: 422,
    Reason.TOO_MANY_PENDING_ATTACHMENTS: 409,
}
ATTACHMENT_PROBLEMS: tuple[tuple[int, str], ...] = tuple(
    (status, reason.value) for reason, status in _STATUS.items()
)
"""The problems a request that names or uploads attachments may answer (M8)."""
_FIELD_OF_UPLOAD = {
    Reason.ATTACHMENT_TYPE_NOT_ALLOWED: "Content-Type",
    Reason.ATTACHMENT_CONTENT_MISMATCH: "body",
    Reason.ATTACHMENT_TOO_LARGE: "body",
}
_DECODED = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}
_DISPOSITION = {
    "Content-Disposition": {
        "description": "``attachment``, with the file's name (ASCII, and UTF-8 in ``filename*``).",
        "required": True,
        "schema": {"type": "string"},
    }
}


def _refuse(reason: Reason, field: str) -> ApiProblem:
    """The problem for a refused attachment: the reason's code, naming the field."""
    return ApiProblem(
        _STATUS.get(reason, 422),
        reason.value,
        reason.message_en,
        errors=((field, reason.message_en),),
        message_nb=reason.message_nb,
    )


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _decodes_whole(content: bytes, media_type: str) -> bool:
    """Whether Pillow decodes all of a JPEG or PNG, of at most MAX_PHOTO_PIXELS pixels."""
    formats = _DECODED.get(media_type)
    if formats is None:
        return True  # no decoder here (HEIC), or not an image (PDF): the rule's check stands
    try:
        with Image.open(io.BytesIO(content), formats=["JPEG", "PNG"]) as image:
            width, height = image.size
            if image.format not in formats or width * height > MAX_PHOTO_PIXELS:
                return False
            image.load()
    except Exception:  # noqa: BLE001 -- whatever the decoder says, it is not a whole image
        return False
    return True


@ops.post(
    f"{PATIENT}/attachments",
    "uploadAttachment",
    "Upload a photo or a PDF to send with a message: JPEG, PNG, HEIC or PDF, at most"
    " 10 MiB, checked by its content (M8)",
    ok={
        201: reply(
            "Attachment",
            "The stored file, not yet sent: name its id in ``attachmentIds`` of a new"
            " dialog or a reply within 24 hours.",
        )
    },
    errors=(409,),
    params=(
        {
            "name": "Content-Disposition",
            "in": "header",
            "required": True,
            "description": 'The file\'s name, as ``attachment; filename="..."`` and, for'
            " a name that is not plain ASCII, ``filename*=UTF-8''...`` (RFC 6266); kept"
            " sanitised (no folders, no control characters, at most 120 characters, the"
            " extension of its type). Never in the URL, which logs keep.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_DISPOSITION},
        },
    ),
    body=FILE,
    writes=True,
    idempotent=True,
    may=_SENDING,
    limit="photo",
    log=LoggedOperation.UPLOAD_ATTACHMENT,
    problems=ATTACHMENT_PROBLEMS,
)
def upload_attachment(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/attachments: the file is the body, its name a header."""
    patient = ctx.patient()
    ctx.require_any(patient, _SENDING)
    disposition = ctx.call.headers.get("content-disposition", "")
    raw_name = None if len(disposition) > MAX_DISPOSITION else rules.file_name_of(disposition)
    if raw_name is None:
        message = "must name the file (filename or filename*), in at most 4000 characters"
        raise ApiProblem(
            400,
            "invalid_input",
            f"Content-Disposition: {message}",
            errors=(("Content-Disposition", message),),
        )
    content = ctx.call.body
    declared = ctx.call.media_type
    if declared == _OCTETS:
        declared = rules.sniff(content) or declared
    outcome = rules.check_upload(
        attachment_id=new_id("att"), file_name=raw_name, media_type=declared, content=content
    )
    if isinstance(outcome, Denied):
        reason = outcome.decision.reason or Reason.UNKNOWN
        raise _refuse(reason, _FIELD_OF_UPLOAD.get(reason, "body"))
    attachment = outcome.unwrap()
    if not _decodes_whole(content, attachment.media_type):
        raise _refuse(Reason.ATTACHMENT_CONTENT_MISMATCH, "body")
    tx = ctx.repo.tx
    tx.purge_pending_attachments(patient.id, _utc(ctx.now - rules.PENDING_ATTACHMENT_LIFETIME))
    if tx.count_pending_attachments(patient.id) >= rules.MAX_PENDING_ATTACHMENTS:
        raise _refuse(Reason.TOO_MANY_PENDING_ATTACHMENTS, "body")
    tx.put_attachment(
        ctx.dump(attachment),
        content,
        patient_id=patient.id,
        uploader_id=ctx.person().session.person_id,
        created_at=_utc(ctx.now),
    )
    note_access(ctx, resource_id=attachment.id)
    return ok(ctx.dump(attachment), 201)


def pending_attachments(
    ctx: Ctx, patient: Patient, data: Mapping[str, Any]
) -> tuple[Attachment, ...]:
    """
    Return the attachments a new message names in ``attachmentIds`` (none if it names none).

    Each must be one the writer uploaded for this patient, not yet sent and not expired;
    together they must be within the rule's limits for one message.

    Raises:
        ApiProblem: 400 if ``attachmentIds`` is not a list of distinct ids; 422
            ``too_many_attachments``, ``attachments_too_large`` or
            ``attachment_unavailable`` naming the field (``attachmentIds[2]``).
    """
    raw = data.get("attachmentIds")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        message = "must be a list of attachment ids"
        raise ApiProblem(
            400, "invalid_input", f"attachmentIds: {message}", errors=(("attachmentIds", message),)
        )
    if len(set(raw)) != len(raw):
        message = "must not name an attachment twice"
        raise ApiProblem(
            400, "invalid_input", f"attachmentIds: {message}", errors=(("attachmentIds", message),)
        )
    if len(raw) > rules.MAX_ATTACHMENTS_PER_MESSAGE:
        raise _refuse(Reason.TOO_MANY_ATTACHMENTS, "attachmentIds")
    writer = ctx.person().session.person_id
    oldest = _utc(ctx.now - rules.PENDING_ATTACHMENT_LIFETIME)
    found: list[Attachment] = []
    for index, attachment_id in enumerate(raw):
        row = ctx.repo.tx.get_attachment(attachment_id)
        if (
            row is None
            or row.patient_id != patient.id
            or row.uploader_id != writer
            or row.dialog_id is not None
            or row.created_at < oldest
        ):
            raise _refuse(Reason.ATTACHMENT_UNAVAILABLE, f"attachmentIds[{index}]")
        found.append(ctx.conv.structure(row.data, Attachment))
    decision = rules.check_message(found)
    if decision.reason is not None:
        raise _refuse(decision.reason, "attachmentIds")
    return tuple(found)


def mark_sent(ctx: Ctx, files: tuple[Attachment, ...], dialog_id: str, message_id: str) -> None:
    """Record that ``files`` went with the message ``message_id`` of ``dialog_id``."""
    if files:
        ctx.repo.tx.mark_attachments_sent(
            [a.id for a in files], dialog_id=dialog_id, message_id=message_id
        )


def _dialog_of_path(ctx: Ctx, patient: Patient) -> str:
    dialog_id = ctx.call.path_params["dialogId"]
    found = ctx.repo.dialog_head(dialog_id)
    if found is None or found.dialog.patient_id != patient.id:
        raise ApiProblem(404, "not_found", "no such dialog")
    return dialog_id


@ops.get(
    f"{PATIENT}/dialogs/{{dialogId}}/messages/{{messageId}}/attachments",
    "listMessageAttachments",
    "The files attached to a message, in the order they were attached (M8)",
    ok={200: reply("AttachmentList", "The message's attachments (without their bytes).")},
    params=(path_id("dialogId", "dialog"), path_id("messageId", "message")),
    may=Action.READ_MESSAGES,
    log=LoggedOperation.LIST_ATTACHMENTS,
)
def list_message_attachments(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/dialogs/{dialogId}/messages/{messageId}/attachments."""
    patient = ctx.patient()
    ctx.require(patient, Action.READ_MESSAGES)
    dialog_id = _dialog_of_path(ctx, patient)
    message = ctx.repo.tx.message_data(dialog_id, ctx.call.path_params["messageId"])
    if message is None:
        raise ApiProblem(404, "not_found", "no such message")
    return ok({"data": message.get("attachments", [])})


@ops.get(
    f"{PATIENT}/dialogs/{{dialogId}}/attachments/{{attachmentId}}",
    "downloadAttachment",
    "Download a file sent in the dialog, as it was sent (M8)",
    ok={
        200: reply(
            None,
            "The file. ``Content-Disposition`` makes it a download named as it was sent"
            " (sanitised), and ``X-Content-Type-Options: nosniff`` keeps a browser to"
            " its type.",
            _DISPOSITION,
            media=tuple(ATTACHMENT_MEDIA_TYPES),
        )
    },
    params=(path_id("dialogId", "dialog"), path_id("attachmentId", "attachment")),
    may=Action.READ_MESSAGES,
    log=LoggedOperation.DOWNLOAD_ATTACHMENT,
)
def download_attachment(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/dialogs/{dialogId}/attachments/{attachmentId}."""
    patient = ctx.patient()
    ctx.require(patient, Action.READ_MESSAGES)
    dialog_id = _dialog_of_path(ctx, patient)
    attachment_id = ctx.call.path_params["attachmentId"]
    row = ctx.repo.tx.get_attachment(attachment_id)
    content = ctx.repo.tx.attachment_content(dialog_id, attachment_id)
    if row is None or content is None:
        raise ApiProblem(404, "not_found", "no such attachment in this dialog")
    attachment = ctx.conv.structure(row.data, Attachment)
    headers = {
        "Content-Disposition": rules.content_disposition(attachment.file_name),
        # Opened in a browser anyway, a PDF can run no script and reach nothing.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return file_response(ctx, content, attachment.media_type, headers)
