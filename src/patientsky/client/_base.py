"""
What the sync and async clients share besides the core: options, defaults, httpx glue.

The glue turns a core :class:`~patientsky.client._core.Request` into an httpx request and
an httpx response or exception into a core outcome; the drivers only add the I/O.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import inspect
import os
import queue
import random
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Final, ParamSpec, Protocol, TypeAlias, TypedDict, TypeVar

import httpx

from patientsky.client._core import (
    ApiResponse,
    Backoff,
    FailureKind,
    Request,
    Response,
    Settings,
    Timeouts,
    TransportFailure,
    check_base_url,
)
from patientsky.errors import InvalidInput

T = TypeVar("T")
Params = ParamSpec("Params")

DEFAULT_TIMEOUT: Final = Timeouts(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""The default timeouts: connect 5 s, read 30 s, write 30 s, wait for a pooled connection 10 s."""

DEFAULT_MAX_RETRIES: Final = 2
"""Retries after the first attempt, by default (so three attempts at most)."""

DEFAULT_DEADLINE: Final = 120.0
"""The default overall deadline of a call, in seconds, across attempts and waits."""


class CallOptions(TypedDict, total=False):
    """
    Options every method takes as keyword arguments, for that call only.

    Attributes:
        timeout: Seconds (or :class:`Timeouts`, or an ``httpx.Timeout``); ``None``: no limit.
        max_retries: Retries after the first attempt; ``0`` turns retrying off.
        on_response: Called with the :class:`ApiResponse` of every successful answer
            (for a list, once per page): status, headers, request id, replay.
        deadline: Seconds the whole call may take, across its attempts and the waits
            between them; ``None``: no overall limit.
        extra_headers: Headers to send as well (``traceparent``, a correlation id, ...);
            they replace the client's default headers of the same name. The headers the
            client sets itself (``Authorization``, ``Idempotency-Key``, ``If-Match``,
            ``Accept``, ``Content-Type``, ...) are refused, never silently replaced.
    """

    timeout: float | Timeouts | httpx.Timeout | None
    max_retries: int
    on_response: Callable[[ApiResponse[Any]], None] | None
    extra_headers: Mapping[str, str]
    deadline: float | None


_OPTIONS: Final = ("deadline", "extra_headers", "max_retries", "on_response", "timeout")

BASE_URL_VARIABLE: Final = "PATIENTSKY_BASE_URL"
"""The environment variable a client takes its base URL from, when none is given."""

TOKEN_VARIABLE: Final = "PATIENTSKY_TOKEN"  # noqa: S105 -- a variable name, not a secret
"""The environment variable a client takes its bearer token from, when none is given."""

RESERVED_HEADERS: Final = frozenset(
    {
        "accept",
        "authorization",
        "content-length",
        "content-type",
        "host",
        "idempotency-key",
        "if-match",
        "transfer-encoding",
    }
)
"""Headers the client sets itself; extra and default headers may not replace them."""

_HEADER_NAME: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}")
_HEADER_VALUE: Final = re.compile(r"[\x20-\x7e]{0,2000}")


def check_headers(headers: object, field: str) -> tuple[tuple[str, str], ...]:
    """
    Validate extra headers: names are HTTP tokens, values visible ASCII, none reserved.

    Values are never repeated in an error message (a header may carry a secret).

    Raises:
        InvalidInput: With field ``field`` (or ``field.Name`` for one header).
    """
    if headers is None:
        return ()
    if not isinstance(headers, Mapping):
        raise InvalidInput(field, "must be a mapping of header names to values")
    out: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise InvalidInput(field, "has a header name that is not an HTTP token")
        if name.lower() in RESERVED_HEADERS:
            raise InvalidInput(
                f"{field}.{name}",
                "is set by the client itself; use the call's own argument "
                "(token=, idempotency_key=, if_match=) instead",
            )
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise InvalidInput(f"{field}.{name}", "must be printable ASCII without line breaks")
        out.append((name, value))
    return tuple(out)


def merge_headers(
    base: tuple[tuple[str, str], ...], extra: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """Return ``base`` with ``extra`` on top: a name in ``extra`` replaces it in ``base``."""
    replaced = {name.lower() for name, _ in extra}
    return (*((n, v) for n, v in base if n.lower() not in replaced), *extra)


def from_environment(base_url: str | None) -> str | None:
    """Return ``base_url``, or ``PATIENTSKY_BASE_URL`` when it is ``None``."""
    return base_url if base_url is not None else os.environ.get(BASE_URL_VARIABLE) or None


def token_from_environment(token: T | None) -> T | str | None:
    """Return ``token``, or ``PATIENTSKY_TOKEN`` when it is ``None`` (the value is never logged)."""
    return token if token is not None else os.environ.get(TOKEN_VARIABLE) or None


@functools.cache
def user_agent() -> str:
    """Return ``patientsky-python/<version>`` (the version read once, when first needed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"patientsky-python/{version('patientsky')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "patientsky-python/0"


def to_timeouts(timeout: object) -> Timeouts | None:
    """
    Turn a timeout argument into per-phase :class:`Timeouts` (``None``: no limit).

    Raises:
        InvalidInput: With field ``timeout``, for a negative or non-numeric value.
    """
    if timeout is None or isinstance(timeout, Timeouts):
        return timeout
    if isinstance(timeout, httpx.Timeout):
        return Timeouts(timeout.connect, timeout.read, timeout.write, timeout.pool)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise InvalidInput("timeout", "must be a positive number of seconds, or None")
    seconds = float(timeout)
    return Timeouts(seconds, seconds, seconds, seconds)


def to_httpx_timeout(timeouts: Timeouts | None) -> httpx.Timeout:
    """Return the ``httpx.Timeout`` for per-phase timeouts."""
    if timeouts is None:
        return httpx.Timeout(None)
    return httpx.Timeout(
        connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
    )


def check_deadline(deadline: object) -> float | None:
    """
    Validate a call's overall deadline: a positive number of seconds, or ``None``.

    Raises:
        InvalidInput: With field ``deadline``.
    """
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0:
        raise InvalidInput("deadline", "must be a positive number of seconds, or None")
    return float(deadline)


def check_retries(max_retries: object) -> int:
    """
    Validate ``max_retries``: an integer from 0 to 10.

    Raises:
        InvalidInput: With field ``max_retries``.
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise InvalidInput("max_retries", "must be an integer")
    if not 0 <= max_retries <= 10:
        raise InvalidInput("max_retries", "must be from 0 to 10")
    return max_retries


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key() -> str:
    return str(uuid.uuid4())


def make_settings(
    base_url: str | None,
    *,
    timeout: float | Timeouts | httpx.Timeout | None,
    max_retries: int,
    backoff: Backoff,
    rng: Callable[[], float] | None,
    allow_http: bool,
    on_response: Callable[[ApiResponse[Any]], None] | None = None,
    default_headers: Mapping[str, str] | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> Settings:
    """
    Validate the client's constructor arguments into core :class:`Settings`.

    A ``base_url`` of ``None`` is read from ``PATIENTSKY_BASE_URL``.
    """
    if not isinstance(backoff, Backoff):
        raise InvalidInput("backoff", "must be a Backoff")
    url = from_environment(base_url)
    if url is None:
        raise InvalidInput(
            "base_url",
            f"is required: pass it (for example https://portal.example.no) or set "
            f"{BASE_URL_VARIABLE}",
        )
    return Settings(
        base_url=check_base_url(url, allow_http=allow_http),
        user_agent=user_agent(),
        timeout=to_timeouts(timeout),
        max_retries=check_retries(max_retries),
        backoff=backoff,
        rng=rng or random.random,
        now=_utc_now,
        new_key=_new_key,
        on_response=check_hook(on_response),
        headers=check_headers(default_headers, "default_headers"),
        deadline=check_deadline(deadline),
        clock=time.monotonic,
    )


def check_hook(hook: object) -> Callable[[ApiResponse[Any]], None] | None:
    """
    Validate an ``on_response`` hook: a function, or ``None``.

    Raises:
        InvalidInput: With field ``on_response``.
    """
    if hook is not None and not callable(hook):
        raise InvalidInput("on_response", "must be a function that takes an ApiResponse")
    return hook


def with_call_options(settings: Settings, options: CallOptions) -> Settings:
    """
    Return ``settings`` with a call's (or a view's) options applied.

    Raises:
        InvalidInput: For an unknown option or a bad value.
    """
    unknown = set(options) - set(_OPTIONS)
    if unknown:
        raise InvalidInput(min(unknown), f"is not an option ({', '.join(_OPTIONS)})")
    changes: dict[str, Any] = {}
    if "on_response" in options:
        changes["on_response"] = check_hook(options["on_response"])
    if "deadline" in options:
        changes["deadline"] = check_deadline(options["deadline"])
    if "extra_headers" in options:
        extra = check_headers(options["extra_headers"], "extra_headers")
        changes["headers"] = merge_headers(settings.headers, extra)
    if "timeout" in options:
        changes["timeout"] = to_timeouts(options["timeout"])
    if "max_retries" in options:
        changes["max_retries"] = check_retries(options["max_retries"])
    return settings._replace(**changes) if changes else settings


_CAPTURED: ContextVar[list[ApiResponse[Any]] | None] = ContextVar(
    "patientsky_client_captured", default=None
)


@contextlib.contextmanager
def capture_responses() -> Iterator[list[ApiResponse[Any]]]:
    """Collect the :class:`ApiResponse` of every call made inside the block (in this context)."""
    seen: list[ApiResponse[Any]] = []
    token = _CAPTURED.set(seen)
    try:
        yield seen
    finally:
        _CAPTURED.reset(token)


def record(result: ApiResponse[T]) -> T:
    """Hand ``result`` to an enclosing :func:`capture_responses`, and return its value."""
    seen = _CAPTURED.get()
    if seen is not None:
        seen.append(result)
    return result.value


def raw_response(seen: list[ApiResponse[Any]], value: T) -> ApiResponse[T]:
    """
    Return the last captured answer, carrying ``value`` (what the method returned).

    Raises:
        InvalidInput: With field ``method``, when the method sent no request (a list:
            its pages are fetched when iterated; use ``on_response`` for those).
    """
    if not seen:
        raise InvalidInput(
            "method",
            "sent no request; a list fetches its pages when iterated (use on_response=)",
        )
    last = seen[-1]
    return ApiResponse(
        status_code=last.status_code,
        headers=last.headers,
        request_id=last.request_id,
        idempotent_replayed=last.idempotent_replayed,
        idempotency_key=last.idempotency_key,
        attempts=last.attempts,
        method=last.method,
        path=last.path,
        value=value,
    )


def build_httpx_request(http: httpx.Client | httpx.AsyncClient, request: Request) -> httpx.Request:
    """Build the httpx request (the client's own default headers and cookies merged in)."""
    return http.build_request(
        request.method,
        request.url,
        headers=list(request.headers),
        content=request.content,
        timeout=to_httpx_timeout(request.timeout),
    )


def to_response(response: httpx.Response, content: bytes, started: float) -> Response:
    """Turn an httpx response and its body, read to the end, into a core :class:`Response`."""
    return Response(
        status=response.status_code,
        headers=tuple((k.lower(), v) for k, v in response.headers.multi_items()),
        content=content,
        elapsed_ms=(time.perf_counter() - started) * 1000.0,
    )


def past(deadline: float | None) -> bool:
    """Whether the call's deadline (on the core's monotonic clock) has passed."""
    return deadline is not None and time.monotonic() >= deadline


def deadline_passed(request: httpx.Request, started: float) -> TransportFailure:
    """The outcome of an answer still arriving when the call's deadline passed."""
    error = httpx.ReadTimeout(
        "the call's deadline passed while the answer arrived", request=request
    )
    return to_failure(error, started)


def to_failure(exc: httpx.RequestError, started: float) -> TransportFailure:
    """
    Classify an httpx error: what went wrong, and whether the server may have seen it.

    Connecting (including waiting for a pooled connection) fails before a byte is sent;
    a read or write error, a dropped connection or a read timeout may come after the
    server acted.
    """
    elapsed = (time.perf_counter() - started) * 1000.0
    kind, sent = FailureKind.OTHER, True
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        kind, sent = FailureKind.TIMEOUT, False
    elif isinstance(exc, httpx.TimeoutException):
        kind = FailureKind.TIMEOUT
    elif isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        kind, sent = FailureKind.CONNECT, False
    elif isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        kind = FailureKind.CONNECT
    return TransportFailure(kind=kind, sent=sent, error=exc, elapsed_ms=elapsed)


Sleeper: TypeAlias = Callable[[float], None]
"""How the sync client waits between attempts."""

AsyncSleeper: TypeAlias = Callable[[float], Awaitable[None]]
"""How the async client waits between attempts."""


class TokenProvider(Protocol):
    """
    A function that returns a bearer token.

    The client calls it before every attempt (cache the token in it if getting one is
    slow). After a 401 the client calls the ``refresh_token`` function, if it has one
    (so a provider that caches knows the cached token was refused), else this one
    again, and repeats the request once with the new token. It may be called from
    several threads at once.
    """

    def __call__(self) -> str:
        """Return the token."""
        ...


class AsyncTokenProvider(Protocol):
    """
    A function, plain or ``async``, that returns a bearer token.

    The client calls it before every attempt (cache the token in it if getting one is
    slow). After a 401 the client calls the ``refresh_token`` function, if it has one
    (so a provider that caches knows the cached token was refused), else this one
    again, and repeats the request once with the new token.
    """

    def __call__(self) -> str | Awaitable[str]:
        """Return the token, or an awaitable of it."""
        ...


def _check_auth(token: object, refresh_token: object) -> None:
    if token is not None and not isinstance(token, str) and not callable(token):
        raise InvalidInput("token", "must be a string or a function that returns one")
    if refresh_token is not None and not callable(refresh_token):
        raise InvalidInput("refresh_token", "must be a function that returns a new token")


class Auth:
    """
    The sync client's token, or provider of tokens (which may be called from several threads).

    Args:
        token: The token, or a function that returns the current one.
        refresh_token: Called instead of ``token`` after a 401, to get a new token
            (the current one was refused); without it, ``token`` is called again.
    """

    def __init__(
        self, token: str | TokenProvider | None, refresh_token: TokenProvider | None = None
    ) -> None:
        _check_auth(token, refresh_token)
        self.token = token
        self.refresh_token = refresh_token

    def get(self, refresh: bool) -> str | None:
        """Return the token to send; ``None`` if there is none (or no new one on a refresh)."""
        source = self.refresh_token if refresh and self.refresh_token else self.token
        if source is None or isinstance(source, str):
            return None if refresh else source
        return source()


class AsyncAuth:
    """
    The async client's token, or provider of tokens (plain or ``async``).

    Args:
        token: The token, or a function that returns the current one.
        refresh_token: Called instead of ``token`` after a 401, to get a new token
            (the current one was refused); without it, ``token`` is called again.
    """

    def __init__(
        self,
        token: str | AsyncTokenProvider | None,
        refresh_token: AsyncTokenProvider | None = None,
    ) -> None:
        _check_auth(token, refresh_token)
        self.token = token
        self.refresh_token = refresh_token

    async def get(self, refresh: bool) -> str | None:
        """Return the token to send; ``None`` if there is none (or no new one on a refresh)."""
        source = self.refresh_token if refresh and self.refresh_token else self.token
        if source is None or isinstance(source, str):
            return None if refresh else source
        value = source()
        if inspect.isawaitable(value):
            value = await value
        return value


class _Job:
    """One attempt handed to a worker thread, and what came of it."""

    def __init__(self, run: Callable[[], Any]) -> None:
        self.run = run
        self.finished = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


_MAX_IDLE: Final = 8
_idle: list[queue.SimpleQueue[_Job]] = []  # the job queues of idle workers
_idle_lock = threading.Lock()
# A forked child has none of its parent's threads: forget their queues.
os.register_at_fork(after_in_child=_idle.clear)


def _work(jobs: queue.SimpleQueue[_Job]) -> None:
    while True:
        job = jobs.get()
        try:
            job.value = job.run()
        except BaseException as exc:  # noqa: BLE001 -- handed to the caller, who re-raises it
            job.error = exc
        job.finished.set()
        with _idle_lock:
            if len(_idle) >= _MAX_IDLE:
                return
            _idle.append(jobs)


def _hand_over(job: _Job) -> None:
    with _idle_lock:
        jobs = _idle.pop() if _idle else None
    if jobs is None:
        jobs = queue.SimpleQueue()
        worker = threading.Thread(
            target=_work, args=(jobs,), name="patientsky-attempt", daemon=True
        )
        worker.start()
    jobs.put(job)


def within(
    deadline: float | None,
    function: Callable[Params, T],
    /,
    *args: Params.args,
    **kwargs: Params.kwargs,
) -> T | None:
    """
    Run ``function`` (one attempt's I/O), but wait for it at most until ``deadline``.

    A blocking read cannot be interrupted, so with a deadline the attempt runs in a
    daemon worker thread (in a copy of the caller's context; idle workers are reused)
    and the caller stops waiting at the deadline; the abandoned attempt stops at its
    next chunk or per-read timeout.

    Returns:
        What ``function`` returned, or ``None`` if the deadline came first.
    """
    if deadline is None:
        return function(*args, **kwargs)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    context = contextvars.copy_context()
    job = _Job(functools.partial(context.run, function, *args, **kwargs))
    _hand_over(job)
    if not job.finished.wait(remaining):
        return None
    if job.error is not None:
        raise job.error
    value: T = job.value
    return value


async def async_within(
    deadline: float | None,
    function: Callable[Params, Awaitable[T]],
    /,
    *args: Params.args,
    **kwargs: Params.kwargs,
) -> T | None:
    """
    Run ``function`` (one attempt's I/O), cancelling it at ``deadline`` (asyncio or trio).

    Returns:
        What ``function`` returned, or ``None`` if the deadline came first.
    """
    if deadline is None:
        return await function(*args, **kwargs)
    import anyio

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    with anyio.move_on_after(remaining):
        return await function(*args, **kwargs)
    return None


def default_sleep(seconds: float) -> None:
    """Sleep (the sync client's default)."""
    time.sleep(seconds)


async def default_async_sleep(seconds: float) -> None:
    """Sleep without blocking the event loop (asyncio or trio, through anyio)."""
    import anyio

    await anyio.sleep(seconds)
