"""The project's own promises: the README's two commands and CI running the second."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\$ (.+)$", text, flags=re.MULTILINE)


def test_readme_starts_with_the_demo_and_the_check_command() -> None:
    demo, check = _readme_commands()[:2]
    assert demo.endswith("-m nox --session demo")
    assert check.endswith("-m nox")


def test_ci_runs_exactly_the_readme_check_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pattern = re.search(r"sed -n '(.+)' README.md", script)
    assert pattern is not None
    out = subprocess.run(
        ["sed", "-n", pattern.group(1), "README.md"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert out[:1] == [_readme_commands()[1]]
