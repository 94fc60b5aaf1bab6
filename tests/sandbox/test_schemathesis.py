"""
Property-based API tests generated from the OpenAPI document, against a running sandbox.

Every operation gets a few generated requests (positive data); every response must be no
5xx and must match the document: status code, content type, headers and body schema.
Path ids are drawn from the demo world (and one unknown id) so that requests reach the
handlers rather than stopping at "no such patient".
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from patientsky.sandbox import (
    SandboxClock,
    create_app,
    get_sandbox,
    openapi_path,
    serve_in_thread,
)
from tests.sandbox.conftest import NOW

# Operations that would end the session's usefulness for the rest of the run (the
# logged-in patient reserving herself); they are tested on their own elsewhere.
# Operations that would end the run's own login or move its clock.
_SKIPPED = {"withdrawConsent", "setClock", "resetClock", "advanceClock", "logout"}

_IDS = {
    "patientId": ["me", "p-kari", "p-emil", "p-olav", "p-unknown"],
    "clinicId": ["clinic-sentrum", "clinic-fjord", "clinic-nord", "clinic-unknown"],
    "dialogId": ["dlg-kari-1", "dlg-kari-3", "dlg-kari-4", "dlg-emil-1", "dlg-unknown"],
    "consultationId": ["con-kari-upcoming", "con-kari-video", "con-kari-past", "con-unknown"],
    "paymentId": ["pay-kari-1", "pay-kari-4", "pay-olav-1", "pay-unknown"],
    "relationId": ["rel-kari-emil", "rel-ingrid-olav", "rel-unknown"],
    "messageId": ["dlg-kari-1-m1", "dlg-emil-1-m1", "msg-unknown"],
    "attachmentId": ["att-unknown"],
    "invoiceId": ["inv-kari-open-1", "inv-unknown"],
    "renewalId": ["rx-kari-1", "rx-unknown"],
}


def _test_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi_path().read_text(encoding="utf-8"))
    tuned = copy.deepcopy(document)
    for path in tuned["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in _IDS:
                    parameter["schema"] = {"type": "string", "enum": _IDS[parameter["name"]]}
    schemas = tuned["components"]["schemas"]
    for name in ("BookingRequest", "DialogStart", "RenewalCreate", "ClinicLoginRequest"):
        schemas[name]["properties"]["clinicId"] = {"type": "string", "enum": _IDS["clinicId"]}
    people = {"type": "string", "enum": ["p-olav", "p-emil", "p-jonas", "p-unknown"]}
    schemas["RelationCreate"]["properties"]["principalId"] = people
    schemas["RelationCreate"]["properties"]["representativeId"] = people
    for name in ("InvoiceIssue", "ConnectionCreate"):
        schemas[name]["properties"]["patientId"] = people
    return tuned


# Files to attach are sent as bytes, like any file schemathesis knows.
for _media_type in ("application/pdf", "image/heic"):
    schemathesis.serializer.alias(_media_type, "application/octet-stream")

schema = schemathesis.openapi.from_dict(_test_document())
schema.config.generation.update(modes=[GenerationMode.POSITIVE])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class _Server:
    base_url = ""
    headers: dict[str, str] = {}  # noqa: RUF012
    admin: dict[str, str] = {}  # noqa: RUF012


@pytest.fixture(scope="module", autouse=True)
def _sandbox() -> Iterator[None]:
    app = create_app(clock=SandboxClock(NOW))
    sandbox = get_sandbox(app)
    assert sandbox.demo is not None
    kari = next(x for x in sandbox.demo.logins if x.patient_id == "p-kari")
    with serve_in_thread(app) as base_url:
        response = httpx.post(
            f"{base_url}/v1/sandbox/login",
            json={"nationalId": kari.national_id.reveal(), "method": "bankid"},
        )
        _Server.base_url = base_url
        _Server.headers = {"Authorization": f"Bearer {response.json()['accessToken']}"}
        _Server.admin = {"Authorization": f"Bearer {sandbox.admin_key}"}
        # Keep the token valid for the whole run: the clock moves, but only a little.
        sandbox.clock.set(NOW + dt.timedelta(minutes=1))
        yield


@schema.exclude(operation_id=sorted(_SKIPPED)).parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_response_matches_the_contract_and_none_is_a_server_error(
    case: schemathesis.Case[Any],
) -> None:
    headers = dict(_Server.headers)
    if case.operation.path in ("/v1/sandbox/login", "/v1/sandbox/clinic-login"):
        headers = {}
    if case.operation.path.startswith("/v1/sandbox/clinics/"):
        headers = dict(_Server.admin)  # the clinic-side helpers, with the admin key
    case.call_and_validate(base_url=_Server.base_url, headers=headers, checks=CHECKS)
