"""Each operation is declared once; the client, the router and the document agree with it."""

from __future__ import annotations

import re
import types
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from patientsky.sandbox import SandboxClock, _handlers, create_app, serve_in_thread
from patientsky.sandbox._declare import FILE, IMAGE, Operation
from patientsky.sandbox._openapi import build_document
from tests.client.test_contract import OPERATIONS
from tests.images import image
from tests.sandbox.conftest import Api

DECLARED: dict[str, Operation] = {op.id: op for op in _handlers.declarations()}


def test_every_operation_is_declared_once_under_one_id() -> None:
    ids = Counter(op.id for op in _handlers.declarations())
    routes = Counter((op.method, op.path) for op in _handlers.declarations())
    assert max(ids.values()) == 1
    assert max(routes.values()) == 1


def test_the_documents_operations_are_exactly_the_documented_declarations() -> None:
    paths = build_document()["paths"]
    documented = {
        (method.upper(), path, op["operationId"])
        for path, item in paths.items()
        for method, op in item.items()
    }
    declared = {(op.method, op.path, op.id) for op in DECLARED.values() if op.documented}
    assert documented == declared


SANDBOX_SOURCE = Path(_handlers.__file__).parent
MAX_MODULE_LINES = 400


@pytest.mark.parametrize("module", sorted(p.name for p in SANDBOX_SOURCE.glob("*.py")))
def test_no_sandbox_module_is_longer_than_the_limit(module: str) -> None:
    lines = (SANDBOX_SOURCE / module).read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines; split it by resource"


def test_every_handler_says_what_it_does() -> None:
    for op in DECLARED.values():
        assert op.handler.__doc__, op.id
        assert op.summary, op.id
        assert op.ok, op.id


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_each_client_call_matches_the_declaration_of_its_operation(op_id: str) -> None:
    op = DECLARED[op_id]
    call = OPERATIONS[op_id][0]()
    assert call.method == op.method
    path = re.sub(r"\{(\w+)\}", lambda m: "me" if m[1] == "patientId" else f"x-{m[1]}", op.path)
    assert "/v1/" + "/".join(call.path) == path
    if op.body is None:
        assert call.body is None
    elif op.body == IMAGE:
        assert call.content_type in ("image/jpeg", "image/png")
    elif op.body == FILE:
        assert call.content_type in ("image/jpeg", "image/png", "image/heic", "application/pdf")
        assert call.body is not None
    else:
        kind = "application/merge-patch+json" if op.merge_patch else "application/json"
        assert call.content_type == kind
        assert call.body is not None
    if op.method != "GET":
        assert call.idempotent == op.harmless_to_repeat, "the client retries what it may not"
    if any(p["name"] == "If-Match" for p in op.params):
        assert call.if_match is not None
    sent = {name.lower() for name, _ in call.headers}
    for param in op.params:
        if param.get("in") == "header" and param.get("required") and param["name"] != "If-Match":
            assert param["name"].lower() in sent, f"{op_id} does not send {param['name']}"


def test_every_documented_response_declares_the_headers_it_is_sent_with() -> None:
    for path, item in build_document()["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            assert "default" in responses, (method, path)
            assert "405" in responses, (method, path)
            for status, response in responses.items():
                headers = response["headers"]
                assert "X-Request-Id" in headers, (method, path, status)
                if status == "401":
                    assert "WWW-Authenticate" in headers
                if status == "405":
                    assert "Allow" in headers
                if status == "429":
                    assert headers["Retry-After"]["required"] is True
                if status.startswith("2") and "Idempotency-Key" in str(op.get("parameters")):
                    assert "Idempotent-Replayed" in headers


def test_a_refusal_and_an_answer_both_carry_the_headers_the_document_declares(api: Api) -> None:
    denied = api.client.get("/v1/session")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"].startswith("Bearer")
    assert denied.headers["x-request-id"] == denied.json()["requestId"]
    wrong = api.client.put("/v1/terms")
    assert wrong.status_code == 405
    assert wrong.headers["allow"]
    assert wrong.headers["x-request-id"]
    assert api.client.get("/v1/terms").headers["x-request-id"]


def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(api: Api) -> None:
    headers = api.auth("p-kari")
    for path in ("/v1/terms", "/v1/patients/me/profile", "/v1/clinics", "/v1/nothing-here"):
        got = api.client.get(path, headers=headers)
        head = api.client.head(path, headers=headers)
        assert head.status_code == got.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == got.headers["content-length"]
        assert head.headers.get("etag") == got.headers.get("etag")
    assert api.client.head("/v1/session").status_code == 401


def _closed_enums(schema: Any, schemas: dict[str, Any], seen: set[str], where: str) -> list[str]:
    """The places under ``schema`` where an enum is not open to any other string."""
    if not isinstance(schema, dict):
        return []
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[1]
        target = schemas[name]
        if "enum" in target:
            return [f"{where} -> {name}"]
        if name in seen:
            return []
        seen.add(name)
        return _closed_enums(target, schemas, seen, name)
    if "enum" in schema:
        return [where]
    options = schema.get("anyOf", [])
    if any(o.get("type") == "string" and "enum" not in o for o in options):
        return []  # an open enum: its listed values, or any string
    found: list[str] = []
    for key in ("anyOf", "allOf", "oneOf"):
        for part in schema.get(key, []):
            found += _closed_enums(part, schemas, seen, where)
    for name, prop in schema.get("properties", {}).items():
        found += _closed_enums(prop, schemas, seen, f"{where}.{name}")
    found += _closed_enums(schema.get("items"), schemas, seen, f"{where}[]")
    return found


def test_every_enum_in_an_answer_accepts_values_a_newer_server_may_add() -> None:
    document = build_document()
    schemas = document["components"]["schemas"]
    closed: list[str] = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                for media in response.get("content", {}).values():
                    where = f"{method.upper()} {path} {status}"
                    closed += _closed_enums(media["schema"], schemas, set(), where)
    assert not closed


def test_a_photo_sent_as_bytes_is_stored_as_the_image_it_is(api: Api) -> None:
    headers = api.auth("p-kari")
    png = image("PNG")
    sent = api.client.put(
        "/v1/patients/me/photo",
        headers={**headers, "Content-Type": "application/octet-stream"},
        content=png,
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["mediaType"] == "image/png"
    mine = api.client.get("/v1/patients/me/photo", headers=headers)
    assert mine.headers["content-type"] == "image/png"
    octets = {**headers, "Accept": "application/octet-stream"}
    as_bytes = api.client.get("/v1/patients/me/photo", headers=octets)
    assert as_bytes.headers["content-type"] == "application/octet-stream"
    assert as_bytes.content == mine.content
    text = api.client.put(
        "/v1/patients/me/photo",
        headers={**headers, "Content-Type": "application/octet-stream"},
        content=b"<html>",
    )
    assert text.status_code == 415


def test_the_docs_example_of_adding_an_operation_runs(
    monkeypatch: pytest.MonkeyPatch, clock: SandboxClock
) -> None:
    text = (Path(__file__).parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    section = text.split("## Adding an operation", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/sandbox.md", "exec"), namespace)  # noqa: S102 - our own docs
    module = types.SimpleNamespace(ops=namespace["ops"])
    monkeypatch.setattr(_handlers, "MODULES", (*_handlers.MODULES, module))
    app = create_app(clock=clock)
    with serve_in_thread(app) as base_url:
        answer = httpx.get(f"{base_url}/v1/clinics-in", params={"city": "oslo"})
        refused = httpx.get(f"{base_url}/v1/clinics-in", params={"city": "x" * 101})
    assert answer.status_code == 200, answer.text
    assert [c["city"] for c in answer.json()["data"]] == ["Oslo"]
    assert answer.headers["x-request-id"]
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "city"
