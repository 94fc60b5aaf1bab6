"""
Every call of the HTTP contract, described once for both clients.

Each function validates its arguments (raising :class:`~patientsky.errors.InvalidInput`
naming the argument) and returns a :class:`~patientsky.client._core.Call`: the method,
path, query, body and how to decode the answer. The sync and async resources only pass
these to their driver.

The wire converter (and cattrs) is imported on first use, not with the client.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar, get_args

import attrs

from patientsky.client._core import Call, Response, query, segment
from patientsky.errors import InvalidInput

if TYPE_CHECKING:
    from patientsky.client._types import (
        AttachmentFile,
        CalendarFeed,
        CancellationNotice,
        ClinicServices,
        ConsentState,
        DialogView,
        FeeNotice,
        FileUpload,
        Folder,
        FreeTime,
        PaymentsPage,
        PaymentTab,
        Photo,
        Represented,
        Versioned,
        VideoLink,
        When,
    )
    from patientsky.models import (
        AccessLogEntry,
        Action,
        Attachment,
        Clinic,
        CommunicationType,
        Consultation,
        ConsultationKind,
        ContactDetails,
        LoginSession,
        Message,
        Patient,
        PersonName,
        PhotoRef,
        PrescriptionRenewalRequest,
        PublicServiceLink,
        Relation,
        RelationKind,
        Terms,
    )
    from patientsky.wire import Page

T = TypeVar("T")


ME: Final = "me"
MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES: Final = 10 * 1024 * 1024
ATTACHMENT_TYPES: Final = ("image/jpeg", "image/png", "image/heic", "application/pdf")
_JSON: Final = "application/json"
_MERGE_PATCH: Final = "application/merge-patch+json"
FHIR_JSON: Final = "application/fhir+json"
CALENDAR: Final = "text/calendar"
_ETAG: Final = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,199}")
_MAGIC: Final = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


# --------------------------------------------------------------------------- decoding


def _in_response(exc: InvalidInput, response: Response) -> InvalidInput:
    error = exc.at("response")
    error.add_note(
        f"the server's answer did not decode (status {response.status}, "
        f"request id {response.request_id or '-'})"
    )
    return error


def _document(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        # The parser's message may quote the document; say only what is wrong.
        raise _in_response(InvalidInput("", "is not valid JSON"), response) from None


def _structure(data: Any, cls: Any, response: Response, path: str = "") -> Any:
    from patientsky import wire

    try:
        return wire.structure(data, cls)
    except InvalidInput as exc:
        raise _in_response(exc.at(path), response) from None


def model(cls: type[T]) -> Callable[[Response], T]:
    """Return a decoder of a JSON body into ``cls``."""

    def decode(response: Response) -> T:
        from patientsky import wire

        try:
            return wire.loads(response.content, cls)
        except InvalidInput as exc:
            raise _in_response(exc, response) from None

    return decode


def versioned(cls: type[T]) -> Callable[[Response], Versioned[T]]:
    """Return a decoder of a JSON body into ``cls``, with the response's ``ETag``."""
    from patientsky.client._types import Versioned

    inner = model(cls)

    def decode(response: Response) -> Versioned[T]:
        etag = response.header("etag")
        if not etag:
            raise _in_response(InvalidInput("ETag", "is missing from the response"), response)
        return Versioned(inner(response), etag)

    return decode


def _dialog_view(item: Any, response: Response, path: str) -> DialogView:
    from patientsky.client._types import DialogView
    from patientsky.models import Dialog

    if not isinstance(item, dict):
        raise _in_response(InvalidInput(path, "must be an object"), response)
    dialog = _structure(item, Dialog, response, path)
    folder = _structure(item.get("folder"), str, response, f"{path}.folder" if path else "folder")
    unread = _structure(item.get("unread"), bool, response, f"{path}.unread" if path else "unread")
    return DialogView(dialog, folder, unread)


def dialog_view(response: Response) -> DialogView:
    """Decode a dialog view: a dialog plus its ``folder`` and ``unread`` (flat on the wire)."""
    return _dialog_view(_document(response), response, "")


def _items(response: Response) -> tuple[dict[str, Any], list[Any]]:
    doc = _document(response)
    if not isinstance(doc, dict):
        raise _in_response(InvalidInput("", "must be an object"), response)
    data = doc.get("data")
    if not isinstance(data, list):
        raise _in_response(InvalidInput("data", "must be an array"), response)
    return doc, data


def _cursor(doc: Mapping[str, Any], response: Response) -> str | None:
    cursor = doc.get("nextCursor")
    if cursor is not None and not isinstance(cursor, str):
        raise _in_response(InvalidInput("nextCursor", "must be a string or null"), response)
    return cursor


def page(cls: type[T]) -> Callable[[Response], Page[T]]:
    """Return a decoder of ``{"data": [...], "nextCursor": ...}`` with items of ``cls``."""

    def decode(response: Response) -> Page[T]:
        from patientsky.wire import Page

        return model(Page[cls])(response)  # type: ignore[valid-type]

    return decode


def dialog_page(response: Response) -> Page[DialogView]:
    """Decode a page of dialog views."""
    from patientsky.wire import Page

    doc, data = _items(response)
    views = [_dialog_view(item, response, f"data[{i}]") for i, item in enumerate(data)]
    return Page(views, _cursor(doc, response))


def payments_page(response: Response) -> PaymentsPage:
    """Decode a page of a payments tab: its rows and the tab's total."""
    from patientsky.client._types import PaymentRow, PaymentsPage
    from patientsky.models import Money

    doc, data = _items(response)
    rows = tuple(
        _structure(item, PaymentRow, response, f"data[{i}]") for i, item in enumerate(data)
    )
    total = _structure(doc.get("total"), Money, response, "total")
    return PaymentsPage(rows, total, _cursor(doc, response))


def data_list(cls: type[T]) -> Callable[[Response], list[T]]:
    """Return a decoder of ``{"data": [...]}`` (an unpaginated list) into a list of ``cls``."""

    def decode(response: Response) -> list[T]:
        _, data = _items(response)
        return [_structure(item, cls, response, f"data[{i}]") for i, item in enumerate(data)]

    return decode


def raw(response: Response) -> bytes:
    """Return the body as it came (an image, a PDF)."""
    return response.content


def nothing(_response: Response) -> None:
    """Read nothing (a 204)."""


# --------------------------------------------------------------------------- encoding


def json_body(**fields: Any) -> bytes:
    """
    Encode a request body: camelCase keys as given, values in the wire format.

    ``None`` values are left out (the contract treats absent as "not given").
    """
    from patientsky import wire

    doc: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        try:
            doc[key] = wire.unstructure(value)
        except InvalidInput as exc:
            raise exc.at(_snake(key)) from None
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _snake(camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


def _choice(field: str, value: object, allowed: Any) -> str:
    options = get_args(allowed)
    if value not in options:
        raise InvalidInput(field, f"must be one of {', '.join(options)}")
    return str(value)


def _limit(limit: object) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise InvalidInput("limit", "must be an integer from 1 to 100")
    return limit


def _aware(field: str, value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise InvalidInput(field, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "must be timezone-aware")
    return value


def _text(field: str, value: object, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must be a non-empty string")
    if len(value) > max_len:
        raise InvalidInput(field, f"must be at most {max_len} characters")
    return value


def _optional_text(field: str, value: object, max_len: int) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > max_len):
        raise InvalidInput(field, f"must be a string of at most {max_len} characters")


def _ids(field: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str):
        raise InvalidInput(field, "must be a list of ids, not a string")
    out = [segment(f"{field}[{i}]", v) for i, v in enumerate(values)]
    if not out:
        raise InvalidInput(field, "must name at least one")
    return out


def _of(field: str, value: object, cls: type[Any]) -> Any:
    if not isinstance(value, cls):
        raise InvalidInput(field, f"must be a {cls.__name__}")
    return value


def _actions(field: str, actions: object) -> list[Action] | None:
    from patientsky.models import Action

    if actions is None:
        return None
    if isinstance(actions, str) or not isinstance(actions, Iterable):
        raise InvalidInput(field, "must be a list of Action")
    return [_of(f"{field}[{i}]", a, Action) for i, a in enumerate(actions)]


def _patient(scope: str) -> tuple[str, ...]:
    return ("patients", scope)


def scope_id(patient_id: str) -> str:
    """
    Validate the patient id ``acting_for`` takes.

    Raises:
        InvalidInput: With field ``patient_id``, if it is empty, not a string, or looks
            like a national identity number (those never go in a URL).
    """
    return segment("patient_id", patient_id)


# --------------------------------------------------------------------------- session


def get_session() -> Call[LoginSession]:
    """``GET /v1/session``."""
    from patientsky.models import LoginSession

    return Call("GET", ("session",), model(LoginSession))


def logout() -> Call[None]:
    """``DELETE /v1/session``: safe to repeat, the token is gone either way."""
    return Call("DELETE", ("session",), nothing, idempotent=True)


def list_represented(limit: int | None = None) -> Call[Page[Represented]]:
    """``GET /v1/session/represented``."""
    from patientsky.client._types import Represented

    return Call(
        "GET", ("session", "represented"), page(Represented), params=query(limit=_limit(limit))
    )


def get_terms() -> Call[Terms]:
    """``GET /v1/terms``."""
    from patientsky.models import Terms

    return Call("GET", ("terms",), model(Terms))


# --------------------------------------------------------------------------- profile


def get_profile(scope: str) -> Call[Versioned[Patient]]:
    """``GET /v1/patients/{id}/profile``."""
    from patientsky.models import Patient

    return Call("GET", (*_patient(scope), "profile"), versioned(Patient))


def merge_diff(old: Any, new: Any) -> Any:
    """
    Return the JSON merge patch (RFC 7396) that turns ``old`` into ``new``.

    Objects are compared key by key (a key only ``old`` has becomes ``null``, a removal);
    anything else that differs is replaced whole.

    >>> merge_diff({"phone": "1", "email": "a@b.no"}, {"phone": "2", "email": "a@b.no"})
    {'phone': '2'}
    >>> merge_diff({"phone": "1", "email": "a@b.no"}, {"phone": "1"})
    {'email': None}
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: dict[str, Any] = {}
    for key in old.keys() - new.keys():
        patch[key] = None
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = merge_diff(old[key], value) if value is not None else None
    return patch


def update_profile(
    scope: str,
    *,
    if_match: str | Versioned[Any],
    name: PersonName | None,
    contact: ContactDetails | None,
) -> Call[Versioned[Patient]]:
    """
    ``PATCH /v1/patients/{id}/profile`` with ``If-Match``: a JSON merge patch (RFC 7396).

    With the :class:`Versioned` profile as ``if_match``, only what differs from it is
    sent (a nested field at a time); with a bare ETag, the named objects are sent whole
    (``null`` for their unset fields), so they replace what was there.
    """
    from patientsky.client._types import Versioned
    from patientsky.models import ContactDetails, Patient, PersonName

    etag: object = if_match.etag if isinstance(if_match, Versioned) else if_match
    if not isinstance(etag, str) or not _ETAG.fullmatch(etag):
        raise InvalidInput("if_match", "must be the ETag (or the Versioned value) of a read")
    if name is None and contact is None:
        raise InvalidInput("name", "give a name or contact details (or both) to change")
    if name is not None:
        _of("name", name, PersonName)
    if contact is not None:
        _of("contact", contact, ContactDetails)
    from patientsky import wire

    given = {
        k: wire.unstructure(v) for k, v in (("name", name), ("contact", contact)) if v is not None
    }
    read = if_match.value if isinstance(if_match, Versioned) else None
    patch: dict[str, Any] = given
    if isinstance(read, Patient):
        # Only what changed since the read: the server merges (RFC 7396), so a field the
        # caller left as it was is not sent, and cannot undo someone else's change.
        was = {"name": wire.unstructure(read.name), "contact": wire.unstructure(read.contact)}
        patch = {k: merge_diff(was[k], v) for k, v in given.items() if was[k] != v}
        patch = patch or given  # nothing changed: send it whole, a harmless repeat
    return Call(
        "PATCH",
        (*_patient(scope), "profile"),
        versioned(Patient),
        body=json.dumps(patch, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        content_type=_MERGE_PATCH,
        if_match=etag,
        idempotent=True,  # If-Match: a repeat can never overwrite a newer change
    )


def _sniff(data: bytes) -> str | None:
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return None


def upload_photo(scope: str, data: bytes, media_type: str | None) -> Call[PhotoRef]:
    """``PUT /v1/patients/{id}/photo``: a JPEG or PNG of at most 5 MiB."""
    from patientsky.models import PhotoRef

    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("data", "must be bytes")
    content = bytes(data)
    if not content:
        raise InvalidInput("data", "must not be empty")
    if len(content) > MAX_PHOTO_BYTES:
        raise InvalidInput("data", "must be at most 5 MiB")
    sniffed = _sniff(content)
    media_type = media_type or sniffed
    if media_type not in ("image/jpeg", "image/png"):
        raise InvalidInput("media_type", "must be image/jpeg or image/png")
    if sniffed is not None and sniffed != media_type:
        raise InvalidInput("media_type", f"does not match the data, which is {sniffed}")
    return Call(
        "PUT",
        (*_patient(scope), "photo"),
        model(PhotoRef),
        body=content,
        content_type=media_type,
        idempotent=True,
    )


def _photo(response: Response) -> Photo:
    from patientsky.client._types import Photo

    given = (response.header("content-type") or "").split(";")[0].strip().lower()
    # A server that labels the image application/octet-stream: read the type from the bytes.
    media_type = given if given in ("image/jpeg", "image/png") else _sniff(response.content)
    if media_type is None:
        raise _in_response(
            InvalidInput("content_type", f"is {given or 'missing'}, not a JPEG or PNG"), response
        )
    return Photo(response.content, media_type, response.header("etag"))


def download_photo(scope: str) -> Call[Photo]:
    """``GET /v1/patients/{id}/photo``: the image with its media type and version."""
    return Call("GET", (*_patient(scope), "photo"), _photo, accept="image/jpeg, image/png")


# --------------------------------------------------------------------------- consent


def get_consent(scope: str) -> Call[ConsentState]:
    """``GET /v1/patients/{id}/consent``."""
    from patientsky.client._types import ConsentState

    return Call("GET", (*_patient(scope), "consent"), model(ConsentState))


def give_consent(scope: str, terms_version: str) -> Call[ConsentState]:
    """``POST /v1/patients/{id}/consent``."""
    from patientsky.client._types import ConsentState

    return Call(
        "POST",
        (*_patient(scope), "consent"),
        model(ConsentState),
        body=json_body(termsVersion=_text("terms_version", terms_version, 50)),
        content_type=_JSON,
    )


def withdraw_consent(scope: str) -> Call[ConsentState]:
    """``DELETE /v1/patients/{id}/consent``."""
    from patientsky.client._types import ConsentState

    return Call("DELETE", (*_patient(scope), "consent"), model(ConsentState), idempotent=True)


# --------------------------------------------------------------------------- consultations


def list_consultations(scope: str, when: When, limit: int | None) -> Call[Page[Consultation]]:
    """``GET /v1/patients/{id}/consultations``."""
    from patientsky.client._types import When
    from patientsky.models import Consultation

    return Call(
        "GET",
        (*_patient(scope), "consultations"),
        page(Consultation),
        params=query(when=_choice("when", when, When), limit=_limit(limit)),
    )


def book_consultation(
    scope: str,
    *,
    clinic_id: str,
    calendar_ids: Iterable[str],
    start: dt.datetime,
    duration_minutes: int,
    kind: ConsultationKind,
    time_slot_type_id: str | None,
    comment: str | None,
    idempotency_key: str | None,
) -> Call[Consultation]:
    """``POST /v1/patients/{id}/consultations`` (idempotent with its key)."""
    from patientsky.models import Consultation, ConsultationKind

    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int):
        raise InvalidInput("duration_minutes", "must be an integer")
    if not 5 <= duration_minutes <= 240:
        raise InvalidInput("duration_minutes", "must be from 5 to 240")
    _optional_text("comment", comment, 2000)
    body = json_body(
        clinicId=segment("clinic_id", clinic_id),
        calendarIds=_ids("calendar_ids", calendar_ids),
        start=_aware("start", start),
        durationMinutes=duration_minutes,
        kind=_of("kind", kind, ConsultationKind),
        timeSlotTypeId=None
        if time_slot_type_id is None
        else segment("time_slot_type_id", time_slot_type_id),
        comment=comment,
    )
    return Call(
        "POST",
        (*_patient(scope), "consultations"),
        model(Consultation),
        body=body,
        content_type=_JSON,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


def cancel_consultation(
    scope: str,
    consultation_id: str,
    idempotency_key: str | None,
    fee_acknowledged: bool = False,
) -> Call[Consultation]:
    """``POST /v1/patients/{id}/consultations/{cid}/cancel`` (idempotent with its key)."""
    from patientsky.models import Consultation

    return Call(
        "POST",
        (*_patient(scope), "consultations", segment("consultation_id", consultation_id), "cancel"),
        model(Consultation),
        body=json_body(feeAcknowledged=_of("fee_acknowledged", fee_acknowledged, bool)),
        content_type=_JSON,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


def cancellation_notice(scope: str, consultation_id: str) -> Call[CancellationNotice]:
    """``GET /v1/patients/{id}/consultations/{cid}/cancellation-notice``."""
    from patientsky.client._types import CancellationNotice

    cid = segment("consultation_id", consultation_id)
    return Call(
        "GET",
        (*_patient(scope), "consultations", cid, "cancellation-notice"),
        model(CancellationNotice),
    )


def cancellation_notices(scope: str, limit: int | None) -> Call[Page[CancellationNotice]]:
    """``GET /v1/patients/{id}/cancellation-notices``."""
    from patientsky.client._types import CancellationNotice

    return Call(
        "GET",
        (*_patient(scope), "cancellation-notices"),
        page(CancellationNotice),
        params=query(limit=_limit(limit)),
    )


def video_link(scope: str, consultation_id: str) -> Call[VideoLink]:
    """``GET /v1/patients/{id}/consultations/{cid}/video``."""
    from patientsky.client._types import VideoLink

    return Call(
        "GET",
        (*_patient(scope), "consultations", segment("consultation_id", consultation_id), "video"),
        model(VideoLink),
    )


# --------------------------------------------------------------------------- dialogs


def list_dialogs(scope: str, folder: Folder, limit: int | None) -> Call[Page[DialogView]]:
    """``GET /v1/patients/{id}/dialogs``."""
    from patientsky.client._types import Folder

    return Call(
        "GET",
        (*_patient(scope), "dialogs"),
        dialog_page,
        params=query(folder=_choice("folder", folder, Folder), limit=_limit(limit)),
    )


def read_dialog(scope: str, dialog_id: str) -> Call[DialogView]:
    """``GET /v1/patients/{id}/dialogs/{did}`` (marks it read; may archive it)."""
    return Call("GET", (*_patient(scope), "dialogs", segment("dialog_id", dialog_id)), dialog_view)


def start_dialog(
    scope: str,
    *,
    clinic_id: str,
    type: CommunicationType,
    subject: str,
    body: str,
    fee_acknowledged: bool,
    idempotency_key: str | None,
    attachment_ids: Iterable[str] = (),
) -> Call[DialogView]:
    """``POST /v1/patients/{id}/dialogs`` (idempotent with its key)."""
    from patientsky.models import CommunicationType

    if not isinstance(fee_acknowledged, bool):
        raise InvalidInput("fee_acknowledged", "must be a bool")
    content = json_body(
        clinicId=segment("clinic_id", clinic_id),
        type=_of("type", type, CommunicationType),
        subject=_text("subject", subject, 200),
        body=_text("body", body, 20_000),
        feeAcknowledged=fee_acknowledged,
        attachmentIds=_attachment_ids(attachment_ids),
    )
    return Call(
        "POST",
        (*_patient(scope), "dialogs"),
        dialog_view,
        body=content,
        content_type=_JSON,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


def reply_to_dialog(
    scope: str,
    dialog_id: str,
    body: str,
    idempotency_key: str | None,
    attachment_ids: Iterable[str] = (),
) -> Call[Message]:
    """``POST /v1/patients/{id}/dialogs/{did}/messages`` (idempotent with its key)."""
    from patientsky.models import Message

    content = json_body(
        body=_text("body", body, 20_000), attachmentIds=_attachment_ids(attachment_ids)
    )
    return Call(
        "POST",
        (*_patient(scope), "dialogs", segment("dialog_id", dialog_id), "messages"),
        model(Message),
        body=content,
        content_type=_JSON,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


# --------------------------------------------------------------------------- attachments


def upload_attachment(
    scope: str, data: bytes, file_name: str, media_type: str | None, idempotency_key: str | None
) -> Call[Attachment]:
    """``POST /v1/patients/{id}/attachments``: the file is the body, its name a header (M8)."""
    from patientsky.models import Attachment
    from patientsky.rules.attachments import content_disposition, sniff

    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("data", "must be bytes")
    content = bytes(data)
    if not content:
        raise InvalidInput("data", "must not be empty")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput("data", "must be at most 10 MiB")
    name = _text("file_name", file_name, 1000)
    sniffed = sniff(content)
    media_type = media_type or sniffed
    if media_type not in ATTACHMENT_TYPES:
        raise InvalidInput("media_type", "must be one of: " + ", ".join(ATTACHMENT_TYPES))
    if sniffed != media_type:
        raise InvalidInput(
            "media_type", f"does not match the data, which is {sniffed or 'none of those'}"
        )
    return Call(
        "POST",
        (*_patient(scope), "attachments"),
        model(Attachment),
        body=content,
        headers=(("Content-Disposition", content_disposition(name)),),
        content_type=media_type,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


AttachmentSource: TypeAlias = "Attachment | FileUpload | str | os.PathLike[str]"
"""What a message can carry: an uploaded attachment, a file in memory, or a file's path."""


def as_upload(
    file: FileUpload | bytes | str | os.PathLike[str], file_name: str | None, media_type: str | None
) -> FileUpload:
    """
    Return the file to upload: ``file`` as given, read from its path, or named bytes.

    Raises:
        InvalidInput: With field ``file_name`` for bytes without a name; ``file`` if it is
            none of these or a path that cannot be read.
    """
    from patientsky.client._types import FileUpload

    if isinstance(file, FileUpload):
        return FileUpload(file.data, file_name or file.file_name, media_type or file.media_type)
    if isinstance(file, bytes | bytearray | memoryview):
        if file_name is None:
            raise InvalidInput("file_name", "is required to upload bytes")
        return FileUpload(bytes(file), file_name, media_type)
    if isinstance(file, str | os.PathLike):
        try:
            upload = FileUpload.from_path(file, media_type)
        except OSError as exc:
            raise InvalidInput("file", f"cannot be read ({type(exc).__name__})") from None
        return upload if file_name is None else FileUpload(upload.data, file_name, media_type)
    raise InvalidInput("file", "must be a FileUpload, bytes or a path")


def derived_key(key: str, index: int) -> str:
    """
    Return the ``Idempotency-Key`` of the ``index``-th upload of a message sent with ``key``.

    So a message retried with its key uploads its files once, however often it is sent.
    """
    derived = f"{key}.{index}"
    return derived if len(derived) <= 255 else hashlib.sha256(derived.encode()).hexdigest()


def _attachment_list(response: Response) -> tuple[Attachment, ...]:
    from patientsky.models import Attachment

    document = _document(response)
    items = document.get("data") if isinstance(document, dict) else None
    result: tuple[Attachment, ...] = _structure(items, tuple[Attachment, ...], response, "data")
    return result


def list_attachments(scope: str, dialog_id: str, message_id: str) -> Call[tuple[Attachment, ...]]:
    """``GET /v1/patients/{id}/dialogs/{did}/messages/{mid}/attachments``."""
    path = (
        *_patient(scope),
        "dialogs",
        segment("dialog_id", dialog_id),
        "messages",
        segment("message_id", message_id),
        "attachments",
    )
    return Call("GET", path, _attachment_list)


def download_attachment(scope: str, dialog_id: str, attachment_id: str) -> Call[AttachmentFile]:
    """``GET /v1/patients/{id}/dialogs/{did}/attachments/{aid}``: the file, as sent."""
    from patientsky.client._types import AttachmentFile

    path = (
        *_patient(scope),
        "dialogs",
        segment("dialog_id", dialog_id),
        "attachments",
        segment("attachment_id", attachment_id),
    )

    def decode(response: Response) -> AttachmentFile:
        kind = (response.header("content-type") or "application/octet-stream").split(";")[0]
        from patientsky.rules.attachments import file_name_of

        name = file_name_of(response.header("content-disposition")) or attachment_id
        return AttachmentFile(response.content, kind.strip().lower(), name)

    return Call("GET", path, decode, accept=", ".join(ATTACHMENT_TYPES))


def _attachment_ids(ids: Iterable[str]) -> list[str] | None:
    found = [segment("attachments", i) for i in ids]
    if len(set(found)) != len(found):
        raise InvalidInput("attachments", "must not name an attachment twice")
    return found or None


def fee_notice(scope: str, clinic_id: str) -> Call[FeeNotice]:
    """``GET /v1/patients/{id}/clinics/{cid}/fee-notice``."""
    from patientsky.client._types import FeeNotice

    return Call(
        "GET",
        (*_patient(scope), "clinics", segment("clinic_id", clinic_id), "fee-notice"),
        model(FeeNotice),
    )


# --------------------------------------------------------------------------- care


def clinic_services(scope: str, clinic_id: str) -> Call[ClinicServices]:
    """``GET /v1/patients/{id}/clinics/{cid}/services``."""
    from patientsky.client._types import ClinicServices

    return Call(
        "GET",
        (*_patient(scope), "clinics", segment("clinic_id", clinic_id), "services"),
        model(ClinicServices),
    )


def list_renewals(scope: str, limit: int | None) -> Call[Page[PrescriptionRenewalRequest]]:
    """``GET /v1/patients/{id}/prescription-renewals``."""
    from patientsky.models import PrescriptionRenewalRequest

    return Call(
        "GET",
        (*_patient(scope), "prescription-renewals"),
        page(PrescriptionRenewalRequest),
        params=query(limit=_limit(limit)),
    )


def request_renewal(
    scope: str,
    *,
    clinic_id: str,
    medications: Iterable[str],
    note: str | None,
    idempotency_key: str | None,
) -> Call[PrescriptionRenewalRequest]:
    """``POST /v1/patients/{id}/prescription-renewals`` (idempotent with its key)."""
    from patientsky.models import PrescriptionRenewalRequest

    if isinstance(medications, str):
        raise InvalidInput("medications", "must be a list of names, not a string")
    names = [_text(f"medications[{i}]", m, 200) for i, m in enumerate(medications)]
    if not 1 <= len(names) <= 20:
        raise InvalidInput("medications", "name 1 to 20 medications")
    _optional_text("note", note, 2000)
    return Call(
        "POST",
        (*_patient(scope), "prescription-renewals"),
        model(PrescriptionRenewalRequest),
        body=json_body(clinicId=segment("clinic_id", clinic_id), medications=names, note=note),
        content_type=_JSON,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


# --------------------------------------------------------------------------- payments


def list_payments(scope: str, tab: PaymentTab, limit: int | None) -> Call[PaymentsPage]:
    """``GET /v1/patients/{id}/payments?tab=...``."""
    from patientsky.client._types import PaymentTab

    return Call(
        "GET",
        (*_patient(scope), "payments"),
        payments_page,
        params=query(tab=_choice("tab", tab, PaymentTab), limit=_limit(limit)),
    )


def receipt(scope: str, payment_id: str) -> Call[bytes]:
    """``GET /v1/patients/{id}/payments/{pid}/receipt`` (a PDF)."""
    return Call(
        "GET",
        (*_patient(scope), "payments", segment("payment_id", payment_id), "receipt"),
        raw,
        accept="application/pdf",
    )


# --------------------------------------------------------------------------- relations


def list_relations(scope: str, limit: int | None) -> Call[Page[Relation]]:
    """``GET /v1/patients/{id}/relations``."""
    from patientsky.models import Relation

    return Call(
        "GET",
        (*_patient(scope), "relations"),
        page(Relation),
        params=query(limit=_limit(limit)),
    )


def list_access_log(scope: str, limit: int | None) -> Call[Page[AccessLogEntry]]:
    """``GET /v1/patients/{id}/access-log``: newest first."""
    from patientsky.models import AccessLogEntry

    return Call(
        "GET",
        (*_patient(scope), "access-log"),
        page(AccessLogEntry),
        params=query(limit=_limit(limit)),
    )


def change_relation(
    scope: str, relation_id: str, *, actions: Iterable[Action] | None, enabled: bool | None
) -> Call[Relation]:
    """``PATCH /v1/patients/{id}/relations/{rid}`` (absolute values: a repeat is harmless)."""
    from patientsky.models import Relation

    if actions is None and enabled is None:
        raise InvalidInput("actions", "give actions or enabled (or both) to change")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("enabled", "must be a bool")
    return Call(
        "PATCH",
        (*_patient(scope), "relations", segment("relation_id", relation_id)),
        model(Relation),
        body=json_body(actions=_actions("actions", actions), enabled=enabled),
        content_type=_JSON,
        idempotent=True,
    )


def remove_relation(scope: str, relation_id: str) -> Call[None]:
    """``DELETE /v1/patients/{id}/relations/{rid}``."""
    return Call(
        "DELETE",
        (*_patient(scope), "relations", segment("relation_id", relation_id)),
        nothing,
        idempotent=True,
    )


def add_relation(
    clinic_id: str,
    *,
    principal_id: str,
    representative_id: str,
    kind: RelationKind,
    actions: Iterable[Action] | None,
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
    idempotency_key: str | None,
) -> Call[Relation]:
    """``POST /v1/clinics/{cid}/relations`` (clinic staff; idempotent with its key)."""
    from patientsky.models import Relation, RelationKind

    body = json_body(
        principalId=segment("principal_id", principal_id),
        representativeId=segment("representative_id", representative_id),
        kind=_of("kind", kind, RelationKind),
        actions=_actions("actions", actions),
        validFrom=None if valid_from is None else _aware("valid_from", valid_from),
        validUntil=None if valid_until is None else _aware("valid_until", valid_until),
    )
    return Call(
        "POST",
        ("clinics", segment("clinic_id", clinic_id), "relations"),
        model(Relation),
        body=body,
        content_type=_JSON,
        idempotency_key=idempotency_key,
        idempotent=True,
    )


# --------------------------------------------------------------------------- clinics, public


def search_clinics(
    query_text: str | None, city: str | None, limit: int | None
) -> Call[Page[Clinic]]:
    """``GET /v1/clinics?query=&city=``."""
    from patientsky.models import Clinic

    if query_text is not None:
        _text("query", query_text, 100)
    if city is not None:
        _text("city", city, 100)
    return Call(
        "GET",
        ("clinics",),
        page(Clinic),
        params=query(query=query_text, city=city, limit=_limit(limit)),
    )


def get_clinic(clinic_id: str) -> Call[Clinic]:
    """``GET /v1/clinics/{cid}``."""
    from patientsky.models import Clinic

    return Call("GET", ("clinics", segment("clinic_id", clinic_id)), model(Clinic))


def free_time(
    clinic_id: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    duration_minutes: int,
    calendar_id: str | None,
    time_slot_type_id: str | None,
) -> Call[list[FreeTime]]:
    """``GET /v1/clinics/{cid}/free-time``."""
    from patientsky.client._types import FreeTime

    _aware("start", start)
    _aware("end", end)
    if end <= start:
        raise InvalidInput("end", "must be after start")
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int):
        raise InvalidInput("duration_minutes", "must be an integer")
    if not 5 <= duration_minutes <= 240:
        raise InvalidInput("duration_minutes", "must be from 5 to 240")
    params = query(
        durationMinutes=duration_minutes,
        calendarId=None if calendar_id is None else segment("calendar_id", calendar_id),
        timeSlotTypeId=(
            None if time_slot_type_id is None else segment("time_slot_type_id", time_slot_type_id)
        ),
    )
    return Call(
        "GET",
        ("clinics", segment("clinic_id", clinic_id), "free-time"),
        data_list(FreeTime),
        params=(("from", start.isoformat()), ("to", end.isoformat()), *params),
    )


@attrs.frozen
class _ServerTime:
    now: dt.datetime


def _now(response: Response) -> dt.datetime:
    return model(_ServerTime)(response).now


def server_time() -> Call[dt.datetime]:
    """``GET /v1/time``."""
    return Call("GET", ("time",), _now)


def public_services() -> Call[list[PublicServiceLink]]:
    """``GET /v1/public-services``."""
    from patientsky.models import PublicServiceLink

    return Call("GET", ("public-services",), data_list(PublicServiceLink))


# --------------------------------------------------------------------------- interop


def _fhir_bundle(response: Response) -> dict[str, Any]:
    document = _document(response)
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        raise _in_response(InvalidInput("resourceType", "must be Bundle"), response)
    return document


def export_fhir(scope: str) -> Call[dict[str, Any]]:
    """``GET /v1/patients/{id}/fhir`` (a FHIR R4 Bundle, ``application/fhir+json``)."""
    return Call("GET", (*_patient(scope), "fhir"), _fhir_bundle, accept=FHIR_JSON)


def create_calendar_feed(scope: str) -> Call[CalendarFeed]:
    """``POST /v1/patients/{id}/calendar-feed``: not retried (a repeat is a 409)."""
    from patientsky.client._types import CalendarFeed

    return Call("POST", (*_patient(scope), "calendar-feed"), model(CalendarFeed))


def rotate_calendar_feed(scope: str) -> Call[CalendarFeed]:
    """``POST /v1/patients/{id}/calendar-feed/rotate``: not retried (each makes a new URL)."""
    from patientsky.client._types import CalendarFeed

    return Call("POST", (*_patient(scope), "calendar-feed", "rotate"), model(CalendarFeed))


def revoke_calendar_feed(scope: str) -> Call[None]:
    """``DELETE /v1/patients/{id}/calendar-feed``: safe to repeat."""
    return Call("DELETE", (*_patient(scope), "calendar-feed"), nothing, idempotent=True)


_FEED_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{1,128}")


def feed_token(feed: CalendarFeed | str) -> str:
    """
    Return the secret token of a feed (a :class:`CalendarFeed`, its URL, or the token).

    Raises:
        InvalidInput: With field ``feed`` if no token can be read from it.
    """
    from patientsky.client._types import CalendarFeed

    text = feed.url if isinstance(feed, CalendarFeed) else feed
    if not isinstance(text, str):
        raise InvalidInput("feed", "must be a CalendarFeed, its url or its token")
    token = text.rsplit("/", 1)[-1].removesuffix(".ics")
    if not _FEED_TOKEN.fullmatch(token):
        # Never the value: it is a secret.
        raise InvalidInput("feed", "is not a calendar feed's url or token")
    return token


def calendar_file(scope: str) -> Call[bytes]:
    """``GET /v1/patients/{id}/calendar.ics`` (``text/calendar``, with the login)."""
    return Call("GET", (*_patient(scope), "calendar.ics"), raw, accept=CALENDAR)


def fetch_calendar_feed(feed: CalendarFeed | str) -> Call[bytes]:
    """``GET /v1/calendar-feeds/{token}.ics`` (``text/calendar``; the token is the secret)."""
    token = feed_token(feed)
    return Call(
        "GET",
        ("calendar-feeds", f"{token}.ics"),
        raw,
        accept=CALENDAR,
        shown_path=("calendar-feeds", "{feedToken}.ics"),  # logs and errors never show it
    )
