"""Tests for the organisation number module."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum.no import orgnr as stdnum_orgnr

from patientsky.errors import InvalidInput
from patientsky.models import orgnr
from tests.strategies_ids import organisation_number_digits


def message_of(number: object) -> str:
    """Return the message of the InvalidInput that validating ``number`` raises."""
    with pytest.raises(InvalidInput) as info:
        orgnr.validate(number)  # type: ignore[arg-type]
    assert info.value.field == "organisation_number"
    return info.value.message


def test_stdnums_example_number_validates_and_formats() -> None:
    assert orgnr.validate("988 077 917") == "988077917"
    assert orgnr.is_valid("988077917")
    assert orgnr.format("988077917") == "988 077 917"
    assert orgnr.compact(" 988 077 917 ") == "988077917"


def test_a_wrong_check_digit_is_refused() -> None:
    assert message_of("988077918") == "has an invalid check digit"
    assert not orgnr.is_valid("988077918")


@pytest.mark.parametrize("number", ["98807791", "9880779170", ""])
def test_a_number_without_nine_digits_is_refused(number: str) -> None:
    assert message_of(number) == "must have nine digits"


@pytest.mark.parametrize("number", ["98807791x", "988-077-917", "988.077.917"])
def test_a_number_with_anything_but_digits_and_spaces_is_refused(number: str) -> None:
    assert message_of(number) == "must contain only digits"


def test_a_value_that_is_not_a_string_is_invalid_input() -> None:
    assert "must be a string" in message_of(988077917)


def test_stdnums_exception_is_not_chained_onto_ours() -> None:
    with pytest.raises(InvalidInput) as info:
        orgnr.validate("988077918")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_calc_check_digit_gives_the_ninth_digit() -> None:
    assert orgnr.calc_check_digit("98807791") == "7"


def test_calc_check_digit_refuses_digits_whose_check_digit_would_be_ten() -> None:
    eight = next(
        f"9{i:07d}"
        for i in range(100)
        if all(not orgnr.is_valid(f"9{i:07d}{d}") for d in range(10))
    )
    with pytest.raises(InvalidInput, match="would be ten"):
        orgnr.calc_check_digit(eight)


@pytest.mark.parametrize("number", ["9880779", "988077917", "9880779x"])
def test_calc_check_digit_needs_eight_digits(number: str) -> None:
    with pytest.raises(InvalidInput):
        orgnr.calc_check_digit(number)


@given(organisation_number_digits())
def test_every_generated_number_validates(number: str) -> None:
    assert orgnr.validate(number) == number
    assert orgnr.calc_check_digit(number[:8]) == number[8]


@given(st.text("0123456789", min_size=9, max_size=9))
@example("988077917")
def test_validity_agrees_with_stdnum(number: str) -> None:
    assert orgnr.is_valid(number) is stdnum_orgnr.is_valid(number)


@given(organisation_number_digits(), st.integers(0, 8), st.integers(1, 9))
def test_changing_any_single_digit_is_detected(number: str, position: int, by: int) -> None:
    """The weights (3, 2, 7, 6, 5, 4, 3, 2, 1) are all non-zero modulo 11."""
    changed = number[:position] + str((int(number[position]) + by) % 10) + number[position + 1 :]
    assert not orgnr.is_valid(changed)
