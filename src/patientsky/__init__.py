"""
patientsky: the domain library and SDK for the PatientSky patient portal.

``import patientsky`` loads the pure core: the models, the rules and the errors.
The wire converter (:mod:`patientsky.wire`), the HTTP client (:mod:`patientsky.client`)
and the sandbox server (:mod:`patientsky.sandbox`) load when imported.
"""

from __future__ import annotations

from typing import Any

from patientsky.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    PatientSkyError,
)
from patientsky.models import (
    Action,
    Address,
    Appointment,
    AssuranceLevel,
    AuthorKind,
    Calendar,
    CalendarKind,
    CareService,
    Clinic,
    CommunicationType,
    ConsentEvent,
    ConsentEventKind,
    ConsentHistory,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    ContactDetails,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    FeeSettings,
    Gender,
    Invoice,
    KidMethod,
    KidNumber,
    LoginMethod,
    LoginSession,
    Message,
    Money,
    NationalId,
    NationalIdKind,
    OrganisationNumber,
    Patient,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTerminal,
    PersonName,
    PhotoRef,
    Practitioner,
    PractitionerRole,
    PrescriptionRenewalRequest,
    PrescriptionRequestStatus,
    PublicServiceLink,
    Relation,
    RelationKind,
    Terms,
    TimeSlot,
    TimeSlotType,
    Unrecognized,
)

__all__ = [
    "AccessDenied",
    "Action",
    "Address",
    "Appointment",
    "AssuranceLevel",
    "AuthorKind",
    "Calendar",
    "CalendarKind",
    "CareService",
    "Clinic",
    "CommunicationType",
    "Conflict",
    "ConsentEvent",
    "ConsentEventKind",
    "ConsentHistory",
    "Consultation",
    "ConsultationKind",
    "ConsultationStatus",
    "ContactDetails",
    "Counterpart",
    "CounterpartKind",
    "Dialog",
    "DialogStatus",
    "FeeSettings",
    "Gender",
    "InvalidInput",
    "Invoice",
    "KidMethod",
    "KidNumber",
    "LoginMethod",
    "LoginSession",
    "Message",
    "Money",
    "NationalId",
    "NationalIdKind",
    "NotFound",
    "OrganisationNumber",
    "Patient",
    "PatientSkyError",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "PaymentTerminal",
    "PersonName",
    "PhotoRef",
    "Practitioner",
    "PractitionerRole",
    "PrescriptionRenewalRequest",
    "PrescriptionRequestStatus",
    "PublicServiceLink",
    "Relation",
    "RelationKind",
    "Terms",
    "TimeSlot",
    "TimeSlotType",
    "Unrecognized",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("patientsky")
    raise AttributeError(f"module 'patientsky' has no attribute {name!r}")
