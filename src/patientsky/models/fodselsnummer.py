"""
Norwegian national identity numbers: fødselsnummer, D-number and H-number (P5).

The number has eleven digits, ``DDMMYYIIICC``: the birth date, a three-digit
individual number ``III`` (which also gives the century) and two check digits.

- A **D-number** has 40 added to the day (first digit 4 to 7).
- An **H-number** (help number, from the health services) has 40 added to the month.
- A **synthetic** test number, as the population register's test environment
  (Skatteetaten's Tenor) issues it, has 80 added to the month; it can also be a
  D-number (day + 40). Synthetic numbers are refused unless the caller passes
  ``allow_synthetic=True``, so that test data can never pass as real.
- **FH-numbers** (first digit 8 or 9) carry no birth date and are refused.

Century from the individual number (two-digit year ``YY``):

=============  ===========  ===========
``III``        ``YY``       born
=============  ===========  ===========
000-499        any          1900-1999
500-749        54-99        1854-1899
500-999        00-39        2000-2039
900-999        40-99        1940-1999
=============  ===========  ===========

Any other combination is invalid.

Check digits: the *classic* rule requires both weighted sums (the check digit
having weight 1) to be divisible by 11. For numbers issued from 2032 the
register relaxes the **first** check digit: the first weighted sum may leave a
remainder of 0, 1, 2 or 3; the second keeps the classic rule. Both rules are
accepted; a number valid under the classic rule is valid under the new one.

Birth dates in the future are *not* refused: the core has no clock, so a caller
that cares compares :func:`get_birth_date` with its own "today".

The date is the one the number *encodes*, read with the table above. It is
usually the birth date, but not always: when a date has no free numbers left,
the register may use the registration date instead; and for numbers issued from
2032 Skatteetaten no longer promises that the individual number gives the century
(the table is the allocation rule until then). The register's birth date is the
authority; do not refuse a person because the two differ.

Error messages never repeat the number; in fact they contain no digit at all.

>>> validate('151086 95088')
'15108695088'
>>> get_birth_date('15108695088')
datetime.date(1986, 10, 15)
>>> get_kind('15108695088')
<NationalIdKind.FODSELSNUMMER: 'fodselsnummer'>
>>> format('15108695088')
'151086 95088'
>>> validate('15108695077')
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: national_id: has invalid check digits
>>> validate('17912099997')
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: national_id: is a synthetic test number, not accepted here
>>> validate('17912099997', allow_synthetic=True)
'17912099997'
>>> get_kind('57912075186', allow_synthetic=True)
<NationalIdKind.D_NUMBER: 'd_number'>
>>> is_synthetic('57912075186')
True
>>> uses_2032_rule('30108299939')
True
>>> calc_check_digits('151086950')
'88'
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum

from patientsky.errors import InvalidInput

__all__ = [
    "FIELD",
    "NationalIdKind",
    "calc_check_digits",
    "calc_check_digits_2032",
    "compact",
    "format",
    "get_birth_date",
    "get_kind",
    "is_synthetic",
    "is_valid",
    "uses_2032_rule",
    "validate",
]

FIELD = "national_id"
"""The field name every :class:`~patientsky.errors.InvalidInput` from this module carries."""

_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DIGITS = frozenset("0123456789")
# The remainders the first weighted sum may leave under the rule for numbers from 2032.
_REMAINDERS_2032 = (0, 1, 2, 3)

_D_OFFSET = 40
_H_OFFSET = 40
_SYNTHETIC_OFFSET = 80


class NationalIdKind(enum.Enum):
    """
    Which kind of national identity number it is.

    Whether a number is a synthetic test number is a separate question
    (:func:`is_synthetic`): the register's test environment issues synthetic
    fødselsnummer and synthetic D-numbers, and a synthetic number has the kind of
    the number it imitates.
    """

    FODSELSNUMMER = "fodselsnummer"
    """An ordinary fødselsnummer."""
    D_NUMBER = "d_number"
    """A D-number (day + 40), for people not (yet) registered as residents."""
    H_NUMBER = "h_number"
    """An H-number (month + 40), a help number issued by the health services."""


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(FIELD, message)


def _is_digits(text: str) -> bool:
    # str.isdigit() is true for other scripts' digits and superscripts too.
    return bool(text) and all(c in _DIGITS for c in text)


def compact(number: str) -> str:
    """
    Return the number without spaces, dashes and surrounding whitespace.

    Args:
        number: The number as typed, for example ``"151086 95088"``.

    Returns:
        The number with the separators removed; nothing is validated.

    Raises:
        InvalidInput: If ``number`` is not a string.
    """
    value: object = number  # typed callers pass a str; the wire and the REPL may not
    if not isinstance(value, str):
        raise _invalid(f"must be a string, not {type(value).__name__}")
    return value.strip().replace(" ", "").replace("-", "")


def _weighted(weights: tuple[int, ...], digits: str) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=False))


def _first_remainder(number: str) -> int:
    """Return the remainder of the first weighted sum, the first check digit weighing 1."""
    return (_weighted(_WEIGHTS_1, number) + int(number[9])) % 11


def _second_remainder(number: str) -> int:
    """Return the remainder of the second weighted sum, the second check digit weighing 1."""
    return (_weighted(_WEIGHTS_2, number) + int(number[10])) % 11


def _nine_digits(number: str) -> str:
    number = compact(number)
    if len(number) not in (9, 11):
        raise _invalid("must have nine digits (or eleven, the check digits being ignored)")
    if not _is_digits(number):
        raise _invalid("must contain only digits")
    return number[:9]


def _second_check_digit(ten: str) -> str | None:
    k2 = (11 - _weighted(_WEIGHTS_2, ten)) % 11
    return None if k2 == 10 else str(k2)


def calc_check_digits(number: str) -> str:
    """
    Return the two check digits of the classic rule for the first nine digits.

    Args:
        number: Nine digits (or eleven, whose last two are ignored).

    Returns:
        The two check digits, for example ``"88"``.

    Raises:
        InvalidInput: If the input is not nine (or eleven) digits, or if the classic
            rule gives no check digits for them (a check digit would be 10).
    """
    nine = _nine_digits(number)
    k1 = (11 - _weighted(_WEIGHTS_1, nine)) % 11
    k2 = None if k1 == 10 else _second_check_digit(nine + str(k1))
    if k2 is None:
        raise _invalid("has no check digits under the classic rule")
    return f"{k1}{k2}"


def calc_check_digits_2032(number: str) -> tuple[str, ...]:
    """
    Return every pair of check digits the rule for numbers from 2032 allows.

    The first check digit may be any digit that leaves a remainder of 0, 1, 2 or 3;
    the second follows from it by the classic rule (a first check digit whose
    second would be 10 is left out). The classic pair, if there is one, is among
    them: it is the one with remainder 0.

    Args:
        number: Nine digits (or eleven, whose last two are ignored).

    Returns:
        The allowed pairs, sorted; for ``"151086950"``: ``("02", "88", "96")``.

    Raises:
        InvalidInput: If the input is not nine (or eleven) digits.
    """
    nine = _nine_digits(number)
    base = _weighted(_WEIGHTS_1, nine)
    pairs = []
    for k1 in range(10):
        if (base + k1) % 11 in _REMAINDERS_2032:
            k2 = _second_check_digit(nine + str(k1))
            if k2 is not None:
                pairs.append(f"{k1}{k2}")
    return tuple(pairs)


def _century(individual: int, yy: int) -> int:
    if individual <= 499:
        return 1900
    if individual <= 749 and yy >= 54:
        return 1800
    if yy <= 39:
        return 2000
    if individual >= 900:
        return 1900
    raise _invalid("has an individual number that gives no century for its year")


def _check(number: str, *, allow_synthetic: bool) -> tuple[NationalIdKind, bool, dt.date]:
    """Validate a compact number; return its kind, whether synthetic, and its birth date."""
    if len(number) != 11:
        raise _invalid("must have eleven digits")
    if not _is_digits(number):
        raise _invalid("must contain only digits")
    if _first_remainder(number) not in _REMAINDERS_2032 or _second_remainder(number) != 0:
        raise _invalid("has invalid check digits")
    if number[0] in "89":
        raise _invalid("is an FH-number, which has no birth date and is not supported")

    day, month, yy = int(number[0:2]), int(number[2:4]), int(number[4:6])
    d_number = day > _D_OFFSET
    synthetic = month > _SYNTHETIC_OFFSET
    h_number = _H_OFFSET < month <= _SYNTHETIC_OFFSET
    day -= _D_OFFSET if d_number else 0
    month -= _SYNTHETIC_OFFSET if synthetic else _H_OFFSET if h_number else 0
    if not 1 <= month <= 12:
        raise _invalid("has no valid birth month")
    if d_number and h_number:
        raise _invalid("cannot be both a D-number and an H-number")
    kind = (
        NationalIdKind.D_NUMBER
        if d_number
        else NationalIdKind.H_NUMBER
        if h_number
        else NationalIdKind.FODSELSNUMMER
    )
    year = _century(int(number[6:9]), yy) + yy
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _invalid("has no valid birth date")
    if synthetic and not allow_synthetic:
        raise _invalid("is a synthetic test number, not accepted here")
    return kind, synthetic, dt.date(year, month, day)


def validate(number: str, *, allow_synthetic: bool = False) -> str:
    """
    Check the number and return it compacted.

    Args:
        number: The number, with or without spaces and dashes.
        allow_synthetic: Accept synthetic test numbers (month + 80).

    Returns:
        The eleven digits.

    Raises:
        InvalidInput: If the number is not valid (field ``national_id``; the message
            never repeats the number).
    """
    number = compact(number)
    _check(number, allow_synthetic=allow_synthetic)
    return number


def is_valid(number: str, *, allow_synthetic: bool = False) -> bool:
    """
    Return whether the number is valid (see :func:`validate`); never raises.

    Args:
        number: The number, with or without spaces and dashes.
        allow_synthetic: Accept synthetic test numbers (month + 80).
    """
    # The checks of validate, on the digits' byte values and without raising on the way
    # to False: the same answer (a property test compares the two), a few times faster.
    given: object = number  # typed callers pass a str; the REPL may not
    if not isinstance(given, str):
        return False
    number = given.strip().replace(" ", "").replace("-", "")
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False  # an ASCII string is digits exactly when it is 0-9 only
    a, b, c, d, e, f, g, h, i, j, k = number.encode()
    # Each byte is its digit + 48: subtract 48 times the sum of the weights (46, 42).
    if (3 * a + 7 * b + 6 * c + d + 8 * e + 9 * f + 4 * g + 5 * h + 2 * i + j - 2208) % 11 > 3:
        return False
    second = 5 * a + 4 * b + 3 * c + 2 * d + 7 * e + 6 * f + 5 * g + 4 * h + 3 * i + 2 * j + k
    if (second - 2016) % 11:
        return False
    if a >= 56:  # an FH-number: first digit 8 or 9
        return False
    day, month, yy = a * 10 + b - 528, c * 10 + d - 528, e * 10 + f - 528
    d_number = day > _D_OFFSET
    if month > _SYNTHETIC_OFFSET:
        if not allow_synthetic:
            return False
        month -= _SYNTHETIC_OFFSET
    elif month > _H_OFFSET:
        if d_number:
            return False
        month -= _H_OFFSET
    if d_number:
        day -= _D_OFFSET
    if not 1 <= month <= 12:
        return False
    individual = g * 100 + h * 10 + i - 5328
    if individual <= 499:
        year = 1900 + yy
    elif individual <= 749 and yy >= 54:
        year = 1800 + yy
    elif yy <= 39:
        year = 2000 + yy
    elif individual >= 900:
        year = 1900 + yy
    else:
        return False
    if month == 2:
        last = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    else:
        last = _MONTH_DAYS[month]
    return 1 <= day <= last


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def get_birth_date(number: str, *, allow_synthetic: bool = False) -> dt.date:
    """
    Return the birth date the number encodes, the D-, H- and synthetic offsets removed.

    Args:
        number: The number, with or without spaces and dashes.
        allow_synthetic: Accept synthetic test numbers (month + 80).

    Raises:
        InvalidInput: If the number is not valid.
    """
    return _check(compact(number), allow_synthetic=allow_synthetic)[2]


def get_kind(number: str, *, allow_synthetic: bool = False) -> NationalIdKind:
    """
    Return whether the number is a fødselsnummer, a D-number or an H-number.

    A synthetic number has the kind it imitates; ask :func:`is_synthetic`, and
    :func:`uses_2032_rule` for the check-digit rule.

    Args:
        number: The number, with or without spaces and dashes.
        allow_synthetic: Accept synthetic test numbers (month + 80).

    Raises:
        InvalidInput: If the number is not valid.
    """
    return _check(compact(number), allow_synthetic=allow_synthetic)[0]


def is_synthetic(number: str) -> bool:
    """
    Return whether the number is a valid synthetic test number (month + 80).

    Args:
        number: The number, with or without spaces and dashes.

    Raises:
        InvalidInput: If the number is not valid even with synthetic numbers allowed.
    """
    return _check(compact(number), allow_synthetic=True)[1]


def uses_2032_rule(number: str, *, allow_synthetic: bool = False) -> bool:
    """
    Return whether the number is valid only under the check-digit rule for numbers from 2032.

    Args:
        number: The number, with or without spaces and dashes.
        allow_synthetic: Accept synthetic test numbers (month + 80).

    Returns:
        True if the first check digit leaves a remainder of 1, 2 or 3 (valid from
        2032 only); False if the number is valid under the classic rule too.

    Raises:
        InvalidInput: If the number is not valid.
    """
    number = compact(number)
    _check(number, allow_synthetic=allow_synthetic)
    return _first_remainder(number) != 0


def format(number: str) -> str:
    """
    Return the number in its usual presentation, ``DDMMYY IIICC``.

    This shows every digit: never use it in logs or messages. Nothing is validated.

    Args:
        number: The number, with or without spaces and dashes.
    """
    number = compact(number)
    return f"{number[:6]} {number[6:]}"
