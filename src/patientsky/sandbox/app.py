"""
The sandbox server: a Starlette app that serves the HTTP contract and enforces the rules.

The sandbox is a consumer of :mod:`patientsky.rules` like any other service: each
endpoint loads the models from SQLite, asks the rules, and stores what they return. It
never decides anything itself.

Concurrency: Starlette runs each request's work in a worker thread; all of it happens
inside one SQLite transaction (``BEGIN IMMEDIATE`` for writes), so a check and the write
it allows cannot interleave with another request's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from patientsky.errors import AccessDenied, Conflict, InvalidInput, NotFound
from patientsky.models import Action, Patient
from patientsky.rules.access import AccessRequest, decide
from patientsky.rules.decision import Decision, Denied, Reason
from patientsky.sandbox import _openapi
from patientsky.sandbox._auth import PersonPrincipal, Principal, authenticate
from patientsky.sandbox._headers import SecurityHeaders
from patientsky.sandbox._http import (
    ApiProblem,
    Call,
    json_response,
    new_request_id,
    problem_response,
    read_body,
)
from patientsky.sandbox._limits import Guard, Limits, guard_operations
from patientsky.sandbox._repo import Repo
from patientsky.sandbox.clock import SandboxClock
from patientsky.sandbox.demo_data import DemoData, build_demo
from patientsky.sandbox.storage import Storage, StoredResponse
from patientsky.wire import WireConverter, make_converter

__all__ = ["Sandbox", "create_app", "get_sandbox"]

logger = logging.getLogger("patientsky.sandbox")

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
_IDEMPOTENCY_KEY_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))


class Sandbox:
    """
    The sandbox's state: its database, clock, wire converter and demo world.

    Args:
        storage: The database.
        clock: The sandbox clock.
        demo: The demo world loaded into the database, if any.
        admin_key: The secret that sandbox-only operations (the clock, clinic login,
            clinic-side helpers) require as a bearer token; a random one if None.
            Never in a repr or a log.
        limits: Rate limits and caps; the defaults if None.
    """

    def __init__(
        self,
        storage: Storage,
        clock: SandboxClock,
        demo: DemoData | None,
        admin_key: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.demo = demo
        self.limits = limits or Limits()
        self.guard = Guard(self.limits)
        self.admin_key = admin_key or secrets.token_urlsafe(32)
        # A sandbox holds test people only: a real person's number is refused everywhere.
        self.converter: WireConverter = make_converter(synthetic_national_ids_only=True)

    def __repr__(self) -> str:
        return f"Sandbox(storage={self.storage.path!r}, clock={self.clock!r})"

    def is_admin(self, headers: Mapping[str, str]) -> bool:
        """Whether ``headers`` (lower-case names) carry the admin key as a bearer token."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        given = token.strip().encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self.admin_key.encode("utf-8"))

    @cached_property
    def document(self) -> bytes:
        """The shipped OpenAPI document, as served at ``/openapi.json``."""
        return _openapi.DOCUMENT_PATH.read_bytes()

    def now(self) -> dt.datetime:
        """The sandbox's current time."""
        return self.clock.now()


@attrs.frozen
class Ctx:
    """Everything a handler needs for one request."""

    sandbox: Sandbox
    call: Call
    repo: Repo
    now: dt.datetime
    principal: Principal | None
    _patients: dict[str, Patient] = attrs.field(factory=dict, repr=False)

    @property
    def conv(self) -> WireConverter:
        """The wire converter."""
        return self.sandbox.converter

    def dump(self, value: Any, unstructure_as: Any = None) -> Any:
        """Return the wire form of a model (or a tuple of them)."""
        return self.conv.unstructure(value, unstructure_as=unstructure_as)

    def person(self) -> PersonPrincipal:
        """
        Return the logged-in person.

        Raises:
            ApiProblem: 403 if a clinic's token is used where a person's is needed.
        """
        if isinstance(self.principal, PersonPrincipal):
            return self.principal
        raise ApiProblem(403, "person_login_required", "this needs a person's login")

    def patient(self) -> Patient:
        """
        Return the patient of the path (``me`` is the logged-in person).

        Raises:
            ApiProblem: 404 if there is no such patient.
        """
        raw = self.call.path_params.get("patientId", "")
        person = self.person()
        patient_id = person.session.person_id if raw == "me" else raw
        cached = self._patients.get(patient_id)
        if cached is not None:
            return cached
        patient = self.repo.patient(patient_id)
        if patient is None:
            raise ApiProblem(404, "not_found", "no such patient")
        self._patients[patient_id] = patient
        return patient

    def access(self, patient: Patient, action: Any) -> AccessRequest:
        """Return the access request of the logged-in person for ``patient`` and ``action``."""
        session = self.person().session
        actor = session.person_id
        relations = self.repo.relations_of(patient.id)
        if actor != patient.id:
            # The actor's own relations only serve to explain a chain (TRANSITIVE_RELATION).
            seen = {r.id for r in relations}
            relations += [r for r in self.repo.relations_by(actor) if r.id not in seen]
        return AccessRequest(
            session=session,
            action=action,
            patient=patient,
            at=self.now,
            terms=self.repo.terms(),
            patient_consent=self.repo.consent(patient.id),
            actor_consent=None if actor == patient.id else self.repo.consent(actor),
            relations=tuple(relations),
        )

    def require(self, patient: Patient, action: Any) -> AccessRequest:
        """
        Return the access request if the rules allow it.

        Raises:
            ApiProblem: 403 with the rule's reason otherwise.
        """
        request = self.access(patient, action)
        deny_unless(decide(request))
        return request

    def require_any(self, patient: Patient, actions: tuple[Action, ...]) -> None:
        """
        Check that the logged-in person may do at least one of ``actions`` for ``patient``.

        Used before a body is read when the body decides which action is needed (a
        dialog's type): a stranger is refused before learning anything from validation.

        Raises:
            ApiProblem: 403 with the first action's reason if none is allowed.
        """
        first: Decision | None = None
        for action in actions:
            decision = decide(self.access(patient, action))
            if decision.allowed:
                return
            first = first or decision
        if first is not None:
            deny_unless(first)


def deny_unless(decision: Decision | Denied) -> None:
    """
    Raise the 403 problem of a denying decision.

    Raises:
        ApiProblem: 403 (or 409 for a conflict with the state) carrying the reason.
    """
    if isinstance(decision, Denied):
        decision = decision.decision
    if decision.reason is None:
        return
    raise ApiProblem(
        _STATUS_OF_REASON.get(decision.reason, 403),
        decision.reason.value,
        decision.message_en,
        message_nb=decision.message_nb,
    )


# Reasons that say the state of things does not allow it, rather than who asks.
_STATUS_OF_REASON: Mapping[Reason, int] = {
    Reason.SLOT_NOT_FREE: 409,
    Reason.ALREADY_BOOKED: 409,
    Reason.NOT_CANCELLABLE: 409,
    Reason.DIALOG_CLOSED: 409,
    Reason.DIALOG_FULL: 409,
    Reason.TOO_MANY_FUTURE_BOOKINGS: 409,
    Reason.START_NOT_ON_GRID: 409,
}


Handler = Callable[[Ctx], Response]


@attrs.frozen
class Operation:
    """
    One operation of the contract: method, handler and how it is guarded.

    Args:
        method: The HTTP method.
        handler: The function that does the work, after every guard passed.
        body: ``"none"`` (never read), ``"json"`` or ``"photo"``.
        auth: Whether a person's or clinic's bearer token is required.
        writes: Whether it runs in a write transaction.
        idempotent: Whether it takes an ``Idempotency-Key``.
        admin: Whether it is a sandbox-only operation that needs the admin key.
        may: The action (or any one of several actions) the caller needs for the
            path's patient; checked after authentication and before the body is read
            or a stored response replayed.
    """

    method: str
    handler: Handler
    body: str = "none"
    auth: bool = True
    writes: bool = False
    idempotent: bool = False
    admin: bool = False
    may: Action | tuple[Action, ...] | None = None


def _request_hash(call: Call) -> str:
    digest = hashlib.sha256()
    digest.update(call.media_type.encode())
    digest.update(b"\0")
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

MIN_ADMIN_KEY_LENGTH = 16
"""The shortest admin key the sandbox accepts (a generated one is 43 characters)."""

IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)
"""How long (on the sandbox clock) a stored response is replayed for its key."""


def _write_scope(template: str, call: Call, principal: Principal) -> str:
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
    caller who may still make the request.
    """
    now = sandbox.now()
    context = sandbox.storage.transaction() if op.writes else sandbox.storage.read()
    with context as tx:
        repo = Repo(tx, sandbox.converter)
        principal = authenticate(tx, call.headers, now) if op.auth else None
        ctx = Ctx(sandbox, call, repo, now, principal)
        _authorise(ctx, op)
        key = _idempotency_key(call) if op.idempotent and principal is not None else None
        if key is not None and principal is not None:
            scope = _write_scope(template, call, principal)
            tx.purge_responses(_utc(now - IDEMPOTENCY_KEY_LIFETIME))
            stored = tx.get_response(principal.caller, call.method, scope, key)
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
        if key is not None and principal is not None and 200 <= response.status_code < 300:
            kept = {k: v for k, v in response.headers.items() if k.lower() in _REPLAYED_HEADERS}
            tx.put_response(
                principal.caller,
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


def _problem_for(exc: BaseException, op_id: str, request_id: str) -> ApiProblem:
    if isinstance(exc, ApiProblem):
        return exc
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
    logger.error("unexpected %s in %s (request %s)", type(exc).__name__, op_id, request_id)
    return ApiProblem(500, "internal_error", "an unexpected error occurred")


def _endpoint(sandbox: Sandbox, ops: Mapping[str, Operation], template: str) -> Any:
    allow = ", ".join(sorted(ops))

    async def endpoint(request: Request) -> Response:
        request_id = new_request_id()
        instance = f"urn:patientsky:request:{request_id}"
        op = ops.get(request.method)
        try:
            if op is None:
                raise ApiProblem(
                    405,
                    "method_not_allowed",
                    f"{request.method} is not allowed here; allowed: {allow}",
                    headers={"Allow": allow},
                )
            headers = {k.lower(): v for k, v in request.headers.items()}
            # Who first: nobody makes the server buffer a body before that is known.
            if op.admin:
                if not sandbox.is_admin(headers):
                    raise _unauthorized_admin()
            elif op.auth and op.body != "none":
                await run_in_threadpool(_check_token, sandbox, headers)
            body = b""
            if op.body != "none":
                limit = _openapi.MAX_PHOTO_BYTES if op.body == "photo" else _openapi.MAX_JSON_BYTES
                body = await read_body(request, limit)
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            call = Call(
                request_id=request_id,
                method=request.method,
                path=request.url.path,
                path_params=dict(request.path_params),
                query=dict(request.query_params),
                headers=headers,
                body=body,
                media_type=media_type,
                client=request.client.host if request.client else "",
            )
            response = await run_in_threadpool(_run, sandbox, op, call, template)
        except Exception as exc:  # noqa: BLE001 -- every error becomes a problem document
            return problem_response(_problem_for(exc, template, request_id), request_id, instance)
        response.headers["X-Request-Id"] = request_id
        return response

    return endpoint


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

    Returns:
        The Starlette app; :func:`get_sandbox` gives its state.
    """
    from patientsky.sandbox import _handlers

    storage = Storage(db_path or ":memory:")
    clock = clock or SandboxClock()
    data: DemoData | None = None
    if demo:
        with storage.transaction() as tx:
            fresh = tx.get_meta("demo_loaded") is None
            if fresh:
                data = build_demo(clock.now())
                Repo(tx, make_converter()).load_demo(data)
                tx.set_meta("demo_loaded", clock.now().isoformat())
                tx.set_meta("demo_logins", json.dumps(_logins(data)))
    if admin_key is not None and len(admin_key) < MIN_ADMIN_KEY_LENGTH:
        raise ValueError(f"the admin key must be at least {MIN_ADMIN_KEY_LENGTH} characters")
    sandbox = Sandbox(storage, clock, data, admin_key, limits)
    routes = [
        Route(path, _endpoint(sandbox, ops, path), methods=list(_METHODS))
        for path, ops in guard_operations(_handlers.operations(), sandbox.guard).items()
    ]
    app = Starlette(
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


def new_id(prefix: str) -> str:
    """Return a new random id with a readable prefix."""
    return f"{prefix}-{secrets.token_hex(8)}"


def page(
    ctx: Ctx, items: Iterable[Any], dump: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """
    Cut one page out of ``items`` by the request's ``cursor`` and ``limit``.

    Raises:
        ApiProblem: 400 naming ``cursor`` or ``limit`` if they are not valid.
    """
    query = ctx.call.query
    limit = query_int(query, "limit", 20, 1, 100)
    offset = 0
    cursor = query.get("cursor")
    if cursor is not None:
        if _ASCII_INT.fullmatch(cursor[1:]) is None or not cursor.startswith("o"):
            raise ApiProblem(
                400,
                "invalid_input",
                "cursor: is not a cursor this server gave",
                errors=(("cursor", "is not a cursor this server gave"),),
            )
        offset = int(cursor[1:])
    rows = list(items)
    chunk = rows[offset : offset + limit]
    more = offset + limit < len(rows)
    convert = dump or ctx.dump
    return {
        "data": [convert(item) for item in chunk],
        "nextCursor": f"o{offset + limit}" if more else None,
    }


def query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """
    Read an integer query parameter.

    Raises:
        ApiProblem: 400 naming the parameter if it is not an integer in ``[low, high]``.
    """
    raw = query.get(name)
    if raw is None:
        return default
    # ASCII digits only (str.isdigit also takes "²" and "٣"), and few enough of them that
    # the number is read whole: never a prefix of it, never a huge int.
    if _ASCII_INT.fullmatch(raw) is None or not low <= int(raw) <= high:
        message = f"must be an integer from {low} to {high}"
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    return int(raw)


_ASCII_INT = re.compile(r"[0-9]{1,12}")


def query_text(query: Mapping[str, str], name: str, max_len: int = 200) -> str:
    """
    Read a free-text query parameter ("" if absent): one line, no hidden characters.

    Raises:
        ApiProblem: 400 naming the parameter if it is too long or holds control,
            bidirectional or zero-width characters.
    """
    raw = query.get(name, "")
    if len(raw) > max_len or _HIDDEN.search(raw) is not None:
        message = f"must be at most {max_len} characters of visible text"
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    return raw


_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def query_choice(query: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """
    Read a query parameter that takes one of ``choices`` (the first is the default).

    Raises:
        ApiProblem: 400 naming the parameter otherwise.
    """
    raw = query.get(name, choices[0])
    if raw not in choices:
        message = "must be one of: " + ", ".join(choices)
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    return raw


def ok(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response."""
    return json_response(data, status, headers)
