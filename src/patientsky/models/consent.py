"""
Consent to the terms: an append-only history of events (C1–C3).

Whether consent is in force at a given time is derived by :mod:`patientsky.rules`.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import (
    as_tuple,
    aware,
    instant,
    instant_key,
    items,
    nfc,
    nfc_or_none,
    of_type,
    one_of,
    optional,
    text,
)

__all__ = [
    "ConsentEvent",
    "ConsentEventKind",
    "ConsentHistory",
    "Terms",
]


class ConsentEventKind(enum.Enum):
    """What happened to a patient's consent."""

    GIVEN = "given"
    """Consent to a version of the terms (C1, C2)."""
    WITHDRAWN = "withdrawn"
    """Consent withdrawn: the patient "reserved" themself (C3)."""


@attrs.frozen
class Terms:
    """
    A version of PatientSky's terms; a new version needs a new consent.

    Args:
        version: The version label, for example ``"2026-01"``.
        published_at: When it took effect.
    """

    version: str = attrs.field(converter=nfc, validator=text(50))
    published_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)


@attrs.frozen
class ConsentEvent:
    """
    One event in a patient's consent history.

    Args:
        id: The event's id.
        patient_id: Whose consent.
        kind: Given or withdrawn.
        terms_version: The terms version consented to (or in force when withdrawn).
        at: When.
        actor_id: Who did it: the patient, or a parent or guardian for a child.
        relation_id: The relation the actor used, when not the patient themself.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    kind: ConsentEventKind = attrs.field(validator=one_of(ConsentEventKind))
    terms_version: str = attrs.field(converter=nfc, validator=text(50))
    at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    actor_id: str = attrs.field(converter=nfc, validator=text(200))
    relation_id: str | None = attrs.field(
        default=None, converter=nfc_or_none, validator=optional(text(200))
    )

    def __attrs_post_init__(self) -> None:
        if (self.actor_id == self.patient_id) != (self.relation_id is None):
            raise InvalidInput(
                "relation_id", "is set exactly when someone else acts for the patient"
            )


@attrs.frozen
class ConsentHistory:
    """
    A patient's consent events, oldest first; only ever appended to.

    Args:
        patient_id: Whose history.
        events: The events in the order they happened.
    """

    patient_id: str = attrs.field(converter=nfc, validator=text(200))
    events: tuple[ConsentEvent, ...] = attrs.field(
        default=(), converter=as_tuple, validator=items(of_type(ConsentEvent))
    )

    def __attrs_post_init__(self) -> None:
        for i, event in enumerate(self.events):
            if event.patient_id != self.patient_id:
                raise InvalidInput(f"events[{i}].patient_id", "belongs to another patient")
            if i and instant(event.at) < instant(self.events[i - 1].at):
                raise InvalidInput(f"events[{i}].at", "is earlier than the event before it")

    def append(self, event: ConsentEvent) -> ConsentHistory:
        """Return the history with ``event`` added at the end (it must not be older)."""
        events: tuple[ConsentEvent, ...] = (*self.events, event)
        return ConsentHistory(self.patient_id, events)

    @property
    def latest(self) -> ConsentEvent | None:
        """The most recent event, if any."""
        return self.events[-1] if self.events else None
