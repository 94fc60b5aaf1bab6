"""
Builds the OpenAPI 3.1 document of the HTTP contract (shipped as ``patientsky/openapi.json``).

The schemas of the models are generated from the attrs models themselves
(:mod:`patientsky.sandbox._schemas`); the operations come from their declarations
(:mod:`patientsky.sandbox._declare`, gathered by :mod:`patientsky.sandbox._handlers`).
Nothing about an operation is written here. ``python -m patientsky.sandbox._openapi``
rewrites the shipped ``patientsky/openapi.json`` (read by
:func:`patientsky.contract.openapi_document`); a test checks that the shipped file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from patientsky import models as m
from patientsky.rules.attachments import MAX_ATTACHMENTS_PER_MESSAGE
from patientsky.rules.communication import FeeNotice
from patientsky.rules.decision import Reason
from patientsky.rules.payments import PaymentRow
from patientsky.sandbox._clinic_schemas import add_clinic_side_schemas
from patientsky.sandbox._declare import HEADERS
from patientsky.sandbox._http import (
    DOCUMENT_PATH,
    GENERIC_CODES,
    MAX_ATTACHMENT_BYTES,
    MAX_JSON_BYTES,
    MAX_PHOTO_BYTES,
)
from patientsky.sandbox._schemas import ID, MODEL_CLASSES, Builder, Schema, camel, obj, open_enum
from patientsky.sandbox._schemas import ref as _ref
from patientsky.sandbox._session_schemas import session_schemas

__all__ = [
    "API_VERSION",
    "GENERIC_CODES",
    "DOCUMENT_PATH",
    "MAX_JSON_BYTES",
    "MAX_PHOTO_BYTES",
    "MODEL_CLASSES",
    "build_document",
    "camel",
    "main",
    "openapi_path",
]

API_VERSION = "1.0.0"
"""The version of the contract."""

_TAGS = "sandbox session profile consent consultations dialogs payments care relations"
_TAGS += " access-log clinics interop public"


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


_obj = obj
_ID = ID
_ATTACHMENT_IDS = {
    "type": "array",
    "items": ID,
    "maxItems": MAX_ATTACHMENTS_PER_MESSAGE,
    "uniqueItems": True,
    "description": "Files uploaded with ``uploadAttachment`` to send with the message (M8).",
}
_TEXT = {"type": "string", "minLength": 1}


def _api_schemas(b: Builder) -> None:
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
                "anyOf": [_ref("ReasonCode"), _ref("GenericCode"), {"type": "string"}],
                "description": "A rule's reason code, or a generic code; a newer server may add"
                " codes, so any string is a code.",
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
    session_schemas(b)
    s["ProfilePatch"] = _obj(
        {
            "name": b.patch_schema(m.PersonName),
            "contact": {"anyOf": [b.patch_schema(m.ContactDetails), {"type": "null"}]},
        },
        required=[],
        minProperties=1,
        description="A JSON merge patch (RFC 7396) of the profile: what it names changes,"
        " null removes, nested objects merge; nothing it does not name is lost.",
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
                    "folder": open_enum({"type": "string", "enum": ["inbox", "archive"]}),
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
            "attachmentIds": _ATTACHMENT_IDS,
        },
        required=["clinicId", "type", "subject", "body"],
    )
    s["Reply"] = _obj(
        {
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "attachmentIds": _ATTACHMENT_IDS,
        },
        required=["body"],
    )
    s["AttachmentList"] = _obj(
        {"data": {"type": "array", "items": b.model_schema(m.Attachment)}},
        description="The files attached to a message, in the order they were attached (M8).",
    )
    s["ClinicFeeNotice"] = {
        "allOf": [b.model_schema(FeeNotice), _obj({"clinicId": {"type": "string"}})],
        "description": "The co-payment notice of a clinic, for this patient (M7).",
    }
    s["ClinicServices"] = _obj(
        {
            "clinicId": {"type": "string"},
            "services": {"type": "array", "items": open_enum(b.enum_schema(m.CareService))},
            "communicationTypes": {
                "type": "array",
                "items": open_enum(b.enum_schema(m.CommunicationType)),
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
                        "startTimes": {
                            "type": "array",
                            "items": {"type": "string", "format": "date-time"},
                            "description": "The starts a booking of the asked duration may"
                            " have in the stretch: on the time slots' grid, ending inside it.",
                        },
                    }
                ),
            }
        }
    )
    s["PublicServices"] = _obj({"data": {"type": "array", "items": _ref("PublicServiceLink")}})
    s["ServerTime"] = _obj({"now": {"type": "string", "format": "date-time"}})
    s["Health"] = _obj({"status": open_enum({"type": "string", "enum": ["ok"]})})
    for name, item in (
        ("RepresentedPage", _ref("Represented")),
        ("ConsultationPage", _ref("Consultation")),
        ("CancellationNoticePage", _ref("CancellationNoticeView")),
        ("DialogPage", _ref("DialogView")),
        ("RelationPage", _ref("Relation")),
        ("AccessLogPage", _ref("AccessLogEntry")),
        ("RenewalPage", _ref("PrescriptionRenewalRequest")),
        ("ClinicPage", _ref("Clinic")),
    ):
        s[name] = _page(item)
    add_clinic_side_schemas(b)


def _paths() -> dict[str, Schema]:
    """The paths of the document, from the operations' declarations."""
    from patientsky.sandbox import _handlers  # the handlers need the sandbox extra

    paths: dict[str, Schema] = {}
    for op in _handlers.declarations():
        if op.documented:
            paths.setdefault(op.path, {})[op.method.lower()] = op.document()
    return paths


def build_document() -> dict[str, Any]:
    """
    Return the OpenAPI 3.1 document of the HTTP contract.

    Returns:
        The document as JSON-ready data.
    """
    b = Builder()
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
                " Every response carries ``X-Request-Id``. ``HEAD`` is answered wherever"
                " ``GET`` is, with the same status and headers and no body."
                " Patient-scoped resources live"
                " under ``/v1/patients/{patientId}`` (``me`` for the logged-in person);"
                " national identity numbers never appear in a URL."
                f" JSON bodies are capped at {MAX_JSON_BYTES} bytes, photos at"
                f" {MAX_PHOTO_BYTES} bytes, files to attach at {MAX_ATTACHMENT_BYTES} bytes."
                " Every response carries ``X-Content-Type-Options: nosniff`` and, but for"
                " this document and the calendar feed (``private, no-cache``),"
                " ``Cache-Control: no-store``. Logins and writes are rate"
                " limited: 429 ``rate_limited`` with ``Retry-After``."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": name} for name in _TAGS.split()],
        "paths": _paths(),
        "components": {
            "schemas": dict(sorted(b.schemas.items())),
            "headers": HEADERS,
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
