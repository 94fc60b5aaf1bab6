"""
What the parts of the demo world share: the calendar exports, demo logins, synthetic numbers.
"""

from __future__ import annotations

import datetime as dt

import attrs

from patientsky.models import NationalId
from patientsky.models import fodselsnummer as _fnr
from patientsky.wire.legacy import demo_exports

CALENDAR_DIR = demo_exports()
"""PatientSky's calendar exports, as shipped (:func:`~patientsky.wire.legacy.demo_exports`)."""


FIXTURE_MONDAY = dt.date(2019, 4, 22)
"""The Monday of the week PatientSky's calendar exports show."""


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
