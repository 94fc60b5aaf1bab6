"""
Exports: everything the account holds as a FHIR R4 Bundle (X1).

``GET /v1/patients/{patientId}/fhir`` answers "what do you hold about me" with one
FHIR ``collection`` Bundle (``application/fhir+json``), built by
:func:`patientsky.fhir.patient_bundle`. Who may fetch it, and what it holds for them:

- The caller needs ``view_profile`` for the patient (the action that shows the
  patient's details, overview, consent and consultations), as for the profile: the
  patient, or a representative whose relation grants it; anyone else gets the
  access rule's 403.
- Every other part of the Bundle comes only with the action its own list needs, so
  the export never shows more than the API would: dialogs with ``read_messages``,
  invoices and payments with ``view_payments``, relations with ``manage_relations``.
  The patient holds every action, so their Bundle is complete.

The FHIR mapping is loaded on the first export, not with the sandbox; the ``sandbox``
extra installs what it needs (``fhir.resources``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from patientsky.models import AccessLogEntry, Action, AuthorKind, LoggedOperation, Patient
from patientsky.rules.access import decide
from patientsky.rules.access_log import ACCESS_LOG_ACTION
from patientsky.sandbox._context import Ctx
from patientsky.sandbox._declare import PATIENT, Operations

__all__ = ["FHIR_JSON", "ops"]

FHIR_JSON = "application/fhir+json"
"""The media type of FHIR's JSON format."""

ops = Operations("interop")
"""The operations of this module, in the order the document lists them."""

_BUNDLE = {
    "description": "A FHIR R4 Bundle of type ``collection`` (validated against the R4B"
    " models): Patient, Organization, Practitioner, RelatedPerson, Consent,"
    " Communication, Appointment, Invoice and PaymentNotice resources.",
    "content": {
        FHIR_JSON: {
            "schema": {
                "type": "object",
                "properties": {
                    "resourceType": {"type": "string", "const": "Bundle"},
                    "type": {"type": "string", "const": "collection"},
                    "timestamp": {"type": "string", "format": "date-time"},
                    "entry": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["resourceType", "type"],
            }
        }
    },
}


def _may(ctx: Ctx, patient: Patient, action: Action) -> bool:
    return decide(ctx.access(patient, action)).allowed


def _access_log(ctx: Ctx, patient: Patient) -> list[AccessLogEntry]:
    """The whole log, oldest first, if the caller may list it (AL1); else nothing."""
    if not _may(ctx, patient, ACCESS_LOG_ACTION):
        return []
    rows: list[tuple[int, dict[str, Any]]] = []
    before: int | None = None
    while chunk := ctx.repo.access_entries(patient.id, before=before, limit=500):
        rows += chunk
        before = chunk[-1][0]
    return [ctx.conv.structure(data, AccessLogEntry) for _, data in reversed(rows)]


def _bundle(ctx: Ctx, patient: Patient) -> dict[str, Any]:
    from patientsky.fhir import patient_bundle  # the mapping loads on first use

    repo = ctx.repo
    consultations = repo.consultations_of(patient.id)
    dialogs: list[Any] = []
    if _may(ctx, patient, Action.READ_MESSAGES):
        heads = repo.dialog_heads_of(patient.id)
        dialogs = [d for d in (repo.dialog(h.dialog.id) for h in heads) if d is not None]
    invoices, payments = [], []
    if _may(ctx, patient, Action.VIEW_PAYMENTS):
        invoices, payments = repo.invoices_of(patient.id), repo.payments_of(patient.id)
    relations = []
    if _may(ctx, patient, Action.MANAGE_RELATIONS):
        relations = repo.relations_of(patient.id)
    clinic_ids = (
        {c.clinic_id for c in consultations}
        | {d.clinic_id for d in dialogs}
        | {i.clinic_id for i in invoices}
        | {p.clinic_id for p in payments}
    )
    clinics = [c for c in repo.clinics() if c.id in clinic_ids]
    ids = {c.practitioner_id for c in consultations} | {
        m.author_id for d in dialogs for m in d.messages if m.author_kind is AuthorKind.PRACTITIONER
    }
    practitioners = [repo.practitioner(i) for i in sorted(ids)]
    return patient_bundle(
        patient,
        access_log=_access_log(ctx, patient),
        relations=relations,
        consent=repo.consent(patient.id),
        dialogs=dialogs,
        consultations=consultations,
        invoices=invoices,
        payments=payments,
        clinics=clinics,
        practitioners=[p for p in practitioners if p is not None],
        generated_at=ctx.now,
    )


@ops.get(
    f"{PATIENT}/fhir",
    "exportFhir",
    "Everything the account holds about the patient, as one FHIR R4 Bundle (X1)",
    ok={200: _BUNDLE},
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.EXPORT_RECORD,
)
def export_fhir(ctx: Ctx) -> Response:
    """
    GET /v1/patients/{patientId}/fhir: the patient's own export, as far as the caller may see.
    """
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    body = json.dumps(_bundle(ctx, patient), ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode("utf-8"), 200, media_type=FHIR_JSON)
