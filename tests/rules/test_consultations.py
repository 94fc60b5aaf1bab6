"""K1, K4: upcoming and past consultations, and the clinic marking how one went."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import Consultation, ConsultationKind, ConsultationStatus, Unrecognized
from patientsky.rules import Reason, Timing, mark_consultation, past, timing, upcoming
from tests.strategies import consultations
from tests.strategies_rules import CLINIC_ID, aware_datetimes, oslo

START = oslo(2026, 3, 10, 9, 0)
BOOKED = Consultation(
    "k1",
    "patient",
    CLINIC_ID,
    "gp-1",
    ["cal-1"],
    ConsultationKind.IN_PERSON,
    ConsultationStatus.BOOKED,
    START,
    START + dt.timedelta(minutes=15),
    "patient",
    START - dt.timedelta(days=7),
)
_CANCELLED = (ConsultationStatus.CANCELLED, ConsultationStatus.LATE_CANCELLED)


def test_a_booked_consultation_is_upcoming_until_it_ends() -> None:
    assert timing(BOOKED, START - dt.timedelta(days=1)) is Timing.UPCOMING
    assert timing(BOOKED, START + dt.timedelta(minutes=14)) is Timing.UPCOMING
    assert timing(BOOKED, START + dt.timedelta(minutes=15)) is Timing.PAST


@pytest.mark.parametrize(
    "status",
    [
        ConsultationStatus.COMPLETED,
        ConsultationStatus.NO_SHOW,
        ConsultationStatus.CANCELLED,
        ConsultationStatus.LATE_CANCELLED,
    ],
)
def test_a_completed_missed_or_cancelled_consultation_is_past_whatever_its_time(
    status: ConsultationStatus,
) -> None:
    consultation = attrs.evolve(BOOKED, status=status, cancelled_at=START - dt.timedelta(days=2))
    assert timing(consultation, START - dt.timedelta(days=1)) is Timing.PAST


def test_an_unknown_status_is_placed_by_its_time() -> None:
    unknown = attrs.evolve(BOOKED, status=Unrecognized("moved"))
    assert timing(unknown, START - dt.timedelta(days=1)) is Timing.UPCOMING
    assert timing(unknown, START + dt.timedelta(hours=1)) is Timing.PAST


@given(st.lists(consultations(), max_size=6), aware_datetimes())
def test_every_consultation_is_in_exactly_one_list_upcoming_soonest_first_past_newest_first(
    rows: list[Consultation], at: dt.datetime
) -> None:
    soon = upcoming(rows, at)
    gone = past(rows, at)
    assert sorted(map(id, soon + gone)) == sorted(map(id, rows))
    starts = [c.start.astimezone(dt.UTC) for c in soon]
    assert starts == sorted(starts)
    starts = [c.start.astimezone(dt.UTC) for c in gone]
    assert starts == sorted(starts, reverse=True)
    for c in soon:
        assert c.status not in (*_CANCELLED, ConsultationStatus.COMPLETED)
        assert c.end.astimezone(dt.UTC) > at.astimezone(dt.UTC)


def test_the_clinic_marks_a_started_consultation_completed_or_not_attended() -> None:
    done = mark_consultation(BOOKED, START, attended=True).unwrap()
    missed = mark_consultation(BOOKED, START + dt.timedelta(hours=2), attended=False).unwrap()
    assert done.status is ConsultationStatus.COMPLETED
    assert missed.status is ConsultationStatus.NO_SHOW


def test_a_consultation_is_not_marked_before_it_starts_nor_twice_nor_when_cancelled() -> None:
    early = mark_consultation(BOOKED, START - dt.timedelta(seconds=1), attended=True)
    assert early.decision.reason is Reason.CONSULTATION_NOT_STARTED
    done = mark_consultation(BOOKED, START, attended=True).unwrap()
    again = mark_consultation(done, START, attended=False)
    assert again.decision.reason is Reason.CONSULTATION_NOT_BOOKED
    cancelled = attrs.evolve(BOOKED, status=ConsultationStatus.CANCELLED, cancelled_at=START)
    assert mark_consultation(cancelled, START, attended=True).decision.reason is (
        Reason.CONSULTATION_NOT_BOOKED
    )
    unknown = attrs.evolve(BOOKED, status=Unrecognized("moved"))
    assert mark_consultation(unknown, START, attended=True).decision.reason is (
        Reason.CONSULTATION_NOT_BOOKED
    )


@given(st.lists(st.tuples(st.booleans(), st.integers(-120, 600)), min_size=1, max_size=5))
def test_a_consultation_is_marked_at_most_once(marks: list[tuple[bool, int]]) -> None:
    consultation = BOOKED
    marked = 0
    for attended, minutes in marks:
        outcome = mark_consultation(
            consultation, START + dt.timedelta(minutes=minutes), attended=attended
        )
        if outcome:
            consultation = outcome.unwrap()
            marked += 1
    assert marked <= 1
    if marked:
        assert consultation.status in (ConsultationStatus.COMPLETED, ConsultationStatus.NO_SHOW)


def test_marking_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput, match=r"^at: "):
        mark_consultation(BOOKED, dt.datetime(2026, 3, 10, 9), attended=True)
    with pytest.raises(InvalidInput, match=r"^attended: "):
        mark_consultation(BOOKED, START, attended="yes")  # type: ignore[arg-type]
