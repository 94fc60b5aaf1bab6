"""
KID payment references (kundeidentifikasjon), as Norwegian banks and Nets use them.

A KID has 2 to 25 characters: digits, the last a check digit computed by one of
two methods, which the payee agreed with its bank:

- **MOD10**: the Luhn algorithm (:mod:`stdnum.luhn`).
- **MOD11**: weights 2, 3, 4, 5, 6, 7, repeating, from the right (starting at the
  digit before the check digit); the check digit is 11 minus the remainder of the
  weighted sum modulo 11, with remainder 0 giving ``0`` and remainder 1 giving
  ``-`` (so a MOD11 KID may end in a dash).

The KID alone cannot say which method the payee uses, and some KIDs are valid
under both; :func:`methods` tells which ones validate, and :func:`validate` takes
the method when the caller knows it.

>>> validate('1234567897')
'1234567897'
>>> methods('1234567897')
(<KidMethod.MOD10: 'mod10'>,)
>>> calc_check_digit('123456789', KidMethod.MOD11)
'2'
>>> validate('1234567892', method=KidMethod.MOD11)
'1234567892'
>>> calc_check_digit('1000005', KidMethod.MOD11)
'-'
>>> methods('1000005-')
(<KidMethod.MOD11: 'mod11'>,)
>>> validate('1234567890')
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: kid: has an invalid check digit
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable

from patientsky.errors import InvalidInput

__all__ = [
    "FIELD",
    "KidMethod",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "calc_check_digit",
    "compact",
    "format",
    "is_valid",
    "methods",
    "validate",
]

FIELD = "kid"
"""The field name every :class:`~patientsky.errors.InvalidInput` from this module carries."""

MIN_LENGTH = 2
"""The fewest characters a KID has, check digit included."""

MAX_LENGTH = 25
"""The most characters a KID has, check digit included."""

_DIGITS = frozenset("0123456789")
_MOD11_WEIGHTS = (2, 3, 4, 5, 6, 7)


class KidMethod(enum.Enum):
    """How the check digit of a KID is computed."""

    MOD10 = "mod10"
    """The Luhn algorithm."""
    MOD11 = "mod11"
    """Weights 2 to 7 from the right, modulo 11; ``-`` when the check digit would be 10."""


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(FIELD, message)


def _is_digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def compact(number: str) -> str:
    """
    Return the KID without spaces and surrounding whitespace.

    A dash is kept: it is the MOD11 check digit for 10.

    Args:
        number: The KID as typed.

    Raises:
        InvalidInput: If ``number`` is not a string.
    """
    value: object = number  # typed callers pass a str; the wire and the REPL may not
    if not isinstance(value, str):
        raise _invalid(f"must be a string, not {type(value).__name__}")
    return "".join(value.split())


def _mod11(payload: str) -> str:
    weighted = sum(
        w * int(d) for w, d in zip(itertools.cycle(_MOD11_WEIGHTS), reversed(payload), strict=False)
    )
    remainder = weighted % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "-"
    return str(11 - remainder)


def _mod10(payload: str) -> str:
    from stdnum import luhn  # imported on use: stdnum.util pulls in ssl, slow to import

    return str(luhn.calc_check_digit(payload))


_METHODS: dict[KidMethod, Callable[[str], str]] = {KidMethod.MOD10: _mod10, KidMethod.MOD11: _mod11}


def calc_check_digit(number: str, method: KidMethod) -> str:
    """
    Return the check digit that ``method`` gives for the digits of a KID.

    Args:
        number: The KID without its check digit: 1 to 24 digits.
        method: MOD10 or MOD11.

    Returns:
        One character: a digit, or ``-`` (MOD11 only).

    Raises:
        InvalidInput: If ``number`` is not 1 to 24 digits.
    """
    payload = compact(number)
    if not _is_digits(payload):
        raise _invalid("must contain only digits")
    if len(payload) > MAX_LENGTH - 1:
        raise _invalid("must have at most twenty-four digits before the check digit")
    compute = _METHODS.get(method)
    if compute is None:
        raise _invalid("has an unknown check digit method")
    return compute(payload)


def _shape(number: str) -> str:
    number = compact(number)
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise _invalid("must have two to twenty-five characters")
    if not _is_digits(number[:-1]) or not (number[-1] in _DIGITS or number[-1] == "-"):
        raise _invalid("must contain only digits (the last may be a dash, for MOD11)")
    return number


def _matching(number: str) -> tuple[KidMethod, ...]:
    payload, check = number[:-1], number[-1]
    return tuple(m for m in KidMethod if calc_check_digit(payload, m) == check)


def methods(number: str) -> tuple[KidMethod, ...]:
    """
    Return the methods whose check digit the KID carries (none, one or both), in enum order.

    Args:
        number: The KID, with or without spaces.

    Raises:
        InvalidInput: If the KID does not have the shape of a KID (length, characters).
    """
    return _matching(_shape(number))


def validate(number: str, *, method: KidMethod | None = None) -> str:
    """
    Check the KID and return it compacted.

    Args:
        number: The KID, with or without spaces.
        method: The method the payee uses; ``None`` accepts either.

    Returns:
        The KID without spaces.

    Raises:
        InvalidInput: If the KID is not valid (field ``kid``).
    """
    number = _shape(number)
    found = _matching(number)
    if not found or (method is not None and method not in found):
        raise _invalid("has an invalid check digit")
    return number


def is_valid(number: str, *, method: KidMethod | None = None) -> bool:
    """
    Return whether the KID is valid (see :func:`validate`); never raises.

    Args:
        number: The KID, with or without spaces.
        method: The method the payee uses; ``None`` accepts either.
    """
    try:
        validate(number, method=method)
    except InvalidInput:
        return False
    return True


def format(number: str) -> str:
    """
    Return the KID as it is printed on a giro: the bare characters, no grouping.

    Args:
        number: The KID, with or without spaces.
    """
    return compact(number)
