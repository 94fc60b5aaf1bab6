"""
People: patients and practitioners, their names, addresses, contact details and photos (P1–P5).
"""

from __future__ import annotations

import datetime as dt
import enum
import re

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    date_only,
    items,
    nfc,
    nfc_or_none,
    nfc_tuple,
    of_type,
    one_of,
    optional,
    text,
)
from patientsky.models.identity import NationalId

__all__ = [
    "Address",
    "ContactDetails",
    "Gender",
    "Patient",
    "PersonName",
    "PhotoRef",
    "Practitioner",
    "PractitionerRole",
]

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_POSTAL_CODE_NO = re.compile(r"[0-9]{4}")
_COUNTRY = re.compile(r"[A-Z]{2}")
PHOTO_MEDIA_TYPES = ("image/jpeg", "image/png")


class Gender(enum.Enum):
    """Administrative gender, as the population register records it."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@attrs.frozen
class PersonName:
    """
    A person's name as the portal shows it.

    Args:
        given: Given name(s).
        family: Family name.
        middle: Middle name, if any.
    """

    given: str = attrs.field(converter=nfc, validator=text(200))
    family: str = attrs.field(converter=nfc, validator=text(200))
    middle: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )

    @property
    def full(self) -> str:
        """The name in display order: given, middle, family."""
        return " ".join(p for p in (self.given, self.middle, self.family) if p)

    def __str__(self) -> str:
        return self.full


@attrs.frozen
class Address:
    """
    A postal address.

    Args:
        street: Street name and number, for example ``"Borggata 1A"``.
        postal_code: Postal code; four digits in Norway.
        city: Postal area (poststed).
        country: ISO 3166-1 alpha-2 country code.
    """

    street: str = attrs.field(converter=nfc, validator=text(200))
    postal_code: str = attrs.field(converter=nfc, validator=text(20))
    city: str = attrs.field(converter=nfc, validator=text(100))
    country: str = attrs.field(default="NO", converter=nfc, validator=text(2))

    def __attrs_post_init__(self) -> None:
        if not _COUNTRY.fullmatch(self.country):
            raise InvalidInput("country", "must be an ISO 3166-1 alpha-2 code such as NO")
        if self.country == "NO" and not _POSTAL_CODE_NO.fullmatch(self.postal_code):
            raise InvalidInput("postal_code", "must be four digits in Norway")


_line_254 = optional(text(254))


def _email(inst: object, attr: attrs.Attribute[str | None], value: str | None) -> None:
    _line_254(inst, attr, value)
    if value is not None and not _EMAIL.fullmatch(value):
        raise InvalidInput(attr.name, "must be an e-mail address")


def _phone(inst: object, attr: attrs.Attribute[str | None], value: str | None) -> None:
    _line_254(inst, attr, value)
    if value is not None and not _PHONE.fullmatch(value):
        raise InvalidInput(attr.name, "must be an E.164 phone number such as +4712345678")


@attrs.frozen
class ContactDetails:
    """
    How the clinic can reach the patient (P2).

    Args:
        email: E-mail address.
        phone: Mobile phone number in E.164 form (``+47`` and eight digits in Norway).
        address: Postal address.
    """

    email: str | None = attrs.field(default=None, converter=nfc_or_none, validator=_email)
    phone: str | None = attrs.field(default=None, converter=nfc_or_none, validator=_phone)
    address: Address | None = attrs.field(default=None, validator=optional(of_type(Address)))


@attrs.frozen
class PhotoRef:
    """
    A reference to an uploaded profile photo (P1); the bytes live elsewhere.

    Args:
        id: The photo's id.
        media_type: ``image/jpeg`` or ``image/png``.
        size_bytes: The size of the image.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    media_type: str = attrs.field(converter=nfc, validator=text(50))
    size_bytes: int = attrs.field(validator=of_type(int))

    def __attrs_post_init__(self) -> None:
        if self.media_type not in PHOTO_MEDIA_TYPES:
            raise InvalidInput("media_type", "must be image/jpeg or image/png")
        if self.size_bytes <= 0:
            raise InvalidInput("size_bytes", "must be positive")


@attrs.frozen
class Patient:
    """
    A patient of the portal (P1–P5).

    The national identity number is stored because the patient consented (C1); it is
    masked in every repr.

    Args:
        id: The patient's id in PatientSky.
        national_id: Fødselsnummer, D-number or H-number.
        name: The patient's name.
        birth_date: Date of birth, from the population register.
        contact: Contact details (P2).
        photo: Profile photo, if uploaded (P1).
        gp_id: The practitioner id of the patient's GP (fastlege), if any (H2).
        clinic_ids: The clinics the patient is connected to, sorted.
        gender: Administrative gender.
        gp_name: The GP's name, as the API shows it next to ``gp_id`` (a view, not part
            of the patient's value: ignored by ``==``).
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    national_id: NationalId = attrs.field(validator=of_type(NationalId))
    name: PersonName = attrs.field(validator=of_type(PersonName))
    birth_date: dt.date = attrs.field(validator=date_only)
    contact: ContactDetails = attrs.field(factory=ContactDetails, validator=of_type(ContactDetails))
    photo: PhotoRef | None = attrs.field(default=None, validator=optional(of_type(PhotoRef)))
    gp_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )
    clinic_ids: tuple[str, ...] = attrs.field(
        default=(), converter=nfc_tuple, validator=items(text(200), unique=True)
    )
    gender: Gender = attrs.field(default=Gender.UNKNOWN, validator=one_of(Gender))
    gp_name: PersonName | None = attrs.field(
        default=None, validator=optional(of_type(PersonName)), eq=False
    )

    # The date in a national identity number is not always the birth date (UDI uses the
    # registration date when a date has no free numbers), so the two are not compared.

    @property
    def has_gp(self) -> bool:
        """Whether the patient has a GP (fastlege)."""
        return self.gp_id is not None


class PractitionerRole(enum.Enum):
    """What a practitioner does at the clinic."""

    GP = "gp"
    DOCTOR = "doctor"
    NURSE = "nurse"
    PSYCHOLOGIST = "psychologist"
    PHYSIOTHERAPIST = "physiotherapist"
    OTHER = "other"


@attrs.frozen
class Practitioner:
    """
    A practitioner (behandler) at a clinic.

    Args:
        id: The practitioner's id.
        name: The practitioner's name.
        clinic_id: The clinic they work at.
        role: What they do.
        hpr_number: Their number in the Norwegian health personnel register, if known.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    name: PersonName = attrs.field(validator=of_type(PersonName))
    clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    role: PractitionerRole = attrs.field(
        default=PractitionerRole.GP, validator=one_of(PractitionerRole)
    )
    hpr_number: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(9))
    )

    def __attrs_post_init__(self) -> None:
        if self.hpr_number is not None and not (
            self.hpr_number.isascii() and self.hpr_number.isdigit()
        ):
            raise InvalidInput("hpr_number", "must be digits")
