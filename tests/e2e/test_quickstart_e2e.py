"""
The README tour, the quickstart and the tutorial run unmodified against ``patientsky sandbox``.

The sandbox runs as the command a reader starts (``python -m patientsky sandbox``, on a
port the system picks), and each page's python blocks run together as one script in a
fresh interpreter, with only ``PATIENTSKY_BASE_URL`` pointing at the sandbox, as a reader
who started it with ``--port`` would set it. The quickstart runs twice (it says it can);
the tutorial's script runs for two people, one of whom the rules refuse.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import patientsky
from tests.markdown_blocks import ROOT, python_blocks

pytest.importorskip("uvicorn")

ADMIN_KEY = "quickstart-e2e-admin-key-0123456789"
SRC = str(Path(patientsky.__file__).resolve().parents[1])
# The tests import this checkout's code; so do the sandbox and the scripts.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
BANNER_TIMEOUT = 60
SCRIPT_TIMEOUT = 120


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    """``patientsky sandbox --port 0`` in a subprocess; its base URL from the banner."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "patientsky", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, "PATIENTSKY_SANDBOX_KEY": ADMIN_KEY},
    )
    try:
        assert proc.stdout is not None
        first = ""
        deadline = time.monotonic() + BANNER_TIMEOUT
        while not first.startswith("PatientSky sandbox at ") and time.monotonic() < deadline:
            first = proc.stdout.readline()
            if not first:
                break
        assert first.startswith("PatientSky sandbox at "), "the sandbox did not start"
        yield first.removeprefix("PatientSky sandbox at ").strip()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=20)


def _run_page(page: str, base_url: str, tmp_path: Path, *args: str, code: int = 0) -> str:
    """Run a page's python blocks as one script (with ``args``); return what it printed."""
    blocks = python_blocks(ROOT / page)
    assert blocks
    assert all(block.illustration is None for block in blocks)
    script = tmp_path / (Path(page).stem + ".py")
    script.write_text("\n\n".join(block.code for block in blocks), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        cwd=tmp_path,
        env={**ENV, "PATIENTSKY_BASE_URL": base_url},
        check=False,
    )
    assert done.returncode == code, done.stderr
    return done.stdout


@pytest.mark.e2e
def test_the_readme_tour_runs_against_patientsky_sandbox(sandbox: str, tmp_path: Path) -> None:
    out = _run_page("README.md", sandbox, tmp_path)
    assert "179120*****" in out
    assert out.rstrip().endswith("Emil Nordmann")


@pytest.mark.e2e
def test_the_quickstart_runs_against_patientsky_sandbox_again_and_again(
    sandbox: str, tmp_path: Path
) -> None:
    for _ in range(2):
        out = _run_page("docs/quickstart.md", sandbox, tmp_path)
        assert "p-kari bankid high" in out
        assert "booked" in out
        assert out.rstrip().splitlines()[-1] in ("cancelled", "late_cancelled")


@pytest.mark.e2e
def test_the_tutorial_script_runs_against_patientsky_sandbox(sandbox: str, tmp_path: Path) -> None:
    out = _run_page("docs/tutorial.md", sandbox, tmp_path, "sofie")
    assert "dialogs in the inbox" in out
    assert "Booked " in out
    refused = _run_page("docs/tutorial.md", sandbox, tmp_path, "per", code=1)
    assert refused.startswith("Refused: ")
    assert refused.rstrip().endswith("(consent_withdrawn)")
