"""
A version of each clinic's schedule, changed by the database itself whenever its rows change.

A clinic's :class:`~patientsky.models.calendar.Schedule` is made of the rows of four
tables: its calendars (``clinic_id``), its time slot types (``clinic_id``), and the
time slots and appointments of those calendars (``lookup``, the calendar's id). Triggers
on those tables give the clinic a new version, in the same transaction as the change:
``base`` when a calendar, slot type or slot changes, ``appointments`` when an
appointment does. A version is 16 random bytes (SQLite's ``randomblob``), never a
counter, so a version once seen is never seen again with other rows: not after a
transaction that changed them is rolled back, and not in another process sharing the
file. So what was derived from a schedule (the schedule itself, its free-time index,
an answer as the API writes it) can be kept by the clinic's versions, read with a
primary-key lookup, instead of reading and hashing every row on each request; and it
can never be stale.

Every way a row can change is covered: an insert (the new row's clinic), a replace
(``INSERT OR REPLACE`` fires no delete trigger, so a ``BEFORE INSERT`` trigger names
the clinic of the row it replaces), an update (the clinic before and after) and a
delete. A clinic without a row here has had no change to its schedule since the
triggers were made (with the database, or on opening an older one): its version is
``(None, None)``.
"""

from __future__ import annotations

import sqlite3

__all__ = ["RELEASED", "SCHEDULE_VERSIONS_SCHEMA", "ScheduleVersion", "ScheduleVersionRows"]

RELEASED = "released"
"""The ``lookup`` of a stored consultation that holds no time (cancelled)."""

ScheduleVersion = tuple[bytes | None, bytes | None]
"""A clinic's ``(base, appointments)`` versions."""

# The clinic whose schedule a row is part of (row = NEW or OLD).
_OWNER = {
    "calendars": "SELECT {row}.clinic_id AS clinic_id WHERE {row}.clinic_id IS NOT NULL",
    "time_slot_types": "SELECT {row}.clinic_id AS clinic_id WHERE {row}.clinic_id IS NOT NULL",
    "time_slots": "SELECT clinic_id FROM calendars WHERE id = {row}.lookup",
    "appointments": "SELECT clinic_id FROM calendars WHERE id = {row}.lookup",
}
# The clinic of the row an insert replaces (an INSERT OR REPLACE deletes it silently).
_REPLACED = {
    "calendars": "SELECT clinic_id FROM calendars WHERE id = NEW.id AND clinic_id IS NOT NULL",
    "time_slot_types": (
        "SELECT clinic_id FROM time_slot_types WHERE id = NEW.id AND clinic_id IS NOT NULL"
    ),
    "time_slots": (
        "SELECT c.clinic_id FROM time_slots AS r, calendars AS c"
        " WHERE r.id = NEW.id AND c.id = r.lookup"
    ),
    "appointments": (
        "SELECT c.clinic_id FROM appointments AS r, calendars AS c"
        " WHERE r.id = NEW.id AND c.id = r.lookup"
    ),
}


def _bump(table: str, owners: str) -> str:
    """An upsert giving each clinic of ``owners`` (a SELECT of clinic_id) a new version."""
    column = "appointments" if table == "appointments" else "base"
    # Both columns when new: a version row once made is never deleted. Only constant
    # table and column names go into the text.
    return (
        "INSERT INTO schedule_versions (clinic_id, base, appointments)"  # noqa: S608
        f" SELECT clinic_id, randomblob(16), randomblob(16) FROM ({owners}) WHERE true"
        f" ON CONFLICT (clinic_id) DO UPDATE SET {column} = randomblob(16);"
    )


def _triggers() -> list[str]:
    out = [
        (
            "CREATE TABLE IF NOT EXISTS schedule_versions ("
            " clinic_id TEXT PRIMARY KEY, base BLOB NOT NULL, appointments BLOB NOT NULL)"
        )
    ]
    for table, owner in _OWNER.items():
        new, old = owner.format(row="NEW"), owner.format(row="OLD")
        bodies = {
            "before_insert": ("BEFORE INSERT", _bump(table, _REPLACED[table])),
            "after_insert": ("AFTER INSERT", _bump(table, new)),
            "after_update": ("AFTER UPDATE", _bump(table, old) + " " + _bump(table, new)),
            "after_delete": ("AFTER DELETE", _bump(table, old)),
        }
        for name, (when, body) in bodies.items():
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_{name}_version {when} ON {table}"
                f" BEGIN {body} END"
            )
    return out


SCHEDULE_VERSIONS_SCHEMA = tuple(_triggers())
"""The table of versions and its triggers; each made only if missing, so safe to run again."""


class ScheduleVersionRows:
    """
    Reads a clinic's schedule versions; mixed into the Transaction.

    Args:
        conn: The SQLite connection, already in the transaction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def schedule_version(self, clinic_id: str) -> ScheduleVersion:
        """Return a clinic's ``(base, appointments)`` versions, as of this transaction."""
        row = self._conn.execute(
            "SELECT base, appointments FROM schedule_versions WHERE clinic_id = ?", (clinic_id,)
        ).fetchone()
        return (None, None) if row is None else (bytes(row[0]), bytes(row[1]))

    def booking_consultation_texts(self, patient_id: str, clinic_id: str, new_id: str) -> list[str]:
        """
        The stored texts of the consultations a booking is checked against.

        Those of the patient or the clinic but the ones stored as holding no time
        (``lookup`` is :data:`RELEASED`: cancelled, late cancelled), and the one with
        ``new_id`` if there is one. :func:`patientsky.rules.booking.book` looks at
        those that hold time, and at the others only by their id. A row stored without
        the mark is read, whatever it holds: a mark can only leave out what the rule
        would pass over.
        """
        rows = self._conn.execute(
            "SELECT data FROM consultations WHERE (patient_id = ? OR clinic_id = ?)"
            " AND (lookup IS NOT ? OR id = ?) ORDER BY sort_key, id",
            (patient_id, clinic_id, RELEASED, new_id),
        )
        return [str(row[0]) for row in rows]
