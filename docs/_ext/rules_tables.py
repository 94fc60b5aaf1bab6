"""
Sphinx extension: the ``rules-table`` directive renders a table generated from the rules.

The tables come from :mod:`patientsky.rules.tables`, which builds them from the rules'
own data (the permission matrix, the reason codes and their messages, the login
methods), so the docs cannot drift from the code. In MyST Markdown::

    ```{rules-table} permissions
    ```

    ```{rules-table} reasons
    :area: consent
    ```

Names: ``permissions``, ``permissions-nb``, ``reasons`` (option ``:area:`` keeps one rule
family), ``login-methods``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from patientsky.rules.tables import TABLES, Table, reason_table

__all__ = ["RulesTable", "render", "setup"]


def render(table: Table) -> nodes.table:
    """Return ``table`` as a docutils table node, code columns as literals."""
    group = nodes.tgroup(cols=len(table.header))
    for _ in table.header:
        group += nodes.colspec(colwidth=1)

    def row(cells: tuple[str, ...], *, header: bool = False) -> nodes.row:
        line = nodes.row()
        for i, text in enumerate(cells):
            entry = nodes.entry()
            if i in table.code_columns and not header:
                entry += nodes.paragraph("", "", nodes.literal(text, text))
            else:
                entry += nodes.paragraph(text, text)
            line += entry
        return line

    head = nodes.thead()
    head += row(table.header, header=True)
    body = nodes.tbody()
    for cells in table.rows:
        body += row(cells)
    group += head
    group += body
    node = nodes.table(classes=["rules-table"])
    node += group
    return node


class RulesTable(SphinxDirective):
    """The ``rules-table`` directive: one argument, the table's name."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"area": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        """Build the named table."""
        name = self.arguments[0]
        if name == "reasons" and "area" in self.options:
            return [render(reason_table(self.options["area"]))]
        build = TABLES.get(name)
        if build is None:
            known = ", ".join(sorted(TABLES))
            raise self.error(f"unknown rules table {name!r}; known: {known}")
        return [render(build())]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("rules-table", RulesTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
