"""
Helpers for the sandbox's development-only endpoints: log in, move its clock, play the clinic.

Real deployments log people in with BankID or Buypass through OIDC; the sandbox stands
in with ``POST /v1/sandbox/login``, which takes a demo person's handle (``kari``; the
sandbox lists its demo people at ``GET /v1/sandbox/people``) or a national identity
number, and a login method. This module is not imported by :mod:`patientsky.client`;
import it in tests, demos and notebooks.

>>> import httpx
>>> from patientsky.client import PortalClient
>>> def server(request: httpx.Request) -> httpx.Response:
...     return httpx.Response(200, json={
...         "accessToken": "t0k3n", "tokenType": "Bearer",
...         "expiresAt": "2026-03-01T13:00:00+00:00", "personId": "p-1"})
>>> anonymous = PortalClient("https://sandbox.test", transport=httpx.MockTransport(server))
>>> token = Sandbox(anonymous).login("kari")
>>> token.person_id, token.expires_at.isoformat()
('p-1', '2026-03-01T13:00:00+00:00')
>>> "t0k3n" in repr(token)
False
>>> client = anonymous.with_options(token=token.access_token)
>>> anonymous.close()
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Unpack

import attrs

from patientsky import errors, models
from patientsky.client import _calls, _core
from patientsky.client._clinic_side import (
    AsyncClinicSide,
    ClinicConnection,
    ClinicSide,
    Settlement,
)

if TYPE_CHECKING:
    from patientsky.client import AsyncPortalClient, CallOptions, PortalClient
    from patientsky.models import LoginMethod, NationalId

__all__ = [
    "ADMIN_KEY_VARIABLE",
    "AsyncClinicSide",
    "AsyncSandbox",
    "ClinicConnection",
    "ClinicSide",
    "ClinicToken",
    "DemoPerson",
    "Sandbox",
    "SandboxClock",
    "SandboxToken",
    "Settlement",
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


class Sandbox:
    """
    The sandbox's development endpoints, through a :class:`~patientsky.client.PortalClient`.

    Logging in as a person is open, as BankID is to anyone with a BankID; the clock and
    clinic login are the sandbox's own operations and need its admin key.

    Args:
        client: A client for the sandbox (it needs no token).
        admin_key: The sandbox's admin key (printed when it starts); taken from the
            environment variable ``PATIENTSKY_SANDBOX_KEY`` if None. Sent only with the
            operations that need it, never logged.
    """

    def __init__(self, client: PortalClient, *, admin_key: str | None = None) -> None:
        self._client = client
        key = _admin_key(admin_key)
        self._admin = client if key is None else client.with_options(token=key)
        self.clinic = ClinicSide(self._admin)
        """The clinic's half (replies, invoices, renewals, ...), with the admin key."""

    def people(self, **options: Unpack[CallOptions]) -> list[DemoPerson]:
        """Return the demo people one can log in as, with their handles."""
        return self._client._run(_list_people(), options)

    def login(
        self,
        person: NationalId | str,
        method: LoginMethod = models.LoginMethod.BANKID,
        **options: Unpack[CallOptions],
    ) -> SandboxToken:
        """
        Log in as a person, as BankID or Buypass would (L1).

        Args:
            person: A demo person's handle (``"kari"``; see :meth:`people`), or a
                national identity number (synthetic test numbers only), as a
                :class:`~patientsky.models.identity.NationalId` or a string of digits; a number
                travels in the body, never in the URL or a log.
            method: The login method; a MinID login gets a token, but no health data.

        Raises:
            InvalidInput: ``person`` is neither a handle nor a valid number.
        """
        return self._client._run(_login(person, method), options)

    def clinic_login(self, clinic_id: str, **options: Unpack[CallOptions]) -> ClinicToken:
        """Log in as a clinic's staff, to add relations (R3)."""
        return self._admin._run(_clinic_login(clinic_id), options)

    def client_for(
        self,
        person: NationalId | str,
        method: LoginMethod = models.LoginMethod.BANKID,
        **options: Unpack[CallOptions],
    ) -> PortalClient:
        """
        Log in as a person and return a view of the client that uses their token.

        Args:
            person: A demo person's handle or a national identity number, as for
                :meth:`login`.
            method: The login method.
        """
        token = self.login(person, method, **options)
        return self._client.with_options(token=token.access_token)

    def clock(self, **options: Unpack[CallOptions]) -> SandboxClock:
        """Return the sandbox's time."""
        return self._client._run(_get_clock(), options)

    def set_clock(self, now: dt.datetime, **options: Unpack[CallOptions]) -> SandboxClock:
        """Freeze the sandbox's clock at ``now`` (timezone-aware)."""
        return self._admin._run(_set_clock(now), options)

    def advance_clock(self, by: dt.timedelta | int, **options: Unpack[CallOptions]) -> SandboxClock:
        """Move the sandbox's clock forward by ``by`` (a timedelta, or seconds)."""
        return self._admin._run(_advance_clock(by), options)

    def reset_clock(self, **options: Unpack[CallOptions]) -> SandboxClock:
        """Return the sandbox's clock to real time."""
        return self._admin._run(_reset_clock(), options)


class AsyncSandbox:
    """
    The sandbox's development endpoints, through an :class:`~patientsky.client.AsyncPortalClient`.

    Args:
        client: An async client for the sandbox (it needs no token).
        admin_key: The sandbox's admin key; see :class:`Sandbox`.
    """

    def __init__(self, client: AsyncPortalClient, *, admin_key: str | None = None) -> None:
        self._client = client
        key = _admin_key(admin_key)
        self._admin = client if key is None else client.with_options(token=key)
        self.clinic = AsyncClinicSide(self._admin)
        """The clinic's half (replies, invoices, renewals, ...), with the admin key."""

    async def people(self, **options: Unpack[CallOptions]) -> list[DemoPerson]:
        """Return the demo people one can log in as, with their handles."""
        return await self._client._run(_list_people(), options)

    async def login(
        self,
        person: NationalId | str,
        method: LoginMethod = models.LoginMethod.BANKID,
        **options: Unpack[CallOptions],
    ) -> SandboxToken:
        """Log in as a person, as BankID or Buypass would (L1); see :meth:`Sandbox.login`."""
        return await self._client._run(_login(person, method), options)

    async def clinic_login(self, clinic_id: str, **options: Unpack[CallOptions]) -> ClinicToken:
        """Log in as a clinic's staff, to add relations (R3)."""
        return await self._admin._run(_clinic_login(clinic_id), options)

    async def client_for(
        self,
        person: NationalId | str,
        method: LoginMethod = models.LoginMethod.BANKID,
        **options: Unpack[CallOptions],
    ) -> AsyncPortalClient:
        """Log in as a person and return a view of the client that uses their token."""
        token = await self.login(person, method, **options)
        return self._client.with_options(token=token.access_token)

    async def clock(self, **options: Unpack[CallOptions]) -> SandboxClock:
        """Return the sandbox's time."""
        return await self._client._run(_get_clock(), options)

    async def set_clock(self, now: dt.datetime, **options: Unpack[CallOptions]) -> SandboxClock:
        """Freeze the sandbox's clock at ``now`` (timezone-aware)."""
        return await self._admin._run(_set_clock(now), options)

    async def advance_clock(
        self, by: dt.timedelta | int, **options: Unpack[CallOptions]
    ) -> SandboxClock:
        """Move the sandbox's clock forward by ``by`` (a timedelta, or seconds)."""
        return await self._admin._run(_advance_clock(by), options)

    async def reset_clock(self, **options: Unpack[CallOptions]) -> SandboxClock:
        """Return the sandbox's clock to real time."""
        return await self._admin._run(_reset_clock(), options)
