"""
The access log: who has read or changed a patient's data, as Helsenorge shows it (AL1).

An :class:`AccessLogEntry` says who (a person, a practitioner or the clinic, and for a
representative through which kind of relation), what (the operation and whether it read
or changed), when, and at which clinic. It holds ids and codes only: never the text of a
message, a note or a reason, and never a national identity number (an id that holds
eleven digits in a row is refused). Which operations are recorded, and how, is decided
by :mod:`patientsky.rules.access_log`; keeping the log append-only is the store's job.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    Unrecognized,
    aware,
    instant_key,
    nfc,
    nfc_or_none,
    one_of,
    optional,
    text,
)
from patientsky.models.relation import Action, RelationKind

__all__ = [
    "AccessKind",
    "AccessLogEntry",
    "ActorKind",
    "LoggedOperation",
]


class ActorKind(enum.Enum):
    """Who read or changed the data."""

    PATIENT = "patient"
    """The patient themself."""
    REPRESENTATIVE = "representative"
    """A person acting for the patient through a relation (R1-R4)."""
    PRACTITIONER = "practitioner"
    """A practitioner at the clinic."""
    CLINIC = "clinic"
    """The clinic (its staff, or its systems)."""


class AccessKind(enum.Enum):
    """Whether an operation read the data or changed it."""

    READ = "read"
    CHANGE = "change"


class LoggedOperation(enum.Enum):
    """An operation on a patient's data that the access log records."""

    VIEW_PROFILE = "view_profile"
    EDIT_PROFILE = "edit_profile"
    VIEW_PHOTO = "view_photo"
    CHANGE_PHOTO = "change_photo"
    VIEW_CONSENT = "view_consent"
    GIVE_CONSENT = "give_consent"
    WITHDRAW_CONSENT = "withdraw_consent"
    LIST_CONSULTATIONS = "list_consultations"
    BOOK_CONSULTATION = "book_consultation"
    CANCEL_CONSULTATION = "cancel_consultation"
    OPEN_VIDEO_CONSULTATION = "open_video_consultation"
    LIST_DIALOGS = "list_dialogs"
    READ_DIALOG = "read_dialog"
    START_DIALOG = "start_dialog"
    SEND_MESSAGE = "send_message"
    VIEW_FEE_NOTICE = "view_fee_notice"
    VIEW_CANCELLATION_NOTICE = "view_cancellation_notice"
    LIST_PAYMENTS = "list_payments"
    DOWNLOAD_RECEIPT = "download_receipt"
    LIST_RELATIONS = "list_relations"
    CHANGE_RELATION = "change_relation"
    REMOVE_RELATION = "remove_relation"
    LIST_RENEWALS = "list_renewals"
    REQUEST_RENEWAL = "request_renewal"
    LIST_ACCESS_LOG = "list_access_log"
    UPLOAD_ATTACHMENT = "upload_attachment"
    LIST_ATTACHMENTS = "list_attachments"
    DOWNLOAD_ATTACHMENT = "download_attachment"
    EXPORT_RECORD = "export_record"
    MANAGE_CALENDAR_FEED = "manage_calendar_feed"
    EXPORT_CALENDAR = "export_calendar"
    LIST_CANCELLATION_NOTICES = "list_cancellation_notices"
    # The clinic's half
    CONNECT_PATIENT = "connect_patient"
    ADD_RELATION = "add_relation"
    PRACTITIONER_REPLY = "practitioner_reply"
    CLOSE_DIALOG = "close_dialog"
    ISSUE_INVOICE = "issue_invoice"
    SETTLE_INVOICE = "settle_invoice"
    REFUND_PAYMENT = "refund_payment"
    DECIDE_RENEWAL = "decide_renewal"
    MARK_CONSULTATION = "mark_consultation"


_ELEVEN_DIGITS = re.compile(r"\d{11}")


def _no_national_id(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, str) and _ELEVEN_DIGITS.search(value):
        raise InvalidInput(attr.name, "must not hold an identity number")


_OPTIONAL_ID = optional(attrs.validators.and_(text(200), _no_national_id))


@attrs.frozen
class AccessLogEntry:
    """
    One line of "who has seen or changed my data" (AL1).

    Args:
        id: The entry's id.
        patient_id: Whose data.
        actor_id: The person, practitioner or clinic who acted.
        actor_kind: The patient, a representative, a practitioner or the clinic.
        relation_kind: Through which kind of relation a representative acted; set
            exactly for a representative.
        operation: What was done.
        access: Whether it read or changed the data.
        action: The action (R4) a person needed for it; None for the clinic's side.
        at: When.
        clinic_id: The clinic the data concerns, or the clinic that acted; None when
            the data belongs to no one clinic (the profile, consent).
        resource_id: The id of what was read or changed (a dialog, a consultation, an
            invoice, ...), if any.
        actor_name: Who acted, by name, as the API shows it next to ``actor_id`` (a
            person's or practitioner's full name, a clinic's name): a view, never
            stored in the log, not part of equality.
    """

    id: str = attrs.field(converter=nfc, validator=[text(200), _no_national_id])
    patient_id: str = attrs.field(converter=nfc, validator=[text(200), _no_national_id])
    actor_id: str = attrs.field(converter=nfc, validator=[text(200), _no_national_id])
    actor_kind: ActorKind | Unrecognized = attrs.field(
        validator=one_of(ActorKind, unrecognized=True)
    )
    relation_kind: RelationKind | Unrecognized | None = attrs.field(
        validator=optional(one_of(RelationKind, unrecognized=True))
    )
    operation: LoggedOperation | Unrecognized = attrs.field(
        validator=one_of(LoggedOperation, unrecognized=True)
    )
    access: AccessKind | Unrecognized = attrs.field(validator=one_of(AccessKind, unrecognized=True))
    action: Action | Unrecognized | None = attrs.field(
        validator=optional(one_of(Action, unrecognized=True))
    )
    at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    clinic_id: str | None = attrs.field(default=None, converter=nfc_or_none, validator=_OPTIONAL_ID)
    resource_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=_OPTIONAL_ID
    )
    actor_name: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=_OPTIONAL_ID, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.actor_kind is ActorKind.REPRESENTATIVE and self.relation_kind is None:
            raise InvalidInput("relation_kind", "is required for a representative")
        known = isinstance(self.actor_kind, ActorKind)
        if (
            known
            and self.actor_kind is not ActorKind.REPRESENTATIVE
            and self.relation_kind is not None
        ):
            raise InvalidInput("relation_kind", "is set only for a representative")
        if self.actor_kind is ActorKind.PATIENT and self.actor_id != self.patient_id:
            raise InvalidInput("actor_id", "must be the patient's when the patient acts")
        if self.actor_kind is ActorKind.REPRESENTATIVE and self.actor_id == self.patient_id:
            raise InvalidInput("actor_id", "must not be the patient's for a representative")

    @property
    def for_self(self) -> bool:
        """Whether the patient acted for themself."""
        return self.actor_kind is ActorKind.PATIENT
