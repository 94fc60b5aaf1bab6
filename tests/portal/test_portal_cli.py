"""``patientsky portal``: the sandbox and the portal on 127.0.0.1, and the address to open."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from patientsky import cli


@pytest.mark.e2e
def test_the_portal_command_prints_the_address_and_serves_the_login_page() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "patientsky", "portal", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("PatientSky portal at http://127.0.0.1:")
        address = first.split()[3]
        page = httpx.get(f"{address}/logg-inn", timeout=20)
        assert page.status_code == 200
        assert "Kari Nordmann" in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_the_portal_command_reports_a_port_in_use_with_exit_code_3() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        out = io.StringIO()
        code = cli.main(["portal", "--port", str(taken.getsockname()[1])], out=out)
    assert code == 3
    assert "already in use" in out.getvalue()


def test_the_portal_command_without_its_extras_says_what_to_install_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    assert cli.main(["portal"], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert 'pip install "patientsky[sandbox,portal]"' in err
