"""
Hypothesis strategies for identifiers: national identity numbers, organisation numbers, KIDs.

The check digits here are computed by small independent implementations, not by
the modules under test, so the tests compare two implementations of each rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from patientsky.models.identity import (
    KidMethod,
    KidNumber,
    NationalId,
    NationalIdKind,
    OrganisationNumber,
)

__all__ = [
    "FIRST_BIRTH_DATE",
    "LAST_BIRTH_DATE",
    "IdCase",
    "classic_check_digits",
    "kid_digits",
    "kid_numbers",
    "national_id_cases",
    "national_id_digits",
    "national_ids",
    "non_classic_check_digits",
    "organisation_number_digits",
    "organisation_numbers",
    "reference_kid_check_digit",
]

FIRST_BIRTH_DATE = dt.date(1854, 1, 1)
LAST_BIRTH_DATE = dt.date(2039, 12, 31)

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def _weighted(weights: Sequence[int], digits: str) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=True))


def _k2(ten: str) -> int | None:
    k2 = (11 - _weighted(_W2, ten)) % 11
    return None if k2 == 10 else k2


def classic_check_digits(nine: str) -> str | None:
    """Return the classic check digits of nine digits, or None if a check digit would be 10."""
    k1 = (11 - _weighted(_W1, nine)) % 11
    if k1 == 10:
        return None
    k2 = _k2(nine + str(k1))
    return None if k2 is None else f"{k1}{k2}"


def non_classic_check_digits(nine: str) -> list[str]:
    """Return the check digit pairs valid under the 2032 rule only (remainder 1, 2 or 3)."""
    pairs = []
    for k1 in range(10):
        if (_weighted(_W1, nine) + k1) % 11 in (1, 2, 3):
            k2 = _k2(nine + str(k1))
            if k2 is not None:
                pairs.append(f"{k1}{k2}")
    return pairs


@attrs.frozen
class IdCase:
    """A generated national identity number and what it should decode to."""

    digits: str
    birth_date: dt.date
    kind: NationalIdKind
    synthetic: bool
    uses_2032_rule: bool


def _individual_numbers(year: int) -> st.SearchStrategy[int]:
    if year <= 1899:
        return st.integers(500, 749)
    if year <= 1939:
        return st.integers(0, 499)
    if year <= 1999:
        return st.integers(0, 499) | st.integers(900, 999)
    return st.integers(500, 999)


@st.composite
def national_id_cases(
    draw: st.DrawFn,
    *,
    kinds: Sequence[NationalIdKind] = tuple(NationalIdKind),
    synthetic: bool | None = None,
    rule_2032: bool | None = None,
    min_date: dt.date = FIRST_BIRTH_DATE,
    max_date: dt.date = LAST_BIRTH_DATE,
) -> IdCase:
    """
    Build a valid national identity number from a birth date, a kind and an individual number.

    Args:
        draw: Hypothesis' draw.
        kinds: The kinds to choose from.
        synthetic: True for synthetic numbers only (never H-numbers: the register
            issues no synthetic H-numbers, month + 120 does not fit), False for real
            ones only, None for either.
        rule_2032: True for numbers valid only under the 2032 rule, False for classic
            ones, None for either.
        min_date: The earliest birth date.
        max_date: The latest birth date.
    """
    is_synthetic = draw(st.booleans()) if synthetic is None else synthetic
    choices = [k for k in kinds if not (is_synthetic and k is NationalIdKind.H_NUMBER)]
    assume(choices)
    kind = draw(st.sampled_from(choices))
    born = draw(st.dates(max(min_date, FIRST_BIRTH_DATE), min(max_date, LAST_BIRTH_DATE)))
    individual = draw(_individual_numbers(born.year))
    day = born.day + (40 if kind is NationalIdKind.D_NUMBER else 0)
    month = born.month + (40 if kind is NationalIdKind.H_NUMBER else 0) + (80 * is_synthetic)
    nine = f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}"
    new_rule = draw(st.booleans()) if rule_2032 is None else rule_2032
    if new_rule:
        options = non_classic_check_digits(nine)
        assume(options)
        checks = draw(st.sampled_from(options))
    else:
        classic = classic_check_digits(nine)
        assume(classic is not None)
        assert classic is not None
        checks = classic
    return IdCase(nine + checks, born, kind, is_synthetic, new_rule)


def national_id_digits(
    *,
    kinds: Sequence[NationalIdKind] = tuple(NationalIdKind),
    synthetic: bool | None = None,
    rule_2032: bool | None = None,
) -> st.SearchStrategy[str]:
    """Build the eleven digits of a valid national identity number (see national_id_cases)."""
    return national_id_cases(kinds=kinds, synthetic=synthetic, rule_2032=rule_2032).map(
        lambda case: case.digits
    )


def national_ids(
    *,
    kinds: Sequence[NationalIdKind] = tuple(NationalIdKind),
    synthetic: bool | None = False,
    rule_2032: bool | None = None,
) -> st.SearchStrategy[NationalId]:
    """Build NationalId values; real (not synthetic) numbers unless asked otherwise."""
    return national_id_digits(kinds=kinds, synthetic=synthetic, rule_2032=rule_2032).map(NationalId)


@st.composite
def organisation_number_digits(draw: st.DrawFn) -> str:
    """Build the nine digits of a valid organisation number (starting with 8 or 9, as issued)."""
    eight = draw(st.sampled_from("89")) + draw(st.text("0123456789", min_size=7, max_size=7))
    check = (11 - _weighted(_ORGNR_WEIGHTS, eight)) % 11
    assume(check != 10)
    return eight + str(check)


def organisation_numbers() -> st.SearchStrategy[OrganisationNumber]:
    """Build OrganisationNumber values."""
    return organisation_number_digits().map(OrganisationNumber)


def reference_kid_check_digit(payload: str, method: KidMethod) -> str:
    """Compute a KID check digit, independently of the module under test."""
    if method is KidMethod.MOD10:
        total = 0
        for i, d in enumerate(reversed(payload)):
            n = int(d) * (2 if i % 2 == 0 else 1)
            total += n - 9 if n > 9 else n
        return str((10 - total % 10) % 10)
    weights = itertools.cycle((2, 3, 4, 5, 6, 7))
    remainder = sum(w * int(d) for w, d in zip(weights, reversed(payload), strict=False)) % 11
    return {0: "0", 1: "-"}.get(remainder, str(11 - remainder))


@st.composite
def kid_digits(draw: st.DrawFn, *, method: KidMethod | None = None) -> str:
    """Build a valid KID (2 to 25 characters) for ``method``, or for either method."""
    chosen = draw(st.sampled_from(KidMethod)) if method is None else method
    payload = draw(st.text("0123456789", min_size=1, max_size=24))
    return payload + reference_kid_check_digit(payload, chosen)


def kid_numbers(*, method: KidMethod | None = None) -> st.SearchStrategy[KidNumber]:
    """Build KidNumber values."""
    return kid_digits(method=method).map(KidNumber)
