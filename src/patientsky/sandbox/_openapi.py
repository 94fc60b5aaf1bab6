"""
Builds the OpenAPI 3.1 document of the HTTP contract (shipped as ``patientsky/openapi.json``).

The schemas of the models are generated from the attrs models themselves (field names
in camelCase, enums as the lists of their values), so the document cannot drift from the
code; the operations are written out here. ``python -m patientsky.sandbox._openapi``
rewrites the shipped ``patientsky/openapi.json`` (read by
:func:`patientsky.contract.openapi_document`); a test checks that the shipped file is current.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

import attrs

from patientsky import models as m
from patientsky.models._base import Unrecognized
from patientsky.rules.communication import FeeNotice
from patientsky.rules.decision import Reason
from patientsky.rules.payments import PaymentRow

__all__ = [
    "API_VERSION",
    "GENERIC_CODES",
    "DOCUMENT_PATH",
    "HANDLE_PATTERN",
    "MAX_JSON_BYTES",
    "MAX_PHOTO_BYTES",
    "MODEL_CLASSES",
    "build_document",
    "camel",
    "main",
    "openapi_path",
]

API_VERSION = "1.0.0"
# In the package's top folder, not in the sandbox's: the bare install (no sandbox extra)
# ships it too, read by patientsky.contract.openapi_document().
DOCUMENT_PATH = Path(__file__).parents[1] / "openapi.json"
MAX_JSON_BYTES = 1024 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024
HANDLE_PATTERN = "^[a-z][a-z0-9-]{0,39}$"
"""What a demo person's handle looks like (``kari``): their patient id without ``p-``."""

MODEL_CLASSES: tuple[type[Any], ...] = (
    m.Address,
    m.Appointment,
    m.Calendar,
    m.Clinic,
    m.ConsentEvent,
    m.Consultation,
    m.ContactDetails,
    FeeNotice,
    PaymentRow,
    m.Counterpart,
    m.Dialog,
    m.FeeSettings,
    m.Invoice,
    m.Message,
    m.Money,
    m.Patient,
    m.Payment,
    m.PersonName,
    m.PhotoRef,
    m.Practitioner,
    m.PrescriptionRenewalRequest,
    m.PublicServiceLink,
    m.Relation,
    m.Terms,
    m.TimeSlot,
    m.TimeSlotType,
)
"""The models whose wire form the document describes (nested ones come along)."""

Schema = dict[str, Any]

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
    "payload_too_large",
    "person_login_required",
    "precondition_failed",
    "precondition_required",
    "rate_limited",
    "session_expired",
    "session_not_yet_valid",
    "unauthorized",
    "unsupported_media_type",
)
"""The problem codes that are not a rule's :class:`~patientsky.reasons.Reason`."""

_SCALARS: dict[Any, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    dt.datetime: {"type": "string", "format": "date-time"},
    dt.date: {"type": "string", "format": "date"},
    m.NationalId: {
        "type": "string",
        "pattern": "^[0-9]{11}$",
        "description": "A national identity number (fødselsnummer, D- or H-number), 11 digits."
        " Only ever in bodies, never in a URL.",
    },
    m.OrganisationNumber: {"type": "string", "pattern": "^[0-9]{9}$"},
    m.KidNumber: {"type": "string", "pattern": "^[0-9]{1,24}[0-9-]$"},
}


def camel(name: str) -> str:
    """
    Return the wire (camelCase) name of a Python field name.

    >>> camel("enabled_communication_types")
    'enabledCommunicationTypes'
    """
    head, *rest = name.lstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


_OPEN_ENUM = "A value this version of the contract does not know; clients keep it as is."


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


class _Builder:
    """Collects component schemas while walking model types."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}

    def enum_schema(self, enum_type: type[enum.Enum]) -> Schema:
        name = enum_type.__name__
        if name not in self.schemas:
            doc = (enum_type.__doc__ or "").strip().splitlines()
            self.schemas[name] = {
                "type": "string",
                "enum": [member.value for member in enum_type],
                "description": doc[0] if doc else name,
            }
        return _ref(name)

    def type_schema(self, hint: Any) -> Schema:
        if hint in _SCALARS:
            return dict(_SCALARS[hint])
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return self.enum_schema(hint)
        if isinstance(hint, type) and attrs.has(hint):
            return self.model_schema(hint)
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is tuple:
            return {"type": "array", "items": self.type_schema(args[0])}
        if origin in (typing.Union, types.UnionType):
            # An Unrecognized is a decoding fallback of the client, never sent.
            options = [a for a in args if a not in (type(None), Unrecognized)]
            if len(options) != 1:
                raise TypeError(f"cannot describe {hint!r}")
            inner = self.type_schema(options[0])
            if Unrecognized in args:
                # Values a newer version (or an imported export) may carry: any string.
                inner = {"anyOf": [inner, {"type": "string", "description": _OPEN_ENUM}]}
            if type(None) in args:
                return {"anyOf": [inner, {"type": "null"}]}
            return inner
        raise TypeError(f"cannot describe {hint!r}")

    def model_schema(self, cls: type[Any]) -> Schema:
        name = cls.__name__
        if name in self.schemas:
            return _ref(name)
        self.schemas[name] = {}  # a placeholder against recursion
        hints = typing.get_type_hints(cls)
        properties: dict[str, Schema] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            key = camel(field.alias or field.name)
            properties[key] = self.type_schema(hints[field.name])
            if field.default is attrs.NOTHING:
                required.append(key)
        doc = (cls.__doc__ or "").strip().splitlines()
        self.schemas[name] = {
            "type": "object",
            "description": doc[0] if doc else name,
            "properties": properties,
            "required": required,
        }
        return _ref(name)


def _page(item: Schema, extra: dict[str, Schema] | None = None) -> Schema:
    properties: dict[str, Schema] = {
        "data": {"type": "array", "items": item},
        "nextCursor": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "Pass as ``cursor`` for the next page; null on the last page.",
        },
    }
    properties.update(extra or {})
    return {"type": "object", "properties": properties, "required": sorted(properties)}


def _obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    schema.update(extra)
    return schema


_ID = {"type": "string", "minLength": 1, "maxLength": 200}
_TEXT = {"type": "string", "minLength": 1}


def _api_schemas(b: _Builder) -> None:
    """Add the schemas of the API's own bodies (views, requests, problems)."""
    s = b.schemas
    s["ReasonCode"] = {
        "type": "string",
        "enum": [r.value for r in Reason],
        "description": "A rule's reason code (patientsky.rules.decision.Reason).",
    }
    s["GenericCode"] = {
        "type": "string",
        "enum": sorted(set(GENERIC_CODES) - {r.value for r in Reason}),
        "description": "A problem code that is not a rule's reason.",
    }
    s["Problem"] = _obj(
        {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {
                "anyOf": [_ref("ReasonCode"), _ref("GenericCode")],
                "description": "A rule's reason code, or a generic code.",
            },
            "instance": {"type": "string"},
            "requestId": {"type": "string"},
            "messageNb": {"type": "string", "description": "The rule's message in bokmål."},
            "errors": {
                "type": "array",
                "items": _obj(
                    {"field": {"type": "string"}, "message": {"type": "string"}},
                ),
            },
        },
        required=["type", "title", "status", "code", "requestId"],
        description="An RFC 9457 problem document.",
    )
    s["LoginRequest"] = _obj(
        {
            "person": {
                "type": "string",
                "pattern": HANDLE_PATTERN,
                "description": "A demo person's handle, such as ``kari``"
                " (``GET /v1/sandbox/people`` lists them).",
            },
            "nationalId": {
                "type": "string",
                "description": "A national identity number (synthetic test numbers only).",
            },
            "method": b.enum_schema(m.LoginMethod),
        },
        required=["method"],
        additionalProperties=True,
        description="Who logs in: exactly one of ``person`` and ``nationalId`` (400 naming"
        " both if neither or both is given), and how.",
    )
    s["DemoPerson"] = _obj(
        {
            "handle": {"type": "string", "pattern": HANDLE_PATTERN},
            "name": {"type": "string"},
            "role": {"type": "string", "description": "What they show in the demo."},
            "patientId": {"type": "string"},
        },
        description="A demo person to log in as; no national identity number.",
    )
    s["DemoPeople"] = _obj({"data": {"type": "array", "items": _ref("DemoPerson")}})
    s["LoginResponse"] = _obj(
        {
            "accessToken": {"type": "string"},
            "tokenType": {"type": "string", "enum": ["Bearer"]},
            "expiresAt": {"type": "string", "format": "date-time"},
            "personId": {"type": "string"},
        }
    )
    s["ClinicLoginRequest"] = _obj({"clinicId": _ID})
    s["ClinicLoginResponse"] = _obj(
        {
            "accessToken": {"type": "string"},
            "tokenType": {"type": "string", "enum": ["Bearer"]},
            "expiresAt": {"type": "string", "format": "date-time"},
            "clinicId": {"type": "string"},
        }
    )
    s["Clock"] = _obj(
        {"now": {"type": "string", "format": "date-time"}, "frozen": {"type": "boolean"}}
    )
    s["ClockSet"] = _obj({"now": {"type": "string", "format": "date-time"}})
    s["ClockAdvance"] = _obj(
        {"seconds": {"type": "integer", "minimum": 0, "maximum": 10 * 366 * 86400}}
    )
    s["Session"] = _obj(
        {
            "personId": {"type": "string"},
            "method": b.enum_schema(m.LoginMethod),
            "assurance": b.enum_schema(m.AssuranceLevel),
            "authenticatedAt": {"type": "string", "format": "date-time"},
            "expiresAt": {"type": "string", "format": "date-time"},
        }
    )
    s["Represented"] = _obj(
        {
            "patientId": {"type": "string"},
            "relationId": {"type": "string"},
            "name": b.model_schema(m.PersonName),
            "kind": b.enum_schema(m.RelationKind),
            "actions": {"type": "array", "items": b.enum_schema(m.Action)},
        }
    )
    s["ProfilePatch"] = _obj(
        {"name": b.model_schema(m.PersonName), "contact": b.model_schema(m.ContactDetails)},
        required=[],
        minProperties=1,
    )
    s["ConsentState"] = _obj(
        {
            "inForce": {"type": "boolean"},
            "termsVersion": {"type": "string", "description": "The current terms version."},
            "history": {"type": "array", "items": b.model_schema(m.ConsentEvent)},
        }
    )
    s["ConsentGive"] = _obj({"termsVersion": _TEXT})
    s["BookingRequest"] = _obj(
        {
            "clinicId": _ID,
            "calendarIds": {"type": "array", "items": _ID, "minItems": 1, "maxItems": 5},
            "start": {"type": "string", "format": "date-time"},
            "durationMinutes": {"type": "integer", "minimum": 5, "maximum": 240},
            "kind": b.enum_schema(m.ConsultationKind),
            "timeSlotTypeId": {"anyOf": [_ID, {"type": "null"}]},
            "comment": {"anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}]},
        },
        required=["clinicId", "calendarIds", "start", "durationMinutes", "kind"],
    )
    s["VideoLink"] = _obj({"joinUrl": {"type": "string", "format": "uri"}})
    s["DialogView"] = {
        "allOf": [
            b.model_schema(m.Dialog),
            _obj(
                {
                    "folder": {"type": "string", "enum": ["inbox", "archive"]},
                    "updatedAt": {"type": "string", "format": "date-time"},
                    "unread": {"type": "boolean"},
                }
            ),
        ],
        "description": "A dialog with its derived folder (M5), update time and read state (M2).",
    }
    s["DialogStart"] = _obj(
        {
            "clinicId": _ID,
            "type": b.enum_schema(m.CommunicationType),
            "subject": {"type": "string", "minLength": 1, "maxLength": 200},
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "feeAcknowledged": {"type": "boolean"},
        },
        required=["clinicId", "type", "subject", "body"],
    )
    s["Reply"] = _obj({"body": {"type": "string", "minLength": 1, "maxLength": 20000}})
    s["ClinicFeeNotice"] = {
        "allOf": [b.model_schema(FeeNotice), _obj({"clinicId": {"type": "string"}})],
        "description": "The co-payment notice of a clinic, for this patient (M7).",
    }
    s["ClinicServices"] = _obj(
        {
            "clinicId": {"type": "string"},
            "services": {"type": "array", "items": b.enum_schema(m.CareService)},
            "communicationTypes": {
                "type": "array",
                "items": b.enum_schema(m.CommunicationType),
            },
        }
    )
    s["PaymentsPage"] = _page(
        b.model_schema(PaymentRow),
        {"total": b.model_schema(m.Money)},
    )
    s["RelationPatch"] = _obj(
        {
            "actions": {"type": "array", "items": b.enum_schema(m.Action), "maxItems": 20},
            "enabled": {"type": "boolean"},
        },
        required=[],
        minProperties=1,
    )
    s["RelationCreate"] = _obj(
        {
            "principalId": _ID,
            "representativeId": _ID,
            "kind": b.enum_schema(m.RelationKind),
            "actions": {"type": "array", "items": b.enum_schema(m.Action), "maxItems": 20},
            "validFrom": {"type": "string", "format": "date-time"},
            "validUntil": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        },
        required=["principalId", "representativeId", "kind"],
    )
    s["RenewalCreate"] = _obj(
        {
            "clinicId": _ID,
            "medications": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": 200},
                "minItems": 1,
                "maxItems": 20,
            },
            "note": {"anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}]},
        },
        required=["clinicId", "medications"],
    )
    s["FreeTime"] = _obj(
        {
            "data": {
                "type": "array",
                "items": _obj(
                    {
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                        "calendarIds": {"type": "array", "items": {"type": "string"}},
                        "timeSlotTypeId": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    }
                ),
            }
        }
    )
    s["PublicServices"] = _obj({"data": {"type": "array", "items": _ref("PublicServiceLink")}})
    s["Health"] = _obj({"status": {"type": "string", "enum": ["ok"]}})
    for name, item in (
        ("RepresentedPage", _ref("Represented")),
        ("ConsultationPage", _ref("Consultation")),
        ("DialogPage", _ref("DialogView")),
        ("RelationPage", _ref("Relation")),
        ("RenewalPage", _ref("PrescriptionRenewalRequest")),
        ("ClinicPage", _ref("Clinic")),
    ):
        s[name] = _page(item)


# --- operations ---

_PATIENT_ID = {
    "name": "patientId",
    "in": "path",
    "required": True,
    "description": "The PatientSky patient id, or ``me``; never a national identity number.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+$"},
}


def _path_id(name: str, what: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "^[A-Za-z0-9_-]+$",
        },
    }


_PAGING = [
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "The ``nextCursor`` of the previous page.",
        "schema": {"type": "string", "maxLength": 200},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Page size.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
]

_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key with the same body replays the first"
    " response (header ``Idempotent-Replayed: true``); with another body it is 409"
    " ``idempotency_key_reused``.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}

_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ``ETag`` of the profile as last read (a list of tags, or ``*``),"
    " compared strongly: a weak ``W/`` tag never matches; 412 if none matches.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}

_ERROR_TEXT = {
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
    429: "A rate limit ran out (``rate_limited``); ``Retry-After`` says when to try again.",
    500: "An unexpected error (no details are given).",
}

_JSON = "application/json"
_PROBLEM = "application/problem+json"


def _body(name: str) -> Schema:
    return {"required": True, "content": {_JSON: {"schema": _ref(name)}}}


def _ok(name: str | None, description: str, headers: Schema | None = None) -> Schema:
    out: Schema = {"description": description}
    if name is not None:
        out["content"] = {_JSON: {"schema": _ref(name)}}
    if headers:
        out["headers"] = headers
    return out


_ETAG_HEADER = {"ETag": {"description": "The profile's version.", "schema": {"type": "string"}}}
_LOCATION_HEADER = {
    "Location": {
        "description": "The path of the resource the new one belongs to.",
        "schema": {"type": "string"},
    }
}
_REPLAY_HEADER = {
    "Idempotent-Replayed": {
        "description": "``true`` when the response is the replay of an earlier one.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _op(
    op_id: str,
    summary: str,
    tag: str,
    ok: dict[int, Schema],
    *,
    errors: tuple[int, ...] = (),
    params: list[Schema] | None = None,
    body: Schema | None = None,
    auth: bool = True,
    patient: bool = True,
    idempotent: bool = False,
    admin: bool = False,
) -> Schema:
    parameters: list[Schema] = []
    if patient:
        parameters.append(_PATIENT_ID)
    parameters.extend(params or [])
    if idempotent:
        parameters.append(_IDEMPOTENCY)
    codes = set(errors) | {500}
    if auth or admin:
        codes |= {401}
    if patient:
        codes |= {403, 404}
    if body is not None:
        codes |= {400, 413, 415}
    if idempotent:
        codes |= {409}
    if any(p.get("in") in ("query", "path") for p in parameters):
        codes |= {400}
    responses: Schema = {str(k): v for k, v in sorted(ok.items())}
    for code in sorted(codes):
        responses[str(code)] = {
            "description": _ERROR_TEXT[code],
            "content": {_PROBLEM: {"schema": _ref("Problem")}},
        }
    op: Schema = {"operationId": op_id, "summary": summary, "tags": [tag]}
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = body
    op["responses"] = responses
    op["security"] = [{"sandboxAdmin": []}] if admin else [{"bearer": []}] if auth else []
    return op


def _paths() -> dict[str, Schema]:
    p = "/v1/patients/{patientId}"
    clinic_param = _path_id("clinicId", "clinic")
    return {
        "/v1/sandbox/people": {
            "get": _op(
                "listDemoPeople",
                "The demo people to log in as, by handle (sandbox only)",
                "sandbox",
                {200: _ok("DemoPeople", "The demo people.")},
                auth=False,
                patient=False,
            )
        },
        "/v1/sandbox/login": {
            "post": _op(
                "sandboxLogin",
                "Log in as a person, by handle or national identity number (sandbox only;"
                " stands in for BankID/Buypass) (L1)",
                "sandbox",
                {200: _ok("LoginResponse", "A bearer token.")},
                errors=(403, 404),
                body=_body("LoginRequest"),
                auth=False,
                patient=False,
            )
        },
        "/v1/sandbox/clinic-login": {
            "post": _op(
                "sandboxClinicLogin",
                "Log in as a clinic's staff (sandbox only), to add relations (R3)",
                "sandbox",
                {200: _ok("ClinicLoginResponse", "A bearer token for the clinic.")},
                errors=(404,),
                body=_body("ClinicLoginRequest"),
                auth=False,
                patient=False,
                admin=True,
            )
        },
        "/v1/sandbox/clock": {
            "get": _op(
                "getClock",
                "The sandbox's current time",
                "sandbox",
                {200: _ok("Clock", "The time.")},
                auth=False,
                patient=False,
            ),
            "put": _op(
                "setClock",
                "Freeze the sandbox clock at a time (a test clock)",
                "sandbox",
                {200: _ok("Clock", "The new time.")},
                body=_body("ClockSet"),
                auth=False,
                patient=False,
                admin=True,
            ),
            "delete": _op(
                "resetClock",
                "Return the sandbox clock to real time",
                "sandbox",
                {200: _ok("Clock", "The time.")},
                auth=False,
                patient=False,
                admin=True,
            ),
        },
        "/v1/sandbox/clock/advance": {
            "post": _op(
                "advanceClock",
                "Move the sandbox clock forward",
                "sandbox",
                {200: _ok("Clock", "The new time.")},
                body=_body("ClockAdvance"),
                auth=False,
                patient=False,
                admin=True,
            )
        },
        "/v1/session": {
            "get": _op(
                "getSession",
                "Who is logged in, how, and until when (L1, L2)",
                "session",
                {200: _ok("Session", "The session.")},
                errors=(403,),
                patient=False,
            ),
            "delete": _op(
                "logout",
                "Log out: the token stops working at once (L1)",
                "session",
                {204: _ok(None, "Logged out.")},
                errors=(403,),
                patient=False,
            ),
        },
        "/v1/session/represented": {
            "get": _op(
                "listRepresented",
                "The people the logged-in person may act for now (R1, R2)",
                "session",
                {200: _ok("RepresentedPage", "A page of people.")},
                errors=(403,),
                params=_PAGING,
                patient=False,
            )
        },
        "/v1/terms": {
            "get": _op(
                "getTerms",
                "The current terms version (C1)",
                "consent",
                {200: _ok("Terms", "The terms.")},
                auth=False,
                patient=False,
            )
        },
        f"{p}/profile": {
            "get": _op(
                "getProfile",
                "The patient's profile (P2, P5)",
                "profile",
                {200: _ok("Patient", "The profile.", _ETAG_HEADER)},
            ),
            "patch": _op(
                "updateProfile",
                "Change name and contact details (P2, P3, P4)",
                "profile",
                {200: _ok("Patient", "The new profile.", _ETAG_HEADER)},
                errors=(412, 428),
                params=[_IF_MATCH],
                body=_body("ProfilePatch"),
            ),
        },
        f"{p}/photo": {
            "get": _op(
                "getPhoto",
                "The profile photo (P1)",
                "profile",
                {
                    200: {
                        "description": "The image.",
                        "content": {
                            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                            "image/png": {"schema": {"type": "string", "format": "binary"}},
                        },
                    }
                },
            ),
            "put": _op(
                "putPhoto",
                "Upload a new profile photo, JPEG or PNG, at most 5 MiB (P1)",
                "profile",
                {200: _ok("PhotoRef", "The stored photo.")},
                body={
                    "required": True,
                    "content": {
                        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                        "image/png": {"schema": {"type": "string", "format": "binary"}},
                    },
                },
            ),
        },
        f"{p}/consent": {
            "get": _op(
                "getConsent",
                "Whether consent is in force, and its history (C1–C3)",
                "consent",
                {200: _ok("ConsentState", "The consent state.")},
            ),
            "post": _op(
                "giveConsent",
                "Consent to a version of the terms (C1, C2)",
                "consent",
                {200: _ok("ConsentState", "The consent state.")},
                errors=(409,),
                body=_body("ConsentGive"),
            ),
            "delete": _op(
                "withdrawConsent",
                "Withdraw consent: reserve oneself (C3)",
                "consent",
                {200: _ok("ConsentState", "The consent state.")},
                errors=(409,),
            ),
        },
        f"{p}/consultations": {
            "get": _op(
                "listConsultations",
                "Own consultations, upcoming or past (K1)",
                "consultations",
                {200: _ok("ConsultationPage", "A page of consultations.")},
                params=[
                    {
                        "name": "when",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["upcoming", "past"],
                            "default": "upcoming",
                        },
                    },
                    *_PAGING,
                ],
            ),
            "post": _op(
                "bookConsultation",
                "Book a consultation in free time, in person or by video (K2, K3)",
                "consultations",
                {201: _ok("Consultation", "The booking.", _REPLAY_HEADER)},
                errors=(409,),
                body=_body("BookingRequest"),
                idempotent=True,
            ),
        },
        f"{p}/consultations/{{consultationId}}/cancel": {
            "post": _op(
                "cancelConsultation",
                "Cancel a booked consultation (late after the clinic's deadline) (K2)",
                "consultations",
                {200: _ok("Consultation", "The cancelled consultation.", _REPLAY_HEADER)},
                errors=(409,),
                params=[_path_id("consultationId", "consultation")],
                idempotent=True,
            )
        },
        f"{p}/consultations/{{consultationId}}/video": {
            "get": _op(
                "getVideoLink",
                "The link to join a video consultation (K3)",
                "consultations",
                {200: _ok("VideoLink", "The link.")},
                errors=(409,),
                params=[_path_id("consultationId", "consultation")],
            )
        },
        f"{p}/dialogs": {
            "get": _op(
                "listDialogs",
                "Dialogs in the inbox or the archive, newest first (M1, M2, M6)",
                "dialogs",
                {200: _ok("DialogPage", "A page of dialogs.")},
                params=[
                    {
                        "name": "folder",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["inbox", "archive"],
                            "default": "inbox",
                        },
                    },
                    *_PAGING,
                ],
            ),
            "post": _op(
                "startDialog",
                "Start a dialog of a type the clinic enabled; e-consultations need the fee"
                " acknowledged (M3, M4, M7)",
                "dialogs",
                {201: _ok("DialogView", "The new dialog.", _REPLAY_HEADER)},
                body=_body("DialogStart"),
                idempotent=True,
            ),
        },
        f"{p}/dialogs/{{dialogId}}": {
            "get": _op(
                "readDialog",
                "Open a dialog; reading marks it read and may archive it (M5)",
                "dialogs",
                {200: _ok("DialogView", "The dialog.")},
                params=[_path_id("dialogId", "dialog")],
            )
        },
        f"{p}/dialogs/{{dialogId}}/messages": {
            "post": _op(
                "replyToDialog",
                "Answer in a dialog (M1)",
                "dialogs",
                {
                    201: _ok(
                        "Message",
                        "The new message. The dialog stays open and read by the writer;"
                        " ``Location`` names it (read it for the whole thread). The answer"
                        " does not grow with the dialog.",
                        {**_REPLAY_HEADER, **_LOCATION_HEADER},
                    )
                },
                errors=(409,),
                params=[_path_id("dialogId", "dialog")],
                body=_body("Reply"),
                idempotent=True,
            )
        },
        f"{p}/clinics/{{clinicId}}/fee-notice": {
            "get": _op(
                "getFeeNotice",
                "What starting an e-consultation at the clinic costs (M7)",
                "dialogs",
                {200: _ok("ClinicFeeNotice", "The fee notice.")},
                params=[clinic_param],
            )
        },
        f"{p}/clinics/{{clinicId}}/services": {
            "get": _op(
                "getClinicServices",
                "What the patient can start at the clinic (H1, M4)",
                "care",
                {200: _ok("ClinicServices", "The services and dialog types.")},
                params=[clinic_param],
            )
        },
        f"{p}/payments": {
            "get": _op(
                "listPayments",
                "Payments by tab: outstanding invoices, paid this year, all paid (B1–B4)",
                "payments",
                {200: _ok("PaymentsPage", "A page of rows and the tab's total.")},
                params=[
                    {
                        "name": "tab",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["outstanding", "paid_this_year", "all_paid"],
                            "default": "outstanding",
                        },
                    },
                    *_PAGING,
                ],
            )
        },
        f"{p}/payments/{{paymentId}}/receipt": {
            "get": _op(
                "downloadReceipt",
                "A payment's receipt as PDF (B5)",
                "payments",
                {
                    200: {
                        "description": "The receipt.",
                        "headers": {
                            "Content-Disposition": {
                                "description": "``attachment``, with the file's name.",
                                "required": True,
                                "schema": {"type": "string", "pattern": "^attachment;"},
                            }
                        },
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    }
                },
                params=[_path_id("paymentId", "payment")],
            )
        },
        f"{p}/relations": {
            "get": _op(
                "listRelations",
                "The patient's relations: who may act for them (R1, R2)",
                "relations",
                {200: _ok("RelationPage", "A page of relations.")},
                params=_PAGING,
            )
        },
        f"{p}/relations/{{relationId}}": {
            "patch": _op(
                "changeRelation",
                "Change what a relation may do, or switch it off or on (R4)",
                "relations",
                {200: _ok("Relation", "The relation.")},
                params=[_path_id("relationId", "relation")],
                body=_body("RelationPatch"),
            ),
            "delete": _op(
                "removeRelation",
                "Remove a relation (R4)",
                "relations",
                {204: {"description": "Removed."}},
                params=[_path_id("relationId", "relation")],
            ),
        },
        f"{p}/prescription-renewals": {
            "get": _op(
                "listPrescriptionRenewals",
                "Sent prescription renewal requests (E1)",
                "care",
                {200: _ok("RenewalPage", "A page of requests.")},
                params=_PAGING,
            ),
            "post": _op(
                "requestPrescriptionRenewal",
                "Ask a clinic to renew prescriptions (E1)",
                "care",
                {201: _ok("PrescriptionRenewalRequest", "The request.", _REPLAY_HEADER)},
                body=_body("RenewalCreate"),
                idempotent=True,
            ),
        },
        "/v1/clinics": {
            "get": _op(
                "searchClinics",
                "Search clinics by name or city (H2)",
                "clinics",
                {200: _ok("ClinicPage", "A page of clinics.")},
                params=[
                    {
                        "name": "query",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 100},
                    },
                    {
                        "name": "city",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 100},
                    },
                    *_PAGING,
                ],
                auth=False,
                patient=False,
            )
        },
        "/v1/clinics/{clinicId}": {
            "get": _op(
                "getClinic",
                "A clinic and what it offers (H1)",
                "clinics",
                {200: _ok("Clinic", "The clinic.")},
                errors=(404,),
                params=[clinic_param],
                auth=False,
                patient=False,
            )
        },
        "/v1/clinics/{clinicId}/free-time": {
            "get": _op(
                "getFreeTime",
                "Publicly bookable free time in a clinic's calendars (K2)",
                "clinics",
                {200: _ok("FreeTime", "Free time, earliest first.")},
                errors=(404,),
                params=[
                    clinic_param,
                    {
                        "name": "from",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": True,
                        "description": "At most 31 days after ``from``.",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "durationMinutes",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 5, "maximum": 240, "default": 15},
                    },
                    {
                        "name": "calendarId",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                    },
                    {
                        "name": "timeSlotTypeId",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                    },
                ],
                auth=False,
                patient=False,
            )
        },
        "/v1/clinics/{clinicId}/relations": {
            "post": _op(
                "addRelation",
                "Add a relation (clinic staff only) (R3)",
                "relations",
                {201: _ok("Relation", "The relation.", _REPLAY_HEADER)},
                errors=(403, 404),
                params=[clinic_param],
                body=_body("RelationCreate"),
                patient=False,
                idempotent=True,
            )
        },
        "/v1/public-services": {
            "get": _op(
                "listPublicServices",
                "Links to public services on HelseNorge (O1)",
                "public",
                {200: _ok("PublicServices", "The links.")},
                auth=False,
                patient=False,
            )
        },
        "/healthz": {
            "get": _op(
                "health",
                "Liveness",
                "public",
                {200: _ok("Health", "Alive.")},
                auth=False,
                patient=False,
            )
        },
    }


_UNSAFE = ("post", "put", "patch", "delete")
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _rate_limited(paths: dict[str, Schema]) -> dict[str, Schema]:
    """Add the 429 answer to the operations a rate limit stands in front of."""
    for path, operations in paths.items():
        for method, op in operations.items():
            login = path in ("/v1/sandbox/login", "/v1/sandbox/clinic-login")
            if login or (method in _UNSAFE and {"bearer": []} in op["security"]):
                responses = op["responses"]
                responses["429"] = {
                    "description": _ERROR_TEXT[429],
                    "headers": _RETRY_AFTER,
                    "content": {_PROBLEM: {"schema": _ref("Problem")}},
                }
                op["responses"] = dict(sorted(responses.items()))
    return paths


def build_document() -> dict[str, Any]:
    """
    Return the OpenAPI 3.1 document of the HTTP contract.

    Returns:
        The document as JSON-ready data.
    """
    b = _Builder()
    for cls in MODEL_CLASSES:
        b.model_schema(cls)
    _api_schemas(b)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PatientSky patient portal API",
            "version": API_VERSION,
            "description": (
                "The HTTP contract of the PatientSky patient portal, as the patientsky"
                " sandbox serves it. Bodies use the wire format of ``patientsky.wire``:"
                " camelCase keys, enums as snake_case values, RFC 3339 times with offset,"
                " money as integer minor units. Errors are RFC 9457 problem documents."
                " Every response carries ``X-Request-Id``. Patient-scoped resources live"
                " under ``/v1/patients/{patientId}`` (``me`` for the logged-in person);"
                " national identity numbers never appear in a URL."
                f" JSON bodies are capped at {MAX_JSON_BYTES} bytes, photos at"
                f" {MAX_PHOTO_BYTES} bytes."
                " Every response carries ``X-Content-Type-Options: nosniff`` and, but for"
                " this document, ``Cache-Control: no-store``. Logins and writes are rate"
                " limited: 429 ``rate_limited`` with ``Retry-After``."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": name}
            for name in (
                "sandbox",
                "session",
                "profile",
                "consent",
                "consultations",
                "dialogs",
                "payments",
                "care",
                "relations",
                "clinics",
                "public",
            )
        ],
        "paths": _rate_limited(_paths()),
        "components": {
            "schemas": dict(sorted(b.schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from ``POST /v1/sandbox/login`` (real deployments:"
                    " BankID or Buypass via OpenID Connect).",
                },
                "sandboxAdmin": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The sandbox's admin key (``PATIENTSKY_SANDBOX_KEY`` or"
                    " ``--admin-key``, else generated and printed once when it starts),"
                    " for the sandbox-only operations: the clock, clinic login and the"
                    " clinic-side helpers.",
                },
            },
        },
    }


def openapi_path() -> Path:
    """Return where the shipped OpenAPI document is (``patientsky/openapi.json``)."""
    return DOCUMENT_PATH


def main() -> None:
    """Write the document to the shipped ``openapi.json``."""
    text = json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n"
    DOCUMENT_PATH.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {DOCUMENT_PATH}\n")


if __name__ == "__main__":
    main()
