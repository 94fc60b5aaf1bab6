"""
Relations (R1-R4): the permission matrix and the life of a relation.

- **Adding** a relation is the clinic's (R3), and only for a patient connected to that
  clinic. Unless the clinic says otherwise, the relation grants its kind's default
  actions, :data:`DEFAULT_ACTIONS` (the permission matrix).
- **Changing** what a relation may do, **switching it off** (without deleting it) or on,
  and **removing** it is for the patient, or for a representative whose own relation
  grants ``MANAGE_RELATIONS`` ("change and give access to other relations").
- A representative never grants more than they hold for the patient: the actions they
  add (or switch back on) must all be among their own (``GRANT_EXCEEDS_PATIENT``).
- Nothing is granted on values this version does not know: an unknown action or
  relation kind can be switched off or removed, but not granted or switched on.

Each function returns an :data:`~patientsky.rules.decision.Outcome`: the new relation,
or the denying decision.

>>> from patientsky.models import Action, RelationKind
>>> Action.MANAGE_RELATIONS in DEFAULT_ACTIONS[RelationKind.FAMILY_CAREGIVER]
False
>>> Action.MANAGE_RELATIONS in DEFAULT_ACTIONS[RelationKind.PARENT]
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Set
from types import MappingProxyType

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, instant
from patientsky.models.clinic import Clinic
from patientsky.models.people import Patient
from patientsky.models.relation import Action, Relation, RelationKind
from patientsky.models.session import LoginSession
from patientsky.rules._time import age_limit_reached_at, check_aware
from patientsky.rules.access import AccessRequest, allowed_actions, decide
from patientsky.rules.care import connection
from patientsky.rules.decision import Allowed, Decision, Denied, Outcome, Reason

__all__ = [
    "DEFAULT_ACTIONS",
    "PermissionMatrix",
    "add_relation",
    "change_relation_actions",
    "may_add_relations",
    "remove_relation",
    "switch_off",
    "switch_on",
]


class PermissionMatrix(Mapping[RelationKind, frozenset[Action]]):
    """
    An immutable mapping from relation kind to the actions it grants by default.

    Args:
        grants: The actions of every relation kind; each kind must be present.

    Raises:
        InvalidInput: If a kind is missing, or an entry is not an action.
    """

    __slots__ = ("_grants",)

    def __init__(self, grants: Mapping[RelationKind, Iterable[Action]]) -> None:
        data: dict[RelationKind, frozenset[Action]] = {}
        for kind in RelationKind:
            if kind not in grants:
                raise InvalidInput(f"grants[{kind.value}]", "is missing")
            actions = frozenset(grants[kind])
            if not all(isinstance(a, Action) for a in actions):
                raise InvalidInput(f"grants[{kind.value}]", "must hold actions only")
            data[kind] = actions
        self._grants: Mapping[RelationKind, frozenset[Action]] = MappingProxyType(data)

    def __getitem__(self, kind: RelationKind) -> frozenset[Action]:
        return self._grants[kind]

    def __iter__(self) -> Iterator[RelationKind]:
        return iter(self._grants)

    def __len__(self) -> int:
        return len(self._grants)

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{kind.name}: {sorted(a.value for a in actions)}" for kind, actions in self.items()
        )
        return f"PermissionMatrix({{{inner}}})"

    def grants(self, kind: RelationKind, action: Action) -> bool:
        """Whether ``kind`` grants ``action`` by default."""
        return action in self._grants[kind]


DEFAULT_ACTIONS = PermissionMatrix(
    {
        # A parent of a child under 16 and a guardian act for the person in everything.
        RelationKind.PARENT: frozenset(Action),
        RelationKind.GUARDIAN: frozenset(Action),
        # An adult child or grandchild helps with everything, but who else gets access
        # stays the elderly person's own choice.
        RelationKind.FAMILY_CAREGIVER: frozenset(Action) - {Action.MANAGE_RELATIONS},
    }
)
"""
The permission matrix, what each relation kind grants by default when a clinic adds it.

The patient (or a representative allowed to manage relations) can then change it.
The docs' table is generated from this mapping.
"""


def may_add_relations(by: Clinic | LoginSession) -> Decision:
    """
    Decide whether ``by`` may add relations at all, before anything about the relation is read.

    Only a clinic adds relations (R3): a person's login is refused whatever they ask for,
    so a service can answer before it reads or validates the request.
    """
    if isinstance(by, LoginSession):
        return Decision.deny(Reason.ONLY_CLINIC_ADDS_RELATIONS)
    return Decision.allow()


def add_relation(
    by: Clinic | LoginSession,
    *,
    relation_id: str,
    patient: Patient,
    representative_id: str,
    kind: RelationKind | Unrecognized,
    at: dt.datetime,
    actions: Iterable[Action | Unrecognized] | None = None,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> Outcome[Relation]:
    """
    Add a relation: the clinic lets ``representative_id`` act for ``patient`` (R3).

    Args:
        by: Who adds it: a :class:`~patientsky.models.clinic.Clinic` (its staff); a person's
            :class:`~patientsky.models.session.LoginSession` is always denied.
        relation_id: The new relation's id.
        patient: The patient to be represented (the principal).
        representative_id: Who will act for them.
        kind: Parent, guardian or family caregiver.
        at: When (timezone-aware).
        actions: What the relation grants; the kind's :data:`DEFAULT_ACTIONS` if None.
        valid_from: When access begins; ``at`` if None.
        valid_until: When it ends (exclusive), if ever.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the new relation, or
        :class:`~patientsky.rules.decision.Denied` with ``ONLY_CLINIC_ADDS_RELATIONS``,
        ``PATIENT_NOT_CONNECTED_TO_CLINIC``, ``UNKNOWN_RELATION_KIND``,
        ``UNKNOWN_ACTION`` or ``CHILD_TURNED_16`` (a parent relation for someone
        who is 16 or older).

    Raises:
        InvalidInput: For a value the relation cannot hold (the patient as their own
            representative, a window that ends before it begins, a naive time).
    """
    check_aware(at)
    first = may_add_relations(by)
    if first.reason is not None:
        return Denied(first)
    if not isinstance(by, Clinic):
        raise InvalidInput("by", "must be a Clinic")
    connected = connection(patient, by)
    if not connected:
        return Denied(connected)
    if not isinstance(kind, RelationKind):
        return Denied.because(Reason.UNKNOWN_RELATION_KIND)
    granted = DEFAULT_ACTIONS[kind] if actions is None else _action_set(actions, "actions")
    if not all(isinstance(a, Action) for a in granted):
        return Denied.because(Reason.UNKNOWN_ACTION)
    if kind is RelationKind.PARENT and instant(at) >= instant(
        age_limit_reached_at(patient.birth_date)
    ):
        return Denied.because(Reason.CHILD_TURNED_16)
    relation = Relation(
        id=relation_id,
        principal_id=patient.id,
        representative_id=representative_id,
        kind=kind,
        actions=tuple(granted),
        added_by_clinic_id=by.id,
        valid_from=at if valid_from is None else valid_from,
        valid_until=valid_until,
    )
    return Allowed(relation)


def _action_set(actions: object, field: str) -> frozenset[Action | Unrecognized]:
    if isinstance(actions, str) or not isinstance(actions, Iterable):
        raise InvalidInput(field, "must be a collection of actions")
    return frozenset(actions)


def _may_manage(request: AccessRequest, relation: Relation) -> Denied | None:
    if request.action is not Action.MANAGE_RELATIONS:
        raise InvalidInput("request.action", "must be manage_relations")
    if not isinstance(relation, Relation):
        raise InvalidInput("relation", "must be a Relation")
    if relation.principal_id != request.patient.id:
        raise InvalidInput("relation.principal_id", "must be the request's patient")
    decision = decide(request)
    return None if decision else Denied(decision)


def _within_own(request: AccessRequest, added: Set[Action]) -> bool:
    if request.for_self or not added:
        return True
    return added <= allowed_actions(request)


def change_relation_actions(
    request: AccessRequest, relation: Relation, actions: Iterable[Action | Unrecognized]
) -> Outcome[Relation]:
    """
    Change what a relation may do (R4): the patient's, or a relation manager's.

    Args:
        request: The actor's request to manage the patient's relations
            (``action=Action.MANAGE_RELATIONS``).
        relation: The relation to change; the patient is its principal.
        actions: Everything it shall grant from now on.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the changed relation, or
        :class:`~patientsky.rules.decision.Denied`: any reason of
        :func:`~patientsky.rules.access.decide`, ``UNKNOWN_ACTION``,
        ``UNKNOWN_RELATION_KIND`` or ``GRANT_EXCEEDS_PATIENT``.

    Raises:
        InvalidInput: If the request is not for ``MANAGE_RELATIONS`` or the relation
            is another patient's.
    """
    denied = _may_manage(request, relation)
    if denied is not None:
        return denied
    wanted = _action_set(actions, "actions")
    if not all(isinstance(a, Action) for a in wanted):
        return Denied.because(Reason.UNKNOWN_ACTION)
    if not isinstance(relation.kind, RelationKind):
        return Denied.because(Reason.UNKNOWN_RELATION_KIND)
    added = {a for a in wanted if isinstance(a, Action)} - set(relation.actions)
    if not _within_own(request, added):
        return Denied.because(Reason.GRANT_EXCEEDS_PATIENT)
    return Allowed(attrs.evolve(relation, actions=tuple(wanted)))


def switch_off(request: AccessRequest, relation: Relation) -> Outcome[Relation]:
    """
    Switch a relation's access off without deleting it (R4).

    Args:
        request: The actor's request to manage the patient's relations.
        relation: The relation; the patient is its principal.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the relation switched off, or
        :class:`~patientsky.rules.decision.Denied` with a reason of
        :func:`~patientsky.rules.access.decide`.

    Raises:
        InvalidInput: As for :func:`change_relation_actions`.
    """
    denied = _may_manage(request, relation)
    if denied is not None:
        return denied
    return Allowed(attrs.evolve(relation, enabled=False))


def switch_on(request: AccessRequest, relation: Relation) -> Outcome[Relation]:
    """
    Switch a relation's access back on (R4).

    A representative switching a relation on grants its actions again, so they must
    all be among the representative's own.

    Args:
        request: The actor's request to manage the patient's relations.
        relation: The relation; the patient is its principal.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the relation switched on, or
        :class:`~patientsky.rules.decision.Denied`: a reason of
        :func:`~patientsky.rules.access.decide`, ``UNKNOWN_RELATION_KIND``,
        ``UNKNOWN_ACTION`` or ``GRANT_EXCEEDS_PATIENT``.

    Raises:
        InvalidInput: As for :func:`change_relation_actions`.
    """
    denied = _may_manage(request, relation)
    if denied is not None:
        return denied
    if not isinstance(relation.kind, RelationKind):
        return Denied.because(Reason.UNKNOWN_RELATION_KIND)
    if not all(isinstance(a, Action) for a in relation.actions):
        return Denied.because(Reason.UNKNOWN_ACTION)
    known = {a for a in relation.actions if isinstance(a, Action)}
    if not relation.enabled and not _within_own(request, known):
        return Denied.because(Reason.GRANT_EXCEEDS_PATIENT)
    return Allowed(attrs.evolve(relation, enabled=True))


def remove_relation(request: AccessRequest, relation: Relation) -> Outcome[Relation]:
    """
    Decide that a relation may be removed (R4); the caller deletes the returned relation.

    Args:
        request: The actor's request to manage the patient's relations.
        relation: The relation; the patient is its principal.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the relation to delete, or
        :class:`~patientsky.rules.decision.Denied` with a reason of
        :func:`~patientsky.rules.access.decide`.

    Raises:
        InvalidInput: As for :func:`change_relation_actions`.
    """
    denied = _may_manage(request, relation)
    if denied is not None:
        return denied
    return Allowed(relation)
