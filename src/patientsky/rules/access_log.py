"""
The access log (AL1): what is recorded for each operation, and who may list it.

Helsenorge shows a patient "who has seen my record"; the portal does the same for the
data it holds. Every read and every change of a patient's data through the API leaves
exactly one :class:`~patientsky.models.access_log.AccessLogEntry`, built here, so every
service embedding the rules keeps the same log:

- :data:`LOG_RULES` is the table: for each
  :class:`~patientsky.models.access_log.LoggedOperation`, whether it reads or changes,
  the action (R4) a person needs for it, and whether it is the clinic's side.
- :func:`record` builds the entry for a person acting (the patient, or a
  representative: it names the kind of relation they acted through);
  :func:`record_for_clinic` for the clinic or a practitioner.
- Only an operation that was allowed and carried out is recorded: a refused one read
  and changed nothing. Keeping the log append-only is the store's job.

An entry holds ids and codes only, never message text or a national identity number.

**Who may list it.** The patient, always. A representative only with the action
:data:`ACCESS_LOG_ACTION`, "change and give access to other relations"
(``MANAGE_RELATIONS``). *Interpretation:* R4's list of actions is fixed by the seed,
so no action is added for the log; the log tells who used the access the patient gave,
and the one who decides who gets access is the one who needs to see how it is used. So
a parent of a child under 16 and a guardian see it by default, and an adult child
helping an elderly parent does not, unless the parent grants them that action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

import attrs

from patientsky.errors import InvalidInput
from patientsky.models.access_log import AccessKind, AccessLogEntry, ActorKind, LoggedOperation
from patientsky.models.relation import Action, Relation
from patientsky.rules._relations import find_relation
from patientsky.rules._time import check_aware
from patientsky.rules.access import AccessRequest, decide
from patientsky.rules.decision import Decision, Reason

__all__ = [
    "ACCESS_LOG_ACTION",
    "LOG_RULES",
    "LogRule",
    "access_log",
    "may_list_access_log",
    "record",
    "record_for_clinic",
]

ACCESS_LOG_ACTION = Action.MANAGE_RELATIONS
"""The action a representative needs to list a patient's access log."""


@attrs.frozen
class LogRule:
    """
    What the access log records for one operation.

    Args:
        operation: The operation.
        access: Whether it reads or changes the patient's data.
        action: The action (R4) a person needs for it; None for consent (the consent
            rules decide who gives it) and for the clinic's side.
        clinic_side: Whether the clinic or a practitioner does it, not a person for
            the patient.
    """

    operation: LoggedOperation
    access: AccessKind
    action: Action | None
    clinic_side: bool = False


_R, _C = AccessKind.READ, AccessKind.CHANGE
_O = LoggedOperation
_A = Action


def _person(operation: LoggedOperation, access: AccessKind, action: Action | None) -> LogRule:
    return LogRule(operation, access, action)


def _clinic(operation: LoggedOperation) -> LogRule:
    return LogRule(operation, _C, None, clinic_side=True)


class _Table(Mapping[LoggedOperation, LogRule]):
    """What the access log records for each operation on a patient's data (read-only)."""

    __slots__ = ("_rules",)

    def __init__(self, rules: Iterable[LogRule]) -> None:
        self._rules: Mapping[LoggedOperation, LogRule] = MappingProxyType(
            {rule.operation: rule for rule in rules}
        )

    def __getitem__(self, operation: LoggedOperation) -> LogRule:
        return self._rules[operation]

    def __iter__(self) -> Iterator[LoggedOperation]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


LOG_RULES: Mapping[LoggedOperation, LogRule] = _Table(
    (
        _person(_O.VIEW_PROFILE, _R, _A.VIEW_PROFILE),
        _person(_O.EDIT_PROFILE, _C, _A.EDIT_PROFILE),
        _person(_O.VIEW_PHOTO, _R, _A.VIEW_PROFILE),
        _person(_O.CHANGE_PHOTO, _C, _A.EDIT_PROFILE),
        _person(_O.VIEW_CONSENT, _R, None),
        _person(_O.GIVE_CONSENT, _C, None),
        _person(_O.WITHDRAW_CONSENT, _C, None),
        _person(_O.LIST_CONSULTATIONS, _R, _A.VIEW_PROFILE),
        _person(_O.BOOK_CONSULTATION, _C, _A.BOOK_CONSULTATION),
        _person(_O.CANCEL_CONSULTATION, _C, _A.BOOK_CONSULTATION),
        _person(_O.OPEN_VIDEO_CONSULTATION, _R, _A.START_VIDEO_CONSULTATION),
        _person(_O.LIST_DIALOGS, _R, _A.READ_MESSAGES),
        _person(_O.READ_DIALOG, _R, _A.READ_MESSAGES),
        _person(_O.START_DIALOG, _C, _A.SEND_MESSAGES),
        _person(_O.SEND_MESSAGE, _C, _A.SEND_MESSAGES),
        _person(_O.VIEW_FEE_NOTICE, _R, _A.START_E_CONSULTATION),
        _person(_O.VIEW_CANCELLATION_NOTICE, _R, _A.BOOK_CONSULTATION),
        _person(_O.LIST_CANCELLATION_NOTICES, _R, _A.BOOK_CONSULTATION),
        _person(_O.LIST_PAYMENTS, _R, _A.VIEW_PAYMENTS),
        _person(_O.DOWNLOAD_RECEIPT, _R, _A.VIEW_PAYMENTS),
        _person(_O.LIST_RELATIONS, _R, _A.MANAGE_RELATIONS),
        _person(_O.CHANGE_RELATION, _C, _A.MANAGE_RELATIONS),
        _person(_O.REMOVE_RELATION, _C, _A.MANAGE_RELATIONS),
        _person(_O.LIST_RENEWALS, _R, _A.REQUEST_PRESCRIPTION_RENEWAL),
        _person(_O.REQUEST_RENEWAL, _C, _A.REQUEST_PRESCRIPTION_RENEWAL),
        _person(_O.LIST_ACCESS_LOG, _R, ACCESS_LOG_ACTION),
        _person(_O.UPLOAD_ATTACHMENT, _C, _A.SEND_MESSAGES),
        _person(_O.LIST_ATTACHMENTS, _R, _A.READ_MESSAGES),
        _person(_O.DOWNLOAD_ATTACHMENT, _R, _A.READ_MESSAGES),
        _person(_O.EXPORT_RECORD, _R, _A.VIEW_PROFILE),
        _person(_O.MANAGE_CALENDAR_FEED, _C, _A.VIEW_PROFILE),
        _person(_O.EXPORT_CALENDAR, _R, _A.VIEW_PROFILE),
        _clinic(_O.CONNECT_PATIENT),
        _clinic(_O.ADD_RELATION),
        _clinic(_O.PRACTITIONER_REPLY),
        _clinic(_O.CLOSE_DIALOG),
        _clinic(_O.ISSUE_INVOICE),
        _clinic(_O.SETTLE_INVOICE),
        _clinic(_O.REFUND_PAYMENT),
        _clinic(_O.DECIDE_RENEWAL),
        _clinic(_O.MARK_CONSULTATION),
    )
)
"""
The table: every operation on a patient's data and what its entry records.

Booking a video consultation is recorded with ``BOOK_VIDEO_CONSULTATION``, and starting
a dialog with the action its type needs
(:func:`~patientsky.rules.communication.action_for_type`): :func:`record` takes the
action the access decision used.
"""


def _rule(operation: object, *, clinic_side: bool) -> LogRule:
    rule = LOG_RULES.get(operation) if isinstance(operation, LoggedOperation) else None
    if rule is None:
        raise InvalidInput("operation", "must be a LoggedOperation")
    if rule.clinic_side is not clinic_side:
        side = "the clinic's" if rule.clinic_side else "a person's"
        raise InvalidInput("operation", f"is {side} operation")
    return rule


def _relation_for(request: AccessRequest, action: Action | None) -> Relation:
    def accept(relation: Relation) -> Reason | None:
        if action is None or action in relation.actions:
            return None
        return Reason.ACTION_NOT_GRANTED

    found = find_relation(request.relations, request.actor_id, request.patient, request.at, accept)
    if isinstance(found, Reason):
        raise InvalidInput("request.relations", "hold no relation in force for the action")
    return found


def record(
    *,
    entry_id: str,
    operation: LoggedOperation,
    request: AccessRequest,
    clinic_id: str | None = None,
    resource_id: str | None = None,
    action: Action | None = None,
) -> AccessLogEntry:
    """
    Build the entry for an operation a person carried out for a patient, at ``request.at``.

    Args:
        entry_id: The new entry's id.
        operation: What was done: a person's operation of :data:`LOG_RULES`.
        request: The access request that allowed it (who, for whom, when, relations).
        clinic_id: The clinic the data concerns, if any.
        resource_id: The id of what was read or changed, if any.
        action: The action the access decision used, if it differs from the table's
            (a video booking, a dialog of a type that needs another action).

    Returns:
        The entry: the actor as the patient, or as a representative with the kind of
        the relation in force they acted through.

    Raises:
        InvalidInput: For an operation of the clinic's side or an unknown one, an id
            that holds an identity number, or a representative without a relation in
            force for the action.
    """
    rule = _rule(operation, clinic_side=False)
    used = rule.action if action is None else action
    if used is not None and not isinstance(used, Action):
        raise InvalidInput("action", "must be an Action")
    if request.for_self:
        kind, relation_kind = ActorKind.PATIENT, None
    else:
        kind, relation_kind = ActorKind.REPRESENTATIVE, _relation_for(request, used).kind
    return AccessLogEntry(
        id=entry_id,
        patient_id=request.patient.id,
        actor_id=request.actor_id,
        actor_kind=kind,
        relation_kind=relation_kind,
        operation=rule.operation,
        access=rule.access,
        action=used,
        at=request.at,
        clinic_id=clinic_id,
        resource_id=resource_id,
    )


def record_for_clinic(
    *,
    entry_id: str,
    operation: LoggedOperation,
    patient_id: str,
    clinic_id: str,
    at: dt.datetime,
    practitioner_id: str | None = None,
    resource_id: str | None = None,
) -> AccessLogEntry:
    """
    Build the entry for an operation the clinic, or one of its practitioners, carried out.

    Args:
        entry_id: The new entry's id.
        operation: What was done: a clinic-side operation of :data:`LOG_RULES`.
        patient_id: Whose data.
        clinic_id: The clinic.
        at: When (timezone-aware).
        practitioner_id: The practitioner who did it; the clinic itself if None.
        resource_id: The id of what was read or changed, if any.

    Raises:
        InvalidInput: For a person's operation or an unknown one, a naive ``at``, or an
            id that holds an identity number.
    """
    rule = _rule(operation, clinic_side=True)
    check_aware(at)
    return AccessLogEntry(
        id=entry_id,
        patient_id=patient_id,
        actor_id=clinic_id if practitioner_id is None else practitioner_id,
        actor_kind=ActorKind.CLINIC if practitioner_id is None else ActorKind.PRACTITIONER,
        relation_kind=None,
        operation=rule.operation,
        access=rule.access,
        action=None,
        at=at,
        clinic_id=clinic_id,
        resource_id=resource_id,
    )


def may_list_access_log(request: AccessRequest) -> Decision:
    """
    Decide whether the actor may list the patient's access log at ``request.at``.

    The patient may; a representative needs :data:`ACCESS_LOG_ACTION`.
    ``request.action`` is not looked at.

    Returns:
        Allowed, or denied with a reason of :func:`~patientsky.rules.access.decide`.
    """
    return decide(request.with_action(ACCESS_LOG_ACTION))


def access_log(entries: Iterable[AccessLogEntry], patient_id: str) -> list[AccessLogEntry]:
    """Return the patient's entries among ``entries``, newest first."""
    chosen: list[AccessLogEntry] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, AccessLogEntry):
            raise InvalidInput(f"entries[{i}]", "must be an AccessLogEntry")
        if entry.patient_id == patient_id:
            chosen.append(entry)
    chosen.sort(key=lambda e: (e.at.astimezone(dt.UTC), e.id), reverse=True)
    return chosen
