"""A dialog's messages in the order sent, compared as instants whatever their zones."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    AuthorKind,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
_ZONES = st.sampled_from(
    [dt.UTC, OSLO, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=2))]
)


@st.composite
def _sent(draw: st.DrawFn) -> dt.datetime:
    # Around the night the clocks go back in 2026 (02:00-03:00 happens twice in Oslo).
    wall = draw(st.datetimes(dt.datetime(2026, 10, 24, 23), dt.datetime(2026, 10, 25, 4)))
    return wall.replace(tzinfo=draw(_ZONES), fold=draw(st.integers(0, 1)))


def _dialog(sent: list[dt.datetime], ids: list[str]) -> Dialog:
    return Dialog(
        id="d1",
        patient_id="p1",
        clinic_id="c1",
        type=CommunicationType.OTHER_INQUIRY,
        counterpart=Counterpart(CounterpartKind.CLINIC, "c1", "Legesenteret"),
        subject="Spørsmål",
        status=DialogStatus.OPEN,
        messages=tuple(
            Message(i, AuthorKind.PATIENT, "p1", "Hei", at) for i, at in zip(ids, sent, strict=True)
        ),
    )


@given(st.lists(_sent(), min_size=1, max_size=4), st.booleans())
def test_messages_are_in_order_exactly_when_their_instants_are(
    sent: list[dt.datetime], repeat_id: bool
) -> None:
    ids = [f"m{i}" for i in range(len(sent))]
    if repeat_id and len(ids) > 1:
        ids[-1] = ids[0]
    instants = [at.astimezone(dt.UTC) for at in sent]
    in_order = all(a <= b for a, b in itertools.pairwise(instants))
    if not in_order:
        with pytest.raises(InvalidInput, match="order they were sent"):
            _dialog(sent, ids)
    elif len(set(ids)) != len(ids):
        with pytest.raises(InvalidInput, match="ids must be unique"):
            _dialog(sent, ids)
    else:
        assert _dialog(sent, ids).messages[0].sent_at == sent[0]
