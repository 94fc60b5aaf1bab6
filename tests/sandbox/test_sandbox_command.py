"""
The ``patientsky sandbox`` command: loopback unless told otherwise, a busy port is a clear
exit code, the banner comes after the bind, and the admin key is printed only when made up.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from patientsky.sandbox import _cli


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    _cli.configure(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104 - the address under test, never bound
        ("::", False),
        ("10.0.0.5", False),
        ("example.org", False),
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert _cli.is_loopback(host) is loopback


def test_a_non_loopback_address_is_refused_without_allow_remote() -> None:
    out = io.StringIO()
    code = _cli.run(_args("--host", "0.0.0.0"), out)  # noqa: S104 - refused before binding
    assert code == _cli.EXIT_NOT_LOOPBACK
    assert "--allow-remote" in out.getvalue()


def test_a_busy_port_is_a_documented_exit_code() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = io.StringIO()
        code = _cli.run(_args("--port", str(port)), out)
    assert code == _cli.EXIT_PORT_IN_USE
    assert "already in use" in out.getvalue()
    assert "PatientSky sandbox at" not in out.getvalue()


def test_a_short_admin_key_is_refused() -> None:
    out = io.StringIO()
    assert _cli.run(_args("--admin-key", "short", "--port", "0"), out) == 2
    assert "at least" in out.getvalue()


def _start(env: dict[str, str], *argv: str) -> tuple[subprocess.Popen[str], str]:
    code = "import sys; from patientsky.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "sandbox", "--port", "0", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    assert proc.stdout is not None
    banner = ""
    deadline = time.monotonic() + 60
    while "Demo logins" not in banner and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        banner += line
    return proc, banner


def _stop(proc: subprocess.Popen[str]) -> str:
    """Stop the sandbox; return what it wrote to stderr (and close its pipes)."""
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate(timeout=20)
    return err


@pytest.mark.e2e
def test_the_banner_comes_after_the_bind_and_prints_a_made_up_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PATIENTSKY_SANDBOX_KEY"}
    proc, banner = _start({"PATIENTSKY_SANDBOX_KEY": ""} | env)
    try:
        first = banner.splitlines()[0]
        base_url = first.removeprefix("PatientSky sandbox at ").strip()
        # The port is bound when the banner is out: the very first request connects.
        assert httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200
        lines = banner.splitlines()
        key = lines[lines.index(next(x for x in lines if x.startswith("Admin key"))) + 1].strip()
        clock = httpx.post(
            f"{base_url}/v1/sandbox/clock/advance",
            json={"seconds": 1},
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert clock.status_code == 200
    finally:
        _stop(proc)


@pytest.mark.e2e
def test_a_key_from_the_environment_is_used_and_never_printed() -> None:
    key = "a-developer-chosen-admin-key-0123"
    proc, banner = _start({"PATIENTSKY_SANDBOX_KEY": key})
    err = ""
    try:
        assert key not in banner
        assert "Admin key" not in banner
        base_url = banner.splitlines()[0].removeprefix("PatientSky sandbox at ").strip()
        ok = httpx.delete(
            f"{base_url}/v1/sandbox/clock", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        assert ok.status_code == 200
    finally:
        err = _stop(proc)
    assert key not in err
