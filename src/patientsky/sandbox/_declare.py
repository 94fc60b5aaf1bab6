"""
One declaration per operation: the router, its guards and the OpenAPI document read it.

An operation is declared once, next to its handler, with the decorator of its module's
:class:`Operations`::

    ops = Operations("profile")  # the tag of the module's operations

    @ops.get(
        f"{PATIENT}/profile",
        "getProfile",
        "The patient's profile (P2, P5)",
        ok={200: reply("Patient", "The profile.", ETAG_HEADER)},
        may=Action.VIEW_PROFILE,
        log=LoggedOperation.VIEW_PROFILE,
    )
    def get_profile(ctx: Ctx) -> Response: ...

From the :class:`Operation` the app builds its route, authentication (``caller``), the
action the rules must allow (``may``), the transaction (``writes``), the
``Idempotency-Key`` handling, the rate limit, the access-log entry a success records
(``log``, see :mod:`patientsky.sandbox._access_log`), and its entry in the OpenAPI
document (:meth:`Operation.document`): parameters, request body, responses and security. The
schemas come from the attrs models (:mod:`patientsky.sandbox._schemas`); the
declaration names them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import attrs
from starlette.responses import Response

from patientsky.models import Action, LoggedOperation
from patientsky.sandbox._parts import (
    ERROR_TEXT,
    ETAG_HEADER,
    FILE,
    HEADERS,
    IDEMPOTENCY,
    IF_MATCH,
    IMAGE,
    JSON,
    LOCATION_HEADER,
    OCTETS,
    PAGING,
    PATIENT,
    PATIENT_ID,
    PROBLEM,
    PROBLEM_HEADERS,
    REPLAY_HEADER,
    SENT_ALWAYS,
    Schema,
    binary,
    path_id,
    query,
    ref,
    reply,
)
from patientsky.sandbox._problems import Problem, implied_problems, problem_pairs

__all__ = [
    "HANDLE_PATTERN",
    "ETAG_HEADER",
    "FILE",
    "HEADERS",
    "IF_MATCH",
    "IMAGE",
    "LOCATION_HEADER",
    "PAGING",
    "PATIENT",
    "REPLAY_HEADER",
    "Caller",
    "Operation",
    "Operations",
    "path_id",
    "query",
    "reply",
]

HANDLE_PATTERN = "^[a-z][a-z0-9-]{0,39}$"
"""What a demo person's handle looks like (``kari``): their patient id without ``p-``."""

Caller = Literal["anyone", "person", "person_or_clinic", "admin"]
"""Who may call: anyone, a person's token, a person's or a clinic's token, the admin key."""
Limit = Literal["login", "write", "photo"]
H = TypeVar("H", bound=Callable[..., Response])

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@attrs.frozen
class Operation:
    """
    One operation of the contract, declared once: what it is, who may call, how it runs.

    Args:
        method: The HTTP method.
        path: The path template (``{name}`` parameters).
        handler: The function that does the work, after every guard passed.
        id: The ``operationId``.
        summary: One line for the document (feature ids in parentheses).
        tag: The document's tag (the resource).
        ok: The success responses by status (see :func:`reply`).
        errors: Error statuses beyond those the declaration implies (401 for a token,
            403 and 404 for a patient's path, 400/413/415 for a body, 400 for
            parameters, 409 for an Idempotency-Key, 429 for a rate limit, 500 always).
        params: Path, query and header parameters, with types and bounds; a patient
            path's ``patientId`` is implied.
        body: The component schema of the JSON request body, :data:`IMAGE` for an
            image, :data:`FILE` for a file to attach, or None for no body (never read).
        merge_patch: Whether the JSON body is a JSON merge patch (RFC 7396): documented
            as ``application/merge-patch+json``; the handler reads ``application/json``
            the same way.
        caller: Who may call (see :data:`Caller`).
        writes: Whether it runs in a write transaction.
        idempotent: Whether it takes an ``Idempotency-Key``.
        may: The action (or any one of several actions) the caller needs for the
            path's patient; checked after authentication and before the body is read
            or a stored response replayed.
        limit: The rate limit in front of it: ``"login"`` (per address and person),
            ``"photo"`` (a write and an upload), ``"write"``; by default ``"write"``
            for a caller's write with an unsafe method.
        repeatable: Whether a repeat is harmless, so a client may retry it; by
            default (None) when it is safe, a ``PUT`` or ``DELETE``, conditional on
            ``If-Match``, or takes an ``Idempotency-Key``.
        documented: Whether the OpenAPI document lists it.
        log: What the access log records when it succeeds (an operation on a patient's
            data, see :data:`~patientsky.rules.access_log.LOG_RULES`): one entry, in
            its transaction; None for one that touches no patient's data, which
            :data:`~patientsky.sandbox._access_log.UNLOGGED` must then name.
        problems: The problems its handler may answer beyond those the declaration
            implies (see :mod:`patientsky.sandbox._problems`): a rule's
            :class:`~patientsky.reasons.Reason`, a generic code such as ``"conflict"``,
            or a ``(status, code)`` pair. Their statuses are documented with them.
    """

    method: str
    path: str
    handler: Callable[[Any], Response]
    id: str
    summary: str
    tag: str
    ok: Mapping[int, Schema]
    errors: tuple[int, ...] = ()
    params: tuple[Schema, ...] = ()
    body: str | None = None
    merge_patch: bool = False
    caller: Caller = "person"
    writes: bool = False
    idempotent: bool = False
    may: Action | tuple[Action, ...] | None = None
    limit: Limit | None = None
    repeatable: bool | None = None
    documented: bool = True
    log: LoggedOperation | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def problem_codes(self) -> frozenset[tuple[int, str]]:
        """Every ``(status, code)`` it may answer: implied by the declaration, or declared."""
        implied = implied_problems(
            caller=self.caller,
            for_patient=self.for_patient,
            body=self.body is not None,
            params=self.params,
            idempotent=self.idempotent,
            rate_limited=self.rate_limit is not None,
        )
        return implied | problem_pairs(self.problems)

    @property
    def auth(self) -> bool:
        """Whether a person's or a clinic's bearer token is required."""
        return self.caller in ("person", "person_or_clinic")

    @property
    def admin(self) -> bool:
        """Whether it is a sandbox-only operation that needs the admin key."""
        return self.caller == "admin"

    @property
    def reads(self) -> str:
        """What body it reads: ``"none"``, ``"json"``, ``"photo"`` or ``"file"``."""
        if self.body is None:
            return "none"
        return {IMAGE: "photo", FILE: "file"}.get(self.body, "json")

    @property
    def rate_limit(self) -> Limit | None:
        """The rate limit in front of it, if any."""
        if self.limit is not None:
            return self.limit
        return "write" if self.auth and self.writes and self.method in _UNSAFE else None

    @property
    def harmless_to_repeat(self) -> bool:
        """Whether a client may retry it (see ``repeatable``)."""
        if self.repeatable is not None:
            return self.repeatable
        conditional = any(p.get("name") == "If-Match" for p in self.params)
        return self.idempotent or conditional or self.method in ("GET", "HEAD", "PUT", "DELETE")

    @property
    def for_patient(self) -> bool:
        """Whether its path is a patient's (``/v1/patients/{patientId}/...``)."""
        return self.path.startswith(PATIENT)

    def document(self) -> Schema:
        """Return the operation's entry in the OpenAPI document."""
        parameters: list[Schema] = [PATIENT_ID] if self.for_patient else []
        parameters.extend(self.params)
        if self.idempotent:
            parameters.append(IDEMPOTENCY)
        codes = set(self.errors) | {500}
        if self.auth or self.admin:
            codes |= {401}
        if self.for_patient:
            codes |= {403, 404}
        if self.body is not None:
            codes |= {400, 413, 415}
        if self.idempotent:
            codes |= {409}
        if any(p.get("in") in ("query", "path") for p in parameters):
            codes |= {400}
        if self.rate_limit is not None:
            codes |= {429}
        codes |= {405}
        by_status: dict[int, list[str]] = {}
        for status, name in sorted(self.problem_codes):
            by_status.setdefault(status, []).append(name)
        codes |= set(by_status)
        responses: Schema = {}
        for status, success in self.ok.items():
            headers = {**SENT_ALWAYS, **success.get("headers", {})}
            if self.idempotent:
                headers.update(REPLAY_HEADER)
            responses[str(status)] = {**success, "headers": headers}
        for code in codes:
            headers = {**SENT_ALWAYS, **PROBLEM_HEADERS.get(code, {})}
            if code == 412:
                headers.update(ETAG_HEADER)
            responses[str(code)] = {
                "description": ERROR_TEXT[code],
                "headers": headers,
                "content": {PROBLEM: {"schema": ref("Problem")}},
            }
            if code in by_status:
                responses[str(code)]["x-problem-codes"] = by_status[code]
        responses = dict(sorted(responses.items()))
        responses["default"] = {
            "description": ERROR_TEXT[0],
            "headers": dict(SENT_ALWAYS),
            "content": {PROBLEM: {"schema": ref("Problem")}},
        }
        op: Schema = {"operationId": self.id, "summary": self.summary, "tags": [self.tag]}
        if parameters:
            op["parameters"] = parameters
        if self.body == IMAGE:
            content = {
                OCTETS: binary(OCTETS, "A JPEG or PNG image; its first bytes say which."),
                "image/jpeg": binary("image/jpeg"),
                "image/png": binary("image/png"),
            }
            op["requestBody"] = {"required": True, "content": content}
        elif self.body == FILE:
            kinds = ("image/jpeg", "image/png", "image/heic", "application/pdf")
            content = {
                **{kind: binary(kind) for kind in kinds},
                OCTETS: binary(OCTETS, "A JPEG, PNG, HEIC or PDF file; its first bytes say which."),
            }
            op["requestBody"] = {"required": True, "content": content}
        elif self.body is not None:
            # One media type per body (generators choke on two JSON ones); the sandbox
            # reads an application/json merge patch the same way.
            kind = "application/merge-patch+json" if self.merge_patch else JSON
            op["requestBody"] = {"required": True, "content": {kind: {"schema": ref(self.body)}}}
        op["responses"] = responses
        security = "sandboxAdmin" if self.admin else "bearer" if self.auth else None
        op["security"] = [] if security is None else [{security: []}]
        return op


class Operations(list[Operation]):
    """
    A module's operations, in order; its methods declare one with a decorator.

    Args:
        tag: The tag of the module's operations (one may name another).
    """

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def declare(
        self, method: str, path: str, op_id: str, summary: str, **details: Any
    ) -> Callable[[H], H]:
        """
        Return a decorator that declares its function as the handler of an operation.

        Args:
            method: The HTTP method.
            path: The path template.
            op_id: The ``operationId``.
            summary: One line for the document.
            **details: The other fields of :class:`Operation` (``tag`` defaults to the
                module's).
        """

        def register(handler: H) -> H:
            tag = details.pop("tag", self.tag)
            self.append(Operation(method, path, handler, op_id, summary, tag, **details))
            return handler

        return register

    def get(self, path: str, op_id: str, summary: str, **details: Any) -> Callable[[H], H]:
        """Declare a ``GET`` operation (see :meth:`declare`)."""
        return self.declare("GET", path, op_id, summary, **details)

    def post(self, path: str, op_id: str, summary: str, **details: Any) -> Callable[[H], H]:
        """Declare a ``POST`` operation (see :meth:`declare`)."""
        return self.declare("POST", path, op_id, summary, **details)

    def put(self, path: str, op_id: str, summary: str, **details: Any) -> Callable[[H], H]:
        """Declare a ``PUT`` operation (see :meth:`declare`)."""
        return self.declare("PUT", path, op_id, summary, **details)

    def patch(self, path: str, op_id: str, summary: str, **details: Any) -> Callable[[H], H]:
        """Declare a ``PATCH`` operation (see :meth:`declare`)."""
        return self.declare("PATCH", path, op_id, summary, **details)

    def delete(self, path: str, op_id: str, summary: str, **details: Any) -> Callable[[H], H]:
        """Declare a ``DELETE`` operation (see :meth:`declare`)."""
        return self.declare("DELETE", path, op_id, summary, **details)
