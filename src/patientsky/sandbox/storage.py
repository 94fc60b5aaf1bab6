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
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, TypeVar

from patientsky.errors import PatientSkyError
from patientsky.sandbox._access_rows import ACCESS_LOG_SCHEMA, AccessLogRows
from patientsky.sandbox._attachment_rows import SCHEMA_ATTACHMENTS, AttachmentRows
from patientsky.sandbox._dialog_rows import DialogRows, MessageArrays
from patientsky.sandbox._schedule_versions import SCHEDULE_VERSIONS_SCHEMA, ScheduleVersionRows
from patientsky.sandbox._tables import (
    _SCHEMA_DIALOGS,
    _SCHEMA_OTHER,
    _SCHEMA_RECORD,
    RECORD_TABLES,
    SCHEMA_VERSION,
    SECRETS,
    SideTables,
    StoredResponse,
    _json,
    _record_table,
    _statements,
    _table,
)

T = TypeVar("T")

__all__ = [
    "RECORD_TABLES",
    "SCHEMA_VERSION",
    "SECRETS",
    "Storage",
    "StoredResponse",
    "Transaction",
    "is_busy",
]


class Transaction(DialogRows, AttachmentRows, SideTables, AccessLogRows, ScheduleVersionRows):
    """
    Reads and writes inside one transaction (or one locked read); get one from :class:`Storage`.

    Args:
        conn: The SQLite connection, already in the transaction.
        arrays: The storage's kept message arrays (see :class:`MessageArrays`).
        writing: Whether this is a write transaction (``BEGIN IMMEDIATE``).
        kept: The storage's kept reads (see :meth:`kept`), for a write transaction.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        arrays: MessageArrays | None = None,
        *,
        writing: bool = False,
        kept: dict[Hashable, Any] | None = None,
    ) -> None:
        DialogRows.__init__(self, conn, arrays, writing=writing)
        self._kept_reads = kept
        self._began = conn.total_changes

    def kept(self, key: Hashable, read: Callable[[], T]) -> T:
        """
        Return ``read()``, or what it returned in an earlier write transaction.

        A value is kept, and given again, only while nothing but access-log entries was
        written: :meth:`Storage.transaction` forgets every kept value when a transaction
        writes anything else, and when another connection commits (``PRAGMA
        data_version``). Within this transaction, once it wrote anything but its
        access-log entry, ``read()`` runs every time. ``key`` says what ``read`` reads.
        """
        kept = self._kept_reads
        if kept is None or self._conn.total_changes - self._began != self.appended:
            return read()
        found = kept.get(key, _MISSING)
        if found is _MISSING:
            found = read()
            if len(kept) >= _KEPT_READS:
                kept.clear()
            kept[key] = found
        return found  # type: ignore[no-any-return]

    @property
    def changes(self) -> int:
        """
        How many rows this connection has changed so far.

        If it is the same as before, nothing was written in between: the transaction
        holds the only connection.
        """
        return self._conn.total_changes

    def get(self, table: str, record_id: str) -> dict[str, Any] | None:
        """Return the record ``record_id`` of ``table`` as wire JSON, or ``None``."""
        text = self.get_text(table, record_id)
        return None if text is None else dict(json.loads(text))

    def get_text(self, table: str, record_id: str) -> str | None:
        """Return the record ``record_id`` of ``table`` as its stored JSON text, or ``None``."""
        row = self._conn.execute(
            f"SELECT data FROM {_record_table(table)} WHERE id = ?",  # noqa: S608
            (record_id,),
        ).fetchone()
        return None if row is None else str(row[0])

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
        found = self.select_text(table, patient_id=patient_id, clinic_id=clinic_id, lookup=lookup)
        return [dict(json.loads(text)) for text in found]

    def select_text(
        self,
        table: str,
        *,
        patient_id: str | None = None,
        clinic_id: str | None = None,
        lookup: str | None = None,
    ) -> list[str]:
        """Return what :meth:`select` returns, each record as its stored JSON text."""
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
        return [str(row[0]) for row in self._conn.execute(sql, args)]

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


_MISSING = object()
_KEPT_READS = 4096


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up waiting for another connection's lock (busy or locked)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


class Storage:
    """
    The sandbox database: a SQLite file, or memory.

    Args:
        path: A database file, or ``":memory:"`` (the default).
        busy_timeout: How long, in seconds, to wait for another connection's write lock
            before SQLite says the database is busy (see ``is_busy``).
    """

    def __init__(self, path: str = ":memory:", busy_timeout: float = 30.0) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._arrays = MessageArrays()  # dialogs' messages, kept between transactions
        self._kept: dict[Hashable, Any] = {}  # see Transaction.kept
        self._version: int | None = None  # PRAGMA data_version when they were last checked
        in_memory = path in ("", ":memory:")
        if not in_memory:
            # Made here, owner only, before SQLite makes it with the umask's mode; SQLite
            # gives the -wal and -shm files the mode of the database file.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=busy_timeout
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
                for statement in _statements(
                    script + _SCHEMA_DIALOGS + SCHEMA_ATTACHMENTS + _SCHEMA_OTHER
                ):
                    conn.execute(statement)
                for statement in ACCESS_LOG_SCHEMA:
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
            # Made if missing, also in a database made before them (see _schedule_versions).
            for statement in SCHEDULE_VERSIONS_SCHEMA:
                conn.execute(statement)
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
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            began = conn.total_changes
            try:
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != self._version:  # another connection committed: forget all
                    self._version = version
                    self._arrays.clear()
                    self._kept.clear()
                tx = Transaction(conn, self._arrays, writing=True, kept=self._kept)
                yield tx
                if conn.total_changes - began != tx.appended:
                    self._kept.clear()  # it wrote more than its access-log entries
                conn.execute("COMMIT")
            except BaseException:
                if conn.total_changes != began:
                    self._arrays.clear()  # it may have kept what is rolled back now
                    self._kept.clear()
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Transaction]:
        """
        Run a block of reads that see one consistent state.

        Yields:
            A transaction to read through (writes in it are rolled back).
        """
        with self._lock:
            self._conn.execute("BEGIN")
            before = self._conn.total_changes
            try:
                yield Transaction(self._conn, self._arrays)
            finally:
                if self._conn.total_changes != before:
                    self._arrays.clear()
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
