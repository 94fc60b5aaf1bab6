"""
Access (L1, C1-C3, R1-R4): may this person do this action for this patient, now?

:func:`decide` is the one entry point. It checks, in this order, and the first check
that fails gives the reason:

1. **Login** (L1): the session is active at ``at`` and its method has high assurance
   (``SESSION_EXPIRED``, ``SESSION_NOT_YET_VALID``, ``LOGIN_ASSURANCE_TOO_LOW``).
2. **The action** is one this version knows (``UNKNOWN_ACTION``).
3. **The actor's own consent** is in force (``CONSENT_MISSING``, ``CONSENT_WITHDRAWN``,
   ``CONSENT_OUTDATED_TERMS``). A patient acting for themself is then allowed.
4. **A relation** (R1-R4): a representative acts only through a relation of their
   own to the patient (the representative of a representative gets nothing:
   ``TRANSITIVE_RELATION``; no relation at all: ``NO_RELATION``) that is switched on
   (``RELATION_DISABLED``), inside its window ``[valid_from, valid_until)``
   (``RELATION_NOT_YET_VALID``, ``RELATION_EXPIRED``), for a parent before the
   child's 16th birthday (``CHILD_TURNED_16``), and that grants the action
   (``ACTION_NOT_GRANTED``). With several relations, any one in force that grants
   the action will do; if none does, the reason comes from the relation that got
   furthest through these checks.
5. **The patient's consent** is in force (``PRINCIPAL_CONSENT_MISSING``,
   ``PRINCIPAL_CONSENT_WITHDRAWN``, ``PRINCIPAL_CONSENT_OUTDATED_TERMS``): nobody acts
   for a patient who cannot use the portal themself.

The patient's consent is checked after the relation, so that a stranger learns
nothing about it. Relations apply to every clinic the patient is connected to: the
decision does not depend on the clinic.

A parent's access ends at 00:00 Europe/Oslo on the child's 16th birthday.
Interpretation: for a child born on 29 February, the 16th birthday in a year without
29 February is 1 March (the day the child is no longer 15).

>>> import datetime as dt
>>> sixteenth_birthday(dt.date(2010, 5, 17))
datetime.date(2026, 5, 17)
>>> parent_access_ends_at(dt.date(2010, 5, 17)).isoformat()
'2026-05-17T00:00:00+02:00'
>>> sixteenth_birthday(dt.date(2084, 2, 29))
datetime.date(2100, 3, 1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from typing import Any

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, instant, items, of_type, one_of
from patientsky.models.consent import ConsentHistory, Terms
from patientsky.models.people import Patient
from patientsky.models.relation import Action, Relation
from patientsky.models.session import LoginSession
from patientsky.rules._relations import find_relation, in_force_denial
from patientsky.rules._time import AGE_OF_HEALTH_CONSENT as _AGE_LIMIT
from patientsky.rules._time import age_limit_reached_at, birthday
from patientsky.rules._time import check_aware as _check_aware
from patientsky.rules.consent import (
    _OWN_DENIALS,
    _PRINCIPAL_DENIALS,
    ConsentState,
    _consent_decision,
    _state,
)
from patientsky.rules.decision import Decision, Reason
from patientsky.rules.login import _check_login

__all__ = [
    "ALL_ACTIONS",
    "AccessRequest",
    "allowed_actions",
    "decide",
    "is_under_16",
    "parent_access_ends_at",
    "sixteenth_birthday",
]

ALL_ACTIONS: Set[Action] = frozenset(Action)
"""Every action; a patient with consent in force may do all of them for themself."""

_NOTHING: Set[Action] = frozenset()


def _as_tuple(value: Any) -> Any:
    try:
        return tuple(value)
    except TypeError:
        return value  # the validator names the field


@attrs.frozen(kw_only=True)
class AccessRequest:
    """
    The question "may this person do this action for this patient, now?", with its facts.

    Args:
        session: The login of the person acting (the actor).
        action: What they want to do; an ``Unrecognized``
            action is never allowed.
        patient: For whom (possibly the actor themself); gives the birth date.
        at: When (timezone-aware).
        terms: The current terms.
        patient_consent: The patient's consent history.
        actor_consent: The actor's consent history; required when the actor is not the
            patient, and otherwise left out (or the same history).
        relations: The relations where the patient is principal. Others are ignored,
            except that relations where the actor represents one of the patient's
            representatives explain a denial as ``TRANSITIVE_RELATION``.

    Raises:
        InvalidInput: If a history belongs to someone else, or ``actor_consent`` is
            missing for a representative.
    """

    session: LoginSession = attrs.field(validator=of_type(LoginSession))
    action: Action | Unrecognized = attrs.field(validator=one_of(Action, unrecognized=True))
    patient: Patient = attrs.field(validator=of_type(Patient))
    at: dt.datetime = attrs.field(validator=lambda _i, _a, v: _check_aware(v))
    terms: Terms = attrs.field(validator=of_type(Terms))
    patient_consent: ConsentHistory = attrs.field(validator=of_type(ConsentHistory))
    actor_consent: ConsentHistory | None = attrs.field(
        default=None, validator=attrs.validators.optional(of_type(ConsentHistory))
    )
    relations: tuple[Relation, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=items(of_type(Relation))
    )

    def __attrs_post_init__(self) -> None:
        if self.patient_consent.patient_id != self.patient.id:
            raise InvalidInput("patient_consent.patient_id", "must be the patient's")
        actor = self.session.person_id
        if self.actor_consent is not None and self.actor_consent.patient_id != actor:
            raise InvalidInput("actor_consent.patient_id", "must be the logged-in person's")
        if actor == self.patient.id:
            if self.actor_consent not in (None, self.patient_consent):
                raise InvalidInput("actor_consent", "differs from patient_consent for the patient")
        elif self.actor_consent is None:
            raise InvalidInput("actor_consent", "is required when someone acts for another person")

    @property
    def actor_id(self) -> str:
        """The id of the person acting."""
        return self.session.person_id

    @property
    def for_self(self) -> bool:
        """Whether the actor acts for themself."""
        return self.session.person_id == self.patient.id

    def with_action(self, action: Action | Unrecognized) -> AccessRequest:
        """Return the same request for another action."""
        return attrs.evolve(self, action=action)


def decide(request: AccessRequest) -> Decision:
    """
    Decide whether the actor may do the action for the patient at ``request.at``.

    The checks and their order are in the module documentation.

    Args:
        request: Who, what, for whom, when, and the facts to decide on.

    Returns:
        Allowed, or denied with the reason of the first check that failed.
    """
    action = request.action
    at = instant(request.at)  # every comparison below is of instants
    login = _check_login(request.session, at)
    if not login:
        return login
    if not isinstance(action, Action):
        return _UNKNOWN_ACTION
    patient = request.patient
    actor = request.session.person_id
    if actor == patient.id:
        return _consent_decision(request.patient_consent, request.terms, at, _OWN_DENIALS)
    # The request's validator guarantees the actor's history for a representative.
    own = _consent_decision(request.actor_consent or _EMPTY, request.terms, at, _OWN_DENIALS)
    if not own:
        return own

    def grants(relation: Relation) -> Reason | None:
        return None if action in relation.actions else Reason.ACTION_NOT_GRANTED

    found = find_relation(request.relations, actor, patient, at, grants)
    if isinstance(found, Reason):
        return Decision.deny(found)
    return _consent_decision(request.patient_consent, request.terms, at, _PRINCIPAL_DENIALS)


_EMPTY = ConsentHistory("nobody")
_UNKNOWN_ACTION = Decision.deny(Reason.UNKNOWN_ACTION)


def allowed_actions(request: AccessRequest) -> Set[Action]:
    """
    Return every action :func:`decide` would allow this actor for this patient now.

    This is what a portal shows as the represented person's menu, and what
    ``GET /v1/session/represented`` lists. ``request.action`` is not looked at.

    Args:
        request: The actor, patient, time and facts (any action).

    Returns:
        The set of actions ``a`` for which ``decide(request.with_action(a))`` allows.
    """
    at = instant(request.at)
    if not _check_login(request.session, at):
        return _NOTHING
    patient = request.patient
    actor = request.session.person_id
    if actor == patient.id:
        in_force = _state(request.patient_consent, request.terms, at) is ConsentState.IN_FORCE
        return ALL_ACTIONS if in_force else _NOTHING
    if _state(request.actor_consent or _EMPTY, request.terms, at) is not ConsentState.IN_FORCE:
        return _NOTHING
    granted: set[Action] = set()
    for relation in request.relations:
        if relation.principal_id != patient.id or relation.representative_id != actor:
            continue
        if in_force_denial(relation, patient.birth_date, at) is None:
            granted.update(a for a in relation.actions if isinstance(a, Action))
    if not granted:
        return _NOTHING
    if _state(request.patient_consent, request.terms, at) is not ConsentState.IN_FORCE:
        return _NOTHING
    return frozenset(granted)


def sixteenth_birthday(birth_date: dt.date) -> dt.date:
    """
    Return the 16th birthday of someone born on ``birth_date``.

    For a 29 February birth date in a year without 29 February, this is 1 March.
    """
    return birthday(birth_date, _AGE_LIMIT)


def parent_access_ends_at(birth_date: dt.date) -> dt.datetime:
    """Return the instant a parent's access ends: 00:00 Europe/Oslo on the 16th birthday."""
    return age_limit_reached_at(birth_date)


def is_under_16(birth_date: dt.date, at: dt.datetime) -> bool:
    """
    Tell whether someone born on ``birth_date`` is under 16 at ``at``, in Norwegian time.

    Raises:
        InvalidInput: If ``at`` is not a timezone-aware datetime.
    """
    return instant(_check_aware(at)) < instant(age_limit_reached_at(birth_date))
