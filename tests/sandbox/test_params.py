"""The router checks every declared path and query parameter against its declaration."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from patientsky.sandbox import SandboxClock, _handlers, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox._declare import Operation
from tests.sandbox.conftest import NOW

Schema = dict[str, Any]


def _out_of_bounds(schema: Schema) -> list[str]:
    """Values the schema refuses, one per bound it declares."""
    bad: list[str] = []
    if "enum" in schema:
        bad.append("not-one-of-them")
    if "maxLength" in schema:
        bad.append("x" * (schema["maxLength"] + 1))
    if schema.get("minLength", 0) > 0:
        bad.append("")
    if "minimum" in schema:
        bad.append(str(schema["minimum"] - 1))
    if "maximum" in schema:
        bad.append(str(schema["maximum"] + 1))
    if schema.get("type") == "integer":
        bad.append("1.5")
    if schema.get("format") == "date-time":
        bad.append("not-a-time")
    if "pattern" in schema:
        bad.append("a.b")
    return bad


def _valid(schema: Schema) -> str:
    """A value the schema takes."""
    if "default" in schema:
        return str(schema["default"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("format") == "date-time":
        return NOW.isoformat()
    if schema.get("type") == "integer":
        return str(schema.get("minimum", 1))
    return "x"


def _cases() -> Iterator[Any]:
    for op in _handlers.declarations():
        for param in op.params:
            if param.get("in") not in ("query", "path"):
                continue
            for value in _out_of_bounds(param["schema"]):
                if param["in"] == "path" and not value:
                    continue  # an empty segment is another path (404)
                yield pytest.param(
                    op, param["name"], value, id=f"{op.id}-{param['name']}-{value[:12]}"
                )


CASES = list(_cases())


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    app = create_app(clock=SandboxClock(NOW))
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        login = client.post("/v1/sandbox/login", json={"person": "kari", "method": "bankid"})
        token = login.json()["accessToken"]
        admin = get_sandbox(app).admin_key
        yield client, {"person": token, "admin": admin}


def test_every_declared_query_and_path_parameter_has_a_bound_to_test() -> None:
    named = {(case.values[0].id, case.values[1]) for case in CASES}
    declared = {
        (op.id, p["name"])
        for op in _handlers.declarations()
        for p in op.params
        if p.get("in") in ("query", "path")
    }
    assert named == declared


@pytest.mark.parametrize(("op", "name", "value"), CASES)
def test_a_value_outside_a_declared_bound_is_a_400_naming_the_parameter(
    sandbox: tuple[httpx.Client, dict[str, str]], op: Operation, name: str, value: str
) -> None:
    client, tokens = sandbox
    path_values: dict[str, str] = {"patientId": "me"}
    query: dict[str, str] = {}
    for param in op.params:
        where, pname = param.get("in"), param["name"]
        if where == "path":
            path_values[pname] = value if pname == name else _valid(param["schema"])
        elif where == "query" and pname == name:
            query[pname] = value
        elif where == "query" and param.get("required"):
            query[pname] = _valid(param["schema"])
    path = op.path.format_map({k: urllib.parse.quote(v, safe="") for k, v in path_values.items()})
    token = tokens["admin"] if op.admin else tokens["person"]
    headers = {"Authorization": f"Bearer {token}", "If-Match": "*"}
    response = client.request(op.method, path, params=query, headers=headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert problem["errors"][0]["field"] == name
