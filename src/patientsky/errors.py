"""
The exceptions raised by patientsky, as one tree.

Every exception the library raises on purpose derives from
:class:`PatientSkyError`, so ``except PatientSkyError`` catches them all::

    PatientSkyError
    ├── InvalidInput (also ValueError)     a value that cannot be, with its field path
    ├── AccessDenied                       a rule said no; carries the Reason
    ├── Conflict                           a stale ETag, a slot already booked, a reused key
    ├── NotFound                           no such thing (or not visible to the caller)
    ├── ApiError                           the server answered with a problem document
    │   ├── ResponseValidationError        a 2xx answer whose body does not decode
    │   ├── ClientError                    4xx
    │   │   ├── BadRequest                 400, 413, 415, 422
    │   │   ├── Unauthorized               401
    │   │   ├── Forbidden                  403 (also AccessDenied)
    │   │   ├── ApiNotFound                404 (also NotFound)
    │   │   ├── ApiConflict                409, 412 (also Conflict)
    │   │   └── RateLimited                429
    │   └── ServerError                    5xx
    └── TransportError                     the request never got an answer
        ├── ConnectError                   could not connect: nothing was sent
        ├── ConnectionLost                 the connection dropped after sending
        └── Timeout                        no answer in time
            └── DeadlineExceeded           the call's overall deadline passed

The client raises :class:`ApiError` subclasses and :class:`TransportError`, always
``from`` the underlying exception. The pure core (models and rules) raises only
:class:`InvalidInput`, :class:`AccessDenied` and :class:`Conflict`.

An :class:`ApiError` carries the status, the problem document, the request id, the
response headers and the field errors (:class:`FieldError`); :class:`RateLimited` also
how long the server asked to wait.

Every error from a call (an :class:`ApiError` or a :class:`TransportError`) says what
the call did, across all its attempts: ``may_have_been_applied`` (a write an attempt of
which was sent and never answered, or answered ambiguously, with a 5xx or a timeout),
``idempotency_key`` (the key the write sent on every attempt: call again with
``idempotency_key=err.idempotency_key`` to get the first result instead of acting
twice) and ``attempts``.

Every exception survives :mod:`pickle` and ``copy.copy`` with its message and its
fields, so it can cross a process boundary (multiprocessing, task queues, pytest-xdist).

Messages never contain a national identity number, a token or a request body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from patientsky import reasons

if TYPE_CHECKING:
    from patientsky.reasons import Reason

__all__ = [
    "AccessDenied",
    "ApiConflict",
    "ApiError",
    "ApiNotFound",
    "BadRequest",
    "ClientError",
    "Conflict",
    "ConnectError",
    "ConnectionLost",
    "DeadlineExceeded",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "PatientSkyError",
    "RateLimited",
    "ResponseValidationError",
    "ServerError",
    "Timeout",
    "TransportError",
    "Unauthorized",
]


def _rebuild(cls: type[PatientSkyError], args: tuple[Any, ...]) -> PatientSkyError:
    # BaseException.__new__ keeps ``args`` (the message) without running __init__,
    # whose parameters are not the message; pickle then restores the fields.
    return cls.__new__(cls, *args)


class PatientSkyError(Exception):
    """
    The base of every exception patientsky raises on purpose.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds with ``cls(*self.args)``, but our __init__ methods take
        # fields, not the message; rebuild from the message and restore the fields.
        return _rebuild, (type(self), self.args), self.__dict__ or None


class InvalidInput(PatientSkyError, ValueError):
    """
    A value that cannot be: wrong format, wrong type, out of range.

    Args:
        field: The dotted path of the offending field, for example
            ``"patient.contact.email"`` or ``"data[3].type"``.
        message: What is wrong, in words that never repeat a secret value.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)

    def at(self, prefix: str) -> InvalidInput:
        """
        Return the same error with ``prefix`` put in front of its field path.
        """
        if not prefix:
            return self
        path = (
            f"{prefix}.{self.field}"
            if self.field and not self.field.startswith("[")
            else (f"{prefix}{self.field}")
        )
        return type(self)(path, self.message)


class AccessDenied(PatientSkyError):
    """
    A rule denied the action; :attr:`reason` says which rule and why.

    Args:
        reason: The stable machine-readable reason code.
        message: A human message (English); the Norwegian one is on the decision.
    """

    def __init__(self, reason: Reason, message: str = "") -> None:
        self.reason = reason
        super().__init__(message or str(reason.value))


class Conflict(PatientSkyError):
    """
    The action clashes with the current state.

    For example a stale ETag, a slot already taken, or an idempotency key reused with
    another body.
    """


class NotFound(PatientSkyError):
    """
    The thing asked for does not exist, or is not visible to the caller.
    """


@attrs.frozen
class FieldError:
    """
    One field the server refused, from the ``errors`` list of a problem document.

    Args:
        field: The field's path in the request, in wire names (``"contact.email"``);
            empty for the body as a whole.
        message: What is wrong with it.
    """

    field: str
    message: str


def _field_errors(problem: Mapping[str, Any]) -> tuple[FieldError, ...]:
    items = problem.get("errors")
    if not isinstance(items, list):
        return ()
    return tuple(
        FieldError(item["field"], item["message"])
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("field"), str)
        and isinstance(item.get("message"), str)
    )


def _headers(headers: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        # Repeated headers join with ", ", as HTTP allows for a list-valued header.
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


class _CallOutcome:
    """What a failed call did across its attempts (set by the client when it raises)."""

    may_have_been_applied: bool = False
    """
    Whether the write may have been applied: an attempt was sent and got no answer, or
    an ambiguous one (5xx, a timeout after sending). ``False`` for reads, and for a
    write the server certainly never acted on.
    """

    idempotency_key: str | None = None
    """The ``Idempotency-Key`` the write sent (on every attempt); ``None`` for reads."""

    attempts: int = 0
    """How many attempts the call made (0 when it was not a client call)."""


class ApiError(_CallOutcome, PatientSkyError):
    """
    The server answered with an error status and (usually) a problem document.

    Args:
        status: The HTTP status code.
        problem: The decoded RFC 9457 problem document (may be empty).
        request_id: The server's request id, for support.
        headers: The response headers (names are kept in lower case).

    Attributes:
        headers: The response headers, names in lower case; a repeated header's values
            joined with ``", "``.
        field_errors: The fields the server refused, from the problem's ``errors``.
        may_have_been_applied: Whether an attempt of the write may have been applied
            (see :class:`TransportError`).
        idempotency_key: The write's ``Idempotency-Key``; retry with it.
        attempts: How many attempts the call made.
    """

    def __init__(
        self,
        status: int,
        problem: dict[str, Any] | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self.status = status
        self.problem: dict[str, Any] = dict(problem or {})
        self.request_id = request_id
        self.headers: dict[str, str] = _headers(headers)
        self.field_errors: tuple[FieldError, ...] = _field_errors(self.problem)
        # Not super(): in Forbidden the next class is AccessDenied, whose __init__ takes a Reason.
        PatientSkyError.__init__(self, self._describe())

    def _describe(self) -> str:
        title = self.problem.get("title") or f"HTTP {self.status}"
        detail = self.problem.get("detail")
        text = f"{self.status} {title}" + (f": {detail}" if detail else "")
        if self.code:
            text += f" [{self.code}]"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    @property
    def code(self) -> str | None:
        """The domain reason code from the problem document, if any."""
        code = self.problem.get("code")
        return code if isinstance(code, str) else None


class ResponseValidationError(ApiError):
    """
    A 2xx answer whose body does not decode into what the call returns.

    The server (or something between it and the client) sent a body that is not the
    contract's: not JSON, a missing field, a value of the wrong type. It is raised
    ``from`` the :class:`InvalidInput` that says where the body went wrong.

    Args:
        status: The HTTP status code of the answer.
        field: Where in the body it went wrong (``"response.data[0].type"``).
        message: What is wrong there.
        request_id: The server's request id, for support.
        headers: The response headers.
    """

    def __init__(
        self,
        status: int,
        field: str,
        message: str,
        request_id: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self.field = field
        self.message = message
        super().__init__(status, None, request_id, headers)

    def _describe(self) -> str:
        where = f"{self.field}: " if self.field else ""
        text = f"{self.status} answer did not decode: {where}{self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class ClientError(ApiError):
    """A 4xx answer: the request was wrong, or not allowed."""


class BadRequest(ClientError):
    """400, 413, 415 or 422: the request could not be understood or was invalid."""


class Unauthorized(ClientError):
    """401: no token, or an expired or unknown one."""


class Forbidden(ClientError, AccessDenied):
    """403: the rules denied the action; ``code`` is the reason code."""

    def __init__(
        self,
        status: int,
        problem: dict[str, Any] | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        ClientError.__init__(self, status, problem, request_id, headers)
        self.reason = reasons.Reason.parse(self.code)


class ApiNotFound(ClientError, NotFound):
    """404: no such resource (or not visible to the caller)."""


class ApiConflict(ClientError, Conflict):
    """409 or 412: the state changed under the request (stale ETag, taken slot)."""


class RateLimited(ClientError):
    """
    429: too many requests; the client honours ``Retry-After`` before giving up.

    Args:
        status: The HTTP status code.
        problem: The decoded problem document (may be empty).
        request_id: The server's request id.
        headers: The response headers.
        retry_after: How many seconds the server asked to wait (its ``Retry-After``,
            as delta-seconds or an HTTP-date), or ``None`` if it did not say.
    """

    def __init__(
        self,
        status: int,
        problem: dict[str, Any] | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, problem, request_id, headers)


class ServerError(ApiError):
    """A 5xx answer."""


class TransportError(_CallOutcome, PatientSkyError):
    """
    The request never got an HTTP answer: network, DNS, TLS, timeout.

    The error's type says what the last attempt met; ``may_have_been_applied`` says
    what the whole call may have done. A write whose first attempt was applied (its
    answer lost) and whose retry could not connect raises :class:`ConnectError` with
    ``may_have_been_applied`` true: call again with ``idempotency_key=
    err.idempotency_key`` and the server replays the first result.

    Attributes:
        may_have_been_applied: Whether an attempt of the write may have been applied.
        idempotency_key: The write's ``Idempotency-Key``; retry with it.
        attempts: How many attempts the call made.
    """


class ConnectError(TransportError):
    """The last attempt could not connect: nothing of it was sent."""


class ConnectionLost(TransportError):
    """The connection dropped after the request was sent: the server may have acted."""


class Timeout(TransportError):
    """No answer within the timeout."""


class DeadlineExceeded(Timeout):
    """The call's overall deadline passed (across its attempts and the waits between them)."""
