"""
The fast path against the reference: the same objects, the same bytes, the same errors.

The reference is the converter with its fast path switched off: cattrs and the hooks of
``patientsky.wire._hooks``, as the wire was before the fast path. Documents are every
model's encoding, valid, and damaged at one generated place (a value replaced by any JSON
value, a key dropped, a key added).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import unicodedata
import zoneinfo
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import AuthorKind, Counterpart, Dialog, Message, _base
from patientsky.wire import Page, WireConverter, _fast, _hooks, make_converter
from tests.strategies import ALL_MODELS, dialogs, messages


def _reference(**options: bool) -> WireConverter:
    converter = make_converter(**options)
    converter._fast = None
    return converter


FAST = make_converter()
REFERENCE = _reference()
STRICT_FAST = make_converter(synthetic_national_ids_only=True)
STRICT_REFERENCE = _reference(synthetic_national_ids_only=True)

_TRICKY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "open",
        "closed",
        "e_consultation",
        "practitioner",
        "NOK",
        "2026-11-25",
        "2026-11-25T10:00:00+01:00",
        "2026-11-25T10:00:00Z",
        "2026-11-25t10:00:00z",
        "2026-11-25T10:00:00",
        "2026-03-29T02:30:00+02:00",
        "2026-11-25T10:00:00.1234567+01:00",
        "2026-02-30T10:00:00+01:00",
        "15108695088",
        "17912099997",
        "a\u202eb",
        "a\nb",
        "e\u0301",
        "\ud800",
        "x" * 201,
        "a\r\nb",
        "\u00e9" * 200 + "e\u0301",
    ]
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | _TRICKY_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a JSON tree."""
    found: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((value, key))
            found.extend(_places(item))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((value, index))
            found.extend(_places(item))
    return found


@st.composite
def _damaged(draw: st.DrawFn, raw: Any) -> Any:
    raw = copy.deepcopy(raw)
    places = _places(raw)
    if not places:
        return draw(JSON_VALUES) if draw(st.booleans()) else raw
    container, key = draw(st.sampled_from(places))
    action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
    if action == "replace":
        container[key] = draw(JSON_VALUES)
    elif action == "drop":
        del container[key]
    elif isinstance(container, dict):
        container[draw(st.text(max_size=12))] = draw(JSON_VALUES)
    else:
        container.append(draw(JSON_VALUES))
    return raw


def _outcome(action: Any) -> tuple[Any, ...]:
    try:
        value = action()
    except InvalidInput as exc:
        return ("error", exc.field, exc.message, tuple(getattr(exc, "__notes__", ())))
    return ("ok", value)


def _same(fast: tuple[Any, ...], reference: tuple[Any, ...], reencode: WireConverter) -> None:
    assert fast[0] == reference[0]
    if fast[0] == "ok":
        assert fast[1] == reference[1]
        assert reencode.dumps(fast[1]) == reencode.dumps(reference[1])
    else:
        assert fast == reference


def _check_document(cls: Any, document: bytes, fast: WireConverter, ref: WireConverter) -> None:
    expected = _outcome(lambda: ref.loads(document, cls))
    _same(_outcome(lambda: fast.loads(document, cls)), expected, ref)
    # msgspec's structs and their generated code alone never accept what the reference
    # refuses, from bytes or from text.
    assert fast._fast is not None
    decode = fast._fast.struct_decoder(cls)
    if decode is not None:
        _accepts_only_what_the_reference_does(lambda: decode(document), expected, ref)
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            _accepts_only_what_the_reference_does(lambda: decode(text), expected, ref)
    # The generated code alone never accepts what the reference refuses.
    try:
        data = orjson.loads(document)
    except orjson.JSONDecodeError:
        return
    paths = fast._fast
    assert paths is not None
    _accepts_only_what_the_reference_does(
        lambda: paths.structurer(cls, trusted=True)(data), expected, ref
    )


def _accepts_only_what_the_reference_does(
    build: Any, expected: tuple[Any, ...], ref: WireConverter
) -> None:
    """``build()`` gives up or gives the reference's value."""
    try:
        built = build()
    except Exception:  # noqa: BLE001 -- it gave up: the reference decided
        return
    assert expected[0] == "ok"
    assert built == expected[1]
    assert ref.dumps(built) == ref.dumps(expected[1])


@pytest.mark.parametrize("cls", list(ALL_MODELS), ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_the_fast_path_decodes_every_model_as_the_reference_does(
    cls: type, data: st.DataObject
) -> None:
    value = data.draw(ALL_MODELS[cls])
    raw = REFERENCE.unstructure(value)
    assert FAST.unstructure(value) == raw
    document = REFERENCE.dumps(value)
    assert FAST.dumps(value) == document
    assert FAST.loads(document, cls) == value
    # Valid documents take the fast path itself, not the reference behind it.
    assert FAST._fast is not None
    assert FAST._fast.structurer(cls, trusted=True)(orjson.loads(document)) == value
    # And every object's document takes msgspec's structs first.
    decode = FAST._fast.struct_decoder(cls)
    assert (decode is not None) == _hooks.is_attrs_object(cls)
    if decode is not None:
        assert decode(document) == value
        assert decode(document.decode("utf-8")) == value
    writer = FAST._fast.unstructurer(cls, native=True)
    assert writer is not None
    assert orjson.dumps(writer(value)) == document

    damaged = data.draw(_damaged(raw))
    ascii_only = data.draw(st.booleans())
    damaged_document = json.dumps(damaged, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    _check_document(cls, damaged_document, FAST, REFERENCE)
    _same(
        _outcome(lambda: FAST.structure(damaged, cls)),
        _outcome(lambda: REFERENCE.structure(damaged, cls)),
        REFERENCE,
    )


@given(st.lists(dialogs(max_messages=3), max_size=4), st.none() | st.text(max_size=10), st.data())
def test_the_fast_path_decodes_a_page_as_the_reference_does(
    items: list[Dialog], cursor: str | None, data: st.DataObject
) -> None:
    page = Page(tuple(items), cursor)
    document = REFERENCE.dumps(page)
    assert FAST.dumps(page) == document
    assert FAST.dumps(page, Page[Dialog]) == document
    _check_document(Page[Dialog], document, FAST, REFERENCE)
    damaged = data.draw(_damaged(json.loads(document)))
    _check_document(Page[Dialog], json.dumps(damaged).encode(), FAST, REFERENCE)


@given(ALL_MODELS[next(c for c in ALL_MODELS if c.__name__ == "Patient")], st.data())
def test_a_converter_for_test_people_only_refuses_as_the_reference_does(
    patient: Any, data: st.DataObject
) -> None:
    raw = REFERENCE.unstructure(patient)
    document = json.dumps(data.draw(_damaged(raw)) if data.draw(st.booleans()) else raw).encode()
    _check_document(type(patient), document, STRICT_FAST, STRICT_REFERENCE)


_ZONES = st.sampled_from(
    [
        dt.UTC,
        zoneinfo.ZoneInfo("Europe/Oslo"),
        zoneinfo.ZoneInfo("America/St_Johns"),
        dt.timezone(dt.timedelta(hours=5, minutes=45)),
        dt.timezone(dt.timedelta(minutes=-37, seconds=-12)),
    ]
)


@given(
    messages(),
    st.datetimes(min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    _ZONES,
    st.booleans(),
)
def test_datetimes_are_written_by_the_fast_path_as_the_reference_writes_them(
    message: Message, wall: dt.datetime, zone: dt.tzinfo, fold: bool
) -> None:
    # Gaps, folds, local mean time with seconds in its offset: the bytes are the reference's.
    value = Message(
        message.id,
        message.author_kind,
        message.author_id,
        message.body,
        wall.replace(tzinfo=zone, fold=int(fold)),
    )
    document = REFERENCE.dumps(value)
    assert FAST.dumps(value) == document
    assert FAST.unstructure(value) == REFERENCE.unstructure(value)
    assert FAST.loads(document, Message) == REFERENCE.loads(document, Message)


def test_a_hook_registered_later_switches_the_fast_path_off() -> None:
    converter = make_converter()
    converter.register_unstructure_hook(str, lambda value: value.upper())
    assert converter._fast is None
    message = Message("m", AuthorKind.PATIENT, "a", "hei", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert converter.unstructure(message)["body"] == "HEI"


def test_no_forbidden_character_is_printable() -> None:
    # The fast path searches text for forbidden characters only when str.isprintable()
    # is false: sound because every forbidden character is unprintable.
    printable = "".join(c for c in map(chr, range(0x110000)) if c.isprintable())
    assert _base._FORBIDDEN_LINE.search(printable) is None
    assert _base._FORBIDDEN_LINES.search(printable) is None


def test_latin1_text_is_its_own_nfc_form_and_passes_the_text_rules() -> None:
    # A long text matching the fast path's Latin-1 pattern skips normalising and the
    # search for forbidden characters: sound because every character it allows passes
    # the rules of its kind, and no two of them compose (so any text of them is NFC).
    patterns = {_fast._LATIN1_LINES: True, _fast._LATIN1_LINE: False}
    for match, multiline in patterns.items():
        allowed = [c for c in map(chr, range(0x110000)) if match(c) is not None]
        assert all(ord(c) < 0x100 and c != "\r" for c in allowed)
        assert _base.text_problem("".join(allowed), multiline=multiline) is None
        pairs = "".join(a + b for a in allowed for b in allowed)
        assert unicodedata.is_normalized("NFC", pairs)
        assert unicodedata.is_normalized("NFC", "".join(allowed))
    assert _fast._LATIN1_LINE("a\tb") is None
    assert _fast._LATIN1_LINES("a\tb\nc") is not None


def _long_bodies() -> st.SearchStrategy[str]:
    latin1 = st.characters(max_codepoint=0xFF)
    near = st.sampled_from(["\r", "\r\n", "\u0301", "\u202e", "\u0085", "\x7f", "\ufeff", " "])
    return st.lists(latin1 | near, max_size=40).map("".join) | st.text(max_size=40)


@given(_long_bodies(), st.booleans())
def test_long_text_is_decoded_by_the_fast_path_as_the_reference_does(
    body: str, ascii_only: bool
) -> None:
    sent = "2026-11-25T10:00:00+01:00"
    raw = {"id": "m", "authorKind": "patient", "authorId": "a", "body": body, "sentAt": sent}
    document = json.dumps(raw, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    _check_document(Message, document, FAST, REFERENCE)


# Whole-second timestamps, found by their separators: every other character varied (at
# most three, so no instant falls outside datetime's range in UTC, where models compare).
_STAMP_CHARS = st.sampled_from("0123456789+-:TtZz .\u0663\uff10")


@given(
    st.sampled_from(
        ["2026-11-25T10:00:00+01:00", "2026-11-25T10:00:00Z", "1999-06-15T12:30:00-09:30"]
    ),
    st.lists(st.tuples(st.integers(0, 24), _STAMP_CHARS), max_size=3),
)
def test_timestamps_are_decoded_by_the_fast_path_as_the_reference_does(
    stamp: str, changes: list[tuple[int, str]]
) -> None:
    chars = list(stamp)
    for index, char in changes:
        chars[index % len(chars)] = char
    raw = {
        "id": "m",
        "authorKind": "patient",
        "authorId": "a",
        "body": "b",
        "sentAt": "".join(chars),
    }
    _check_document(Message, json.dumps(raw, ensure_ascii=False).encode(), FAST, REFERENCE)


def test_an_unknown_key_is_not_skipped_unread() -> None:
    # msgspec would skip an unknown key's value without checking its UTF-8: the struct
    # decoder refuses unknown keys, and the reference decides.
    good = b'{"id":"m","authorKind":"patient","authorId":"a","body":"b"'
    good += b',"sentAt":"2026-11-25T10:00:00Z"'
    bad = good + b',"extra":"\xed\xa0\x80"}'
    with pytest.raises(InvalidInput) as refused:
        FAST.loads(bad, Message)
    assert refused.value.message == "is not valid UTF-8"
    unknown = good + b',"extra":[1,{"x":null}]}'
    assert FAST.loads(unknown, Message) == REFERENCE.loads(unknown, Message)
    assert FAST._fast is not None
    decode = FAST._fast.struct_decoder(Message)
    assert decode is not None
    with pytest.raises(Exception, match="extra"):
        decode(unknown)


@given(
    st.integers(195, 202),
    st.sampled_from(["a", "\u00e5", " "]),
    st.lists(st.sampled_from(["", "e\u0301", "\u0958", "\u212b", "\u00c5", "\t", " "]), max_size=3),
)
def test_text_near_its_length_limit_is_decoded_as_the_reference_does(
    length: int, filler: str, extras: list[str]
) -> None:
    # msgspec checks a short text's raw length; normalising can then shorten it (e and
    # a combining accent) or lengthen it (U+0958 has no composed form).
    name = filler * length + "".join(extras)
    raw = {"kind": "clinic", "id": "c1", "name": name}
    document = json.dumps(raw, ensure_ascii=False).encode()
    _check_document(Counterpart, document, FAST, REFERENCE)
