"""
Hypothesis sends every operation hostile paths, queries, headers and bodies over a real
socket: control characters, Unicode digits, bidi overrides, huge numbers, deep nesting.
No answer may be a 5xx, and every refusal is a problem document.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patientsky.sandbox import SandboxClock, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox._handlers import operations
from tests.sandbox.conftest import NOW

pytestmark = pytest.mark.e2e

# Operations that would end the fuzzing session's own login or consent; they are
# still fuzzed without credentials.
_DESTRUCTIVE = {("DELETE", "/v1/session"), ("DELETE", "/v1/patients/{patientId}/consent")}

_OPERATIONS = sorted((method, path) for path, ops in operations().items() for method in ops)

_HOSTILE_CHARS = [
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r",
    "\u200b", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u2069",
    "²", "٣", "１", "\U0001d7d9",  # digits that are not ASCII
    "é", "e\u0301", "Ø", "\U0001f600", "'", '"', "\\", "%", "/", "..", "{", "}",
    "' OR 1=1 --", "<script>", "${jndi:x}",
]  # fmt: skip

hostile_text = st.one_of(
    st.lists(st.sampled_from(_HOSTILE_CHARS), max_size=12).map("".join),
    st.text(max_size=40),
    st.sampled_from(["", "me", "p-kari", "clinic-sentrum", "dlg-kari-1", "0" * 400, "9" * 5000]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)

_FIELDS = [
    "clinicId", "type", "subject", "body", "feeAcknowledged", "medications", "note",
    "nationalId", "method", "calendarIds", "start", "durationMinutes", "kind",
    "timeSlotTypeId", "comment", "name", "contact", "termsVersion", "actions", "enabled",
    "principalId", "representativeId", "validFrom", "validUntil", "seconds", "now",
    "attachmentIds",
]  # fmt: skip

_QUERY = [
    "limit", "cursor", "folder", "when", "tab", "query", "city", "from", "to",
    "durationMinutes", "timeSlotTypeId", "calendarId",
]  # fmt: skip

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        hostile_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_FIELDS) | hostile_text, inner, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["object", "value", "deep", "huge-number", "bytes", "empty"]))
    if kind == "object":
        fields = draw(st.dictionaries(st.sampled_from(_FIELDS), json_values, max_size=8))
        return json.dumps(fields, ensure_ascii=draw(st.booleans())).encode()
    if kind == "value":
        return json.dumps(draw(json_values)).encode()
    if kind == "deep":
        depth = draw(st.integers(min_value=100, max_value=200_000))
        return b"[" * depth + b"]" * depth
    if kind == "huge-number":
        return b'{"durationMinutes": 1' + b"0" * draw(st.integers(10, 100_000)) + b"}"
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    return b""


def _header(text: str) -> bytes:
    """The bytes of ``text`` that HTTP/1.1 can carry in a header (no controls, no NUL)."""
    raw = text.encode("utf-8", "replace").decode("latin-1")
    kept = "".join(c for c in raw if c == "\t" or (c >= " " and c != "\x7f")).strip()
    return kept.encode("latin-1")


class _Session:
    base_url = ""
    token = ""
    admin_key = ""


@pytest.fixture(scope="module")
def session() -> Any:
    clock = SandboxClock(NOW)
    app = create_app(clock=clock)
    sandbox = get_sandbox(app)
    assert sandbox.demo is not None
    kari = next(x for x in sandbox.demo.logins if x.patient_id == "p-kari")
    with serve_in_thread(app) as base_url:
        response = httpx.post(
            f"{base_url}/v1/sandbox/login",
            json={"nationalId": kari.national_id.reveal(), "method": "bankid"},
        )
        _Session.base_url = base_url
        _Session.token = response.json()["accessToken"]
        _Session.admin_key = sandbox.admin_key
        yield clock


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    operation=st.sampled_from(_OPERATIONS),
    path_values=st.lists(hostile_text, min_size=3, max_size=3),
    query=st.dictionaries(st.sampled_from(_QUERY) | hostile_text, hostile_text, max_size=4),
    body=bodies(),
    credential=st.sampled_from(["patient", "admin", "none", "garbage"]),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=latin-1",
            "image/png",
            "application/pdf",
            "application/octet-stream",
            "text/html",
            "",
        ]
    ),
    key=st.none() | hostile_text,
    if_match=st.none() | hostile_text,
    disposition=st.none() | hostile_text.map(lambda t: f'attachment; filename="{t}"'),
)
def test_no_hostile_input_reaches_a_server_error(
    session: SandboxClock,
    operation: tuple[str, str],
    path_values: list[str],
    query: dict[str, str],
    body: bytes,
    credential: str,
    content_type: str,
    key: str | None,
    if_match: str | None,
    disposition: str | None,
) -> None:
    method, template = operation
    names = re.findall(r"\{(\w+)\}", template)
    path = template
    for name, value in zip(names, path_values, strict=False):
        path = path.replace("{" + name + "}", quote(value, safe="") or "x", 1)
    headers: dict[bytes, bytes] = {}
    if credential == "patient" and (method, template) not in _DESTRUCTIVE:
        headers[b"Authorization"] = f"Bearer {_Session.token}".encode()
    elif credential == "admin" and not template.startswith("/v1/sandbox/clock"):
        headers[b"Authorization"] = f"Bearer {_Session.admin_key}".encode()
    elif credential == "garbage":
        headers[b"Authorization"] = b"Bearer \xff\xfe"
    if content_type:
        headers[b"Content-Type"] = content_type.encode()
    if key is not None:
        headers[b"Idempotency-Key"] = _header(key)
    if if_match is not None:
        headers[b"If-Match"] = _header(if_match)
    if disposition is not None:
        headers[b"Content-Disposition"] = _header(disposition)
    url = f"{_Session.base_url}{path}"
    if query:
        url += "?" + urlencode(query)
    with httpx.Client(timeout=60) as client:
        response = client.request(method, url, content=body, headers=headers)
    session.set(NOW)  # whatever an admin call did to the clock
    assert response.status_code < 500, (method, path, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == response.status_code
