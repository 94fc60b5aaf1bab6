"""
The problem codes an operation can answer, each with its status.

An operation's codes are those its declaration implies (a token: 401 ``unauthorized``;
a patient's path: 404 ``not_found`` and the access rules' reasons; a body: 400, 413 and
415; ...) and those it names in ``problems=`` (a rule's :class:`Reason`, a generic code,
or a ``(status, code)`` pair). The OpenAPI document lists them under each error status
(``x-problem-codes``), and a test checks that every problem the sandbox answers in the
test run is one its operation declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from patientsky.reasons import Reason

__all__ = [
    "ACCESS_REASONS",
    "GENERIC_STATUS",
    "STATUS_OF_REASON",
    "Problem",
    "implied_problems",
    "problem_pairs",
    "reasons_of",
]

Problem = Reason | str | tuple[int, str]
"""A problem an operation declares: a rule's reason, a generic code, or ``(status, code)``."""

GENERIC_STATUS: Mapping[str, int] = {
    "admin_key_required": 401,
    "clinic_mismatch": 403,
    "conflict": 409,
    "idempotency_key_in_use": 409,
    "idempotency_key_reused": 409,
    "internal_error": 500,
    "invalid_input": 400,
    "method_not_allowed": 405,
    "not_found": 404,
    "payload_too_large": 413,
    "person_login_required": 403,
    "precondition_failed": 412,
    "precondition_required": 428,
    "rate_limited": 429,
    "service_unavailable": 503,
    "session_expired": 401,
    "session_not_yet_valid": 401,
    "unauthorized": 401,
    "unsupported_media_type": 415,
}
"""The status of each problem code that is not a rule's reason (a session's reasons too)."""

# Reasons that say the state of things does not allow it, rather than who asks.
STATUS_OF_REASON: Mapping[Reason, int] = {
    Reason.SLOT_NOT_FREE: 409,
    Reason.ALREADY_BOOKED: 409,
    Reason.NOT_CANCELLABLE: 409,
    Reason.DIALOG_CLOSED: 409,
    Reason.DIALOG_FULL: 409,
    Reason.TOO_MANY_FUTURE_BOOKINGS: 409,
    Reason.START_NOT_ON_GRID: 409,
    Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED: 409,
    Reason.INVOICE_ALREADY_PAID: 409,
    Reason.INVOICE_NOT_PAID: 409,
    Reason.PAYMENT_ALREADY_REFUNDED: 409,
    Reason.RENEWAL_ALREADY_DECIDED: 409,
    Reason.CONSULTATION_NOT_BOOKED: 409,
    Reason.CONSULTATION_NOT_STARTED: 409,
    Reason.NO_FEE_DUE: 409,
}
"""The status of a rule's reason where it is not 403."""

ACCESS_REASONS: tuple[Reason, ...] = (
    Reason.SESSION_EXPIRED,
    Reason.SESSION_NOT_YET_VALID,
    Reason.LOGIN_ASSURANCE_TOO_LOW,
    Reason.CONSENT_MISSING,
    Reason.CONSENT_WITHDRAWN,
    Reason.CONSENT_OUTDATED_TERMS,
    Reason.PRINCIPAL_CONSENT_MISSING,
    Reason.PRINCIPAL_CONSENT_WITHDRAWN,
    Reason.PRINCIPAL_CONSENT_OUTDATED_TERMS,
    Reason.NO_RELATION,
    Reason.RELATION_DISABLED,
    Reason.RELATION_NOT_YET_VALID,
    Reason.RELATION_EXPIRED,
    Reason.CHILD_TURNED_16,
    Reason.ACTION_NOT_GRANTED,
    Reason.TRANSITIVE_RELATION,
    Reason.UNKNOWN_ACTION,
)
"""The reasons the access rule (:func:`patientsky.rules.access.decide`) may deny with."""


def reasons_of(area: str) -> tuple[Reason, ...]:
    """
    Return the reasons of one rule area (``"booking"``, ``"communication"``, ...).

    Raises:
        ValueError: If no reason is in that area.
    """
    found = tuple(r for r in Reason if r.area == area)
    if not found:
        raise ValueError(f"no reason is in the area {area!r}")
    return found


def _pair(problem: Problem) -> tuple[int, str]:
    if isinstance(problem, Reason):
        return STATUS_OF_REASON.get(problem, 403), problem.value
    if isinstance(problem, str):
        if problem not in GENERIC_STATUS:
            raise ValueError(f"{problem!r} is not a generic problem code; name its Reason")
        return GENERIC_STATUS[problem], problem
    return problem


def problem_pairs(problems: Iterable[Problem]) -> frozenset[tuple[int, str]]:
    """Return the ``(status, code)`` pairs of declared problems."""
    return frozenset(_pair(p) for p in problems)


def implied_problems(
    *,
    caller: str,
    for_patient: bool,
    body: bool,
    params: Iterable[Mapping[str, Any]],
    idempotent: bool,
    rate_limited: bool,
) -> frozenset[tuple[int, str]]:
    """
    Return the problems the machinery in front of every handler may answer.

    Args:
        caller: Who may call (see :data:`~patientsky.sandbox._declare.Caller`).
        for_patient: Whether the path is a patient's (its access is checked).
        body: Whether a body is read.
        params: The declared parameters (an ``If-Match`` makes it conditional).
        idempotent: Whether it takes an ``Idempotency-Key``.
        rate_limited: Whether a rate limit is in front of it.
    """
    found: set[Problem] = {"internal_error", "method_not_allowed", "service_unavailable"}
    if caller in ("person", "person_or_clinic"):
        found |= {"unauthorized", "session_expired", "session_not_yet_valid"}
    if caller == "person":
        found.add("person_login_required")
    if caller == "admin":
        found.add("admin_key_required")
    if for_patient:
        found |= {"not_found", "invalid_input", *ACCESS_REASONS}
    if body:
        found |= {"invalid_input", "payload_too_large", "unsupported_media_type"}
    names = {p.get("name") for p in params if p.get("in") in ("query", "path", "header")}
    if names - {"If-Match", "Idempotency-Key"}:
        found.add("invalid_input")
    if "If-Match" in names:
        found |= {"invalid_input", "precondition_failed", "precondition_required"}
    if idempotent:
        found |= {"invalid_input", "idempotency_key_reused"}
    if rate_limited:
        found.add("rate_limited")
    return problem_pairs(found)
