"""
Start care, e-pharmacy and public services (H1, H2, E1, O1).
"""

from __future__ import annotations

import datetime as dt
import enum
from urllib.parse import urlsplit

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    aware,
    instant,
    instant_key,
    items,
    nfc,
    nfc_lines_or_none,
    nfc_or_none,
    nfc_tuple,
    one_of,
    optional,
    text,
)

__all__ = [
    "PrescriptionRenewalRequest",
    "PrescriptionRequestStatus",
    "PublicServiceLink",
    "RenewalRoute",
]


class PrescriptionRequestStatus(enum.Enum):
    """Where a prescription renewal request is (E1, E2): sent, then approved or rejected."""

    SENT = "sent"
    APPROVED = "approved"
    REJECTED = "rejected"


class RenewalRoute(enum.Enum):
    """Where in the portal a prescription renewal request was sent from (E1)."""

    E_PHARMACY = "e_pharmacy"
    """The e-pharmacy page ("E-apotek")."""
    START_CARE = "start_care"
    """"Start care" ("Start helsehjelp"), where the clinic has enabled it."""


@attrs.frozen
class PrescriptionRenewalRequest:
    """
    A request to renew prescriptions, sent to a clinic (E1).

    Args:
        id: The request's id.
        patient_id: Whose prescriptions.
        clinic_id: The clinic asked.
        medications: The medications to renew, as the patient names them.
        requested_by: Who sent it: the patient or a representative.
        requested_at: When.
        status: Sent, approved or rejected.
        note: A note to the clinic; health data, never logged.
        route: Sent from the e-pharmacy or from "Start care".
        dialog_id: The "Reseptforespørsel" dialog it belongs to, if any (E2).
        decided_at: When the clinic approved or rejected it; set exactly then.
        pharmacy: The pharmacy an approved renewal goes to; set exactly when approved.
        rejection_reason: Why it was rejected; set exactly when rejected. Health data,
            never logged.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    medications: tuple[str, ...] = attrs.field(
        converter=nfc_tuple, validator=items(text(200)), repr=False
    )
    requested_by: str = attrs.field(converter=nfc, validator=text(200))
    requested_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    status: PrescriptionRequestStatus | Unrecognized = attrs.field(
        default=PrescriptionRequestStatus.SENT,
        validator=one_of(PrescriptionRequestStatus, unrecognized=True),
    )
    note: str | None = attrs.field(
        default=None,
        converter=nfc_lines_or_none,
        validator=optional(text(2000, empty=True, multiline=True)),
        repr=False,
    )
    route: RenewalRoute | Unrecognized = attrs.field(
        default=RenewalRoute.START_CARE, validator=one_of(RenewalRoute, unrecognized=True)
    )
    dialog_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    decided_at: dt.datetime | None = attrs.field(default=None, validator=aware, eq=instant_key)
    pharmacy: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    rejection_reason: str | None = attrs.field(
        default=None,
        converter=nfc_lines_or_none,
        validator=optional(text(2000, multiline=True)),
        repr=False,
    )

    def __attrs_post_init__(self) -> None:
        if not self.medications:
            raise InvalidInput("medications", "name at least one medication")
        if len(self.medications) > 20:
            raise InvalidInput("medications", "at most 20 medications in one request")
        if self.decided_at is not None and instant(self.decided_at) < instant(self.requested_at):
            raise InvalidInput("decided_at", "must not be before requested_at")
        status = self.status
        if isinstance(status, Unrecognized):
            return  # a newer server's state: kept as it came
        if (status is PrescriptionRequestStatus.SENT) != (self.decided_at is None):
            raise InvalidInput("decided_at", "is set exactly when the request is decided")
        if (status is PrescriptionRequestStatus.APPROVED) != (self.pharmacy is not None):
            raise InvalidInput("pharmacy", "is set exactly when the request is approved")
        if (status is PrescriptionRequestStatus.REJECTED) != (self.rejection_reason is not None):
            raise InvalidInput("rejection_reason", "is set exactly when the request is rejected")


def _https(_inst: object, attr: attrs.Attribute[str], value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidInput(attr.name, "must be an https URL")


@attrs.frozen
class PublicServiceLink:
    """
    A link to a public health service on HelseNorge (O1).

    Args:
        id: A stable key, for example ``"vaccines"``.
        title_nb: The title in Norwegian bokmål.
        title_en: The title in English.
        url: The https address of the page.
    """

    id: str = attrs.field(converter=nfc, validator=text(100))
    title_nb: str = attrs.field(converter=nfc, validator=text(200))
    title_en: str = attrs.field(converter=nfc, validator=text(200))
    url: str = attrs.field(converter=nfc, validator=[text(2000), _https])
