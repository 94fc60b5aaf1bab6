r"""
Shared building blocks for the models: validators that raise InvalidInput naming the field.

Text that cannot hide anything
------------------------------

Every text field is one of two kinds, checked by :func:`text`:

- **single-line** (names, titles, subjects, addresses, ids, ...): no control
  character at all (C0, DEL and C1, so no tab, newline or carriage return either);
- **multi-line** (message bodies and free text such as a patient's comment):
  newline and tab are allowed, the other controls are not. A carriage return is
  not stored: ``"\r\n"`` and a lone ``"\r"`` become ``"\n"`` (browsers send a
  text area's line breaks as ``"\r\n"``).

Neither kind takes characters that change how text is shown without being seen:
bidirectional embeddings, overrides, isolates and marks (U+202A-U+202E,
U+2066-U+2069, U+200E, U+200F, U+061C), zero-width and invisible characters (U+200B-U+200D,
U+2060-U+2064, U+FEFF), the deprecated format characters U+206A-U+206F, the
Unicode line and paragraph separators (U+2028, U+2029), interlinear annotation
characters (U+FFF9-U+FFFB), and lone surrogates (which are not text). Zero-width
joiners and non-joiners are refused in every field although some emoji sequences
and some scripts use them: a patient portal shows text to clinicians, and a field
that looks like another must be another.

Text is stored NFC-normalised: the converters :func:`nfc` (and its variants) run
before the validators, so ``PersonName(given="e\u0301", ...)`` stores ``"é"`` and the
length limit counts normalised characters. Normalising is idempotent, so a value
that decoded once re-encodes to the same text.

>>> text_problem("Kari\u202eNordmann", multiline=False)
'must not contain bidirectional or invisible formatting characters (U+202E at index 4)'
>>> text_problem("Hei\nhallo", multiline=True) is None
True
>>> nfc("e\u0301") == "\u00e9"
True
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
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

    value: str = attrs.field(validator=lambda _i, a, v: _unrecognized_text(a, v))

    def __str__(self) -> str:
        return self.value

    @property
    def _value_(self) -> str:
        # Where an enum member keeps its value: code writing either reads the one name.
        return self.value


def _unrecognized_text(attr: attrs.Attribute[Any], value: Any) -> None:
    # Kept raw (not normalised) so it round-trips unchanged, but it hides nothing either.
    if not isinstance(value, str):
        raise InvalidInput(attr.name, f"must be a string, not {type(value).__name__}")
    problem = text_problem(value, multiline=False)
    if problem is not None:
        raise InvalidInput(attr.name, problem)


# --- text ------------------------------------------------------------------------------------

_HIDDEN = (
    "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
)
# One compiled search per string: the first forbidden character, if any.
_FORBIDDEN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}]")
_FORBIDDEN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_HIDDEN}]")


def text_problem(value: str, *, multiline: bool) -> str | None:
    """
    Return what is wrong with ``value`` as text of one kind, or None if nothing is.

    The message names the first forbidden character by code point and index, never
    the text itself.

    Args:
        value: The text (already normalised, as the models store it).
        multiline: Whether newline and tab are allowed.
    """
    found = (_FORBIDDEN_LINES if multiline else _FORBIDDEN_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    code = ord(char)
    where = f"(U+{code:04X} at index {found.start()})"
    if char in "\n\r\u2028\u2029":
        if not multiline:
            return f"must be a single line {where}"
        return f"must break lines with a newline (\\n) only {where}"
    if 0xD800 <= code <= 0xDFFF:
        return f"must be valid Unicode text, not a lone surrogate {where}"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"must not contain control characters {where}"
    return f"must not contain bidirectional or invisible formatting characters {where}"


def _normalised(value: str) -> str:
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def nfc(value: str) -> str:
    """Converter for single-line text: its NFC form (a non-string passes, for the validator)."""
    given: object = value  # typed callers pass a string; the validator refuses the rest
    return _normalised(given) if isinstance(given, str) else value


def nfc_or_none(value: str | None) -> str | None:
    """Converter for optional single-line text: :func:`nfc`, None kept."""
    return None if value is None else nfc(value)


def nfc_lines(value: str) -> str:
    r"""Converter for multi-line text: line breaks as ``"\n"``, then the NFC form."""
    given: object = value
    if not isinstance(given, str):
        return value
    if "\r" in given:
        given = given.replace("\r\n", "\n").replace("\r", "\n")
    return _normalised(given)


def nfc_lines_or_none(value: str | None) -> str | None:
    """Converter for optional multi-line text: :func:`nfc_lines`, None kept."""
    return None if value is None else nfc_lines(value)


def nfc_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Converter: any iterable of texts (but a string) to a tuple of their NFC forms, in order."""
    if isinstance(values, str):
        raise InvalidInput("", "must be a list, not a string")
    return tuple(nfc(v) for v in values)


def aware(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    """Validate that a datetime (or None) is timezone-aware."""
    if value is None:
        return
    if not isinstance(value, dt.datetime):
        raise InvalidInput(attr.name, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(attr.name, "must be timezone-aware")
    if value.year in _EDGE_YEARS and not in_utc_range(value):
        raise InvalidInput(attr.name, _OUT_OF_RANGE)


# A time in year 1 or 9999 may be an instant before year 1 or after 9999 in UTC, which
# no datetime holds: comparing it as an instant (instant_key) would raise OverflowError.
_EDGE_YEARS = frozenset({1, 9999})
_OUT_OF_RANGE = "must be an instant within the years 1 to 9999 in UTC"


def in_utc_range(value: dt.datetime) -> bool:
    """
    Whether an aware datetime's instant can be written in UTC (years 1 to 9999).

    >>> late = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(-dt.timedelta(hours=2)))
    >>> in_utc_range(late), in_utc_range(late.replace(tzinfo=dt.UTC))
    (False, True)
    """
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        return False
    return True


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

    check.spec = ("of_type", types)  # type: ignore[attr-defined]
    return check


def text(max_len: int = 10_000, *, empty: bool = False, multiline: bool = False) -> Validator:
    """
    Validate a string: its type, not blank (unless allowed), its length and its characters.

    Pair it with the converter of the same kind (:func:`nfc` or :func:`nfc_lines`, or
    their ``_or_none`` and tuple variants), so the value is checked as it is stored.

    Args:
        max_len: The most characters allowed.
        empty: Whether blank text is allowed.
        multiline: Whether newline and tab are allowed (message bodies, free text).
    """
    forbidden = _FORBIDDEN_LINES if multiline else _FORBIDDEN_LINE

    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            raise InvalidInput(attr.name, f"must be a string, not {type(value).__name__}")
        if not empty and (not value or value.isspace()):  # blank, without a stripped copy
            raise InvalidInput(attr.name, "must not be empty")
        if len(value) > max_len:
            raise InvalidInput(attr.name, f"must be at most {max_len} characters")
        if forbidden.search(value) is not None:
            raise InvalidInput(attr.name, str(text_problem(value, multiline=multiline)))

    # What the check is, for code that checks a string it built once (the wire's fast path).
    check.spec = ("text", max_len, empty, forbidden)  # type: ignore[attr-defined]
    return check


def optional(validator: Validator) -> Validator:
    """Run ``validator`` unless the value is None."""

    def check(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            validator(inst, attr, value)

    check.spec = ("optional", validator)  # type: ignore[attr-defined]
    return check


def one_of(enum_type: type[E], *, unrecognized: bool = False) -> Validator:
    """Validate a member of ``enum_type`` (or an :class:`Unrecognized` if allowed)."""

    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, enum_type):
            return
        if unrecognized and isinstance(value, Unrecognized):
            return
        raise InvalidInput(attr.name, f"must be a {enum_type.__name__}")

    check.spec = ("one_of", enum_type, unrecognized)  # type: ignore[attr-defined]
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

    check.spec = ("items", validator, unique)  # type: ignore[attr-defined]
    return check


def instant(value: dt.datetime) -> dt.datetime:
    """
    Return an aware datetime as the same instant in UTC: the form to compare times in.

    Python compares two datetimes that share a ``tzinfo`` by their wall-clock fields and
    ignores ``fold``: in Europe/Oslo, 02:45 summer time would sort after 02:15 winter
    time, half an hour later, on the night the clocks go back. In UTC there is no fold.

    >>> import zoneinfo
    >>> oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    >>> summer = dt.datetime(2026, 10, 25, 2, 45, tzinfo=oslo)
    >>> winter = dt.datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=oslo)
    >>> winter < summer, instant(winter) < instant(summer)
    (True, False)
    """
    return value if value.tzinfo is _UTC else value.astimezone(_UTC)


_UTC = dt.UTC


def instant_key(value: dt.datetime | None) -> dt.datetime | None:
    """
    Key for the ``eq`` of a datetime field: models are equal when their times are the same instants.

    So a value decoded with a fixed offset equals the one sent in Europe/Oslo, and two
    readings of 02:30 on the night the clocks go back (``fold`` 0 and 1) are not equal.
    """
    return None if value is None else instant(value)


def ordered(start: str, end: str, *, strict: bool = True) -> Callable[[Any], None]:
    """Return a check that ``getattr(self, start) < getattr(self, end)`` (or <=), as instants."""

    def check(inst: Any) -> None:
        a, b = getattr(inst, start), getattr(inst, end)
        if a is None or b is None:
            return
        if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
            a, b = instant(a), instant(b)
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
    """Converter: a canonical (sorted, unique) tuple of strings, each in its NFC form."""
    return tuple(sorted(set(nfc_tuple(values)), key=_sort_key))


def _sort_key(value: Any) -> tuple[bool, str]:
    # Sorting must not fail on a non-string item: the validator names it.
    return (not isinstance(value, str), value if isinstance(value, str) else repr(value))


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """
    Converter: any iterable (but a string) to a tuple, keeping order.

    Typed with ``Any`` because mypy's attrs plugin cannot solve a generic converter;
    the field's own annotation and validator keep the item type.
    """
    if isinstance(values, str):
        raise InvalidInput("", "must be a list, not a string")
    return tuple(values)
