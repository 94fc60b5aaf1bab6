"""Tests for the KID payment reference module (B5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from patientsky.errors import InvalidInput
from patientsky.models import kid
from patientsky.models.kid import KidMethod
from tests.strategies_ids import kid_digits, reference_kid_check_digit

PAYLOADS = st.text("0123456789", min_size=1, max_size=24)


def message_of(number: object, method: KidMethod | None = None) -> str:
    """Return the message of the InvalidInput that validating ``number`` raises."""
    with pytest.raises(InvalidInput) as info:
        kid.validate(number, method=method)  # type: ignore[arg-type]
    assert info.value.field == "kid"
    return info.value.message


# Known values.


def test_the_luhn_example_is_a_mod10_kid() -> None:
    assert kid.validate("79927398713") == "79927398713"
    assert kid.methods("79927398713") == (KidMethod.MOD10,)
    assert kid.calc_check_digit("7992739871", KidMethod.MOD10) == "3"


def test_mod11_weighs_the_digits_two_to_seven_from_the_right() -> None:
    # 9*2 + 8*3 + 7*4 + 6*5 + 5*6 + 4*7 + 3*2 + 2*3 + 1*4 = 174; 174 % 11 = 9; 11 - 9 = 2.
    assert kid.calc_check_digit("123456789", KidMethod.MOD11) == "2"
    assert kid.methods("1234567892") == (KidMethod.MOD11,)


def test_mod11_remainder_zero_gives_zero() -> None:
    # 1*2 + 3*3 = 11.
    assert kid.calc_check_digit("31", KidMethod.MOD11) == "0"
    assert kid.validate("310", method=KidMethod.MOD11) == "310"


def test_mod11_remainder_one_gives_a_dash() -> None:
    # 5*2 + 0*3 + 0*4 + 0*5 + 0*6 + 0*7 + 1*2 = 12; 12 % 11 = 1.
    assert kid.calc_check_digit("1000005", KidMethod.MOD11) == "-"
    assert kid.validate("1000005-") == "1000005-"
    assert kid.methods("1000005-") == (KidMethod.MOD11,)
    assert not kid.is_valid("1000005-", method=KidMethod.MOD10)


def test_a_kid_can_be_valid_under_both_methods() -> None:
    # "0" is valid under both: an empty weighted sum and a Luhn sum of 0.
    assert kid.methods("00") == (KidMethod.MOD10, KidMethod.MOD11)
    assert kid.is_valid("00", method=KidMethod.MOD10)
    assert kid.is_valid("00", method=KidMethod.MOD11)


def test_a_kid_valid_under_one_method_is_refused_when_the_other_is_required() -> None:
    assert message_of("79927398713", KidMethod.MOD11) == "has an invalid check digit"
    assert message_of("1234567892", KidMethod.MOD10) == "has an invalid check digit"


def test_a_wrong_check_digit_is_refused() -> None:
    assert message_of("1234567890") == "has an invalid check digit"
    assert kid.methods("1234567890") == ()


# Shape.


def test_spaces_are_ignored_but_the_dash_is_kept() -> None:
    assert kid.compact(" 1234 5678 97 ") == "1234567897"
    assert kid.compact("1000005-") == "1000005-"
    assert kid.format("1234 5678 97") == "1234567897"


@pytest.mark.parametrize("number", ["", "7", "1" * 26])
def test_a_kid_has_two_to_twenty_five_characters(number: str) -> None:
    assert message_of(number) == "must have two to twenty-five characters"


def test_the_longest_and_shortest_kids_are_accepted() -> None:
    shortest = "1" + kid.calc_check_digit("1", KidMethod.MOD10)
    longest = "9" * 24 + kid.calc_check_digit("9" * 24, KidMethod.MOD10)
    assert kid.is_valid(shortest)
    assert kid.is_valid(longest)


@pytest.mark.parametrize("number", ["12-4567897", "-1", "1234x", "12345678\u0669"])
def test_a_kid_with_anything_but_digits_and_a_final_dash_is_refused(number: str) -> None:
    assert message_of(number).startswith("must contain only digits")


def test_a_value_that_is_not_a_string_is_invalid_input() -> None:
    assert "must be a string" in message_of(1234567897)


@pytest.mark.parametrize("payload", ["", "12x", "1" * 25])
def test_calc_check_digit_needs_one_to_twenty_four_digits(payload: str) -> None:
    with pytest.raises(InvalidInput):
        kid.calc_check_digit(payload, KidMethod.MOD10)


def test_calc_check_digit_refuses_an_unknown_method() -> None:
    with pytest.raises(InvalidInput, match="unknown check digit method"):
        kid.calc_check_digit("123", "mod12")  # type: ignore[arg-type]


# Properties.


@given(PAYLOADS, st.sampled_from(KidMethod))
def test_computed_check_digits_validate_under_their_method(payload: str, method: KidMethod) -> None:
    number = payload + kid.calc_check_digit(payload, method)
    assert kid.validate(number, method=method) == number
    assert method in kid.methods(number)


@given(PAYLOADS, st.sampled_from(KidMethod))
def test_check_digits_agree_with_an_independent_implementation(
    payload: str, method: KidMethod
) -> None:
    assert kid.calc_check_digit(payload, method) == reference_kid_check_digit(payload, method)


@given(PAYLOADS)
def test_mod10_is_the_luhn_algorithm(payload: str) -> None:
    number = payload + kid.calc_check_digit(payload, KidMethod.MOD10)
    assert luhn.is_valid(number)


@given(
    st.sampled_from(KidMethod).flatmap(lambda m: st.tuples(st.just(m), kid_digits(method=m))),
    st.data(),
)
def test_changing_any_single_character_is_detected_by_the_same_method(
    method_and_number: tuple[KidMethod, str], data: st.DataObject
) -> None:
    """
    Every single substitution (a digit, or the check digit to any other digit or dash) fails.

    For MOD10, Luhn catches every single-digit error. For MOD11, every weight (2 to 7
    on the payload, 1 on the check digit) is non-zero modulo 11, so the remainder
    always changes. The changed KID may still happen to be valid under the *other*
    method; the method the payee uses is what catches the error.
    """
    method, number = method_and_number
    position = data.draw(st.integers(0, len(number) - 1))
    alphabet = "0123456789" + ("-" if position == len(number) - 1 else "")
    new = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + new + number[position + 1 :]
    assert not kid.is_valid(changed, method=method)
