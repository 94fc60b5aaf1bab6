"""
Human labels for the enums a portal shows, in Norwegian bokmål, nynorsk and English.

:func:`label` names a status, kind, method or action in the user's language; a value
from a newer server (:class:`~patientsky.models.Unrecognized`) shows as its raw code, so
a page never fails on it.

>>> from patientsky.models import ConsultationStatus, DialogStatus, Unrecognized
>>> label(ConsultationStatus.LATE_CANCELLED), label(ConsultationStatus.LATE_CANCELLED, "nn")
('Avbestilt for sent', 'Avbestilt for seint')
>>> label(DialogStatus.CLOSED, "en"), label(Unrecognized("paused"), "en")
('Closed', 'paused')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from patientsky.models._base import Unrecognized
from patientsky.models.access_log import AccessKind, ActorKind, LoggedOperation
from patientsky.models.care import PrescriptionRequestStatus, RenewalRoute
from patientsky.models.clinic import CareService
from patientsky.models.communication import CommunicationType, DialogStatus
from patientsky.models.consultation import ConsultationKind, ConsultationStatus
from patientsky.models.identity import AssuranceLevel, LoginMethod
from patientsky.models.payment import PaymentMethod, PaymentStatus
from patientsky.models.relation import Action, RelationKind

__all__ = ["LABELLED", "label"]


def _l(nb: str, nn: str, en: str) -> tuple[str, str, str]:
    return (nb, nn, en)


_LABELS: Mapping[enum.Enum, tuple[str, str, str]] = MappingProxyType(
    {
        ConsultationStatus.BOOKED: _l("Bestilt", "Bestilt", "Booked"),
        ConsultationStatus.CANCELLED: _l("Avbestilt", "Avbestilt", "Cancelled"),
        ConsultationStatus.LATE_CANCELLED: _l(
            "Avbestilt for sent", "Avbestilt for seint", "Cancelled late"
        ),
        ConsultationStatus.COMPLETED: _l("Gjennomført", "Gjennomført", "Completed"),
        ConsultationStatus.NO_SHOW: _l("Ikke møtt", "Ikkje møtt", "Not attended"),
        ConsultationKind.IN_PERSON: _l("Oppmøte", "Oppmøte", "In person"),
        ConsultationKind.VIDEO: _l("Videokonsultasjon", "Videokonsultasjon", "Video consultation"),
        DialogStatus.OPEN: _l("Åpen", "Open", "Open"),
        DialogStatus.CLOSED: _l("Avsluttet", "Avslutta", "Closed"),
        PaymentStatus.PENDING: _l("Venter", "Ventar", "Pending"),
        PaymentStatus.PAID: _l("Betalt", "Betalt", "Paid"),
        PaymentStatus.REFUNDED: _l("Refundert", "Refundert", "Refunded"),
        PaymentStatus.FAILED: _l("Feilet", "Feila", "Failed"),
        PaymentMethod.CARD: _l("Kort", "Kort", "Card"),
        PaymentMethod.VIPPS: _l("Vipps", "Vipps", "Vipps"),
        PaymentMethod.BANK_TRANSFER: _l("Bankoverføring", "Bankoverføring", "Bank transfer"),
        PaymentMethod.INVOICE: _l("Faktura", "Faktura", "Invoice"),
        PaymentMethod.CASH: _l("Kontant", "Kontant", "Cash"),
        PrescriptionRequestStatus.SENT: _l("Sendt", "Sendt", "Sent"),
        PrescriptionRequestStatus.APPROVED: _l("Godkjent", "Godkjend", "Approved"),
        PrescriptionRequestStatus.REJECTED: _l("Avslått", "Avslått", "Rejected"),
        RenewalRoute.E_PHARMACY: _l("E-apotek", "E-apotek", "E-pharmacy"),
        RenewalRoute.START_CARE: _l("Start helsehjelp", "Start helsehjelp", "Start care"),
        CareService.BOOK_CONSULTATION: _l("Bestille time", "Bestille time", "Book a consultation"),
        CareService.VIDEO_CONSULTATION: _l(
            "Videokonsultasjon", "Videokonsultasjon", "Video consultation"
        ),
        CareService.PRESCRIPTION_RENEWAL: _l(
            "Reseptfornyelse", "Reseptfornying", "Prescription renewal"
        ),
        CommunicationType.E_CONSULTATION: _l("E-konsultasjon", "E-konsultasjon", "E-consultation"),
        CommunicationType.OTHER_INQUIRY: _l(
            "Annen henvendelse", "Anna førespurnad", "Other inquiry"
        ),
        CommunicationType.INVOICE_QUESTION: _l(
            "Fakturaspørsmål", "Fakturaspørsmål", "Invoice question"
        ),
        CommunicationType.PRESCRIPTION_REQUEST: _l(
            "Reseptforespørsel", "Reseptførespurnad", "Prescription request"
        ),
        LoginMethod.BANKID: _l("BankID", "BankID", "BankID"),
        LoginMethod.BUYPASS_SMART_CARD: _l(
            "Buypass ID på smartkort", "Buypass ID på smartkort", "Buypass ID on smart card"
        ),
        LoginMethod.BUYPASS_MOBILE: _l(
            "Buypass ID i mobil", "Buypass ID i mobil", "Buypass ID on mobile"
        ),
        LoginMethod.COMMFIDES: _l("Commfides e-ID", "Commfides e-ID", "Commfides e-ID"),
        LoginMethod.MINID: _l("MinID", "MinID", "MinID"),
        AssuranceLevel.LOW: _l("lav", "låg", "low"),
        AssuranceLevel.SUBSTANTIAL: _l(
            "betydelig (sikkerhetsnivå 3)", "betydeleg (tryggleiksnivå 3)", "substantial"
        ),
        AssuranceLevel.HIGH: _l("høy (sikkerhetsnivå 4)", "høg (tryggleiksnivå 4)", "high"),
        RelationKind.PARENT: _l(
            "Forelder til barn under 16", "Forelder til barn under 16", "Parent of a child under 16"
        ),
        RelationKind.GUARDIAN: _l("Verge", "Verje", "Guardian"),
        RelationKind.FAMILY_CAREGIVER: _l(
            "Barn eller barnebarn av eldre",
            "Barn eller barnebarn av eldre",
            "Adult child or grandchild of an elderly person",
        ),
        Action.VIEW_PROFILE: _l("Se informasjon", "Sjå informasjon", "See details"),
        Action.EDIT_PROFILE: _l(
            "Endre navn og kontaktinformasjon",
            "Endre namn og kontaktinformasjon",
            "Change name and contact details",
        ),
        Action.BOOK_CONSULTATION: _l("Bestille timer", "Bestille timar", "Book appointments"),
        Action.BOOK_VIDEO_CONSULTATION: _l(
            "Bestille videokonsultasjoner",
            "Bestille videokonsultasjonar",
            "Book video consultations",
        ),
        Action.START_VIDEO_CONSULTATION: _l(
            "Starte videokonsultasjoner",
            "Starte videokonsultasjonar",
            "Start video consultations",
        ),
        Action.READ_MESSAGES: _l("Lese meldinger", "Lese meldingar", "Read messages"),
        Action.SEND_MESSAGES: _l(
            "Svare og sende meldinger", "Svare og sende meldingar", "Answer and send messages"
        ),
        Action.START_E_CONSULTATION: _l(
            "Starte ny e-konsultasjon", "Starte ny e-konsultasjon", "Start e-consultations"
        ),
        Action.REQUEST_PRESCRIPTION_RENEWAL: _l(
            "Sende forespørsel om reseptfornyelse",
            "Sende førespurnad om reseptfornying",
            "Request prescription renewal",
        ),
        Action.MANAGE_RELATIONS: _l(
            "Endre og gi tilgang til andre relasjoner",
            "Endre og gje tilgang til andre relasjonar",
            "Change and give access to other relations",
        ),
        Action.VIEW_PAYMENTS: _l(
            "Se sammendrag av betalinger og laste ned kvitteringer",
            "Sjå samandrag av betalingar og laste ned kvitteringar",
            "See payment summaries and download receipts",
        ),
        ActorKind.PATIENT: _l("Pasienten", "Pasienten", "The patient"),
        ActorKind.REPRESENTATIVE: _l("Representant", "Representant", "Representative"),
        ActorKind.PRACTITIONER: _l("Behandler", "Behandlar", "Practitioner"),
        ActorKind.CLINIC: _l("Klinikken", "Klinikken", "The clinic"),
        AccessKind.READ: _l("Lest", "Lese", "Read"),
        AccessKind.CHANGE: _l("Endret", "Endra", "Changed"),
        LoggedOperation.VIEW_PROFILE: _l("Så profilen", "Såg profilen", "Viewed the profile"),
        LoggedOperation.EDIT_PROFILE: _l(
            "Endret profilen", "Endra profilen", "Changed the profile"
        ),
        LoggedOperation.VIEW_PHOTO: _l("Så profilbildet", "Såg profilbiletet", "Viewed the photo"),
        LoggedOperation.CHANGE_PHOTO: _l(
            "Endret profilbildet", "Endra profilbiletet", "Changed the photo"
        ),
        LoggedOperation.VIEW_CONSENT: _l("Så samtykket", "Såg samtykket", "Viewed the consent"),
        LoggedOperation.GIVE_CONSENT: _l("Ga samtykke", "Gav samtykke", "Gave consent"),
        LoggedOperation.WITHDRAW_CONSENT: _l(
            "Trakk samtykket", "Trekte samtykket", "Withdrew consent"
        ),
        LoggedOperation.LIST_CONSULTATIONS: _l(
            "Så konsultasjonene", "Såg konsultasjonane", "Viewed the consultations"
        ),
        LoggedOperation.BOOK_CONSULTATION: _l(
            "Bestilte time", "Bestilte time", "Booked a consultation"
        ),
        LoggedOperation.CANCEL_CONSULTATION: _l(
            "Avbestilte time", "Avbestilte time", "Cancelled a consultation"
        ),
        LoggedOperation.OPEN_VIDEO_CONSULTATION: _l(
            "Åpnet videokonsultasjon", "Opna videokonsultasjon", "Opened a video consultation"
        ),
        LoggedOperation.LIST_DIALOGS: _l("Så meldingene", "Såg meldingane", "Viewed the messages"),
        LoggedOperation.READ_DIALOG: _l("Leste en dialog", "Las ein dialog", "Read a dialog"),
        LoggedOperation.START_DIALOG: _l(
            "Startet en dialog", "Starta ein dialog", "Started a dialog"
        ),
        LoggedOperation.SEND_MESSAGE: _l("Sendte en melding", "Sende ei melding", "Sent a message"),
        LoggedOperation.VIEW_FEE_NOTICE: _l(
            "Så egenandelen", "Såg eigendelen", "Viewed the fee notice"
        ),
        LoggedOperation.VIEW_CANCELLATION_NOTICE: _l(
            "Så avbestillingsvarselet",
            "Såg avbestillingsvarselet",
            "Viewed the cancellation notice",
        ),
        LoggedOperation.LIST_CANCELLATION_NOTICES: _l(
            "Så avbestillingsvilkårene",
            "Såg avbestillingsvilkåra",
            "Viewed the cancellation terms",
        ),
        LoggedOperation.LIST_PAYMENTS: _l(
            "Så betalingene", "Såg betalingane", "Viewed the payments"
        ),
        LoggedOperation.DOWNLOAD_RECEIPT: _l(
            "Lastet ned en kvittering", "Lasta ned ei kvittering", "Downloaded a receipt"
        ),
        LoggedOperation.LIST_RELATIONS: _l(
            "Så relasjonene", "Såg relasjonane", "Viewed the relations"
        ),
        LoggedOperation.CHANGE_RELATION: _l(
            "Endret en relasjon", "Endra ein relasjon", "Changed a relation"
        ),
        LoggedOperation.REMOVE_RELATION: _l(
            "Fjernet en relasjon", "Fjerna ein relasjon", "Removed a relation"
        ),
        LoggedOperation.LIST_RENEWALS: _l(
            "Så reseptfornyelsene", "Såg reseptfornyingane", "Viewed the renewals"
        ),
        LoggedOperation.REQUEST_RENEWAL: _l(
            "Ba om reseptfornyelse", "Bad om reseptfornying", "Requested a renewal"
        ),
        LoggedOperation.LIST_ACCESS_LOG: _l(
            "Så tilgangsloggen", "Såg tilgangsloggen", "Viewed the access log"
        ),
        LoggedOperation.UPLOAD_ATTACHMENT: _l(
            "Lastet opp et vedlegg", "Lasta opp eit vedlegg", "Uploaded an attachment"
        ),
        LoggedOperation.LIST_ATTACHMENTS: _l(
            "Så vedleggene", "Såg vedlegga", "Viewed the attachments"
        ),
        LoggedOperation.DOWNLOAD_ATTACHMENT: _l(
            "Lastet ned et vedlegg", "Lasta ned eit vedlegg", "Downloaded an attachment"
        ),
        LoggedOperation.EXPORT_RECORD: _l(
            "Eksporterte journalen", "Eksporterte journalen", "Exported the record"
        ),
        LoggedOperation.MANAGE_CALENDAR_FEED: _l(
            "Endret kalenderabonnementet", "Endra kalenderabonnementet", "Managed the calendar feed"
        ),
        LoggedOperation.EXPORT_CALENDAR: _l(
            "Lastet ned timene som kalender",
            "Lasta ned timane som kalender",
            "Downloaded the appointments as a calendar",
        ),
        LoggedOperation.CONNECT_PATIENT: _l(
            "Knyttet pasienten til klinikken",
            "Knytte pasienten til klinikken",
            "Connected the patient to the clinic",
        ),
        LoggedOperation.ADD_RELATION: _l(
            "La til en relasjon", "La til ein relasjon", "Added a relation"
        ),
        LoggedOperation.PRACTITIONER_REPLY: _l(
            "Svarte i en dialog", "Svarte i ein dialog", "Replied in a dialog"
        ),
        LoggedOperation.CLOSE_DIALOG: _l(
            "Avsluttet en dialog", "Avslutta ein dialog", "Closed a dialog"
        ),
        LoggedOperation.ISSUE_INVOICE: _l(
            "Sendte en faktura", "Sende ein faktura", "Issued an invoice"
        ),
        LoggedOperation.SETTLE_INVOICE: _l(
            "Registrerte betaling av en faktura",
            "Registrerte betaling av ein faktura",
            "Settled an invoice",
        ),
        LoggedOperation.REFUND_PAYMENT: _l(
            "Refunderte en betaling", "Refunderte ei betaling", "Refunded a payment"
        ),
        LoggedOperation.DECIDE_RENEWAL: _l(
            "Behandlet en reseptfornyelse", "Behandla ei reseptfornying", "Decided a renewal"
        ),
        LoggedOperation.MARK_CONSULTATION: _l(
            "Registrerte konsultasjonen", "Registrerte konsultasjonen", "Marked a consultation"
        ),
    }
)

LABELLED: tuple[type[enum.Enum], ...] = (
    ConsultationStatus,
    ConsultationKind,
    DialogStatus,
    PaymentStatus,
    PaymentMethod,
    PrescriptionRequestStatus,
    RenewalRoute,
    CareService,
    CommunicationType,
    LoginMethod,
    AssuranceLevel,
    RelationKind,
    Action,
    ActorKind,
    AccessKind,
    LoggedOperation,
)
"""The enums :func:`label` names: every member of each has a label in all three languages."""

_INDEX: Mapping[str, int] = MappingProxyType({"nb": 0, "nn": 1, "en": 2})


def label(value: enum.Enum | Unrecognized, lang: Literal["nb", "nn", "en"] = "nb") -> str:
    """
    Return a status, kind, method or action's label in a language.

    Args:
        value: A member of one of the :data:`LABELLED` enums, or an
            :class:`~patientsky.models.Unrecognized` value (shown as its raw code).
        lang: ``"nb"`` (Norwegian bokmål, the default), ``"nn"`` (nynorsk) or ``"en"``.

    Raises:
        ValueError: For another language, or a member of an enum that has no labels.
    """
    index = _INDEX.get(lang)
    if index is None:
        raise ValueError(f"lang: must be 'nb', 'nn' or 'en', not {lang!r}")
    if isinstance(value, Unrecognized):
        return value.value
    labels = _LABELS.get(value)
    if labels is None:
        raise ValueError(f"value: {type(value).__name__} has no labels")
    return labels[index]
