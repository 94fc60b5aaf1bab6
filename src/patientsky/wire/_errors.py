"""
Turn cattrs' exception groups into :class:`~patientsky.errors.InvalidInput` with wire paths.

cattrs (with detailed validation) raises a tree: a ``ClassValidationError`` per object whose
sub-exceptions carry an ``AttributeValidationNote`` (the attribute) and an
``IterableValidationError`` per array whose sub-exceptions carry an
``IterableValidationNote`` (the index). A model's own validator raises ``InvalidInput``
with a python field path (``"birth_date"``, ``"events[1].at"``) from the constructor, which
cattrs wraps without a note. Walking the tree gives each problem's path in wire terms,
``data[3].type`` or ``contact.email``.

Messages are built here or come from :class:`~patientsky.errors.InvalidInput`, whose
messages never repeat a value; the text of any other exception is never used, since it
may (``invalid literal for int() with base 10: '...'``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
from cattrs.errors import (
    ClassValidationError,
    IterableValidationError,
)

from patientsky.errors import InvalidInput
from patientsky.wire._hooks import camel, wire_path

# How many further problems are listed as notes on the raised error.
MAX_NOTES = 10


def join(prefix: str, field: str) -> str:
    """
    Join two parts of a path: ``a`` + ``b`` is ``a.b``, ``a`` + ``[1]`` is ``a[1]``.

    >>> join("data", "[3]"), join("data[3]", "type"), join("", "contact")
    ('data[3]', 'data[3].type', 'contact')
    """
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


def _attribute_key(cl: Any, name: str) -> str:
    """Return the wire key of attribute ``name`` of class ``cl``."""
    if attrs.has(cl):
        field = attrs.fields_dict(cl)[name]
        return camel(field.alias or field.name)
    return name  # a dataclass, structured by cattrs' own hooks under its python names


def _leaf(exc: BaseException, path: str) -> tuple[str, str]:
    if isinstance(exc, InvalidInput):
        return join(path, wire_path(exc.field)), exc.message
    if isinstance(exc, KeyError):
        return path, "is required"
    # Any other exception's text may quote the value: name only its type.
    return path, f"is not valid ({type(exc).__name__})"


def problems(exc: BaseException, path: str = "") -> Iterator[tuple[str, str]]:
    """
    Yield ``(wire path, message)`` for every problem in a cattrs structuring error.

    Args:
        exc: The exception cattrs (or a hook, or a model) raised.
        path: The path of the value that was being structured.
    """
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        origin = getattr(exc.cl, "__origin__", exc.cl)
        for sub, note in with_notes:
            yield from problems(sub, join(path, _attribute_key(origin, note.name)))
        for sub in without:
            yield from problems(sub, path)
    elif isinstance(exc, IterableValidationError):
        items, others = exc.group_exceptions()
        for sub, item_note in items:
            yield from problems(sub, f"{path}[{item_note.index}]")
        for sub in others:
            yield from problems(sub, path)
    else:
        yield _leaf(exc, path)


def to_invalid_input(exc: BaseException) -> InvalidInput:
    """
    Return one :class:`InvalidInput` for a structuring error: the first problem found.

    Any further problems are added as notes (``also data[4].type: ...``), which tracebacks
    show; they are value-free like the message.
    """
    (field, message), *rest = problems(exc)
    error = InvalidInput(field, message)
    for other_field, other_message in rest[:MAX_NOTES]:
        error.add_note(f"also {other_field or '(the value)'}: {other_message}")
    if len(rest) > MAX_NOTES:
        error.add_note(f"and {len(rest) - MAX_NOTES} more problems")
    return error
