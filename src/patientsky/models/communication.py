"""
Communication: the four dialog types, dialogs and messages (M1–M7).

The folder a dialog is shown in (Inbox or Archive) is derived by
:mod:`patientsky.rules`, never stored.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    as_tuple,
    aware,
    instant,
    instant_key,
    items,
    nfc,
    nfc_lines,
    of_type,
    one_of,
    text,
)
from patientsky.models.attachment import Attachment

_UTC = dt.UTC
_FIXED = dt.timezone  # cannot be subclassed: a fixed offset, never a fold

__all__ = [
    "AuthorKind",
    "CommunicationType",
    "Counterpart",
    "CounterpartKind",
    "Dialog",
    "DialogStatus",
    "Message",
]


class CommunicationType(enum.Enum):
    """
    The four kinds of dialog a patient can have with a clinic (M3).
    """

    E_CONSULTATION = "e_consultation"
    OTHER_INQUIRY = "other_inquiry"
    INVOICE_QUESTION = "invoice_question"
    PRESCRIPTION_REQUEST = "prescription_request"

    @property
    def label_nb(self) -> str:
        """The type's name in the portal, in Norwegian bokmål."""
        return _TYPE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The type's name in English."""
        return _TYPE_LABELS[self][1]


_TYPE_LABELS = {
    CommunicationType.E_CONSULTATION: ("E-konsultasjon", "E-consultation"),
    CommunicationType.OTHER_INQUIRY: ("Annen henvendelse", "Other inquiry"),
    CommunicationType.INVOICE_QUESTION: ("Fakturaspørsmål", "Invoice question"),
    CommunicationType.PRESCRIPTION_REQUEST: ("Reseptforespørsel", "Prescription request"),
}


class DialogStatus(enum.Enum):
    """Whether a dialog is open or closed by the practitioner (M2)."""

    OPEN = "open"
    CLOSED = "closed"


# Module names for the members: reading one through its class is a slow lookup.
_OPEN, _CLOSED = DialogStatus.OPEN, DialogStatus.CLOSED


class CounterpartKind(enum.Enum):
    """Who the patient talks to in a dialog: a practitioner or the clinic (M2 "From")."""

    PRACTITIONER = "practitioner"
    CLINIC = "clinic"


class AuthorKind(enum.Enum):
    """Who wrote a message."""

    PATIENT = "patient"
    REPRESENTATIVE = "representative"
    PRACTITIONER = "practitioner"
    CLINIC = "clinic"

    @property
    def is_patient_side(self) -> bool:
        """Whether the author writes for the patient (the patient or a representative)."""
        return self in (AuthorKind.PATIENT, AuthorKind.REPRESENTATIVE)


@attrs.frozen
class Counterpart:
    """
    The practitioner or clinic on the other side of a dialog (M2 "From").

    Args:
        kind: Practitioner or clinic.
        id: The practitioner's or clinic's id.
        name: The name shown in the portal.
    """

    kind: CounterpartKind = attrs.field(validator=one_of(CounterpartKind))
    id: str = attrs.field(converter=nfc, validator=text(200))
    name: str = attrs.field(converter=nfc, validator=text(200))


@attrs.frozen
class Message:
    """
    One message in a dialog.

    Args:
        id: The message's id.
        author_kind: Patient, representative, practitioner or clinic.
        author_id: The id of the person or clinic who wrote it.
        body: The text. Never logged.
        sent_at: When it was sent.
        attachments: The files it carries (M8), in the order they were attached; their
            ids are unique. The bytes are fetched separately.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    author_kind: AuthorKind = attrs.field(validator=one_of(AuthorKind))
    author_id: str = attrs.field(converter=nfc, validator=text(200))
    body: str = attrs.field(converter=nfc_lines, validator=text(20_000, multiline=True), repr=False)
    sent_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    attachments: tuple[Attachment, ...] = attrs.field(
        default=(), converter=as_tuple, validator=items(of_type(Attachment))
    )

    def __attrs_post_init__(self) -> None:
        attachments = self.attachments
        if attachments and len({a.id for a in attachments}) != len(attachments):
            raise InvalidInput("attachments", "attachment ids must be unique")


@attrs.frozen
class Dialog:
    """
    A conversation between a patient and a clinic or practitioner (M1–M6).

    Args:
        id: The dialog's id.
        patient_id: The patient the dialog is about.
        clinic_id: The clinic it is with.
        type: One of the four communication types; an
            :class:`~patientsky.models.Unrecognized` value
            from a newer server is kept but never allowed by the rules.
        counterpart: Who the patient talks to (M2 "From").
        subject: The subject line.
        status: Open or closed (M2).
        needs_reply: Whether the practitioner needs an answer; when a closed dialog
            needs none, it moves to the archive once read (M5).
        messages: The messages, oldest first; at least one.
        closed_at: When the practitioner closed it (set if and only if closed).
        read_at: When the patient (or a representative) last opened it.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    type: CommunicationType | Unrecognized = attrs.field(
        validator=one_of(CommunicationType, unrecognized=True)
    )
    counterpart: Counterpart = attrs.field(validator=of_type(Counterpart))
    subject: str = attrs.field(converter=nfc, validator=text(200), repr=False)
    status: DialogStatus | Unrecognized = attrs.field(
        validator=one_of(DialogStatus, unrecognized=True)
    )
    messages: tuple[Message, ...] = attrs.field(
        converter=as_tuple, validator=items(of_type(Message)), repr=False
    )
    needs_reply: bool = attrs.field(default=True, validator=of_type(bool))
    closed_at: dt.datetime | None = attrs.field(default=None, validator=aware, eq=instant_key)
    read_at: dt.datetime | None = attrs.field(default=None, validator=aware, eq=instant_key)

    def __attrs_post_init__(self) -> None:
        messages = self.messages
        if not messages:
            raise InvalidInput("messages", "a dialog has at least one message")
        if len(messages) > 1:
            # One pass, in instants; the order is checked over every message before the
            # ids are. A fixed offset (what the wire decodes) compares as its instant
            # already; a zone's wall clock would not (a fold), so it goes to UTC.
            previous = None
            for message in messages:
                at = message.sent_at
                if at.tzinfo.__class__ is not _FIXED:
                    at = at.astimezone(_UTC)
                if previous is not None and at < previous:
                    raise InvalidInput("messages", "must be in the order they were sent")
                previous = at
            if len({m.id for m in messages}) != len(messages):
                raise InvalidInput("messages", "message ids must be unique")
        status = self.status
        if status is _CLOSED and self.closed_at is None:
            raise InvalidInput("closed_at", "is required when the dialog is closed")
        if status is _OPEN and self.closed_at is not None:
            raise InvalidInput("closed_at", "must be empty while the dialog is open")

    @property
    def updated_at(self) -> dt.datetime:
        """When the last message came (M2 "Updated")."""
        return self.messages[-1].sent_at

    @property
    def started_at(self) -> dt.datetime:
        """When the first message was sent."""
        return self.messages[0].sent_at

    @property
    def is_unread(self) -> bool:
        """Whether a message came after the patient side last opened the dialog."""
        return self.read_at is None or instant(self.read_at) < instant(self.updated_at)
