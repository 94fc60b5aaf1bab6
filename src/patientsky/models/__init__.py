"""
The domain models: frozen, slotted attrs value objects that cannot hold an invalid value.

A change is a new value (:func:`attrs.evolve`), made by a function in
:mod:`patientsky.rules` that checks the rule allowing it.

Each model loads with the first use of its name (or of its module), so that
``from patientsky.models import Money`` does not compile every model class.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patientsky.models._base import Unrecognized
    from patientsky.models.access_log import AccessKind, AccessLogEntry, ActorKind, LoggedOperation
    from patientsky.models.attachment import Attachment
    from patientsky.models.calendar import (
        Appointment,
        AppointmentStatus,
        Calendar,
        CalendarKind,
        Interval,
        Schedule,
        TimeSlot,
        TimeSlotType,
        to_oslo,
    )
    from patientsky.models.care import (
        PrescriptionRenewalRequest,
        PrescriptionRequestStatus,
        PublicServiceLink,
        RenewalRoute,
    )
    from patientsky.models.clinic import CareService, Clinic, FeeSettings, PaymentTerminal
    from patientsky.models.communication import (
        AuthorKind,
        CommunicationType,
        Counterpart,
        CounterpartKind,
        Dialog,
        DialogStatus,
        Message,
    )
    from patientsky.models.consent import ConsentEvent, ConsentEventKind, ConsentHistory, Terms
    from patientsky.models.consultation import Consultation, ConsultationKind, ConsultationStatus
    from patientsky.models.identity import (
        AssuranceLevel,
        KidMethod,
        KidNumber,
        LoginMethod,
        NationalId,
        NationalIdKind,
        OrganisationNumber,
    )
    from patientsky.models.labels import LABELLED, label
    from patientsky.models.payment import Invoice, Money, Payment, PaymentMethod, PaymentStatus
    from patientsky.models.people import (
        Address,
        ContactDetails,
        Gender,
        Patient,
        PersonName,
        PhotoRef,
        Practitioner,
        PractitionerRole,
    )
    from patientsky.models.relation import Action, Relation, RelationKind
    from patientsky.models.session import LoginSession

__all__ = [
    "AccessKind",
    "AccessLogEntry",
    "Action",
    "ActorKind",
    "Address",
    "Appointment",
    "AppointmentStatus",
    "AssuranceLevel",
    "Attachment",
    "AuthorKind",
    "Calendar",
    "CalendarKind",
    "CareService",
    "Clinic",
    "CommunicationType",
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
    "Interval",
    "Invoice",
    "KidMethod",
    "KidNumber",
    "LABELLED",
    "LoggedOperation",
    "LoginMethod",
    "LoginSession",
    "Message",
    "Money",
    "NationalId",
    "NationalIdKind",
    "OrganisationNumber",
    "Patient",
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
    "RenewalRoute",
    "Schedule",
    "Terms",
    "TimeSlot",
    "TimeSlotType",
    "Unrecognized",
    "label",
    "to_oslo",
]

# Which module defines each exported name.
_WHERE = {
    "_base": ("Unrecognized",),
    "access_log": (
        "AccessKind",
        "AccessLogEntry",
        "ActorKind",
        "LoggedOperation",
    ),
    "attachment": ("Attachment",),
    "calendar": (
        "Appointment",
        "AppointmentStatus",
        "Calendar",
        "CalendarKind",
        "Interval",
        "Schedule",
        "TimeSlot",
        "TimeSlotType",
        "to_oslo",
    ),
    "care": (
        "PrescriptionRenewalRequest",
        "PrescriptionRequestStatus",
        "PublicServiceLink",
        "RenewalRoute",
    ),
    "clinic": (
        "CareService",
        "Clinic",
        "FeeSettings",
        "PaymentTerminal",
    ),
    "communication": (
        "AuthorKind",
        "CommunicationType",
        "Counterpart",
        "CounterpartKind",
        "Dialog",
        "DialogStatus",
        "Message",
    ),
    "consent": (
        "ConsentEvent",
        "ConsentEventKind",
        "ConsentHistory",
        "Terms",
    ),
    "consultation": (
        "Consultation",
        "ConsultationKind",
        "ConsultationStatus",
    ),
    "identity": (
        "AssuranceLevel",
        "KidMethod",
        "KidNumber",
        "LoginMethod",
        "NationalId",
        "NationalIdKind",
        "OrganisationNumber",
    ),
    "labels": ("LABELLED", "label"),
    "payment": (
        "Invoice",
        "Money",
        "Payment",
        "PaymentMethod",
        "PaymentStatus",
    ),
    "people": (
        "Address",
        "ContactDetails",
        "Gender",
        "Patient",
        "PersonName",
        "PhotoRef",
        "Practitioner",
        "PractitionerRole",
    ),
    "relation": (
        "Action",
        "Relation",
        "RelationKind",
    ),
    "session": ("LoginSession",),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
