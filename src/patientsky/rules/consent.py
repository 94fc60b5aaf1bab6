"""
Consent (C1-C3): whether a person's consent to the terms is in force, and changing it.

The state is derived from the append-only
:class:`~patientsky.models.consent.ConsentHistory` and the current
:class:`~patientsky.models.consent.Terms`: the latest event at or before the
time asked about decides.

- No event yet: consent is **missing**.
- The latest event is a withdrawal ("reserve yourself"): consent is **withdrawn**.
- The latest event gives consent to an older version of the terms: consent is
  **outdated** (a new terms version needs a new consent).
- The latest event gives consent to the current terms: consent is **in force**.

Consent is given or withdrawn by the person themself, from 16. For a child under 16 a
parent or guardian does it, through a relation in force (and with their own login and
consent in order); so does a guardian for an adult.
Interpretation: 16 is the age from which a person decides over their own health
information, the same age at which a parent's access ends.

>>> import datetime as dt
>>> from patientsky.models import ConsentEvent, ConsentEventKind, ConsentHistory, Terms
>>> utc = dt.timezone.utc
>>> terms = Terms("2026-01", dt.datetime(2026, 1, 1, tzinfo=utc))
>>> given = ConsentEvent(
...     "e1", "p1", ConsentEventKind.GIVEN, "2026-01", dt.datetime(2026, 2, 1, tzinfo=utc), "p1"
... )
>>> history = ConsentHistory("p1", (given,))
>>> consent_state(history, terms, dt.datetime(2026, 3, 1, tzinfo=utc))
<ConsentState.IN_FORCE: 'in_force'>
>>> consent_state(history, terms, dt.datetime(2026, 1, 15, tzinfo=utc))
<ConsentState.MISSING: 'missing'>
>>> newer = Terms("2026-06", dt.datetime(2026, 6, 1, tzinfo=utc))
>>> check_consent(history, newer, dt.datetime(2026, 7, 1, tzinfo=utc)).reason
<Reason.CONSENT_OUTDATED_TERMS: 'consent_outdated_terms'>
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from patientsky.errors import InvalidInput
from patientsky.models._base import instant
from patientsky.models.consent import ConsentEvent, ConsentEventKind, ConsentHistory, Terms
from patientsky.models.people import Patient
from patientsky.models.relation import Relation, RelationKind
from patientsky.models.session import LoginSession
from patientsky.rules._relations import find_relation
from patientsky.rules._time import age_limit_reached_at, check_aware
from patientsky.rules.decision import Allowed, Decision, Denied, Outcome, Reason
from patientsky.rules.login import _check_login

__all__ = [
    "CONSENTING_KINDS",
    "ConsentState",
    "check_consent",
    "consent_in_force",
    "consent_state",
    "give_consent",
    "withdraw_consent",
]

CONSENTING_KINDS = frozenset({RelationKind.PARENT, RelationKind.GUARDIAN})
"""The relation kinds through which someone gives or withdraws consent for another."""


class ConsentState(enum.Enum):
    """Where a person's consent stands at a given time."""

    IN_FORCE = "in_force"
    """Given to the current terms, and not withdrawn since."""
    MISSING = "missing"
    """Never given (or only after the time asked about)."""
    WITHDRAWN = "withdrawn"
    """Withdrawn; the person has "reserved" themself (C3)."""
    OUTDATED_TERMS = "outdated_terms"
    """Given to an older version of the terms; the current version needs a new consent."""


# The denials for a state that is not in force, indexed by _MISSING, _WITHDRAWN, _OUTDATED:
# a tuple, not a mapping, because the access decision looks them up on every call.
_MISSING, _WITHDRAWN, _OUTDATED = 0, 1, 2
_STATES = (ConsentState.MISSING, ConsentState.WITHDRAWN, ConsentState.OUTDATED_TERMS)
_OWN_DENIALS = (
    Decision.deny(Reason.CONSENT_MISSING),
    Decision.deny(Reason.CONSENT_WITHDRAWN),
    Decision.deny(Reason.CONSENT_OUTDATED_TERMS),
)
_PRINCIPAL_DENIALS = (
    Decision.deny(Reason.PRINCIPAL_CONSENT_MISSING),
    Decision.deny(Reason.PRINCIPAL_CONSENT_WITHDRAWN),
    Decision.deny(Reason.PRINCIPAL_CONSENT_OUTDATED_TERMS),
)
_ALLOW = Decision.allow()


def _latest(history: ConsentHistory, at: dt.datetime) -> ConsentEvent | None:
    at = instant(at)
    for event in reversed(history.events):
        if instant(event.at) <= at:
            return event
    return None


def _not_in_force(history: ConsentHistory, terms: Terms, at: dt.datetime) -> int | None:
    """Return why consent is not in force (_MISSING, _WITHDRAWN, _OUTDATED), or None."""
    # _latest written out: decide asks this once or twice per request.
    at = instant(at)
    for event in reversed(history.events):
        if instant(event.at) <= at:
            if event.kind is _WITHDRAWN_KIND:
                return _WITHDRAWN
            if event.terms_version != terms.version:
                return _OUTDATED
            return None
    return _MISSING


_WITHDRAWN_KIND = ConsentEventKind.WITHDRAWN


def _state(history: ConsentHistory, terms: Terms, at: dt.datetime) -> ConsentState:
    why = _not_in_force(history, terms, at)
    return ConsentState.IN_FORCE if why is None else _STATES[why]


def _consent_decision(
    history: ConsentHistory, terms: Terms, at: dt.datetime, denials: tuple[Decision, ...]
) -> Decision:
    """Return the allowing decision, or the one of ``denials`` that says why not."""
    why = _not_in_force(history, terms, at)
    return _ALLOW if why is None else denials[why]


def consent_state(history: ConsentHistory, terms: Terms, at: dt.datetime) -> ConsentState:
    """
    Return the state of a person's consent at ``at``.

    Args:
        history: The person's consent events.
        terms: The terms in force at ``at``.
        at: When (timezone-aware); events after it are not yet history.

    Returns:
        In force, missing, withdrawn, or given to outdated terms.

    Raises:
        InvalidInput: If ``at`` is not a timezone-aware datetime.
    """
    return _state(history, terms, check_aware(at))


def consent_in_force(history: ConsentHistory, terms: Terms, at: dt.datetime) -> bool:
    """Tell whether the person's consent is in force at ``at`` (see :func:`consent_state`)."""
    return consent_state(history, terms, at) is ConsentState.IN_FORCE


def check_consent(history: ConsentHistory, terms: Terms, at: dt.datetime) -> Decision:
    """
    Decide whether a person may use the portal at all, as far as their own consent goes.

    Args:
        history: The person's consent events.
        terms: The current terms.
        at: When (timezone-aware).

    Returns:
        Allowed, or denied with ``CONSENT_MISSING``, ``CONSENT_WITHDRAWN`` or
        ``CONSENT_OUTDATED_TERMS``.
    """
    return _consent_decision(history, terms, check_aware(at), _OWN_DENIALS)


def _consenting_kind(relation: Relation) -> Reason | None:
    return None if relation.kind in CONSENTING_KINDS else Reason.RELATION_CANNOT_CONSENT


def _who_may_change(
    session: LoginSession,
    patient: Patient,
    history: ConsentHistory,
    terms: Terms,
    at: dt.datetime,
    relations: Iterable[Relation],
    actor_consent: ConsentHistory | None,
) -> Relation | Decision | None:
    """Return the relation the actor uses (None for the patient themself), or a denial."""
    check_aware(at)
    if history.patient_id != patient.id:
        raise InvalidInput("history.patient_id", "must be the patient's")
    login = _check_login(session, at)
    if not login:
        return login
    actor = session.person_id
    if actor == patient.id:
        if instant(at) < instant(age_limit_reached_at(patient.birth_date)):
            return Decision.deny(Reason.CONSENT_BY_PARENT_REQUIRED)
        return None
    if actor_consent is None:
        raise InvalidInput("actor_consent", "is required when someone acts for another person")
    if actor_consent.patient_id != actor:
        raise InvalidInput("actor_consent.patient_id", "must be the logged-in person's")
    own = _consent_decision(actor_consent, terms, at, _OWN_DENIALS)
    if not own:
        return own
    found = find_relation(tuple(relations), actor, patient, at, _consenting_kind)
    if isinstance(found, Reason):
        return Decision.deny(found)
    return found


def _append(
    history: ConsentHistory,
    kind: ConsentEventKind,
    version: str,
    event_id: str,
    at: dt.datetime,
    actor: str,
    relation: Relation | None,
) -> ConsentHistory:
    latest = history.latest
    if latest is not None and instant(at) < instant(latest.at):
        raise InvalidInput("at", "is earlier than the latest consent event")
    event = ConsentEvent(
        id=event_id,
        patient_id=history.patient_id,
        kind=kind,
        terms_version=version,
        at=at,
        actor_id=actor,
        relation_id=None if relation is None else relation.id,
    )
    return history.append(event)


def give_consent(
    *,
    session: LoginSession,
    patient: Patient,
    history: ConsentHistory,
    terms: Terms,
    at: dt.datetime,
    event_id: str,
    relations: Iterable[Relation] = (),
    actor_consent: ConsentHistory | None = None,
) -> Outcome[ConsentHistory]:
    """
    Give consent to the current terms, for oneself or, as parent or guardian, for another.

    Giving consent that is already in force for the current terms changes nothing
    (the history is returned as it is: C2, consent is given once).

    Args:
        session: The login of the person giving consent.
        patient: Whose consent.
        history: The patient's consent history.
        terms: The current terms; the consent is to their version.
        at: When (timezone-aware); not earlier than the latest event.
        event_id: The id of the new event.
        relations: The relations where the patient is principal (needed when someone
            else gives consent for the patient).
        actor_consent: The consent history of the person logged in, when that is not
            the patient.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the new history (its ``latest``
        is the new event), or :class:`~patientsky.rules.decision.Denied`: a login,
        consent or relation reason, or ``CONSENT_BY_PARENT_REQUIRED`` for a child under
        16 acting alone.

    Raises:
        InvalidInput: If the histories belong to other people, ``actor_consent`` is
            missing for a representative, or ``at`` is earlier than the latest event.
    """
    who = _who_may_change(session, patient, history, terms, at, relations, actor_consent)
    if isinstance(who, Decision):
        return Denied(who)
    if _state(history, terms, at) is ConsentState.IN_FORCE:
        return Allowed(history)
    return Allowed(
        _append(
            history, ConsentEventKind.GIVEN, terms.version, event_id, at, session.person_id, who
        )
    )


def withdraw_consent(
    *,
    session: LoginSession,
    patient: Patient,
    history: ConsentHistory,
    terms: Terms,
    at: dt.datetime,
    event_id: str,
    relations: Iterable[Relation] = (),
    actor_consent: ConsentHistory | None = None,
) -> Outcome[ConsentHistory]:
    """
    Withdraw consent ("reserve yourself", C3), for oneself or, as parent or guardian, for another.

    Withdrawing when no consent stands (never given, or already withdrawn) changes
    nothing. Consent given to older terms can be withdrawn: the event records the
    reservation.

    Args:
        session: The login of the person withdrawing.
        patient: Whose consent.
        history: The patient's consent history.
        terms: The current terms, recorded on the event.
        at: When (timezone-aware); not earlier than the latest event.
        event_id: The id of the new event.
        relations: The relations where the patient is principal.
        actor_consent: The consent history of the person logged in, when that is not
            the patient.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the new history, or
        :class:`~patientsky.rules.decision.Denied` (as for :func:`give_consent`).

    Raises:
        InvalidInput: As for :func:`give_consent`.
    """
    who = _who_may_change(session, patient, history, terms, at, relations, actor_consent)
    if isinstance(who, Decision):
        return Denied(who)
    latest = _latest(history, at)
    if latest is None or latest.kind is ConsentEventKind.WITHDRAWN:
        return Allowed(history)
    return Allowed(
        _append(
            history, ConsentEventKind.WITHDRAWN, terms.version, event_id, at, session.person_id, who
        )
    )
