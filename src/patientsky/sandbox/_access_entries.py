"""
An access-log entry's stored text, built as the rules build it, without building it twice.

A person's entry (:func:`~patientsky.rules.access_log.record`) differs from the last one
for the same operation, patient, actor, clinic, resource and action only in its id and
its time. :func:`entry_text` builds the first one with the rules (every check of the
model) and keeps its text cut around those two values; the next ones check their id and
time with the model's own converter and validators for those fields (the only checks
that can now fail: the others passed on the same values) and write the two into the
kept text. A property test holds this to the rules' entry, its text and its errors.

A representative's entry depends on the relations in force at its time: it is always
built with the rules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

import attrs

from patientsky.models import Action, LoggedOperation
from patientsky.models.access_log import AccessLogEntry
from patientsky.rules.access import AccessRequest
from patientsky.rules.access_log import record
from patientsky.sandbox._memo import Decoded
from patientsky.wire import WireConverter

__all__ = ["entry_json", "entry_text"]

_FIELDS = attrs.fields(AccessLogEntry)
# The model's own checks of the two fields that differ between entries.
_ID_CONVERTER: Callable[[str], str] = _FIELDS.id.converter  # type: ignore[assignment]
_ID_VALIDATOR: Callable[[Any, Any, str], None] = _FIELDS.id.validator  # type: ignore[assignment]
_AT_VALIDATOR: Callable[[Any, Any, dt.datetime], None] = _FIELDS.at.validator  # type: ignore[assignment]
_NO_TEMPLATE = ("",)  # the first entry's text could not be cut: every entry by the rules


def _string(value: str) -> str:
    # A JSON string as the stored text writes it (see _tables._json): what
    # json.dumps(value, ensure_ascii=False) returns for a str.
    return encode_basestring(value)


def entry_json(conv: WireConverter, entry: AccessLogEntry) -> str:
    """An entry's wire JSON as the log stores it (compact, as every answer)."""
    return json.dumps(conv.unstructure(entry), ensure_ascii=False, separators=(",", ":"))


def _at(conv: WireConverter, at: dt.datetime) -> str:
    return _string(conv.unstructure(at, unstructure_as=dt.datetime))


def _cut(conv: WireConverter, entry: AccessLogEntry) -> tuple[str, ...]:
    """
    The entry's text cut at its id and its time, with what fills the cuts in.

    ``(before, between, after, order, patient_id)``: ``order`` is ``"id"`` when the id
    comes before the time in the text, else ``"at"``.

    :data:`_NO_TEMPLATE` if either value's text is not found exactly once.
    """
    text = entry_json(conv, entry)
    id_text, at_text = _string(entry.id), _at(conv, entry.at)
    if text.count(id_text) != 1 or text.count(at_text) != 1:
        return _NO_TEMPLATE
    i, j = text.index(id_text), text.index(at_text)
    (first, n), (second, m) = sorted([(i, len(id_text)), (j, len(at_text))])
    if first + n > second:
        return _NO_TEMPLATE
    order = "id" if first == i else "at"
    return text[:first], text[first + n : second], text[second + m :], order, entry.patient_id


def entry_text(
    conv: WireConverter,
    memo: Decoded | None,
    *,
    entry_id: str,
    operation: LoggedOperation,
    request: AccessRequest,
    clinic_id: str | None,
    resource_id: str | None,
    action: Action | None,
    build: Callable[..., AccessLogEntry] = record,
) -> tuple[str, str, str]:
    """
    Return a person's entry as :func:`~patientsky.rules.access_log.record` builds it.

    Args:
        conv: The wire converter the entry is written with.
        memo: Where the cut texts are kept (see the module); each entry is built by
            the rules if None.
        entry_id: The new entry's id.
        operation: As :func:`~patientsky.rules.access_log.record` takes them.
        request: As :func:`~patientsky.rules.access_log.record` takes them.
        clinic_id: As :func:`~patientsky.rules.access_log.record` takes them.
        resource_id: As :func:`~patientsky.rules.access_log.record` takes them.
        action: As :func:`~patientsky.rules.access_log.record` takes them.
        build: What builds an entry with the rules (``record``).

    Returns:
        The entry's id, its patient's id, and its wire JSON as stored (compact).

    Raises:
        InvalidInput: As :func:`~patientsky.rules.access_log.record` raises it.
    """

    def built(given: str) -> AccessLogEntry:
        return build(
            entry_id=given,
            operation=operation,
            request=request,
            clinic_id=clinic_id,
            resource_id=resource_id,
            action=action,
        )

    if memo is None or not request.for_self:
        entry = built(entry_id)
        return entry.id, entry.patient_id, entry_json(conv, entry)
    key = (
        "access entry",
        operation,
        request.patient.id,
        request.actor_id,
        clinic_id,
        resource_id,
        action,
    )
    made: list[AccessLogEntry] = []

    def first() -> tuple[str, ...]:
        made.append(built(entry_id))
        return _cut(conv, made[0])

    cut: Any = memo.keyed(key, first)
    if made:  # this one was built by the rules
        return made[0].id, made[0].patient_id, entry_json(conv, made[0])
    if cut is _NO_TEMPLATE or len(cut) != 5:
        entry = built(entry_id)
        return entry.id, entry.patient_id, entry_json(conv, entry)
    # The checks of the two fields that differ, as the model's __init__ makes them (its
    # converter, then its validators in field order: the id's before the time's).
    checked = _ID_CONVERTER(entry_id)
    _ID_VALIDATOR(None, _FIELDS.id, checked)
    _AT_VALIDATOR(None, _FIELDS.at, request.at)
    before, between, after, order, patient_id = cut
    id_text, at_text = _string(checked), _at(conv, request.at)
    if order == "id":
        return checked, patient_id, f"{before}{id_text}{between}{at_text}{after}"
    return checked, patient_id, f"{before}{at_text}{between}{id_text}{after}"
