"""
Dialogs in the database: a header row, and a row per message (appended, never rewritten).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from patientsky.errors import InvalidInput
from patientsky.sandbox._tables import _json

__all__ = ["DialogRows"]


class DialogRows:
    """
    What a transaction does with dialogs; mixed into the Transaction.

    Args:
        conn: The SQLite connection, already in the transaction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

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

    def dialog_messages(self, dialog_id: str) -> bytes:
        """
        Return a dialog's messages as one JSON array in UTF-8, oldest first, as stored.

        The bytes go into a response as they are: nothing is decoded or encoded again
        (not even from UTF-8 to text).
        """
        rows = self._conn.execute(
            "SELECT CAST(data AS BLOB) FROM messages WHERE dialog_id = ? ORDER BY seq",
            (dialog_id,),
        ).fetchall()
        return b"[" + b",".join([row[0] for row in rows]) + b"]"

    def dialogs_messages(self, dialog_ids: list[str]) -> dict[str, bytes]:
        """Return :meth:`dialog_messages` of each of ``dialog_ids`` (at most 500), in one read."""
        found: dict[str, list[bytes]] = {dialog_id: [] for dialog_id in dialog_ids}
        if dialog_ids:
            marks = ",".join("?" * len(dialog_ids))
            rows = self._conn.execute(
                "SELECT dialog_id, CAST(data AS BLOB) FROM messages"  # noqa: S608 -- marks only
                f" WHERE dialog_id IN ({marks}) ORDER BY dialog_id, seq",
                dialog_ids,
            )
            for dialog_id, data in rows:
                found[dialog_id].append(data)
        return {dialog_id: b"[" + b",".join(rows) + b"]" for dialog_id, rows in found.items()}

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
