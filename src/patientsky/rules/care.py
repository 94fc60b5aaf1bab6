"""
Start care and e-pharmacy (H1, H2, E1, E2, K3): where a patient can start what.

**Connected to a clinic** is decided in one place, and applies the same way to
everything a patient starts with a clinic: a dialog (M4), a booking (K2, K3) and a
prescription renewal (E1). *Interpretation, in the seed's terms:* "if you have no GP,
you must first search for the clinic before you can start care" (H2), and which
services are available "is decided by each clinic" (H1). So a patient may start, at
any clinic they found, every service and every communication type (M4) that clinic has
enabled; no earlier connection is asked for, and what they start connects them to the
clinic (:func:`connect_patient`), which from then on is one of "every clinic you have
a connection to" that relations act towards (R4). The clinic may also connect a
patient itself (its list of patients). :func:`connection` tells whether a patient is
connected, for what only a clinic does to its own patients: adding a relation (R3)
and issuing an invoice (``PATIENT_NOT_CONNECTED_TO_CLINIC``).

- Each clinic decides which services it offers under "Start care" (H1): booking,
  video consultation (K3), prescription renewal (E1); the clinic changes them, and its
  communication types, with :func:`change_clinic_offer`.
- Without a clinic there is nothing to start (``NO_CLINIC_CHOSEN``).
- A prescription renewal request (E1, E2) has one lifecycle: **sent**, then
  **approved** (with the pharmacy it goes to) or **rejected** (with a reason), once
  (``RENEWAL_ALREADY_DECIDED``). It is linked to a "Reseptforespørsel" dialog when
  there is one. The seed's condition "if the clinic has enabled it" belongs to the
  "Start care" route: from "Start care" the clinic must offer prescription renewal
  (``SERVICE_NOT_ENABLED``); from the e-pharmacy page, which is always there, the
  request goes to a clinic that takes prescription requests, the
  "Reseptforespørsel" type (``TYPE_NOT_ENABLED_BY_CLINIC``).
- The status of a request is shown to the patient, and to representatives who hold
  :data:`RENEWAL_ACTION`, the action that sends one.

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

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, instant
from patientsky.models.care import (
    PrescriptionRenewalRequest,
    PrescriptionRequestStatus,
    RenewalRoute,
)
from patientsky.models.clinic import CareService, Clinic
from patientsky.models.communication import CommunicationType, Dialog
from patientsky.models.people import Patient
from patientsky.models.relation import Action
from patientsky.rules._time import check_aware
from patientsky.rules.decision import Allowed, Decision, Denied, Outcome, Reason

__all__ = [
    "RENEWAL_ACTION",
    "approve_renewal",
    "change_clinic_offer",
    "connect_patient",
    "connection",
    "may_start_care",
    "needs_clinic_search",
    "reject_renewal",
    "request_prescription_renewal",
    "startable_services",
]

RENEWAL_ACTION = Action.REQUEST_PRESCRIPTION_RENEWAL
"""The action that sends a renewal request for a patient, and shows their requests' status."""


def needs_clinic_search(patient: Patient) -> bool:
    """Tell whether the patient must search for a clinic before starting care (no GP, H2)."""
    return not patient.has_gp


def connection(patient: Patient, clinic: Clinic) -> Decision:
    """
    Decide whether ``patient`` is connected to ``clinic``: the one place this is decided.

    What only a clinic does to its own patients asks it: adding a relation
    (:func:`~patientsky.rules.relations.add_relation`) and issuing an invoice
    (:func:`~patientsky.rules.payments.issue_invoice`). Starting a dialog, a booking
    or a renewal does not: it connects (:func:`connect_patient`).

    Returns:
        Allowed, or denied with ``PATIENT_NOT_CONNECTED_TO_CLINIC``.
    """
    if clinic.id in patient.clinic_ids:
        return Decision.allow()
    return Decision.deny(Reason.PATIENT_NOT_CONNECTED_TO_CLINIC)


def connect_patient(clinic: Clinic, patient: Patient) -> Patient:
    """
    Return ``patient`` connected to ``clinic`` (H2, R4).

    Call it when the clinic takes the patient in, and after anything the patient (or a
    representative) starts at the clinic: a dialog, a booking, a renewal request; that
    is the patient's choice of clinic in "Start care". Connecting a patient who is
    connected already changes nothing (the same value is returned).
    """
    if not isinstance(clinic, Clinic):
        raise InvalidInput("clinic", "must be a Clinic")
    if clinic.id in patient.clinic_ids:
        return patient
    return attrs.evolve(patient, clinic_ids=(*patient.clinic_ids, clinic.id))


def change_clinic_offer(
    clinic: Clinic,
    *,
    services: Iterable[CareService] | None = None,
    communication_types: Iterable[CommunicationType] | None = None,
) -> Clinic:
    """
    Return ``clinic`` offering other services (H1) or communication types (M4).

    Args:
        clinic: The clinic.
        services: Everything it offers under "Start care" from now on; unchanged if None.
        communication_types: Every type of dialog patients may start from now on;
            unchanged if None.

    Raises:
        InvalidInput: Naming the field, for a value that is not a service or a type.
    """
    changed = clinic
    if services is not None:
        changed = attrs.evolve(changed, enabled_services=_members(services, "services"))
    if communication_types is not None:
        changed = attrs.evolve(
            changed,
            enabled_communication_types=_members(communication_types, "communication_types"),
        )
    return changed


def _members(values: object, field: str) -> tuple[object, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(field, "must be a collection")
    return tuple(dict.fromkeys(values))


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


def _route_decision(clinic: Clinic, route: RenewalRoute) -> Decision:
    if route is RenewalRoute.START_CARE:
        return may_start_care(clinic, CareService.PRESCRIPTION_RENEWAL)
    if CommunicationType.PRESCRIPTION_REQUEST not in clinic.enabled_communication_types:
        return Decision.deny(Reason.TYPE_NOT_ENABLED_BY_CLINIC)
    return Decision.allow()


def _check_dialog(dialog: Dialog, patient: Patient, clinic: Clinic) -> str:
    if not isinstance(dialog, Dialog):
        raise InvalidInput("dialog", "must be a Dialog")
    if dialog.type is not CommunicationType.PRESCRIPTION_REQUEST:
        raise InvalidInput("dialog.type", "must be a prescription request dialog")
    if dialog.patient_id != patient.id:
        raise InvalidInput("dialog.patient_id", "must be the patient's")
    if dialog.clinic_id != clinic.id:
        raise InvalidInput("dialog.clinic_id", "must be the clinic's")
    return dialog.id


def request_prescription_renewal(
    *,
    request_id: str,
    patient: Patient,
    clinic: Clinic | None,
    medications: Iterable[str],
    requested_by: str,
    at: dt.datetime,
    note: str | None = None,
    route: RenewalRoute = RenewalRoute.START_CARE,
    dialog: Dialog | None = None,
) -> Outcome[PrescriptionRenewalRequest]:
    """
    Send a prescription renewal request to a clinic (E1); it starts as sent.

    Args:
        request_id: The new request's id.
        patient: Whose prescriptions.
        clinic: The clinic asked; None if the patient has none yet.
        medications: The medications to renew (1 to 20).
        requested_by: Who sends it: the patient or a representative.
        at: When (timezone-aware).
        note: A note to the clinic.
        route: From "Start care" (the clinic must offer prescription renewal) or from
            the e-pharmacy page (the clinic must take "Reseptforespørsel" dialogs).
        dialog: The "Reseptforespørsel" dialog it belongs to, if any.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the request, or
        :class:`~patientsky.rules.decision.Denied` with ``NO_CLINIC_CHOSEN``,
        ``SERVICE_NOT_ENABLED`` (from "Start care") or ``TYPE_NOT_ENABLED_BY_CLINIC``
        (from the e-pharmacy). Sending it connects the patient to the clinic
        (:func:`connect_patient`).

    Raises:
        InvalidInput: For a value the request cannot hold (no medication, too many), an
            unknown route, or a dialog of another type, patient or clinic.
    """
    check_aware(at)
    if not isinstance(route, RenewalRoute):
        raise InvalidInput("route", "must be a RenewalRoute")
    if clinic is None:
        return Denied.because(Reason.NO_CLINIC_CHOSEN)
    decision = _route_decision(clinic, route)
    if not decision:
        return Denied(decision)
    if isinstance(medications, str):
        raise InvalidInput("medications", "must be a list of medication names")
    dialog_id = None if dialog is None else _check_dialog(dialog, patient, clinic)
    return Allowed(
        PrescriptionRenewalRequest(
            id=request_id,
            patient_id=patient.id,
            clinic_id=clinic.id,
            medications=tuple(medications),
            requested_by=requested_by,
            requested_at=at,
            note=note,
            route=route,
            dialog_id=dialog_id,
        )
    )


def _decidable(request: PrescriptionRenewalRequest, at: dt.datetime) -> Denied | None:
    if not isinstance(request, PrescriptionRenewalRequest):
        raise InvalidInput("request", "must be a PrescriptionRenewalRequest")
    check_aware(at)
    if instant(at) < instant(request.requested_at):
        raise InvalidInput("at", "is earlier than the request")
    if not isinstance(request.status, PrescriptionRequestStatus):
        return Denied.because(Reason.UNKNOWN_RENEWAL_STATUS)
    if request.status is not PrescriptionRequestStatus.SENT:
        return Denied.because(Reason.RENEWAL_ALREADY_DECIDED)
    return None


def approve_renewal(
    request: PrescriptionRenewalRequest, *, pharmacy: str, at: dt.datetime
) -> Outcome[PrescriptionRenewalRequest]:
    """
    Approve a sent renewal request: the clinic renews, and the prescription goes to ``pharmacy``.

    Args:
        request: The request, sent.
        pharmacy: The pharmacy the renewed prescription goes to.
        at: When (timezone-aware); no earlier than the request.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the approved request, or
        :class:`~patientsky.rules.decision.Denied` with ``RENEWAL_ALREADY_DECIDED`` or
        ``UNKNOWN_RENEWAL_STATUS``.

    Raises:
        InvalidInput: If ``at`` is naive or before the request, or ``pharmacy`` is empty.
    """
    denied = _decidable(request, at)
    if denied is not None:
        return denied
    return Allowed(
        attrs.evolve(
            request, status=PrescriptionRequestStatus.APPROVED, decided_at=at, pharmacy=pharmacy
        )
    )


def reject_renewal(
    request: PrescriptionRenewalRequest, *, reason: str, at: dt.datetime
) -> Outcome[PrescriptionRenewalRequest]:
    """
    Reject a sent renewal request, saying why; a rejected request is never approved later.

    Args:
        request: The request, sent.
        reason: Why, for the patient; health data, never logged.
        at: When (timezone-aware); no earlier than the request.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the rejected request, or
        :class:`~patientsky.rules.decision.Denied` with ``RENEWAL_ALREADY_DECIDED`` or
        ``UNKNOWN_RENEWAL_STATUS``.

    Raises:
        InvalidInput: If ``at`` is naive or before the request, or ``reason`` is empty.
    """
    denied = _decidable(request, at)
    if denied is not None:
        return denied
    return Allowed(
        attrs.evolve(
            request,
            status=PrescriptionRequestStatus.REJECTED,
            decided_at=at,
            rejection_reason=reason,
        )
    )
