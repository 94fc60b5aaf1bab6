"""Tests for the identity value objects (L1, P5, B5)."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import pickle

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models.fodselsnummer import is_valid
from patientsky.models.identity import (
    AssuranceLevel,
    KidMethod,
    KidNumber,
    LoginMethod,
    NationalId,
    NationalIdKind,
    OrganisationNumber,
)
from tests.strategies_ids import (
    IdCase,
    kid_digits,
    national_id_cases,
    national_ids,
    organisation_number_digits,
)

ORDINARY = "15108695088"
SYNTHETIC = "17912099997"
SYNTHETIC_D = "57912075186"
RULE_2032 = "30108299939"


# NationalId: making one.


def test_parse_compacts_and_validates() -> None:
    nid = NationalId.parse("151086 95088")
    assert nid.reveal() == ORDINARY
    assert nid == NationalId(ORDINARY)
    assert NationalId.parse("151086-95088") == nid


def test_parse_refuses_synthetic_numbers_unless_the_caller_opts_in() -> None:
    with pytest.raises(InvalidInput, match="synthetic test number") as info:
        NationalId.parse(SYNTHETIC)
    assert info.value.field == "national_id"
    assert NationalId.parse(SYNTHETIC, allow_synthetic=True).is_synthetic


def test_the_constructor_accepts_a_synthetic_number_but_marks_it() -> None:
    nid = NationalId(SYNTHETIC_D)
    assert nid.is_synthetic
    assert nid.kind is NationalIdKind.D_NUMBER
    assert nid.birth_date == dt.date(2020, 11, 17)
    assert repr(nid) == "NationalId(masked='579120*****', synthetic=True)"


def test_a_real_number_is_not_synthetic() -> None:
    assert not NationalId(ORDINARY).is_synthetic


@pytest.mark.parametrize("value", ["15108695077", "1510869508", "1510869508x", ""])
def test_the_constructor_refuses_invalid_numbers(value: str) -> None:
    with pytest.raises(InvalidInput) as info:
        NationalId(value)
    assert info.value.field == "national_id"


@pytest.mark.parametrize("value", ["151086 95088", " 15108695088", "151086-95088"])
def test_the_constructor_wants_the_bare_digits_and_points_to_parse(value: str) -> None:
    with pytest.raises(InvalidInput, match="use parse"):
        NationalId(value)


def test_the_constructor_refuses_a_value_that_is_not_a_string() -> None:
    with pytest.raises(InvalidInput, match="must be a string, not int"):
        NationalId(15108695088)  # type: ignore[arg-type]


def test_the_digits_keyword_works_for_the_constructor_and_evolve() -> None:
    nid = NationalId(digits=ORDINARY)
    assert attrs.evolve(nid, digits=RULE_2032).reveal() == RULE_2032
    with pytest.raises(InvalidInput):
        attrs.evolve(nid, digits="15108695077")


# NationalId: what it knows.


def test_the_properties_of_an_ordinary_number() -> None:
    nid = NationalId(ORDINARY)
    assert nid.kind is NationalIdKind.FODSELSNUMMER
    assert nid.birth_date == dt.date(1986, 10, 15)
    assert not nid.uses_2032_rule
    assert nid.masked == "151086*****"


def test_a_number_valid_only_from_2032_says_so() -> None:
    assert NationalId(RULE_2032).uses_2032_rule


@given(national_id_cases())
def test_a_national_id_decodes_to_what_it_was_built_from(case: IdCase) -> None:
    nid = NationalId(case.digits)
    assert nid.reveal() == case.digits
    assert nid.kind is case.kind
    assert nid.birth_date == case.birth_date
    assert nid.is_synthetic is case.synthetic
    assert nid.uses_2032_rule is case.uses_2032_rule
    assert nid.masked == case.digits[:6] + "*****"


# NationalId: never shows the digits.


def test_repr_str_and_format_show_only_the_masked_form() -> None:
    nid = NationalId(ORDINARY)
    assert repr(nid) == "NationalId(masked='151086*****')"
    assert str(nid) == "151086*****"
    assert f"{nid}" == "151086*****"
    assert f"{nid:>12}" == " 151086*****"
    assert "%s" % nid == "151086*****"  # noqa: UP031 (the old style must mask too)


@given(national_id_cases())
def test_repr_str_and_format_never_contain_the_digits(case: IdCase) -> None:
    nid = NationalId(case.digits)
    for shown in (repr(nid), str(nid), f"{nid}", format(nid, ""), repr([nid]), repr({"id": nid})):
        assert case.digits not in shown
        # Only the six digits of the masked form show; the five personal digits never do.
        assert sum(c.isdigit() for c in shown) == 6


def test_logging_a_national_id_shows_the_masked_form(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("patient %s, %r", NationalId(ORDINARY), NationalId(ORDINARY))
    assert ORDINARY not in caplog.text
    assert "151086*****" in caplog.text


def test_the_attrs_field_is_kept_out_of_generated_reprs() -> None:
    field = attrs.fields(NationalId)._digits
    assert field.repr is False
    assert field.alias == "digits"


@given(st.text("0123456789 -", min_size=1, max_size=15) | st.text())
def test_errors_from_parse_never_repeat_the_input(text: str) -> None:
    assume(not is_valid(text))
    with pytest.raises(InvalidInput) as info:
        NationalId.parse(text)
    assert not any(c.isdigit() for c in str(info.value))
    assert info.value.__context__ is None


def test_equality_and_hash_go_by_the_digits() -> None:
    a, b = NationalId(ORDINARY), NationalId.parse("151086 95088")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, NationalId(RULE_2032)}) == 2
    digits: object = ORDINARY
    assert a != digits


def test_a_national_id_is_frozen_and_slotted() -> None:
    nid = NationalId(ORDINARY)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        nid._digits = RULE_2032  # type: ignore[misc]
    assert not hasattr(nid, "__dict__")


@given(national_ids(synthetic=None))
def test_pickle_and_copy_round_trip(nid: NationalId) -> None:
    assert pickle.loads(pickle.dumps(nid)) == nid  # noqa: S301 (our own bytes)
    assert copy.copy(nid) == nid
    assert copy.deepcopy(nid) == nid


def test_unpickling_goes_through_the_validating_constructor() -> None:
    constructor, args = NationalId(ORDINARY).__reduce__()
    assert constructor is NationalId
    assert args == (ORDINARY,)
    forged = pickle.dumps(NationalId(ORDINARY)).replace(ORDINARY.encode(), b"15108695077")
    with pytest.raises(InvalidInput):
        pickle.loads(forged)  # noqa: S301 (our own bytes)


# OrganisationNumber.


def test_an_organisation_number_shows_its_digits() -> None:
    org = OrganisationNumber.parse("988 077 917")
    assert org == OrganisationNumber("988077917")
    assert str(org) == "988077917"
    assert org.format() == "988 077 917"
    assert repr(org) == "OrganisationNumber(digits='988077917')"


def test_an_invalid_organisation_number_cannot_be_made() -> None:
    with pytest.raises(InvalidInput) as info:
        OrganisationNumber("988077918")
    assert info.value.field == "organisation_number"
    with pytest.raises(InvalidInput, match="use parse"):
        OrganisationNumber("988 077 917")


@given(organisation_number_digits())
def test_every_generated_organisation_number_can_be_made(digits: str) -> None:
    assert OrganisationNumber(digits).digits == digits
    assert OrganisationNumber.parse(digits) == OrganisationNumber(digits)


# KidNumber.


def test_a_kid_shows_its_digits_and_method() -> None:
    mod10 = KidNumber.parse("1234 5678 97")
    assert str(mod10) == "1234567897"
    assert mod10.method is KidMethod.MOD10
    assert mod10.methods == (KidMethod.MOD10,)
    mod11 = KidNumber("1000005-")
    assert mod11.method is KidMethod.MOD11


def test_a_kid_valid_under_both_methods_reports_both_and_mod10_first() -> None:
    both = KidNumber("00")
    assert both.methods == (KidMethod.MOD10, KidMethod.MOD11)
    assert both.method is KidMethod.MOD10


def test_parse_can_require_the_payees_method() -> None:
    assert KidNumber.parse("1234567892", method=KidMethod.MOD11).method is KidMethod.MOD11
    with pytest.raises(InvalidInput) as info:
        KidNumber.parse("1234567892", method=KidMethod.MOD10)
    assert info.value.field == "kid"


def test_an_invalid_kid_cannot_be_made() -> None:
    with pytest.raises(InvalidInput, match="invalid check digit"):
        KidNumber("1234567890")
    with pytest.raises(InvalidInput, match="use parse"):
        KidNumber("1234 5678 97")


@given(st.sampled_from(KidMethod).flatmap(lambda m: st.tuples(st.just(m), kid_digits(method=m))))
def test_every_generated_kid_can_be_made_and_knows_its_method(
    method_and_digits: tuple[KidMethod, str],
) -> None:
    method, digits = method_and_digits
    assert method in KidNumber(digits).methods


# AssuranceLevel and LoginMethod.


def test_assurance_levels_are_ordered_by_strength() -> None:
    low, substantial, high = AssuranceLevel.LOW, AssuranceLevel.SUBSTANTIAL, AssuranceLevel.HIGH
    assert low < substantial < high
    assert high > substantial > low
    assert high >= high
    assert low <= low
    assert sorted([high, low, substantial]) == [low, substantial, high]
    assert [level.rank for level in AssuranceLevel] == [1, 2, 3]


def test_assurance_levels_do_not_compare_with_other_types() -> None:
    with pytest.raises(TypeError):
        _ = AssuranceLevel.HIGH < 3
    with pytest.raises(TypeError):
        _ = AssuranceLevel.HIGH >= "high"


def test_enum_values_are_snake_case_strings_for_the_wire() -> None:
    for enum_type in (AssuranceLevel, LoginMethod, NationalIdKind, KidMethod):
        for member in enum_type:
            assert isinstance(member.value, str)
            assert member.value == member.name.lower()


def test_bankid_buypass_and_commfides_are_high_and_minid_is_substantial() -> None:
    assert LoginMethod.BANKID.assurance is AssuranceLevel.HIGH
    assert LoginMethod.BUYPASS_SMART_CARD.assurance is AssuranceLevel.HIGH
    assert LoginMethod.BUYPASS_MOBILE.assurance is AssuranceLevel.HIGH
    assert LoginMethod.COMMFIDES.assurance is AssuranceLevel.HIGH
    assert LoginMethod.MINID.assurance is AssuranceLevel.SUBSTANTIAL
    assert LoginMethod.MINID.assurance < AssuranceLevel.HIGH


def test_every_login_method_and_level_has_labels_in_both_languages() -> None:
    for item in (*LoginMethod, *AssuranceLevel):
        assert item.label_nb.strip()
        assert item.label_en.strip()
    assert "sikkerhetsnivå 4" in AssuranceLevel.HIGH.label_nb
