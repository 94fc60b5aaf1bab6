"""L1: which logins give access to health data."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import AssuranceLevel, LoginMethod, LoginSession
from patientsky.rules import (
    HEALTH_DATA_METHODS,
    Reason,
    check_login,
    gives_health_data_access,
)
from tests.strategies_rules import aware_datetimes, oslo

NOW = oslo(2026, 3, 2, 9, 0)


def _session(method: LoginMethod, start: dt.datetime = NOW) -> LoginSession:
    return LoginSession("p1", method, start, start + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    "method",
    [LoginMethod.BANKID, LoginMethod.BUYPASS_SMART_CARD, LoginMethod.BUYPASS_MOBILE],
)
def test_patients_log_in_with_bankid_or_buypass(method: LoginMethod) -> None:
    assert check_login(_session(method), NOW + dt.timedelta(minutes=5))
    assert gives_health_data_access(method)


def test_a_minid_login_gets_no_health_data() -> None:
    decision = check_login(_session(LoginMethod.MINID), NOW)
    assert decision.reason is Reason.LOGIN_ASSURANCE_TOO_LOW
    assert not gives_health_data_access(LoginMethod.MINID)


def test_only_high_assurance_methods_reach_health_data() -> None:
    assert {m for m in LoginMethod if m.assurance is AssuranceLevel.HIGH} == HEALTH_DATA_METHODS


def test_an_expired_session_allows_nothing() -> None:
    session = _session(LoginMethod.BANKID)
    assert check_login(session, session.expires_at).reason is Reason.SESSION_EXPIRED
    assert check_login(session, session.expires_at - dt.timedelta(microseconds=1))


def test_a_session_that_has_not_begun_allows_nothing() -> None:
    session = _session(LoginMethod.BANKID)
    before = session.authenticated_at - dt.timedelta(seconds=1)
    assert check_login(session, before).reason is Reason.SESSION_NOT_YET_VALID


def test_an_expired_minid_session_is_reported_as_expired() -> None:
    session = _session(LoginMethod.MINID)
    assert check_login(session, session.expires_at).reason is Reason.SESSION_EXPIRED


def test_a_naive_time_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=r"^at: "):
        check_login(_session(LoginMethod.BANKID), dt.datetime(2026, 3, 2, 9, 0))


@given(st.sampled_from(LoginMethod), aware_datetimes())
def test_login_is_allowed_exactly_inside_the_session_with_high_assurance(
    method: LoginMethod, at: dt.datetime
) -> None:
    session = _session(method)
    expected = session.is_active(at) and method.assurance >= AssuranceLevel.HIGH
    assert bool(check_login(session, at)) is expected
