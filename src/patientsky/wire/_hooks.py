"""
The structure and unstructure hooks of the wire format, and the predicates that pick them.

Every structure hook refuses a value of the wrong JSON type instead of coercing it, and
raises :class:`~patientsky.errors.InvalidInput` with an empty field (the path is added by
:mod:`patientsky.wire._errors`) and a message that never repeats the value.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from patientsky.errors import InvalidInput
from patientsky.models import KidNumber, NationalId, OrganisationNumber, Unrecognized
from patientsky.models._base import in_utc_range

StructureHook = Callable[[Any, Any], Any]
UnstructureHook = Callable[[Any], Any]

# Classes that are attrs classes but travel as one JSON string, not as an object.
SCALAR_CLASSES: frozenset[type] = frozenset(
    {KidNumber, NationalId, OrganisationNumber, Unrecognized}
)

_SNAKE = re.compile(r"_([a-z0-9])")
_DIGITS_11 = re.compile(r"[0-9]{11}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})?",
    re.ASCII,
)


# --- names -------------------------------------------------------------------------------


def camel(name: str) -> str:
    """
    Return the wire (camelCase) name of a python attribute name.

    >>> camel("e_consultation_fee")
    'eConsultationFee'
    """
    return _SNAKE.sub(lambda m: m.group(1).upper(), name.lstrip("_"))


def wire_path(path: str) -> str:
    """
    Return a dotted python field path (as model validators raise it) in wire terms.

    >>> wire_path("events[1].patient_id")
    'events[1].patientId'
    """
    return ".".join(camel(part) for part in path.split("."))


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _wrong_type(expected: str, value: object) -> InvalidInput:
    # Only the JSON type of the value is named, never the value itself.
    return InvalidInput("", f"must be {expected}, not {_type_name(value)}")


# --- primitives ----------------------------------------------------------------------------


def structure_str(value: Any, _type: Any = str) -> str:
    """Accept a JSON string only, and only if it is valid Unicode (no lone surrogates)."""
    if type(value) is not str:
        raise _wrong_type("a string", value)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("", "must be valid Unicode text") from None
    return value


def structure_int(value: Any, _type: Any = int) -> int:
    """Accept a JSON integer only: not a boolean, not a fraction, not a string."""
    if type(value) is not int:
        raise _wrong_type("an integer", value)
    return value


def structure_bool(value: Any, _type: Any = bool) -> bool:
    """Accept ``true`` or ``false`` only."""
    if value is True or value is False:
        return value
    raise _wrong_type("true or false", value)


def structure_float(value: Any, _type: Any = float) -> float:
    """Accept a finite JSON number (an integer is a number too), but not a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type("a number", value)
    result = float(value)
    if not math.isfinite(result):
        raise InvalidInput("", "must be a finite number")
    return result


# --- dates and times -----------------------------------------------------------------------


def structure_datetime(value: Any, _type: Any = dt.datetime) -> dt.datetime:
    """
    Accept an RFC 3339 timestamp with an offset (``Z`` for UTC); refuse a naive one.

    More than six digits of fractional seconds are cut to microseconds.
    """
    if type(value) is not str:
        raise _wrong_type("an RFC 3339 timestamp string", value)
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise InvalidInput("", "must be an RFC 3339 timestamp such as 2026-11-25T10:00:00+01:00")
    if match["offset"] is None:
        raise InvalidInput("", "must have a UTC offset (RFC 3339), such as +01:00 or Z")
    try:
        parsed = dt.datetime.fromisoformat(value.upper())
    except ValueError:
        # The parser's own message repeats the value.
        raise InvalidInput("", "is not a valid date and time") from None
    if parsed.year in (1, 9999) and not in_utc_range(parsed):
        raise InvalidInput("", "must be an instant within the years 1 to 9999 in UTC")
    return parsed


def unstructure_datetime(value: dt.datetime) -> str:
    """
    Write an aware datetime as RFC 3339, keeping its offset (``+01:00``, ``+00:00``).

    An offset with seconds (only very old local mean times have one) cannot be written in
    RFC 3339; such a value is written in UTC, which keeps the instant.
    """
    offset = value.utcoffset()
    if offset is None:
        raise InvalidInput("", "must be timezone-aware to be written as RFC 3339")
    if offset.seconds % 60 or offset.microseconds:
        value = value.astimezone(dt.UTC)
    return value.isoformat()


def structure_date(value: Any, _type: Any = dt.date) -> dt.date:
    """Accept an ISO 8601 calendar date, ``YYYY-MM-DD``."""
    if type(value) is not str:
        raise _wrong_type("a date string", value)
    if _DATE.fullmatch(value) is None:
        raise InvalidInput("", "must be a date such as 2026-11-25 (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("", "is not a valid date") from None


def unstructure_date(value: dt.date) -> str:
    """Write a date as ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        raise InvalidInput("", "must be a date, not a datetime")
    return value.isoformat()


# --- identifiers ---------------------------------------------------------------------------


def national_id_hook(*, allow_synthetic: bool, synthetic_only: bool = False) -> StructureHook:
    """
    Return the structure hook for :class:`~patientsky.models.identity.NationalId`.

    The wire carries exactly eleven digits, no separators. Synthetic test numbers
    (month + 80) are accepted when ``allow_synthetic`` is true, as the
    :class:`~patientsky.models.identity.NationalId` constructor accepts them; the value then says
    :attr:`~patientsky.models.identity.NationalId.is_synthetic`. With ``synthetic_only`` a
    real person's number is refused (a sandbox holds test people only). Messages never
    contain a digit.
    """

    def structure_national_id(value: Any, _type: Any = NationalId) -> NationalId:
        if type(value) is not str:
            raise _wrong_type("a string of eleven digits", value)
        if _DIGITS_11.fullmatch(value) is None:
            raise InvalidInput("", "must be eleven digits, without spaces or separators")
        try:
            national_id = NationalId(value)
        except InvalidInput as exc:
            # The identity module's messages contain no digit; drop the chain anyway.
            raise InvalidInput("", exc.message) from None
        if national_id.is_synthetic and not allow_synthetic:
            raise InvalidInput("", "is a synthetic test number, not accepted here")
        if synthetic_only and not national_id.is_synthetic:
            raise InvalidInput("", REAL_NUMBER_REFUSED)
        return national_id

    return structure_national_id


REAL_NUMBER_REFUSED = (
    "is not a synthetic test number (month + 80): a sandbox holds test people only,"
    " never a real person's number"
)
"""Why a converter made with ``synthetic_national_ids_only`` refuses a number."""


def unstructure_national_id(value: NationalId) -> str:
    """Write the eleven digits: the wire is where they must go."""
    return value.reveal()


def structure_organisation_number(
    value: Any, _type: Any = OrganisationNumber
) -> OrganisationNumber:
    """Accept the nine digits of an organisation number, without spaces."""
    if type(value) is not str:
        raise _wrong_type("a string of nine digits", value)
    try:
        return OrganisationNumber(value)
    except InvalidInput as exc:
        raise InvalidInput("", exc.message) from None


def structure_kid(value: Any, _type: Any = KidNumber) -> KidNumber:
    """Accept a KID without spaces (a MOD11 KID may end in ``-``)."""
    if type(value) is not str:
        raise _wrong_type("a string", value)
    try:
        return KidNumber(value)
    except InvalidInput as exc:
        raise InvalidInput("", exc.message) from None


def unstructure_digits(value: OrganisationNumber | KidNumber) -> str:
    """Write an organisation number or a KID as its digits."""
    return value.digits


def structure_unrecognized(value: Any, _type: Any = Unrecognized) -> Unrecognized:
    """Accept any string as an :class:`~patientsky.models._base.Unrecognized` value."""
    return Unrecognized(structure_str(value))


def unstructure_unrecognized(value: Unrecognized) -> str:
    """Write an unrecognized enum value back exactly as it came."""
    return value.value


# --- enums ---------------------------------------------------------------------------------


def is_enum(type_: Any) -> bool:
    """Whether ``type_`` is an :class:`enum.Enum` class."""
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def enum_structure_factory(type_: type[enum.Enum]) -> StructureHook:
    """Return a hook that accepts exactly the string values of ``type_``."""
    members: dict[Any, enum.Enum] = {m.value: m for m in type_}
    allowed = ", ".join(str(v) for v in members)

    def structure_enum(value: Any, _type: Any = type_) -> enum.Enum:
        if type(value) is not str:
            raise _wrong_type("a string", value)
        try:
            return members[value]
        except KeyError:
            raise InvalidInput("", f"must be one of: {allowed}") from None

    return structure_enum


def unstructure_enum(value: enum.Enum | Unrecognized) -> Any:
    """Write an enum member (or an unrecognized value) as its value."""
    return value.value


def _union_args(type_: Any) -> tuple[Any, ...]:
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        return typing.get_args(type_)
    return ()


def is_enum_or_unrecognized(type_: Any) -> bool:
    """Whether ``type_`` is ``SomeEnum | Unrecognized`` (optionally ``| None``)."""
    args = _union_args(type_)
    if Unrecognized not in args:
        return False
    rest = [a for a in args if a is not Unrecognized and a is not types.NoneType]
    return len(rest) == 1 and is_enum(rest[0])


def enum_or_unrecognized_structure_factory(type_: Any) -> StructureHook:
    """Return a hook that decodes an unknown string to :class:`Unrecognized`, not an error."""
    args = _union_args(type_)
    enum_type = next(a for a in args if is_enum(a))
    members: dict[Any, enum.Enum] = {m.value: m for m in enum_type}
    nullable = types.NoneType in args
    expected = "a string or null" if nullable else "a string"

    def structure_enum_or_unrecognized(
        value: Any, _type: Any = type_
    ) -> enum.Enum | Unrecognized | None:
        if value is None and nullable:
            return None
        if type(value) is not str:
            raise _wrong_type(expected, value)
        member = members.get(value)
        return member if member is not None else Unrecognized(structure_str(value))

    return structure_enum_or_unrecognized


def enum_or_unrecognized_unstructure_factory(type_: Any) -> UnstructureHook:
    """Return a hook that writes an enum member or an unrecognized value as its string."""
    if types.NoneType not in _union_args(type_):
        return unstructure_enum

    def unstructure_optional_enum(value: enum.Enum | Unrecognized | None) -> Any:
        return None if value is None else value.value

    return unstructure_optional_enum


# --- collections ---------------------------------------------------------------------------


def is_homogeneous_sequence(type_: Any) -> bool:
    """Whether ``type_`` is ``tuple[X, ...]`` or ``list[X]``."""
    origin = typing.get_origin(type_)
    args = typing.get_args(type_)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin is list and len(args) == 1


def sequence_structure_factory(type_: Any, converter: cattrs.Converter) -> StructureHook:
    """
    Return a hook that builds a tuple (or list) from a JSON array, and from nothing else.

    A string is not a tuple of characters and an object is not a tuple of its keys.
    Errors carry the index of each bad item, as cattrs' own collection hooks do.
    """
    origin = typing.get_origin(type_)
    item_type = typing.get_args(type_)[0]
    item_hook = converter.get_structure_hook(item_type)
    make: Callable[[list[Any]], Any] = tuple if origin is tuple else list

    def structure_sequence(value: Any, _type: Any = type_) -> Any:
        if not isinstance(value, list | tuple):
            raise _wrong_type("an array", value)
        result = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                result.append(item_hook(item, item_type))
            except Exception as exc:  # noqa: BLE001 -- collected and re-raised as a group
                note = IterableValidationNote(
                    f"Structuring {type_} @ index {index}", index, item_type
                )
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return make(result)

    return structure_sequence


def sequence_unstructure_factory(type_: Any, converter: cattrs.Converter) -> UnstructureHook:
    """
    Return a hook that writes a tuple (or list) as a JSON array.

    Items of an unbound type variable (a bare ``Page``) are written by their own class.
    """
    item_type = typing.get_args(type_)[0]
    item_hook: UnstructureHook
    if isinstance(item_type, typing.TypeVar) or item_type is Any:
        item_hook = converter.unstructure
    else:
        item_hook = converter.get_unstructure_hook(item_type)

    def unstructure_sequence(value: Any) -> list[Any]:
        return [item_hook(item) for item in value]

    return unstructure_sequence


# --- attrs classes -------------------------------------------------------------------------


def is_attrs_object(type_: Any) -> bool:
    """Whether ``type_`` is an attrs class (or a generic alias of one) sent as a JSON object."""
    origin = typing.get_origin(type_) or type_
    return attrs.has(origin) and origin not in SCALAR_CLASSES


def _renames(type_: Any) -> dict[str, Any]:
    origin = typing.get_origin(type_) or type_
    return {a.name: override(rename=camel(a.alias or a.name)) for a in attrs.fields(origin)}


def attrs_structure_factory(type_: Any, converter: cattrs.Converter) -> StructureHook:
    """
    Return a hook that builds an attrs class from a JSON object with camelCase keys.

    Unknown keys are ignored; every field's error is collected with its name.
    """
    build = make_dict_structure_fn(
        type_,
        converter,
        _cattrs_forbid_extra_keys=False,
        _cattrs_detailed_validation=True,
        **_renames(type_),
    )

    def structure_object(value: Any, _type: Any = type_) -> Any:
        # The generated code would index a list or test `in` on a string.
        if not isinstance(value, Mapping):
            raise _wrong_type("an object", value)
        return build(value, _type)

    return structure_object


def attrs_unstructure_factory(type_: Any, converter: cattrs.Converter) -> UnstructureHook:
    """Return a hook that writes an attrs class as a JSON object, keys in field order."""
    return make_dict_unstructure_fn(type_, converter, **_renames(type_))
