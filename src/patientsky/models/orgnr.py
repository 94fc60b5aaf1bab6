"""
Norwegian organisation numbers (organisasjonsnummer), as the Brønnøysund registers issue them.

Nine digits, the last a MOD11 check digit (weights 3, 2, 7, 6, 5, 4, 3, 2). The
checking is python-stdnum's (:mod:`stdnum.no.orgnr`); this module speaks the same
verbs and raises :class:`~patientsky.errors.InvalidInput` instead of stdnum's
exceptions. Organisation numbers are public, so messages may show them, but they
do not need to.

>>> validate('988 077 917')
'988077917'
>>> format('988077917')
'988 077 917'
>>> is_valid('988 077 918')
False
>>> validate('988 077 918')
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: organisation_number: has an invalid check digit
>>> calc_check_digit('98807791')
'7'
"""

from __future__ import annotations

from typing import Any

from patientsky.errors import InvalidInput

__all__ = ["FIELD", "calc_check_digit", "compact", "format", "is_valid", "validate"]

FIELD = "organisation_number"
"""The field name every :class:`~patientsky.errors.InvalidInput` from this module carries."""


def _stdnum() -> tuple[Any, Any]:
    # Imported on use: stdnum.util pulls in ssl, which is slow to import.
    from stdnum import exceptions
    from stdnum.no import orgnr

    return orgnr, exceptions


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(FIELD, message)


def compact(number: str) -> str:
    """
    Return the number without spaces and surrounding whitespace.

    Args:
        number: The number as typed, for example ``"988 077 917"``.

    Raises:
        InvalidInput: If ``number`` is not a string.
    """
    value: object = number  # typed callers pass a str; the wire and the REPL may not
    if not isinstance(value, str):
        raise _invalid(f"must be a string, not {type(value).__name__}")
    return str(_stdnum()[0].compact(value))


def validate(number: str) -> str:
    """
    Check the number and return it compacted.

    Args:
        number: The number, with or without spaces.

    Returns:
        The nine digits.

    Raises:
        InvalidInput: If the number is not valid (field ``organisation_number``).
    """
    number = compact(number)
    if not number:  # stdnum calls an empty string a format error
        raise _invalid("must have nine digits")
    _stdnum_orgnr, _stdnum_errors = _stdnum()
    try:
        return str(_stdnum_orgnr.validate(number))
    except _stdnum_errors.InvalidLength:  # a subclass of InvalidFormat: catch it first
        raise _invalid("must have nine digits") from None
    except _stdnum_errors.InvalidFormat:
        raise _invalid("must contain only digits") from None
    except _stdnum_errors.InvalidChecksum:
        raise _invalid("has an invalid check digit") from None
    except _stdnum_errors.ValidationError:
        raise _invalid("is not a valid organisation number") from None


def is_valid(number: str) -> bool:
    """
    Return whether the number is valid (see :func:`validate`); never raises.

    Args:
        number: The number, with or without spaces.
    """
    try:
        validate(number)
    except InvalidInput:
        return False
    return True


def calc_check_digit(number: str) -> str:
    """
    Return the check digit for the first eight digits.

    Args:
        number: Eight digits.

    Raises:
        InvalidInput: If the input is not eight digits, or if no check digit exists
            for them (it would be 10: such numbers are never issued).
    """
    number = compact(number)
    if len(number) != 8:
        raise _invalid("must have eight digits to compute a check digit")
    if not all(c in "0123456789" for c in number):
        raise _invalid("must contain only digits")
    # stdnum's checksum is the weighted sum modulo 11, the ninth digit weighing 1.
    digit = (11 - int(_stdnum()[0].checksum(number + "0"))) % 11
    if digit == 10:
        raise _invalid("has no check digit (it would be ten)")
    return str(digit)


def format(number: str) -> str:
    """
    Return the number in its usual presentation, ``NNN NNN NNN``; nothing is validated.

    Args:
        number: The number, with or without spaces.
    """
    number = compact(number)
    return str(_stdnum()[0].format(number))
