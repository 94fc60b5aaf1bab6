"""
The clinic's half, continued: what the clinic offers under "Start care" (H1, M4).

A sandbox-only helper behind the admin key, like those of :mod:`._clinic_side`: the
clinic changes its enabled services and communication types through
:func:`patientsky.rules.care.change_clinic_offer`.
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.errors import InvalidInput
from patientsky.models import CareService, CommunicationType
from patientsky.rules import care
from patientsky.sandbox._context import Ctx, clinic_of_path, field, json_body, ok
from patientsky.sandbox._declare import Operations, path_id, reply
from patientsky.sandbox._http import ApiProblem

__all__ = ["ops"]

ops = Operations("sandbox")
"""The operations of this module, in the order the document lists them."""


@ops.put(
    "/v1/sandbox/clinics/{clinicId}/offer",
    "clinicChangeOffer",
    "Sandbox: the clinic changes its enabled services and communication types (H1, M4)",
    ok={200: reply("Clinic", "The clinic, offering what it offers now.")},
    errors=(404,),
    params=(path_id("clinicId", "clinic"),),
    body="ClinicOffer",
    caller="admin",
    writes=True,
    idempotent=True,
    problems=("not_found",),
)
def clinic_change_offer(ctx: Ctx) -> Response:
    """PUT /v1/sandbox/clinics/{clinicId}/offer: what it names changes, the rest stays."""
    clinic = clinic_of_path(ctx)
    data = json_body(ctx)
    services = field(ctx, data, "services", tuple[CareService, ...], required=False)
    types = field(ctx, data, "communicationTypes", tuple[CommunicationType, ...], required=False)
    try:
        changed = care.change_clinic_offer(clinic, services=services, communication_types=types)
    except InvalidInput as exc:
        names = {"communication_types": "communicationTypes"}
        raise ApiProblem.invalid(
            InvalidInput(names.get(exc.field, exc.field), exc.message)
        ) from None
    ctx.repo.put_record("clinics", changed.id, changed, clinic_id=changed.id, sort_key=changed.name)
    return ok(ctx.dump(changed))
