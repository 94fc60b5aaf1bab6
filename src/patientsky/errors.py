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
    │   ├── ClientError                    4xx
    │   │   ├── BadRequest                 400, 413, 415, 422
    │   │   ├── Unauthorized               401
    │   │   ├── Forbidden                  403 (also AccessDenied)
    │   │   ├── ApiNotFound                404 (also NotFound)
    │   │   ├── ApiConflict                409, 412 (also Conflict)
    │   │   └── RateLimited                429
    │   └── ServerError                    5xx
    └── TransportError                     the request never got an answer
        ├── ConnectError                   could not connect
        └── Timeout                        no answer in time

The client raises :class:`ApiError` subclasses and :class:`TransportError`, always
``from`` the underlying httpx exception. The pure core (models and rules) raises only
:class:`InvalidInput`, :class:`AccessDenied` and :class:`Conflict`.

Messages never contain a national identity number, a token or a request body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patientsky.rules.decision import Reason

__all__ = [
    "AccessDenied",
    "ApiConflict",
    "ApiError",
    "ApiNotFound",
    "BadRequest",
    "ClientError",
    "Conflict",
    "ConnectError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "PatientSkyError",
    "RateLimited",
    "ServerError",
    "Timeout",
    "TransportError",
    "Unauthorized",
]


class PatientSkyError(Exception):
    """
    The base of every exception patientsky raises on purpose.
    """


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


class ApiError(PatientSkyError):
    """
    The server answered with an error status and (usually) a problem document.

    Args:
        status: The HTTP status code.
        problem: The decoded RFC 9457 problem document (may be empty).
        request_id: The server's request id, for support.
    """

    def __init__(
        self,
        status: int,
        problem: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.problem: dict[str, Any] = dict(problem or {})
        self.request_id = request_id
        title = self.problem.get("title") or f"HTTP {status}"
        detail = self.problem.get("detail")
        text = f"{status} {title}" + (f": {detail}" if detail else "")
        if self.code:
            text += f" [{self.code}]"
        if request_id:
            text += f" (request id {request_id})"
        # Not super(): in Forbidden the next class is AccessDenied, whose __init__ takes a Reason.
        PatientSkyError.__init__(self, text)

    @property
    def code(self) -> str | None:
        """The domain reason code from the problem document, if any."""
        code = self.problem.get("code")
        return code if isinstance(code, str) else None


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
    ) -> None:
        ClientError.__init__(self, status, problem, request_id)
        from patientsky.rules.decision import Reason

        self.reason = Reason.parse(self.code)


class ApiNotFound(ClientError, NotFound):
    """404: no such resource (or not visible to the caller)."""


class ApiConflict(ClientError, Conflict):
    """409 or 412: the state changed under the request (stale ETag, taken slot)."""


class RateLimited(ClientError):
    """429: too many requests; the client honours ``Retry-After`` before giving up."""


class ServerError(ApiError):
    """A 5xx answer."""


class TransportError(PatientSkyError):
    """The request never got an HTTP answer: network, DNS, TLS, timeout."""


class ConnectError(TransportError):
    """The connection could not be made, or was dropped."""


class Timeout(TransportError):
    """No answer within the timeout."""
