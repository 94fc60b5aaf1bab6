"""
The sandbox database's tables: their SQL, and the rows that are not wire records.

:class:`SideTables` holds what :class:`~patientsky.sandbox.storage.Transaction` does
with photos, tokens, stored responses and settings, :class:`DialogRows` (in
:mod:`patientsky.sandbox._dialog_rows`) what it does with dialogs, :class:`AccessLogRows`
(in :mod:`patientsky.sandbox._access_rows`) with the append-only access log; the generic
records are in :mod:`patientsky.sandbox.storage`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from patientsky.errors import InvalidInput

__all__ = [
    "RECORD_TABLES",
    "SCHEMA_VERSION",
    "SECRETS",
    "SideTables",
    "StoredResponse",
]

SCHEMA_VERSION = "3"
"""The version of the tables' layout, kept in ``meta``; another version is refused."""

SECRETS = ("national_id_key", "video_link_key")
"""The keys made at random for each new database and kept in ``meta``, by name."""

RECORD_TABLES = (
    "appointments",
    "calendars",
    "clinics",
    "connections",
    "consent_events",
    "consultations",
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

_OTHER_TABLES = (
    "access_log",
    "dialogs",
    "messages",
    "attachments",
    "photos",
    "tokens",
    "idempotency_keys",
    "calendar_feeds",
    "meta",
)

_SCHEMA_RECORD = """
CREATE TABLE {t} (
    id TEXT PRIMARY KEY,
    patient_id TEXT,
    clinic_id TEXT,
    lookup TEXT,
    sort_key TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL
);
CREATE INDEX {t}_by_patient ON {t} (patient_id, sort_key);
CREATE INDEX {t}_by_clinic ON {t} (clinic_id, sort_key);
CREATE INDEX {t}_by_lookup ON {t} (lookup);
"""

# A dialog's header (its wire JSON without "messages") and how many messages it has;
# the messages are rows of their own, numbered from 0 in the order they were sent.
_SCHEMA_DIALOGS = """
CREATE TABLE dialogs (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    clinic_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    message_count INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX dialogs_by_patient ON dialogs (patient_id, sort_key);
CREATE INDEX dialogs_by_clinic ON dialogs (clinic_id, sort_key);
CREATE TABLE messages (
    dialog_id TEXT NOT NULL REFERENCES dialogs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (dialog_id, seq),
    UNIQUE (dialog_id, id)
);
"""

_SCHEMA_OTHER = """
CREATE TABLE photos (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    method TEXT,
    authenticated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE idempotency_keys (
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
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_ALL_TABLES = frozenset(RECORD_TABLES + _OTHER_TABLES)


def _table(name: str, tables: frozenset[str] = _ALL_TABLES) -> str:
    # Table names are never user input, but check anyway: they go into SQL text.
    if name not in tables:
        raise InvalidInput("table", "is not a table of the sandbox")
    return name


def _record_table(name: str) -> str:
    return _table(name, frozenset(RECORD_TABLES))


def _json(data: Any) -> str:
    # The form the sandbox answers in, so stored text can go into a response as it is.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


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


class SideTables:
    """
    Photos, tokens, calendar feeds, stored responses and settings; mixed into the Transaction.

    Args:
        conn: The SQLite connection, already in the transaction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

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

    def put_calendar_feed(self, token_hash: str, patient_id: str, created_at: str) -> None:
        """Store a patient's calendar feed token by its hash, replacing their old one."""
        self._conn.execute("DELETE FROM calendar_feeds WHERE patient_id = ?", (patient_id,))
        self._conn.execute(
            "INSERT INTO calendar_feeds (token_hash, patient_id, created_at) VALUES (?, ?, ?)",
            (token_hash, patient_id, created_at),
        )

    def get_calendar_feed(self, token_hash: str) -> tuple[str, str] | None:
        """Return the patient id and creation time of a feed token's hash, or ``None``."""
        row = self._conn.execute(
            "SELECT patient_id, created_at FROM calendar_feeds WHERE token_hash = ?",
            (token_hash,),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def has_calendar_feed(self, patient_id: str) -> bool:
        """Whether a patient has a calendar feed token."""
        row = self._conn.execute(
            "SELECT 1 FROM calendar_feeds WHERE patient_id = ?", (patient_id,)
        ).fetchone()
        return row is not None

    def delete_calendar_feed(self, patient_id: str) -> bool:
        """Delete a patient's calendar feed token; return whether there was one."""
        cur = self._conn.execute("DELETE FROM calendar_feeds WHERE patient_id = ?", (patient_id,))
        return cur.rowcount > 0

    def get_meta(self, name: str) -> str | None:
        """Return a sandbox setting, or ``None``."""
        row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        """Store a sandbox setting."""
        self._conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))
