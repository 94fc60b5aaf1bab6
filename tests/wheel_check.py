"""
Check a bare install of the wheel: run by ``nox -s wheel`` with the venv's own Python.

It runs in a fresh virtual environment that holds the wheel and its dependencies only
(no extras), and checks what a user of ``pip install patientsky`` gets: the library, the
client, the wire converter, the OpenAPI document, the command line (``--help``,
``--version``, ``check-id``, ``availability``, ``python -m patientsky``), the license
file, and that ``patientsky sandbox`` says in one line which extra to install.

Usage: ``python tests/wheel_check.py`` (from any folder; exits non-zero on a failure).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

EXTRA_MODULES = ("starlette", "uvicorn", "fpdf", "fhir", "icalendar")


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"wheel check failed: {what}")


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    # The console script sits next to the venv's Python.
    script = Path(sys.executable).with_name("patientsky")
    return _run([str(script), *args])


def _run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as cwd:  # away from any source tree
        return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd)


def check_the_environment_is_bare() -> None:
    """The extras are not installed, and patientsky comes from the venv, not a source tree."""
    import patientsky

    for module in EXTRA_MODULES:
        _check(importlib.util.find_spec(module) is None, f"{module} is installed")
    _check(Path(patientsky.__file__).is_relative_to(sys.prefix), "patientsky is not the wheel")


def check_the_library() -> None:
    """The core, the wire converter and the client import and work."""
    import httpx

    import patientsky
    from patientsky import wire
    from patientsky.client import PortalClient
    from patientsky.contract import openapi_document

    nid = patientsky.NationalId.parse("17912099997", allow_synthetic=True)
    _check(nid.masked == "179120*****", "NationalId")
    money = wire.structure({"minorUnits": 35000, "currency": "NOK"}, patientsky.Money)
    _check(money.minor_units == 35000, "the wire converter")
    document = openapi_document()
    _check(document["openapi"].startswith("3.1"), "the OpenAPI document")
    _check("/v1/patients/{patientId}/dialogs" in document["paths"], "the document's paths")

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [], "nextCursor": None})

    transport = httpx.MockTransport(server)
    with PortalClient("http://127.0.0.1:8000", token="t", transport=transport) as client:
        _check(list(client.clinics.search("lege")) == [], "the client")
    _check(patientsky.__version__ != "0.0.0", "the version")


def check_the_package_files() -> None:
    """The wheel ships py.typed, the document, the demo world, the receipt fonts, the licenses."""
    from importlib import metadata, resources

    root = resources.files("patientsky")
    _check(root.joinpath("py.typed").is_file(), "py.typed")
    _check(root.joinpath("openapi.json").is_file(), "openapi.json")
    world = json.loads(root.joinpath("sandbox", "demo_world.json").read_text(encoding="utf-8"))
    handles = {p["patient"]["id"] for p in world["people"]}
    _check({"p-kari", "p-emil", "p-jonas"} <= handles, "the demo world's data file")
    fonts = root.joinpath("sandbox", "fonts")
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        _check(fonts.joinpath(name).is_file(), f"the receipt font file {name}")
    files = metadata.files("patientsky") or []
    licenses = [f for f in files if f.name == "LICENSE"]
    _check(len(licenses) == 1, "the LICENSE file in the wheel's metadata")
    _check("MIT License" in licenses[0].read_text(encoding="utf-8"), "the MIT license text")


def check_the_command_line() -> None:
    """``--help``, ``--version``, ``check-id``, ``availability`` and ``python -m``."""
    from importlib import metadata, resources

    helped = _command("--help")
    _check(helped.returncode == 0 and "check-id" in helped.stdout, "patientsky --help")
    version = _command("--version")
    wanted = f"patientsky {metadata.version('patientsky')}\n"
    _check(version.returncode == 0 and version.stdout == wanted, "patientsky --version")

    checked = _command("check-id", "17912099997", "--allow-synthetic")
    _check(checked.returncode == 0, "patientsky check-id")
    _check(checked.stdout.startswith("179120*****  fodselsnummer"), "check-id's answer")
    _check("99997" not in checked.stdout, "check-id masks the number")
    as_json = _command("check-id", "--json", "17912099997", "--allow-synthetic")
    _check(json.loads(as_json.stdout)["birthDate"] == "2020-11-17", "check-id --json")

    # The calendar exports ship in the wheel as files; reading them needs no extra.
    exports = resources.files("patientsky").joinpath("data", "calendar-exports")
    free = _command(
        "availability",
        str(exports),
        "--duration",
        "30",
        "--period",
        "2019-04-23T08:00:00/2019-04-23T12:00:00",
    )
    _check(free.returncode == 0, f"patientsky availability: {free.stderr}")
    demo = _command(
        "availability",
        "--demo",
        "--duration",
        "30",
        "--period",
        "2019-04-23T08:00:00/2019-04-23T12:00:00",
    )
    _check(demo.returncode == 0, f"patientsky availability --demo: {demo.stderr}")
    _check(free.stdout.rstrip().endswith("free intervals"), "availability's answer")

    module = _run([sys.executable, "-m", "patientsky", "--help"])
    _check(module.returncode == 0 and "check-id" in module.stdout, "python -m patientsky")


def check_a_command_without_its_extra() -> None:
    """``patientsky sandbox`` (and ``demo``) exit 2 with one line saying what to install."""
    for argv in (["sandbox"], ["sandbox", "--port", "9000"], ["demo"]):
        result = _command(*argv)
        _check(result.returncode == 2, f"patientsky {' '.join(argv)} exits 2")
        _check(result.stdout == "", f"patientsky {' '.join(argv)} prints nothing on stdout")
        lines = result.stderr.splitlines()
        _check(len(lines) == 1, f"patientsky {' '.join(argv)} says one line: {result.stderr}")
        _check('pip install "patientsky[sandbox]"' in lines[0], "the line names the extra")


def check_a_module_without_its_extra() -> None:
    """``import patientsky.fhir`` (and ``.ical``) fails with an ImportError naming the extra."""
    for module, extra in (("patientsky.fhir", "fhir"), ("patientsky.ical", "ical")):
        result = _run([sys.executable, "-c", f"import {module}"])
        _check(result.returncode != 0, f"import {module} fails without its extra")
        _check(f'pip install "patientsky[{extra}]"' in result.stderr, f"{module} names the extra")


CHECKS = (
    check_the_environment_is_bare,
    check_the_library,
    check_the_package_files,
    check_the_command_line,
    check_a_command_without_its_extra,
    check_a_module_without_its_extra,
)


def main() -> int:
    """Run every check, printing one line each."""
    for check in CHECKS:
        check()
        sys.stdout.write(f"ok  {check.__name__.removeprefix('check_').replace('_', ' ')}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
