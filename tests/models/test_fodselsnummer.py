"""Tests for the national identity number module (P5)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer as stdnum_fnr

from patientsky.errors import InvalidInput
from patientsky.models import fodselsnummer
from patientsky.models.fodselsnummer import NationalIdKind
from tests.strategies_ids import (
    IdCase,
    classic_check_digits,
    national_id_cases,
    non_classic_check_digits,
)

# The published test numbers: Skatteetaten's synthetic numbers, one number valid
# only under the rule for numbers from 2032, and python-stdnum's doctest number.
SYNTHETIC_VECTORS = [
    # digits, kind, birth date
    ("17912099997", NationalIdKind.FODSELSNUMMER, dt.date(2020, 11, 17)),
    ("57912075186", NationalIdKind.D_NUMBER, dt.date(2020, 11, 17)),
    ("29822099635", NationalIdKind.FODSELSNUMMER, dt.date(2020, 2, 29)),
    ("12905299938", NationalIdKind.FODSELSNUMMER, dt.date(1952, 10, 12)),
    ("21929774873", NationalIdKind.FODSELSNUMMER, dt.date(1897, 12, 21)),
]
RULE_2032_VECTOR = "30108299939"
STDNUM_VECTOR = "15108695088"


def with_checks(nine: str) -> str:
    """Complete nine digits with check digits: the classic pair, or else one from 2032."""
    checks = classic_check_digits(nine) or non_classic_check_digits(nine)[0]
    return nine + checks


def message_of(number: object, *, allow_synthetic: bool = False) -> str:
    """Return the message of the InvalidInput that validating ``number`` raises."""
    with pytest.raises(InvalidInput) as info:
        fodselsnummer.validate(number, allow_synthetic=allow_synthetic)  # type: ignore[arg-type]
    assert info.value.field == "national_id"
    return info.value.message


# The published vectors.


@pytest.mark.parametrize(("digits", "kind", "born"), SYNTHETIC_VECTORS)
def test_synthetic_numbers_are_refused_unless_the_caller_opts_in(
    digits: str, kind: NationalIdKind, born: dt.date
) -> None:
    assert not fodselsnummer.is_valid(digits)
    assert "synthetic test number" in message_of(digits)
    assert fodselsnummer.validate(digits, allow_synthetic=True) == digits


@pytest.mark.parametrize(("digits", "kind", "born"), SYNTHETIC_VECTORS)
def test_synthetic_vectors_decode_to_their_kind_and_birth_date(
    digits: str, kind: NationalIdKind, born: dt.date
) -> None:
    assert fodselsnummer.is_synthetic(digits)
    assert fodselsnummer.get_kind(digits, allow_synthetic=True) is kind
    assert fodselsnummer.get_birth_date(digits, allow_synthetic=True) == born
    assert not fodselsnummer.uses_2032_rule(digits, allow_synthetic=True)


@pytest.mark.parametrize(("digits", "kind", "born"), SYNTHETIC_VECTORS)
def test_asking_about_a_synthetic_number_without_opting_in_raises(
    digits: str, kind: NationalIdKind, born: dt.date
) -> None:
    for ask in (fodselsnummer.get_kind, fodselsnummer.get_birth_date, fodselsnummer.uses_2032_rule):
        with pytest.raises(InvalidInput, match="synthetic"):
            ask(digits)


def test_a_synthetic_d_number_is_a_d_number_with_eighty_added_to_the_month() -> None:
    digits = "57912075186"
    assert fodselsnummer.get_kind(digits, allow_synthetic=True) is NationalIdKind.D_NUMBER
    assert fodselsnummer.is_synthetic(digits)


def test_the_2032_vector_is_valid_only_under_the_new_rule() -> None:
    assert fodselsnummer.validate(RULE_2032_VECTOR) == RULE_2032_VECTOR
    assert fodselsnummer.uses_2032_rule(RULE_2032_VECTOR)
    assert fodselsnummer.get_kind(RULE_2032_VECTOR) is NationalIdKind.FODSELSNUMMER
    assert fodselsnummer.get_birth_date(RULE_2032_VECTOR) == dt.date(1982, 10, 30)
    assert not fodselsnummer.is_synthetic(RULE_2032_VECTOR)
    # The classic rule (python-stdnum's) refuses it: its first check digit would be 2.
    assert not stdnum_fnr.is_valid(RULE_2032_VECTOR)
    assert fodselsnummer.calc_check_digits(RULE_2032_VECTOR[:9]) == "20"
    assert "39" in fodselsnummer.calc_check_digits_2032(RULE_2032_VECTOR[:9])


def test_stdnums_doctest_number_is_an_ordinary_classic_fodselsnummer() -> None:
    assert fodselsnummer.validate("151086 95088") == STDNUM_VECTOR
    assert fodselsnummer.get_kind(STDNUM_VECTOR) is NationalIdKind.FODSELSNUMMER
    assert fodselsnummer.get_birth_date(STDNUM_VECTOR) == dt.date(1986, 10, 15)
    assert not fodselsnummer.is_synthetic(STDNUM_VECTOR)
    assert not fodselsnummer.uses_2032_rule(STDNUM_VECTOR)


# Compact and format.


@pytest.mark.parametrize(
    "typed", ["151086 95088", "151086-95088", " 15108695088\n", "15 10 86 950 88"]
)
def test_spaces_dashes_and_surrounding_whitespace_are_ignored(typed: str) -> None:
    assert fodselsnummer.compact(typed) == STDNUM_VECTOR
    assert fodselsnummer.validate(typed) == STDNUM_VECTOR


def test_format_groups_the_birth_date_and_the_personal_number() -> None:
    assert fodselsnummer.format("15108695088") == "151086 95088"
    assert fodselsnummer.format("151086-95088") == "151086 95088"


def test_a_value_that_is_not_a_string_is_invalid_input() -> None:
    assert "must be a string" in message_of(15108695088)
    assert not fodselsnummer.is_valid(None)  # type: ignore[arg-type]


# What is refused, and why.


@pytest.mark.parametrize("number", ["", "1510869508", "151086950880", "1"])
def test_a_number_without_eleven_digits_is_refused(number: str) -> None:
    assert message_of(number) == "must have eleven digits"


@pytest.mark.parametrize(
    "number", ["1510869508x", "15108695O88", "151086\u0669\u0665088", "15108695\u00b988"]
)
def test_a_number_with_anything_but_ascii_digits_is_refused(number: str) -> None:
    assert message_of(number) == "must contain only digits"


def test_wrong_check_digits_are_refused() -> None:
    assert message_of("15108695077") == "has invalid check digits"


def test_fh_numbers_are_refused_as_out_of_scope() -> None:
    for first in "89":
        number = with_checks(first + "12345678")
        assert "FH-number" in message_of(number)


def test_an_impossible_birth_date_is_refused() -> None:
    assert message_of(with_checks("300285123")) == "has no valid birth date"  # 30 February
    assert message_of(with_checks("320185123")) == "has no valid birth date"  # day 32
    assert message_of(with_checks("000185123")) == "has no valid birth date"  # day 0
    assert message_of(with_checks("710485123")) == "has no valid birth date"  # D-number 31 April


def test_a_month_that_is_neither_real_nor_offset_is_refused() -> None:
    for month in ("00", "13", "40", "53", "80", "93"):
        number = with_checks(f"15{month}85123")
        assert message_of(number, allow_synthetic=True) == "has no valid birth month"


def test_february_29_follows_the_century_the_individual_number_gives() -> None:
    # Year 00 with individual number below 500 is 1900 (no leap day) ...
    assert message_of(with_checks("290200123")) == "has no valid birth date"
    # ... and with individual number 500 to 999 it is 2000 (a leap year).
    assert fodselsnummer.get_birth_date(with_checks("290200567")) == dt.date(2000, 2, 29)


@pytest.mark.parametrize(
    ("yy", "individual", "year"),
    [
        ("99", "000", 1999),
        ("00", "499", 1900),
        ("54", "500", 1854),
        ("99", "749", 1899),
        ("00", "500", 2000),
        ("39", "999", 2039),
        ("40", "900", 1940),
        ("99", "999", 1999),
    ],
)
def test_the_individual_number_gives_the_century(yy: str, individual: str, year: int) -> None:
    number = with_checks(f"0101{yy}{individual}")
    assert fodselsnummer.get_birth_date(number).year == year


@pytest.mark.parametrize(
    ("yy", "individual"),
    [("40", "500"), ("53", "749"), ("40", "750"), ("99", "899"), ("53", "500"), ("45", "899")],
)
def test_an_individual_number_that_gives_no_century_is_refused(yy: str, individual: str) -> None:
    message = message_of(with_checks(f"0101{yy}{individual}"))
    assert message == "has an individual number that gives no century for its year"


def test_a_number_cannot_be_both_a_d_number_and_an_h_number() -> None:
    number = with_checks("414185123")
    assert message_of(number) == "cannot be both a D-number and an H-number"
    # python-stdnum accepts the combination; the register issues no such number.
    assert stdnum_fnr.is_valid(number)


def test_h_numbers_have_forty_added_to_the_month() -> None:
    number = with_checks("015285123")
    assert fodselsnummer.get_kind(number) is NationalIdKind.H_NUMBER
    assert fodselsnummer.get_birth_date(number) == dt.date(1985, 12, 1)
    assert not fodselsnummer.is_synthetic(number)


def test_d_numbers_have_forty_added_to_the_day() -> None:
    number = with_checks("710185123")
    assert fodselsnummer.get_kind(number) is NationalIdKind.D_NUMBER
    assert fodselsnummer.get_birth_date(number) == dt.date(1985, 1, 31)


def test_a_birth_date_in_the_future_is_not_refused_because_the_core_has_no_clock() -> None:
    number = with_checks("311239999")
    assert fodselsnummer.get_birth_date(number) == dt.date(2039, 12, 31)


# Check digits.


def test_calc_check_digits_gives_the_classic_pair() -> None:
    assert fodselsnummer.calc_check_digits("151086950") == "88"
    assert fodselsnummer.calc_check_digits("15108695088") == "88"
    assert fodselsnummer.calc_check_digits("151086 950") == "88"


def test_calc_check_digits_refuses_digits_that_have_no_classic_pair() -> None:
    nine = next(
        f"0101851{i:02d}" for i in range(100) if classic_check_digits(f"0101851{i:02d}") is None
    )
    with pytest.raises(InvalidInput, match="no check digits under the classic rule"):
        fodselsnummer.calc_check_digits(nine)


@pytest.mark.parametrize("number", ["12345678", "1234567890", "12345678x"])
def test_calc_check_digits_needs_nine_digits(number: str) -> None:
    with pytest.raises(InvalidInput):
        fodselsnummer.calc_check_digits(number)
    with pytest.raises(InvalidInput):
        fodselsnummer.calc_check_digits_2032(number)


def classic_first_check_digit(nine: str) -> int:
    """Return the classic first check digit, 10 included (which makes the number invalid)."""
    weights = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    return (11 - sum(w * int(d) for w, d in zip(weights, nine, strict=True))) % 11


def test_numbers_whose_classic_first_check_digit_would_be_ten_can_be_valid_from_2032() -> None:
    candidates = (f"010185{i:03d}" for i in range(500))
    nine = next(n for n in candidates if classic_first_check_digit(n) == 10)
    with pytest.raises(InvalidInput):
        fodselsnummer.calc_check_digits(nine)
    pairs = fodselsnummer.calc_check_digits_2032(nine)
    assert pairs
    for pair in pairs:
        assert fodselsnummer.uses_2032_rule(nine + pair)


@given(st.text("0123456789", min_size=9, max_size=9))
def test_the_2032_pairs_are_the_classic_pair_and_the_new_ones(nine: str) -> None:
    classic = classic_check_digits(nine)
    expected = sorted([*non_classic_check_digits(nine), *([classic] if classic else [])])
    assert list(fodselsnummer.calc_check_digits_2032(nine)) == expected
    if classic is not None:
        assert fodselsnummer.calc_check_digits(nine) == classic


# Properties.


@given(national_id_cases())
def test_every_generated_number_validates_and_decodes_to_what_it_was_built_from(
    case: IdCase,
) -> None:
    digits = case.digits
    assert fodselsnummer.validate(digits, allow_synthetic=True) == digits
    assert fodselsnummer.is_valid(digits) is not case.synthetic
    assert fodselsnummer.get_birth_date(digits, allow_synthetic=True) == case.birth_date
    assert fodselsnummer.get_kind(digits, allow_synthetic=True) is case.kind
    assert fodselsnummer.is_synthetic(digits) is case.synthetic
    assert fodselsnummer.uses_2032_rule(digits, allow_synthetic=True) is case.uses_2032_rule


# python-stdnum knows neither synthetic numbers nor the 2032 rule, and it refuses
# birth dates after today; these birth dates end well before the test is run.
_STDNUM_DOMAIN = national_id_cases(synthetic=False, rule_2032=False, max_date=dt.date(2019, 12, 31))


@given(_STDNUM_DOMAIN)
def test_real_classic_numbers_born_before_2020_are_valid_for_stdnum_too(case: IdCase) -> None:
    """
    Agree with python-stdnum on the domain both understand.

    That is real (not synthetic) numbers under the classic check-digit rule, born
    before 2020 so that stdnum's check against today's date never triggers.
    """
    assert fodselsnummer.is_valid(case.digits)
    assert stdnum_fnr.is_valid(case.digits)
    assert stdnum_fnr.get_birth_date(case.digits) == case.birth_date


def single_digit_changes(digits: str) -> st.SearchStrategy[str]:
    """Build ``digits`` with exactly one digit replaced by another."""

    def change(position: int, by: int) -> str:
        new = str((int(digits[position]) + by) % 10)
        return digits[:position] + new + digits[position + 1 :]

    return st.builds(change, st.integers(0, len(digits) - 1), st.integers(1, 9))


_NEAR_VALID = _STDNUM_DOMAIN.flatmap(lambda c: st.just(c.digits) | single_digit_changes(c.digits))


@given(st.text("0123456789", min_size=11, max_size=11) | _NEAR_VALID)
@example("41418512345")
@example(RULE_2032_VECTOR)
def test_disagreements_with_stdnum_are_only_the_documented_ones(number: str) -> None:
    """
    Agree with python-stdnum on any eleven digits, except where the rules differ on purpose.

    We accept what stdnum refuses only for numbers valid under the 2032 rule, or
    with a birth date after today (stdnum looks at the clock, we do not). We refuse
    what stdnum accepts only for a D-number that is also an H-number, which no
    register issues. Synthetic numbers are refused by both (stdnum reads month + 80
    as an impossible H-number month).
    """
    ours, theirs = fodselsnummer.is_valid(number), stdnum_fnr.is_valid(number)
    if ours and not theirs:
        assert fodselsnummer.uses_2032_rule(number) or (
            fodselsnummer.get_birth_date(number) > dt.date.today()
        )
    elif theirs and not ours:
        assert int(number[:2]) > 40
        assert 41 <= int(number[2:4]) <= 52


@given(national_id_cases(), st.data())
def test_changing_any_single_digit_makes_a_valid_number_invalid(
    case: IdCase, data: st.DataObject
) -> None:
    """
    Any single-digit substitution breaks the second check digit, under either rule.

    The 2032 rule relaxes only the first check digit; the second still needs a
    weighted sum divisible by 11, and its weights (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    are all non-zero modulo 11, so changing one digit by 1 to 9 always changes the
    remainder. The first check digit alone would not catch it: a change can leave
    its remainder at 1, 2 or 3.
    """
    changed = data.draw(single_digit_changes(case.digits))
    assert message_of(changed, allow_synthetic=True) == "has invalid check digits"


@given(national_id_cases(rule_2032=False), st.data())
def test_a_classic_number_with_another_allowed_first_check_digit_needs_a_new_second_one(
    case: IdCase, data: st.DataObject
) -> None:
    """
    Under the 2032 rule the first check digit may vary, but then the second must change too.

    So a 2032-rule number differs from the classic one in two digits, never one.
    """
    nine = case.digits[:9]
    pairs = [p for p in fodselsnummer.calc_check_digits_2032(nine) if p != case.digits[9:]]
    assume(pairs)
    pair = data.draw(st.sampled_from(pairs))
    assert pair[0] != case.digits[9]
    assert pair[1] != case.digits[10]
    assert fodselsnummer.uses_2032_rule(nine + pair, allow_synthetic=True)


@given(st.text() | st.text("0123456789 -", min_size=1, max_size=15))
@example("15108695077")
@example("17912099997")
@example("41418512345")
def test_error_messages_never_contain_a_digit(text: str) -> None:
    """A message that has no digit at all cannot repeat any part of the number."""
    assume(not fodselsnummer.is_valid(text))
    with pytest.raises(InvalidInput) as info:
        fodselsnummer.validate(text)
    assert not any(c.isdigit() for c in str(info.value))
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def _is_valid_by_validate(number: object, *, allow_synthetic: bool) -> bool:
    """The reference: is_valid as it was, validate and catch."""
    try:
        fodselsnummer.validate(number, allow_synthetic=allow_synthetic)  # type: ignore[arg-type]
    except InvalidInput:
        return False
    return True


def _one_digit_changed(digits: str, where: int, to: str) -> str:
    return digits[:where] + to + digits[where + 1 :]


@given(
    case=national_id_cases(),
    where=st.integers(0, 10),
    to=st.sampled_from("0123456789"),
    change=st.booleans(),
    allow_synthetic=st.booleans(),
)
def test_is_valid_answers_as_validate_does_on_numbers_and_near_misses(
    case: IdCase, where: int, to: str, change: bool, allow_synthetic: bool
) -> None:
    digits = _one_digit_changed(case.digits, where, to) if change else case.digits
    expected = _is_valid_by_validate(digits, allow_synthetic=allow_synthetic)
    assert fodselsnummer.is_valid(digits, allow_synthetic=allow_synthetic) is expected


@given(
    text=st.text(alphabet="0123456789 -\u0663\u00b2x", max_size=14)
    | st.from_regex(r"[0-9]{11}", fullmatch=True)
    | st.from_regex(r"[0-7][0-9][0-9]{2}[0-9]{7}", fullmatch=True),
    allow_synthetic=st.booleans(),
)
def test_is_valid_answers_as_validate_does_on_any_text(text: str, allow_synthetic: bool) -> None:
    expected = _is_valid_by_validate(text, allow_synthetic=allow_synthetic)
    assert fodselsnummer.is_valid(text, allow_synthetic=allow_synthetic) is expected
