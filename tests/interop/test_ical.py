"""Consultations as iCalendar: real zone, stable UID, cancellations, video links."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import icalendar
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.ical import consultation_event, patient_feed, uid
from patientsky.models import (
    Clinic,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    PersonName,
    Practitioner,
    Unrecognized,
)
from tests.strategies import consultations

OSLO = ZoneInfo("Europe/Oslo")
YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MINUTES_IN_YEAR = 365 * 24 * 60
CLINIC = Clinic(id="clinic-1", name="Sentrum legesenter", city="Tromsø")
PRACTITIONER = Practitioner(id="prac-1", name=PersonName("Ola", "Lege"), clinic_id="clinic-1")


def a_consultation(**changes: Any) -> Consultation:
    consultation = Consultation(
        id="con-1",
        patient_id="pat-1",
        clinic_id="clinic-1",
        practitioner_id="prac-1",
        calendar_ids=["cal-1"],
        kind=ConsultationKind.IN_PERSON,
        status=ConsultationStatus.BOOKED,
        start=dt.datetime(2026, 6, 1, 9, 0, tzinfo=OSLO),
        end=dt.datetime(2026, 6, 1, 9, 20, tzinfo=OSLO),
        booked_by="pat-1",
        booked_at=dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC),
        patient_comment="Vondt i brystet om natten",
    )
    return attrs.evolve(consultation, **changes)


def events(data: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def only_event(data: bytes) -> Any:
    (event,) = events(data)
    return event


def zones() -> st.SearchStrategy[dt.tzinfo]:
    fixed = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
    return st.sampled_from([OSLO, dt.UTC, ZoneInfo("America/New_York")]) | fixed


@st.composite
def consultations_in_a_year(draw: st.DrawFn) -> Consultation:
    """Whole-minute times anywhere in 2026, in any zone, both DST changes included."""
    start = YEAR_START + dt.timedelta(minutes=draw(st.integers(0, MINUTES_IN_YEAR)))
    end = start + dt.timedelta(minutes=draw(st.integers(1, 8 * 60)))
    zone = draw(zones())
    return a_consultation(start=start.astimezone(zone), end=end.astimezone(zone))


def dst_edges() -> st.SearchStrategy[Consultation]:
    """Times within an hour or two of the spring and autumn changes of 2026."""
    spring = dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)
    autumn = dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC)
    return st.builds(
        lambda edge, offset, minutes: a_consultation(
            start=(edge + dt.timedelta(minutes=offset)).astimezone(OSLO),
            end=(edge + dt.timedelta(minutes=offset + minutes)).astimezone(OSLO),
        ),
        st.sampled_from([spring, autumn]),
        st.integers(-120, 120),
        st.integers(1, 120),
    )


def vtimezone_offset(data: bytes, at: dt.datetime) -> dt.timedelta | None:
    """The offset the file's own VTIMEZONE gives at ``at`` (not the zoneinfo database's)."""
    (zone,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    assert isinstance(zone, icalendar.Timezone)
    return at.astimezone(zone.to_tz()).utcoffset()


@given(consultations_in_a_year() | dst_edges())
def test_start_end_and_zone_round_trip_across_both_dst_changes(consultation: Consultation) -> None:
    data = consultation_event(consultation)
    event = only_event(data)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    # As instants: Python never finds a time in the autumn fold equal to one in another zone.
    assert start.astimezone(dt.UTC) == consultation.start.astimezone(dt.UTC)
    assert end.astimezone(dt.UTC) == consultation.end.astimezone(dt.UTC)
    for parsed in (start, end):
        zone = getattr(parsed.tzinfo, "key", str(parsed.tzinfo))
        assert zone in ("Europe/Oslo", "UTC")
        if zone == "Europe/Oslo":  # the file's own VTIMEZONE agrees with the zoneinfo database
            assert vtimezone_offset(data, parsed) == parsed.utcoffset()
        else:  # only the second pass of the autumn hour is written in UTC
            local = parsed.astimezone(OSLO)
            assert local.fold == 1
            assert local.replace(fold=0).utcoffset() != local.utcoffset()


@given(consultations_in_a_year())
def test_times_are_written_in_the_oslo_zone_not_as_offsets(consultation: Consultation) -> None:
    text = consultation_event(consultation).decode()
    assert "TZID:Europe/Oslo" in text
    vevent = text[text.index("BEGIN:VEVENT") :]
    dtstart = next(line for line in vevent.splitlines() if line.startswith("DTSTART"))
    assert dtstart.startswith("DTSTART;TZID=Europe/Oslo:") or dtstart.endswith("Z")
    assert "+01:00" not in text
    assert "+02:00" not in text


def test_second_pass_of_the_autumn_hour_is_written_in_utc() -> None:
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 CEST
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 CET
    lines = consultation_event(a_consultation(start=first, end=second)).decode().splitlines()
    assert "DTSTART;TZID=Europe/Oslo:20261025T023000" in lines
    assert "DTEND:20261025T013000Z" in lines


@given(consultations())
def test_any_consultation_gives_a_calendar_that_parses(consultation: Consultation) -> None:
    event = only_event(consultation_event(consultation))
    assert str(event["uid"]) == f"{consultation.id}@patientsky"


def test_uid_stays_the_same_when_the_consultation_is_moved_or_cancelled() -> None:
    booked = a_consultation()
    moved = attrs.evolve(
        booked, start=booked.start + dt.timedelta(days=1), end=booked.end + dt.timedelta(days=1)
    )
    cancelled = attrs.evolve(
        booked,
        status=ConsultationStatus.CANCELLED,
        cancelled_at=dt.datetime(2026, 5, 2, tzinfo=dt.UTC),
    )
    uids = {str(only_event(consultation_event(c))["uid"]) for c in (booked, moved, cancelled)}
    assert uids == {uid(booked)} == {"con-1@patientsky"}


@pytest.mark.parametrize(
    "status", [ConsultationStatus.CANCELLED, ConsultationStatus.LATE_CANCELLED]
)
def test_cancelled_consultation_is_a_cancelled_event_of_a_later_sequence(
    status: ConsultationStatus,
) -> None:
    cancelled_at = dt.datetime(2026, 5, 20, 8, 0, tzinfo=dt.UTC)
    event = only_event(consultation_event(a_consultation(status=status, cancelled_at=cancelled_at)))
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1
    assert event.decoded("dtstamp") == cancelled_at


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ConsultationStatus.BOOKED, "CONFIRMED"),
        (ConsultationStatus.COMPLETED, "CONFIRMED"),
        (ConsultationStatus.NO_SHOW, "CONFIRMED"),
        (Unrecognized("postponed"), "TENTATIVE"),
    ],
)
def test_consultation_that_holds_its_time_is_not_cancelled(status: Any, expected: str) -> None:
    event = only_event(consultation_event(a_consultation(status=status)))
    assert str(event["status"]) == expected
    assert event["sequence"] == 0


def test_sequence_and_stamp_can_be_given() -> None:
    stamp = dt.datetime(2026, 5, 3, 10, 0, tzinfo=dt.UTC)
    event = only_event(consultation_event(a_consultation(), sequence=4, stamp=stamp))
    assert event["sequence"] == 4
    assert event.decoded("dtstamp") == stamp


def test_same_consultation_gives_the_same_bytes() -> None:
    assert consultation_event(a_consultation()) == consultation_event(a_consultation())


def test_location_is_the_clinic_and_description_names_the_practitioner() -> None:
    event = only_event(
        consultation_event(a_consultation(), clinic=CLINIC, practitioner=PRACTITIONER)
    )
    assert str(event["location"]) == "Sentrum legesenter, Tromsø"
    assert "Ola Lege" in str(event["description"])
    assert str(event["summary"]) == "Oppmøte – Sentrum legesenter"


def test_video_consultation_carries_its_link() -> None:
    link = "https://video.example.org/room/abc"
    video = a_consultation(kind=ConsultationKind.VIDEO)
    event = only_event(consultation_event(video, clinic=CLINIC, video_url=link))
    assert str(event["url"]) == link
    assert link in str(event["description"])
    assert str(event["summary"]) == "Videokonsultasjon – Sentrum legesenter"


def test_in_person_consultation_has_no_video_link() -> None:
    event = only_event(
        consultation_event(a_consultation(), video_url="https://video.example.org/x")
    )
    assert "url" not in event


def test_video_link_must_be_https() -> None:
    video = a_consultation(kind=ConsultationKind.VIDEO)
    with pytest.raises(InvalidInput) as info:
        consultation_event(video, video_url="http://video.example.org/x")
    assert info.value.field == "video_url"


@pytest.mark.parametrize(
    ("keyword", "value", "field"),
    [
        ("clinic", attrs.evolve(CLINIC, id="clinic-2"), "clinic"),
        ("practitioner", attrs.evolve(PRACTITIONER, id="prac-2"), "practitioner"),
    ],
)
def test_clinic_and_practitioner_must_be_the_consultations(
    keyword: str, value: Any, field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        consultation_event(a_consultation(), **{keyword: value})
    assert info.value.field == field


def test_patient_comment_never_goes_into_the_calendar() -> None:
    data = consultation_event(a_consultation(), clinic=CLINIC, practitioner=PRACTITIONER)
    assert b"brystet" not in data


@given(st.lists(consultations_in_a_year(), max_size=5, unique_by=lambda c: c.start))
@example(  # both readings of 02:00 in Oslo on the night the clocks go back, in UTC
    [
        a_consultation(
            start=dt.datetime(2026, 10, 25, hour, 0, tzinfo=dt.UTC),
            end=dt.datetime(2026, 10, 25, hour, 30, tzinfo=dt.UTC),
        )
        for hour in (1, 0)
    ]
)
def test_feed_has_one_event_per_consultation_in_start_order_and_one_zone(
    items: list[Consultation],
) -> None:
    items = [attrs.evolve(c, id=f"con-{i}") for i, c in enumerate(items)]
    data = patient_feed(items, clinics=[CLINIC], practitioners=[PRACTITIONER], name="Mine timer")
    calendar = icalendar.Calendar.from_ical(data)
    starts = [e.decoded("dtstart").astimezone(dt.UTC) for e in calendar.walk("VEVENT")]
    # As instants: Python never finds a time in the autumn fold equal to one in another zone.
    assert starts == sorted(c.start.astimezone(dt.UTC) for c in items)
    assert len(calendar.walk("VTIMEZONE")) == (1 if items else 0)
    assert str(calendar["x-wr-calname"]) == "Mine timer"


def test_feed_gives_each_video_consultation_its_own_link() -> None:
    one = a_consultation(id="con-1", kind=ConsultationKind.VIDEO)
    two = attrs.evolve(
        one,
        id="con-2",
        start=one.start + dt.timedelta(hours=1),
        end=one.end + dt.timedelta(hours=1),
    )
    links = {"con-1": "https://video.example.org/1", "con-2": "https://video.example.org/2"}
    found = [str(e["url"]) for e in events(patient_feed([two, one], video_urls=links))]
    assert found == [links["con-1"], links["con-2"]]


@pytest.mark.parametrize(
    ("module", "extra"), [("patientsky.ical", "ical"), ("patientsky.fhir", "fhir")]
)
def test_missing_extra_is_named_in_the_import_error(module: str, extra: str) -> None:
    blocked = "icalendar" if extra == "ical" else "fhir.resources"
    code = f"import sys; sys.modules[{blocked!r}] = None; import {module}"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert f'pip install "patientsky[{extra}]"' in result.stderr


def test_importing_patientsky_loads_neither_fhir_nor_icalendar() -> None:
    code = (
        "import sys, patientsky, patientsky.models; "
        "print(sorted(m for m in ('fhir', 'icalendar', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
