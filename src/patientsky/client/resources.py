"""
The resources of the clients: one class per part of the contract.

A client has one of each as an attribute (``client.dialogs`` is a :class:`Dialogs`,
``async_client.dialogs`` an :class:`AsyncDialogs`); you never make them yourself. Every
method takes the keyword options of :class:`~patientsky.client.CallOptions` (``timeout``,
``max_retries``) for that call only.
"""

from patientsky.client._async import (
    AsyncCalendarFeeds,
    AsyncCare,
    AsyncClinics,
    AsyncConsent,
    AsyncConsultations,
    AsyncDialogs,
    AsyncExports,
    AsyncPayments,
    AsyncPrescriptions,
    AsyncProfile,
    AsyncPublicServices,
    AsyncRelations,
    AsyncSession,
)
from patientsky.client._sync import (
    CalendarFeeds,
    Care,
    Clinics,
    Consent,
    Consultations,
    Dialogs,
    Exports,
    Payments,
    Prescriptions,
    Profile,
    PublicServices,
    Relations,
    Session,
)

__all__ = [
    "AsyncCalendarFeeds",
    "AsyncCare",
    "AsyncClinics",
    "AsyncConsent",
    "AsyncConsultations",
    "AsyncDialogs",
    "AsyncExports",
    "AsyncPayments",
    "AsyncPrescriptions",
    "AsyncProfile",
    "AsyncPublicServices",
    "AsyncRelations",
    "AsyncSession",
    "CalendarFeeds",
    "Care",
    "Clinics",
    "Consent",
    "Consultations",
    "Dialogs",
    "Exports",
    "Payments",
    "Prescriptions",
    "Profile",
    "PublicServices",
    "Relations",
    "Session",
]
