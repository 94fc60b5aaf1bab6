"""
The dialog half of :class:`~patientsky.sandbox._repo.Repo`.

A dialog's header and its messages are stored apart, so a reply writes one row however
long the dialog is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import attrs

from patientsky.errors import InvalidInput
from patientsky.models import Dialog, Message
from patientsky.sandbox._dialog_rows import dialog_head_json
from patientsky.sandbox._memo import Decoded
from patientsky.sandbox.storage import Transaction
from patientsky.wire import WireConverter

__all__ = ["DialogHead", "DialogRecords", "sort_time"]

T = TypeVar("T")


def sort_time(value: dt.datetime) -> str:
    """A sort key for an instant: UTC, fixed width."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


@attrs.frozen
class DialogHead:
    """
    A dialog as a write or a listing needs it: its header and its last message only.

    Loading it reads two rows however long the dialog is. ``dialog`` is a
    :class:`~patientsky.models.Dialog` whose ``messages`` hold only the last message:
    everything :func:`patientsky.rules.dialogs.reply`,
    :func:`~patientsky.rules.dialogs.read_dialog`,
    :func:`~patientsky.rules.dialogs.folder_of` and the inbox and archive read
    (status, closure, whether an answer is needed, when it was read, and the time and
    author of the last message). The one check of a whole dialog those rules make on
    the messages before the last, that message ids are unique, is made by the
    database (a unique index on dialog and message id).

    Args:
        dialog: The dialog, with its last message only.
        message_count: How many messages it really has.
        texts: The stored texts of its header and its last message, that ``dialog``
            was decoded from (what a view of it is kept by).
    """

    dialog: Dialog
    message_count: int
    texts: tuple[str, str] | None = attrs.field(default=None, eq=False, repr=False)


class DialogRecords:
    """Dialogs as models: the methods :class:`~patientsky.sandbox._repo.Repo` inherits."""

    tx: Transaction
    conv: WireConverter
    memo: Decoded | None
    _unchanged: Callable[[str, str, Callable[[], Any]], Any]

    def _dialog_rows(self, dialog: Dialog) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        data: dict[str, Any] = self.conv.unstructure(dialog)
        messages: list[dict[str, Any]] = data.pop("messages")
        return data, messages

    def _head(self, found: tuple[str, str, int], *, keep: bool = False) -> DialogHead:
        header, last, count = found
        if self.memo is None or not keep:
            dialog = self.conv.structure(dialog_head_json(header, last), Dialog)
            return DialogHead(dialog, count, (header, last))
        # Kept by both texts, as a record by its text: the same texts, the same dialog.
        # Only for reads: a write reads one head and changes it, so keeping it there
        # would fill the memo with heads no one reads again.
        dialog = self.memo.keyed(
            (Dialog, header, last),
            lambda: self.conv.structure(dialog_head_json(header, last), Dialog),
        )
        return DialogHead(dialog, count, (header, last))

    def dialog_view_json(self, head: DialogHead, kind: str, make: Callable[[], bytes]) -> bytes:
        """
        Return what ``make`` writes for ``head`` (a view of the dialog, as JSON).

        The view is kept by ``kind`` and the texts ``head`` was decoded from, as a
        record by its text: the same texts, the same dialog, the same view.
        """
        if self.memo is None or head.texts is None:
            return make()
        return self.memo.keyed(("dialog view", kind, *head.texts), make)

    def dialog(self, dialog_id: str) -> Dialog | None:
        """Return a whole dialog, every message decoded, or None."""
        data = self.tx.get_dialog(dialog_id)
        return None if data is None else self.conv.structure(data, Dialog)

    def dialog_listing(self, heads: list[DialogHead], kind: str, make: Callable[[], T]) -> T:
        """
        Return what ``make`` derives from ``heads`` alone (a folder's rows, in order).

        Kept by ``kind`` and the texts of every head, in order: the same texts, the same
        dialogs, the same rows.
        """
        texts = tuple(head.texts for head in heads)
        if self.memo is None or None in texts:
            return make()
        return self.memo.keyed(("dialog listing", kind, texts), make)

    def dialog_head(self, dialog_id: str, *, keep: bool = False) -> DialogHead | None:
        """
        Return a dialog's header and last message (see :class:`DialogHead`), or None.

        Args:
            dialog_id: The dialog.
            keep: Keep the decoded dialog by its texts (for a read, not a write).
        """
        if keep:  # a read: kept as the dialog rows are (see dialog_rows_of)
            found = self._unchanged(
                "dialog head", dialog_id, lambda: self.tx.get_dialog_head(dialog_id)
            )
        else:
            found = self.tx.get_dialog_head(dialog_id)
        return None if found is None else self._head(found, keep=keep)

    def dialog_heads_of(self, patient_id: str) -> list[DialogHead]:
        """Return a patient's dialogs, each as its header and last message."""
        return self.dialog_heads(self.dialog_rows_of(patient_id))

    def dialog_rows_of(self, patient_id: str) -> tuple[tuple[str, str, int], ...]:
        """
        Return a patient's dialogs as stored: each one's header and last message texts and count.

        In the order of :meth:`dialog_heads_of`; :meth:`dialog_heads` decodes them. Kept
        between transactions while nothing but access-log entries is written, as the
        access check's reads are (see ``Transaction.kept``).
        """
        rows: tuple[tuple[str, str, int], ...] = self._unchanged(
            "dialog rows",
            patient_id,
            lambda: tuple(self.tx.select_dialog_heads(patient_id=patient_id)),
        )
        return rows

    def dialog_heads(self, rows: tuple[tuple[str, str, int], ...]) -> list[DialogHead]:
        """Return the dialogs of ``rows`` (from :meth:`dialog_rows_of`) as :class:`DialogHead`."""
        return [self._head(found, keep=True) for found in rows]

    def dialog_page(self, key: Hashable, make: Callable[[], T]) -> T:
        """
        Return what ``make`` makes of a page of dialogs, kept by ``key``.

        ``key`` says all it is made from: the question and the rows of
        :meth:`dialog_rows_of` (every text and count), so it cannot be stale.
        """
        if self.memo is None:
            return make()
        return self.memo.page(key, make)

    def dialog_messages_json(self, dialog_id: str, count: int | None = None) -> bytes:
        """
        Return a dialog's messages as their wire JSON array (UTF-8), oldest first, as stored.

        ``count``: how many it has, as read in this transaction (a :class:`DialogHead`'s).
        """
        return self.tx.dialog_messages(dialog_id, count)

    def dialogs_messages_json(self, heads: list[DialogHead]) -> dict[str, bytes]:
        """Return :meth:`dialog_messages_json` of each of ``heads``, by dialog id."""
        return self.tx.dialogs_messages({h.dialog.id: h.message_count for h in heads})

    def dialogs_counted_messages_json(
        self, dialogs: tuple[tuple[str, int], ...]
    ) -> dict[str, bytes]:
        """Return :meth:`dialog_messages_json` of each ``(dialog id, count)``, by dialog id."""
        return self.tx.dialogs_messages(dict(dialogs))

    def save_dialog(self, dialog: Dialog) -> None:
        """Store a whole dialog: its header and every message."""
        header, messages = self._dialog_rows(dialog)
        self.tx.put_dialog(
            dialog.id,
            header,
            messages,
            patient_id=dialog.patient_id,
            clinic_id=dialog.clinic_id,
            sort_key=sort_time(dialog.updated_at),
        )

    def save_dialog_header(self, dialog: Dialog) -> None:
        """
        Store what a dialog's header says (status, closure, read state), not its messages.

        ``dialog`` may be a :class:`DialogHead`'s: only its last message is looked at.
        """
        header, _ = self._dialog_rows(attrs.evolve(dialog, messages=dialog.messages[-1:]))
        if not self.tx.update_dialog(dialog.id, header, sort_key=sort_time(dialog.updated_at)):
            raise InvalidInput("dialog.id", "is not a dialog of the sandbox")

    def append_message(self, dialog: Dialog, message: Message) -> int:
        """
        Store a new message of a dialog and its new header, without touching the others.

        Args:
            dialog: The dialog as the rules returned it with ``message`` added (a
                :class:`DialogHead`'s dialog is enough: only the last message is read).
            message: The new message, the last of ``dialog``.

        Returns:
            How many messages the dialog has now.

        Raises:
            InvalidInput: If ``message`` is not ``dialog``'s last message.
        """
        if dialog.messages[-1] != message:
            raise InvalidInput("message", "must be the dialog's last message")
        header, messages = self._dialog_rows(attrs.evolve(dialog, messages=(message,)))
        return self.tx.append_message(
            dialog.id, header, messages[0], sort_key=sort_time(dialog.updated_at)
        )
