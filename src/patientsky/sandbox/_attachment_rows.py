"""
Attachments in the database: a row per uploaded file, its description and its bytes.

An attachment is uploaded first (``dialog_id`` and ``message_id`` empty: pending), then
sent with one message, which fills them in; it is never sent twice. The bytes are kept
as they came (the digest in the description is theirs), apart from the wire records,
so listing a dialog never reads them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from patientsky.sandbox._tables import _json

__all__ = ["SCHEMA_ATTACHMENTS", "AttachmentRow", "AttachmentRows"]

SCHEMA_ATTACHMENTS = """
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    uploader_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dialog_id TEXT,
    message_id TEXT,
    data TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX attachments_by_patient ON attachments (patient_id, dialog_id, created_at);
CREATE INDEX attachments_by_message ON attachments (dialog_id, message_id);
"""
"""The table of attachments (created with the others when a database is new)."""


class AttachmentRow(NamedTuple):
    """An attachment as stored, without its bytes."""

    data: dict[str, Any]
    """Its wire JSON."""
    patient_id: str
    """The patient whose dialog it is for."""
    uploader_id: str
    """The person who uploaded it."""
    created_at: str
    """When it was uploaded, as a UTC timestamp."""
    dialog_id: str | None
    """The dialog it was sent in; None while it is pending."""


class AttachmentRows:
    """
    What a transaction does with attachments; mixed into the Transaction.

    Args:
        conn: The SQLite connection, already in the transaction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def put_attachment(
        self,
        data: Mapping[str, Any],
        content: bytes,
        *,
        patient_id: str,
        uploader_id: str,
        created_at: str,
    ) -> None:
        """
        Store an uploaded attachment, not yet sent with a message.

        Args:
            data: Its wire JSON (the :class:`~patientsky.models.attachment.Attachment`).
            content: Its bytes.
            patient_id: The patient whose dialog it is for.
            uploader_id: The person who uploaded it (the only one who may send it).
            created_at: When, as a UTC timestamp.
        """
        self._conn.execute(
            "INSERT INTO attachments (id, patient_id, uploader_id, created_at, data, content)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (str(data["id"]), patient_id, uploader_id, created_at, _json(data), content),
        )

    def get_attachment(self, attachment_id: str) -> AttachmentRow | None:
        """Return an attachment as stored, without its bytes, or ``None``."""
        row = self._conn.execute(
            "SELECT data, patient_id, uploader_id, created_at, dialog_id FROM attachments"
            " WHERE id = ?",
            (attachment_id,),
        ).fetchone()
        if row is None:
            return None
        return AttachmentRow(
            dict(json.loads(row[0])), str(row[1]), str(row[2]), str(row[3]), row[4]
        )

    def attachment_content(self, dialog_id: str, attachment_id: str) -> bytes | None:
        """Return the bytes of an attachment sent in ``dialog_id``, or ``None``."""
        row = self._conn.execute(
            "SELECT content FROM attachments WHERE id = ? AND dialog_id = ?",
            (attachment_id, dialog_id),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def count_pending_attachments(self, patient_id: str) -> int:
        """Return how many attachments for ``patient_id`` are uploaded and not yet sent."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM attachments WHERE patient_id = ? AND dialog_id IS NULL",
            (patient_id,),
        ).fetchone()
        return int(row[0])

    def purge_pending_attachments(self, patient_id: str, created_before: str) -> int:
        """Delete a patient's unsent attachments uploaded before a UTC timestamp; say how many."""
        cur = self._conn.execute(
            "DELETE FROM attachments WHERE patient_id = ? AND dialog_id IS NULL AND created_at < ?",
            (patient_id, created_before),
        )
        return cur.rowcount

    def mark_attachments_sent(
        self, attachment_ids: Sequence[str], *, dialog_id: str, message_id: str
    ) -> int:
        """Record that pending attachments went with a message; return how many did."""
        sent = 0
        for attachment_id in attachment_ids:
            cur = self._conn.execute(
                "UPDATE attachments SET dialog_id = ?, message_id = ?"
                " WHERE id = ? AND dialog_id IS NULL",
                (dialog_id, message_id, attachment_id),
            )
            sent += cur.rowcount
        return sent

    def message_data(self, dialog_id: str, message_id: str) -> dict[str, Any] | None:
        """Return one message of a dialog as wire JSON, or ``None``."""
        row = self._conn.execute(
            "SELECT data FROM messages WHERE dialog_id = ? AND id = ?", (dialog_id, message_id)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))
