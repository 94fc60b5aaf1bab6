"""
What the parts of the demo world share: its clinics' ids, the calendar files, synthetic numbers.
"""

from __future__ import annotations

import datetime as dt

import attrs

from patientsky.models import (
    KidNumber,
    NationalId,
    OrganisationNumber,
    PersonName,
    PractitionerRole,
)
from patientsky.models import fodselsnummer as _fnr
from patientsky.models import kid as _kid
from patientsky.models import orgnr as _orgnr
from patientsky.models.calendar import OSLO
from patientsky.models.kid import KidMethod
from patientsky.wire.legacy import demo_exports

CALENDAR_DIR = demo_exports()
"""PatientSky's calendar exports, as shipped (:func:`~patientsky.wire.legacy.demo_exports`)."""


SENTRUM, FJORD, NORD = "clinic-sentrum", "clinic-fjord", "clinic-nord"


TERMS_VERSION = "2026-01"


# The fixture calendars: file name, practitioner id, name, role.
_CALENDAR_FILES = (
    ("Emma_Win.json", "pr-emma", PersonName("Emma", "Win"), PractitionerRole.GP),
    ("Danny_boy.json", "pr-danny", PersonName("Danny", "Boy"), PractitionerRole.DOCTOR),
    ("Joanna_Hef.json", "pr-joanna", PersonName("Joanna", "Hef"), PractitionerRole.NURSE),
)


_FIXTURE_MONDAY = dt.date(2019, 4, 22)


@attrs.frozen
class DemoLogin:
    """
    A demo person one can log in as.

    Args:
        patient_id: Their patient id.
        name: Their name.
        national_id: Their synthetic national identity number.
        role: What they show in the demo, in a few words.
    """

    patient_id: str
    name: str
    national_id: NationalId
    role: str


def synthetic_national_id(birth: dt.date, start: int = 0) -> NationalId:
    """
    Return a synthetic test national identity number (month + 80) for a birth date.

    Args:
        birth: The birth date (1900 to 2039).
        start: Where to start looking for an individual number with valid check digits.

    Returns:
        A valid synthetic number; never a real person's.

    >>> nid = synthetic_national_id(dt.date(1985, 3, 14))
    >>> nid.is_synthetic, nid.birth_date.isoformat()
    (True, '1985-03-14')
    """
    low = 0 if birth.year < 2000 else 500
    for offset in range(500):
        individual = low + (start + offset) % 500
        nine = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
        try:
            check = _fnr.calc_check_digits(nine)
        except ValueError:
            continue  # no check digits for this individual number; try the next
        return NationalId(nine + check)
    raise AssertionError("unreachable: some individual number always has check digits")


def _org(prefix: str) -> OrganisationNumber:
    for last in range(10):
        eight = f"{prefix}{last}"
        try:
            return OrganisationNumber(eight + _orgnr.calc_check_digit(eight))
        except ValueError:
            continue
    raise AssertionError("unreachable: some eight digits always have a check digit")


def _kid_number(payload: str) -> KidNumber:
    return KidNumber(payload + _kid.calc_check_digit(payload, KidMethod.MOD10))


def _birthday_years_ago(today: dt.date, years: int, days_until_birthday: int = 0) -> dt.date:
    """The birth date of someone who turns ``years`` in ``days_until_birthday`` days."""
    birthday = today + dt.timedelta(days=days_until_birthday)
    try:
        return birthday.replace(year=birthday.year - years)
    except ValueError:  # 29 February
        return birthday.replace(year=birthday.year - years, day=28)


def _oslo(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)
