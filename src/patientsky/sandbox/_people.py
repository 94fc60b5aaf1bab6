"""
The sandbox's demo people: list them, and log in as one by a stable handle.

A handle is the demo person's patient id without its ``p-`` (``kari`` for ``p-kari``):
the same in every sandbox, whatever the day, unlike their synthetic national identity
numbers, which are made for the day the demo world is built. The list holds no
national identity number, so nobody needs one to get started.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import attrs
from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import LoginMethod
from patientsky.sandbox import _auth
from patientsky.sandbox._context import Ctx, ok
from patientsky.sandbox._declare import HANDLE_PATTERN, Operations, reply
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox.storage import Transaction

__all__ = ["DemoPerson", "demo_people", "list_people", "login_as_person", "ops"]

ops = Operations("people")
"""The operations of this module."""

_HANDLE = re.compile(HANDLE_PATTERN)
_PREFIX = "p-"


@attrs.frozen
class DemoPerson:
    """
    A demo person as the sandbox lists them.

    Args:
        handle: What to log in with (``kari``).
        name: Their name.
        role: What they show in the demo, in a few words.
        patient_id: Their patient id (``p-kari``).
    """

    handle: str
    name: str
    role: str
    patient_id: str


def demo_people(tx: Transaction) -> list[DemoPerson]:
    """Return the demo people of the sandbox's database, in the order they were made."""
    rows = json.loads(tx.get_meta("demo_logins") or "[]")
    return [
        DemoPerson(
            str(row["patientId"]).removeprefix(_PREFIX),
            str(row["name"]),
            str(row["role"]),
            str(row["patientId"]),
        )
        for row in rows
    ]


@ops.get(
    "/v1/sandbox/people",
    "listDemoPeople",
    "The demo people to log in as, by handle (sandbox only)",
    tag="sandbox",
    ok={200: reply("DemoPeople", "The demo people.")},
    caller="anyone",
)
def list_people(ctx: Ctx) -> Response:
    """GET /v1/sandbox/people."""
    people = demo_people(ctx.repo.tx)
    return ok(
        {
            "data": [
                {"handle": p.handle, "name": p.name, "role": p.role, "patientId": p.patient_id}
                for p in people
            ]
        }
    )


def one_of_person_or_number(data: dict[str, Any]) -> None:
    """
    Check that a login body names exactly one of ``person`` and ``nationalId``.

    Raises:
        ApiProblem: 400 naming both if neither or both is given.
    """
    given = [name for name in ("person", "nationalId") if name in data]
    if len(given) == 1:
        return
    message = "give exactly one of person and nationalId"
    names = given or ["person", "nationalId"]
    raise ApiProblem(
        400,
        "invalid_input",
        f"{', '.join(names)}: {message}",
        errors=tuple((name, message) for name in names),
    )


def login_as_person(ctx: Ctx, data: dict[str, Any]) -> Response:
    """Log in as a demo person by handle (``{"person": "kari", "method": "bankid"}``)."""
    handle = data["person"]
    if not isinstance(handle, str) or _HANDLE.fullmatch(handle) is None:
        message = "must be a demo person's handle, such as kari (GET /v1/sandbox/people)"
        raise ApiProblem(400, "invalid_input", f"person: {message}", errors=(("person", message),))
    if "method" not in data:
        raise ApiProblem(
            400, "invalid_input", "method: is required", errors=(("method", "is required"),)
        )
    try:
        method = ctx.conv.structure(data["method"], LoginMethod)
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc, "method") from None
    found = next((p for p in demo_people(ctx.repo.tx) if p.handle == handle), None)
    patient = None if found is None else ctx.repo.patient(found.patient_id)
    if patient is None:
        raise ApiProblem(
            404, "not_found", "no demo person with that handle (GET /v1/sandbox/people)"
        )
    # A person's logins count under their number whichever way they log in.
    guard = ctx.sandbox.guard
    guard.admit([(guard.people, guard.person_key(patient.national_id), "logins for this person")])
    token, expires = _auth.issue_person_token(ctx.repo.tx, patient.id, method, ctx.now)
    return ok(
        {
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresAt": ctx.conv.unstructure(expires, unstructure_as=dt.datetime),
            "personId": patient.id,
        }
    )
