"""
Relations: who may act for a patient, changed or removed by them, added by a clinic (R1–R4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    LoggedOperation,
    Patient,
    RelationKind,
)
from patientsky.rules import (
    relations,
)
from patientsky.rules.access import decide
from patientsky.rules.decision import Denied
from patientsky.sandbox import _auth
from patientsky.sandbox._access_log import note_access
from patientsky.sandbox._context import (
    Ctx,
    clinic_of_path,
    deny_unless,
    field,
    json_body,
    new_id,
    ok,
    page,
)
from patientsky.sandbox._declare import (
    PAGING,
    PATIENT,
    Operations,
    path_id,
    reply,
)
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._names import named_relation
from patientsky.sandbox._problems import reasons_of

ops = Operations("relations")
"""The operations of this module, in the order the document lists them."""


@ops.get(
    f"{PATIENT}/relations",
    "listRelations",
    "The patient's relations: who may act for them (R1, R2)",
    ok={200: reply("RelationPage", "A page of relations.")},
    params=PAGING,
    may=Action.MANAGE_RELATIONS,
    log=LoggedOperation.LIST_RELATIONS,
)
def list_relations(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/relations (R1)."""
    patient = ctx.patient()
    ctx.require(patient, Action.MANAGE_RELATIONS)
    rows = ctx.repo.relations_of(patient.id)
    return ok(page(ctx, rows, dump=lambda r: ctx.dump(named_relation(ctx, r))))


def _own_relation(ctx: Ctx, patient: Patient) -> Any:
    found = ctx.repo.relation(ctx.call.path_params["relationId"])
    if found is None or found.principal_id != patient.id:
        raise ApiProblem(404, "not_found", "no such relation")
    return found


@ops.patch(
    f"{PATIENT}/relations/{{relationId}}",
    "changeRelation",
    "Change what a relation may do, or switch it off or on (R4)",
    ok={200: reply("Relation", "The relation.")},
    params=(path_id("relationId", "relation"),),
    body="RelationPatch",
    writes=True,
    may=Action.MANAGE_RELATIONS,
    repeatable=True,  # it sets values, so a repeat sets the same ones
    log=LoggedOperation.CHANGE_RELATION,
    problems=(*reasons_of("relations"), "not_found"),
)
def change_relation(ctx: Ctx) -> Response:
    """PATCH /v1/patients/{patientId}/relations/{relationId}: actions, switch off or on (R4)."""
    patient = ctx.patient()
    data = json_body(ctx)
    actions = field(ctx, data, "actions", tuple[Action, ...], required=False)
    enabled = field(ctx, data, "enabled", bool, required=False)
    if actions is None and enabled is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "the body must change actions or enabled",
            errors=(("", "must have actions or enabled"),),
        )
    request = ctx.access(patient, Action.MANAGE_RELATIONS)
    deny_unless(decide(request))
    relation = _own_relation(ctx, patient)
    if actions is not None:
        outcome = relations.change_relation_actions(request, relation, actions)
        if isinstance(outcome, Denied):
            deny_unless(outcome)
        relation = outcome.unwrap()
    if enabled is not None:
        switch = relations.switch_on if enabled else relations.switch_off
        switched = switch(request, relation)
        if isinstance(switched, Denied):
            deny_unless(switched)
        relation = switched.unwrap()
    ctx.repo.save_relation(relation)
    return ok(ctx.dump(named_relation(ctx, relation)))


@ops.delete(
    f"{PATIENT}/relations/{{relationId}}",
    "removeRelation",
    "Remove a relation (R4)",
    ok={204: reply(None, "Removed.")},
    params=(path_id("relationId", "relation"),),
    writes=True,
    may=Action.MANAGE_RELATIONS,
    log=LoggedOperation.REMOVE_RELATION,
    problems=(*reasons_of("relations"), "not_found"),
)
def remove_relation(ctx: Ctx) -> Response:
    """DELETE /v1/patients/{patientId}/relations/{relationId} (R4)."""
    patient = ctx.patient()
    request = ctx.require(patient, Action.MANAGE_RELATIONS)
    relation = _own_relation(ctx, patient)
    outcome = relations.remove_relation(request, relation)
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    ctx.repo.delete_relation(relation.id)
    return Response(status_code=204)


@ops.post(
    "/v1/clinics/{clinicId}/relations",
    "addRelation",
    "Add a relation (clinic staff only) (R3)",
    ok={201: reply("Relation", "The relation.")},
    errors=(403, 404),
    params=(path_id("clinicId", "clinic"),),
    body="RelationCreate",
    caller="person_or_clinic",
    writes=True,
    idempotent=True,
    log=LoggedOperation.ADD_RELATION,
    problems=(*reasons_of("relations"), "clinic_mismatch", "not_found"),
)
def add_relation(ctx: Ctx) -> Response:
    """POST /v1/clinics/{clinicId}/relations: only a clinic adds relations (R3)."""
    if isinstance(ctx.principal, _auth.ClinicPrincipal):
        if ctx.principal.clinic_id != ctx.call.path_params["clinicId"]:
            raise ApiProblem(403, "clinic_mismatch", "the token is another clinic's")
    else:
        deny_unless(relations.may_add_relations(ctx.person().session))
    data = json_body(ctx)
    principal_id = field(ctx, data, "principalId", str)
    representative_id = field(ctx, data, "representativeId", str)
    kind = field(ctx, data, "kind", RelationKind)
    actions = field(ctx, data, "actions", tuple[Action, ...], required=False)
    valid_from = field(ctx, data, "validFrom", dt.datetime, required=False)
    valid_until = field(ctx, data, "validUntil", dt.datetime | None, required=False)
    clinic = clinic_of_path(ctx)
    by: Any
    if isinstance(ctx.principal, _auth.ClinicPrincipal):
        if ctx.principal.clinic_id != clinic.id:
            raise ApiProblem(403, "clinic_mismatch", "the token is another clinic's")
        by = clinic
    else:
        by = ctx.person().session
    patient = ctx.repo.patient(principal_id)
    if patient is None or ctx.repo.patient(representative_id) is None:
        raise ApiProblem(404, "not_found", "no such patient")
    try:
        outcome = relations.add_relation(
            by,
            relation_id=new_id("rel"),
            patient=patient,
            representative_id=representative_id,
            kind=kind,
            at=ctx.now,
            actions=actions,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    except InvalidInput as exc:
        raise ApiProblem.invalid(_relation_field(exc)) from None
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    relation = outcome.unwrap()
    ctx.repo.save_relation(relation)
    note_access(ctx, patient_id=patient.id, resource_id=relation.id)
    return ok(ctx.dump(named_relation(ctx, relation)), 201)


def _relation_field(exc: InvalidInput) -> InvalidInput:
    names = {
        "valid_until": "validUntil",
        "valid_from": "validFrom",
        "representative_id": "representativeId",
    }
    return InvalidInput(names.get(exc.field, exc.field), exc.message)
