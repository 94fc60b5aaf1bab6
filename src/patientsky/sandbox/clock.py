"""
The sandbox clock: real time by default, or a test clock that can be set and advanced.

Like Stripe's test clocks, a test or the demo freezes the sandbox's "now", moves it
forward, and watches time-dependent rules act: a 16th birthday, a relation's end, a new
payment year, a token's expiry. Everything in the sandbox asks this clock, never
:func:`datetime.datetime.now` directly.

>>> import datetime as dt
>>> clock = SandboxClock(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
>>> clock.advance(dt.timedelta(hours=1)).isoformat()
'2026-03-01T13:00:00+00:00'
>>> clock.is_frozen
True
"""

from __future__ import annotations

import datetime as dt
import threading

from patientsky.errors import InvalidInput

__all__ = ["EARLIEST", "LATEST", "SandboxClock"]

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The earliest time the clock can be set to."""
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""The latest time the clock can be set or moved to (far from datetime's limits)."""


class SandboxClock:
    """
    A clock the sandbox reads for every time-dependent decision.

    Thread-safe: the server reads it from many worker threads while a test sets it.

    Args:
        now: Freeze the clock at this (timezone-aware) time; ``None`` follows real time.

    Raises:
        InvalidInput: With field ``now``, if ``now`` is naive.
    """

    def __init__(self, now: dt.datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen: dt.datetime | None = None
        if now is not None:
            self.set(now)

    @property
    def is_frozen(self) -> bool:
        """Whether the clock was set (a test clock) rather than following real time."""
        with self._lock:
            return self._frozen is not None

    def now(self) -> dt.datetime:
        """Return the current sandbox time, timezone-aware (UTC unless set otherwise)."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
        return dt.datetime.now(dt.UTC)

    def set(self, now: dt.datetime) -> dt.datetime:
        """
        Freeze the clock at ``now``.

        Args:
            now: The new time; must be timezone-aware.

        Returns:
            The new time.

        Raises:
            InvalidInput: With field ``now``, if ``now`` is naive or outside 1970 to 2199.
        """
        given: object = now  # typed callers pass a datetime; others may not
        if not isinstance(given, dt.datetime) or now.tzinfo is None or now.utcoffset() is None:
            raise InvalidInput("now", "must be a timezone-aware date-time")
        if not EARLIEST <= now < LATEST:
            raise InvalidInput("now", "must be from 1970 to 2199")
        with self._lock:
            self._frozen = now
        return now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """
        Move the clock forward by ``delta`` (freezing it at the current time first).

        Args:
            delta: How far; must not be negative.

        Returns:
            The new time.

        Raises:
            InvalidInput: With field ``seconds``, if ``delta`` is negative or goes past 2199.
        """
        if delta < dt.timedelta(0):
            raise InvalidInput("seconds", "must not be negative: the clock only moves forward")
        with self._lock:
            base = self._frozen if self._frozen is not None else dt.datetime.now(dt.UTC)
            if delta > LATEST - base:
                raise InvalidInput("seconds", "would move the clock past 2199")
            self._frozen = base + delta
            return self._frozen

    def reset(self) -> None:
        """Go back to real time."""
        with self._lock:
            self._frozen = None
