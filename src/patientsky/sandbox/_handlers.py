"""
The sandbox's operations, gathered from their resource modules.

Each module declares its operations next to their handlers (see
:mod:`patientsky.sandbox._declare`); this list of modules is the only other place an
operation's module is named. The router, the guards and the OpenAPI document all read
:func:`declarations`.
"""

from __future__ import annotations

from patientsky.sandbox import (
    _access_log,
    _attachments,
    _calendar_feeds,
    _clinic_offer,
    _clinic_side,
    _clinics,
    _consent,
    _consultations,
    _dialogs,
    _exports,
    _payments,
    _people,
    _profile,
    _public,
    _relations,
    _renewals,
    _sandbox_ops,
    _session,
)
from patientsky.sandbox._declare import Operation

__all__ = ["MODULES", "declarations", "operations"]

MODULES = (
    _people,
    _session,
    _sandbox_ops,
    _clinic_side,
    _clinic_offer,
    _consent,
    _profile,
    _consultations,
    _dialogs,
    _attachments,
    _payments,
    _relations,
    _renewals,
    _access_log,
    _clinics,
    _exports,
    _calendar_feeds,
    _public,
)
"""The resource modules, in the order the document lists their paths."""


def declarations() -> tuple[Operation, ...]:
    """Return every operation, in the order of :data:`MODULES` and of each module."""
    return tuple(op for module in MODULES for op in module.ops)


def operations() -> dict[str, dict[str, Operation]]:
    """Return every path's operations by method (paths in the order they first appear)."""
    table: dict[str, dict[str, Operation]] = {}
    for op in declarations():
        methods = table.setdefault(op.path, {})
        if op.method in methods:
            raise ValueError(f"{op.method} {op.path} is declared twice")
        methods[op.method] = op
    return table
