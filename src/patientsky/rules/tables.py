"""
Tables that describe the rules, generated from the rules' own data, for the docs.

The permission matrix comes from :data:`~patientsky.rules.relations.DEFAULT_ACTIONS`,
the access log's table from :data:`~patientsky.rules.access_log.LOG_RULES`,
the reason codes from :class:`~patientsky.reasons.Reason` and its message
table, the login methods from :data:`~patientsky.rules.login.HEALTH_DATA_METHODS`;
so the docs cannot drift from the code. The Sphinx extension ``docs/_ext/rules_tables.py``
renders them with the ``rules-table`` directive; :meth:`Table.to_markdown` gives
Markdown for anything else.

>>> print(login_methods_table().to_markdown())
| Login method | Code | Assurance | Health data |
| --- | --- | --- | --- |
| BankID | `bankid` | high | yes |
| Buypass ID on smart card | `buypass_smart_card` | high | yes |
| Buypass ID on mobile | `buypass_mobile` | high | yes |
| Commfides e-ID | `commfides` | high | yes |
| MinID | `minid` | substantial | no |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import attrs

from patientsky.errors import InvalidInput
from patientsky.models.identity import LoginMethod
from patientsky.models.relation import Action, RelationKind
from patientsky.rules.access_log import LOG_RULES
from patientsky.rules.decision import Reason
from patientsky.rules.login import HEALTH_DATA_METHODS as _HEALTH_DATA_METHODS
from patientsky.rules.relations import DEFAULT_ACTIONS

__all__ = [
    "PermissionRow",
    "TABLES",
    "Table",
    "access_log_table",
    "login_methods_table",
    "permission_matrix_rows",
    "permission_matrix_table",
    "reason_table",
]


@attrs.frozen
class Table:
    """
    A table of text: a header and rows, plus which columns hold codes.

    Args:
        header: The column titles.
        rows: The rows, each as long as the header.
        code_columns: The indexes of columns whose cells are codes (shown as literals).
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    code_columns: frozenset[int] = frozenset()

    def __attrs_post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise InvalidInput(f"rows[{i}]", "must have one cell per column")

    def to_markdown(self) -> str:
        """Return the table as a (GitHub and MyST) Markdown pipe table."""

        def cell(i: int, value: str) -> str:
            value = value.replace("|", "\\|")
            return f"`{value}`" if i in self.code_columns else value

        lines = [
            "| " + " | ".join(self.header) + " |",
            "| " + " | ".join("---" for _ in self.header) + " |",
        ]
        lines.extend(
            "| " + " | ".join(cell(i, v) for i, v in enumerate(row)) + " |" for row in self.rows
        )
        return "\n".join(lines)


@attrs.frozen
class PermissionRow:
    """
    One action of the permission matrix, and whether each relation kind grants it by default.

    Args:
        action: The action.
        granted: For every relation kind, in the enum's order, whether it is granted.
    """

    action: Action
    granted: tuple[tuple[RelationKind, bool], ...]

    def grants(self, kind: RelationKind) -> bool:
        """Whether ``kind`` grants the action by default."""
        return dict(self.granted)[kind]


def permission_matrix_rows() -> list[PermissionRow]:
    """Return the permission matrix, one row per action, from ``DEFAULT_ACTIONS``."""
    return [
        PermissionRow(
            action, tuple((kind, action in DEFAULT_ACTIONS[kind]) for kind in RelationKind)
        )
        for action in Action
    ]


def _yes(value: bool, language: str) -> str:
    if language == "nb":
        return "ja" if value else "nei"
    return "yes" if value else "no"


def _language(language: str) -> str:
    if language not in ("en", "nb"):
        raise InvalidInput("language", "must be 'en' or 'nb'")
    return language


def permission_matrix_table(language: str = "en") -> Table:
    """
    Return the permission matrix as a table: actions down, relation kinds across.

    Args:
        language: ``"en"`` or ``"nb"``, for the labels.
    """
    nb = _language(language) == "nb"
    header = (
        "Handling" if nb else "Action",
        "Kode" if nb else "Code",
        *(kind.label_nb if nb else kind.label_en for kind in RelationKind),
    )
    rows = tuple(
        (
            row.action.label_nb if nb else row.action.label_en,
            row.action.value,
            *(_yes(granted, language) for _, granted in row.granted),
        )
        for row in permission_matrix_rows()
    )
    return Table(header, rows, frozenset({1}))


def reason_table(area: str | None = None) -> Table:
    """
    Return every reason code with its rule family and its messages.

    Args:
        area: Only the codes of this family (``"login"``, ``"consent"``, ...); all if None.
    """
    rows = tuple(
        (reason.value, reason.area, reason.message_en, reason.message_nb)
        for reason in Reason
        if area is None or reason.area == area
    )
    if not rows:
        raise InvalidInput("area", "has no reason codes")
    return Table(("Code", "Rules", "Message (English)", "Melding (bokmål)"), rows, frozenset({0}))


def login_methods_table() -> Table:
    """Return the login methods, their assurance levels and whether they reach health data."""
    rows = tuple(
        (
            method.label_en,
            method.value,
            method.assurance.value,
            _yes(method in _HEALTH_DATA_METHODS, "en"),
        )
        for method in LoginMethod
    )
    return Table(("Login method", "Code", "Assurance", "Health data"), rows, frozenset({1}))


def access_log_table() -> Table:
    """Return what the access log records for each operation, from ``LOG_RULES``."""
    rows = tuple(
        (
            rule.operation.value,
            rule.access.value,
            "clinic" if rule.clinic_side else "patient or representative",
            "—" if rule.action is None else rule.action.value,
        )
        for rule in LOG_RULES.values()
    )
    return Table(("Operation", "Access", "Done by", "Action needed"), rows, frozenset({0, 3}))


TABLES: Mapping[str, Callable[[], Table]] = MappingProxyType(
    {
        "access-log": access_log_table,
        "permissions": permission_matrix_table,
        "permissions-nb": lambda: permission_matrix_table("nb"),
        "reasons": reason_table,
        "login-methods": login_methods_table,
    }
)
"""The tables by name, as the docs' ``rules-table`` directive knows them."""
