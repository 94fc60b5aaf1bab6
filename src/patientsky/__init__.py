"""
patientsky: the domain library and SDK for the PatientSky patient portal.

``import patientsky`` gives the pure core: the models and the errors. Each model loads
with the first use of its name (``patientsky.Patient``, ``from patientsky import
Patient``), so importing the package stays light. The rules (:mod:`patientsky.rules`),
the wire converter (:mod:`patientsky.wire`), the HTTP client (:mod:`patientsky.client`)
and the sandbox server (:mod:`patientsky.sandbox`) load when imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patientsky.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    PatientSkyError,
)

if TYPE_CHECKING:
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
    if name in __all__:
        # A model: loaded with the first use of its name (see patientsky.models).
        from patientsky import models

        value = getattr(models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'patientsky' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
