"""
The request and answer bodies of the clinic-side helpers (see :mod:`._clinic_side`).
"""

from __future__ import annotations

from patientsky import models as m
from patientsky.rules.booking import CancellationNotice
from patientsky.sandbox._schemas import Builder, Schema

__all__ = ["add_clinic_side_schemas"]

_ID: Schema = {"type": "string", "minLength": 1, "maxLength": 200}


def _obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def add_clinic_side_schemas(b: Builder) -> None:
    """Add the schemas of the clinic-side helpers' bodies, and of the cancellation notice."""
    s = b.schemas
    s["ConnectionCreate"] = _obj({"patientId": _ID})
    s["Connection"] = _obj(
        {"patientId": {"type": "string"}, "clinicId": {"type": "string"}},
    )
    s["ClinicReply"] = _obj(
        {
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "practitionerId": {"anyOf": [_ID, {"type": "null"}]},
            "reopen": {
                "type": "boolean",
                "description": "Open a closed dialog again, asking the patient to answer.",
            },
        },
        required=["body"],
    )
    s["DialogClose"] = _obj(
        {
            "needsReply": {
                "type": "boolean",
                "description": "Whether the patient must still answer (then it stays in"
                " the inbox until they do).",
            }
        }
    )
    s["InvoiceIssue"] = _obj(
        {
            "patientId": _ID,
            "amount": b.model_schema(m.Money),
            "dueDate": {"type": "string", "format": "date"},
            "consultationId": {"anyOf": [_ID, {"type": "null"}]},
        },
        required=["patientId", "amount", "dueDate"],
    )
    s["InvoiceSettle"] = _obj({"method": b.enum_schema(m.PaymentMethod)}, required=[])
    s["Settlement"] = _obj(
        {"invoice": b.model_schema(m.Invoice), "payment": b.model_schema(m.Payment)}
    )
    s["RenewalApprove"] = _obj({"pharmacy": {"type": "string", "minLength": 1, "maxLength": 200}})
    s["RenewalReject"] = _obj({"reason": {"type": "string", "minLength": 1, "maxLength": 2000}})
    s["ConsultationMark"] = _obj(
        {
            "attended": {
                "type": "boolean",
                "description": "True: completed; false: not attended.",
            }
        }
    )
    s["ClinicOffer"] = {
        **_obj(
            {
                "services": {
                    "type": "array",
                    "items": b.enum_schema(m.CareService),
                    "maxItems": 10,
                },
                "communicationTypes": {
                    "type": "array",
                    "items": b.enum_schema(m.CommunicationType),
                    "maxItems": 10,
                },
            },
            required=[],
        ),
        "minProperties": 1,
        "description": "What the clinic offers from now on; a list not named stays.",
    }
    s["ConsultationCancel"] = _obj(
        {
            "feeAcknowledged": {
                "type": "boolean",
                "description": "The patient saw the cancellation notice and accepts its fee.",
            }
        },
        required=[],
    )
    s["CancellationNoticeView"] = {
        "allOf": [b.model_schema(CancellationNotice), _obj({"consultationId": {"type": "string"}})],
        "description": "What cancelling the consultation now costs (K2).",
    }
