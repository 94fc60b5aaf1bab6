"""
The fast encoder against the reference, where it writes differently from the decoder's paths.

The items of a bare ``Page`` are written by one loop generated for the class of the first
item (an item of another class is written by its own class), and the generated code
leaves a datetime to orjson only when its zone is one orjson writes as ``isoformat``
does. Both must give the reference's bytes, whatever the items and zones.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from patientsky.models import AuthorKind, Message
from patientsky.wire import Page, WireConverter, make_converter
from tests.strategies import OSLO, attachments, counterparts, dialogs, messages, texts


def _reference() -> WireConverter:
    converter = make_converter()
    converter._fast = None
    return converter


FAST = make_converter()
REFERENCE = _reference()

# Any zone, any offset (seconds included: local mean time), before and after 1900.
_ANY_TIME = st.datetimes(
    min_value=dt.datetime(1850, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([dt.UTC, OSLO, zoneinfo.ZoneInfo("America/St_Johns")])
    | st.integers(-(24 * 3600 - 1), 24 * 3600 - 1).map(
        lambda s: dt.timezone(dt.timedelta(seconds=s))
    ),
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
    assert FAST.dumps(page) == document
    assert FAST.unstructure(page) == REFERENCE.unstructure(page)
    # The generated code writes it itself, not the reference behind it.
    assert FAST._fast is not None
    writer = FAST._fast.unstructurer(Page, native=True)
    assert writer is not None
    assert orjson.dumps(writer(page)) == document


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
    assert FAST.dumps(message(twin)) == REFERENCE.dumps(message(twin))
    pretender = message(_Pretender(offset, twin))
    assert FAST.dumps(pretender) == REFERENCE.dumps(pretender)
    assert FAST.dumps(Page((pretender,))) == REFERENCE.dumps(Page((pretender,)))
