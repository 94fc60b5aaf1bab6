"""
The sandbox's state in SQLite: records as wire JSON, plus the columns they are found by.

One connection, guarded by a lock, serves every worker thread (so ``:memory:`` works
too); every write runs in a ``BEGIN IMMEDIATE`` transaction, so that a check and the
write it allows (a free slot and its booking, an idempotency key and its record) are
one step that no other request can interleave with, also across processes sharing a
database file.

>>> storage = Storage()
>>> with storage.transaction() as tx:
...     tx.put("clinics", "c1", {"id": "c1", "name": "Legesenteret"})
>>> storage.count("clinics")
1
>>> with storage.read() as tx:
...     tx.get("clinics", "c1")["name"]
'Legesenteret'
>>> storage.close()
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from patientsky.errors import InvalidInput

__all__ = ["RECORD_TABLES", "Storage", "StoredResponse", "Transaction"]

RECORD_TABLES = (
    "appointments",
    "calendars",
    "clinics",
    "consent_events",
    "consultations",
    "dialogs",
    "invoices",
    "patients",
    "payments",
    "practitioners",
    "prescription_renewals",
    "public_services",
    "relations",
    "terms",
    "time_slot_types",
    "time_slots",
)
"""The tables that hold records of the domain, each as wire JSON plus lookup columns."""

_OTHER_TABLES = ("photos", "tokens", "idempotency_keys", "meta")

_SCHEMA_RECORD = """
CREATE TABLE IF NOT EXISTS {t} (
    id TEXT PRIMARY KEY,
    patient_id TEXT,
    clinic_id TEXT,
    lookup TEXT,
    sort_key TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS {t}_by_patient ON {t} (patient_id, sort_key);
CREATE INDEX IF NOT EXISTS {t}_by_clinic ON {t} (clinic_id, sort_key);
CREATE INDEX IF NOT EXISTS {t}_by_lookup ON {t} (lookup);
"""

_SCHEMA_OTHER = """
CREATE TABLE IF NOT EXISTS photos (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    method TEXT,
    authenticated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    caller TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (caller, method, path, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE INDEX IF NOT EXISTS tokens_by_expiry ON tokens (expires_at);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_ALL_TABLES = frozenset(RECORD_TABLES + _OTHER_TABLES)


def _table(name: str) -> str:
    # Table names are never user input, but check anyway: they go into SQL text.
    if name not in _ALL_TABLES:
        raise InvalidInput("table", "is not a table of the sandbox")
    return name


class StoredResponse:
    """
    The first response to an idempotent request, kept to replay it.

    Args:
        request_hash: A hash of the request body (and media type) it answered.
        status: The HTTP status.
        media_type: The response's media type.
        headers: Extra response headers to replay (for example ``Location``, ``ETag``).
        body: The response body.
    """

    __slots__ = ("body", "headers", "media_type", "request_hash", "status")

    def __init__(
        self,
        request_hash: str,
        status: int,
        media_type: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        self.request_hash = request_hash
        self.status = status
        self.media_type = media_type
        self.headers = dict(headers)
        self.body = body


class Transaction:
    """
    Reads and writes inside one transaction (or one locked read); get one from :class:`Storage`.

    Args:
        conn: The SQLite connection, already in the transaction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, table: str, record_id: str) -> dict[str, Any] | None:
        """Return the record ``record_id`` of ``table`` as wire JSON, or ``None``."""
        row = self._conn.execute(
            f"SELECT data FROM {_table(table)} WHERE id = ?",  # noqa: S608
            (record_id,),
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def select(
        self,
        table: str,
        *,
        patient_id: str | None = None,
        clinic_id: str | None = None,
        lookup: str | None = None,
    ) -> list[dict[str, Any]]:
        """
        Return the records of ``table`` that match every given column, by sort key then id.

        Args:
            table: The table.
            patient_id: Only records about this patient.
            clinic_id: Only records of this clinic.
            lookup: Only records with this lookup value.
        """
        where, args = [], []
        for column, value in (("patient_id", patient_id), ("clinic_id", clinic_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if lookup is not None:
            where.append("lookup = ?")
            args.append(lookup)
        sql = f"SELECT data FROM {_table(table)}"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY sort_key, id"
        return [dict(json.loads(row[0])) for row in self._conn.execute(sql, args)]

    def put(
        self,
        table: str,
        record_id: str,
        data: Mapping[str, Any],
        *,
        patient_id: str | None = None,
        clinic_id: str | None = None,
        lookup: str | None = None,
        sort_key: str = "",
    ) -> None:
        """Insert or replace the record ``record_id`` of ``table``."""
        self._conn.execute(
            f"INSERT OR REPLACE INTO {_table(table)} "  # noqa: S608
            "(id, patient_id, clinic_id, lookup, sort_key, data) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record_id,
                patient_id,
                clinic_id,
                lookup,
                sort_key,
                json.dumps(data, separators=(",", ":")),
            ),
        )

    def delete(self, table: str, record_id: str) -> bool:
        """Delete a record; return whether it existed."""
        cur = self._conn.execute(
            f"DELETE FROM {_table(table)} WHERE id = ?",  # noqa: S608
            (record_id,),
        )
        return cur.rowcount > 0

    def put_photo(self, photo_id: str, patient_id: str, media_type: str, data: bytes) -> None:
        """Store a photo's bytes."""
        self._conn.execute(
            "INSERT OR REPLACE INTO photos (id, patient_id, media_type, data) VALUES (?, ?, ?, ?)",
            (photo_id, patient_id, media_type, data),
        )

    def get_photo(self, photo_id: str) -> tuple[str, bytes] | None:
        """Return a photo's media type and bytes, or ``None``."""
        row = self._conn.execute(
            "SELECT media_type, data FROM photos WHERE id = ?", (photo_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), bytes(row[1]))

    def delete_photos(self, patient_id: str, *, keep: str) -> None:
        """Delete a patient's photos but ``keep``."""
        self._conn.execute(
            "DELETE FROM photos WHERE patient_id = ? AND id != ?", (patient_id, keep)
        )

    def put_token(
        self,
        token_hash: str,
        *,
        kind: str,
        subject_id: str,
        method: str | None,
        authenticated_at: str,
        expires_at: str,
    ) -> None:
        """Store a token by its hash (the token itself is never stored)."""
        self._conn.execute(
            "INSERT INTO tokens (token_hash, kind, subject_id, method, authenticated_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, kind, subject_id, method, authenticated_at, expires_at),
        )

    def get_token(self, token_hash: str) -> dict[str, str | None] | None:
        """Return a stored token's columns by its hash, or ``None``."""
        row = self._conn.execute(
            "SELECT kind, subject_id, method, authenticated_at, expires_at FROM tokens"
            " WHERE token_hash = ?",
            (token_hash,),
        ).fetchone()
        if row is None:
            return None
        keys = ("kind", "subject_id", "method", "authenticated_at", "expires_at")
        return dict(zip(keys, row, strict=True))

    def get_response(self, caller: str, method: str, path: str, key: str) -> StoredResponse | None:
        """Return the response stored for an idempotency key, or ``None``."""
        row = self._conn.execute(
            "SELECT request_hash, status, media_type, headers, body FROM idempotency_keys"
            " WHERE caller = ? AND method = ? AND path = ? AND key = ?",
            (caller, method, path, key),
        ).fetchone()
        if row is None:
            return None
        return StoredResponse(str(row[0]), int(row[1]), str(row[2]), json.loads(row[3]), row[4])

    def put_response(
        self, caller: str, method: str, path: str, key: str, response: StoredResponse, at: str
    ) -> None:
        """Store the response to an idempotent request, in the transaction of its write."""
        self._conn.execute(
            "INSERT INTO idempotency_keys (caller, method, path, key, request_hash, status,"
            " media_type, headers, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                caller,
                method,
                path,
                key,
                response.request_hash,
                response.status,
                response.media_type,
                json.dumps(response.headers),
                response.body,
                at,
            ),
        )

    def delete_token(self, token_hash: str) -> bool:
        """Delete a token (a logout); return whether there was one."""
        cur = self._conn.execute("DELETE FROM tokens WHERE token_hash = ?", (token_hash,))
        return cur.rowcount > 0

    def purge_tokens(self, expired_before: str) -> int:
        """Delete the tokens that expired before a UTC timestamp; return how many."""
        cur = self._conn.execute("DELETE FROM tokens WHERE expires_at < ?", (expired_before,))
        return cur.rowcount

    def purge_responses(self, created_before: str) -> int:
        """Delete idempotency records stored before a UTC timestamp; return how many."""
        cur = self._conn.execute(
            "DELETE FROM idempotency_keys WHERE created_at < ?", (created_before,)
        )
        return cur.rowcount

    def get_meta(self, name: str) -> str | None:
        """Return a sandbox setting, or ``None``."""
        row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        """Store a sandbox setting."""
        self._conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))


class Storage:
    """
    The sandbox database: a SQLite file, or memory.

    Args:
        path: A database file, or ``":memory:"`` (the default).
    """

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.RLock()
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        with self._lock:
            script = "".join(_SCHEMA_RECORD.format(t=t) for t in RECORD_TABLES) + _SCHEMA_OTHER
            self._conn.executescript(script)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """
        Run a block in one ``BEGIN IMMEDIATE`` transaction: committed if it ends, else rolled back.

        Yields:
            The transaction to read and write through.
        """
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[Transaction]:
        """
        Run a block of reads that see one consistent state.

        Yields:
            A transaction to read through (writes in it are rolled back).
        """
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield Transaction(self._conn)
            finally:
                self._conn.execute("ROLLBACK")

    def count(self, table: str) -> int:
        """Return how many rows ``table`` has, so tests can check nothing was written twice."""
        with self._lock:
            row = self._conn.execute(f"SELECT COUNT(*) FROM {_table(table)}").fetchone()  # noqa: S608
        return int(row[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()
