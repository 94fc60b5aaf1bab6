"""
Sandbox logins: bearer tokens for a person (standing in for BankID/Buypass) or a clinic.

A token is 32 random bytes (``secrets.token_urlsafe``); only its SHA-256 is stored, so
the database never holds a usable token. Tokens expire after :data:`TOKEN_LIFETIME` of
sandbox-clock time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping

import attrs

from patientsky.models import LoginMethod, LoginSession
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox.storage import Transaction

TOKEN_LIFETIME = dt.timedelta(hours=1)
_PERSON, _CLINIC = "person", "clinic"


@attrs.frozen
class PersonPrincipal:
    """A logged-in person, with their login session."""

    session: LoginSession

    @property
    def caller(self) -> str:
        """The key idempotency records are kept under."""
        return f"person:{self.session.person_id}"


@attrs.frozen
class ClinicPrincipal:
    """A clinic's staff, logged in to the sandbox."""

    clinic_id: str
    expires_at: dt.datetime

    @property
    def caller(self) -> str:
        """The key idempotency records are kept under."""
        return f"clinic:{self.clinic_id}"


Principal = PersonPrincipal | ClinicPrincipal


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ts(value: dt.datetime) -> str:
    # One fixed form, so that stored times sort as text (the purge relies on it).
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def issue_person_token(
    tx: Transaction, person_id: str, method: LoginMethod, now: dt.datetime
) -> tuple[str, dt.datetime]:
    """Store a new person token (hashed); return the token and when it expires."""
    tx.purge_tokens(_ts(now))
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    tx.put_token(
        _hash(token),
        kind=_PERSON,
        subject_id=person_id,
        method=method.value,
        authenticated_at=_ts(now),
        expires_at=_ts(expires),
    )
    return token, expires


def issue_clinic_token(
    tx: Transaction, clinic_id: str, now: dt.datetime
) -> tuple[str, dt.datetime]:
    """Store a new clinic token (hashed); return the token and when it expires."""
    tx.purge_tokens(_ts(now))
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    tx.put_token(
        _hash(token),
        kind=_CLINIC,
        subject_id=clinic_id,
        method=None,
        authenticated_at=_ts(now),
        expires_at=_ts(expires),
    )
    return token, expires


def revoke(tx: Transaction, headers: Mapping[str, str]) -> None:
    """Forget the bearer token in ``headers`` (a logout): it never works again."""
    _scheme, _, token = headers.get("authorization", "").partition(" ")
    tx.delete_token(_hash(token.strip()))


def _unauthorized(detail: str, code: str = "unauthorized") -> ApiProblem:
    return ApiProblem(401, code, detail, headers={"WWW-Authenticate": 'Bearer realm="patientsky"'})


def authenticate(tx: Transaction, headers: Mapping[str, str], now: dt.datetime) -> Principal:
    """
    Return who the bearer token in ``headers`` belongs to.

    Raises:
        ApiProblem: 401 without a token, or with an unknown, expired or not yet valid one.
    """
    header = headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("a bearer token is required (POST /v1/sandbox/login)")
    hashed = _hash(token.strip())
    row = tx.kept(("token", hashed), lambda: tx.get_token(hashed))
    if row is None:
        raise _unauthorized("the token is not known")
    key = tuple(row.values())
    known = _PRINCIPALS.get(key)
    if known is None:
        known = _principal(row)
        if len(_PRINCIPALS) >= _KEPT_PRINCIPALS:
            _PRINCIPALS.clear()
        _PRINCIPALS[key] = known
    authenticated_at, expires_at, principal = known
    if now >= expires_at:
        raise _unauthorized("the token has expired; log in again", "session_expired")
    if now < authenticated_at:
        raise _unauthorized("the token is not valid yet", "session_not_yet_valid")
    return principal


# Who a stored token's row names, by the row's columns (the same row, the same caller):
# read once, not on every request of a session.
_PRINCIPALS: dict[tuple[str | None, ...], tuple[dt.datetime, dt.datetime, Principal]] = {}
_KEPT_PRINCIPALS = 1024


def _principal(row: dict[str, str | None]) -> tuple[dt.datetime, dt.datetime, Principal]:
    authenticated_at = dt.datetime.fromisoformat(str(row["authenticated_at"]))
    expires_at = dt.datetime.fromisoformat(str(row["expires_at"]))
    subject = str(row["subject_id"])
    if row["kind"] == _CLINIC:
        return authenticated_at, expires_at, ClinicPrincipal(subject, expires_at)
    session = LoginSession(subject, LoginMethod(str(row["method"])), authenticated_at, expires_at)
    return authenticated_at, expires_at, PersonPrincipal(session)
