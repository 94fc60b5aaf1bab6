"""
Finding the relation through which one person acts for another (R1-R4).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

from patientsky.models._base import instant
from patientsky.models.people import Patient
from patientsky.models.relation import Relation, RelationKind
from patientsky.rules._time import age_limit_reached_at
from patientsky.rules.decision import Reason

# How far a relation got through the checks; among several relations that all deny,
# the one that got furthest explains the denial best.
_RANK = {
    Reason.UNKNOWN_RELATION_KIND: 0,
    Reason.RELATION_DISABLED: 1,
    Reason.RELATION_NOT_YET_VALID: 2,
    Reason.RELATION_EXPIRED: 3,
    Reason.CHILD_TURNED_16: 4,
    Reason.ACTION_NOT_GRANTED: 5,
    Reason.RELATION_CANNOT_CONSENT: 5,
}


def in_force_denial(relation: Relation, birth_date: dt.date, at: dt.datetime) -> Reason | None:
    """Return why ``relation`` gives no access at ``at``, or None if it is in force."""
    kind = relation.kind
    if not isinstance(kind, RelationKind):
        return Reason.UNKNOWN_RELATION_KIND
    if not relation.enabled:
        return Reason.RELATION_DISABLED
    at = instant(at)
    if at < instant(relation.valid_from):
        return Reason.RELATION_NOT_YET_VALID
    if relation.valid_until is not None and at >= instant(relation.valid_until):
        return Reason.RELATION_EXPIRED
    if kind is RelationKind.PARENT and at >= _age_limit_instant(birth_date):
        return Reason.CHILD_TURNED_16
    return None


@functools.lru_cache(maxsize=4096)
def _age_limit_instant(birth_date: dt.date) -> dt.datetime:
    """The instant a parent's access ends, in UTC; a pure function of the date, kept."""
    return instant(age_limit_reached_at(birth_date))


def is_chain(relations: Sequence[Relation], actor_id: str, patient_id: str) -> bool:
    """Whether ``actor_id`` represents someone who represents ``patient_id``."""
    middle = {r.representative_id for r in relations if r.principal_id == patient_id}
    return any(r.representative_id == actor_id and r.principal_id in middle for r in relations)


def find_relation(
    relations: Sequence[Relation],
    actor_id: str,
    patient: Patient,
    at: dt.datetime,
    accept: Callable[[Relation], Reason | None],
) -> Relation | Reason:
    """
    Return a relation in force through which ``actor_id`` acts for ``patient``, or why none.

    Args:
        relations: Relations to look in; only direct ones (patient as principal, actor as
            representative) give access, others only explain a chain.
        actor_id: Who acts.
        patient: For whom.
        at: When.
        accept: A further check on a relation in force (the action, the kind).
    """
    best: Reason | None = None
    for relation in relations:
        if relation.principal_id != patient.id or relation.representative_id != actor_id:
            continue
        reason = in_force_denial(relation, patient.birth_date, at) or accept(relation)
        if reason is None:
            return relation
        if best is None or _RANK[reason] > _RANK[best]:
            best = reason
    if best is not None:
        return best
    if is_chain(relations, actor_id, patient.id):
        return Reason.TRANSITIVE_RELATION
    return Reason.NO_RELATION
