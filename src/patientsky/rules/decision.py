"""
Decisions: what every rule answers, with a stable reason code and a message in two languages.

A rule that allows or denies returns a :class:`Decision`. A rule that makes a new value
(a relation, a dialog, a consent history) returns an :data:`Outcome`: either
:class:`Allowed`, holding the new value, or :class:`Denied`, holding the denying
decision. Services log and return the :class:`~patientsky.reasons.Reason` code; portals
show the message.

>>> decision = Decision.deny(Reason.CONSENT_MISSING)
>>> bool(decision), decision.reason.value
(False, 'consent_missing')
>>> decision.message_en
'You must consent to the terms before using PatientSky.'
>>> require(Decision.allow())
>>> require(decision)
Traceback (most recent call last):
    ...
patientsky.errors.AccessDenied: You must consent to the terms before using PatientSky.
>>> Reason.parse("child_turned_16"), Reason.parse("from_a_newer_server")
(<Reason.CHILD_TURNED_16: 'child_turned_16'>, <Reason.UNKNOWN: 'unknown'>)
>>> match Denied.because(Reason.DIALOG_CLOSED):
...     case Allowed(value):
...         print("got", value)
...     case Denied(decision):
...         print(decision.reason.value)
dialog_closed
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Generic, NoReturn, TypeAlias, TypeVar, cast

import attrs

from patientsky.errors import AccessDenied, InvalidInput
from patientsky.models._base import of_type, text
from patientsky.reasons import Reason

__all__ = [
    "Allowed",
    "Decision",
    "Denied",
    "Outcome",
    "Reason",
    "require",
]

_T = TypeVar("_T")


_ALLOW_NB = "Tillatt."
_ALLOW_EN = "Allowed."


def _consistent(inst: Decision, _attr: attrs.Attribute[Reason | None], reason: Any) -> None:
    if reason is not None and not isinstance(reason, Reason):
        raise InvalidInput("reason", "must be a Reason")
    if inst.allowed != (reason is None):
        raise InvalidInput("reason", "is set exactly when the decision denies")


@attrs.frozen
class Decision:
    """
    A rule's answer: allowed or not, why, and a message for people.

    Truthiness is ``allowed``, so ``if decide(request): ...`` reads naturally.
    Make one with :meth:`allow` or :meth:`deny`; the messages come from one table
    keyed by :class:`~patientsky.reasons.Reason`, so a code always shows the same words.

    Args:
        allowed: Whether the rule allows it.
        reason: Why not; ``None`` exactly when allowed.
        message_nb: The message in Norwegian bokmål.
        message_en: The message in English.
    """

    allowed: bool = attrs.field(validator=of_type(bool))
    reason: Reason | None = attrs.field(validator=_consistent)
    message_nb: str = attrs.field(validator=text(500))
    message_en: str = attrs.field(validator=text(500))

    @classmethod
    def allow(cls) -> Decision:
        """Return the decision that allows."""
        return _ALLOW

    @classmethod
    def deny(cls, reason: Reason) -> Decision:
        """
        Return the decision that denies for ``reason``, with its messages.

        Raises:
            InvalidInput: If ``reason`` is not a :class:`~patientsky.reasons.Reason`.
        """
        try:
            return _DENY[reason]
        except (KeyError, TypeError):
            raise InvalidInput("reason", "must be a Reason") from None

    def __bool__(self) -> bool:
        return self.allowed


_ALLOW = Decision(True, None, _ALLOW_NB, _ALLOW_EN)
# Decisions are immutable, so one instance per reason serves every caller.
_DENY: Mapping[Reason, Decision] = MappingProxyType(
    {r: Decision(False, r, r.message_nb, r.message_en) for r in Reason}
)


def require(decision: Decision) -> None:
    """
    Raise unless ``decision`` allows.

    Args:
        decision: A rule's answer.

    Raises:
        AccessDenied: Carrying the decision's reason and its English message.
    """
    if decision.reason is not None:
        raise AccessDenied(decision.reason, decision.message_en)


@attrs.frozen
class Allowed(Generic[_T]):
    """
    The rule allowed the change; ``value`` is the new value.

    Args:
        value: The new value (a relation, a dialog, a consent history, ...).
    """

    value: _T

    @property
    def decision(self) -> Decision:
        """The allowing decision."""
        return _ALLOW

    def unwrap(self) -> _T:
        """Return the new value."""
        return self.value

    def __bool__(self) -> bool:
        return True


def _denying(_inst: Denied, _attr: attrs.Attribute[Decision], value: Any) -> None:
    if not isinstance(value, Decision) or value.allowed:
        raise InvalidInput("decision", "must be a denying Decision")


@attrs.frozen
class Denied:
    """
    The rule denied the change; ``decision`` says why.

    Args:
        decision: The denying decision.
    """

    decision: Decision = attrs.field(validator=_denying)

    @classmethod
    def because(cls, reason: Reason) -> Denied:
        """Return the outcome denied for ``reason``."""
        return cls(Decision.deny(reason))

    @property
    def reason(self) -> Reason:
        """The reason code."""
        # The validator guarantees a denying decision, which always has a reason.
        return cast("Reason", self.decision.reason)

    def unwrap(self) -> NoReturn:
        """
        Raise, since there is no value.

        Raises:
            AccessDenied: Carrying the reason.
        """
        raise AccessDenied(self.reason, self.decision.message_en)

    def __bool__(self) -> bool:
        return False


Outcome: TypeAlias = Allowed[_T] | Denied
# Public: report the alias as ours, so the API listing and the docs find it.
Outcome.__module__ = __name__
Outcome.__doc__ = """
The result of a rule that makes a new value, either :class:`Allowed` or :class:`Denied`.

Narrow it with ``isinstance``, a ``match`` statement, or ``outcome.unwrap()``,
which returns the value or raises :class:`~patientsky.errors.AccessDenied`.
"""
