"""
What every handler shares: the sandbox's state, the request context and small helpers.

A handler gets a :class:`Ctx`: the path's patient from :meth:`Ctx.patient`, the rules
through :meth:`Ctx.require`, the body by :func:`field`, and answers with :func:`ok`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any

import attrs
from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import Action, Clinic, Patient
from patientsky.rules.access import AccessRequest, decide
from patientsky.rules.decision import Decision, Denied
from patientsky.sandbox._auth import PersonPrincipal, Principal
from patientsky.sandbox._http import (
    DOCUMENT_PATH,
    ApiProblem,
    Call,
    json_response,
)
from patientsky.sandbox._limits import Guard, Limits
from patientsky.sandbox._memo import Decoded
from patientsky.sandbox._params import query_choice, query_int, query_text
from patientsky.sandbox._problems import STATUS_OF_REASON
from patientsky.sandbox._repo import Repo
from patientsky.sandbox.clock import SandboxClock
from patientsky.sandbox.demo_data import DemoData
from patientsky.sandbox.storage import Storage
from patientsky.wire import WireConverter, make_converter

__all__ = [
    "Ctx",
    "Handler",
    "Sandbox",
    "clinic_of_path",
    "deny_unless",
    "field",
    "file_response",
    "json_body",
    "new_id",
    "ok",
    "page",
    "query_choice",
    "query_int",
    "query_text",
    "timestamp",
]


class Sandbox:
    """
    The sandbox's state: its database, clock, wire converter and demo world.

    Args:
        storage: The database.
        clock: The sandbox clock.
        demo: The demo world loaded into the database, if any.
        admin_key: The secret that sandbox-only operations (the clock, clinic login, clinic-
            side helpers) require as a bearer token; a random one if None. Never in a repr or log.
        limits: Rate limits and caps; the defaults if None.
    """

    def __init__(
        self,
        storage: Storage,
        clock: SandboxClock,
        demo: DemoData | None,
        admin_key: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.demo = demo
        self.limits = limits or Limits()
        self.guard = Guard(self.limits)
        self.admin_key = admin_key or secrets.token_urlsafe(32)
        self.converter: WireConverter = make_converter(synthetic_national_ids_only=True)
        self.memo = Decoded(self.converter)  # records decoded once, kept by their text

    def __repr__(self) -> str:
        return f"Sandbox(storage={self.storage.path!r}, clock={self.clock!r})"

    def is_admin(self, headers: Mapping[str, str]) -> bool:
        """Whether ``headers`` (lower-case names) carry the admin key as a bearer token."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        given = token.strip().encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self.admin_key.encode("utf-8"))

    @cached_property
    def document(self) -> bytes:
        """The shipped OpenAPI document, as served at ``/openapi.json``."""
        return DOCUMENT_PATH.read_bytes()

    def now(self) -> dt.datetime:
        """The sandbox's current time."""
        return self.clock.now()


@attrs.frozen
class Ctx:
    """Everything a handler needs for one request."""

    sandbox: Sandbox
    call: Call
    repo: Repo
    now: dt.datetime
    principal: Principal | None
    params: dict[str, Any] = attrs.field(factory=dict, repr=False)
    """The declared path and query parameters, checked and typed by the router."""
    _patients: dict[str, Patient] = attrs.field(factory=dict, repr=False)
    log_notes: dict[str, Any] = attrs.field(factory=dict, repr=False)  # see _access_log.note_access
    # The requests the rules allowed, by patient, action and the transaction's changes.
    _allowed: dict[tuple[str, Any, int], AccessRequest] = attrs.field(factory=dict, repr=False)

    @property
    def conv(self) -> WireConverter:
        """The wire converter."""
        return self.sandbox.converter

    def dump(self, value: Any, unstructure_as: Any = None) -> Any:
        """Return the wire form of a model (or a tuple of them)."""
        return self.conv.unstructure(value, unstructure_as=unstructure_as)

    def person(self) -> PersonPrincipal:
        """
        Return the logged-in person.

        Raises:
            ApiProblem: 403 if a clinic's token is used where a person's is needed.
        """
        if isinstance(self.principal, PersonPrincipal):
            return self.principal
        raise ApiProblem(403, "person_login_required", "this needs a person's login")

    def patient(self) -> Patient:
        """
        Return the patient of the path (``me`` is the logged-in person).

        Raises:
            ApiProblem: 404 if there is no such patient.
        """
        raw = self.call.path_params.get("patientId", "")
        person = self.person()
        patient_id = person.session.person_id if raw == "me" else raw
        cached = self._patients.get(patient_id)
        if cached is not None:
            return cached
        patient = self.repo.patient(patient_id)
        if patient is None:
            raise ApiProblem(404, "not_found", "no such patient")
        self._patients[patient_id] = patient
        return patient

    def access(self, patient: Patient, action: Any) -> AccessRequest:
        """Return the access request of the logged-in person for ``patient`` and ``action``."""
        session = self.person().session
        actor = session.person_id
        relations = self.repo.relations_of(patient.id)
        if actor != patient.id:
            # The actor's own relations only serve to explain a chain (TRANSITIVE_RELATION).
            seen = {r.id for r in relations}
            relations += [r for r in self.repo.relations_by(actor) if r.id not in seen]
        # Kept for the access log: the request that allowed the operation (see _access_log).
        request = self.log_notes["request"] = AccessRequest(
            session=session,
            action=action,
            patient=patient,
            at=self.now,
            terms=self.repo.terms(),
            patient_consent=self.repo.consent(patient.id),
            actor_consent=None if actor == patient.id else self.repo.consent(actor),
            relations=tuple(relations),
        )
        return request

    def require(self, patient: Patient, action: Any) -> AccessRequest:
        """
        Return the access request if the rules allow it.

        Raises:
            ApiProblem: 403 with the rule's reason otherwise.
        """
        # Asked again (the router's guard, then the handler) with nothing written in
        # between, the rules get the same request and give the same answer: it is kept.
        key = (patient.id, action, self.repo.tx.changes)
        allowed = self._allowed.get(key)
        if allowed is not None and allowed.patient is patient:
            self.log_notes["request"] = allowed
            return allowed
        request = self.access(patient, action)
        deny_unless(decide(request))
        self._allowed[key] = request
        return request

    def require_any(self, patient: Patient, actions: tuple[Action, ...]) -> None:
        """
        Check that the logged-in person may do one of ``actions`` for ``patient``.

        Used before a body that decides the action is read: a stranger learns nothing.

        Raises:
            ApiProblem: 403 with the first action's reason if none is allowed.
        """
        first: Decision | None = None
        for action in actions:
            decision = decide(self.access(patient, action))
            if decision.allowed:
                return
            first = first or decision
        if first is not None:
            deny_unless(first)


def deny_unless(decision: Decision | Denied) -> None:
    """
    Raise the 403 problem of a denying decision.

    Raises:
        ApiProblem: 403 (or 409 for a conflict with the state) carrying the reason.
    """
    if isinstance(decision, Denied):
        decision = decision.decision
    if decision.reason is None:
        return
    raise ApiProblem(
        STATUS_OF_REASON.get(decision.reason, 403),
        decision.reason.value,
        decision.message_en,
        message_nb=decision.message_nb,
    )


Handler = Callable[[Ctx], Response]
"""A handler: the work of one operation, after every guard passed."""


def field(ctx: Ctx, data: Mapping[str, Any], name: str, cls: Any, *, required: bool = True) -> Any:
    """
    Read one field of a JSON body (or of the query) as ``cls``, naming it in any error.

    Raises:
        ApiProblem: 400 naming the field if it is missing (and required) or invalid.
    """
    if name not in data:
        if not required:
            return None
        message = "is required"
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    try:
        return ctx.conv.structure(data[name], cls)
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc, name) from None


def json_body(ctx: Ctx) -> dict[str, Any]:
    """Return the request's JSON object (see :meth:`~patientsky.sandbox._http.Call.json`)."""
    data = ctx.call.json()
    assert isinstance(data, dict)  # noqa: S101 - Call.json returns objects only
    return data


def timestamp(ctx: Ctx, value: dt.datetime) -> Any:
    """Return the wire form of a time."""
    return ctx.conv.unstructure(value, unstructure_as=dt.datetime)


def clinic_of_path(ctx: Ctx) -> Clinic:
    """
    Return the clinic the path's ``clinicId`` names.

    Raises:
        ApiProblem: 404 if there is no such clinic.
    """
    clinic = ctx.repo.clinic(ctx.call.path_params["clinicId"])
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    return clinic


def new_id(prefix: str) -> str:
    """Return a new random id with a readable prefix; never 11 digits in a row (an fnr)."""
    token = secrets.token_hex(8)
    while _ELEVEN_DIGITS.search(token):  # 1.6 % of 16 hex digits hold such a run
        token = secrets.token_hex(8)
    return f"{prefix}-{token}"


_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")


def page(
    ctx: Ctx, items: Iterable[Any], dump: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """
    Cut one page out of ``items`` by the request's ``cursor`` and ``limit``.

    Raises:
        ApiProblem: 400 naming ``cursor`` or ``limit`` if they are not valid.
    """
    limit = ctx.params.get("limit") or query_int(ctx.call.query, "limit", 20, 1, 100)
    offset = 0
    cursor = ctx.call.query.get("cursor")
    if cursor is not None:
        if _ASCII_INT.fullmatch(cursor[1:]) is None or not cursor.startswith("o"):
            raise ApiProblem(
                400,
                "invalid_input",
                "cursor: is not a cursor this server gave",
                errors=(("cursor", "is not a cursor this server gave"),),
            )
        offset = int(cursor[1:])
    rows = list(items)
    chunk = rows[offset : offset + limit]
    more = offset + limit < len(rows)
    convert = dump or ctx.dump
    return {
        "data": [convert(item) for item in chunk],
        "nextCursor": f"o{offset + limit}" if more else None,
    }


_ASCII_INT = re.compile(r"[0-9]{1,12}")


def file_response(
    ctx: Ctx, data: bytes, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    """
    A file: as ``media_type``, or as ``application/octet-stream`` if Accept names only that.

    Generated clients read that media type; a client that sends no Accept gets the file's.
    """
    wanted = {
        part.split(";")[0].strip().lower()
        for part in ctx.call.headers.get("accept", "*/*").split(",")
    }
    family = media_type.split("/")[0] + "/*"
    if not wanted & {media_type, family, "*/*"} and "application/octet-stream" in wanted:
        media_type = "application/octet-stream"
    return Response(data, 200, media_type=media_type, headers=dict(headers or {}))


def ok(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response."""
    return json_response(data, status, headers)
