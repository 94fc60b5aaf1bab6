"""
Dialogs (M1, M2, M5, M6): their life, and the folder each one is shown in.

The folder is derived, never stored. A dialog is in the **archive** when all of these
hold, and in the **inbox** otherwise (M5):

- it is closed,
- the practitioner needs no answer,
- the patient (or a representative reading for them) has opened it after it was
  closed and after its last message.

So an open dialog is never archived, and a dialog leaves the archive only when a new
message comes: a practitioner's message to an archived dialog brings it back to the
inbox, unread.

The practitioner (or the clinic) answers with :func:`reply` and closes with
:func:`close_dialog`, saying whether the patient must still answer. A closed dialog
that still needs the patient's answer takes one answer from the patient side (M9):
the answer satisfies it (``needs_reply`` becomes false), and from then on the archive
rule applies: the writer has read it, so it moves to the archive. A closed dialog
that needs no answer takes no reply from the patient side (``DIALOG_CLOSED``); the
practitioner may still write, and may reopen it by writing.

>>> import datetime as dt
>>> from patientsky.models import (
...     AuthorKind, CommunicationType, Counterpart, CounterpartKind, Dialog, DialogStatus, Message
... )
>>> t = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
>>> first = Message("m1", AuthorKind.PATIENT, "p1", "Hei", t)
>>> gp = Counterpart(CounterpartKind.PRACTITIONER, "gp1", "Dr. Berg")
>>> dialog = Dialog(
...     "d1", "p1", "c1", CommunicationType.OTHER_INQUIRY, gp, "Spørsmål",
...     DialogStatus.OPEN, (first,), read_at=t,
... )
>>> closed = close_dialog(dialog, t + dt.timedelta(hours=1), needs_reply=False).unwrap()
>>> folder_of(closed)
<Folder.INBOX: 'inbox'>
>>> folder_of(read_dialog(closed, t + dt.timedelta(hours=2)))
<Folder.ARCHIVE: 'archive'>
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, instant, instant_key
from patientsky.models.clinic import Clinic
from patientsky.models.communication import (
    AuthorKind,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
)
from patientsky.models.people import Patient
from patientsky.rules._time import check_aware
from patientsky.rules.communication import may_start_dialog
from patientsky.rules.decision import Allowed, Denied, Outcome, Reason

__all__ = [
    "DialogRow",
    "Folder",
    "MAX_MESSAGES_PER_DIALOG",
    "archive",
    "close_dialog",
    "folder_of",
    "inbox",
    "read_dialog",
    "reply",
    "start_dialog",
]


MAX_MESSAGES_PER_DIALOG = 1000
"""How many messages one dialog holds at most; :func:`reply` refuses more (``DIALOG_FULL``)."""


class Folder(enum.Enum):
    """Where the portal shows a dialog (M1, M6)."""

    INBOX = "inbox"
    """Ongoing or unread dialogs."""
    ARCHIVE = "archive"
    """Closed dialogs that need no answer and have been read."""


def folder_of(dialog: Dialog) -> Folder:
    """
    Return the folder ``dialog`` is shown in (M5).

    Args:
        dialog: The dialog.

    Returns:
        :attr:`Folder.ARCHIVE` if it is closed, needs no answer, and was read after it
        was closed and after its last message; :attr:`Folder.INBOX` otherwise
        (including a status this version does not know).
    """
    read_at = dialog.read_at
    if (
        dialog.status is DialogStatus.CLOSED
        and not dialog.needs_reply
        and read_at is not None
        and dialog.closed_at is not None
        and instant(read_at) >= instant(dialog.closed_at)
        and instant(read_at) >= instant(dialog.updated_at)
    ):
        return Folder.ARCHIVE
    return Folder.INBOX


def read_dialog(dialog: Dialog, at: dt.datetime) -> Dialog:
    """
    Return ``dialog`` opened by the patient, or a representative for them, at ``at``.

    Reading may move a closed dialog that needs no answer to the archive (M5).
    Reading never moves the read time back.

    Raises:
        InvalidInput: If ``at`` is not a timezone-aware datetime.
    """
    check_aware(at)
    if dialog.read_at is not None and instant(dialog.read_at) >= instant(at):
        return dialog
    return attrs.evolve(dialog, read_at=at)


def _check_author(message: Message, patient_id: str) -> None:
    if not isinstance(message, Message):
        raise InvalidInput("message", "must be a Message")
    if message.author_kind is AuthorKind.PATIENT and message.author_id != patient_id:
        raise InvalidInput("message.author_id", "must be the patient's for a patient message")
    if message.author_kind is AuthorKind.REPRESENTATIVE and message.author_id == patient_id:
        raise InvalidInput("message.author_id", "must not be the patient's for a representative")


def start_dialog(
    *,
    dialog_id: str,
    patient: Patient,
    clinic: Clinic,
    type: CommunicationType | Unrecognized,
    counterpart: Counterpart,
    subject: str,
    message: Message,
    fee_acknowledged: bool = False,
) -> Outcome[Dialog]:
    """
    Start a dialog with a clinic, from the patient side (M4, M7).

    The checks are :func:`~patientsky.rules.communication.may_start_dialog`'s, at the
    time the first message is sent. The new dialog is open, needs an answer from the
    practitioner's side, and counts as read by its writer.

    Args:
        dialog_id: The new dialog's id.
        patient: The patient it is about.
        clinic: The clinic it is with.
        type: The communication type.
        counterpart: The practitioner or the clinic addressed.
        subject: The subject line.
        message: The first message, by the patient or a representative.
        fee_acknowledged: Whether the patient acknowledged the co-payment notice.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the new dialog, or
        :class:`~patientsky.rules.decision.Denied` with a reason of ``may_start_dialog``.

    Raises:
        InvalidInput: If the message is not the patient side's, or the counterpart is
            another clinic.
    """
    _check_author(message, patient.id)
    if not message.author_kind.is_patient_side:
        raise InvalidInput("message.author_kind", "a patient or representative starts a dialog")
    if not isinstance(counterpart, Counterpart):
        raise InvalidInput("counterpart", "must be a Counterpart")
    if counterpart.kind is CounterpartKind.CLINIC and counterpart.id != clinic.id:
        raise InvalidInput("counterpart.id", "must be the clinic the dialog is with")
    decision = may_start_dialog(
        clinic, patient, type, message.sent_at, fee_acknowledged=fee_acknowledged
    )
    if not decision:
        return Denied(decision)
    return Allowed(
        Dialog(
            id=dialog_id,
            patient_id=patient.id,
            clinic_id=clinic.id,
            type=type,
            counterpart=counterpart,
            subject=subject,
            status=DialogStatus.OPEN,
            messages=(message,),
            needs_reply=True,
            read_at=message.sent_at,
        )
    )


def reply(
    dialog: Dialog,
    message: Message,
    *,
    reopen: bool = False,
    max_messages: int = MAX_MESSAGES_PER_DIALOG,
    message_count: int | None = None,
) -> Outcome[Dialog]:
    """
    Add a message to a dialog.

    From the patient side (the patient or a representative) the dialog must be open, or
    closed and still need the patient's answer, which this message then gives
    (``needs_reply`` becomes false; M9); the writer has then read it. From the
    practitioner or the clinic a message is taken while the dialog has room: on a
    closed dialog it stays closed but shows in the inbox, unread, until read again;
    with ``reopen=True`` it opens the dialog again and asks for an answer. A dialog
    holds at most ``max_messages`` messages, whoever writes (``DIALOG_FULL``); a new
    dialog takes the rest.

    Args:
        dialog: The dialog.
        message: The new message; sent no earlier than the dialog's last one.
        reopen: For a practitioner's or clinic's message: open the dialog again.
        max_messages: How many messages the dialog may hold, the new one included.
        message_count: How many messages the dialog holds, for a store that loads only
            its header and last message (then ``dialog.messages`` is not all of them);
            ``len(dialog.messages)`` if None.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the updated dialog, or
        :class:`~patientsky.rules.decision.Denied` with ``UNKNOWN_TYPE``,
        ``UNKNOWN_DIALOG_STATUS``, ``DIALOG_CLOSED`` or ``DIALOG_FULL``.

    Raises:
        InvalidInput: If the message is older than the dialog's last one, repeats a
            message id, ``reopen`` is asked by the patient side, or ``max_messages``
            is not a positive integer.
    """
    _check_author(message, dialog.patient_id)
    if not isinstance(reopen, bool):
        raise InvalidInput("reopen", "must be a bool")
    cap: object = max_messages  # typed callers pass an int; the REPL may not
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
        raise InvalidInput("max_messages", "must be a positive integer")
    count: object = len(dialog.messages) if message_count is None else message_count
    if isinstance(count, bool) or not isinstance(count, int) or count < len(dialog.messages):
        raise InvalidInput("message_count", "must be an integer, at least the messages given")
    if instant(message.sent_at) < instant(dialog.updated_at):
        raise InvalidInput("message.sent_at", "is earlier than the dialog's last message")
    if not isinstance(dialog.type, CommunicationType):
        return Denied.because(Reason.UNKNOWN_TYPE)
    if not isinstance(dialog.status, DialogStatus):
        return Denied.because(Reason.UNKNOWN_DIALOG_STATUS)
    messages = (*dialog.messages, message)
    if message.author_kind.is_patient_side:
        if reopen:
            raise InvalidInput("reopen", "only the practitioner or the clinic reopens a dialog")
        closed = dialog.status is DialogStatus.CLOSED
        if closed and not dialog.needs_reply:
            return Denied.because(Reason.DIALOG_CLOSED)
        if count >= max_messages:
            return Denied.because(Reason.DIALOG_FULL)
        if closed:  # the answer the practitioner asked for (M9)
            return Allowed(
                attrs.evolve(dialog, messages=messages, read_at=message.sent_at, needs_reply=False)
            )
        return Allowed(attrs.evolve(dialog, messages=messages, read_at=message.sent_at))
    if count >= max_messages:
        return Denied.because(Reason.DIALOG_FULL)
    if reopen and dialog.status is DialogStatus.CLOSED:
        return Allowed(
            attrs.evolve(
                dialog,
                messages=messages,
                status=DialogStatus.OPEN,
                closed_at=None,
                needs_reply=True,
            )
        )
    return Allowed(attrs.evolve(dialog, messages=messages))


def close_dialog(dialog: Dialog, at: dt.datetime, *, needs_reply: bool) -> Outcome[Dialog]:
    """
    Close a dialog: the practitioner marks it done (M5).

    Args:
        dialog: The open dialog.
        at: When (timezone-aware); no earlier than its last message.
        needs_reply: Whether the practitioner still needs the patient's answer; only a
            dialog that needs none goes to the archive once read.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the closed dialog, or
        :class:`~patientsky.rules.decision.Denied` with ``DIALOG_CLOSED`` (already
        closed) or ``UNKNOWN_DIALOG_STATUS``.

    Raises:
        InvalidInput: If ``at`` is naive or earlier than the last message.
    """
    check_aware(at)
    if not isinstance(needs_reply, bool):
        raise InvalidInput("needs_reply", "must be a bool")
    if instant(at) < instant(dialog.updated_at):
        raise InvalidInput("at", "is earlier than the dialog's last message")
    if not isinstance(dialog.status, DialogStatus):
        return Denied.because(Reason.UNKNOWN_DIALOG_STATUS)
    if dialog.status is DialogStatus.CLOSED:
        return Denied.because(Reason.DIALOG_CLOSED)
    return Allowed(
        attrs.evolve(dialog, status=DialogStatus.CLOSED, closed_at=at, needs_reply=needs_reply)
    )


@attrs.frozen
class DialogRow:
    """
    One line of the inbox or the archive (M2).

    Args:
        dialog_id: The dialog's id.
        updated_at: When the last message came ("Updated").
        type: The communication type ("Type"); kept as is if unknown.
        from_name: The practitioner's or the clinic's name ("From").
        from_kind: Whether "From" is a practitioner or the clinic.
        status: Open or closed ("Status").
        unread: Whether a message came since the patient side last opened it.
        subject: The subject line.
    """

    dialog_id: str
    updated_at: dt.datetime = attrs.field(eq=instant_key)
    type: CommunicationType | Unrecognized
    from_name: str
    from_kind: CounterpartKind
    status: DialogStatus | Unrecognized
    unread: bool
    subject: str = attrs.field(repr=False)


def _rows(dialogs: Iterable[Dialog], folder: Folder) -> list[DialogRow]:
    chosen: list[Dialog] = []
    for i, dialog in enumerate(dialogs):
        if not isinstance(dialog, Dialog):
            raise InvalidInput(f"dialogs[{i}]", "must be a Dialog")
        if folder_of(dialog) is folder:
            chosen.append(dialog)
    chosen.sort(key=lambda d: (instant(d.updated_at), d.id), reverse=True)
    return [
        DialogRow(
            dialog_id=d.id,
            updated_at=d.updated_at,
            type=d.type,
            from_name=d.counterpart.name,
            from_kind=d.counterpart.kind,
            status=d.status,
            unread=d.is_unread,
            subject=d.subject,
        )
        for d in chosen
    ]


def inbox(dialogs: Iterable[Dialog]) -> list[DialogRow]:
    """Return the inbox (M1): rows of the dialogs in :attr:`Folder.INBOX`, newest first."""
    return _rows(dialogs, Folder.INBOX)


def archive(dialogs: Iterable[Dialog]) -> list[DialogRow]:
    """Return the archive (M6): rows of the dialogs in :attr:`Folder.ARCHIVE`, newest first."""
    return _rows(dialogs, Folder.ARCHIVE)
