"""A time whose instant falls outside the years 1 to 9999 in UTC is refused, naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import AuthorKind
from patientsky.models._base import in_utc_range, instant_key
from patientsky.models.communication import Message
from patientsky.wire import dumps, loads

_OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


def _message(sent: str) -> bytes:
    return (
        b'{"id":"m1","authorKind":"patient","authorId":"p1","body":"Hei","sentAt":"'
        + sent.encode()
        + b'"}'
    )


@given(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(1, 1, 2))
    | st.datetimes(
        min_value=dt.datetime(9999, 12, 30), max_value=dt.datetime(9999, 12, 31, 23, 59)
    ),
    _OFFSETS,
)
def test_an_edge_time_decodes_only_if_its_instant_fits_in_utc(
    naive: dt.datetime, tz: dt.tzinfo
) -> None:
    value = naive.replace(tzinfo=tz)
    document = _message(value.isoformat())
    if in_utc_range(value):
        decoded = loads(document, Message)
        assert decoded.sent_at == value
        assert instant_key(decoded.sent_at) is not None  # comparable: no OverflowError
        assert loads(dumps(decoded), Message) == decoded
    else:
        with pytest.raises(InvalidInput) as caught:
            loads(document, Message)
        assert "sentAt" in str(caught.value)
        assert value.isoformat() not in str(caught.value)  # the value is not repeated


def test_a_model_built_in_python_refuses_an_instant_past_9999() -> None:
    late = dt.datetime(
        9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(-dt.timedelta(hours=9, minutes=30))
    )
    with pytest.raises(InvalidInput, match="sent_at"):
        Message("m1", AuthorKind.PATIENT, "p1", "Hei", late)
    same_wall_clock_in_utc = late.replace(tzinfo=dt.UTC)
    assert (
        Message("m1", AuthorKind.PATIENT, "p1", "Hei", same_wall_clock_in_utc).sent_at.year == 9999
    )
