"""
My consultations (K1, K4): upcoming and past, and the clinic marking how one went.

A consultation is **upcoming** at ``at`` while it is booked and has not ended; it is
**past** once it has ended, and as soon as it is completed, not attended or cancelled,
whatever its time: a cancelled appointment next week is history, not something to
turn up to. A status this version does not know is placed by its time alone.
Upcoming consultations are listed soonest first, past ones newest first.

The clinic marks a booked consultation **completed** or **not attended**
(``NO_SHOW``) once it has started (``CONSULTATION_NOT_STARTED`` before that), and only
once (``CONSULTATION_NOT_BOOKED`` for one cancelled or marked already). A consultation
not attended may be charged the clinic's fee:
:func:`~patientsky.rules.booking.cancellation_fee_invoice`.

>>> import datetime as dt
>>> from patientsky.models import Consultation, ConsultationKind, ConsultationStatus
>>> t = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
>>> c = Consultation(
...     "k1", "p1", "c1", "gp1", ["cal1"], ConsultationKind.IN_PERSON,
...     ConsultationStatus.BOOKED, t, t + dt.timedelta(minutes=15), "p1", t - dt.timedelta(days=3),
... )
>>> timing(c, t - dt.timedelta(hours=1)).value
'upcoming'
>>> done = mark_consultation(c, t + dt.timedelta(minutes=20), attended=True).unwrap()
>>> done.status.value, timing(done, t - dt.timedelta(hours=1)).value
('completed', 'past')
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import instant
from patientsky.models.consultation import Consultation, ConsultationStatus
from patientsky.rules._time import check_aware
from patientsky.rules.decision import Allowed, Denied, Outcome, Reason

__all__ = [
    "Timing",
    "mark_consultation",
    "past",
    "timing",
    "upcoming",
]


class Timing(enum.Enum):
    """Whether a consultation is listed as upcoming or past (K1)."""

    UPCOMING = "upcoming"
    PAST = "past"


_DONE = (
    ConsultationStatus.COMPLETED,
    ConsultationStatus.NO_SHOW,
    ConsultationStatus.CANCELLED,
    ConsultationStatus.LATE_CANCELLED,
)


def timing(consultation: Consultation, at: dt.datetime) -> Timing:
    """
    Return whether ``consultation`` is upcoming or past at ``at``.

    Raises:
        InvalidInput: If ``at`` is not a timezone-aware datetime.
    """
    check_aware(at)
    if consultation.status in _DONE or instant(consultation.end) <= instant(at):
        return Timing.PAST
    return Timing.UPCOMING


def _checked(consultations: Iterable[Consultation]) -> list[Consultation]:
    chosen = list(consultations)
    for i, consultation in enumerate(chosen):
        if not isinstance(consultation, Consultation):
            raise InvalidInput(f"consultations[{i}]", "must be a Consultation")
    return chosen


def upcoming(consultations: Iterable[Consultation], at: dt.datetime) -> list[Consultation]:
    """Return the upcoming consultations at ``at``, soonest first."""
    check_aware(at)
    rows = [c for c in _checked(consultations) if timing(c, at) is Timing.UPCOMING]
    rows.sort(key=lambda c: (instant(c.start), c.id))
    return rows


def past(consultations: Iterable[Consultation], at: dt.datetime) -> list[Consultation]:
    """Return the past consultations at ``at``, newest first."""
    check_aware(at)
    rows = [c for c in _checked(consultations) if timing(c, at) is Timing.PAST]
    rows.sort(key=lambda c: (instant(c.start), c.id), reverse=True)
    return rows


def mark_consultation(
    consultation: Consultation, at: dt.datetime, *, attended: bool
) -> Outcome[Consultation]:
    """
    Mark a booked consultation completed, or not attended, at ``at`` (the clinic's side).

    Args:
        consultation: The consultation, booked.
        at: When the clinic marks it (timezone-aware); no earlier than its start.
        attended: True for completed, False for not attended (``NO_SHOW``).

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the marked consultation, or
        :class:`~patientsky.rules.decision.Denied` with ``CONSULTATION_NOT_BOOKED`` or
        ``CONSULTATION_NOT_STARTED``.

    Raises:
        InvalidInput: If ``at`` is naive or ``attended`` is not a bool.
    """
    check_aware(at)
    if not isinstance(attended, bool):
        raise InvalidInput("attended", "must be a bool")
    if not isinstance(consultation, Consultation):
        raise InvalidInput("consultation", "must be a Consultation")
    if consultation.status is not ConsultationStatus.BOOKED:
        return Denied.because(Reason.CONSULTATION_NOT_BOOKED)
    if instant(at) < instant(consultation.start):
        return Denied.because(Reason.CONSULTATION_NOT_STARTED)
    status = ConsultationStatus.COMPLETED if attended else ConsultationStatus.NO_SHOW
    return Allowed(attrs.evolve(consultation, status=status))
