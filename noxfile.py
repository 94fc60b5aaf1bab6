"""
The project's tasks. ``nox`` runs the checks; ``nox -s demo`` runs the demo.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = not os.environ.get("CI")
nox.options.sessions = ["lint", "typecheck", "tests", "browser", "docs", "wheel"]
nox.options.error_on_external_run = True

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")


def _groups(*names: str) -> list[str]:
    return [req for name in names for req in nox.project.dependency_groups(PYPROJECT, name)]


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    session.install(*_groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check src, tests and tools with mypy --strict."""
    session.install(
        "-e",
        ".[sandbox,fhir,ical,portal]",
        *_groups("typecheck", "test", "browser", "docs", "bench"),
        "nox",
    )
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (with doctests) under branch coverage."""
    session.install("-e", ".[sandbox,fhir,ical,portal]", *_groups("test"))
    env = {"HYPOTHESIS_PROFILE": "ci"} if os.environ.get("CI") else {}
    session.run("coverage", "erase")
    # The browser tests need chromium: they run in the browser session.
    session.run("coverage", "run", "-m", "pytest", "-m", "not browser", *session.posargs, env=env)
    session.run("coverage", "report", "--fail-under=85")


CHROMIUM = Path("/usr/bin/chromium")
NPM = Path("/usr/bin/npm")


@nox.session
def browser(session: nox.Session) -> None:
    """Run the portal's browser tests: Playwright, Debian's chromium, and axe-core."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    missing = [pkg for pkg, exe in (("chromium", CHROMIUM), ("npm", NPM)) if not exe.exists()]
    if missing and not root:
        session.error(
            f"missing {', '.join(missing)}: install Debian's packages "
            f"(apt-get install {' '.join(missing)}), or run this session as root to install them"
        )
    if missing:
        session.run("apt-get", "update", external=True)
        session.run(
            "apt-get",
            "install",
            "-y",
            *missing,
            external=True,
            env={"DEBIAN_FRONTEND": "noninteractive"},
        )
    session.install("-e", ".[sandbox,portal]", *_groups("test", "browser"))
    axe = Path(session.create_tmp()).resolve() / "axe"
    axe.mkdir(parents=True, exist_ok=True)
    session.run(
        "npm",
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(axe),
        "axe-core",
        external=True,
    )
    env = {"PORTAL_AXE_JS": str(axe / "node_modules" / "axe-core" / "axe.min.js")}
    session.run("pytest", "-m", "browser", "-p", "no:cacheprovider", "tests/portal", env=env)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the Sphinx docs (html and doctest), warnings as errors."""
    session.install("-e", ".[sandbox,fhir,ical,portal]", *_groups("docs"))
    common = ["-W", "-n", "--keep-going", "-q", "docs"]
    session.run("sphinx-build", "-b", "html", *common, "docs/_build/html")
    session.run("sphinx-build", "-b", "doctest", *common, "docs/_build/doctest")


@nox.session
def wheel(session: nox.Session) -> None:
    """Build the wheel, install it without extras in a fresh venv, and check the bare install."""
    session.install("uv")
    tmp = Path(session.create_tmp()).resolve()
    dist, venv = tmp / "dist", tmp / "bare"
    for old in (dist, venv):
        shutil.rmtree(old, ignore_errors=True)
    session.run("uv", "build", "--wheel", "--out-dir", str(dist), str(ROOT))
    (built,) = dist.glob("patientsky-*.whl")
    # The same interpreter as this session's, but a venv of its own: no extras, no tools.
    session.run("uv", "venv", "--quiet", "--python", str(Path(session.bin, "python")), str(venv))
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    session.run("uv", "pip", "install", "--quiet", "--python", python, str(built))
    session.run(python, str(ROOT / "tests" / "wheel_check.py"), external=True)


@nox.session(python=False)
def unasync(session: nox.Session) -> None:
    """Regenerate the sync client from the async one (``-- --check``: fail if it is stale)."""
    session.run(sys.executable, str(ROOT / "tools" / "unasync.py"), *session.posargs, external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks; bench_ratios prints patientsky against msgspec, pydantic, ..."""
    # The anchors (msgspec, pydantic, pycasbin, python-stdnum) live in this session only.
    session.install("-e", ".[sandbox]", *_groups("bench"))
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the demo: the sandbox and a walk through the portal."""
    session.install("-e", ".[sandbox]")
    session.run("patientsky", "demo", *session.posargs)
