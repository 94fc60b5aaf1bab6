"""
Time helpers for the rules: Norwegian calendar dates and the 16th birthday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from patientsky.errors import InvalidInput
from patientsky.models.calendar import OSLO

AGE_OF_HEALTH_CONSENT = 16
"""From 16 a person decides over their own health data; a parent's access ends."""


def check_aware(at: Any, field: str = "at") -> dt.datetime:
    """
    Return ``at`` if it is a timezone-aware datetime.

    Raises:
        InvalidInput: Naming ``field`` otherwise.
    """
    if not isinstance(at, dt.datetime):
        raise InvalidInput(field, "must be a datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(field, "must be timezone-aware")
    return at


def oslo_date(at: dt.datetime) -> dt.date:
    """Return the calendar date in Europe/Oslo at the instant ``at``."""
    return at.astimezone(OSLO).date()


def oslo_midnight(day: dt.date) -> dt.datetime:
    """Return 00:00 Europe/Oslo on ``day`` (midnight always exists there: DST shifts at 02:00)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=OSLO)


def birthday(birth_date: dt.date, years: int) -> dt.date:
    """
    Return the day a person born on ``birth_date`` turns ``years`` old.

    Someone born on 29 February has the birthday on 1 March in a year without one.
    """
    year = birth_date.year + years
    if year > dt.MAXYEAR:
        return dt.date.max
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def age_limit_reached_at(birth_date: dt.date) -> dt.datetime:
    """Return 00:00 Europe/Oslo on the 16th birthday of someone born on ``birth_date``."""
    return oslo_midnight(birthday(birth_date, AGE_OF_HEALTH_CONSENT))
