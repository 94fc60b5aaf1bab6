"""
The access log in the database: one row per entry, appended and never changed.

Entries are numbered in the order they were recorded (``seq``); a patient's log is read
newest first, a page at a time, from an index on patient and number, so listing costs
the same however long the log grows. The table is append-only twice over: the
transaction offers no way to change or delete an entry, and triggers in the database
refuse an ``UPDATE`` or a ``DELETE`` of one, whoever sends it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from patientsky.sandbox._tables import _json

__all__ = ["ACCESS_LOG_SCHEMA", "AccessLogRows"]

ACCESS_LOG_SCHEMA = (
    """
    CREATE TABLE access_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        patient_id TEXT NOT NULL,
        data TEXT NOT NULL
    )
    """,
    "CREATE INDEX access_log_by_patient ON access_log (patient_id, seq)",
    """
    CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END
    """,
    """
    CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END
    """,
)
"""The statements that make the access-log table (triggers hold ``;``, so one each)."""


class AccessLogRows:
    """
    What a transaction does with the access log; mixed into the Transaction.

    Args:
        conn: The SQLite connection, already in the transaction.
    """

    appended = 0
    """How many entries this transaction appended (each one row changed)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def append_access(self, entry_id: str, patient_id: str, data: Mapping[str, Any]) -> int:
        """Append an entry (its wire JSON); return its number in the log."""
        return self.append_access_text(entry_id, patient_id, _json(data))

    def append_access_text(self, entry_id: str, patient_id: str, text: str) -> int:
        """Append an entry, its wire JSON already written as stored; return its number."""
        cur = self._conn.execute(
            "INSERT INTO access_log (id, patient_id, data) VALUES (?, ?, ?)",
            (entry_id, patient_id, text),
        )
        self.appended += 1
        seq = cur.lastrowid
        assert seq is not None  # noqa: S101 -- an INSERT into a rowid table has one
        return seq

    def access_entries(
        self, patient_id: str, *, before: int | None, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """
        Return up to ``limit`` of a patient's entries, newest first, with their numbers.

        Args:
            patient_id: Whose log.
            before: Only entries numbered below this (where the last page ended).
            limit: How many at most.
        """
        sql = "SELECT seq, data FROM access_log WHERE patient_id = ?"
        args: list[Any] = [patient_id]
        if before is not None:
            sql += " AND seq < ?"
            args.append(before)
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(limit)
        return [(int(seq), dict(json.loads(data))) for seq, data in self._conn.execute(sql, args)]
