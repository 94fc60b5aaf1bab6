"""
The sandbox server: a Starlette app that serves the HTTP contract and enforces the rules.

The sandbox is a consumer of :mod:`patientsky.rules` like any other service: each
endpoint loads the models from SQLite, asks the rules, and stores what they return. It
never decides anything itself.

Concurrency: each request's work runs in a worker thread (:class:`~._asgi.Workers`, off
the event loop); all of it happens inside one SQLite transaction (``BEGIN IMMEDIATE``
for writes), so a check and the write it allows cannot interleave with another's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from patientsky.errors import AccessDenied, Conflict, InvalidInput, NotFound
from patientsky.sandbox import _handlers
from patientsky.sandbox._access_log import record_access
from patientsky.sandbox._asgi import (
    FastHandler,
    SandboxApp,
    Workers,
    client_host,
    query_params,
    request_headers,
    starlette_endpoint,
    url_path,
)
from patientsky.sandbox._auth import PersonPrincipal, Principal, authenticate
from patientsky.sandbox._context import Ctx, Sandbox
from patientsky.sandbox._declare import Operation
from patientsky.sandbox._headers import Receive, Scope, SecurityHeaders, set_header
from patientsky.sandbox._http import (
    MAX_ATTACHMENT_BYTES,
    MAX_JSON_BYTES,
    MAX_PHOTO_BYTES,
    ApiProblem,
    Call,
    new_request_id,
    problem_response,
    read_body,
)
from patientsky.sandbox._limits import Limits, guard_operations
from patientsky.sandbox._params import read_params
from patientsky.sandbox._parts import PATIENT_ID
from patientsky.sandbox._repo import Repo
from patientsky.sandbox.clock import SandboxClock
from patientsky.sandbox.demo_data import DemoData, build_demo, load_demo
from patientsky.sandbox.storage import Storage, StoredResponse, is_busy
from patientsky.wire import make_converter

__all__ = ["Sandbox", "create_app", "get_sandbox"]

logger = logging.getLogger("patientsky.sandbox")

_WORKERS = Workers()  # the threads every sandbox's SQLite work runs in
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
_IDEMPOTENCY_KEY_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))


def _request_hash(call: Call) -> str:
    digest = hashlib.sha256()
    digest.update(call.media_type.encode())
    digest.update(b"\0")
    # What else describes the body is part of the request too: the query, and an
    # upload's Content-Disposition (its file name). A request without them hashes as
    # it always did.
    if call.query:
        digest.update(json.dumps(sorted(call.query.items())).encode("ascii") + b"\0")
    disposition = call.headers.get("content-disposition")
    if disposition is not None:
        digest.update(b"content-disposition:" + disposition.encode("utf-8", "replace") + b"\0")
    digest.update(call.body)
    return digest.hexdigest()


def _idempotency_key(call: Call) -> str | None:
    key = call.headers.get("idempotency-key")
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not set(key) <= _IDEMPOTENCY_KEY_CHARS:
        raise ApiProblem(
            400,
            "invalid_input",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
            errors=(("Idempotency-Key", "must be 1 to 255 visible ASCII characters"),),
        )
    return key


_REPLAYED_HEADERS = ("etag", "location", "content-disposition")

BUSY_RETRY_AFTER = 1
"""The ``Retry-After`` (seconds) of a 503 when the database stayed busy."""

MIN_ADMIN_KEY_LENGTH = 16
"""The shortest admin key the sandbox accepts (a generated one is 43 characters)."""

IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)
"""How long (on the sandbox clock) a stored response is replayed for its key."""


def _write_scope(template: str, call: Call, principal: Principal | None) -> str:
    """
    Return what a write is about: the route with ``me`` resolved to the person's id.

    ``/v1/patients/me/dialogs`` and ``/v1/patients/{own id}/dialogs`` name the same
    records, so an Idempotency-Key sent to both is one write.
    """
    params = dict(call.path_params)
    if params.get("patientId") == "me" and isinstance(principal, PersonPrincipal):
        params["patientId"] = principal.session.person_id
    return template.format_map(params)


def _authorise(ctx: Ctx, op: Operation) -> None:
    if op.may is None:
        return
    patient = ctx.patient()
    if isinstance(op.may, tuple):
        ctx.require_any(patient, op.may)
    else:
        ctx.require(patient, op.may)


def _run(sandbox: Sandbox, op: Operation, call: Call, template: str) -> Response:
    """
    Run one operation in one transaction.

    The order is the contract: who (authenticate), then may (authorise), then what
    (the Idempotency-Key, replay, the body). A stored response is replayed only to a
    caller who may still make the request. A call that succeeds records its
    access-log entry in the same transaction (see :mod:`patientsky.sandbox._access_log`).
    """
    now = sandbox.now()
    # An operation on a patient's data writes its access-log entry, so even a read of
    # one runs in a write transaction: the entry commits with it or not at all.
    writes = op.writes or op.log is not None
    context = sandbox.storage.transaction() if writes else sandbox.storage.read()
    with context as tx:
        repo = Repo(tx, sandbox.converter, sandbox.memo)
        principal = authenticate(tx, call.headers, now) if op.auth else None
        ctx = Ctx(sandbox, call, repo, now, principal)
        if op.caller == "person":
            ctx.person()
        _authorise(ctx, op)
        # What: the declared parameters, then the Idempotency-Key and the body.
        declared = (PATIENT_ID, *op.params) if op.for_patient else op.params
        ctx.params.update(read_params(declared, call, sandbox.converter))
        # The admin key is one caller: the clinic-side helpers' keys are kept for it.
        caller = principal.caller if principal is not None else "admin" if op.admin else None
        key = _idempotency_key(call) if op.idempotent and caller is not None else None
        if key is not None and caller is not None:
            scope = _write_scope(template, call, principal)
            tx.purge_responses(_utc(now - IDEMPOTENCY_KEY_LIFETIME))
            stored = tx.get_response(caller, call.method, scope, key)
            request_hash = _request_hash(call)
            if stored is not None:
                if stored.request_hash != request_hash:
                    raise ApiProblem(
                        409,
                        "idempotency_key_reused",
                        "this Idempotency-Key was used with another request body",
                    )
                headers = {**stored.headers, "Idempotent-Replayed": "true"}
                return Response(
                    stored.body, stored.status, headers=headers, media_type=stored.media_type
                )
        response = op.handler(ctx)
        if 200 <= response.status_code < 300:
            record_access(ctx, op)  # a replay returned above: one entry per call done
        if key is not None and caller is not None and 200 <= response.status_code < 300:
            kept = {k: v for k, v in response.headers.items() if k.lower() in _REPLAYED_HEADERS}
            tx.put_response(
                caller,
                call.method,
                scope,
                key,
                StoredResponse(
                    request_hash,
                    response.status_code,
                    response.media_type or "application/json",
                    kept,
                    bytes(response.body),
                ),
                _utc(now),
            )
        return response


def _utc(value: dt.datetime) -> str:
    """A sortable UTC timestamp, the form every stored time uses."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _check_token(sandbox: Sandbox, headers: Mapping[str, str]) -> None:
    """Authenticate before a body is read (the handler's transaction checks again)."""
    with sandbox.storage.read() as tx:
        authenticate(tx, headers, sandbox.now())


def _unauthorized_admin() -> ApiProblem:
    return ApiProblem(
        401,
        "admin_key_required",
        "this sandbox-only operation needs the admin key as a bearer token"
        " (printed when the sandbox starts, or PATIENTSKY_SANDBOX_KEY)",
        headers={"WWW-Authenticate": 'Bearer realm="patientsky-sandbox-admin"'},
    )


def _problem_for(exc: BaseException, op: Operation | None, request_id: str) -> ApiProblem:
    if isinstance(exc, ApiProblem):
        return exc
    if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
        # Another writer held the database past the busy timeout: a moment's wait helps.
        return ApiProblem(
            503,
            "service_unavailable",
            "the database is busy; try again in a moment",
            headers={"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    if isinstance(exc, InvalidInput):
        return ApiProblem.invalid(exc)
    if isinstance(exc, AccessDenied):
        reason = exc.reason
        return ApiProblem(403, reason.value, reason.message_en, message_nb=reason.message_nb)
    if isinstance(exc, NotFound):
        return ApiProblem(404, "not_found", "not found")
    if isinstance(exc, Conflict):
        return ApiProblem(409, "conflict", "the request conflicts with the current state")
    # Never the message, the path or the body: they may hold personal data.
    op_id = op.id if op is not None else "?"
    logger.error("unexpected %s in %s (request %s)", type(exc).__name__, op_id, request_id)
    return ApiProblem(500, "internal_error", "an unexpected error occurred")


def _headless(response: Response) -> Response:
    """The answer to a HEAD: the GET's status and headers (its length too), no body."""
    return Response(b"", response.status_code, headers=dict(response.headers))


def _handler(sandbox: Sandbox, ops: Mapping[str, Operation], template: str) -> FastHandler:
    """The handler of one path: its operations by method, run on the ASGI scope."""
    if "GET" in ops and "HEAD" not in ops:
        ops = {**ops, "HEAD": ops["GET"]}  # HEAD works wherever GET does
    allow = ", ".join(sorted(ops))

    async def handle(scope: Scope, receive: Receive, path_params: dict[str, Any]) -> Response:
        request_id = new_request_id()
        instance = f"urn:patientsky:request:{request_id}"
        method: str = scope["method"]
        op = ops.get(method)
        try:
            if op is None:
                raise ApiProblem(
                    405,
                    "method_not_allowed",
                    f"{method} is not allowed here; allowed: {allow}",
                    headers={"Allow": allow},
                )
            headers = request_headers(scope)
            # Who first: nobody makes the server buffer a body before that is known.
            if op.admin:
                if not sandbox.is_admin(headers):
                    raise _unauthorized_admin()
            elif op.auth and op.reads != "none":
                await _WORKERS.run(_check_token, sandbox, headers)
            body = b""
            if op.reads != "none":
                limit = {"photo": MAX_PHOTO_BYTES, "file": MAX_ATTACHMENT_BYTES}.get(
                    op.reads, MAX_JSON_BYTES
                )
                body = await read_body(scope, receive, limit)
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            call = Call(
                request_id=request_id,
                method=method,
                path=url_path(scope),
                path_params=path_params,
                query=query_params(scope),
                headers=headers,
                body=body,
                media_type=media_type,
                client=client_host(scope),
            )
            response = await _WORKERS.run(_run, sandbox, op, call, template)
        except Exception as exc:  # noqa: BLE001 -- every error becomes a problem document
            found = _problem_for(exc, op, request_id)
            problem = problem_response(found, request_id, instance)
            return _headless(problem) if method == "HEAD" else problem
        set_header(response.raw_headers, b"x-request-id", request_id.encode("latin-1"))
        return _headless(response) if method == "HEAD" else response

    return handle


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods Starlette itself refuses, as problem documents."""
    request_id = new_request_id()
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    headers = dict(exc.headers or {}) if isinstance(exc, StarletteHTTPException) else {}
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "invalid_input")
    detail = {404: "no such path", 405: "method not allowed"}.get(status, "bad request")
    problem = ApiProblem(status, code, detail, headers=headers)
    return problem_response(problem, request_id, f"urn:patientsky:request:{request_id}")


def get_sandbox(app: Starlette) -> Sandbox:
    """Return the :class:`Sandbox` behind an app made by :func:`create_app`."""
    sandbox = app.state.sandbox
    if not isinstance(sandbox, Sandbox):
        raise TypeError("not a sandbox app")
    return sandbox


def create_app(
    db_path: str | None = None,
    clock: SandboxClock | None = None,
    demo: bool = True,
    *,
    admin_key: str | None = None,
    limits: Limits | None = None,
    busy_timeout: float = 30.0,
) -> Starlette:
    """
    Make the sandbox app.

    Args:
        db_path: A SQLite file to keep the state in; memory if None.
        clock: The sandbox clock; real time if None.
        demo: Load the demo world (when the database is new).
        admin_key: The secret the sandbox-only operations require as a bearer token
            (``Sandbox.admin_key``); a random one if None, so a sandbox is never open
            by default.
        limits: Rate limits and caps (see :class:`~patientsky.sandbox.Limits`); the
            defaults if None.
        busy_timeout: How long, in seconds, a request waits for another writer to the
            database file (another process) before it answers 503
            ``service_unavailable`` with ``Retry-After``.

    Returns:
        The Starlette app; :func:`get_sandbox` gives its state.
    """
    storage = Storage(db_path or ":memory:", busy_timeout=busy_timeout)
    clock = clock or SandboxClock()
    data: DemoData | None = None
    if demo:
        with storage.transaction() as tx:
            fresh = tx.get_meta("demo_loaded") is None
            if fresh:
                data = build_demo(clock.now())
                load_demo(Repo(tx, make_converter()), data)
                tx.set_meta("demo_loaded", clock.now().isoformat())
                tx.set_meta("demo_logins", json.dumps(_logins(data)))
    if admin_key is not None and len(admin_key) < MIN_ADMIN_KEY_LENGTH:
        raise ValueError(f"the admin key must be at least {MIN_ADMIN_KEY_LENGTH} characters")
    sandbox = Sandbox(storage, clock, data, admin_key, limits)
    handlers = {
        path: _handler(sandbox, ops, path)
        for path, ops in guard_operations(_handlers.operations(), sandbox.guard).items()
    }
    routes = [
        Route(path, starlette_endpoint(handle), methods=list(_METHODS))
        for path, handle in handlers.items()
    ]
    app = SandboxApp(
        handlers,
        _METHODS,
        routes=routes,
        exception_handlers={StarletteHTTPException: _http_exception},
        middleware=[Middleware(SecurityHeaders)],
    )
    app.state.sandbox = sandbox
    return app


def _logins(data: DemoData) -> list[dict[str, str]]:
    return [
        {"patientId": login.patient_id, "name": login.name, "role": login.role}
        for login in data.logins
    ]
