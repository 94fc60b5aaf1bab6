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
    )
    def get_profile(ctx: Ctx) -> Response: ...

From the :class:`Operation` the app builds its route, authentication (``caller``), the
action the rules must allow (``may``), the transaction (``writes``), the
``Idempotency-Key`` handling, the rate limit, and its entry in the OpenAPI document
(:meth:`Operation.document`): parameters, request body, responses and security. The
schemas come from the attrs models (:mod:`patientsky.sandbox._schemas`); the
declaration names them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import attrs
from starlette.responses import Response

from patientsky.models import Action

__all__ = [
    "ETAG_HEADER",
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

Schema = dict[str, Any]
Caller = Literal["anyone", "person", "person_or_clinic", "admin"]
"""Who may call: anyone, a person's token, a person's or a clinic's token, the admin key."""
Limit = Literal["login", "write", "photo"]
H = TypeVar("H", bound=Callable[..., Response])

PATIENT = "/v1/patients/{patientId}"
"""The prefix of patient-scoped paths (their ``patientId`` is declared for them)."""
IMAGE = "image"
"""The ``body`` of an operation that takes a JPEG or PNG image rather than JSON."""

_JSON = "application/json"
_PROBLEM = "application/problem+json"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OCTETS = "application/octet-stream"


def _binary(kind: str, description: str = "") -> Schema:
    """A binary body of media type ``kind`` (``contentMediaType`` says what it holds)."""
    schema: Schema = {"type": "string", "format": "binary"}
    if kind != _OCTETS:
        schema["contentMediaType"] = kind
    out: Schema = {"schema": schema}
    if description:
        schema["description"] = description
    return out


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _id_schema() -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+$"}


_PATIENT_ID = {
    "name": "patientId",
    "in": "path",
    "required": True,
    "description": "The PatientSky patient id, or ``me``; never a national identity number.",
    "schema": _id_schema(),
}


def path_id(name: str, what: str) -> Schema:
    """Return the declaration of a path parameter that is the id of a ``what``."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": _id_schema(),
    }


def query(name: str, schema: Schema, *, required: bool = False, description: str = "") -> Schema:
    """Return the declaration of a query parameter (its type and bounds in ``schema``)."""
    out: Schema = {"name": name, "in": "query", "required": required}
    if description:
        out["description"] = description
    out["schema"] = schema
    return out


PAGING = (
    query(
        "cursor",
        {"type": "string", "maxLength": 200},
        description="The ``nextCursor`` of the previous page.",
    ),
    query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        description="Page size.",
    ),
)
"""The query parameters of a paged list (read by :func:`~patientsky.sandbox._context.page`)."""

_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key with the same body replays the first"
    " response (header ``Idempotent-Replayed: true``); with another body it is 409"
    " ``idempotency_key_reused``.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ``ETag`` of the profile as last read (a list of tags, or ``*``),"
    " compared strongly: a weak ``W/`` tag never matches; 412 if none matches.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
"""The ``If-Match`` header of a conditional write."""

ERROR_TEXT = {
    400: "The request is malformed or a value is invalid (``errors`` names the fields).",
    401: "No token, or an unknown or expired one (or, for a sandbox-only operation, not the"
    " admin key).",
    403: "A rule denied it; ``code`` is the rule's reason.",
    404: "No such resource, or not visible to the caller.",
    409: "It clashes with the current state (``code`` says how).",
    412: "``If-Match`` is stale: someone changed it since.",
    413: "The body is too large.",
    415: "The body's media type is not accepted.",
    428: "``If-Match`` is required.",
    405: "The path does not take this method; ``Allow`` lists those it takes.",
    429: "A rate limit ran out (``rate_limited``); ``Retry-After`` says when to try again.",
    500: "An unexpected error (no details are given).",
    0: "Any other error, as a problem document (``code`` says which).",
}
"""What each error status means, as the document says it."""

ETAG_HEADER = {
    "ETag": {
        "description": "The profile's version (for ``If-Match``).",
        "required": True,
        "schema": {"type": "string"},
    }
}
"""The ``ETag`` response header."""
LOCATION_HEADER = {
    "Location": {
        "description": "The path of the resource the new one belongs to.",
        "schema": {"type": "string"},
    }
}
"""The ``Location`` response header."""
REPLAY_HEADER = {
    "Idempotent-Replayed": {
        "description": "``true`` when the response is the replay of an earlier one.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}
"""The ``Idempotent-Replayed`` response header."""
RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
"""The ``Retry-After`` response header."""

HEADERS: dict[str, Schema] = {
    "X-Request-Id": {
        "description": "The request's id (also a problem's ``requestId``); quote it when"
        " reporting a problem.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    },
    "WWW-Authenticate": {
        "description": "The bearer challenge (RFC 6750) that says which token is wanted.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Allow": {
        "description": "The methods the path takes.",
        "required": True,
        "schema": {"type": "string"},
    },
}
"""The response headers shared by many responses (``components.headers``)."""


def _header(name: str) -> Schema:
    return {"$ref": f"#/components/headers/{name}"}


_SENT_ALWAYS = {"X-Request-Id": _header("X-Request-Id")}
_PROBLEM_HEADERS: dict[int, Schema] = {
    401: {"WWW-Authenticate": _header("WWW-Authenticate")},
    405: {"Allow": _header("Allow")},
    429: RETRY_AFTER,
}


def reply(
    schema: str | None,
    description: str,
    headers: Schema | None = None,
    *,
    media: tuple[str, ...] = (),
) -> Schema:
    """
    Return a success response: a JSON body of the named schema, or binary ``media`` types.

    Args:
        schema: The component schema of the JSON body; None for no body (or binary).
        description: What the response is.
        headers: The response headers it carries.
        media: The media types of a binary body.
    """
    out: Schema = {"description": description}
    if schema is not None:
        out["content"] = {_JSON: {"schema": _ref(schema)}}
    if headers:
        out["headers"] = headers
    if media:
        # Any generator can read application/octet-stream; the sandbox answers with it
        # when Accept asks for it rather than for the file's own type.
        octets = _binary(_OCTETS, "The same file, for a client that asks for bytes.")
        out["content"] = {**{kind: _binary(kind) for kind in media}, _OCTETS: octets}
    return out


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
            image, or None for no body (never read).
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
        """What body it reads: ``"none"``, ``"json"`` or ``"photo"``."""
        return "none" if self.body is None else "photo" if self.body == IMAGE else "json"

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
        parameters: list[Schema] = [_PATIENT_ID] if self.for_patient else []
        parameters.extend(self.params)
        if self.idempotent:
            parameters.append(_IDEMPOTENCY)
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
        responses: Schema = {}
        for status, success in self.ok.items():
            headers = {**_SENT_ALWAYS, **success.get("headers", {})}
            if self.idempotent:
                headers.update(REPLAY_HEADER)
            responses[str(status)] = {**success, "headers": headers}
        for code in codes:
            headers = {**_SENT_ALWAYS, **_PROBLEM_HEADERS.get(code, {})}
            if code == 412:
                headers.update(ETAG_HEADER)
            responses[str(code)] = {
                "description": ERROR_TEXT[code],
                "headers": headers,
                "content": {_PROBLEM: {"schema": _ref("Problem")}},
            }
        responses = dict(sorted(responses.items()))
        responses["default"] = {
            "description": ERROR_TEXT[0],
            "headers": dict(_SENT_ALWAYS),
            "content": {_PROBLEM: {"schema": _ref("Problem")}},
        }
        op: Schema = {"operationId": self.id, "summary": self.summary, "tags": [self.tag]}
        if parameters:
            op["parameters"] = parameters
        if self.body == IMAGE:
            content = {
                _OCTETS: _binary(_OCTETS, "A JPEG or PNG image; its first bytes say which."),
                "image/jpeg": _binary("image/jpeg"),
                "image/png": _binary("image/png"),
            }
            op["requestBody"] = {"required": True, "content": content}
        elif self.body is not None:
            # One media type per body (generators choke on two JSON ones); the sandbox
            # reads an application/json merge patch the same way.
            kind = "application/merge-patch+json" if self.merge_patch else _JSON
            op["requestBody"] = {"required": True, "content": {kind: {"schema": _ref(self.body)}}}
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
