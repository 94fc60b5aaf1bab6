"""The ``patientsky`` command: ``availability`` and ``check-id``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import pytest

from patientsky.cli import COMMANDS, main
from tests.strategies_calendar import FIXTURES, SHARED_FIXTURES

TUESDAY_MORNING = "2019-04-23T08:00:00/2019-04-23T12:00:00"


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_availability_prints_a_table_of_the_free_intervals() -> None:
    code, out = _run("availability", str(FIXTURES), "--duration", "30", "--period", TUESDAY_MORNING)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "Free time of Danny boy, Emma Win, Joanna Hef, at least 30 min, 2019-04-23 08:00-12:00"
    )
    assert lines[2].split() == ["Date", "Weekday", "From", "To", "Length"]
    assert [line.split() for line in lines[3:5]] == [
        ["2019-04-23", "Tuesday", "09:00", "10:30", "1", "h", "30", "min"],
        ["2019-04-23", "Tuesday", "11:00", "11:45", "45", "min"],
    ]
    assert lines[-1] == "2 free intervals"


def test_availability_prints_json_when_asked() -> None:
    code, out = _run(
        "availability",
        str(FIXTURES),
        "--duration",
        "30",
        "--period",
        TUESDAY_MORNING,
        "--calendar",
        "Danny boy",
        "--calendar",
        "48644c7a-975e-11e5-a090-c8e0eb18c1e9",
        "--type",
        "4529821e-975e-11e5-bbaf-c8e0eb18c1e9",
        "--public-only",
        "--json",
    )
    assert code == 0
    document = json.loads(out)
    assert [c["name"] for c in document["calendars"]] == ["Joanna Hef", "Danny boy"]
    assert document["publicOnly"] is True
    assert document["period"]["start"] == "2019-04-23T08:00:00+02:00"
    # "Lang vanlig" time of both: Danny boy 08:00-10:30, Joanna Hef from 09:15.
    assert document["intervals"] == [
        {"start": "2019-04-23T09:15:00+02:00", "end": "2019-04-23T10:30:00+02:00", "minutes": 75}
    ]


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--period", "2019-04-23T08:00/nonsense"], "--period"),
        (["--period", "2019-04-24/2019-04-23"], "--period"),
        (["--calendar", "Nobody"], "--calendar"),
        (["--type", "no-such-type"], "--type"),
        (["--duration", "0"], "--duration"),
        (["--duration", "half an hour"], "--duration"),
    ],
)
def test_availability_reports_bad_options_by_name_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], option: str
) -> None:
    argv = ["availability", str(FIXTURES), "--duration", "30", "--period", TUESDAY_MORNING]
    code, out = _run(*argv, *extra)
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert f"argument {option}" in err
    assert "Traceback" not in err


def test_availability_reports_a_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _ = _run(
        "availability", str(tmp_path / "nowhere"), "--duration", "30", "--period", TUESDAY_MORNING
    )
    assert code == 2
    assert "argument FOLDER" in capsys.readouterr().err


def _copy_with(tmp_path: Path, change: str) -> Path:
    document = json.loads((FIXTURES / "Danny_boy.json").read_text(encoding="utf-8"))
    if change == "patient":
        document["patient_meta"]["00000000-0000-4000-a001-000000000001"]["personal_id"] = "1"
    else:
        document["appointments"][0]["start"] = "yesterday"
    (tmp_path / "Danny_boy.json").write_text(json.dumps(document), encoding="utf-8")
    return tmp_path


@pytest.mark.skipif(not SHARED_FIXTURES, reason="needs the shared fixtures' patient metadata")
def test_availability_warns_about_a_bad_patient_and_still_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy_with(tmp_path, "patient")
    code, out = _run("availability", str(folder), "--duration", "30", "--period", TUESDAY_MORNING)
    err = capsys.readouterr().err
    assert code == 0
    assert "free interval" in out
    assert "warning: left out Danny_boy.json: patient_meta." in err
    assert ".personal_id: must have eleven digits" in err


def test_availability_refuses_a_bad_appointment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy_with(tmp_path, "appointment")
    code, _ = _run("availability", str(folder), "--duration", "30", "--period", TUESDAY_MORNING)
    err = capsys.readouterr().err
    assert code == 2
    assert "argument FOLDER: appointments[0].start: is not an ISO 8601 date" in err
    assert "(in Danny_boy.json)" in err


def test_check_id_prints_kind_birth_date_and_the_masked_number_only() -> None:
    code, out = _run("check-id", "151086 95088")
    assert code == 0
    assert out == "151086*****  fodselsnummer  born 1986-10-15\n"
    assert "95088" not in out


def test_check_id_exits_1_for_an_invalid_number_without_repeating_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _run("check-id", "15108695077")
    err = capsys.readouterr().err
    assert code == 1
    assert out == ""
    assert "invalid: has invalid check digits" in err
    assert "151086" not in err


def test_check_id_refuses_synthetic_numbers_unless_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run("check-id", "17912099997")[0] == 1
    assert "synthetic" in capsys.readouterr().err
    code, out = _run("check-id", "--allow-synthetic", "57912075186")
    assert code == 0
    assert out == "579120*****  d_number (synthetic test number)  born 2020-11-17\n"


def test_check_id_reads_numbers_from_stdin_one_a_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("15108695088\n\n15108695077\n"))
    code, out = _run("check-id")
    assert code == 1
    assert out == "line 1: 151086*****  fodselsnummer  born 1986-10-15\n"
    assert "line 3: invalid" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert _run("check-id")[0] == 2


def test_usage_errors_exit_2_and_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run()[0] == 2
    assert _run("no-such-command")[0] == 2
    assert _run("--help")[0] == 0
    help_text = capsys.readouterr().out
    assert all(command.name in help_text for command in COMMANDS)


def test_the_installed_command_exits_with_the_code_and_no_traceback() -> None:
    code = "import sys; from patientsky.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", code, "availability", str(FIXTURES), "--duration", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_check_id_prints_json_lines_with_the_masked_number_only() -> None:
    code, out = _run("check-id", "--json", "151086 95088")
    assert code == 0
    assert json.loads(out) == {
        "valid": True,
        "masked": "151086*****",
        "kind": "fodselsnummer",
        "synthetic": False,
        "birthDate": "1986-10-15",
    }
    assert "95088" not in out


def test_check_id_json_reports_invalid_numbers_on_stdout_by_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("15108695088\n\n15108695077\n"))
    code, out = _run("check-id", "--json")
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert (first["line"], first["valid"], first["masked"]) == (1, True, "151086*****")
    assert second == {"line": 3, "valid": False, "error": "has invalid check digits"}
    assert "95077" not in out
    assert capsys.readouterr().err == ""


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert _run("--version")[0] == 0
    assert capsys.readouterr().out == f"patientsky {version('patientsky')}\n"


def _without_the_sandbox_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules: importing raises ModuleNotFoundError, find_spec finds nothing.
    for module in ("starlette", "uvicorn", "fpdf"):
        monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize(
    "argv",
    [["sandbox"], ["sandbox", "--port", "9000"], ["sandbox", "--help"], ["demo"]],
)
def test_a_command_without_its_extra_says_what_to_install_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    _without_the_sandbox_extra(monkeypatch)
    code, out = _run(*argv)
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert 'pip install "patientsky[sandbox]"' in err
    assert "Traceback" not in err


def test_help_and_the_core_commands_work_without_the_sandbox_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_the_sandbox_extra(monkeypatch)
    assert _run("--help")[0] == 0
    assert "patientsky[sandbox]" in capsys.readouterr().out
    assert _run("check-id", "15108695088")[0] == 0
    assert _run("no-such-command")[0] == 2
    assert _run("check-id", "15108695088", "--no-such-option")[0] == 2


def test_only_a_missing_module_of_the_extra_is_reported_as_a_missing_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from patientsky import cli

    def needs(name: str) -> Callable[[argparse.Namespace, TextIO], int]:
        def run(_args: argparse.Namespace, _out: TextIO) -> int:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        return run

    commands = (
        cli.Command("uses-uvicorn", "x", lambda _: None, needs("uvicorn.config"), "sandbox"),
        cli.Command("has-a-bug", "x", lambda _: None, needs("no_such_module"), "sandbox"),
    )
    monkeypatch.setattr(cli, "COMMANDS", commands)
    assert _run("uses-uvicorn")[0] == 2
    assert 'pip install "patientsky[sandbox]"' in capsys.readouterr().err
    with pytest.raises(ModuleNotFoundError):
        _run("has-a-bug")


def test_python_dash_m_patientsky_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "patientsky", "check-id", "15108695088"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == "151086*****  fodselsnummer  born 1986-10-15\n"


def test_availability_reads_the_shipped_exports_with_demo() -> None:
    code, out = _run("availability", "--demo", "--duration", "30", "--period", TUESDAY_MORNING)
    assert code == 0
    _, fixtures = _run(
        "availability", str(FIXTURES), "--duration", "30", "--period", TUESDAY_MORNING
    )
    assert out == fixtures


@pytest.mark.parametrize("folder", [[], [str(FIXTURES), "--demo"]], ids=["neither", "both"])
def test_availability_takes_a_folder_or_demo_but_not_both(
    capsys: pytest.CaptureFixture[str], folder: list[str]
) -> None:
    code, out = _run("availability", *folder, "--duration", "30", "--period", TUESDAY_MORNING)
    assert code == 2
    assert out == ""
    assert "argument FOLDER" in capsys.readouterr().err
