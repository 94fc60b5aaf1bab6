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


def _third_party_imports(files: list[Path]) -> set[str]:
    import ast
    import sys

    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            found.update(name.partition(".")[0] for name in names)
    return found - set(sys.stdlib_module_names) - {"patientsky", "__future__"}


def _requirement_names(requirements: list[str]) -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_every_imported_third_party_module_is_a_declared_dependency() -> None:
    import tomllib
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _requirement_names(project["dependencies"])
    extras = project["optional-dependencies"]
    distributions = packages_distributions()
    src = ROOT / "src" / "patientsky"
    # A subpackage named like an extra may import what that extra installs.
    groups: list[tuple[list[Path], set[str]]] = []
    claimed: set[Path] = set()
    for extra, requirements in extras.items():
        files = sorted((src / extra).rglob("*.py")) if (src / extra).is_dir() else []
        groups.append((files, core | _requirement_names(requirements)))
        claimed.update(files)
    groups.append((sorted(set(src.rglob("*.py")) - claimed), core))
    for files, declared in groups:
        for module in sorted(_third_party_imports(files)):
            names = {canonicalize_name(d) for d in distributions.get(module, [module])}
            assert names & declared, f"{module} is imported but not declared"
