"""The contract: a valid OpenAPI 3.1 document, current, and generated from the code."""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from pathlib import Path
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]
import pytest
from openapi_spec_validator import validate

import patientsky
from patientsky import models
from patientsky.contract import openapi_document
from patientsky.rules.decision import Reason
from patientsky.sandbox import build_demo, openapi_path
from patientsky.sandbox._openapi import GENERIC_CODES, MODEL_CLASSES, build_document, camel
from patientsky.sandbox.demo_data import CALENDAR_DIR
from patientsky.wire import make_converter
from tests.sandbox.conftest import NOW, Api

DOCUMENT: dict[str, Any] = json.loads(openapi_path().read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]

FEATURES = (
    *("L1", "P1", "P2", "P3", "P4", "C1", "C2", "C3", "K1", "K2", "K3"),
    *("M1", "M2", "M3", "M4", "M5", "M6", "M7", "B1", "B2", "B3", "B4", "B5"),
    *("H1", "H2", "R1", "R2", "R3", "R4", "E1", "O1"),
)


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_the_public_function_reads_the_shipped_document_outside_the_sandbox() -> None:
    assert openapi_document() == DOCUMENT
    assert openapi_path().parent == Path(patientsky.__file__).parent
    assert openapi_document() is not openapi_document()  # a fresh copy each time


def test_the_shipped_document_is_the_one_the_code_builds() -> None:
    # If this fails, run: python -m patientsky.sandbox._openapi
    assert build_document() == DOCUMENT


def test_the_server_serves_the_shipped_document(api: Api) -> None:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT


def _enums(module: Any) -> dict[str, type[enum.Enum]]:
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, enum.Enum)
    }


def test_every_enum_schema_lists_exactly_the_python_enums_values() -> None:
    python = _enums(models)
    checked = 0
    for name, schema in SCHEMAS.items():
        if name in python:
            assert schema["enum"] == [m.value for m in python[name]], name
            checked += 1
    assert checked >= 10
    assert SCHEMAS["ReasonCode"]["enum"] == [r.value for r in Reason]


def test_every_generic_problem_code_is_listed() -> None:
    listed = set(SCHEMAS["GenericCode"]["enum"]) | set(SCHEMAS["ReasonCode"]["enum"])
    assert set(GENERIC_CODES) <= listed


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_field_is_in_its_schema_in_camel_case(cls: type[Any]) -> None:
    schema = SCHEMAS[cls.__name__]
    keys = [camel(f.alias or f.name) for f in attrs.fields(cls)]
    assert list(schema["properties"]) == keys
    required = [camel(f.alias or f.name) for f in attrs.fields(cls) if f.default is attrs.NOTHING]
    assert schema["required"] == required


def _validator(name: str) -> jsonschema.Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_wire_form_of_every_demo_record_matches_its_schema() -> None:
    demo = build_demo(NOW)
    converter = make_converter()
    checked = 0
    for field in attrs.fields(type(demo)):
        values = getattr(demo, field.name)
        if not isinstance(values, tuple):
            values = (values,)
        for value in values:
            name = type(value).__name__
            if name not in SCHEMAS:
                continue
            data = converter.unstructure(value)
            errors = list(_validator(name).iter_errors(data))
            assert not errors, (name, [e.message for e in errors])
            assert set(data) <= set(SCHEMAS[name]["properties"]), name
            checked += 1
    assert checked > 500


def test_every_feature_of_the_spec_has_an_operation() -> None:
    summaries = " ".join(
        op["summary"] for path in DOCUMENT["paths"].values() for op in path.values()
    )
    ranges = {"B1–B4": ("B1", "B2", "B3", "B4"), "C1–C3": ("C1", "C2", "C3")}
    covered = set(re.findall(r"\b[A-Z][0-9]\b", summaries))
    for text, ids in ranges.items():
        if text in summaries:
            covered.update(ids)
    assert set(FEATURES) <= covered, set(FEATURES) - covered


def test_no_path_or_query_parameter_carries_a_national_identity_number() -> None:
    for path, operations in DOCUMENT["paths"].items():
        assert "national" not in path.lower()
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert "national" not in parameter["name"].lower(), (path, parameter)


def test_every_operation_documents_its_errors_as_problem_documents() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "500" in responses, (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"]
            if operation["security"]:
                assert "401" in responses, (method, path)


def test_every_write_that_creates_something_accepts_an_idempotency_key() -> None:
    for path, operations in DOCUMENT["paths"].items():
        operation = operations.get("post")
        if operation is None or "sandbox" in path or path.endswith("/consent"):
            continue
        if "/calendar-feed" in path:
            # A replay would have to keep the feed's secret address in clear; the
            # address is stored hashed, and a lost answer is recovered by rotating.
            continue
        names = [p["name"] for p in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, path


def test_timestamps_in_the_demo_are_aware() -> None:
    demo = build_demo(NOW)
    assert demo.now.tzinfo is not None
    assert all(t.start.utcoffset() is not None for t in demo.time_slots)
    assert demo.terms.published_at < NOW < NOW + dt.timedelta(days=1)


ROOT = Path(__file__).resolve().parents[2]


def test_the_api_docs_list_every_operation() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            assert f"`{method.upper()} {path}` | `{operation['operationId']}`" in text


def test_the_packaged_calendars_are_the_fixtures_without_their_patients() -> None:
    # The fixtures' patient_meta holds national identity numbers that validate as real
    # ones; the package ships the calendars only.
    fixtures = ROOT / ".." / "shared" / "data" / "patientsky-calendars"
    packaged = sorted(CALENDAR_DIR.glob("*.json"))
    assert [p.name for p in packaged] == ["Danny_boy.json", "Emma_Win.json", "Joanna_Hef.json"]
    for copy in packaged:
        assert json.loads(copy.read_bytes())["patient_meta"] == {}
    if not fixtures.is_dir():
        pytest.skip("the shared fixtures are not beside this checkout")
    for copy in packaged:
        shipped = json.loads(copy.read_bytes())
        original = json.loads((fixtures / copy.name).read_bytes())
        original["patient_meta"] = {}
        assert shipped == original
