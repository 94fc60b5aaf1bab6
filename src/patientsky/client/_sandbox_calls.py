"""The sandbox helpers' results and the calls both clients send (see :mod:`.sandbox`)."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING

import attrs

from patientsky import errors, models
from patientsky.client import _calls, _core

if TYPE_CHECKING:
    from patientsky.models import LoginMethod, NationalId

__all__ = [
    "ADMIN_KEY_VARIABLE",
    "ClinicToken",
    "DemoPerson",
    "SandboxClock",
    "SandboxToken",
]

_MAX_ADVANCE = 10 * 366 * 86400


@attrs.frozen
class SandboxToken:
    """
    A person's bearer token from the sandbox login.

    Args:
        access_token: The token; never in the repr.
        token_type: ``"Bearer"``.
        expires_at: When it stops working.
        person_id: The logged-in person's patient id.
    """

    access_token: str = attrs.field(repr=False)
    token_type: str
    expires_at: dt.datetime
    person_id: str


@attrs.frozen
class ClinicToken:
    """
    A clinic staff member's bearer token from the sandbox (to add relations, R3).

    Args:
        access_token: The token; never in the repr.
        token_type: ``"Bearer"``.
        expires_at: When it stops working.
        clinic_id: The clinic.
    """

    access_token: str = attrs.field(repr=False)
    token_type: str
    expires_at: dt.datetime
    clinic_id: str


@attrs.frozen
class DemoPerson:
    """
    One of the sandbox's demo people, to log in as by handle.

    Args:
        handle: What to log in with, such as ``"kari"``; the same in every sandbox.
        name: Their name.
        role: What they show in the demo, in a few words.
        patient_id: Their patient id (``"p-kari"``), for
            :meth:`~patientsky.client.PortalClient.acting_for`.
    """

    handle: str
    name: str
    role: str
    patient_id: str


@attrs.frozen
class SandboxClock:
    """
    The sandbox's time.

    Args:
        now: The sandbox's current time.
        frozen: Whether it is a test clock (set or advanced) rather than real time.
    """

    now: dt.datetime
    frozen: bool


_HANDLE = re.compile("[a-z][a-z0-9-]{0,39}")
_NUMBER = re.compile(r"[0-9\s.-]+")


def _who(person: NationalId | str) -> dict[str, str]:
    """The login body's ``person`` (a handle) or ``nationalId`` (anything number-like)."""
    if isinstance(person, models.NationalId):
        return {"nationalId": person.reveal()}
    if not isinstance(person, str):
        raise errors.InvalidInput("person", "must be a handle, a NationalId or a string")
    if _NUMBER.fullmatch(person):
        return {"nationalId": models.NationalId.parse(person, allow_synthetic=True).reveal()}
    if _HANDLE.fullmatch(person) is None:
        raise errors.InvalidInput(
            "person", "must be a demo person's handle (such as kari) or a national identity number"
        )
    return {"person": person}


def _login(person: NationalId | str, method: LoginMethod) -> _core.Call[SandboxToken]:
    if not isinstance(method, models.LoginMethod):
        raise errors.InvalidInput("method", "must be a LoginMethod")
    body = _calls.json_body(**_who(person), method=method)
    return _core.Call(
        "POST",
        ("sandbox", "login"),
        _calls.model(SandboxToken),
        body=body,
        content_type="application/json",
        idempotent=True,  # a second login only makes a second token
    )


def _list_people() -> _core.Call[list[DemoPerson]]:
    return _core.Call("GET", ("sandbox", "people"), _calls.data_list(DemoPerson))


def _clinic_login(clinic_id: str) -> _core.Call[ClinicToken]:
    return _core.Call(
        "POST",
        ("sandbox", "clinic-login"),
        _calls.model(ClinicToken),
        body=_calls.json_body(clinicId=_core.segment("clinic_id", clinic_id)),
        content_type="application/json",
        idempotent=True,
    )


def _get_clock() -> _core.Call[SandboxClock]:
    return _core.Call("GET", ("sandbox", "clock"), _calls.model(SandboxClock))


def _set_clock(now: object) -> _core.Call[SandboxClock]:
    if not isinstance(now, dt.datetime) or now.utcoffset() is None:
        raise errors.InvalidInput("now", "must be a timezone-aware datetime")
    return _core.Call(
        "PUT",
        ("sandbox", "clock"),
        _calls.model(SandboxClock),
        body=_calls.json_body(now=now),
        content_type="application/json",
        idempotent=True,
    )


def _advance_clock(by: dt.timedelta | int) -> _core.Call[SandboxClock]:
    seconds = by.total_seconds() if isinstance(by, dt.timedelta) else by
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise errors.InvalidInput("by", "must be a timedelta or a number of seconds")
    if seconds != int(seconds) or not 0 <= seconds <= _MAX_ADVANCE:
        raise errors.InvalidInput("by", "must be whole seconds, from 0 to ten years")
    # Not idempotent: a repeat would move the clock twice, so it is retried only when
    # the request certainly never reached the sandbox.
    return _core.Call(
        "POST",
        ("sandbox", "clock", "advance"),
        _calls.model(SandboxClock),
        body=_calls.json_body(seconds=int(seconds)),
        content_type="application/json",
    )


def _reset_clock() -> _core.Call[SandboxClock]:
    return _core.Call("DELETE", ("sandbox", "clock"), _calls.model(SandboxClock), idempotent=True)


ADMIN_KEY_VARIABLE = "PATIENTSKY_SANDBOX_KEY"
"""The environment variable that holds the sandbox's admin key, on both sides."""


def _admin_key(given: str | None) -> str | None:
    return given if given is not None else os.environ.get(ADMIN_KEY_VARIABLE) or None
