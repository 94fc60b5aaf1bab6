"""
The sandbox's state in SQLite: records as wire JSON, plus the columns they are found by.

One connection, guarded by a lock, serves every worker thread (so ``:memory:`` works
too); every write runs in a ``BEGIN IMMEDIATE`` transaction, so that a check and the
write it allows (a free slot and its booking, an idempotency key and its record) are
one step that no other request can interleave with, also across processes sharing a
database file.

**Writes in constant time.** A dialog is a small header row (``dialogs``) plus one row
per message (``messages``, keyed by dialog and sequence number). A reply appends one
message row and updates the header; it never decodes or rewrites the messages before
it. (The answer to a reply still carries the whole dialog, as the contract says: its
messages go into the body as the JSON they are stored as.) Every other record is its
own row, so no write rewrites a growing record.

**Durability.** A database file runs in WAL mode with ``synchronous = FULL``: a
transaction is in the write-ahead log and synced to disk when ``COMMIT`` returns, and
the server answers only after that. So an acknowledged (2xx) write survives the
process being killed (``SIGKILL``) and also a power loss or an operating system
crash. (``NORMAL`` would survive a killed process too, since the log is then in the
operating system's cache, but could lose the last transactions on a power loss; a
stand-in for a production API should not answer "created" for something it may lose.)
The price is one sync of the log per write.

**Secrets and permissions.** A new database file is created readable and writable by
its owner only (``0600``); SQLite gives its ``-wal`` and ``-shm`` files the same mode.
The keys the sandbox needs (for the keyed hash that finds a patient by national
identity number, and for video room links) are made with :mod:`secrets` when the
database is created and kept in it: none is in the source. A database made by an
older version of the sandbox (another schema) is refused with a clear error rather
than migrated: start a new file.

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
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from patientsky.errors import InvalidInput, PatientSkyError

__all__ = ["RECORD_TABLES", "SCHEMA_VERSION", "SECRETS", "Storage", "StoredResponse", "Transaction"]

SCHEMA_VERSION = "2"
"""The version of the tables' layout, kept in ``meta``; another version is refused."""

SECRETS = ("national_id_key", "video_link_key")
"""The keys made at random for each new database and kept in ``meta``, by name."""

RECORD_TABLES = (
    "appointments",
    "calendars",
    "clinics",
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

_OTHER_TABLES = ("dialogs", "messages", "photos", "tokens", "idempotency_keys", "meta")

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
            f"SELECT data FROM {_record_table(table)} WHERE id = ?",  # noqa: S608
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
        sql = f"SELECT data FROM {_record_table(table)}"  # noqa: S608
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
            f"INSERT OR REPLACE INTO {_record_table(table)} "  # noqa: S608
            "(id, patient_id, clinic_id, lookup, sort_key, data) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record_id,
                patient_id,
                clinic_id,
                lookup,
                sort_key,
                _json(data),
            ),
        )

    def delete(self, table: str, record_id: str) -> bool:
        """Delete a record; return whether it existed."""
        cur = self._conn.execute(
            f"DELETE FROM {_record_table(table)} WHERE id = ?",  # noqa: S608
            (record_id,),
        )
        return cur.rowcount > 0

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

    @staticmethod
    def _head(row: Any) -> tuple[dict[str, Any], int]:
        head = dict(json.loads(row[0]))
        head["messages"] = [json.loads(row[2])]
        return head, int(row[1])

    def get_dialog_head(self, dialog_id: str) -> tuple[dict[str, Any], int] | None:
        """
        Return a dialog's wire JSON with its last message only, and its message count.

        Reads two rows, however long the dialog is; ``None`` if there is no such dialog.
        """
        row = self._conn.execute(self._HEAD + " WHERE d.id = ?", (dialog_id,)).fetchone()
        return None if row is None else self._head(row)

    def select_dialog_heads(self, *, patient_id: str) -> list[tuple[dict[str, Any], int]]:
        """
        Return a patient's dialogs as :meth:`get_dialog_head` does, by sort key then id.

        Args:
            patient_id: The patient the dialogs are about.
        """
        rows = self._conn.execute(
            self._HEAD + " WHERE d.patient_id = ? ORDER BY d.sort_key, d.id", (patient_id,)
        )
        return [self._head(row) for row in rows]

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

    def get_dialog(self, dialog_id: str) -> dict[str, Any] | None:
        """Return a whole dialog (header and every message) as wire JSON, or ``None``."""
        row = self._conn.execute("SELECT data FROM dialogs WHERE id = ?", (dialog_id,)).fetchone()
        if row is None:
            return None
        dialog = dict(json.loads(row[0]))
        dialog["messages"] = json.loads(self.dialog_messages(dialog_id))
        return dialog

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
        in_memory = path in ("", ":memory:")
        if not in_memory:
            # Made here, owner only, before SQLite makes it with the umask's mode; SQLite
            # gives the -wal and -shm files the mode of the database file.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = FULL")
            with self._lock:
                self._open()
        except BaseException:
            self._conn.close()
            raise

    def _open(self) -> None:
        """Create the tables and secrets of a new database, or check an existing one's."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not tables:
                script = "".join(_SCHEMA_RECORD.format(t=t) for t in RECORD_TABLES)
                for statement in _statements(script + _SCHEMA_DIALOGS + _SCHEMA_OTHER):
                    conn.execute(statement)
                meta = [("schema_version", SCHEMA_VERSION)]
                meta += [(name, secrets.token_hex(32)) for name in SECRETS]
                conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", meta)
            else:
                found = None
                if "meta" in tables:
                    row = conn.execute(
                        "SELECT value FROM meta WHERE name = 'schema_version'"
                    ).fetchone()
                    found = None if row is None else str(row[0])
                if found != SCHEMA_VERSION:
                    raise PatientSkyError(
                        f"the database {self.path!r} was made by another version of the"
                        " sandbox, or is not a sandbox database (schema version"
                        f" {found or 'none'}; this sandbox needs {SCHEMA_VERSION}):"
                        " start the sandbox with a new file"
                    )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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

    @property
    def total_changes(self) -> int:
        """
        How many rows were inserted, updated or deleted since the database was opened.

        Tests use it to check that a write touches a fixed number of rows.
        """
        with self._lock:
            return self._conn.total_changes

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
