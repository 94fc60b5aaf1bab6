"""
Consent: the terms in force, and a patient's consent to them, given or withdrawn (C1–C3).
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.models import (
    Action,
    LoggedOperation,
    Patient,
)
from patientsky.rules import (
    consent,
    login,
)
from patientsky.rules.decision import Denied
from patientsky.sandbox._context import (
    Ctx,
    deny_unless,
    field,
    json_body,
    new_id,
    ok,
)
from patientsky.sandbox._declare import (
    PATIENT,
    Operations,
    reply,
)
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._problems import reasons_of

ops = Operations("consent")
"""The operations of this module, in the order the document lists them."""


@ops.get(
    "/v1/terms",
    "getTerms",
    "The current terms version (C1)",
    ok={200: reply("Terms", "The terms.")},
    caller="anyone",
)
def get_terms(ctx: Ctx) -> Response:
    """GET /v1/terms."""
    return ok(ctx.dump(ctx.repo.terms()))


def _consent_state(ctx: Ctx, patient: Patient) -> Response:
    history = ctx.repo.consent(patient.id)
    terms = ctx.repo.terms()
    return ok(
        {
            "inForce": consent.consent_in_force(history, terms, ctx.now),
            "termsVersion": terms.version,
            "history": [ctx.dump(event) for event in history.events],
        }
    )


@ops.get(
    f"{PATIENT}/consent",
    "getConsent",
    "Whether consent is in force, and its history (C1–C3)",
    ok={200: reply("ConsentState", "The consent state.")},
    log=LoggedOperation.VIEW_CONSENT,
)
def get_consent(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/consent: the patient sees it even when withdrawn."""
    patient = ctx.patient()
    session = ctx.person().session
    if session.person_id == patient.id:
        deny_unless(login.check_login(session, ctx.now))
    else:
        ctx.require(patient, Action.VIEW_PROFILE)
    return _consent_state(ctx, patient)


def _change_consent(ctx: Ctx, give: bool) -> Response:
    patient = ctx.patient()
    session = ctx.person().session
    terms = ctx.repo.terms()
    history = ctx.repo.consent(patient.id)
    actor = session.person_id
    change = consent.give_consent if give else consent.withdraw_consent
    outcome = change(
        session=session,
        patient=patient,
        history=history,
        terms=terms,
        at=ctx.now,
        event_id=new_id("ce"),
        relations=ctx.repo.relations_of(patient.id),
        actor_consent=None if actor == patient.id else ctx.repo.consent(actor),
    )
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    if give:
        # Only now, when the rule said this person may give it, is the body read.
        version = field(ctx, json_body(ctx), "termsVersion", str)
        if version != terms.version:
            raise ApiProblem(
                409,
                "conflict",
                "termsVersion is not the current terms version; read GET /v1/terms",
            )
    new = outcome.unwrap()
    if len(new.events) > len(history.events):
        ctx.repo.add_consent_event(new.events[-1], len(new.events))
    return _consent_state(ctx, patient)


@ops.post(
    f"{PATIENT}/consent",
    "giveConsent",
    "Consent to a version of the terms (C1, C2)",
    ok={200: reply("ConsentState", "The consent state.")},
    errors=(409,),
    body="ConsentGive",
    writes=True,
    log=LoggedOperation.GIVE_CONSENT,
    problems=(*reasons_of("consent"), "conflict"),
)
def give_consent(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/consent."""
    return _change_consent(ctx, give=True)


@ops.delete(
    f"{PATIENT}/consent",
    "withdrawConsent",
    "Withdraw consent: reserve oneself (C3)",
    ok={200: reply("ConsentState", "The consent state.")},
    errors=(409,),
    writes=True,
    log=LoggedOperation.WITHDRAW_CONSENT,
    problems=(*reasons_of("consent"), "conflict"),
)
def withdraw_consent(ctx: Ctx) -> Response:
    """DELETE /v1/patients/{patientId}/consent."""
    return _change_consent(ctx, give=False)
