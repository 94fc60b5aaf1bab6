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

from patientsky.client._clinic_async import AsyncClinicSide
from patientsky.client._clinic_side import ClinicConnection, Settlement
from patientsky.client._clinic_sync import ClinicSide
from patientsky.client._sandbox_async import AsyncSandbox
from patientsky.client._sandbox_calls import (
    ADMIN_KEY_VARIABLE,
    ClinicToken,
    DemoPerson,
    SandboxClock,
    SandboxToken,
)
from patientsky.client._sandbox_sync import Sandbox

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
