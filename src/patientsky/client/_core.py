"""
The sans-I/O core of the client: build requests, read responses, decide retries.

Nothing here sends a byte or sleeps. :func:`exchange` is a generator that *yields*
what it needs done (:class:`Send` a request, :class:`Sleep`, :class:`GetToken`) and
*receives* what happened (a :class:`Response`, a :class:`TransportFailure`, a token).
The sync and async clients are thin drivers around it: they do the I/O and the
sleeping, and nothing else, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import re
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any, Final, Generic, NamedTuple, Protocol, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import attrs

from patientsky.errors import (
    ApiConflict,
    ApiError,
    ApiNotFound,
    BadRequest,
    ClientError,
    ConnectError,
    ConnectionLost,
    DeadlineExceeded,
    Forbidden,
    InvalidInput,
    RateLimited,
    ResponseValidationError,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

log: Final = logging.getLogger("patientsky.client")

API_PREFIX: Final = "/v1"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES: Final = frozenset({408, 429, 502, 503, 504})
KEY_IN_USE: Final = "idempotency_key_in_use"
PRECONDITION_FAILED: Final = "precondition_failed"

# Eleven digits, possibly split 6 + 5: what a national identity number looks like.
_NATIONAL_ID_LIKE = re.compile(r"(?<!\d)(\d{6})[ -]?\d{5}(?!\d)")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]{1,255}")
_TOKEN = re.compile(r"[\x21-\x7e]+")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


# --------------------------------------------------------------------------- values


class Timeouts(NamedTuple):
    """
    How long to wait, in seconds, for each phase of a request (``None``: no limit).

    Args:
        connect: To open a connection.
        read: Between bytes of the response.
        write: Between bytes of the request.
        pool: For a free connection from the pool.
    """

    connect: float | None = 5.0
    read: float | None = 30.0
    write: float | None = 30.0
    pool: float | None = 10.0


@attrs.frozen
class Backoff:
    """
    The retry schedule: exponential backoff with full jitter, and the Retry-After cap.

    Before retry ``n`` (0-based) the client sleeps a random time in
    ``[0, min(maximum, base * 2**n))``, unless the answer said ``Retry-After``: then it
    sleeps that long, but never more than ``retry_after_max`` and never less than zero.

    Args:
        base: The first backoff window, in seconds.
        maximum: The largest backoff window, in seconds.
        retry_after_max: The longest ``Retry-After`` the client honours, in seconds.
    """

    base: float = attrs.field(default=0.5)
    maximum: float = attrs.field(default=8.0)
    retry_after_max: float = attrs.field(default=60.0)

    def __attrs_post_init__(self) -> None:
        for name in ("base", "maximum", "retry_after_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise InvalidInput(f"backoff.{name}", "must be a non-negative number")

    def window(self, retry: int) -> float:
        """Return the upper bound of the jittered sleep before retry ``retry`` (0-based)."""
        return min(self.maximum, self.base * (2.0 ** min(retry, 62)))


@attrs.frozen
class ApiResponse(Generic[T]):
    """
    One call's answer: its typed result and what the HTTP answer said about it.

    ``client.with_raw_response(client.dialogs.read, "d-1")`` returns one (see
    :meth:`~patientsky.client.PortalClient.with_raw_response`), and an ``on_response``
    hook gets one for every answer, pages of a list included.

    Args:
        status_code: The HTTP status of the final answer.
        headers: Its headers, names in lower case; a repeated header's values joined
            with ``", "``.
        request_id: The server's ``X-Request-Id``, for support.
        idempotent_replayed: Whether the server replayed the first answer to this
            ``Idempotency-Key`` (``Idempotent-Replayed: true``) instead of acting again.
        idempotency_key: The ``Idempotency-Key`` the call sent (every write has one).
        attempts: How many attempts the call took (1 when nothing was retried).
        method: The HTTP method.
        path: The URL's path (never holds a national identity number).
        value: The typed result; :meth:`parse` returns it.
    """

    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None
    idempotent_replayed: bool
    idempotency_key: str | None
    attempts: int
    method: str
    path: str
    value: T = attrs.field(repr=False)

    def parse(self) -> T:
        """Return the typed result, as the call itself returns it."""
        return self.value


def joined_headers(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Return headers as a dict: names in lower case, repeated values joined with ``", "``."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


class Settings(NamedTuple):
    """
    Everything the core needs to know about the client, resolved for one call.

    Args:
        base_url: Scheme, host, port and optional path prefix, without a trailing slash.
        user_agent: The ``User-Agent`` header.
        timeout: Per-phase timeouts, or ``None`` for none at all.
        max_retries: How many times a call may be retried after its first attempt.
        backoff: The retry schedule.
        rng: Returns a float in ``[0, 1)``: the jitter.
        now: The current time, for an HTTP-date ``Retry-After`` without a ``Date`` header.
        new_key: Makes a fresh idempotency key.
        on_response: Called with every successful answer (a list calls it once per page).
        headers: Extra headers for every request (the client's defaults and the call's).
        deadline: Seconds the whole call may take, across attempts and the waits between
            them; ``None``: no overall limit (the per-phase timeouts still apply).
        clock: A monotonic clock in seconds, for the deadline.
    """

    base_url: str
    user_agent: str
    timeout: Timeouts | None
    max_retries: int
    backoff: Backoff
    rng: Callable[[], float]
    now: Callable[[], dt.datetime]
    new_key: Callable[[], str]
    on_response: Callable[[ApiResponse[Any]], None] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    deadline: float | None = None
    clock: Callable[[], float] = time.monotonic


class Response(NamedTuple):
    """
    An HTTP answer, read completely.

    Args:
        status: The status code.
        headers: The headers as (lower-case name, value) pairs.
        content: The body.
        elapsed_ms: How long the exchange took, for the log.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    elapsed_ms: float = 0.0

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), if any."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    @property
    def request_id(self) -> str | None:
        """The server's ``X-Request-Id``."""
        return self.header("x-request-id")


class FailureKind(enum.Enum):
    """What went wrong when no HTTP answer came."""

    CONNECT = "connect"
    """No connection, or it was dropped."""
    TIMEOUT = "timeout"
    """No answer in time."""
    OTHER = "other"
    """Anything else (a protocol error on our side, an unsupported URL): not retried."""


class TransportFailure(NamedTuple):
    """
    A request that got no HTTP answer.

    Args:
        kind: What went wrong.
        sent: Whether the server may have received (and acted on) the request.
        error: The I/O library's exception, to chain ours from.
        elapsed_ms: How long the attempt took, for the log.
    """

    kind: FailureKind
    sent: bool
    error: BaseException
    elapsed_ms: float = 0.0


Outcome = Response | TransportFailure


class Request(NamedTuple):
    """
    One HTTP request, ready to send.

    Args:
        method: The HTTP method.
        url: The absolute URL.
        path: The URL's path, for the log (never holds a national identity number).
        headers: The headers.
        content: The body, if any.
        timeout: Per-phase timeouts, or ``None``.
        attempt: 1 for the first attempt, 2 for the first retry, ...
        idempotent: Whether the server makes a repeat of this write harmless.
        deadline: When the call's deadline passes, on the settings' monotonic clock; the
            driver stops reading an answer that is still arriving then.
    """

    method: str
    url: str
    path: str
    headers: tuple[tuple[str, str], ...]
    content: bytes | None
    timeout: Timeouts | None
    attempt: int
    idempotent: bool = False
    deadline: float | None = None

    def header(self, name: str) -> str | None:
        """Return header ``name`` (case-insensitive), if set."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


class Call(NamedTuple, Generic[T]):
    """
    A description of one API call: what to send and how to read the answer.

    Args:
        method: The HTTP method.
        path: The path segments after ``/v1``; each is percent-encoded on its own.
        decode: Turns a 2xx response into the result.
        params: Query parameters (``None`` values are left out).
        body: The request body.
        content_type: The body's media type.
        accept: The ``Accept`` header.
        idempotency_key: The caller's key for a write; the core makes one when ``None``.
        if_match: An ETag for ``If-Match``.
        idempotent: For a write: whether the server makes a repeat of it harmless (it
            replays the first answer for the same ``Idempotency-Key``, or the write is
            idempotent by nature, like a PUT, or conditional on ``If-Match``).
        headers: Other request headers the call needs (an upload's
            ``Content-Disposition``).
        shown_path: The path segments that logs, errors and :class:`ApiResponse` show,
            when ``path`` holds a secret (a calendar feed's token); ``path`` if None.
    """

    method: str
    path: tuple[str, ...]
    decode: Callable[[Response], T]
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str | None = None
    accept: str = "application/json"
    idempotency_key: str | None = None
    if_match: str | None = None
    idempotent: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    shown_path: tuple[str, ...] | None = None

    def with_param(self, name: str, value: str) -> Call[T]:
        """Return the call with query parameter ``name`` set to ``value`` (replacing it)."""
        params = tuple((k, v) for k, v in self.params if k != name)
        return self._replace(params=(*params, (name, value)))


class Send(NamedTuple):
    """Step: send this request and send back the :class:`Response` or :class:`TransportFailure`."""

    request: Request


class Sleep(NamedTuple):
    """Step: sleep this many seconds, then send back ``None``."""

    seconds: float


class GetToken(NamedTuple):
    """
    Step: send back the bearer token to use, or ``None``.

    Args:
        refresh: The last token was refused (401): get a new one, or ``None`` if the
            client cannot get a new one (a fixed token, or none).
    """

    refresh: bool = False


Step = Send | Sleep | GetToken
Exchange = Generator[Step, Any, ApiResponse[T]]


# --------------------------------------------------------------------------- checks


def check_base_url(base_url: object, *, allow_http: bool = False) -> str:
    """
    Validate and normalise a base URL: absolute, https (or http to a loopback host).

    Args:
        base_url: For example ``"https://portal.example.no"``.
        allow_http: Allow plain http to any host (tokens then travel in clear text).

    Returns:
        The URL without query, fragment or trailing slash.

    Raises:
        InvalidInput: With field ``base_url``.
    """
    if not isinstance(base_url, str) or not base_url:
        raise InvalidInput("base_url", "is required, for example https://portal.example.no")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("base_url", "must be an absolute http(s) URL with a host")
    if parts.username or parts.password:
        raise InvalidInput("base_url", "must not carry credentials")
    if parts.query or parts.fragment:
        raise InvalidInput("base_url", "must not have a query or fragment")
    host = parts.hostname.lower()
    loopback = host in _LOOPBACK or host.endswith(".localhost")
    if parts.scheme == "http" and not (allow_http or loopback):
        raise InvalidInput(
            "base_url",
            "must use https (a token would travel in clear text); pass allow_http=True "
            "for a development server",
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def check_idempotency_key(key: object) -> str:
    """
    Validate a caller's idempotency key: 1 to 255 visible ASCII characters.

    Raises:
        InvalidInput: With field ``idempotency_key``.
    """
    if not isinstance(key, str) or not _VISIBLE_ASCII.fullmatch(key):
        raise InvalidInput("idempotency_key", "must be 1 to 255 visible ASCII characters")
    return key


def check_token(token: object) -> str:
    """
    Validate a bearer token from the caller or a token provider (never echoing it).

    Raises:
        InvalidInput: With field ``token``.
    """
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise InvalidInput("token", "must be a non-empty string of visible ASCII characters")
    return token


def segment(field: str, value: object) -> str:
    """
    Validate one path segment (an id) and return it.

    An id that looks like a national identity number is refused: those never go in
    a URL, and the API never wants one there.

    Raises:
        InvalidInput: With field ``field``.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must be a non-empty string")
    if value in (".", ".."):
        raise InvalidInput(field, "must not be . or ..")
    if len(value) > 200:
        raise InvalidInput(field, "must be at most 200 characters")
    if _NATIONAL_ID_LIKE.fullmatch(value.strip()):
        raise InvalidInput(
            field, "looks like a national identity number; use the PatientSky id instead"
        )
    return value


def mask(text: str) -> str:
    """
    Mask anything that looks like a national identity number in ``text``.

    >>> mask("fnr 15108695088 is taken")
    'fnr 151086***** is taken'
    """
    return _NATIONAL_ID_LIKE.sub(lambda m: m.group(1) + "*****", text)


# --------------------------------------------------------------------------- requests


def build_request(
    call: Call[Any],
    settings: Settings,
    *,
    token: str | None,
    idempotency_key: str | None,
    attempt: int,
    remaining: float | None = None,
    deadline: float | None = None,
) -> Request:
    """
    Build the HTTP request for one attempt of ``call``.

    Args:
        call: What to send.
        settings: The client's settings.
        token: The bearer token, if any.
        idempotency_key: The key for a write, the same on every attempt.
        attempt: 1 for the first attempt.
        remaining: Seconds left before the call's deadline: no phase may wait longer.
        deadline: The deadline itself, on the settings' clock.

    Returns:
        The request.
    """
    path = API_PREFIX + "".join("/" + quote(seg, safe="") for seg in call.path)
    shown = API_PREFIX + "".join("/" + quote(seg, safe="{}") for seg in call.shown_path or ())
    base_path = urlsplit(settings.base_url).path
    url = settings.base_url + path
    params = [(k, v) for k, v in call.params]
    if params:
        url += "?" + urlencode(params)
    extra = {name.lower() for name, _ in settings.headers}
    headers: list[tuple[str, str]] = [("Accept", call.accept)]
    if "user-agent" not in extra:
        headers.append(("User-Agent", settings.user_agent))
    headers.extend(settings.headers)
    if token is not None:
        headers.append(("Authorization", f"Bearer {token}"))
    if call.body is not None and call.content_type is not None:
        headers.append(("Content-Type", call.content_type))
    if idempotency_key is not None:
        headers.append(("Idempotency-Key", idempotency_key))
    if call.if_match is not None:
        headers.append(("If-Match", call.if_match))
    headers.extend(call.headers)
    return Request(
        method=call.method,
        url=url,
        path=base_path + (shown if call.shown_path is not None else path),
        headers=tuple(headers),
        content=call.body,
        timeout=capped(settings.timeout, remaining),
        attempt=attempt,
        idempotent=call.idempotent,
        deadline=deadline,
    )


def capped(timeouts: Timeouts | None, remaining: float | None) -> Timeouts | None:
    """Return per-phase timeouts, none of them longer than ``remaining`` seconds."""
    if remaining is None:
        return timeouts
    limit = max(remaining, 0.001)
    if timeouts is None:
        return Timeouts(limit, limit, limit, limit)
    return Timeouts(*(limit if t is None else min(t, limit) for t in timeouts))


def may_repeat(request: Request) -> bool:
    """
    Whether sending ``request`` again can do no harm if the server already acted on it.

    Safe methods may always be repeated; a write only if it carries an
    ``Idempotency-Key`` *and* the server makes a repeat harmless (it replays the first
    answer for the key, or the write is idempotent by nature or conditional).
    """
    if request.method in SAFE_METHODS:
        return True
    return request.idempotent and request.header("Idempotency-Key") is not None


# --------------------------------------------------------------------------- retries


def parse_retry_after(
    value: str | None, *, date: str | None = None, now: dt.datetime | None = None
) -> float | None:
    """
    Read a ``Retry-After`` header: delta-seconds or an HTTP-date.

    An HTTP-date is measured from the response's ``Date`` header when there is one
    (so the two clocks need not agree), else from ``now``.

    Args:
        value: The header's value.
        date: The response's ``Date`` header.
        now: The current time (timezone-aware).

    Returns:
        Seconds to wait (never negative), or ``None`` if the header is absent or unreadable.

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("Wed, 21 Oct 2026 07:28:05 GMT", date="Wed, 21 Oct 2026 07:28:00 GMT")
    5.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value))
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    reference = now
    if date is not None:
        try:
            reference = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            reference = now
    if reference is None or when.tzinfo is None or reference.tzinfo is None:
        return None
    return max(0.0, (when - reference).total_seconds())


def retry_delay(
    request: Request, outcome: Outcome, *, retry: int, settings: Settings
) -> float | None:
    """
    Decide whether to retry after ``outcome``, and after how long.

    Retried: connection failures and timeouts; 408, 429, 502, 503, 504; and 409 with
    code ``idempotency_key_in_use``. A request the server may have acted on is retried
    only when :func:`may_repeat` says so; a refused connection or a 429 (the server
    did nothing) always may be.

    Args:
        request: The request that was sent.
        outcome: What came back.
        retry: How many retries were made before this one.
        settings: The client's settings.

    Returns:
        Seconds to sleep before the retry, or ``None``: give up.
    """
    if retry >= settings.max_retries:
        return None
    if isinstance(outcome, TransportFailure):
        if outcome.kind is FailureKind.OTHER:
            return None
        if outcome.sent and not may_repeat(request):
            return None
        return settings.rng() * settings.backoff.window(retry)
    status = outcome.status
    in_use = status == 409 and _problem(outcome).get("code") == KEY_IN_USE
    if status not in RETRY_STATUSES and not in_use:
        return None
    if status != 429 and not may_repeat(request):
        return None
    after = parse_retry_after(
        outcome.header("retry-after"), date=outcome.header("date"), now=settings.now()
    )
    if after is not None:
        return min(after, settings.backoff.retry_after_max)
    return settings.rng() * settings.backoff.window(retry)


# --------------------------------------------------------------------------- errors

_ERRORS: Final[Mapping[int, type[ApiError]]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: ApiNotFound,
    409: ApiConflict,
    412: ApiConflict,
    413: BadRequest,
    415: BadRequest,
    422: BadRequest,
    428: BadRequest,
    429: RateLimited,
}


def _problem(response: Response) -> dict[str, Any]:
    media = (response.header("content-type") or "").split(";")[0].strip().lower()
    if not (media == "application/json" or media.endswith("+json")) or not response.content:
        return {}
    try:
        doc = json.loads(response.content)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def error_for(response: Response, *, now: dt.datetime | None = None) -> ApiError:
    """
    Return the exception for an error response: its class chosen by status.

    The problem document is kept (with anything that looks like a national identity
    number masked), and so are the response headers; a 412 without a code gets the code
    ``precondition_failed``, so it can be told from a 409. A 429 says how long the
    server asked to wait (``Retry-After``, delta-seconds or an HTTP-date).

    Args:
        response: The error response.
        now: The current time (timezone-aware), for an HTTP-date ``Retry-After`` in an
            answer without a ``Date`` header.
    """
    problem = _masked(_problem(response))
    if response.status == 412 and not isinstance(problem.get("code"), str):
        problem["code"] = PRECONDITION_FAILED
    request_id = response.request_id
    if request_id is None and isinstance(problem.get("requestId"), str):
        request_id = problem["requestId"]
    cls = _ERRORS.get(response.status)
    if cls is RateLimited:
        after = parse_retry_after(
            response.header("retry-after"), date=response.header("date"), now=now
        )
        return RateLimited(
            response.status, problem, request_id, response.headers, retry_after=after
        )
    if cls is None:
        if 500 <= response.status <= 599:
            cls = ServerError
        elif 400 <= response.status <= 499:
            cls = ClientError
        else:
            cls = ApiError
    return cls(response.status, problem, request_id, response.headers)


def invalid_response(response: Response, error: InvalidInput) -> ResponseValidationError:
    """
    Return the exception for a 2xx answer that did not decode (the caller chains ``error``).

    Args:
        response: The answer.
        error: What the decoder said, naming where the body went wrong.
    """
    return ResponseValidationError(
        response.status, error.field, error.message, response.request_id, response.headers
    )


def _tries(request: Request) -> str:
    return f"after {request.attempt} attempt{'s' if request.attempt != 1 else ''}"


def transport_error(request: Request, failure: TransportFailure) -> TransportError:
    """
    Return the exception for a request that got no answer (the caller chains it).

    Could not connect (nothing sent) is :class:`ConnectError`; a connection dropped
    after sending is :class:`ConnectionLost`.
    """
    where = f"{request.method} {request.path}"
    if failure.kind is FailureKind.TIMEOUT:
        return Timeout(f"{where}: no answer in time ({_tries(request)})")
    if failure.kind is FailureKind.CONNECT:
        if failure.sent:
            return ConnectionLost(f"{where}: connection lost after sending ({_tries(request)})")
        return ConnectError(f"{where}: could not connect ({_tries(request)})")
    return TransportError(f"{where}: {type(failure.error).__name__} ({_tries(request)})")


def deadline_error(request: Request, deadline: float) -> DeadlineExceeded:
    """Return the exception for a call whose overall deadline passed."""
    return DeadlineExceeded(
        f"{request.method} {request.path}: the call's deadline of {deadline:g} s passed "
        f"({_tries(request)})"
    )


def ambiguous(outcome: Outcome) -> bool:
    """
    Whether ``outcome`` leaves open that the server acted on the request.

    A request sent and never answered, a 5xx answer, and a 409
    ``idempotency_key_in_use`` (the first attempt is still being acted on) are
    ambiguous; any other answer, and a connection never made, are not.
    """
    if isinstance(outcome, TransportFailure):
        return outcome.sent
    if outcome.status >= 500:
        return True
    return outcome.status == 409 and _problem(outcome).get("code") == KEY_IN_USE


E = TypeVar("E", ApiError, TransportError)


def with_outcome(error: E, call: Call[Any], *, key: str | None, applied: bool, attempts: int) -> E:
    """
    Record on ``error`` what the whole call did: whether it may have been applied, its key.

    A write that may have been applied also gets a note saying how to finish it safely.
    """
    write = call.method in WRITE_METHODS
    error.may_have_been_applied = write and applied
    error.idempotency_key = key if write else None
    error.attempts = attempts
    if error.may_have_been_applied:
        if call.idempotent:
            error.add_note(
                "An attempt of this write may have been applied. Call again with "
                f"idempotency_key={key!r}: the server then replays the first result "
                "instead of acting twice."
            )
        else:
            error.add_note(
                "An attempt of this write may have been applied, and the server does not "
                "deduplicate it: read the state before calling again."
            )
    return error


# --------------------------------------------------------------------------- the exchange


_FAILURES: Final = {
    (FailureKind.CONNECT, False): "could not connect",
    (FailureKind.CONNECT, True): "connection lost",
    (FailureKind.TIMEOUT, False): "timed out connecting",
    (FailureKind.TIMEOUT, True): "timed out waiting for the answer",
    (FailureKind.OTHER, False): "failed",
    (FailureKind.OTHER, True): "failed",
}


def _log_outcome(request: Request, outcome: Outcome) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    if isinstance(outcome, Response):
        replayed = " replayed" if outcome.header("idempotent-replayed") == "true" else ""
        log.debug(
            "%s %s -> %d%s (request id %s, attempt %d, %.1f ms)",
            request.method,
            request.path,
            outcome.status,
            replayed,
            outcome.request_id or "-",
            request.attempt,
            outcome.elapsed_ms,
        )
    else:
        log.debug(
            "%s %s -> %s, %s (attempt %d, %.1f ms)",
            request.method,
            request.path,
            _FAILURES[outcome.kind, outcome.sent],
            type(outcome.error).__name__,
            request.attempt,
            outcome.elapsed_ms,
        )


def exchange(call: Call[T], settings: Settings) -> Exchange[T]:
    """
    Run ``call`` to its end: the protocol both clients drive.

    Yields :class:`GetToken` (send back ``str | None``), :class:`Send` (send back a
    :class:`Response` or :class:`TransportFailure`) and :class:`Sleep` (send back
    ``None``). Returns the decoded result in an :class:`ApiResponse`, after giving that
    to ``settings.on_response``.

    Every write carries an ``Idempotency-Key`` (the caller's or a new one), the same on
    every attempt. A 401 asks for a refreshed token once and repeats the request; a
    second 401 raises.

    With a deadline in ``settings``, no attempt starts after it, no phase waits past
    it, and no backoff sleep would end after it. Every error raised records, across all
    attempts, whether the write may have been applied and the key it used
    (:func:`with_outcome`).

    Raises:
        ApiError: The subclass for the final error status.
        TransportError: ``ConnectError`` (nothing sent), ``ConnectionLost``, ``Timeout``
            or ``DeadlineExceeded`` (from the I/O library's error).
        ResponseValidationError: A 2xx answer whose body does not decode (from the
            decoder's :class:`InvalidInput`).
        InvalidInput: A token that is not a valid header value.
    """
    key = call.idempotency_key
    if key is not None:
        check_idempotency_key(key)
    elif call.method in WRITE_METHODS:
        key = settings.new_key()
    ends = None if settings.deadline is None else settings.clock() + settings.deadline
    applied = False  # whether an attempt so far may have been acted on
    refreshed = False
    retry = 0
    attempt = 0
    token = yield GetToken()
    while True:
        remaining = None if ends is None else ends - settings.clock()
        attempt += 1
        request = build_request(
            call,
            settings,
            token=None if token is None else check_token(token),
            idempotency_key=key,
            attempt=attempt,
            remaining=remaining,
            deadline=ends,
        )
        if remaining is not None and remaining <= 0 and settings.deadline is not None:
            error = deadline_error(request._replace(attempt=attempt - 1), settings.deadline)
            raise with_outcome(error, call, key=key, applied=applied, attempts=attempt - 1)
        outcome = yield Send(request)
        _log_outcome(request, outcome)
        applied = applied or ambiguous(outcome)
        if isinstance(outcome, Response):
            if 200 <= outcome.status <= 299:
                try:
                    value = call.decode(outcome)
                except InvalidInput as exc:
                    raise invalid_response(outcome, exc) from exc
                result = ApiResponse(
                    status_code=outcome.status,
                    headers=joined_headers(outcome.headers),
                    request_id=outcome.request_id,
                    idempotent_replayed=outcome.header("idempotent-replayed") == "true",
                    idempotency_key=key,
                    attempts=attempt,
                    method=request.method,
                    path=request.path,
                    value=value,
                )
                if settings.on_response is not None:
                    settings.on_response(result)
                return result
            if outcome.status == 401 and token is not None and not refreshed:
                refreshed = True
                token = yield GetToken(refresh=True)
                if token is not None:
                    log.debug(
                        "%s %s: token refused; retrying once with a new one", *_where(request)
                    )
                    continue
        if (
            isinstance(outcome, TransportFailure)
            and ends is not None
            and settings.deadline is not None
            and settings.clock() >= ends
        ):
            late = deadline_error(request, settings.deadline)
            raise with_outcome(
                late, call, key=key, applied=applied, attempts=attempt
            ) from outcome.error
        delay = retry_delay(request, outcome, retry=retry, settings=settings)
        if delay is not None and ends is not None and settings.clock() + delay >= ends:
            log.info("%s %s: not retrying: the wait would pass the deadline", *_where(request))
            delay = None
        if delay is None:
            if isinstance(outcome, Response):
                answered = error_for(outcome, now=settings.now())
                raise with_outcome(answered, call, key=key, applied=applied, attempts=attempt)
            failed = transport_error(request, outcome)
            raise with_outcome(
                failed, call, key=key, applied=applied, attempts=attempt
            ) from outcome.error
        log.info(
            "%s %s: retrying in %.2f s (retry %d of %d)",
            *_where(request),
            delay,
            retry + 1,
            settings.max_retries,
        )
        yield Sleep(delay)
        retry += 1
        token = yield GetToken()


def _where(request: Request) -> tuple[str, str]:
    return request.method, request.path


# --------------------------------------------------------------------------- pagination


def next_cursor(previous: str | None, cursor: object) -> str | None:
    """
    Check the ``nextCursor`` of a page before following it.

    The next page always goes to the same origin and path as the first: a cursor is
    opaque and travels only as the ``cursor`` query parameter. A cursor that is a URL
    (a server trying to send the client, and its token, elsewhere) or that repeats the
    one just used (an endless loop) is refused.

    Raises:
        InvalidInput: With field ``nextCursor``.
    """
    if cursor is None:
        return None
    if not isinstance(cursor, str) or not cursor:
        raise InvalidInput("nextCursor", "must be a non-empty string or null")
    if "://" in cursor or cursor.startswith("//"):
        raise InvalidInput("nextCursor", "is a URL; the client follows opaque cursors only")
    if cursor == previous:
        raise InvalidInput("nextCursor", "repeats the cursor of the page just read")
    return cursor


def check_cursor(cursor: object) -> str:
    """
    Validate a cursor the caller saved (a page's ``next_cursor``) before sending it.

    Raises:
        InvalidInput: With field ``cursor``: not a non-empty string, or a URL.
    """
    if not isinstance(cursor, str) or not cursor:
        raise InvalidInput("cursor", "must be a non-empty string (a page's next_cursor)")
    if "://" in cursor or cursor.startswith("//"):
        raise InvalidInput("cursor", "is a URL; pass the page's opaque next_cursor")
    return cursor


def query(**params: object) -> tuple[tuple[str, str], ...]:
    """Return query parameters without the ``None`` ones, values as wire strings."""
    out: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out.append((name, "true" if value else "false"))
        elif isinstance(value, dt.datetime | dt.date):
            out.append((name, value.isoformat()))
        elif isinstance(value, enum.Enum):
            out.append((name, str(value.value)))
        elif isinstance(value, Sequence) and not isinstance(value, str):
            out.extend((name, str(v)) for v in value)
        else:
            out.append((name, str(value)))
    return tuple(out)


class PageLike(Protocol[T_co]):
    """What pagination needs of a page: its items and the next cursor."""

    @property
    def data(self) -> tuple[T_co, ...]:
        """The items."""
        ...

    @property
    def next_cursor(self) -> str | None:
        """The cursor of the next page, ``None`` on the last."""
        ...


P = TypeVar("P", bound=PageLike[Any])


class Pagination(Generic[P]):
    """
    Which call fetches the next page: the first call, then the same call with ``cursor``.

    Both pagers drive one of these, so the next page can only ever go to the origin and
    path of the first (see :func:`next_cursor`).

    Args:
        call: The call for the first page.
        cursor: A saved ``next_cursor`` to start from, instead of the first page.

    Raises:
        InvalidInput: With field ``cursor``, for a cursor that is not an opaque string.
    """

    def __init__(self, call: Call[P], cursor: str | None = None) -> None:
        if cursor is not None:
            check_cursor(cursor)
        self._first = call
        self._next: Call[P] | None = call if cursor is None else call.with_param("cursor", cursor)
        self._used: str | None = cursor

    def start_cursor(self) -> str | None:
        """Return the cursor the pagination starts at (``None``: the first page)."""
        return self._used

    def start(self) -> Call[P]:
        """Return the call for the page the pagination starts at."""
        return self._first if self._used is None else self._first.with_param("cursor", self._used)

    def next_call(self) -> Call[P] | None:
        """Return the call for the next page, or ``None`` after the last page."""
        return self._next

    def advance(self, page: P) -> None:
        """
        Move past ``page``.

        Raises:
            InvalidInput: With field ``nextCursor``, for a cursor that is refused.
        """
        cursor = next_cursor(self._used, page.next_cursor)
        self._used = cursor
        self._next = None if cursor is None else self._first.with_param("cursor", cursor)
