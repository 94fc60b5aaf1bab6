"""
The access log (AL1) in the sandbox: one entry per read or change of a patient's data.

**Where it is recorded.** Centrally, in :func:`patientsky.sandbox.app._run`, not in the
handlers: an operation declares what it records (``log=`` on its declaration, a
:class:`~patientsky.models.access_log.LoggedOperation`), and when its handler answers
2xx, :func:`record_access` builds the entry with the rules
(:func:`~patientsky.rules.access_log.record`, or
:func:`~patientsky.rules.access_log.record_for_clinic` for the clinic's side) and
appends it **in the same transaction** as the operation's own writes. So:

- every successful call records exactly one entry (a ``HEAD`` too: it is the ``GET``,
  without the body);
- a call that fails or is refused records nothing: its transaction is rolled back with
  everything else it did, and a refused read read nothing (see below);
- a **replay** (the same ``Idempotency-Key`` and body again) records nothing: it
  answers with the stored response of the first call, whose entry stands for both.
  Nothing is done twice, and the log does not say it was;
- an entry that cannot be built (a bug: a clinic-side handler that named no patient)
  makes the call fail with a 500, and its writes are rolled back: nothing is done
  without its entry.

**Refused attempts are not in the patient's log.** A 401, 403 or 404 leaves no entry.
The log answers the patient's question "who has seen or changed my data", and a
refused request did neither; the answer to the caller names the rule that refused it.
Normen asks that attempts be traceable too, but that is the operator's security log,
not the patient's: recording refusals here would let any logged-in stranger write
without limit into another patient's log (reads are not rate limited), and would put
the id of every mistyped path into someone's record.

**What a handler adds.** What the path says is taken from it: the clinic
(``clinicId``), the resource (the last other id in the path: a dialog, a consultation,
a payment, a relation) and on the clinic's side the patient (``patientId``). A handler
that knows more says so with :func:`note_access`: the new resource of a create, the
clinic of a dialog, the action the access decision used when it is not the table's (a
video booking, a dialog type), and on the clinic's side the patient when the path does
not name it. The access request the rules allowed is the one
:meth:`~patientsky.sandbox._context.Ctx.access` made, so a representative who removes
their own relation is still recorded as acting through it.

**Every operation is accounted for.** An operation either declares ``log=`` or is named
in :data:`UNLOGGED` with the reason it touches no patient's data; a test fails for any
other, so a new operation cannot skip the log by omission.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import Action, LoggedOperation
from patientsky.rules.access import AccessRequest
from patientsky.rules.access_log import ACCESS_LOG_ACTION, LOG_RULES, record, record_for_clinic
from patientsky.sandbox._access_entries import entry_json, entry_text
from patientsky.sandbox._auth import ClinicPrincipal
from patientsky.sandbox._context import Ctx, new_id, ok
from patientsky.sandbox._declare import PAGING, PATIENT, Operation, Operations, reply
from patientsky.sandbox._http import ApiProblem

__all__ = ["UNLOGGED", "note_access", "ops", "record_access"]

UNLOGGED: Mapping[str, str] = {
    "listDemoPeople": "the sandbox's list of test people, no one's record",
    "sandboxLogin": "a login: who the caller is, before any patient's data",
    "sandboxClinicLogin": "a clinic's login",
    "getSession": "the caller's own session",
    "logout": "the caller's own session",
    "listRepresented": "the caller's own relations as a representative; acting for"
    " someone through one is logged for that person",
    "getCalendarFeed": "read by a calendar app with the secret address the patient made;"
    " making, rotating and revoking that address are logged",
    "clinicChangeOffer": "the clinic's own settings, no patient's data",
    "getServerTime": "the API's clock",
    "getClock": "the sandbox clock",
    "setClock": "the sandbox clock",
    "resetClock": "the sandbox clock",
    "advanceClock": "the sandbox clock",
    "getTerms": "the terms, the same for everyone",
    "searchClinics": "clinics, not patients",
    "getClinic": "a clinic, not a patient",
    "getFreeTime": "a clinic's free time, not whose the booked time is",
    "getClinicServices": "the clinic's settings; the patient in the path is only asked"
    " whether they may see them",
    "listPublicServices": "links to public services",
    "health": "liveness",
    "getOpenApiDocument": "the contract",
}
"""The operations that touch no patient's data, each with why: they record nothing."""

_NOTES = frozenset({"patient_id", "clinic_id", "resource_id", "action", "practitioner_id"})


def note_access(ctx: Ctx, **details: str | Action | None) -> None:
    """
    Tell the access log what the path does not say about this call.

    Args:
        ctx: The call.
        **details: Any of ``resource_id`` (what was read or changed, for a create),
            ``clinic_id``, ``action`` (the action the decision used, if not the
            table's), and for the clinic's side ``patient_id`` (required there) and
            ``practitioner_id``. A None is ignored.
    """
    unknown = set(details) - _NOTES
    if unknown:
        raise TypeError(f"not an access-log detail: {', '.join(sorted(unknown))}")
    ctx.log_notes.update({k: v for k, v in details.items() if v is not None})


def _resource_of_path(params: Mapping[str, str]) -> str | None:
    ids = [v for k, v in params.items() if k not in ("patientId", "clinicId")]
    return ids[-1] if ids else None


def record_access(ctx: Ctx, op: Operation) -> None:
    """
    Append the entry of a call that succeeded, in its transaction (see the module).

    Raises:
        RuntimeError: If the entry cannot be built (a 500: the call's writes are
            rolled back with it).
    """
    operation = op.log
    if operation is None:
        return
    notes = ctx.log_notes
    params = ctx.call.path_params
    clinic_id = notes.get("clinic_id", params.get("clinicId"))
    resource_id = notes.get("resource_id", _resource_of_path(params))
    try:
        if LOG_RULES[operation].clinic_side:
            if isinstance(ctx.principal, ClinicPrincipal):
                clinic_id = ctx.principal.clinic_id
            patient_id = notes.get("patient_id", params.get("patientId"))
            if patient_id is None or clinic_id is None:
                raise RuntimeError(f"{op.id} did not say whose data, or which clinic's")
            entry = record_for_clinic(
                entry_id=new_id("al"),
                operation=operation,
                patient_id=patient_id,
                clinic_id=clinic_id,
                at=ctx.now,
                practitioner_id=notes.get("practitioner_id"),
                resource_id=resource_id,
            )
            entry_id, patient_id, text = entry.id, entry.patient_id, entry_json(ctx.conv, entry)
        else:
            # As record() builds it, its constant part kept (see _access_entries).
            entry_id, patient_id, text = entry_text(
                ctx.conv,
                ctx.repo.memo,
                entry_id=new_id("al"),
                operation=operation,
                request=_allowed_request(ctx),
                clinic_id=clinic_id,
                resource_id=resource_id,
                action=notes.get("action"),
                build=record,
            )
    except InvalidInput as exc:  # never the value: the field and the rule only
        raise RuntimeError(f"{op.id}: no access-log entry: {exc.field} {exc.message}") from None
    ctx.repo.tx.append_access_text(entry_id, patient_id, text)


def _allowed_request(ctx: Ctx) -> AccessRequest:
    """The access request the call was allowed by (made again if the handler made none)."""
    patient = ctx.patient()
    request = ctx.log_notes.get("request")
    if isinstance(request, AccessRequest) and request.patient.id == patient.id:
        return request
    # The action is not read by record(): it takes the table's or the noted one.
    return ctx.access(patient, Action.VIEW_PROFILE)


# --- the patient's list ---

ops = Operations("access-log")
"""The operations of this module, in the order the document lists them."""

_CURSOR = "b"  # "before": the entry number the next page starts below
_NUMBER = re.compile(r"[0-9]{1,12}")


@ops.get(
    f"{PATIENT}/access-log",
    "listAccessLog",
    "Who has read or changed the patient's data, newest first (AL1): the patient, or a"
    " representative who may manage relations",
    ok={200: reply("AccessLogPage", "A page of entries, newest first.")},
    params=PAGING,
    may=ACCESS_LOG_ACTION,
    log=LoggedOperation.LIST_ACCESS_LOG,
)
def list_access_log(ctx: Ctx) -> Response:
    """
    GET /v1/patients/{patientId}/access-log: newest first, a page at a time.

    ``may`` is :data:`~patientsky.rules.access_log.ACCESS_LOG_ACTION`, so the guard
    asks exactly :func:`~patientsky.rules.access_log.may_list_access_log`. The cursor
    names the entry the next page starts below, so the pages stay put while the log
    grows (each page read is itself an entry, at the top).
    """
    patient = ctx.patient()
    query = ctx.call.query
    limit: int = ctx.params["limit"]  # checked by the router against PAGING
    before = _cursor(query.get("cursor"))
    rows = ctx.repo.access_entries(patient.id, before=before, limit=limit + 1)
    chunk = rows[:limit]
    more = len(rows) > limit
    names: dict[str, str | None] = {}
    return ok(
        {
            "data": [_named(ctx, data, names) for _, data in chunk],
            "nextCursor": f"{_CURSOR}{chunk[-1][0]}" if more else None,
        }
    )


def _named(ctx: Ctx, data: dict[str, Any], names: dict[str, str | None]) -> dict[str, Any]:
    """The stored entry with who acted by name (a view: the log keeps ids only)."""
    actor = data["actorId"]
    if actor not in names:
        found: Any = ctx.repo.clinic(actor) if data["actorKind"] == "clinic" else None
        if found is None:
            found = ctx.repo.patient(actor) or ctx.repo.practitioner(actor)
            found = None if found is None else found.name.full
        else:
            found = found.name
        names[actor] = found
    name = names[actor]
    return data if name is None else {**data, "actorName": name}


def _cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    digits = raw[len(_CURSOR) :]
    if not raw.startswith(_CURSOR) or _NUMBER.fullmatch(digits) is None:
        message = "is not a cursor this server gave"
        raise ApiProblem(400, "invalid_input", f"cursor: {message}", errors=(("cursor", message),))
    return int(digits)
