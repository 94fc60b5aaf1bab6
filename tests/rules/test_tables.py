"""The docs' tables are generated from the rules, so they cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from patientsky.errors import InvalidInput
from patientsky.models import Action, LoginMethod, RelationKind
from patientsky.rules import (
    DEFAULT_ACTIONS,
    HEALTH_DATA_METHODS,
    LOG_RULES,
    Reason,
    Table,
    access_log_table,
    login_methods_table,
    permission_matrix_rows,
    permission_matrix_table,
    reason_table,
)
from patientsky.rules.tables import TABLES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_permission_matrix_rows_are_default_actions() -> None:
    rows = permission_matrix_rows()
    assert [r.action for r in rows] == list(Action)
    for row in rows:
        for kind in RelationKind:
            assert row.grants(kind) is (row.action in DEFAULT_ACTIONS[kind])


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_permission_matrix_table_has_a_row_per_action_and_a_column_per_kind(
    language: str,
) -> None:
    table = permission_matrix_table(language)
    assert len(table.header) == 2 + len(RelationKind)
    assert [row[1] for row in table.rows] == [a.value for a in Action]
    yes = "ja" if language == "nb" else "yes"
    caregiver = 2 + list(RelationKind).index(RelationKind.FAMILY_CAREGIVER)
    manage = [a.value for a in Action].index(Action.MANAGE_RELATIONS.value)
    assert table.rows[manage][caregiver] != yes


def test_the_reason_table_lists_every_code_once() -> None:
    table = reason_table()
    assert [row[0] for row in table.rows] == [r.value for r in Reason]
    assert all(row[2] == Reason(row[0]).message_en for row in table.rows)
    assert {row[0] for row in reason_table("login").rows} == {
        r.value for r in Reason if r.area == "login"
    }
    with pytest.raises(InvalidInput, match=r"^area: "):
        reason_table("astrology")


def test_the_login_table_says_which_methods_reach_health_data() -> None:
    rows = {row[1]: row[3] for row in login_methods_table().rows}
    assert rows == {m.value: "yes" if m in HEALTH_DATA_METHODS else "no" for m in LoginMethod}


def test_a_table_renders_as_markdown_with_codes_as_literals() -> None:
    table = Table(("A", "B"), (("x|y", "code"),), frozenset({1}))
    assert table.to_markdown() == "| A | B |\n| --- | --- |\n| x\\|y | `code` |"
    with pytest.raises(InvalidInput, match=r"^rows\[0\]: "):
        Table(("A", "B"), (("only one",),))
    with pytest.raises(InvalidInput, match=r"^language: "):
        permission_matrix_table("sv")


def test_every_named_table_builds() -> None:
    for name, build in TABLES.items():
        assert build().rows, name


def test_the_rules_docs_show_the_generated_tables() -> None:
    page = (DOCS / "rules" / "index.md").read_text(encoding="utf-8")
    for name in ("permissions", "reasons", "login-methods", "access-log"):
        assert f"```{{rules-table}} {name}" in page


def test_the_access_log_table_has_one_row_per_operation() -> None:
    table = access_log_table()
    assert [row[0] for row in table.rows] == [op.value for op in LOG_RULES]
    assert {row[1] for row in table.rows} == {"read", "change"}
