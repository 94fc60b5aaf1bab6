"""
HTTP plumbing of the sandbox: problem documents, bounded body reading, request context.

Nothing here decides who may do what; that is :mod:`patientsky.rules`' job.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import attrs
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.rules import attachments

__all__ = [
    "ApiProblem",
    "Call",
    "json_response",
    "new_request_id",
    "problem_response",
    "read_body",
]

logger = logging.getLogger("patientsky.sandbox")

# In the package's top folder, not in the sandbox's: the bare install (no sandbox extra)
# ships it too, read by patientsky.contract.openapi_document().
DOCUMENT_PATH = Path(__file__).parents[1] / "openapi.json"
"""The shipped OpenAPI document."""
MAX_JSON_BYTES = 1024 * 1024
"""The largest JSON body the sandbox reads."""
MAX_PHOTO_BYTES = 5 * 1024 * 1024
"""The largest photo the sandbox reads."""
MAX_ATTACHMENT_BYTES = attachments.MAX_ATTACHMENT_BYTES
"""The largest file to attach the sandbox reads (the rule's limit for one attachment)."""

GENERIC_CODES = (
    "admin_key_required",
    "clinic_mismatch",
    "conflict",
    "idempotency_key_in_use",
    "idempotency_key_reused",
    "internal_error",
    "invalid_input",
    "method_not_allowed",
    "not_found",
    "patient_only",
    "payload_too_large",
    "person_login_required",
    "precondition_failed",
    "precondition_required",
    "rate_limited",
    "service_unavailable",
    "session_expired",
    "session_not_yet_valid",
    "unauthorized",
    "unsupported_media_type",
)
"""The problem codes that are not a rule's :class:`~patientsky.reasons.Reason`."""


PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON_MEDIA_TYPE = "application/json"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiProblem(Exception):
    """
    An error answer, raised anywhere in a handler and turned into a problem document.

    Args:
        status: The HTTP status.
        code: The machine-readable code (a rule's Reason value or a generic code).
        detail: A human explanation; never a secret, an id number or a body.
        errors: ``(field, message)`` pairs naming bad fields.
        headers: Extra response headers (for example ``Allow``, ``WWW-Authenticate``).
        message_nb: The rule's message in Norwegian bokmål, if a rule said no.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: tuple[tuple[str, str], ...] = (),
        headers: Mapping[str, str] | None = None,
        message_nb: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.message_nb = message_nb

    @classmethod
    def invalid(cls, exc: InvalidInput, prefix: str = "") -> ApiProblem:
        """Return the 400 problem for an :class:`InvalidInput`, naming its field."""
        field = exc.at(prefix).field if prefix else exc.field
        notes = tuple(getattr(exc, "__notes__", ()))
        where = field or "the body"
        detail = f"{where}: {exc.message}"
        errors = ((field, exc.message), *(("", str(n)) for n in notes[:5]))
        return cls(400, "invalid_input", detail, errors=errors)


def new_request_id() -> str:
    """Return a new random request id."""
    return secrets.token_hex(8)


def problem_response(problem: ApiProblem, request_id: str, instance: str) -> Response:
    """Render a problem as an RFC 9457 ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": f"https://patientsky.invalid/problems/{problem.code}",
        "title": _TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        "instance": instance,
        "requestId": request_id,
    }
    if problem.message_nb:
        body["messageNb"] = problem.message_nb
    if problem.errors:
        body["errors"] = [{"field": f, "message": msg} for f, msg in problem.errors]
    headers = {"X-Request-Id": request_id, **problem.headers}
    return Response(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def json_bytes(data: Any) -> bytes:
    """JSON-ready data as every answer carries it: compact JSON in UTF-8."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Render JSON-ready data as an ``application/json`` response."""
    body = json_bytes(data)
    return Response(
        body, status_code=status, media_type=JSON_MEDIA_TYPE, headers=dict(headers or {})
    )


async def read_body(scope: MutableMapping[str, Any], receive: Any, limit: int) -> bytes:
    """
    Read the request body, refusing (413) as soon as it grows past ``limit`` bytes.

    Args:
        scope: The request's ASGI scope.
        receive: Its ASGI receive channel.
        limit: The most bytes to read.

    Raises:
        ApiProblem: 413 ``payload_too_large``, or 400 for a bad ``Content-Length`` (the
            first one, as Starlette reads it).
        ClientDisconnect: If the client went away before the body was complete.
    """
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            declared = value.decode("latin-1")
            if not declared.isdigit():
                raise ApiProblem(400, "invalid_input", "Content-Length is not a number")
            if int(declared) > limit:
                raise _too_large(limit)
            break
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, "payload_too_large", f"the body is larger than {limit} bytes")


@attrs.frozen
class Call:
    """
    One request as a handler sees it: everything read, nothing left to await.

    Args:
        request_id: The id sent back in ``X-Request-Id``.
        method: The HTTP method.
        path: The URL path.
        path_params: The path's parameters.
        query: The query parameters (last value wins).
        headers: The request headers, lower-case names.
        body: The raw body.
        media_type: The body's media type, without parameters, lower case.
        client: The client's address, as the server saw it (for the rate limits).
    """

    request_id: str
    method: str
    path: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    media_type: str
    client: str = ""

    def json(self) -> Any:
        """
        Return the body as JSON (an object), or raise a 400/415 problem that says why.

        Raises:
            ApiProblem: 415 for another media type, 400 for malformed JSON or a non-object.
        """
        if self.media_type not in (JSON_MEDIA_TYPE, "") and not self.media_type.endswith("+json"):
            raise ApiProblem(415, "unsupported_media_type", "the body must be application/json")
        if not self.body:
            raise ApiProblem(
                400,
                "invalid_input",
                "the body is empty: a JSON object is required",
                errors=(("", "is required"),),
            )
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiProblem(
                400, "invalid_input", "the body is not valid UTF-8", errors=(("", "not UTF-8"),)
            ) from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            raise ApiProblem(
                400,
                "invalid_input",
                f"the body is not valid JSON ({exc.msg} at {where})",
                errors=(("", "is not valid JSON"),),
            ) from None
        except (ValueError, RecursionError):
            raise ApiProblem(
                400, "invalid_input", "the body is not valid JSON", errors=(("", "not JSON"),)
            ) from None
        if not isinstance(data, dict):
            raise ApiProblem(
                400,
                "invalid_input",
                "the body must be a JSON object",
                errors=(("", "must be an object"),),
            )
        return data


def _refuse_constant(_name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")
