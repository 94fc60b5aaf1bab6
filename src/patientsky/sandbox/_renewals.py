"""
Care: prescription renewal requests, and what a patient can start at a clinic (E1, H1).
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    LoggedOperation,
    PrescriptionRenewalRequest,
)
from patientsky.rules import (
    care,
    communication,
)
from patientsky.rules.decision import Denied
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
from patientsky.sandbox._problems import reasons_of

ops = Operations("care")
"""The operations of this module, in the order the document lists them."""


@ops.get(
    f"{PATIENT}/clinics/{{clinicId}}/services",
    "getClinicServices",
    "What the patient can start at the clinic (H1, M4)",
    ok={200: reply("ClinicServices", "The services and dialog types.")},
    params=(path_id("clinicId", "clinic"),),
    may=Action.VIEW_PROFILE,
)
def get_clinic_services(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/clinics/{clinicId}/services (H1, M4)."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    clinic = clinic_of_path(ctx)
    return ok(
        {
            "clinicId": clinic.id,
            "services": [s.value for s in clinic.enabled_services],
            "communicationTypes": [t.value for t in communication.startable_types(clinic)],
        }
    )


@ops.get(
    f"{PATIENT}/prescription-renewals",
    "listPrescriptionRenewals",
    "Sent prescription renewal requests (E1)",
    ok={200: reply("RenewalPage", "A page of requests.")},
    params=PAGING,
    may=Action.REQUEST_PRESCRIPTION_RENEWAL,
    log=LoggedOperation.LIST_RENEWALS,
)
def list_renewals(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/prescription-renewals (E1)."""
    patient = ctx.patient()
    ctx.require(patient, Action.REQUEST_PRESCRIPTION_RENEWAL)
    rows = ctx.repo.renewals_of(patient.id)
    rows.reverse()  # newest first
    return ok(page(ctx, rows))


@ops.post(
    f"{PATIENT}/prescription-renewals",
    "requestPrescriptionRenewal",
    "Ask a clinic to renew prescriptions (E1)",
    ok={201: reply("PrescriptionRenewalRequest", "The request.")},
    body="RenewalCreate",
    writes=True,
    idempotent=True,
    may=Action.REQUEST_PRESCRIPTION_RENEWAL,
    log=LoggedOperation.REQUEST_RENEWAL,
    problems=(*reasons_of("care"), "not_found"),
)
def request_renewal(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/prescription-renewals (E1)."""
    patient = ctx.patient()
    data = json_body(ctx)
    clinic_id = field(ctx, data, "clinicId", str)
    medications = field(ctx, data, "medications", tuple[str, ...])
    note = field(ctx, data, "note", str | None, required=False)
    ctx.require(patient, Action.REQUEST_PRESCRIPTION_RENEWAL)
    clinic = ctx.repo.clinic(clinic_id)
    if clinic is None:
        raise ApiProblem(404, "not_found", "no such clinic")
    try:
        outcome = care.request_prescription_renewal(
            request_id=new_id("rx"),
            patient=patient,
            clinic=clinic,
            medications=medications,
            requested_by=ctx.person().session.person_id,
            at=ctx.now,
            note=note,
        )
    except InvalidInput as exc:
        raise ApiProblem.invalid(exc) from None
    if isinstance(outcome, Denied):
        deny_unless(outcome)
    renewal: PrescriptionRenewalRequest = outcome.unwrap()
    ctx.repo.save_renewal(renewal)
    note_access(ctx, resource_id=renewal.id, clinic_id=clinic.id)
    ctx.repo.connect(patient, clinic, ctx.now)  # starting care connects (H2)
    return ok(ctx.dump(renewal), 201)
