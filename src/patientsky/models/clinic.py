"""
Clinics: what each one has enabled, its payment terminal and its fees (H1, M4, B1, M7).
"""

from __future__ import annotations

import enum

import attrs

from patientsky.models._base import (
    enum_tuple,
    items,
    nfc,
    nfc_or_none,
    non_negative,
    of_type,
    one_of,
    optional,
    positive,
    text,
)
from patientsky.models.communication import CommunicationType
from patientsky.models.identity import OrganisationNumber
from patientsky.models.payment import Money

__all__ = [
    "CareService",
    "Clinic",
    "FeeSettings",
    "PaymentTerminal",
]


class CareService(enum.Enum):
    """
    A service a clinic may offer under "Start care" (H1, K2, K3, E1).
    """

    BOOK_CONSULTATION = "book_consultation"
    VIDEO_CONSULTATION = "video_consultation"
    PRESCRIPTION_RENEWAL = "prescription_renewal"

    @property
    def label_nb(self) -> str:
        """The service's name in Norwegian bokmål."""
        return _SERVICE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The service's name in English."""
        return _SERVICE_LABELS[self][1]


_SERVICE_LABELS = {
    CareService.BOOK_CONSULTATION: ("Bestille time", "Book a consultation"),
    CareService.VIDEO_CONSULTATION: ("Videokonsultasjon", "Video consultation"),
    CareService.PRESCRIPTION_RENEWAL: ("Reseptfornyelse", "Prescription renewal"),
}


class PaymentTerminal(enum.Enum):
    """The payment terminal a clinic uses; only Convene terminals feed "Outstanding" (B1)."""

    CONVENE = "convene"
    OTHER = "other"


@attrs.frozen
class FeeSettings:
    """
    A clinic's fees and deadlines.

    Args:
        e_consultation_fee: The co-payment (egenandel) for an e-consultation under the
            current tariff; zero when the clinic charges none (M7).
        cancellation_deadline_hours: How many hours before the start a booking can be
            cancelled free of charge.
        late_cancellation_fee: What a late cancellation or no-show costs.
    """

    e_consultation_fee: Money = attrs.field(factory=Money.zero, validator=of_type(Money))
    cancellation_deadline_hours: int = attrs.field(default=24, validator=non_negative)
    late_cancellation_fee: Money = attrs.field(factory=Money.zero, validator=of_type(Money))


@attrs.frozen
class Clinic:
    """
    A clinic (legekontor) and what it has chosen to offer its patients.

    Args:
        id: The clinic's id.
        name: The clinic's name.
        org_number: Its organisation number in Brønnøysundregistrene.
        enabled_services: The services under "Start care" (H1), sorted.
        enabled_communication_types: The dialog types patients may start (M4), sorted.
        payment_terminal: The payment terminal, if any (B1).
        fees: Fees and cancellation deadline.
        city: Where the clinic is, for clinic search (H2).
        max_future_bookings: How many booked consultations that have not started yet
            one patient may hold at the clinic at once (K2); portals book no more.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    name: str = attrs.field(converter=nfc, validator=text(200))
    org_number: OrganisationNumber | None = attrs.field(
        default=None, validator=optional(of_type(OrganisationNumber))
    )
    enabled_services: tuple[CareService, ...] = attrs.field(
        default=(), converter=enum_tuple, validator=items(one_of(CareService))
    )
    enabled_communication_types: tuple[CommunicationType, ...] = attrs.field(
        default=(), converter=enum_tuple, validator=items(one_of(CommunicationType))
    )
    payment_terminal: PaymentTerminal | None = attrs.field(
        default=None, validator=optional(one_of(PaymentTerminal))
    )
    fees: FeeSettings = attrs.field(factory=FeeSettings, validator=of_type(FeeSettings))
    city: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(100))
    )
    max_future_bookings: int = attrs.field(default=4, validator=positive)

    @property
    def uses_convene(self) -> bool:
        """Whether the clinic takes payments on a Convene terminal (B1)."""
        return self.payment_terminal is PaymentTerminal.CONVENE

    def offers(self, service: CareService) -> bool:
        """Whether the clinic has enabled ``service`` (H1)."""
        return service in self.enabled_services
