"""The exception tree: every exception survives pickle and copy, and the ground floor stays low."""

from __future__ import annotations

import ast
import copy
import importlib
import pickle
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import patientsky
from patientsky import errors as e
from patientsky.rules.decision import Reason
from patientsky.sandbox._demo_world import DemoWorldError

SRC = Path(patientsky.__file__).parent

PROBLEM = {
    "type": "about:blank",
    "title": "Invalid input",
    "status": 400,
    "detail": "contact.email: must be an e-mail address",
    "code": "invalid_input",
    "errors": [{"field": "contact.email", "message": "must be an e-mail address"}],
}
HEADERS = (("x-request-id", "r-1"), ("retry-after", "3"), ("x-trace", "a"), ("x-trace", "b"))


def _api(cls: type[e.ApiError], status: int, code: str = "invalid_input") -> e.ApiError:
    return cls(status, {**PROBLEM, "status": status, "code": code}, "r-1", HEADERS)


def _outcome(error: e.TransportError) -> e.TransportError:
    # What the client records on an error of a write, across its attempts.
    error.may_have_been_applied = True
    error.idempotency_key = "key-1"
    error.attempts = 3
    return error


# One instance of every exception class, with every field set. A class that is not here
# fails test_every_exception_class_is_covered, so a new class cannot skip the pickle test.
FACTORIES: dict[type[e.PatientSkyError], Callable[[], e.PatientSkyError]] = {
    e.PatientSkyError: lambda: e.PatientSkyError("something went wrong"),
    e.InvalidInput: lambda: e.InvalidInput("patient.contact.email", "must be an e-mail address"),
    e.AccessDenied: lambda: e.AccessDenied(Reason.CHILD_TURNED_16, "The child has turned 16."),
    e.Conflict: lambda: e.Conflict("the slot is taken"),
    e.NotFound: lambda: e.NotFound("no such dialog"),
    e.ApiError: lambda: _api(e.ApiError, 302),
    e.ResponseValidationError: lambda: e.ResponseValidationError(
        200, "response.data[0].start", "is required", "r-1", HEADERS
    ),
    e.ClientError: lambda: _api(e.ClientError, 418),
    e.BadRequest: lambda: _api(e.BadRequest, 400),
    e.Unauthorized: lambda: _api(e.Unauthorized, 401, "session_expired"),
    e.Forbidden: lambda: _api(e.Forbidden, 403, "child_turned_16"),
    e.ApiNotFound: lambda: _api(e.ApiNotFound, 404, "not_found"),
    e.ApiConflict: lambda: _api(e.ApiConflict, 409, "slot_not_free"),
    e.RateLimited: lambda: e.RateLimited(429, PROBLEM, "r-1", HEADERS, retry_after=3.0),
    e.ServerError: lambda: _api(e.ServerError, 503, "unavailable"),
    e.TransportError: lambda: e.TransportError("GET /v1/session: failed (after 1 attempt)"),
    e.ConnectError: lambda: _outcome(e.ConnectError("POST /v1/x: could not connect")),
    e.ConnectionLost: lambda: _outcome(e.ConnectionLost("POST /v1/x: connection lost")),
    e.Timeout: lambda: e.Timeout("GET /v1/session: no answer in time"),
    DemoWorldError: lambda: DemoWorldError(
        "demo_world.json: people[0] (p-kari).contact.email: must be an e-mail address"
    ),
    e.DeadlineExceeded: lambda: _outcome(e.DeadlineExceeded("POST /v1/x: deadline of 2 s")),
}


def _every_exception_class() -> set[type[e.PatientSkyError]]:
    # Import every module of the package, so a subclass defined anywhere is found.
    for info in pkgutil.walk_packages([str(SRC)], prefix="patientsky."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: set[type[e.PatientSkyError]] = set()
    todo: list[type[e.PatientSkyError]] = [e.PatientSkyError]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return found


def _round_trip(value: Any, protocol: int = pickle.DEFAULT_PROTOCOL) -> Any:
    # Safe here: it loads only what it has just dumped.
    return pickle.loads(pickle.dumps(value, protocol=protocol))  # noqa: S301


def _same(original: BaseException, restored: BaseException) -> None:
    assert type(restored) is type(original)
    assert str(restored) == str(original)
    assert restored.args == original.args
    assert vars(restored) == vars(original)


def test_every_exception_class_is_covered() -> None:
    assert _every_exception_class() == set(FACTORIES)


@pytest.mark.parametrize("cls", list(FACTORIES), ids=lambda cls: cls.__name__)
def test_every_exception_survives_pickle_with_its_message_and_fields(cls: type[Any]) -> None:
    original = FACTORIES[cls]()
    assert type(original) is cls
    original.add_note("while reading the inbox")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = _round_trip(original, protocol)
        _same(original, restored)
        assert restored.__notes__ == ["while reading the inbox"]
    _same(original, copy.copy(original))
    _same(original, copy.deepcopy(original))


def test_pickled_api_errors_keep_their_typed_fields() -> None:
    conflict = _round_trip(_api(e.ApiConflict, 409, "slot_not_free"))
    assert isinstance(conflict, e.ApiConflict)
    assert isinstance(conflict, e.Conflict)
    assert str(conflict).startswith("409 Invalid input")
    assert conflict.code == "slot_not_free"
    assert conflict.field_errors == (e.FieldError("contact.email", "must be an e-mail address"),)
    assert conflict.headers["x-trace"] == "a, b"
    forbidden = _round_trip(_api(e.Forbidden, 403, "child_turned_16"))
    assert forbidden.reason is Reason.CHILD_TURNED_16
    limited = _round_trip(FACTORIES[e.RateLimited]())
    assert isinstance(limited, e.RateLimited)
    assert limited.retry_after == 3.0
    lost = _round_trip(FACTORIES[e.ConnectionLost]())
    assert (lost.may_have_been_applied, lost.idempotency_key, lost.attempts) == (True, "key-1", 3)
    assert isinstance(lost, e.TransportError)
    late = _round_trip(FACTORIES[e.DeadlineExceeded]())
    assert isinstance(late, e.Timeout)
    assert late.may_have_been_applied
    plain = _round_trip(FACTORIES[e.ServerError]())
    assert (plain.may_have_been_applied, plain.idempotency_key) == (False, None)
    invalid = _round_trip(e.InvalidInput("a", "b"))
    assert (invalid.field, invalid.message) == ("a", "b")
    assert invalid.at("x").field == "x.a"


@given(field=st.text(max_size=30), message=st.text(max_size=60))
def test_invalid_input_round_trips_any_field_and_message(field: str, message: str) -> None:
    original = e.InvalidInput(field, message)
    restored = _round_trip(original)
    assert (restored.field, restored.message, str(restored)) == (field, message, str(original))


@given(
    status=st.integers(100, 599),
    detail=st.text(max_size=40),
    items=st.lists(st.fixed_dictionaries({"field": st.text(), "message": st.text()}), max_size=3),
)
def test_api_errors_round_trip_any_problem_document(
    status: int, detail: str, items: list[dict[str, str]]
) -> None:
    original = e.ApiError(status, {"detail": detail, "errors": items}, None, ())
    restored = _round_trip(original)
    _same(original, restored)
    assert restored.field_errors == tuple(e.FieldError(i["field"], i["message"]) for i in items)


# --------------------------------------------------------------------------- layering


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (inside functions and TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # ``from patientsky import rules`` imports the module patientsky.rules.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("module", ["errors.py", "reasons.py"])
def test_the_ground_floor_imports_nothing_from_a_higher_layer(module: str) -> None:
    ours = {name for name in _imports(SRC / module) if name.split(".")[0] == "patientsky"}
    assert ours <= {"patientsky.reasons", "patientsky.reasons.Reason"}


def test_the_errors_know_no_decisions_even_at_run_time() -> None:
    import subprocess
    import sys

    code = "import sys, patientsky.errors; print(sorted(m for m in sys.modules if 'rules' in m))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_reason_is_still_imported_from_the_rules() -> None:
    from patientsky import reasons, rules

    assert Reason is reasons.Reason is rules.Reason
    assert _round_trip(Reason.DIALOG_CLOSED) is Reason.DIALOG_CLOSED
