"""
The domain models: frozen, slotted attrs value objects that cannot hold an invalid value.

A change is a new value (:func:`attrs.evolve`), made by a function in
:mod:`patientsky.rules` that checks the rule allowing it.
"""

from patientsky.models._base import Unrecognized
from patientsky.models.access_log import AccessKind, AccessLogEntry, ActorKind, LoggedOperation
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
