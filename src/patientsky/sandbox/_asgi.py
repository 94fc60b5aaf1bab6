"""
The sandbox's front door: a request goes straight to its operation, Starlette does the rest.

Starlette's router tries its routes one after another (a regular expression each, ~100
routes) and every request passes three middleware layers and a ``Request`` object
before the handler runs. :class:`SandboxApp` is the same Starlette app with a short
way in for the requests that reach an operation: it finds the route from a table made
once (by the number of path segments and the last one) and calls the operation's
handler with the ASGI scope itself. Which route answers is decided exactly as
Starlette decides it: the same compiled patterns, tried in the same order, only the
routes that cannot match skipped. Everything else (an unknown path, a trailing slash
Starlette redirects, a method no route knows, a ``root_path``, lifespan events) goes
through Starlette as before, so every answer a client can see stays the same.

The security headers of :class:`~patientsky.sandbox._headers.SecurityHeaders` are
added here to the answers of the short way too, and an exception that escapes a
handler (a bug: handlers turn every error into a problem document) gets Starlette's
plain 500, as its outermost middleware would send it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.convertors import StringConvertor
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from patientsky.sandbox._headers import (
    CACHEABLE_PATHS,
    Receive,
    Scope,
    SecurityHeaders,
    Send,
    secure,
)

__all__ = [
    "FastHandler",
    "RouteTable",
    "SandboxApp",
    "Workers",
    "client_host",
    "query_params",
    "request_headers",
    "starlette_endpoint",
    "url_path",
]

T = TypeVar("T")

FastHandler = Callable[[Scope, Receive, dict[str, Any]], Awaitable[Response]]
"""An operation's handler called with the ASGI scope, its receive and the path's parameters."""

_Bucket = tuple[dict[str, tuple[Route, ...]], tuple[Route, ...]]


class RouteTable:
    """
    Finds the route a path matches, as Starlette's router would, without trying them all.

    A route's pattern (``[^/]+`` per parameter) matches only paths with as many ``/``
    as its template, and a template whose last segment is literal only paths that end
    in it; so only those routes are tried, in their order.

    Args:
        routes: The app's routes, in the router's order.

    Raises:
        ValueError: If a route converts a parameter (the table keeps strings only).
    """

    def __init__(self, routes: Sequence[Route]) -> None:
        by_count: dict[int, list[Route]] = {}
        for route in routes:
            if not all(isinstance(c, StringConvertor) for c in route.param_convertors.values()):
                raise ValueError(f"{route.path}: only plain string parameters are supported")
            by_count.setdefault(route.path.count("/"), []).append(route)
        self._buckets: dict[int, _Bucket] = {}
        for count, found in by_count.items():
            lasts = {_last(r.path) for r in found if "{" not in _last(r.path)}
            other = tuple(r for r in found if "{" in _last(r.path))
            by_last = {
                last: tuple(r for r in found if "{" in _last(r.path) or _last(r.path) == last)
                for last in lasts
            }
            self._buckets[count] = (by_last, other)

    def find(self, path: str) -> tuple[Route, dict[str, Any]] | None:
        """Return the first route that matches ``path`` and its parameters, or None."""
        bucket = self._buckets.get(path.count("/"))
        if bucket is None:
            return None
        by_last, other = bucket
        for route in by_last.get(_last(path), other):
            match = route.path_regex.match(path)
            if match is not None:
                return route, match.groupdict()
        return None


def _last(path: str) -> str:
    return path[path.rfind("/") + 1 :]


class SandboxApp(Starlette):
    """
    A Starlette app whose requests for an operation skip the router's scan (see the module).

    Args:
        handlers: Each route's handler, by the route's template.
        methods: The methods the routes accept (any other goes through Starlette).
        **kwargs: Passed to :class:`~starlette.applications.Starlette`.
    """

    def __init__(
        self, handlers: Mapping[str, FastHandler], methods: Sequence[str], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        routes = [r for r in self.router.routes if isinstance(r, Route)]
        self._table = RouteTable(routes)
        self._handlers = {route.path: handlers[route.path] for route in routes}
        self._methods = frozenset(methods)
        # The short way adds the security headers itself, and no other middleware.
        classes: list[object] = [m.cls for m in self.user_middleware]
        self._short = classes == [SecurityHeaders]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and not scope.get("root_path")
            and scope["method"] in self._methods
            and self._short
            and len(self.user_middleware) == 1  # none added since
        ):
            found = self._table.find(scope["path"])
            if found is not None:
                route, params = found
                await self._answer(self._handlers[route.path], params, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _answer(
        self,
        handler: FastHandler,
        params: dict[str, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        scope["app"] = self
        started = False
        try:
            response = await handler(scope, receive, params)
            secure(response.raw_headers, scope["path"] in CACHEABLE_PATHS)
            started = True  # from here on the answer is on its way
            await response(scope, receive, send)
        except Exception:
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
            raise


def starlette_endpoint(handle: FastHandler) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of a handler (the way in when the short one is not taken)."""

    async def endpoint(request: Request) -> Response:
        return await handle(request.scope, request.receive, dict(request.path_params))

    return endpoint


def query_params(scope: Scope) -> dict[str, str]:
    """The query's parameters (the last of repeated ones), as Starlette reads them."""
    raw: bytes = scope["query_string"]
    if not raw:
        return {}
    # Read once per query text (the same text, the same parameters); a copy each time.
    found = _QUERIES.get(raw)
    if found is None:
        found = dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
        if len(_QUERIES) >= _KEPT_QUERIES:
            _QUERIES.clear()
        _QUERIES[raw] = found
    return dict(found)


_QUERIES: dict[bytes, dict[str, str]] = {}
_KEPT_QUERIES = 1024


def client_host(scope: Scope) -> str:
    """The client's address, or "" if the server did not say."""
    client = scope.get("client")
    return str(client[0]) if client else ""


def request_headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (the last of a repeated one), as Latin-1."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def url_path(scope: Scope) -> str:
    """The request's path as ``Request.url.path`` gives it."""
    path: str = scope["path"]
    if any(c in path for c in "?#\\\t\r\n") or path.startswith("//"):
        return URL(scope=scope).path
    return path


class Workers:
    """
    Threads that run the sandbox's blocking work (SQLite) off the event loop.

    What anyio's ``to_thread.run_sync`` (Starlette's ``run_in_threadpool``) does, for
    half its cost per call: a queue the threads wait on, and the answer handed back with
    ``call_soon_threadsafe``. The threads start on first use, at most ``size`` of them;
    one is started whenever every thread is busy. The work of a request whose caller
    was cancelled still runs to its end (a transaction is never cut short), as with
    anyio, and the caller gets the cancellation only then.

    Args:
        size: The most threads: anyio's default, so that as many requests can wait at
            once (for the database lock, or for another process's write to end) as before.
    """

    def __init__(self, size: int = 40) -> None:
        self._size = size
        self._queue: queue.SimpleQueue[list[Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` in a worker thread (in a copy of this context); return its result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._idle == 0 and self._threads < self._size:
                self._threads += 1
                self._idle += 1
                threading.Thread(target=self._work, name="sandbox-worker", daemon=True).start()
            self._idle -= 1
        # The job: [loop, the future its caller waits on, context, func, args, settled].
        job: list[Any] = [loop, future, contextvars.copy_context(), func, args, False]
        self._queue.put(job)
        try:
            return await future
        except asyncio.CancelledError:
            # As anyio does: the work goes on; the cancellation is delivered when it is
            # done (_settle, on this loop, answers whichever future the job holds then).
            while not job[5]:
                waiter = job[1] = loop.create_future()
                try:
                    await waiter
                except asyncio.CancelledError:
                    continue
                except BaseException:  # noqa: BLE001, S110 -- the work's own error
                    pass
            raise

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            loop, _, context, func, args, _ = job
            result: Any = None
            error: BaseException | None = None
            try:
                result = context.run(func, *args)
            except BaseException as exc:  # noqa: BLE001 -- handed to the caller
                error = exc
            with self._lock:
                self._idle += 1
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(_settle, job, result, error)
            del job, loop, context, func, args, result, error


def _settle(job: list[Any], result: Any, exc: BaseException | None) -> None:
    job[5] = True
    future: asyncio.Future[Any] = job[1]
    if future.cancelled():
        return
    if exc is None:
        future.set_result(result)
    else:
        future.set_exception(exc)
