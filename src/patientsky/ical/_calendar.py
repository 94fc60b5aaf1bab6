"""
The events and the calendar around them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

import icalendar

from patientsky.errors import InvalidInput
from patientsky.models import (
    Clinic,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Practitioner,
)

_OSLO = ZoneInfo("Europe/Oslo")
_PRODID = "-//patientsky//patientsky.ical//EN"


def uid(consultation: Consultation) -> str:
    """
    Return the event's stable ``UID``: the same for every version of a consultation.
    """
    return f"{consultation.id}@patientsky"


def _local(value: dt.datetime) -> dt.datetime:
    """
    The time in Oslo; or in UTC, if it falls in the second pass of an autumn hour.

    RFC 5545 reads an ambiguous local time as its first occurrence, so the second
    one can only be written in UTC.
    """
    local = value.astimezone(_OSLO)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return value.astimezone(dt.UTC)
    return local


def _summary(consultation: Consultation, clinic: Clinic | None) -> str:
    kind = consultation.kind
    label = kind.label_nb if isinstance(kind, ConsultationKind) else "Konsultasjon"
    return f"{label} – {clinic.name}" if clinic is not None else label


def _status(consultation: Consultation) -> str:
    if not consultation.holds_time:
        return "CANCELLED"
    return "CONFIRMED" if isinstance(consultation.status, ConsultationStatus) else "TENTATIVE"


def _event(
    consultation: Consultation,
    clinic: Clinic | None,
    practitioner: Practitioner | None,
    video_url: str | None,
    sequence: int | None,
    stamp: dt.datetime | None,
) -> icalendar.Event:
    if clinic is not None and clinic.id != consultation.clinic_id:
        raise InvalidInput("clinic", "is not the consultation's clinic")
    if practitioner is not None and practitioner.id != consultation.practitioner_id:
        raise InvalidInput("practitioner", "is not the consultation's practitioner")
    cancelled = not consultation.holds_time
    event = icalendar.Event()
    event.add("uid", uid(consultation))
    event.add("sequence", (1 if cancelled else 0) if sequence is None else sequence)
    changed = consultation.cancelled_at if cancelled and consultation.cancelled_at else None
    event.add("dtstamp", (stamp or changed or consultation.booked_at).astimezone(dt.UTC))
    event.add("created", consultation.booked_at.astimezone(dt.UTC))
    event.add("dtstart", _local(consultation.start))
    event.add("dtend", _local(consultation.end))
    event.add("summary", _summary(consultation, clinic))
    event.add("status", _status(consultation))
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if clinic is not None:
        event.add("location", ", ".join(p for p in (clinic.name, clinic.city) if p))
    lines = []
    if practitioner is not None:
        lines.append(f"Behandler: {practitioner.name.full}")
    if consultation.kind is ConsultationKind.VIDEO and video_url is not None:
        if not video_url.startswith("https://"):
            raise InvalidInput("video_url", "must be an https:// link")
        lines.append(f"Videolenke: {video_url}")
        event.add("url", video_url)
    if lines:
        event.add("description", "\n".join(lines))
    return event


def _calendar(
    events: list[icalendar.Event], consultations: list[Consultation], name: str | None = None
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", _OSLO.key)
    for event in events:
        calendar.add_component(event)
    if consultations:
        # Cover whole years around the events: both daylight-saving changes of each.
        first = min(c.start.astimezone(_OSLO).year for c in consultations)
        last = max(c.end.astimezone(_OSLO).year for c in consultations)
        calendar.add_missing_timezones(
            first_date=dt.date(first, 1, 1), last_date=dt.date(last + 1, 1, 1)
        )
    data: bytes = calendar.to_ical()
    return data


def consultation_event(
    consultation: Consultation,
    *,
    clinic: Clinic | None = None,
    practitioner: Practitioner | None = None,
    video_url: str | None = None,
    sequence: int | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """
    Return a calendar file (``text/calendar``) holding one consultation.

    Args:
        consultation: The consultation.
        clinic: Its clinic, for the summary and the location.
        practitioner: Its practitioner, named in the description.
        video_url: The link to join, for a video consultation (``https://`` only);
            ignored for one in person.
        sequence: The revision (``SEQUENCE``); by default 0, or 1 once cancelled.
            Pass a higher number when the time changes, so that calendar apps that
            compare revisions take the update.
        stamp: When the file was made (``DTSTAMP``); by default the last change the
            consultation records (the cancellation or the booking), so the same
            consultation always gives the same bytes.

    Raises:
        InvalidInput: If the clinic or practitioner is not the consultation's, or the
            video link is not an ``https://`` link.
    """
    event = _event(consultation, clinic, practitioner, video_url, sequence, stamp)
    return _calendar([event], [consultation])


def patient_feed(
    consultations: Iterable[Consultation],
    *,
    clinics: Iterable[Clinic] = (),
    practitioners: Iterable[Practitioner] = (),
    video_urls: Mapping[str, str] | None = None,
    name: str | None = None,
) -> bytes:
    """
    Return a patient's calendar feed: every consultation as an event, in start order.

    Cancelled consultations stay in the feed with ``STATUS:CANCELLED``, so a calendar
    that subscribed removes or strikes them instead of keeping a stale event.

    Args:
        consultations: The patient's consultations.
        clinics: Their clinics; an event whose clinic is not given has no location.
        practitioners: Their practitioners, named in the descriptions.
        video_urls: The join link of each video consultation, by consultation id.
        name: The feed's name, as calendar apps show it (``X-WR-CALNAME``).

    Raises:
        InvalidInput: If a video link is not an ``https://`` link.
    """
    by_clinic = {c.id: c for c in clinics}
    by_practitioner = {p.id: p for p in practitioners}
    links = dict(video_urls or {})
    ordered = sorted(consultations, key=lambda c: (c.start.astimezone(dt.UTC), c.id))
    events = [
        _event(
            c,
            by_clinic.get(c.clinic_id),
            by_practitioner.get(c.practitioner_id),
            links.get(c.id),
            None,
            None,
        )
        for c in ordered
    ]
    return _calendar(events, ordered, name)
