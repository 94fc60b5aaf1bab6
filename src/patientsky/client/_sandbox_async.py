"""
The sandbox's development endpoints (log in, the clock, clinic login), as methods over a client.

The async class is written here; ``tools/unasync.py`` writes the sync one from it, as it
writes the sync client from ``_async.py``. Both are exported by
:mod:`patientsky.client.sandbox`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Unpack

from patientsky import models
from patientsky.client._clinic_async import AsyncClinicSide
from patientsky.client._sandbox_calls import (
    ClinicToken,
    DemoPerson,
    SandboxClock,
    SandboxToken,
    _admin_key,
    _advance_clock,
    _clinic_login,
    _get_clock,
    _list_people,
    _login,
    _reset_clock,
    _set_clock,
)

if TYPE_CHECKING:
    from patientsky.client import AsyncPortalClient, CallOptions
    from patientsky.models import LoginMethod, NationalId

__all__ = ["AsyncSandbox"]


class AsyncSandbox:
    """
    The sandbox's development endpoints, through a :class:`~patientsky.client.AsyncPortalClient`.

    Logging in as a person is open, as BankID is to anyone with a BankID; the clock and
    clinic login are the sandbox's own operations and need its admin key.

    Args:
        client: A client for the sandbox (it needs no token).
        admin_key: The sandbox's admin key (printed when it starts); taken from the
            environment variable ``PATIENTSKY_SANDBOX_KEY`` if None. Sent only with the
            operations that need it, never logged.
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
        """
        Log in as a person and return a view of the client that uses their token.

        Args:
            person: A demo person's handle or a national identity number, as for
                :meth:`login`.
            method: The login method.
        """
        token = await self.login(person, method, **options)
        return self._client.with_options(token=token.access_token)

    async def clock(self, **options: Unpack[CallOptions]) -> SandboxClock:
        """Return the sandbox's time."""
        return await self._client._run(_get_clock(), options)

    async def set_clock(self, now: dt.datetime, **options: Unpack[CallOptions]) -> SandboxClock:
        """Freeze the sandbox's clock at ``now`` (timezone-aware)."""
        return await self._admin._run(_set_clock(now), options)

    async def advance_clock(
        self,
        by: dt.timedelta | int,
        **options: Unpack[CallOptions],
    ) -> SandboxClock:
        """Move the sandbox's clock forward by ``by`` (a timedelta, or seconds)."""
        return await self._admin._run(_advance_clock(by), options)

    async def reset_clock(self, **options: Unpack[CallOptions]) -> SandboxClock:
        """Return the sandbox's clock to real time."""
        return await self._admin._run(_reset_clock(), options)
