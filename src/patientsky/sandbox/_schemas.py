"""
Schemas of the contract, generated from the attrs models themselves.

Field names in camelCase, enums as the lists of their values, ``Unrecognized`` unions as
open strings: the document cannot drift from the code.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

import attrs

from patientsky import models as m
from patientsky.models._base import Unrecognized
from patientsky.rules.communication import FeeNotice
from patientsky.rules.payments import PaymentRow

__all__ = ["ID", "MODEL_CLASSES", "Builder", "Schema", "camel", "obj", "open_enum", "ref"]

Schema = dict[str, Any]
"""A JSON schema (or any part of the OpenAPI document), as JSON-ready data."""

MODEL_CLASSES: tuple[type[Any], ...] = (
    m.AccessLogEntry,
    m.Address,
    m.Appointment,
    m.Attachment,
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


def obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    """Return an object schema: ``properties``, all required unless ``required`` says which."""
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    schema.update(extra)
    return schema


ID: Schema = {"type": "string", "minLength": 1, "maxLength": 200}
"""The schema of an id in a request body."""


def ref(name: str) -> Schema:
    """Return a reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def open_enum(schema: Schema) -> Schema:
    """
    Return ``schema`` (an enum, or a reference to one) open to values a newer server adds.

    The one form every enum in an answer takes: ``anyOf`` the enum and any string, so a
    client keeps a value it does not know instead of failing to read the answer.
    Request bodies and query parameters keep their enums closed.
    """
    return {"anyOf": [schema, {"type": "string", "description": _OPEN_ENUM}]}


class Builder:
    """Collects component schemas while walking model types."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}
        """The component schemas collected so far, by name."""

    def enum_schema(self, enum_type: type[enum.Enum]) -> Schema:
        """Return a reference to the (closed) component schema of ``enum_type``."""
        name = enum_type.__name__
        if name not in self.schemas:
            doc = (enum_type.__doc__ or "").strip().splitlines()
            self.schemas[name] = {
                "type": "string",
                "enum": [member.value for member in enum_type],
                "description": doc[0] if doc else name,
            }
        return ref(name)

    def type_schema(self, hint: Any) -> Schema:
        if hint in _SCALARS:
            return dict(_SCALARS[hint])
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return open_enum(self.enum_schema(hint))  # models are answers
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
            # An enum is open already (values a newer version, or an export, may carry).
            inner = self.type_schema(options[0])
            if type(None) in args:
                return {"anyOf": [inner, {"type": "null"}]}
            return inner
        raise TypeError(f"cannot describe {hint!r}")

    def patch_schema(self, cls: type[Any]) -> Schema:
        """
        Return a reference to the merge-patch form of a model (``<Name>Patch``).

        Every field is optional; an optional one may be null (which removes it); a
        nested model is a patch of its own, so it merges.
        """
        name = f"{cls.__name__}Patch"
        if name in self.schemas:
            return ref(name)
        self.schemas[name] = {}  # a placeholder against recursion
        hints = typing.get_type_hints(cls)
        properties: dict[str, Schema] = {}
        for field in attrs.fields(cls):
            hint = hints[field.name]
            options = [a for a in typing.get_args(hint) if a is not type(None)]
            inner = options[0] if len(options) == 1 else hint
            if isinstance(inner, type) and attrs.has(inner):
                schema = self.patch_schema(inner)
                if type(None) in typing.get_args(hint):
                    schema = {"anyOf": [schema, {"type": "null"}]}
            else:
                schema = self.type_schema(hint)
            properties[camel(field.alias or field.name)] = schema
        doc = (cls.__doc__ or "").strip().splitlines()
        self.schemas[name] = {
            "type": "object",
            "description": (doc[0] if doc else cls.__name__)
            + " As a JSON merge patch: only the fields to change; null removes one.",
            "properties": properties,
        }
        return ref(name)

    def model_schema(self, cls: type[Any]) -> Schema:
        name = cls.__name__
        if name in self.schemas:
            return ref(name)
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
        return ref(name)
