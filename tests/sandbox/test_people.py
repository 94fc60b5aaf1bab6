"""
The demo people over HTTP: listed by handle, with no number, and a login by handle.

A handle is stable (the same whatever day the sandbox starts), so docs and scripts can
say ``kari`` instead of a synthetic number made for today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patientsky.sandbox import Limits, SandboxClock, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox._declare import HANDLE_PATTERN

from .conftest import NOW, Api

HANDLES = ["kari", "emil", "sofie", "olav", "ingrid", "lars", "nils", "per", "jonas"]


def test_the_sandbox_lists_its_demo_people_by_handle(api: Api) -> None:
    response = api.client.get("/v1/sandbox/people")
    assert response.status_code == 200
    people = response.json()["data"]
    assert [p["handle"] for p in people] == HANDLES
    assert {p["patientId"] for p in people} == {f"p-{h}" for h in HANDLES}
    kari = people[0]
    assert kari["name"] == "Kari Nordmann"
    assert set(kari) == {"handle", "name", "role", "patientId"}


def test_the_list_of_demo_people_holds_no_national_identity_number(api: Api) -> None:
    text = api.client.get("/v1/sandbox/people").text
    assert re.search(r"[0-9]{11}", text) is None
    for login in api.logins.values():
        assert login.national_id.reveal() not in text


def test_a_demo_person_logs_in_by_handle(api: Api) -> None:
    response = api.client.post("/v1/sandbox/login", json={"person": "kari", "method": "bankid"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["personId"] == "p-kari"
    session = api.client.get(
        "/v1/session", headers={"Authorization": f"Bearer {body['accessToken']}"}
    ).json()
    assert session["personId"] == "p-kari"
    assert session["method"] == "bankid"


def test_a_login_by_handle_keeps_the_login_methods_assurance(api: Api) -> None:
    token = api.client.post("/v1/sandbox/login", json={"person": "kari", "method": "minid"}).json()[
        "accessToken"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/v1/session", headers=headers).json()["assurance"] == "substantial"
    refused = api.client.get("/v1/patients/me/dialogs", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "login_assurance_too_low"


@pytest.mark.parametrize(
    "body",
    [
        {"method": "bankid"},
        {"person": "kari", "nationalId": "17912099997", "method": "bankid"},
    ],
    ids=["neither", "both"],
)
def test_a_login_names_a_person_by_exactly_one_of_handle_and_number(
    api: Api, body: dict[str, str]
) -> None:
    response = api.client.post("/v1/sandbox/login", json=body)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"person", "nationalId"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"person": "nobody", "method": "bankid"}, 404, None),
        ({"person": "Kari Nordmann", "method": "bankid"}, 400, "person"),
        ({"person": 7, "method": "bankid"}, 400, "person"),
        ({"person": "kari"}, 400, "method"),
        ({"person": "kari", "method": "fax"}, 400, "method"),
    ],
)
def test_a_bad_login_by_handle_is_refused_naming_the_field(
    api: Api, body: dict[str, Any], status: int, field: str | None
) -> None:
    response = api.client.post("/v1/sandbox/login", json=body)
    assert response.status_code == status, response.text
    problem = response.json()
    if field is not None:
        assert [e["field"] for e in problem["errors"]] == [field]


def test_the_banner_lists_handles_and_no_numbers(api: Api) -> None:
    from patientsky.sandbox._cli import describe

    banner = describe(api.sandbox, "http://127.0.0.1:8000")
    for handle in HANDLES:
        assert re.search(rf"^  {handle} ", banner, re.MULTILINE)
    assert re.search(r"[0-9]{11}", banner.replace(api.sandbox.admin_key, "")) is None


def test_a_persons_logins_count_together_by_handle_and_by_number() -> None:
    from patientsky.sandbox import Rate

    limits = Limits(login_per_client=None, login_per_person=Rate(burst=2, per_minute=1))
    app = create_app(clock=SandboxClock(NOW), limits=limits)
    sandbox = get_sandbox(app)
    assert sandbox.demo is not None
    number = next(x for x in sandbox.demo.logins if x.patient_id == "p-kari").national_id
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url) as client:
        by_handle = {"person": "kari", "method": "bankid"}
        by_number = {"nationalId": number.reveal(), "method": "bankid"}
        assert client.post("/v1/sandbox/login", json=by_handle).status_code == 200
        assert client.post("/v1/sandbox/login", json=by_number).status_code == 200
        assert client.post("/v1/sandbox/login", json=by_handle).status_code == 429
        other = client.post("/v1/sandbox/login", json={"person": "emil", "method": "bankid"})
        assert other.status_code == 200


@settings(max_examples=5, deadline=None)
@given(day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_handles_are_the_same_whatever_day_the_sandbox_starts(day: dt.date) -> None:
    from patientsky.sandbox._people import demo_people

    now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    sandbox = get_sandbox(create_app(clock=SandboxClock(now)))
    try:
        with sandbox.storage.read() as tx:
            handles = [p.handle for p in demo_people(tx)]
    finally:
        sandbox.storage.close()
    assert handles == HANDLES
    assert all(re.fullmatch(HANDLE_PATTERN, h) for h in handles)


@pytest.fixture(scope="module")
def shared() -> Iterator[str]:
    app = create_app(clock=SandboxClock(NOW), limits=Limits.unlimited())
    with serve_in_thread(app) as base_url:
        yield base_url


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    person=st.one_of(st.text(max_size=50), st.integers(), st.none(), st.booleans()),
    method=st.sampled_from(["bankid", "buypass_mobile", "minid", "fax", 3]),
)
def test_a_login_by_any_handle_is_a_token_or_a_clear_refusal(
    shared: str, person: Any, method: Any
) -> None:
    response = httpx.post(
        f"{shared}/v1/sandbox/login", json={"person": person, "method": method}, timeout=30
    )
    known = person in HANDLES and method in ("bankid", "buypass_mobile", "minid")
    if known:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code in (400, 404), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
