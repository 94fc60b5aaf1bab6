"""
Shared building blocks for the models: validators that raise InvalidInput naming the field.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs

from patientsky.errors import InvalidInput

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


@attrs.frozen(order=True)
class Unrecognized:
    """
    An enum value sent by a newer server that this version does not know.

    It keeps the raw value, so a listing still decodes and round-trips unchanged;
    the rules never allow anything on an unrecognized value.

    Args:
        value: The raw wire value.
    """

    value: str

    def __str__(self) -> str:
        return self.value


def aware(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    """Validate that a datetime (or None) is timezone-aware."""
    if value is None:
        return
    if not isinstance(value, dt.datetime):
        raise InvalidInput(attr.name, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(attr.name, "must be timezone-aware")


def date_only(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    """Validate a calendar date (a datetime is not a date here)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInput(attr.name, "must be a date (not a datetime)")


def of_type(*types: type) -> Validator:
    """Validate that the value is an instance of one of ``types`` (bool is not an int)."""
    names = " or ".join(t.__name__ for t in types)

    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) and bool not in types:
            raise InvalidInput(attr.name, f"must be {names}, not bool")
        if not isinstance(value, types):
            raise InvalidInput(attr.name, f"must be {names}, not {type(value).__name__}")

    return check


def text(max_len: int = 10_000, *, empty: bool = False) -> Validator:
    """Validate a string: its type, that it is not blank (unless allowed), and its length."""

    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            raise InvalidInput(attr.name, f"must be a string, not {type(value).__name__}")
        if not empty and not value.strip():
            raise InvalidInput(attr.name, "must not be empty")
        if len(value) > max_len:
            raise InvalidInput(attr.name, f"must be at most {max_len} characters")

    return check


def optional(validator: Validator) -> Validator:
    """Run ``validator`` unless the value is None."""

    def check(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            validator(inst, attr, value)

    return check


def one_of(enum_type: type[E], *, unrecognized: bool = False) -> Validator:
    """Validate a member of ``enum_type`` (or an :class:`Unrecognized` if allowed)."""

    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, enum_type):
            return
        if unrecognized and isinstance(value, Unrecognized):
            return
        raise InvalidInput(attr.name, f"must be a {enum_type.__name__}")

    return check


def non_negative(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    """Validate an int that is zero or more."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(attr.name, "must be an integer")
    if value < 0:
        raise InvalidInput(attr.name, "must not be negative")


def positive(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    """Validate an int that is one or more."""
    non_negative(_inst, attr, value)
    if value == 0:
        raise InvalidInput(attr.name, "must be positive")


def items(validator: Validator, *, unique: bool = False) -> Validator:
    """Validate every item of a tuple with ``validator``, naming the index on failure."""

    def check(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple):
            raise InvalidInput(attr.name, "must be a tuple")
        for i, item in enumerate(value):
            try:
                validator(inst, attr, item)
            except InvalidInput as exc:
                raise InvalidInput(f"{attr.name}[{i}]", exc.message) from None
        if unique and len(set(value)) != len(value):
            raise InvalidInput(attr.name, "must not repeat an item")

    return check


def ordered(start: str, end: str, *, strict: bool = True) -> Callable[[Any], None]:
    """Return a check that ``getattr(self, start) < getattr(self, end)`` (or <=)."""

    def check(inst: Any) -> None:
        a, b = getattr(inst, start), getattr(inst, end)
        if a is None or b is None:
            return
        if (a >= b) if strict else (a > b):
            raise InvalidInput(end, f"must be after {start}")

    return check


def enum_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """Converter: a canonical (sorted by value, unique) tuple of enum members."""
    if isinstance(values, str):
        raise InvalidInput("", "must be a list, not a string")
    unique = set(values)
    return tuple(sorted(unique, key=lambda v: str(getattr(v, "value", v))))


def str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Converter: a canonical (sorted, unique) tuple of strings."""
    if isinstance(values, str):
        raise InvalidInput("", "must be a list, not a string")
    return tuple(sorted(set(values)))


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """
    Converter: any iterable (but a string) to a tuple, keeping order.

    Typed with ``Any`` because mypy's attrs plugin cannot solve a generic converter;
    the field's own annotation and validator keep the item type.
    """
    if isinstance(values, str):
        raise InvalidInput("", "must be a list, not a string")
    return tuple(values)
