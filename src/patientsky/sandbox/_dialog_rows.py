"""
Dialogs in the database: a header row, and a row per message (appended, never rewritten).

A dialog's messages go into an answer as one JSON array of their stored texts. Reading
a long dialog's rows costs more than the rest of a read, so :class:`MessageArrays`
keeps the arrays between transactions, each with the number of messages it holds.
That is exact because message rows are only ever appended (a new ``seq``, so a new
count) or written anew with their dialog (:meth:`DialogRows.put_dialog`, which drops
the dialog's array); see :class:`MessageArrays` for the rest of the argument.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from patientsky.errors import InvalidInput
from patientsky.sandbox._tables import _json

__all__ = ["DialogRows", "MessageArrays"]


class MessageArrays:
    """
    Dialogs' messages as the JSON arrays answers carry, kept by dialog and count.

    An array read when its dialog had ``count`` messages is the array while the dialog
    still has ``count``, because a message row is never changed, only appended with
    the next number, and:

    - a dialog written anew (:meth:`DialogRows.put_dialog`) drops its array;
    - a transaction that changed rows and did not commit drops every array (it may
      have kept a message that is now gone, whose number another message will take);
    - a commit by another connection to the database file drops every array (the
      storage checks ``PRAGMA data_version`` when a write transaction begins);
    - only write transactions read or fill it: their snapshot is the newest, and no
      other connection commits before they end.

    Used only under the storage's lock, as its transactions are. The oldest arrays go
    first when they hold more than ``max_bytes``.

    Args:
        max_bytes: How many bytes of arrays to keep at most.
    """

    def __init__(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        self._arrays: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes

    def __len__(self) -> int:
        return len(self._arrays)

    def get(self, dialog_id: str, count: int) -> bytes | None:
        """Return the array of ``dialog_id`` if it holds ``count`` messages, else None."""
        found = self._arrays.get(dialog_id)
        if found is None or found[0] != count:
            return None
        self._arrays.move_to_end(dialog_id)
        return found[1]

    def put(self, dialog_id: str, count: int, array: bytes) -> None:
        """Keep the array of ``dialog_id``, read with ``count`` messages."""
        self.drop(dialog_id)
        self._arrays[dialog_id] = (count, array)
        self._bytes += len(array)
        while self._bytes > self._max_bytes and self._arrays:
            _, (_, gone) = self._arrays.popitem(last=False)
            self._bytes -= len(gone)

    def drop(self, dialog_id: str) -> None:
        """Forget the array of ``dialog_id``."""
        found = self._arrays.pop(dialog_id, None)
        if found is not None:
            self._bytes -= len(found[1])

    def clear(self) -> None:
        """Forget every array."""
        self._arrays.clear()
        self._bytes = 0


class DialogRows:
    """
    What a transaction does with dialogs; mixed into the Transaction.

    Args:
        conn: The SQLite connection, already in the transaction.
        arrays: The storage's kept message arrays, if any.
        writing: Whether the transaction is a write transaction (``BEGIN IMMEDIATE``):
            only those read and fill ``arrays``.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        arrays: MessageArrays | None = None,
        *,
        writing: bool = False,
    ) -> None:
        self._conn = conn
        self._arrays = arrays
        self._kept_arrays = arrays if writing else None

    # --- dialogs: a header row, and a row per message ---

    def put_dialog(
        self,
        dialog_id: str,
        header: Mapping[str, Any],
        messages: Sequence[Mapping[str, Any]],
        *,
        patient_id: str,
        clinic_id: str,
        sort_key: str,
    ) -> None:
        """
        Insert or replace a whole dialog: its header and all its messages, oldest first.

        Args:
            dialog_id: The dialog's id.
            header: Its wire JSON without ``messages``.
            messages: Its messages' wire JSON, in the order they were sent.
            patient_id: The patient it is about.
            clinic_id: The clinic it is with.
            sort_key: Its sort key (when it was last updated).
        """
        self._conn.execute(
            "INSERT INTO dialogs (id, patient_id, clinic_id, sort_key, message_count, data)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " patient_id = excluded.patient_id, clinic_id = excluded.clinic_id,"
            " sort_key = excluded.sort_key, message_count = excluded.message_count,"
            " data = excluded.data",
            (dialog_id, patient_id, clinic_id, sort_key, len(messages), _json(header)),
        )
        if self._arrays is not None:
            self._arrays.drop(dialog_id)
        self._conn.execute("DELETE FROM messages WHERE dialog_id = ?", (dialog_id,))
        self._conn.executemany(
            "INSERT INTO messages (dialog_id, seq, id, data) VALUES (?, ?, ?, ?)",
            [(dialog_id, seq, str(m["id"]), _json(m)) for seq, m in enumerate(messages)],
        )

    def update_dialog(self, dialog_id: str, header: Mapping[str, Any], *, sort_key: str) -> bool:
        """
        Replace a dialog's header, leaving its messages as they are.

        Returns:
            Whether the dialog exists.
        """
        cur = self._conn.execute(
            "UPDATE dialogs SET data = ?, sort_key = ? WHERE id = ?",
            (_json(header), sort_key, dialog_id),
        )
        return cur.rowcount > 0

    def append_message(
        self,
        dialog_id: str,
        header: Mapping[str, Any],
        message: Mapping[str, Any],
        *,
        sort_key: str,
    ) -> int:
        """
        Add a message after a dialog's last one and replace its header, in constant time.

        The messages before it are neither read nor rewritten.

        Args:
            dialog_id: The dialog's id.
            header: Its new wire JSON without ``messages``.
            message: The new message's wire JSON.
            sort_key: The dialog's new sort key.

        Returns:
            How many messages the dialog has now.

        Raises:
            InvalidInput: If there is no such dialog.
            sqlite3.IntegrityError: If the dialog already has a message with that id.
        """
        row = self._conn.execute(
            "SELECT message_count FROM dialogs WHERE id = ?", (dialog_id,)
        ).fetchone()
        if row is None:
            raise InvalidInput("dialog_id", "is not a dialog of the sandbox")
        seq = int(row[0])
        self._conn.execute(
            "INSERT INTO messages (dialog_id, seq, id, data) VALUES (?, ?, ?, ?)",
            (dialog_id, seq, str(message["id"]), _json(message)),
        )
        self._conn.execute(
            "UPDATE dialogs SET data = ?, sort_key = ?, message_count = ? WHERE id = ?",
            (_json(header), sort_key, seq + 1, dialog_id),
        )
        return seq + 1

    _HEAD = (
        "SELECT d.data, d.message_count, m.data FROM dialogs AS d"
        " JOIN messages AS m ON m.dialog_id = d.id AND m.seq = d.message_count - 1"
    )

    def get_dialog_head(self, dialog_id: str) -> tuple[str, str, int] | None:
        """
        Return a dialog's header and its last message (their JSON texts), and its count.

        Reads two rows, however long the dialog is; ``None`` if there is no such dialog.
        :func:`dialog_head_json` makes the dialog's wire JSON of them.
        """
        row = self._conn.execute(self._HEAD + " WHERE d.id = ?", (dialog_id,)).fetchone()
        return None if row is None else (row[0], row[2], int(row[1]))

    def select_dialog_heads(self, *, patient_id: str) -> list[tuple[str, str, int]]:
        """
        Return a patient's dialogs as :meth:`get_dialog_head` does, by sort key then id.

        Args:
            patient_id: The patient the dialogs are about.
        """
        rows = self._conn.execute(
            self._HEAD + " WHERE d.patient_id = ? ORDER BY d.sort_key, d.id", (patient_id,)
        )
        return [(row[0], row[2], int(row[1])) for row in rows]

    def dialog_messages(self, dialog_id: str, count: int | None = None) -> bytes:
        """
        Return a dialog's messages as one JSON array in UTF-8, oldest first, as stored.

        The bytes go into a response as they are: nothing is decoded or encoded again
        (not even from UTF-8 to text).

        Args:
            dialog_id: The dialog.
            count: How many messages it has, as read in this transaction: the array is
                then kept (see :class:`MessageArrays`).
        """
        return self.dialogs_messages({dialog_id: count})[dialog_id]

    def dialogs_messages(self, counts: Mapping[str, int | None]) -> dict[str, bytes]:
        """Return :meth:`dialog_messages` of each dialog of ``counts`` (a count each, or None)."""
        kept = self._kept_arrays
        found: dict[str, bytes] = {}
        for dialog_id, count in counts.items():
            array = None if kept is None or count is None else kept.get(dialog_id, count)
            if array is None:
                rows = self._conn.execute(
                    "SELECT CAST(data AS BLOB) FROM messages WHERE dialog_id = ? ORDER BY seq",
                    (dialog_id,),
                ).fetchall()
                array = b"[" + b",".join([row[0] for row in rows]) + b"]"
                if kept is not None and count is not None and len(rows) == count:
                    kept.put(dialog_id, count, array)
            found[dialog_id] = array
        return found

    def get_dialog(self, dialog_id: str) -> dict[str, Any] | None:
        """Return a whole dialog (header and every message) as wire JSON, or ``None``."""
        row = self._conn.execute("SELECT data FROM dialogs WHERE id = ?", (dialog_id,)).fetchone()
        if row is None:
            return None
        dialog = dict(json.loads(row[0]))
        dialog["messages"] = json.loads(self.dialog_messages(dialog_id))
        return dialog


def dialog_head_json(header: str, last_message: str) -> dict[str, Any]:
    """A dialog's wire JSON from its header's and its last message's texts."""
    head = dict(json.loads(header))
    head["messages"] = [json.loads(last_message)]
    return head
