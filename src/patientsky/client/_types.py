"""
The API's own response bodies that are not domain models: views, notices, states.

They are frozen attrs classes like the models, and the wire converter reads them the
same way (camelCase keys, unknown keys ignored).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import attrs

from patientsky.models import (
    Action,
    CareService,
    CommunicationType,
    ConsentEvent,
    Dialog,
    Money,
    PaymentMethod,
    PaymentStatus,
    PersonName,
    RelationKind,
    Unrecognized,
)

T = TypeVar("T")


def _documented(alias: Any, doc: str) -> None:
    """Give a public ``Literal`` alias its docstring and public home (for help() and Sphinx)."""
    setattr(alias, "__doc__", doc)  # noqa: B010 (mypy does not allow assigning to an alias)
    setattr(alias, "__module__", "patientsky.client")  # noqa: B010


Folder = Literal["inbox", "archive"]
"""A dialog folder: ``"inbox"`` (M1) or ``"archive"`` (M6)."""
_documented(Folder, 'A dialog folder: ``"inbox"`` (M1) or ``"archive"`` (M6).')

When = Literal["upcoming", "past"]
"""Which consultations: ``"upcoming"`` or ``"past"`` (K1)."""
_documented(When, 'Which consultations to list: ``"upcoming"`` or ``"past"`` (K1).')

PaymentTab = Literal["outstanding", "paid_this_year", "all_paid"]
"""A tab of "My payments": ``"outstanding"``, ``"paid_this_year"`` or ``"all_paid"`` (B1–B3)."""
_documented(
    PaymentTab,
    'A tab of "My payments": ``"outstanding"`` (only at clinics with a Convene terminal), '
    '``"paid_this_year"`` or ``"all_paid"`` (B1–B3).',
)

__all__ = [
    "AttachmentFile",
    "CalendarFeed",
    "CancellationNotice",
    "ClinicServices",
    "ConsentState",
    "DialogView",
    "FeeNotice",
    "FileUpload",
    "Folder",
    "FreeTime",
    "PaymentRow",
    "PaymentTab",
    "PaymentsPage",
    "Photo",
    "Represented",
    "Versioned",
    "VideoLink",
    "When",
]


def _in_language(lang: str, nb: str, nn: str | None, en: str) -> str:
    """A notice's text in ``lang``; nynorsk falls back to bokmål when a server sent none."""
    texts = {"nb": nb, "nn": nn or nb, "en": en}
    if lang not in texts:
        raise ValueError(f"lang: must be 'nb', 'nn' or 'en', not {lang!r}")
    return texts[lang]


@attrs.frozen
class Versioned(Generic[T]):
    """
    A value and its version (the ``ETag`` the server sent with it).

    Pass it (or its ``etag``) as ``if_match`` to an update, so that the update
    fails with :class:`~patientsky.errors.ApiConflict` instead of overwriting a newer
    change (P4).

    Args:
        value: The value read.
        etag: Its version, as the server sent it in ``ETag``.
    """

    value: T
    etag: str


@attrs.frozen
class Photo:
    """
    A profile photo as downloaded (P1): the image and its media type.

    ``bytes(photo)`` gives the image; :meth:`data_url` makes an ``<img src>`` of it.

    Args:
        data: The image (not in the repr).
        media_type: ``"image/jpeg"`` or ``"image/png"``, from the answer's ``Content-Type``.
        etag: The photo's version, if the server sent one (it changes with each upload),
            for a cache's ``ETag``.
    """

    data: bytes = attrs.field(repr=False)
    media_type: str
    etag: str | None = None

    def __bytes__(self) -> bytes:
        return self.data

    def __len__(self) -> int:
        return len(self.data)

    def data_url(self) -> str:
        """Return the image as a ``data:`` URL (for an ``<img>`` without a second request)."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@attrs.frozen
class Represented:
    """
    A person the logged-in person may act for now (R1, R2).

    Args:
        patient_id: Their patient id: pass it to ``acting_for``.
        relation_id: The relation that gives the access.
        name: Their name.
        kind: What the logged-in person is to them.
        actions: What the logged-in person may do for them.
    """

    patient_id: str
    relation_id: str
    name: PersonName
    kind: RelationKind | Unrecognized
    actions: tuple[Action | Unrecognized, ...] = ()


@attrs.frozen
class ConsentState:
    """
    Whether a patient's consent is in force, and its history (C1–C3).

    Args:
        in_force: Whether the patient has consented to the current terms and not
            withdrawn since.
        terms_version: The current terms version.
        history: Every consent event, oldest first.
    """

    in_force: bool
    terms_version: str
    history: tuple[ConsentEvent, ...] = ()


@attrs.frozen
class VideoLink:
    """
    Where to join a video consultation (K3).

    Args:
        join_url: The address to open; it may carry a secret, so it is not in the repr.
    """

    join_url: str = attrs.field(repr=False)


@attrs.frozen
class DialogView:
    """
    A dialog as the portal shows it: the dialog and what the rules derive from it.

    Args:
        dialog: The dialog.
        folder: ``"inbox"`` or ``"archive"`` (M1, M5, M6).
        unread: Whether a message came after the patient side last read it.
    """

    dialog: Dialog
    folder: str
    unread: bool


@attrs.frozen
class FeeNotice:
    """
    What starting an e-consultation at a clinic may cost, to show before starting (M7).

    Args:
        clinic_id: The clinic.
        amount: The co-payment (egenandel) that may apply; zero when none does.
        applies: Whether a co-payment may apply, so that starting needs the patient's
            acknowledgement (``fee_acknowledged=True``).
        child_exempt: Whether no co-payment applies because the patient is under 16.
        text_nb: The notice in Norwegian bokmål.
        text_en: The notice in English.
        text_nn: The notice in Norwegian nynorsk (``None`` from a server that sends none).
    """

    clinic_id: str
    amount: Money
    applies: bool
    child_exempt: bool
    text_nb: str
    text_en: str
    text_nn: str | None = None

    def text(self, lang: Literal["nb", "nn", "en"] = "nb") -> str:
        """
        Return the notice in a language: ``"nb"`` (the default), ``"nn"`` or ``"en"``.

        Nynorsk falls back to bokmål when the server sent none.

        Raises:
            ValueError: For another language.
        """
        return _in_language(lang, self.text_nb, self.text_nn, self.text_en)


@attrs.frozen
class CancellationNotice:
    """
    What cancelling a consultation now costs, to show before cancelling (K2).

    Args:
        consultation_id: The consultation.
        free_until: Until when cancelling is free (the deadline itself included).
        late: Whether cancelling now is after that deadline.
        fee: The late-cancellation fee that applies now; zero when none does.
        applies: Whether a fee applies, so that cancelling needs the patient's
            acknowledgement (``fee_acknowledged=True``); it is then charged as an invoice.
        text_nb: The notice in Norwegian bokmål.
        text_en: The notice in English.
        text_nn: The notice in Norwegian nynorsk (``None`` from a server that sends none).
    """

    consultation_id: str
    free_until: dt.datetime
    late: bool
    fee: Money
    applies: bool
    text_nb: str
    text_en: str
    text_nn: str | None = None

    def text(self, lang: Literal["nb", "nn", "en"] = "nb") -> str:
        """
        Return the notice in a language: ``"nb"`` (the default), ``"nn"`` or ``"en"``.

        Nynorsk falls back to bokmål when the server sent none.

        Raises:
            ValueError: For another language.
        """
        return _in_language(lang, self.text_nb, self.text_nn, self.text_en)


@attrs.frozen
class ClinicServices:
    """
    What a patient can start at a clinic (H1, M4).

    Args:
        clinic_id: The clinic.
        services: The services under "Start care".
        communication_types: The dialog types the patient may start.
    """

    clinic_id: str
    services: tuple[CareService | Unrecognized, ...] = ()
    communication_types: tuple[CommunicationType | Unrecognized, ...] = ()


@attrs.frozen
class FreeTime:
    """
    A stretch of free, bookable time in a clinic's calendars (K2).

    Args:
        start: When it begins.
        end: When it ends.
        calendar_ids: The calendars that are free in it.
        time_slot_type_id: The type of time, if the search asked for one.
        start_times: Where a booking of the asked duration may start in it: on the time
            slots' grid, ending inside the stretch (pass one to ``consultations.book``);
            empty from a server that sends none.
    """

    start: dt.datetime
    end: dt.datetime
    calendar_ids: tuple[str, ...] = ()
    time_slot_type_id: str | None = None
    start_times: tuple[dt.datetime, ...] = ()


@attrs.frozen
class PaymentRow:
    """
    One row of "My payments": an invoice or a payment (B4).

    Args:
        kind: ``"invoice"`` (outstanding) or ``"payment"``.
        id: The invoice's or payment's id (a payment's id gets its receipt).
        date: The date shown (B4 "Date").
        paid_at: When it was paid; ``None`` while outstanding.
        clinic_id: The clinic.
        clinic_name: The clinic's name (B4 "Clinic").
        method: How it was paid (B4 "Payment"), if it was.
        status: Its state (B4 "Status").
        invoice_number: The invoice number (B4 "Invoice number"), if any.
        amount: The amount (B4 "Paid").
    """

    kind: str
    id: str
    date: dt.date
    paid_at: dt.datetime | None
    clinic_id: str
    clinic_name: str
    method: PaymentMethod | Unrecognized | None
    status: PaymentStatus | Unrecognized
    invoice_number: str | None
    amount: Money


@attrs.frozen
class PaymentsPage:
    """
    One page of a tab of "My payments", and the tab's total (B1–B4).

    Args:
        data: The rows, newest first.
        total: The total of the whole tab (every page).
        next_cursor: The cursor of the next page; ``None`` on the last page.
    """

    data: tuple[PaymentRow, ...]
    total: Money
    next_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        """Whether there is a next page (its cursor is ``next_cursor``)."""
        return self.next_cursor is not None


@attrs.frozen
class FileUpload:
    """
    A file to attach to a message (M8): its bytes, its name, and its media type.

    Args:
        data: The file's bytes (a JPEG, PNG, HEIC or PDF of at most 10 MiB).
        file_name: Its name, as the clinic will see it (the server keeps it sanitised).
        media_type: ``image/jpeg``, ``image/png``, ``image/heic`` or
            ``application/pdf``; read from the data if None.
    """

    data: bytes = attrs.field(repr=False)
    file_name: str
    media_type: str | None = None

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], media_type: str | None = None) -> FileUpload:
        """
        Read a file to attach from disk; its name is the path's last part.

        Args:
            path: The file.
            media_type: Its media type; read from its bytes if None.
        """
        where = Path(path)
        return cls(where.read_bytes(), where.name, media_type)


@attrs.frozen
class AttachmentFile:
    """
    A downloaded attachment: its bytes, as sent, with their media type and file name.

    Args:
        content: The file's bytes.
        media_type: Its media type, as the server stored it.
        file_name: Its (sanitised) file name, from ``Content-Disposition``.
    """

    content: bytes = attrs.field(repr=False)
    media_type: str
    file_name: str


@attrs.frozen
class CalendarFeed:
    """
    A patient's calendar feed: the secret address a calendar app subscribes to (X2).

    The address is the key: whoever has it reads the consultations, without logging
    in (calendar apps cannot). Rotate it when it may have leaked, revoke it when it is
    not needed; the server keeps only a hash of its token. It is never in the repr.

    Args:
        url: The feed's address (``.../v1/calendar-feeds/{token}.ics``), as the server
            serves it; ``webcal://`` in place of ``https://`` opens it in most calendar
            apps.
        created_at: When this address was made.
    """

    url: str = attrs.field(repr=False)
    created_at: dt.datetime
