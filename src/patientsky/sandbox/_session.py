"""
Logging in and the session: a person's or a clinic's login, who is logged in, logging out.
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    LoginMethod,
    NationalId,
    RelationKind,
)
from patientsky.rules.access import allowed_actions
from patientsky.sandbox import _auth, _people
from patientsky.sandbox._context import (
    Ctx,
    field,
    json_body,
    ok,
    page,
    timestamp,
)
from patientsky.sandbox._declare import (
    PAGING,
    Operations,
    reply,
)
from patientsky.sandbox._http import ApiProblem
from patientsky.wire._hooks import REAL_NUMBER_REFUSED

ops = Operations("session")
"""The operations of this module, in the order the document lists them."""


@ops.post(
    "/v1/sandbox/login",
    "sandboxLogin",
    "Log in as a person, by handle or national identity number (sandbox only;"
    " stands in for BankID/Buypass) (L1)",
    tag="sandbox",
    ok={200: reply("LoginResponse", "A bearer token.")},
    errors=(403, 404),
    body="LoginRequest",
    caller="anyone",
    writes=True,
    limit="login",
    repeatable=True,  # a second login only makes a second token
    problems=("not_found",),
)
def sandbox_login(ctx: Ctx) -> Response:
    """POST /v1/sandbox/login: by a demo person's handle or by a national identity number."""
    data = json_body(ctx)
    _people.one_of_person_or_number(data)
    if "person" in data:
        return _people.login_as_person(ctx, data)
    raw = field(ctx, data, "nationalId", str)
    try:
        national_id = NationalId.parse(raw, allow_synthetic=True)
    except InvalidInput as exc:
        raise ApiProblem.invalid(InvalidInput("nationalId", exc.message)) from None
    if not national_id.is_synthetic:
        raise ApiProblem.invalid(InvalidInput("nationalId", REAL_NUMBER_REFUSED))
    method = field(ctx, data, "method", LoginMethod)
    patient = ctx.repo.patient_by_national_id(national_id)
    if patient is None:
        raise ApiProblem(404, "not_found", "no person with that number in the sandbox")
    token, expires = _auth.issue_person_token(ctx.repo.tx, patient.id, method, ctx.now)
    return ok(
        {
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresAt": timestamp(ctx, expires),
            "personId": patient.id,
        }
    )


@ops.post(
    "/v1/sandbox/clinic-login",
    "sandboxClinicLogin",
    "Log in as a clinic's staff (sandbox only), to add relations (R3)",
    tag="sandbox",
    ok={200: reply("ClinicLoginResponse", "A bearer token for the clinic.")},
    errors=(404,),
    body="ClinicLoginRequest",
    caller="admin",
    writes=True,
    limit="login",
    repeatable=True,  # a second login only makes a second token
)
def sandbox_clinic_login(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clinic-login."""
    clinic_id = field(ctx, json_body(ctx), "clinicId", str)
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    token, expires = _auth.issue_clinic_token(ctx.repo.tx, clinic.id, ctx.now)
    return ok(
        {
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresAt": timestamp(ctx, expires),
            "clinicId": clinic.id,
        }
    )


@ops.get(
    "/v1/session",
    "getSession",
    "Who is logged in, how, and until when (L1, L2)",
    ok={200: reply("Session", "The session.")},
    errors=(403,),
)
def get_session(ctx: Ctx) -> Response:
    """GET /v1/session."""
    session = ctx.person().session
    body: dict[str, object] = {
        "personId": session.person_id,
        "method": session.method.value,
        "assurance": session.assurance.value,
        "authenticatedAt": timestamp(ctx, session.authenticated_at),
        "expiresAt": timestamp(ctx, session.expires_at),
    }
    # The person's own name (an identity provider gives it too), readable before consent.
    person = ctx.repo.patient(session.person_id)
    if person is not None:
        body["name"] = ctx.dump(person.name)
    return ok(body)


@ops.delete(
    "/v1/session",
    "logout",
    "Log out: the token stops working at once (L1)",
    ok={204: reply(None, "Logged out.")},
    errors=(403,),
    writes=True,
)
def logout(ctx: Ctx) -> Response:
    """DELETE /v1/session: the token stops working at once and is forgotten."""
    ctx.person()
    _auth.revoke(ctx.repo.tx, ctx.call.headers)
    return Response(status_code=204)


@ops.get(
    "/v1/session/represented",
    "listRepresented",
    "The people the logged-in person may act for now (R1, R2)",
    ok={200: reply("RepresentedPage", "A page of people.")},
    errors=(403,),
    params=PAGING,
)
def list_represented(ctx: Ctx) -> Response:
    """GET /v1/session/represented: relations in force, with what they allow now."""
    me = ctx.person().session.person_id
    rows = []
    for relation in ctx.repo.relations_by(me):
        principal = ctx.repo.patient(relation.principal_id)
        if principal is None:
            continue
        actions = allowed_actions(ctx.access(principal, Action.VIEW_PROFILE))
        if not actions or not isinstance(relation.kind, RelationKind):
            continue
        rows.append(
            {
                "patientId": principal.id,
                "relationId": relation.id,
                "name": ctx.dump(principal.name),
                "kind": relation.kind.value,
                "actions": sorted(a.value for a in actions),
            }
        )
    rows.sort(key=lambda r: (r["name"]["family"], r["name"]["given"], r["patientId"]))
    return ok(page(ctx, rows, dump=lambda r: r))
