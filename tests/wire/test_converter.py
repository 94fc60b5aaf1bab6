"""The JSON wire converter: round trips, the documented shape, strictness and error paths."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import string
from typing import Any, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import patientsky.models
from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    Address,
    AuthorKind,
    Clinic,
    CommunicationType,
    ConsentEvent,
    ConsentEventKind,
    ConsentHistory,
    ContactDetails,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Gender,
    Invoice,
    KidNumber,
    Message,
    Money,
    NationalId,
    Patient,
    PersonName,
    Relation,
    RelationKind,
    TimeSlotType,
    Unrecognized,
)
from patientsky.wire import (
    Page,
    WireConverter,
    configure_converter,
    dumps,
    loads,
    make_converter,
    structure,
    unstructure,
)
from tests.strategies import ALL_MODELS, OSLO, dialogs, patients
from tests.strategies_ids import national_id_digits

NATIONAL_ID = "15108695088"
SYNTHETIC_NATIONAL_ID = "17912099997"
WINTER = dt.datetime(2026, 11, 25, 10, 0, tzinfo=OSLO)
SUMMER = dt.datetime(2026, 6, 1, 9, 30, tzinfo=OSLO)


def _dialog(
    dialog_id: str = "d1",
    *,
    type_: CommunicationType | Unrecognized = CommunicationType.E_CONSULTATION,
) -> Dialog:
    return Dialog(
        id=dialog_id,
        patient_id="p1",
        clinic_id="c1",
        type=type_,
        counterpart=Counterpart(CounterpartKind.PRACTITIONER, "pr1", "Dr. Ås"),
        subject="Vondt i kneet",
        status=DialogStatus.OPEN,
        messages=(Message("m1", AuthorKind.PATIENT, "p1", "Hei!", WINTER),),
    )


def _patient() -> Patient:
    return Patient(
        id="p1",
        national_id=NationalId(NATIONAL_ID),
        name=PersonName("Kari", "Nordmann"),
        birth_date=dt.date(1986, 10, 15),
        contact=ContactDetails(email="kari@example.no"),
    )


def _error(data: Any, cls: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        structure(data, cls)
    return info.value


def _attrs_classes(module: Any) -> set[type]:
    return {
        value
        for name in module.__all__
        if isinstance(value := getattr(module, name), type) and attrs.has(value)
    }


def _enums(module: Any) -> list[type[enum.Enum]]:
    return [
        value
        for name in module.__all__
        if isinstance(value := getattr(module, name), type) and issubclass(value, enum.Enum)
    ]


# --- every model ---------------------------------------------------------------------------


def test_the_strategies_cover_every_attrs_class_exported_from_the_models() -> None:
    assert set(ALL_MODELS) == _attrs_classes(patientsky.models)


@pytest.mark.parametrize("cls", list(ALL_MODELS), ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_every_model_round_trips_through_the_wire(cls: type, data: st.DataObject) -> None:
    value = data.draw(ALL_MODELS[cls])
    raw = unstructure(value)
    assert structure(raw, cls) == value
    encoded = dumps(value)
    assert json.loads(encoded) == raw
    assert dumps(loads(encoded, cls)) == encoded


@pytest.mark.parametrize("enum_type", _enums(patientsky.models), ids=lambda e: e.__name__)
def test_every_enum_member_travels_as_its_value(enum_type: type[enum.Enum]) -> None:
    for member in enum_type:
        assert unstructure(member) == member.value
        assert structure(member.value, enum_type) is member


@given(st.lists(dialogs(max_messages=3), max_size=5), st.none() | st.text(max_size=20))
def test_a_page_of_dialogs_round_trips(items: list[Dialog], cursor: str | None) -> None:
    page = Page(tuple(items), cursor)
    encoded = dumps(page)
    assert loads(encoded, Page[Dialog]) == page
    assert dumps(loads(encoded, Page[Dialog])) == encoded


# --- the documented shape ------------------------------------------------------------------


def test_a_dialog_is_written_in_the_documented_shape() -> None:
    expected = (
        '{"id":"d1","patientId":"p1","clinicId":"c1","type":"e_consultation",'
        '"counterpart":{"kind":"practitioner","id":"pr1","name":"Dr. Ås"},'
        '"subject":"Vondt i kneet","status":"open","messages":[{"id":"m1",'
        '"authorKind":"patient","authorId":"p1","body":"Hei!",'
        '"sentAt":"2026-11-25T10:00:00+01:00","attachments":[]}],"needsReply":true,'
        '"closedAt":null,'
        '"readAt":null}'
    )
    assert dumps(_dialog()) == expected.encode("utf-8")


def test_a_page_is_data_and_next_cursor() -> None:
    encoded = dumps(Page((Money(1),), "abc"))
    assert encoded == b'{"data":[{"minorUnits":1,"currency":"NOK"}],"nextCursor":"abc"}'
    assert dumps(Page(())) == b'{"data":[],"nextCursor":null}'


def test_money_is_minor_units_and_currency() -> None:
    assert unstructure(Money.nok(350)) == {"minorUnits": 35000, "currency": "NOK"}


def test_a_patient_carries_the_national_id_digits_and_its_birth_date() -> None:
    raw = unstructure(_patient())
    assert raw["nationalId"] == NATIONAL_ID
    assert raw["birthDate"] == "1986-10-15"
    assert raw["photo"] is None


def test_identifiers_are_their_digit_strings() -> None:
    clinic = structure({"id": "c1", "name": "Legesenter", "orgNumber": "988077917"}, Clinic)
    assert clinic.org_number is not None
    assert unstructure(clinic)["orgNumber"] == "988077917"
    invoice = structure(
        {
            "id": "i1",
            "patientId": "p1",
            "clinicId": "c1",
            "number": "1001",
            "amount": {"minorUnits": 35000, "currency": "NOK"},
            "issuedAt": "2026-11-25T10:00:00+01:00",
            "dueDate": "2026-12-09",
            "kid": "1000005-",
        },
        Invoice,
    )
    assert unstructure(invoice)["kid"] == "1000005-"


def test_datetimes_keep_the_offset_they_have() -> None:
    assert unstructure(WINTER) == "2026-11-25T10:00:00+01:00"
    assert unstructure(SUMMER) == "2026-06-01T09:30:00+02:00"
    assert unstructure(WINTER.astimezone(dt.UTC)) == "2026-11-25T09:00:00+00:00"
    assert unstructure(WINTER.replace(microsecond=5)) == "2026-11-25T10:00:00.000005+01:00"


def test_an_offset_with_seconds_is_written_in_utc_keeping_the_instant() -> None:
    odd = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(minutes=43, seconds=8)))
    written = unstructure(odd)
    assert written.endswith("+00:00")
    assert structure(written, dt.datetime) == odd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T09:00:00Z", dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)),
        ("2026-11-25t09:00:00z", dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)),
        ("2026-11-25T10:00:00+01:00", WINTER),
        ("2026-11-25T10:00:00.123456789+01:00", WINTER.replace(microsecond=123456)),
    ],
)
def test_rfc_3339_timestamps_are_read(text: str, expected: dt.datetime) -> None:
    assert structure(text, dt.datetime) == expected


def test_non_ascii_text_is_written_as_utf_8() -> None:
    encoded = dumps(PersonName("Bjørn", "Ærøe"))
    assert encoded == '{"given":"Bjørn","family":"Ærøe","middle":null}'.encode()


def test_a_top_level_tuple_of_models_is_a_json_array() -> None:
    encoded = dumps((Money(1), Money(2)))
    assert encoded == b'[{"minorUnits":1,"currency":"NOK"},{"minorUnits":2,"currency":"NOK"}]'
    assert loads(encoded, tuple[Money, ...]) == (Money(1), Money(2))


# --- newer servers -------------------------------------------------------------------------


def test_an_unknown_dialog_type_in_a_list_decodes_to_unrecognized_and_reencodes_identically() -> (
    None
):
    raw = unstructure(Page((_dialog("d1"), _dialog("d2"), _dialog("d3")), "next"))
    raw["data"][1]["type"] = "video_chat"
    document = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    page = loads(document, Page[Dialog])
    assert page.data[1].type == Unrecognized("video_chat")
    assert page.data[0].type is CommunicationType.E_CONSULTATION
    assert dumps(page) == document


def test_an_unknown_relation_action_is_kept() -> None:
    raw = {
        "id": "r1",
        "principalId": "child",
        "representativeId": "mum",
        "kind": "parent",
        "actions": ["read_messages", "teleport"],
        "addedByClinicId": "c1",
        "validFrom": "2026-01-01T00:00:00+01:00",
    }
    relation = structure(raw, Relation)
    assert relation.kind is RelationKind.PARENT
    assert set(relation.actions) == {Action.READ_MESSAGES, Unrecognized("teleport")}
    assert unstructure(relation)["actions"] == ["read_messages", "teleport"]


def test_an_unknown_value_of_a_plain_enum_field_is_refused_with_its_path() -> None:
    raw = unstructure(Page((_dialog("d1"), _dialog("d2"))))
    raw["data"][1]["counterpart"]["kind"] = "robot"
    error = _error(raw, Page[Dialog])
    assert error.field == "data[1].counterpart.kind"
    assert error.message == "must be one of: practitioner, clinic"
    assert "robot" not in str(error)


def test_unknown_fields_are_ignored() -> None:
    raw = unstructure(_dialog())
    raw["priority"] = "high"
    raw["counterpart"]["avatarUrl"] = "https://example.no/a.png"
    raw["messages"][0]["attachments"] = []
    assert structure(raw, Dialog) == _dialog()


# --- strictness ----------------------------------------------------------------------------


def _dialog_with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    raw: dict[str, Any] = unstructure(Page((_dialog("d1"), _dialog("d2"))))
    target: Any = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (("data", 1, "needsReply"), "false", "data[1].needsReply", "must be true or false"),
        (("data", 0, "needsReply"), 0, "data[0].needsReply", "must be true or false"),
        (("data", 1, "subject"), 123, "data[1].subject", "must be a string, not a number"),
        (("data", 1, "subject"), None, "data[1].subject", "must be a string, not null"),
        (("data", 0, "messages"), "abc", "data[0].messages", "must be an array, not a string"),
        (("data", 0, "messages"), {"0": {}}, "data[0].messages", "must be an array"),
        (("data", 0, "counterpart"), [], "data[0].counterpart", "must be an object"),
        (("data", 0, "type"), 3, "data[0].type", "must be a string, not a number"),
        (("data", 1, "messages", 0, "sentAt"), 1764061200, "data[1].messages[0].sentAt", "must"),
        (("data",), "[]", "data", "must be an array, not a string"),
        (("nextCursor",), 7, "nextCursor", "must be a string, not a number"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_with_its_path(
    path: tuple[str | int, ...], value: Any, field: str, message: str
) -> None:
    error = _error(_dialog_with(path, value), Page[Dialog])
    assert error.field == field
    assert error.message.startswith(message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "must be an integer, not a number"),
        (15.0, "must be an integer, not a number"),
        (True, "must be an integer, not a boolean"),
        ("15", "must be an integer, not a string"),
    ],
)
def test_an_integer_field_takes_only_an_integer(value: Any, message: str) -> None:
    raw = {"id": "t", "clinicId": "c", "name": "Vanlig", "slotMinutes": value}
    error = _error(raw, TimeSlotType)
    assert (error.field, error.message) == ("slotMinutes", message)


def test_a_string_is_not_a_tuple_of_characters() -> None:
    raw = unstructure(_patient())
    raw["clinicIds"] = "c1"
    error = _error(raw, Patient)
    assert (error.field, error.message) == ("clinicIds", "must be an array, not a string")


def test_a_bad_item_in_an_array_is_named_by_its_index() -> None:
    raw = unstructure(_patient())
    raw["clinicIds"] = ["c1", 2, "c3"]
    assert _error(raw, Patient).field == "clinicIds[1]"


def test_a_naive_timestamp_is_refused() -> None:
    raw = _dialog_with(("data", 1, "messages", 0, "sentAt"), "2026-11-25T10:00:00")
    error = _error(raw, Page[Dialog])
    assert error.field == "data[1].messages[0].sentAt"
    assert "UTC offset" in error.message


@pytest.mark.parametrize(
    "text",
    ["2031-01-02", "2031-01-02 10:00:00+01:00", "20310102T100000+0100", "2031-02-30T10:00:00Z"],
)
def test_anything_but_an_rfc_3339_timestamp_is_refused(text: str) -> None:
    error = _error(text, dt.datetime)
    assert error.field == ""
    assert text not in error.message


@pytest.mark.parametrize("text", ["1986-10-15T00:00:00+01:00", "19861015", "1986-13-15", ""])
def test_a_date_is_only_yyyy_mm_dd(text: str) -> None:
    raw = unstructure(_patient())
    raw["birthDate"] = text
    assert _error(raw, Patient).field == "birthDate"


def test_a_missing_required_field_is_named() -> None:
    raw = unstructure(_dialog())
    del raw["messages"][0]["sentAt"]
    error = _error(raw, Dialog)
    assert (error.field, error.message) == ("messages[0].sentAt", "is required")


def test_a_missing_field_with_a_default_takes_the_default() -> None:
    raw = unstructure(_dialog())
    del raw["needsReply"], raw["closedAt"], raw["readAt"]
    assert structure(raw, Dialog) == _dialog()


def test_text_with_a_lone_surrogate_is_refused() -> None:
    raw = unstructure(_dialog())
    raw["subject"] = "bad \ud800 text"
    assert _error(raw, Dialog).field == "subject"


def test_decoded_text_is_stored_nfc_and_re_encodes_the_same_from_then_on() -> None:
    raw = unstructure(_dialog())
    raw["subject"] = "Sp\u00f8rsma\u030al"  # "å" as a + combining ring
    raw["messages"][0]["body"] = "Hei\r\nKari"
    dialog = structure(raw, Dialog)
    assert dialog.subject == "Spørsmål"
    assert dialog.messages[0].body == "Hei\nKari"
    encoded = dumps(dialog)
    assert dumps(loads(encoded, Dialog)) == encoded


def test_decoded_text_with_a_hidden_character_is_refused_naming_the_wire_field() -> None:
    raw = unstructure(_dialog())
    raw["counterpart"]["name"] = "Dr. Berg\u2066"
    error = _error(raw, Dialog)
    assert error.field == "counterpart.name"
    assert "U+2066" in error.message
    assert "Berg" not in str(error)


def test_every_problem_is_kept_as_a_note() -> None:
    raw = unstructure(_dialog())
    raw["subject"] = 1
    raw["needsReply"] = "yes"
    error = _error(raw, Dialog)
    assert error.field == "subject"
    assert error.__notes__ == ["also needsReply: must be true or false, not a string"]


def test_a_float_is_any_finite_number_but_not_a_boolean() -> None:
    assert structure(1, float) == 1.0
    assert structure(2.5, float) == 2.5
    assert _error(True, float).message == "must be a number, not a boolean"
    assert _error(float("inf"), float).message == "must be a finite number"


def test_a_list_is_built_from_an_array_only() -> None:
    assert structure(["a", "b"], list[str]) == ["a", "b"]
    assert _error("ab", list[str]).message == "must be an array, not a string"


def test_an_optional_enum_or_unrecognized_takes_null() -> None:
    optional = cast("Any", CommunicationType | Unrecognized | None)
    assert structure(None, optional) is None
    assert structure("fax", optional) == Unrecognized("fax")
    assert unstructure(None, optional) is None
    assert unstructure(Unrecognized("fax"), optional) == "fax"
    assert _error(1, optional).message == "must be a string or null, not a number"


def test_a_naive_datetime_or_a_datetime_as_a_date_cannot_be_written() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        unstructure(dt.datetime(2026, 11, 25, 10))
    with pytest.raises(InvalidInput, match="not a datetime"):
        unstructure(WINTER, dt.date)


def test_identifiers_are_refused_with_the_checks_message() -> None:
    clinic = {"id": "c1", "name": "Legesenter"}
    error = _error({**clinic, "orgNumber": "988077918"}, Clinic)
    assert (error.field, error.message) == ("orgNumber", "has an invalid check digit")
    error = _error({**clinic, "orgNumber": 988077917}, Clinic)
    assert error.message == "must be a string of nine digits, not a number"
    assert _error("1234567890", KidNumber).message == "has an invalid check digit"
    assert _error(1234567897, KidNumber).message == "must be a string, not a number"


def test_an_enum_value_must_be_a_string() -> None:
    assert _error(1, Gender).message == "must be a string, not a number"


def test_a_python_value_that_is_not_json_is_named_by_its_type() -> None:
    assert _error({"a"}, tuple[str, ...]).message == "must be an array, not set"


def test_text_that_utf_8_cannot_encode_is_not_written() -> None:
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        dumps(Page((), "cursor \ud800"))
    # A model cannot hold such text in the first place.
    with pytest.raises(InvalidInput, match="not a lone surrogate"):
        PersonName("Kari\ud800", "Nordmann")


def test_at_most_ten_further_problems_are_listed() -> None:
    error = _error(list(range(15)), tuple[str, ...])
    assert error.field == "[0]"
    assert len(error.__notes__) == 11
    assert error.__notes__[-1] == "and 4 more problems"


def test_an_unexpected_error_names_only_its_type() -> None:
    # cattrs' own mapping hook fails on a list with an AttributeError quoting nothing useful.
    error = _error(["secret"], dict[str, int])
    assert (error.field, error.message) == ("", "is not valid (AttributeError)")


def test_a_dataclass_error_is_named_by_its_python_field() -> None:
    @dataclasses.dataclass
    class Plain:
        some_flag: bool

    error = _error({"some_flag": "no"}, Plain)
    assert (error.field, error.message) == ("some_flag", "must be true or false, not a string")


# --- the models' own rules -----------------------------------------------------------------


def test_a_models_own_rule_is_reported_at_the_objects_path_in_wire_terms() -> None:
    raw = _dialog_with(("data", 1, "status"), "closed")
    error = _error(raw, Page[Dialog])
    assert (error.field, error.message) == (
        "data[1].closedAt",
        "is required when the dialog is closed",
    )


def test_a_nested_models_rule_gets_the_full_path() -> None:
    raw = unstructure(
        ContactDetails(address=Address("Storgata 1", "0155", "Oslo")),
    )
    raw["address"]["postalCode"] = "155"
    error = _error({**unstructure(_patient()), "contact": raw}, Patient)
    assert (error.field, error.message) == (
        "contact.address.postalCode",
        "must be four digits in Norway",
    )


def test_a_rule_naming_an_item_of_a_list_is_camelcased() -> None:
    given_ = ConsentEvent("e1", "p1", ConsentEventKind.GIVEN, "2026-01", WINTER, "p1")
    later = attrs.evolve(given_, id="e2", at=WINTER + dt.timedelta(days=1))
    raw = unstructure(ConsentHistory("p1", (given_, later)))
    raw["events"][1]["patientId"] = "p2"
    raw["events"][1]["actorId"] = "p2"
    error = _error(raw, ConsentHistory)
    assert (error.field, error.message) == ("events[1].patientId", "belongs to another patient")


# --- national identity numbers -------------------------------------------------------------


def test_a_bad_national_id_names_the_field_and_never_shows_the_digits() -> None:
    raw = unstructure(_patient())
    raw["nationalId"] = "15108695077"
    error = _error(raw, Patient)
    assert (error.field, error.message) == ("nationalId", "has invalid check digits")
    assert "15108695077" not in str(error)
    assert "151086" not in str(error)
    assert error.__cause__ is None
    assert error.__suppress_context__


@given(st.text(string.digits, min_size=11, max_size=11))
def test_no_message_about_a_national_id_contains_a_digit(digits: str) -> None:
    raw = unstructure(_patient())
    raw["nationalId"] = digits
    raw["birthDate"] = None  # the digits may be valid: make sure something is wrong
    with pytest.raises(InvalidInput) as info:
        structure(raw, Patient)
    assert not any(c.isdigit() for c in info.value.message)
    assert not any(c.isdigit() for note in getattr(info.value, "__notes__", []) for c in note)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("151086 95088", "must be eleven digits, without spaces or separators"),
        ("1510869508", "must be eleven digits, without spaces or separators"),
        (15108695088, "must be a string of eleven digits, not a number"),
    ],
)
def test_a_national_id_is_exactly_eleven_digits_on_the_wire(value: Any, message: str) -> None:
    raw = unstructure(_patient())
    raw["nationalId"] = value
    assert _error(raw, Patient).message == message


@given(national_id_digits(synthetic=True))
def test_synthetic_national_ids_decode_and_say_so(digits: str) -> None:
    national_id = structure(digits, NationalId)
    assert national_id.is_synthetic
    assert unstructure(national_id) == digits


def test_a_converter_can_refuse_synthetic_national_ids() -> None:
    strict = make_converter(allow_synthetic_national_ids=False)
    raw = unstructure(_patient())
    raw["nationalId"] = SYNTHETIC_NATIONAL_ID
    raw["birthDate"] = "2020-11-17"
    assert structure(raw, Patient).national_id.is_synthetic
    with pytest.raises(InvalidInput) as info:
        strict.structure(raw, Patient)
    assert (info.value.field, info.value.message) == (
        "nationalId",
        "is a synthetic test number, not accepted here",
    )
    assert strict.structure(unstructure(_patient()), Patient) == _patient()


STRICT = make_converter(allow_synthetic_national_ids=False)


@given(patients(synthetic=False))
def test_a_strict_converter_round_trips_real_patients(patient: Patient) -> None:
    assert STRICT.loads(STRICT.dumps(patient), Patient) == patient


# --- malformed documents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "is not valid JSON (Expecting value at line 1, column 1)"),
        (b'{"minorUnits": 1,', "is not valid JSON (Expecting property name"),
        (b"\xff\xfe{}", "is not valid UTF-8"),
        ('{"minorUnits": NaN, "currency": "NOK"}', "is not valid JSON: NaN and Infinity"),
        ("[" * 100_000 + "]" * 100_000, "is not valid JSON: nested too deeply"),
        ("1" * 5000, "is not valid JSON"),
    ],
)
def test_a_malformed_document_is_invalid_input_for_the_whole_value(
    document: bytes | str, message: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        loads(document, Money)
    assert info.value.field == ""
    assert info.value.message.startswith(message)


def test_a_document_may_be_a_bytearray_but_not_a_number() -> None:
    assert loads(bytearray(b'{"minorUnits": 1, "currency": "NOK"}'), Money) == Money(1)
    with pytest.raises(InvalidInput) as info:
        loads(cast("Any", 123), Money)
    assert (info.value.field, info.value.message) == ("", "must be bytes or str, not int")


def test_a_document_of_the_wrong_shape_is_invalid_input_for_the_whole_value() -> None:
    with pytest.raises(InvalidInput) as info:
        loads(b"[1, 2]", Money)
    assert (info.value.field, info.value.message) == ("", "must be an object, not an array")


# --- converters ----------------------------------------------------------------------------


def test_make_converter_returns_a_new_converter_each_time() -> None:
    first, second = make_converter(), make_converter()
    assert first is not second
    assert isinstance(first, WireConverter)
    first.register_unstructure_hook(Money, lambda _m: "changed")
    assert first.dumps(Money(1)) == b'"changed"'
    assert second.dumps(Money(1)) == dumps(Money(1)) == b'{"minorUnits":1,"currency":"NOK"}'


def test_configure_converter_sets_up_a_plain_cattrs_converter() -> None:
    import cattrs

    converter = cattrs.Converter()
    configure_converter(converter)
    assert converter.unstructure(_dialog()) == unstructure(_dialog())
    assert converter.structure(unstructure(_dialog()), Dialog) == _dialog()
    with pytest.raises(cattrs.ClassValidationError):
        converter.structure({**unstructure(_dialog()), "needsReply": "false"}, Dialog)


def test_a_type_the_wire_cannot_carry_is_a_programming_error_not_invalid_input() -> None:
    from cattrs.errors import StructureHandlerNotFoundError

    class Opaque:
        pass

    with pytest.raises(StructureHandlerNotFoundError):
        structure({}, Opaque)
