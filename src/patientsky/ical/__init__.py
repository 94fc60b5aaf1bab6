"""
Consultations as iCalendar (RFC 5545): one event, or a patient's feed.

Times are written in the real zone, ``TZID=Europe/Oslo`` with its ``VTIMEZONE``
(made from the zoneinfo database), never as fixed offsets, so a calendar app shows
the right wall-clock time on both sides of a daylight-saving change. The event's
``UID`` is the consultation's id, so an update (a new time, a cancellation) replaces
the event instead of adding a second one.

What goes in: the kind and the clinic (``SUMMARY``), the clinic's name and place
(``LOCATION``), the practitioner and, for a video consultation, the link
(``DESCRIPTION`` and ``URL``). What stays out: the patient's comment, which is health
data, and the national identity number; a calendar is often synced to a cloud
service.

Needs the extra ``ical`` (``pip install "patientsky[ical]"``).

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> from patientsky.models import Consultation, ConsultationKind, ConsultationStatus
>>> oslo = ZoneInfo("Europe/Oslo")
>>> consultation = Consultation(
...     id="con-1", patient_id="pat-1", clinic_id="clinic-1", practitioner_id="prac-1",
...     calendar_ids=["cal-1"], kind=ConsultationKind.IN_PERSON,
...     status=ConsultationStatus.BOOKED,
...     start=dt.datetime(2026, 3, 30, 9, 0, tzinfo=oslo),
...     end=dt.datetime(2026, 3, 30, 9, 20, tzinfo=oslo),
...     booked_by="pat-1", booked_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC),
... )
>>> from patientsky.ical import consultation_event
>>> text = consultation_event(consultation).decode()
>>> for line in text.splitlines():
...     if line.startswith(("DTSTART;", "UID", "STATUS")):
...         print(line)
DTSTART;TZID=Europe/Oslo:20260330T090000
UID:con-1@patientsky
STATUS:CONFIRMED
"""

from __future__ import annotations

try:
    import icalendar  # noqa: F401 - fail here, with the extra's name, if it is missing
except ImportError as exc:  # pragma: no cover - exercised by a test in a subprocess
    raise ImportError(
        'patientsky.ical needs the "ical" extra: pip install "patientsky[ical]"'
    ) from exc

from patientsky.ical._calendar import consultation_event, patient_feed, uid

__all__ = [
    "consultation_event",
    "patient_feed",
    "uid",
]
