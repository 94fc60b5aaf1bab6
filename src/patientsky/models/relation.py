"""
Relations: who may act for whom, and what they may do (R1–R4).

The permission rules, including the default actions of each relation kind, are in
:mod:`patientsky.rules`.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    aware,
    enum_tuple,
    instant,
    instant_key,
    items,
    nfc,
    of_type,
    one_of,
    optional,
    text,
)
from patientsky.models.people import PersonName

__all__ = [
    "Action",
    "Relation",
    "RelationKind",
]


class RelationKind(enum.Enum):
    """
    What a representative is to the person they act for (R2).
    """

    PARENT = "parent"
    """A parent of a child under 16; access ends on the child's 16th birthday."""
    GUARDIAN = "guardian"
    """A guardian (verge) appointed for the person."""
    FAMILY_CAREGIVER = "family_caregiver"
    """An adult child or grandchild of an elderly person."""

    @property
    def label_nb(self) -> str:
        """The kind's name in Norwegian bokmål."""
        return _KIND_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The kind's name in English."""
        return _KIND_LABELS[self][1]


_KIND_LABELS = {
    RelationKind.PARENT: ("Forelder til barn under 16", "Parent of a child under 16"),
    RelationKind.GUARDIAN: ("Verge", "Guardian"),
    RelationKind.FAMILY_CAREGIVER: (
        "Barn eller barnebarn av eldre",
        "Adult child or grandchild of an elderly person",
    ),
}


class Action(enum.Enum):
    """
    Something done in the portal on a patient's behalf (R4), and by the patient themself.

    Every member but the last few can be delegated to a relation; see
    :mod:`patientsky.rules` for the permission matrix.
    """

    VIEW_PROFILE = "view_profile"
    """See the patient's details and overview."""
    EDIT_PROFILE = "edit_profile"
    """Change name and contact details, and the photo."""
    BOOK_CONSULTATION = "book_consultation"
    """Book (and cancel) appointments."""
    BOOK_VIDEO_CONSULTATION = "book_video_consultation"
    """Book video consultations."""
    START_VIDEO_CONSULTATION = "start_video_consultation"
    """Join a video consultation."""
    READ_MESSAGES = "read_messages"
    """Read dialogs."""
    SEND_MESSAGES = "send_messages"
    """Answer and send messages, start dialogs of the non-fee types."""
    START_E_CONSULTATION = "start_e_consultation"
    """Start an e-consultation (may cost a co-payment)."""
    REQUEST_PRESCRIPTION_RENEWAL = "request_prescription_renewal"
    """Send a prescription renewal request."""
    MANAGE_RELATIONS = "manage_relations"
    """Change and give access to other relations."""
    VIEW_PAYMENTS = "view_payments"
    """See payment summaries and download receipts."""

    @property
    def label_nb(self) -> str:
        """The action in Norwegian bokmål."""
        return _ACTION_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The action in English."""
        return _ACTION_LABELS[self][1]


_ACTION_LABELS = {
    Action.VIEW_PROFILE: ("Se informasjon", "See details"),
    Action.EDIT_PROFILE: ("Endre navn og kontaktinformasjon", "Change name and contact details"),
    Action.BOOK_CONSULTATION: ("Bestille timer", "Book appointments"),
    Action.BOOK_VIDEO_CONSULTATION: ("Bestille videokonsultasjoner", "Book video consultations"),
    Action.START_VIDEO_CONSULTATION: ("Starte videokonsultasjoner", "Start video consultations"),
    Action.READ_MESSAGES: ("Lese meldinger", "Read messages"),
    Action.SEND_MESSAGES: ("Svare og sende meldinger", "Answer and send messages"),
    Action.START_E_CONSULTATION: ("Starte ny e-konsultasjon", "Start e-consultations"),
    Action.REQUEST_PRESCRIPTION_RENEWAL: (
        "Sende forespørsel om reseptfornyelse",
        "Request prescription renewal",
    ),
    Action.MANAGE_RELATIONS: (
        "Endre og gi tilgang til andre relasjoner",
        "Change and give access to other relations",
    ),
    Action.VIEW_PAYMENTS: (
        "Se sammendrag av betalinger og laste ned kvitteringer",
        "See payment summaries and download receipts",
    ),
}


@attrs.frozen
class Relation:
    """
    A representative's access to a patient's portal (R1–R4).

    Args:
        id: The relation's id.
        principal_id: The patient who is represented.
        representative_id: The person who acts for them (a patient of PatientSky too).
        kind: Parent, guardian or family caregiver.
        actions: What the representative may do, sorted; never more than the patient can.
        added_by_clinic_id: The clinic that added the relation (only clinics add, R3).
        valid_from: When the access begins.
        valid_until: When it ends (exclusive), if set; a parent's access also ends at the
            child's 16th birthday, whatever this says.
        enabled: Access can be switched off without deleting the relation.
        representative_name: The representative's name, as the API shows it next to the
            id (a view, not part of the relation's value: ignored by ``==``).
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    principal_id: str = attrs.field(converter=nfc, validator=text(200))
    representative_id: str = attrs.field(converter=nfc, validator=text(200))
    kind: RelationKind | Unrecognized = attrs.field(
        validator=one_of(RelationKind, unrecognized=True)
    )
    actions: tuple[Action | Unrecognized, ...] = attrs.field(
        converter=enum_tuple, validator=items(one_of(Action, unrecognized=True))
    )
    added_by_clinic_id: str = attrs.field(converter=nfc, validator=text(200))
    valid_from: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    valid_until: dt.datetime | None = attrs.field(default=None, validator=aware, eq=instant_key)
    enabled: bool = attrs.field(default=True, validator=of_type(bool))
    representative_name: PersonName | None = attrs.field(
        default=None, validator=optional(of_type(PersonName)), eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.principal_id == self.representative_id:
            raise InvalidInput("representative_id", "a person cannot be their own relation")
        if self.valid_until is not None and instant(self.valid_until) <= instant(self.valid_from):
            raise InvalidInput("valid_until", "must be after valid_from")

    def grants(self, action: Action) -> bool:
        """Whether ``action`` is among the granted actions (ignores every other condition)."""
        return action in self.actions
