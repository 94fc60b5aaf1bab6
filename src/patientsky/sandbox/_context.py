"""
What every handler shares: the sandbox's state, the request context and small helpers.

A handler gets a :class:`Ctx`; it reads the path's patient with :meth:`Ctx.patient`,
asks the rules through :meth:`Ctx.require`, reads its body with :func:`field`, and
answers with :func:`ok` (or a :class:`~starlette.responses.Response` of its own).
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
    STATUS_OF_REASON,
    ApiProblem,
    Call,
    json_response,
)
from patientsky.sandbox._limits import Guard, Limits
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
        admin_key: The secret that sandbox-only operations (the clock, clinic login,
            clinic-side helpers) require as a bearer token; a random one if None.
            Never in a repr or a log.
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
        # A sandbox holds test people only: a real person's number is refused everywhere.
        self.converter: WireConverter = make_converter(synthetic_national_ids_only=True)

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
    _patients: dict[str, Patient] = attrs.field(factory=dict, repr=False)

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
        return AccessRequest(
            session=session,
            action=action,
            patient=patient,
            at=self.now,
            terms=self.repo.terms(),
            patient_consent=self.repo.consent(patient.id),
            actor_consent=None if actor == patient.id else self.repo.consent(actor),
            relations=tuple(relations),
        )

    def require(self, patient: Patient, action: Any) -> AccessRequest:
        """
        Return the access request if the rules allow it.

        Raises:
            ApiProblem: 403 with the rule's reason otherwise.
        """
        request = self.access(patient, action)
        deny_unless(decide(request))
        return request

    def require_any(self, patient: Patient, actions: tuple[Action, ...]) -> None:
        """
        Check that the logged-in person may do at least one of ``actions`` for ``patient``.

        Used before a body is read when the body decides which action is needed (a
        dialog's type): a stranger is refused before learning anything from validation.

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
        if required:
            raise ApiProblem(
                400, "invalid_input", f"{name}: is required", errors=((name, "is required"),)
            )
        return None
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
    """Return a new random id with a readable prefix."""
    return f"{prefix}-{secrets.token_hex(8)}"


def page(
    ctx: Ctx, items: Iterable[Any], dump: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """
    Cut one page out of ``items`` by the request's ``cursor`` and ``limit``.

    Raises:
        ApiProblem: 400 naming ``cursor`` or ``limit`` if they are not valid.
    """
    query = ctx.call.query
    limit = query_int(query, "limit", 20, 1, 100)
    offset = 0
    cursor = query.get("cursor")
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


def query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """
    Read an integer query parameter.

    Raises:
        ApiProblem: 400 naming the parameter if it is not an integer in ``[low, high]``.
    """
    raw = query.get(name)
    if raw is None:
        return default
    # ASCII digits only (str.isdigit also takes "²" and "٣"), and few enough of them that
    # the number is read whole: never a prefix of it, never a huge int.
    if _ASCII_INT.fullmatch(raw) is None or not low <= int(raw) <= high:
        message = f"must be an integer from {low} to {high}"
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    return int(raw)


_ASCII_INT = re.compile(r"[0-9]{1,12}")


def query_text(query: Mapping[str, str], name: str, max_len: int = 200) -> str:
    """
    Read a free-text query parameter ("" if absent): one line, no hidden characters.

    Raises:
        ApiProblem: 400 naming the parameter if it is too long or holds control,
            bidirectional or zero-width characters.
    """
    raw = query.get(name, "")
    if len(raw) > max_len or _HIDDEN.search(raw) is not None:
        message = f"must be at most {max_len} characters of visible text"
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    return raw


_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def query_choice(query: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """
    Read a query parameter that takes one of ``choices`` (the first is the default).

    Raises:
        ApiProblem: 400 naming the parameter otherwise.
    """
    raw = query.get(name, choices[0])
    if raw not in choices:
        message = "must be one of: " + ", ".join(choices)
        raise ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))
    return raw


def file_response(
    ctx: Ctx, data: bytes, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    """
    A file: as ``media_type``, or as ``application/octet-stream`` if Accept asks for that.

    A client that accepts the file's own type (or ``*/*``, or sends no Accept) gets it;
    one that names ``application/octet-stream`` but not the file's type gets the same
    bytes as ``application/octet-stream`` (the media type generated clients read).
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
