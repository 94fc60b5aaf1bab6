"""
Rate limits of the sandbox: a token bucket per caller, on a monotonic clock.

A bucket holds up to ``burst`` tokens and gains ``per_minute`` of them a minute; each
request takes one, and a request that finds the bucket empty is refused with 429
``rate_limited`` and a ``Retry-After`` (whole seconds until a token is back). Logins
count per client address and, for a person's login, per national identity number;
writes (``POST``, ``PUT``, ``PATCH``, ``DELETE``) count per logged-in caller, and an
upload (a photo, which costs a whole image's decoding and encoding, or a file to
attach) counts once more against a smaller bucket of its own.

The buckets run on ``time.monotonic``, never on the sandbox clock: tests move that
clock by days, which must neither refill nor drain anyone's bucket. Memory is bounded:
a bucket that has been idle long enough to be full again is forgotten (it would behave
exactly like a new one), and no more than ``max_tracked`` keys are kept per kind of
limit (past that, the longest idle goes first). A national identity number is never a
key: its keyed hash is, with a key that lives only in this process.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from patientsky.errors import InvalidInput
from patientsky.models import NationalId
from patientsky.rules.dialogs import MAX_MESSAGES_PER_DIALOG
from patientsky.sandbox._http import ApiProblem

if TYPE_CHECKING:
    from patientsky.sandbox._context import Ctx
    from patientsky.sandbox._declare import Operation

__all__ = [
    "LOGIN_PATHS",
    "Guard",
    "Limits",
    "Rate",
    "Throttle",
    "guard_operations",
    "is_limited",
]

LOGIN_PATHS = frozenset({"/v1/sandbox/login", "/v1/sandbox/clinic-login"})
"""The operations that log someone in, limited per client address."""

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _positive_int(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(attr.name, "must be a positive integer")


def _positive_number(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise InvalidInput(attr.name, "must be a positive number")


@attrs.frozen
class Rate:
    """
    A token bucket's shape: ``burst`` requests at once, then ``per_minute`` a minute.

    Args:
        burst: How many requests may come at once (the bucket's size).
        per_minute: How many requests a minute it allows over time (the refill rate).
    """

    burst: int = attrs.field(validator=_positive_int)
    per_minute: float = attrs.field(validator=_positive_number)

    @property
    def per_second(self) -> float:
        """Tokens gained a second."""
        return self.per_minute / 60.0

    @property
    def refill_seconds(self) -> float:
        """How long an empty bucket takes to fill up again."""
        return self.burst / self.per_second


@attrs.frozen
class Limits:
    """
    The sandbox's limits: rates per caller and caps on what one caller can fill.

    Every rate may be None, for no limit; :meth:`unlimited` turns them all off (for a
    benchmark, say) and keeps the caps.

    Args:
        login_per_client: Logins (a person's or a clinic's) per client address.
        login_per_person: A person's logins per national identity number.
        writes_per_caller: ``POST``, ``PUT``, ``PATCH`` and ``DELETE`` requests per
            logged-in person or clinic.
        photos_per_caller: Uploads (profile photos and files to attach) per logged-in
            person (they count as writes too).
        messages_per_dialog: How many messages a dialog holds (``dialog_full`` past it).
        max_tracked: How many keys each rate keeps buckets for at most.
        clock: The monotonic clock, in seconds; ``time.monotonic`` by default.
    """

    login_per_client: Rate | None = Rate(burst=100, per_minute=60)
    login_per_person: Rate | None = Rate(burst=60, per_minute=30)
    writes_per_caller: Rate | None = Rate(burst=600, per_minute=600)
    photos_per_caller: Rate | None = Rate(burst=20, per_minute=10)
    messages_per_dialog: int = attrs.field(default=MAX_MESSAGES_PER_DIALOG, validator=_positive_int)
    max_tracked: int = attrs.field(default=10_000, validator=_positive_int)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, repr=False)

    @classmethod
    def unlimited(cls, **changes: Any) -> Limits:
        """Return limits with no rate limit at all (the caps stay), changed by ``changes``."""
        base = cls(
            login_per_client=None,
            login_per_person=None,
            writes_per_caller=None,
            photos_per_caller=None,
        )
        return attrs.evolve(base, **changes)


class Throttle:
    """
    Token buckets for many keys under one :class:`Rate`; not locked (see :class:`Guard`).

    Args:
        rate: The buckets' shape.
        clock: The monotonic clock, in seconds.
        max_tracked: How many keys to keep buckets for at most.
    """

    def __init__(self, rate: Rate, clock: Callable[[], float], max_tracked: int) -> None:
        self.rate = rate
        self._clock = clock
        self._max = max_tracked
        # key -> (tokens, when counted); oldest update first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: str, now: float) -> float:
        kept = self._buckets.get(key)
        if kept is None:
            return float(self.rate.burst)
        tokens, then = kept
        return min(float(self.rate.burst), tokens + max(0.0, now - then) * self.rate.per_second)

    def wait(self, key: str) -> float:
        """Return how many seconds until ``key`` may make a request (0 if now)."""
        tokens = self._tokens(key, self._clock())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate.per_second

    def take(self, key: str) -> None:
        """Count one request of ``key`` (callers check :meth:`wait` first)."""
        now = self._clock()
        tokens = self._tokens(key, now)
        self._buckets[key] = (max(0.0, tokens - 1.0), now)
        self._buckets.move_to_end(key)
        self._forget(now)

    def _forget(self, now: float) -> None:
        full = self.rate.refill_seconds
        while self._buckets:
            oldest, (_tokens, then) = next(iter(self._buckets.items()))
            if now - then < full and len(self._buckets) <= self._max:
                break
            del self._buckets[oldest]


def _retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))


class Guard:
    """
    The sandbox's rate limits, checked for each request that they concern; thread-safe.

    Args:
        limits: The limits.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(32)

        def throttle(rate: Rate | None) -> Throttle | None:
            return None if rate is None else Throttle(rate, limits.clock, limits.max_tracked)

        self.clients = throttle(limits.login_per_client)
        self.people = throttle(limits.login_per_person)
        self.writers = throttle(limits.writes_per_caller)
        self.photographers = throttle(limits.photos_per_caller)

    def person_key(self, national_id: NationalId) -> str:
        """Return the key a person's logins count under: a keyed hash, never the number."""
        digest = hmac.new(self._secret, national_id.reveal().encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def admit(self, checks: list[tuple[Throttle | None, str, str]]) -> None:
        """
        Count one request against every ``(throttle, key, what)``, or none if one is empty.

        Raises:
            ApiProblem: 429 ``rate_limited`` with ``Retry-After``, naming what ran out.
        """
        active = [(t, key, what) for t, key, what in checks if t is not None]
        if not active:
            return
        with self._lock:
            for throttle, key, what in active:
                wait = throttle.wait(key)
                if wait > 0:
                    seconds = _retry_after(wait)
                    raise ApiProblem(
                        429,
                        "rate_limited",
                        f"too many {what}; try again in {seconds} s",
                        headers={"Retry-After": str(seconds)},
                    )
            for throttle, key, _what in active:
                throttle.take(key)

    def login(self, ctx: Ctx) -> None:
        """
        Count a login: per client address and, for a person, per national identity number.

        Raises:
            ApiProblem: 429 if either has run out.
        """
        checks = [(self.clients, f"client:{ctx.call.client}", "logins from this address")]
        person = _national_id(ctx)
        if person is not None:
            checks.append((self.people, self.person_key(person), "logins for this person"))
        self.admit(checks)

    def write(self, ctx: Ctx) -> None:
        """
        Count a write by the logged-in caller.

        Raises:
            ApiProblem: 429 if the caller's writes have run out.
        """
        if ctx.principal is not None:
            self.admit([(self.writers, ctx.principal.caller, "writes by this caller")])

    def photo(self, ctx: Ctx) -> None:
        """
        Count a photo upload by the logged-in caller: as a write, and as a photo.

        Raises:
            ApiProblem: 429 if the caller's writes or photo uploads have run out.
        """
        if ctx.principal is not None:
            caller = ctx.principal.caller
            self.admit(
                [
                    (self.writers, caller, "writes by this caller"),
                    (self.photographers, caller, "uploads by this caller"),
                ]
            )


def _national_id(ctx: Ctx) -> NationalId | None:
    """The national identity number of a login body, if it holds a valid one."""
    try:
        raw = ctx.call.json().get("nationalId")
        return NationalId.parse(raw, allow_synthetic=True) if isinstance(raw, str) else None
    except (ApiProblem, InvalidInput):
        return None  # the handler says what is wrong with the body


def guard_operations(
    operations: Mapping[str, Mapping[str, Operation]], guard: Guard
) -> dict[str, dict[str, Operation]]:
    """
    Return the operations with the rate limits in front of the handlers they concern.

    Each operation declares its limit (:attr:`~patientsky.sandbox._declare.Operation.rate_limit`).
    A login counts before its body is looked at; a write counts after its caller is
    authenticated (and after an idempotent replay, which writes nothing).

    Args:
        operations: Every path's operations by method.
        guard: The rate limits.

    Returns:
        The same table, with the limited handlers wrapped.
    """
    checks = {"login": guard.login, "photo": guard.photo, "write": guard.write}
    guarded: dict[str, dict[str, Operation]] = {}
    for path, ops in operations.items():
        guarded[path] = {}
        for method, op in ops.items():
            limit = op.rate_limit
            guarded[path][method] = op if limit is None else _wrapped(op, checks[limit])
    return guarded


def _wrapped(op: Operation, check: Callable[[Ctx], None]) -> Operation:
    handler = op.handler

    def limited(ctx: Ctx) -> Any:
        check(ctx)
        return handler(ctx)

    limited.__doc__ = handler.__doc__
    return attrs.evolve(op, handler=limited)


def is_limited(path: str, method: str, *, auth: bool, writes: bool) -> bool:
    """Whether a rate limit stands in front of an operation (the contract's 429s)."""
    return path in LOGIN_PATHS or (auth and writes and method.upper() in _UNSAFE)
