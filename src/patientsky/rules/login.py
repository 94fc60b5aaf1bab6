"""
Login (L1): which logins give access to health data.

Norwegian health data needs a high-assurance electronic ID (eIDAS "high",
"sikkerhetsnivå 4"): BankID, Buypass ID on a smart card or on a mobile phone (and
Commfides). A lower-assurance login such as MinID still identifies the person, but
gets no health data; an expired session gets nothing.

>>> import datetime as dt
>>> from patientsky.models import LoginMethod, LoginSession
>>> start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
>>> session = LoginSession("p1", LoginMethod.MINID, start, start + dt.timedelta(hours=1))
>>> check_login(session, start).reason
<Reason.LOGIN_ASSURANCE_TOO_LOW: 'login_assurance_too_low'>
>>> gives_health_data_access(LoginMethod.BUYPASS_MOBILE)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set

from patientsky.models._base import instant
from patientsky.models.identity import AssuranceLevel, LoginMethod
from patientsky.models.session import LoginSession
from patientsky.rules._time import check_aware
from patientsky.rules.decision import Decision, Reason

__all__ = [
    "HEALTH_DATA_ASSURANCE",
    "HEALTH_DATA_METHODS",
    "check_login",
    "gives_health_data_access",
]

HEALTH_DATA_ASSURANCE = AssuranceLevel.HIGH
"""The assurance level a login needs for health data."""

HEALTH_DATA_METHODS: Set[LoginMethod] = frozenset(
    m for m in LoginMethod if m.assurance >= HEALTH_DATA_ASSURANCE
)
"""The login methods that give access to health data (BankID, Buypass, Commfides)."""


def gives_health_data_access(method: LoginMethod) -> bool:
    """
    Tell whether logging in with ``method`` gives access to health data.

    Args:
        method: The login method.

    Returns:
        True for the high-assurance methods.
    """
    return method in HEALTH_DATA_METHODS


def check_login(session: LoginSession, at: dt.datetime) -> Decision:
    """
    Decide whether a login session may reach health data at ``at``.

    The session is checked first (a session that has ended, or not begun, allows
    nothing), then the login method's assurance level.

    Args:
        session: The person's login session.
        at: The time of the request (timezone-aware).

    Returns:
        Allowed, or denied with ``SESSION_EXPIRED``, ``SESSION_NOT_YET_VALID`` or
        ``LOGIN_ASSURANCE_TOO_LOW``.

    Raises:
        InvalidInput: If ``at`` is not a timezone-aware datetime.
    """
    check_aware(at)
    return _check_login(session, at)


# Looked up on every access decision: a tuple scan by identity is cheaper than hashing.
_HIGH = tuple(HEALTH_DATA_METHODS)
_ALLOW = Decision.allow()
_EXPIRED = Decision.deny(Reason.SESSION_EXPIRED)
_NOT_YET_VALID = Decision.deny(Reason.SESSION_NOT_YET_VALID)
_TOO_LOW = Decision.deny(Reason.LOGIN_ASSURANCE_TOO_LOW)


def _check_login(session: LoginSession, at: dt.datetime) -> Decision:
    at = instant(at)
    if at >= instant(session.expires_at):
        return _EXPIRED
    if at < instant(session.authenticated_at):
        return _NOT_YET_VALID
    if session.method not in _HIGH:
        return _TOO_LOW
    return _ALLOW
