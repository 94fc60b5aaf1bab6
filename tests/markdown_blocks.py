"""
The python blocks of the project's Markdown (README.md and docs/), as the checks run them.

A block is a fence that opens with ```` ```python ````. A block that only illustrates
(it needs something no test has, such as a real BankID login) says so on the line
before it, which the rendered page does not show::

    <!-- illustration: needs a real BankID login -->
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
_OPEN = re.compile(r"^(?P<indent> *)```python\s*$")
_ILLUSTRATION = re.compile(r"^\s*<!-- illustration: (?P<why>.+?) -->\s*$")


@attrs.frozen
class Block:
    """
    One python block.

    Args:
        file: Its file, relative to the project root (``docs/client.md``).
        line: The line of its opening fence (1-based).
        code: Its code, dedented.
        illustration: Why it only illustrates, or None if it runs.
    """

    file: str
    line: int
    code: str
    illustration: str | None

    @property
    def where(self) -> str:
        """``file:line``, for test ids and tracebacks."""
        return f"{self.file}:{self.line}"


def markdown_files() -> list[Path]:
    """README.md and every Markdown file of docs/ (not the built site), sorted."""
    docs = sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    return [ROOT / "README.md", *docs]


def python_blocks(path: Path) -> list[Block]:
    """Return the python blocks of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opened = _OPEN.match(lines[index])
        if opened is None:
            index += 1
            continue
        indent = opened["indent"]
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"{name}:{start + 1}: the python block is never closed")
        previous = next((x for x in reversed(lines[:start]) if x.strip()), "")
        marked = _ILLUSTRATION.match(previous)
        code = textwrap.dedent("\n".join(x.removeprefix(indent) for x in body)) + "\n"
        found.append(Block(name, start + 1, code, marked["why"] if marked else None))
        index += 1
    return found


def all_blocks() -> list[Block]:
    """Every python block of README.md and docs/, file by file, in order."""
    return [block for path in markdown_files() for block in python_blocks(path)]
