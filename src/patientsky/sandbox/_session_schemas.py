"""
The schemas of the session's and the sandbox's own bodies: logins, the demo people, the clock.

Part of the document :mod:`patientsky.sandbox._openapi` builds.
"""

from __future__ import annotations

from patientsky import models as m
from patientsky.sandbox._declare import HANDLE_PATTERN
from patientsky.sandbox._schemas import ID, Builder, obj, open_enum
from patientsky.sandbox._schemas import ref as _ref

__all__ = ["session_schemas"]

_obj = obj
_ID = ID


def session_schemas(b: Builder) -> None:
    """Add the schemas of logins, sessions, the demo people and the clock to ``b``."""
    s = b.schemas
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
            "tokenType": open_enum({"type": "string", "enum": ["Bearer"]}),
            "expiresAt": {"type": "string", "format": "date-time"},
            "personId": {"type": "string"},
        }
    )
    s["ClinicLoginRequest"] = _obj({"clinicId": _ID})
    s["ClinicLoginResponse"] = _obj(
        {
            "accessToken": {"type": "string"},
            "tokenType": open_enum({"type": "string", "enum": ["Bearer"]}),
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
            "method": open_enum(b.enum_schema(m.LoginMethod)),
            "assurance": open_enum(b.enum_schema(m.AssuranceLevel)),
            "authenticatedAt": {"type": "string", "format": "date-time"},
            "expiresAt": {"type": "string", "format": "date-time"},
            "name": b.model_schema(m.PersonName),
        },
        required=["personId", "method", "assurance", "authenticatedAt", "expiresAt"],
    )
    s["Represented"] = _obj(
        {
            "patientId": {"type": "string"},
            "relationId": {"type": "string"},
            "name": b.model_schema(m.PersonName),
            "kind": open_enum(b.enum_schema(m.RelationKind)),
            "actions": {"type": "array", "items": open_enum(b.enum_schema(m.Action))},
        }
    )
