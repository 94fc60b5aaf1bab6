"""
Start care and e-pharmacy (H1, H2, E1, K3): which services a patient can start, and where.

- Each clinic decides which services it offers under "Start care" (H1): booking,
  video consultation (K3), prescription renewal (E1).
- A patient starts care at a clinic: their GP's clinic, or, for a patient without a GP
  (fastlege), a clinic they first search for and choose (H2). Without a clinic there
  is nothing to start (``NO_CLINIC_CHOSEN``).
- A prescription renewal request, from "Start care" or from the e-pharmacy, goes only
  to a clinic that has enabled prescription renewal (E1).

Whether the person acting may do it for the patient is
:func:`~patientsky.rules.access.decide`'s question
(``REQUEST_PRESCRIPTION_RENEWAL``, ``BOOK_VIDEO_CONSULTATION``, ...).

>>> from patientsky.models import CareService, Clinic
>>> clinic = Clinic("c1", "Byklinikken", enabled_services=[CareService.BOOK_CONSULTATION])
>>> may_start_care(clinic, CareService.VIDEO_CONSULTATION).reason
<Reason.SERVICE_NOT_ENABLED: 'service_not_enabled'>
>>> may_start_care(None, CareService.BOOK_CONSULTATION).reason
<Reason.NO_CLINIC_CHOSEN: 'no_clinic_chosen'>
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized
from patientsky.models.care import PrescriptionRenewalRequest
from patientsky.models.clinic import CareService, Clinic
from patientsky.models.people import Patient
from patientsky.rules._time import check_aware
from patientsky.rules.decision import Allowed, Decision, Denied, Outcome, Reason

__all__ = [
    "may_start_care",
    "needs_clinic_search",
    "request_prescription_renewal",
    "startable_services",
]


def needs_clinic_search(patient: Patient) -> bool:
    """Tell whether the patient must search for a clinic before starting care (no GP, H2)."""
    return not patient.has_gp


def startable_services(clinic: Clinic | None) -> tuple[CareService, ...]:
    """Return the services a patient can start at ``clinic`` (H1); none without a clinic."""
    return () if clinic is None else clinic.enabled_services


def may_start_care(clinic: Clinic | None, service: CareService | Unrecognized) -> Decision:
    """
    Decide whether ``service`` can be started at ``clinic`` (H1, H2, E1, K3).

    Args:
        clinic: The GP's clinic, or the clinic the patient chose; None if there is none
            (a patient without a GP who has not chosen one yet).
        service: The service to start.

    Returns:
        Allowed, or denied with ``UNKNOWN_SERVICE``, ``NO_CLINIC_CHOSEN`` or
        ``SERVICE_NOT_ENABLED``.
    """
    if not isinstance(service, CareService):
        return Decision.deny(Reason.UNKNOWN_SERVICE)
    if clinic is None:
        return Decision.deny(Reason.NO_CLINIC_CHOSEN)
    if not clinic.offers(service):
        return Decision.deny(Reason.SERVICE_NOT_ENABLED)
    return Decision.allow()


def request_prescription_renewal(
    *,
    request_id: str,
    patient: Patient,
    clinic: Clinic | None,
    medications: Iterable[str],
    requested_by: str,
    at: dt.datetime,
    note: str | None = None,
) -> Outcome[PrescriptionRenewalRequest]:
    """
    Make a prescription renewal request to a clinic (E1).

    Args:
        request_id: The new request's id.
        patient: Whose prescriptions.
        clinic: The clinic asked; None if the patient has none yet.
        medications: The medications to renew (1 to 20).
        requested_by: Who sends it: the patient or a representative.
        at: When (timezone-aware).
        note: A note to the clinic.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the request, or
        :class:`~patientsky.rules.decision.Denied` with a reason of
        :func:`may_start_care`.

    Raises:
        InvalidInput: For a value the request cannot hold (no medication, too many).
    """
    check_aware(at)
    if clinic is None:
        return Denied.because(Reason.NO_CLINIC_CHOSEN)
    decision = may_start_care(clinic, CareService.PRESCRIPTION_RENEWAL)
    if not decision:
        return Denied(decision)
    if isinstance(medications, str):
        raise InvalidInput("medications", "must be a list of medication names")
    return Allowed(
        PrescriptionRenewalRequest(
            id=request_id,
            patient_id=patient.id,
            clinic_id=clinic.id,
            medications=tuple(medications),
            requested_by=requested_by,
            requested_at=at,
            note=note,
        )
    )
