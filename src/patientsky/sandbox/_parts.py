"""
The pieces operations are declared with: parameters, headers and answers, as OpenAPI.

:mod:`patientsky.sandbox._declare` re-exports the public ones; a resource module
imports them from there.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ERROR_TEXT",
    "JSON",
    "OCTETS",
    "PROBLEM",
    "ETAG_HEADER",
    "FILE",
    "HEADERS",
    "IDEMPOTENCY",
    "IF_MATCH",
    "IMAGE",
    "LOCATION_HEADER",
    "PAGING",
    "PATIENT",
    "PATIENT_ID",
    "PROBLEM_HEADERS",
    "REPLAY_HEADER",
    "RETRY_AFTER",
    "SENT_ALWAYS",
    "binary",
    "path_id",
    "query",
    "ref",
    "reply",
]

Schema = dict[str, Any]

JSON = "application/json"
"""The media type of JSON bodies."""
PROBLEM = "application/problem+json"
"""The media type of problem documents."""
OCTETS = "application/octet-stream"
"""The media type any client reads as bytes."""

PATIENT = "/v1/patients/{patientId}"
"""The prefix of patient-scoped paths (their ``patientId`` is declared for them)."""
IMAGE = "image"
"""The ``body`` of an operation that takes a JPEG or PNG image rather than JSON."""
FILE = "file"
"""The ``body`` of an operation that takes a file to attach (a photo or a PDF)."""


def binary(kind: str, description: str = "") -> Schema:
    """Return a binary body of media type ``kind`` (``contentMediaType`` says what it holds)."""
    schema: Schema = {"type": "string", "format": "binary"}
    if kind != OCTETS:
        schema["contentMediaType"] = kind
    out: Schema = {"schema": schema}
    if description:
        schema["description"] = description
    return out


def ref(name: str) -> Schema:
    """Return a reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def _id_schema() -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+$"}


PATIENT_ID = {
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

IDEMPOTENCY = {
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
    422: "The request is well-formed but names what cannot be used (``code`` says why,"
    " ``errors`` names the field).",
    428: "``If-Match`` is required.",
    405: "The path does not take this method; ``Allow`` lists those it takes.",
    429: "A rate limit ran out (``rate_limited``); ``Retry-After`` says when to try again.",
    500: "An unexpected error (no details are given).",
    503: "The service is busy for a moment (``service_unavailable``); ``Retry-After`` says"
    " when to try again.",
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


SENT_ALWAYS = {"X-Request-Id": _header("X-Request-Id")}
PROBLEM_HEADERS: dict[int, Schema] = {
    401: {"WWW-Authenticate": _header("WWW-Authenticate")},
    405: {"Allow": _header("Allow")},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
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
        out["content"] = {JSON: {"schema": ref(schema)}}
    if headers:
        out["headers"] = headers
    if media:
        # Any generator can read application/octet-stream; the sandbox answers with it
        # when Accept asks for it rather than for the file's own type.
        octets = binary(OCTETS, "The same file, for a client that asks for bytes.")
        out["content"] = {**{kind: binary(kind) for kind in media}, OCTETS: octets}
    return out
