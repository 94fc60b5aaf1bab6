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
    instant_key,
    items,
    nfc,
    nfc_lines_or_none,
    nfc_tuple,
    one_of,
    optional,
    text,
)

__all__ = [
    "PrescriptionRenewalRequest",
    "PrescriptionRequestStatus",
    "PublicServiceLink",
]


class PrescriptionRequestStatus(enum.Enum):
    """Where a prescription renewal request is (E1)."""

    SENT = "sent"
    APPROVED = "approved"
    REJECTED = "rejected"


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

    def __attrs_post_init__(self) -> None:
        if not self.medications:
            raise InvalidInput("medications", "name at least one medication")
        if len(self.medications) > 20:
            raise InvalidInput("medications", "at most 20 medications in one request")


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
