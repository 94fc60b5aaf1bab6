"""
The fast encoder against the reference: the same bytes, whatever the values and zones.

``dumps`` writes through msgspec: generated code builds structs that mirror the classes
(wire keys, in order) and leaves a datetime to msgspec only when its zone is one msgspec
writes as ``isoformat`` does (never a zero offset: msgspec writes "Z"); where msgspec is
missing, the same code builds dicts for orjson. The items of a bare ``Page`` are written
by one loop generated for the class of the first item (an item of another class is
written by its own class). The writers themselves are checked here, not ``dumps``, which
would hide a writer's mistake behind the reference path.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.models import AuthorKind, Dialog, Message
from patientsky.wire import Page, WireConverter, _fast, make_converter
from tests.strategies import (
    ALL_MODELS,
    OSLO,
    attachments,
    counterparts,
    dialogs,
    messages,
    texts,
)


def _reference() -> WireConverter:
    converter = make_converter()
    converter._fast = None
    return converter


FAST = make_converter()
REFERENCE = _reference()
assert FAST._fast is not None
PATHS = FAST._fast


def _written(value: Any, as_type: Any = None) -> list[bytes]:
    """``value`` as msgspec's writer and as orjson's (the fallback) write it."""
    tp = as_type or value.__class__
    structs = PATHS.writer(tp)
    dicts = PATHS.unstructurer(tp, native=True)
    assert PATHS.unstructurer(tp, native=_fast.STRUCTS) is not None  # msgspec's, not orjson's
    assert structs is not None
    assert dicts is not None
    return [structs(value), orjson.dumps(dicts(value))]


@pytest.mark.parametrize("cls", list(ALL_MODELS), ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_msgspec_writes_every_model_as_the_reference_does(cls: type, data: st.DataObject) -> None:
    value = data.draw(ALL_MODELS[cls])
    document = REFERENCE.dumps(value)
    assert _written(value) == [document, document]
    assert FAST.dumps(value) == document


@given(st.lists(dialogs(max_messages=3), max_size=4), st.none() | texts(10))
def test_msgspec_writes_a_page_of_dialogs_as_the_reference_does(
    items: list[Dialog], cursor: str | None
) -> None:
    page = Page(tuple(items), cursor)
    document = REFERENCE.dumps(page)
    assert _written(page) == [document, document]
    assert _written(page, Page[Dialog]) == [document, document]
    assert _written(page.data, tuple[Dialog, ...]) == [REFERENCE.dumps(page.data)] * 2


# Any zone and offset: zero ones (which msgspec writes as "Z"), ones with seconds (local
# mean time), zones that are sometimes zero; before and after 1900.
_ZONES = st.sampled_from(
    [
        dt.UTC,
        OSLO,
        zoneinfo.ZoneInfo("Europe/London"),
        zoneinfo.ZoneInfo("America/St_Johns"),
        dt.timezone(dt.timedelta(0), "Z0"),
    ]
) | st.integers(-(24 * 3600 - 1), 24 * 3600 - 1).map(lambda s: dt.timezone(dt.timedelta(seconds=s)))
_ANY_TIME = st.datetimes(
    min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=_ZONES
)
_ITEMS = st.one_of(
    dialogs(max_messages=2),
    messages(),
    messages(sent_at=_ANY_TIME),
    counterparts(),
    attachments(),
    texts(10, empty=True),
)


@given(st.lists(_ITEMS, max_size=5), st.none() | st.text(max_size=5))
def test_a_bare_page_of_any_items_is_written_as_the_reference_writes_it(
    items: list[Any], cursor: str | None
) -> None:
    page = Page(tuple(items), cursor)
    document = REFERENCE.dumps(page)
    assert _written(page) == [document, document]
    assert FAST.dumps(page) == document
    assert FAST.unstructure(page) == REFERENCE.unstructure(page)


@given(messages(), _ANY_TIME, st.booleans())
def test_a_datetime_is_written_as_the_reference_writes_it_in_any_zone(
    message: Message, wall: dt.datetime, fold: bool
) -> None:
    value = Message(
        message.id,
        message.author_kind,
        message.author_id,
        message.body,
        wall.replace(fold=int(fold)),
    )
    document = REFERENCE.dumps(value)
    assert _written(value) == [document, document]
    page = Page((message, value))
    assert _written(page) == [REFERENCE.dumps(page)] * 2


class _Pretender(dt.tzinfo):
    """A zone whose offset may have seconds, calling itself equal to a whole-minute one."""

    def __init__(self, offset: dt.timedelta, twin: dt.timezone) -> None:
        self._offset = offset
        self._twin = twin

    def utcoffset(self, _when: dt.datetime | None) -> dt.timedelta:
        return self._offset

    def dst(self, _when: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)

    def tzname(self, _when: dt.datetime | None) -> str:
        return "pretender"

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash(self._twin)


@given(
    st.integers(-(24 * 3600 - 1), 24 * 3600 - 1),
    st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2100, 1, 1)),
)
def test_a_zone_is_written_by_its_own_offset_whatever_it_calls_itself_equal_to(
    seconds: int, wall: dt.datetime
) -> None:
    offset = dt.timedelta(seconds=seconds)
    twin = dt.timezone(dt.timedelta(minutes=int(seconds / 60)))

    def message(zone: dt.tzinfo) -> Message:
        return Message("m", AuthorKind.PATIENT, "a", "hei", wall.replace(tzinfo=zone))

    # The whole-minute twin first, so that the fast path knows its offset.
    assert _written(message(twin)) == [REFERENCE.dumps(message(twin))] * 2
    pretender = message(_Pretender(offset, twin))
    assert _written(pretender) == [REFERENCE.dumps(pretender)] * 2
    assert _written(Page((pretender,))) == [REFERENCE.dumps(Page((pretender,)))] * 2


class _OwnDatetime(dt.datetime):
    """A datetime subclass writing itself its own way, as the reference then writes it."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "own " + super().isoformat(sep, timespec)


@pytest.mark.parametrize("zone", [OSLO, dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=45))])
def test_a_datetime_subclass_is_written_as_the_reference_writes_it(zone: dt.tzinfo) -> None:
    sent = _OwnDatetime(2026, 3, 29, 1, 30, tzinfo=zone)
    value = Message("m", AuthorKind.PATIENT, "a", "hei", sent)
    document = REFERENCE.dumps(value)
    assert b'"own ' in document
    assert FAST.dumps(value) == document
    assert FAST.dumps(Page((value,))) == REFERENCE.dumps(Page((value,)))
