"""Text that cannot hide anything: what every text field of the models takes and stores."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import patientsky.models
from patientsky.errors import InvalidInput
from patientsky.models import (
    AuthorKind,
    Consultation,
    Message,
    PersonName,
    PrescriptionRenewalRequest,
    Unrecognized,
)
from patientsky.models._base import (
    nfc,
    nfc_lines,
    nfc_lines_or_none,
    nfc_or_none,
    nfc_tuple,
    str_tuple,
    text,
    text_problem,
)
from tests.strategies import ALL_MODELS

_T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

_SINGLE: set[object] = {nfc, nfc_or_none, nfc_tuple, str_tuple}
_MULTI: set[object] = {nfc_lines, nfc_lines_or_none}

# Fields that hold text in another form: digits checked by their own module, a currency
# code, and the raw value of an enum this version does not know (checked, kept as sent).
_NOT_FREE_TEXT = {
    ("Attachment", "media_type"),  # one of four media types
    ("Attachment", "sha256"),  # 64 hex digits
    ("KidNumber", "digits"),
    ("Money", "currency"),
    ("NationalId", "_digits"),
    ("OrganisationNumber", "digits"),
    ("Unrecognized", "value"),
}
_MULTI_LINE_FIELDS = {
    ("Consultation", "patient_comment"),
    ("Message", "body"),
    ("PrescriptionRenewalRequest", "note"),
    ("PrescriptionRenewalRequest", "rejection_reason"),
}

# The characters the issue names, written out here rather than taken from the code.
_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
_HIDDEN = [
    "\u061c",  # Arabic letter mark
    *(chr(c) for c in range(0x200B, 0x2010)),  # zero-width space, (non-)joiner, LRM, RLM
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    *(chr(c) for c in range(0x202A, 0x202F)),  # bidirectional embeddings and overrides
    *(chr(c) for c in range(0x2060, 0x2065)),  # word joiner, invisible operators
    *(chr(c) for c in range(0x2066, 0x206A)),  # bidirectional isolates
    "\ufeff",  # zero-width no-break space (byte order mark)
    "\ud800",  # lone surrogates
    "\udbff",
    "\udc00",
    "\udfff",
]
FORBIDDEN_IN_A_LINE = [*_CONTROLS, *_HIDDEN]
FORBIDDEN_IN_LINES = [c for c in FORBIDDEN_IN_A_LINE if c not in "\n\t\r"]
_CHARACTER_PROBLEM = re.compile(
    r"must (be a single line|break lines with a newline|not contain control characters"
    r"|not contain bidirectional or invisible|be valid Unicode text)"
)


def _converter(field: attrs.Attribute[Any]) -> object:
    return field.converter


def _text_fields() -> list[tuple[type, attrs.Attribute[Any]]]:
    found = []
    for name in patientsky.models.__all__:
        cls = getattr(patientsky.models, name)
        if isinstance(cls, type) and attrs.has(cls):
            found += [(cls, f) for f in attrs.fields(cls) if _converter(f) in _SINGLE | _MULTI]
    return found


TEXT_FIELDS = _text_fields()
_IDS = [f"{cls.__name__}.{field.name}" for cls, field in TEXT_FIELDS]


def _kind(field: attrs.Attribute[Any]) -> bool:
    """Whether the field is multi-line."""
    return _converter(field) in _MULTI


def _with(instance: Any, field: attrs.Attribute[Any], value: str) -> Any:
    is_tuple = _converter(field) in (nfc_tuple, str_tuple)
    return attrs.evolve(instance, **{str(field.alias): (value,) if is_tuple else value})


def _named(error: InvalidInput, field: attrs.Attribute[Any]) -> bool:
    return error.field in (field.name, f"{field.name}[0]")


def test_every_text_field_of_the_models_is_normalised_and_checked() -> None:
    for name in patientsky.models.__all__:
        cls = getattr(patientsky.models, name)
        if not (isinstance(cls, type) and attrs.has(cls)):
            continue
        for field in attrs.fields(cls):
            if not re.search(r"\bstr\b", str(field.type)) or (name, field.name) in _NOT_FREE_TEXT:
                continue
            assert _converter(field) in _SINGLE | _MULTI, f"{name}.{field.name}"


def test_only_message_bodies_and_free_text_are_multi_line() -> None:
    multi = {(cls.__name__, f.name) for cls, f in TEXT_FIELDS if _kind(f)}
    assert multi == _MULTI_LINE_FIELDS


@pytest.mark.parametrize(("cls", "field"), TEXT_FIELDS, ids=_IDS)
@settings(max_examples=20)  # per field: some 70 fields, so well over a thousand in all
@given(data=st.data())
def test_text_with_a_forbidden_character_is_refused_naming_the_field(
    cls: type, field: attrs.Attribute[Any], data: st.DataObject
) -> None:
    instance = data.draw(ALL_MODELS[cls])
    bad = data.draw(st.sampled_from(FORBIDDEN_IN_LINES if _kind(field) else FORBIDDEN_IN_A_LINE))
    value = data.draw(st.sampled_from(["", "K", "é"])) + bad + data.draw(st.sampled_from(["", "a"]))
    with pytest.raises(InvalidInput) as caught:
        _with(instance, field, value)
    assert _named(caught.value, field)
    assert value not in caught.value.message
    if value.strip() and len(value) <= 2:
        assert _CHARACTER_PROBLEM.match(caught.value.message)
        assert f"U+{ord(bad):04X}" in caught.value.message


_ALLOWED = st.characters(codec="utf-8").filter(lambda c: c not in FORBIDDEN_IN_A_LINE)
# Decomposed letters (e + combining acute, A + ring above): text that is not NFC yet.
_DECOMPOSED = st.sampled_from(["e\u0301", "A\u030a", "o\u0308", "\u1100\u1161"])
_ALLOWED_TEXT = st.lists(_ALLOWED | _DECOMPOSED, min_size=1, max_size=8).map("".join)


@pytest.mark.parametrize(("cls", "field"), TEXT_FIELDS, ids=_IDS)
@settings(max_examples=20)  # per field: some 70 fields, so well over a thousand in all
@given(data=st.data())
def test_allowed_text_is_accepted_and_stored_nfc_and_storing_it_again_changes_nothing(
    cls: type, field: attrs.Attribute[Any], data: st.DataObject
) -> None:
    instance = data.draw(ALL_MODELS[cls])
    value = data.draw(_ALLOWED_TEXT)
    refusal: str | None
    try:
        changed = _with(instance, field, value)
    except InvalidInput as exc:
        refusal = exc.message
    else:
        refusal = None
    if refusal is not None:
        # The field's own format (an e-mail address, a country code, ...) may refuse it,
        # but never for its characters.
        assert not _CHARACTER_PROBLEM.match(refusal)
        return
    stored = getattr(changed, field.name)
    expected = unicodedata.normalize("NFC", value)
    assert stored in (expected, (expected,), tuple(sorted({expected})))
    assert attrs.evolve(changed) == changed
    assert getattr(attrs.evolve(changed), field.name) == stored


@given(st.text(), st.booleans())
def test_normalising_is_idempotent_and_checking_agrees_with_the_validator(
    value: str, multiline: bool
) -> None:
    convert = nfc_lines if multiline else nfc
    once = convert(value)
    assert convert(once) == once
    assert unicodedata.is_normalized("NFC", once)
    check = text(10_000, empty=True, multiline=multiline)
    field = attrs.fields(PersonName).given
    problem = text_problem(once, multiline=multiline)
    if problem is None:
        check(None, field, once)
    else:
        with pytest.raises(InvalidInput, match=re.escape(problem)):
            check(None, field, once)


def test_a_decomposed_name_is_stored_composed() -> None:
    name = PersonName("Rene\u0301e", "A\u030angstro\u0308m")
    assert (name.given, name.family) == ("Renée", "Ångström")


def test_a_bidirectional_override_in_a_name_is_refused_without_echoing_the_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        PersonName("Kari", "Nordmann\u202egnatS")
    assert caught.value.field == "family"
    assert caught.value.message == (
        "must not contain bidirectional or invisible formatting characters (U+202E at index 8)"
    )
    assert "Nordmann" not in str(caught.value)


@pytest.mark.parametrize("value", ["Kari\n", "Kari\tNordmann", "Kari\r", "Kari\x00"])
def test_a_name_is_one_line_without_controls(value: str) -> None:
    with pytest.raises(InvalidInput, match=r"^given: must (be a single line|not contain control)"):
        PersonName(value, "Nordmann")


def test_a_message_body_keeps_newlines_and_tabs_and_stores_crlf_as_newline() -> None:
    body = "Hei!\r\n\tLinje to\rLinje tre\n"
    message = Message("m1", AuthorKind.PATIENT, "p1", body, _T0)
    assert message.body == "Hei!\n\tLinje to\nLinje tre\n"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u2028", "\u2066"])
def test_a_message_body_refuses_every_other_control_and_hidden_character(bad: str) -> None:
    with pytest.raises(InvalidInput, match=r"^body: must ") as caught:
        Message("m1", AuthorKind.PATIENT, "p1", f"Hei{bad}", _T0)
    assert f"U+{ord(bad):04X} at index 3" in caught.value.message


def test_free_text_on_a_booking_and_a_renewal_request_is_multi_line() -> None:
    assert _converter(attrs.fields(Consultation).patient_comment) is nfc_lines_or_none
    request = PrescriptionRenewalRequest(
        "r1", "p1", "c1", ["Paracet"], "p1", _T0, note="Takk!\r\nHilsen Kari"
    )
    assert request.note == "Takk!\nHilsen Kari"


def test_an_unrecognized_value_is_kept_as_sent_but_hides_nothing() -> None:
    assert Unrecognized("e\u0301").value == "e\u0301"  # not normalised: it round-trips
    with pytest.raises(InvalidInput, match=r"^value: must not contain bidirectional"):
        Unrecognized("video\u202e")
