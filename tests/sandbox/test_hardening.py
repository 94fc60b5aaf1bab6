"""
The sandbox closed by default: the admin key, test people only, idempotency that cannot be
fooled, who-then-may-then-what, and strict query values. Over a real socket.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from hypothesis import given, settings

from patientsky.errors import InvalidInput
from patientsky.models import NationalId
from patientsky.rules._time import birthday
from patientsky.sandbox import SandboxClock, create_app, get_sandbox
from patientsky.wire import make_converter
from tests.sandbox.conftest import NOW, Api
from tests.strategies_ids import national_id_digits

RENEWALS = "/v1/patients/{}/prescription-renewals"
RENEWAL = {"clinicId": "clinic-nord", "medications": ["Cetirizin 10 mg"]}


def _problem(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert isinstance(body, dict)
    return body


# --- 1. the admin key ---


ADMIN_OPERATIONS = [
    ("PUT", "/v1/sandbox/clock", {"now": "2030-01-01T00:00:00+01:00"}),
    ("POST", "/v1/sandbox/clock/advance", {"seconds": 86400}),
    ("DELETE", "/v1/sandbox/clock", None),
    ("POST", "/v1/sandbox/clinic-login", {"clinicId": "clinic-sentrum"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_OPERATIONS)
def test_sandbox_operations_without_the_admin_key_are_401_and_change_nothing(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = api.sandbox.clock.now()
    tokens = api.sandbox.storage.count("tokens")
    patient = api.auth("p-kari")
    for headers in ({}, patient, {"Authorization": "Bearer not-the-key"}, {"Authorization": ""}):
        response = api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert _problem(response)["code"] == "admin_key_required"
        assert "www-authenticate" in response.headers
    assert api.sandbox.clock.now() == before
    assert api.sandbox.storage.count("tokens") == tokens + 1  # only the patient's login


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_OPERATIONS)
def test_sandbox_operations_with_the_admin_key_work(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.client.request(method, path, json=body, headers=api.admin)
    assert response.status_code == 200, response.text


def test_patient_login_stays_open_and_reading_the_clock_needs_no_key(api: Api) -> None:
    assert api.token("p-kari")
    assert api.client.get("/v1/sandbox/clock").status_code == 200


def test_a_stranger_cannot_become_a_guardian_through_clinic_login(api: Api) -> None:
    # The attack the admin key closes: a public clinic id, a clinic login, a relation.
    login = api.client.post("/v1/sandbox/clinic-login", json={"clinicId": "clinic-sentrum"})
    assert login.status_code == 401
    assert "accessToken" not in login.text


def test_each_sandbox_has_its_own_random_admin_key_unless_given() -> None:
    first, second = create_app(demo=False), create_app(demo=False)
    key_a, key_b = get_sandbox(first).admin_key, get_sandbox(second).admin_key
    assert key_a != key_b
    assert len(key_a) >= 32
    assert key_a not in repr(get_sandbox(first))
    given_key = "a-key-chosen-by-the-developer"
    assert get_sandbox(create_app(demo=False, admin_key=given_key)).admin_key == given_key
    with pytest.raises(ValueError, match="at least 16"):
        create_app(demo=False, admin_key="short")


# --- 2. test people only ---


@settings(max_examples=20)
@given(digits=national_id_digits(synthetic=False))
def test_the_sandbox_converter_refuses_every_real_number(digits: str) -> None:
    converter = make_converter(synthetic_national_ids_only=True)
    with pytest.raises(InvalidInput) as caught:
        converter.structure(digits, NationalId)
    assert "synthetic" in str(caught.value)
    assert digits not in str(caught.value)


@settings(max_examples=20)
@given(digits=national_id_digits(synthetic=True))
def test_the_sandbox_converter_accepts_every_synthetic_number(digits: str) -> None:
    converter = make_converter(synthetic_national_ids_only=True)
    assert converter.structure(digits, NationalId).is_synthetic


def test_a_converter_cannot_be_asked_for_synthetic_only_while_refusing_synthetic() -> None:
    with pytest.raises(ValueError, match="synthetic"):
        make_converter(allow_synthetic_national_ids=False, synthetic_national_ids_only=True)


def test_login_with_a_real_persons_number_is_refused_without_echoing_it(api: Api) -> None:
    real = "01010012356"  # a valid, non-synthetic fødselsnummer
    assert not NationalId(real).is_synthetic
    response = api.client.post("/v1/sandbox/login", json={"nationalId": real, "method": "bankid"})
    assert response.status_code == 400
    problem = _problem(response)
    assert problem["errors"][0]["field"] == "nationalId"
    assert "test people only" in problem["detail"]
    assert real not in response.text


# --- 3. idempotency keyed to what is written ---


def test_the_same_key_through_me_and_the_own_id_is_one_write(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "alias-1"}
    count = api.sandbox.storage.count("prescription_renewals")
    first = api.client.post(RENEWALS.format("me"), headers=headers, json=RENEWAL)
    again = api.client.post(RENEWALS.format("p-kari"), headers=headers, json=RENEWAL)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert api.sandbox.storage.count("prescription_renewals") == count + 1


def test_the_same_key_for_two_patients_is_two_writes(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "per-patient"}
    body = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "S", "body": "B"}
    mine = api.client.post("/v1/patients/me/dialogs", headers=headers, json=body)
    emils = api.client.post("/v1/patients/p-emil/dialogs", headers=headers, json=body)
    assert mine.status_code == emils.status_code == 201
    assert "idempotent-replayed" not in emils.headers
    assert mine.json()["id"] != emils.json()["id"]


def test_a_replay_is_authorised_again_after_the_childs_16th_birthday(
    api: Api, clock: SandboxClock
) -> None:
    demo = api.sandbox.demo
    assert demo is not None
    sofie = next(p for p in demo.patients if p.id == "p-sofie")
    headers = {**api.auth("p-kari"), "Idempotency-Key": "before-16"}
    body = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "S", "body": "B"}
    first = api.client.post("/v1/patients/p-sofie/dialogs", headers=headers, json=body)
    assert first.status_code == 201, first.text
    sixteen = birthday(sofie.birth_date, 16)
    clock.set(dt.datetime(sixteen.year, sixteen.month, sixteen.day, 0, 0, 1, tzinfo=dt.UTC))
    again = api.client.post(
        "/v1/patients/p-sofie/dialogs",
        headers={**api.auth("p-kari"), "Idempotency-Key": "before-16"},
        json=body,
    )
    assert again.status_code == 403
    assert _problem(again)["code"] == "child_turned_16"
    assert "idempotent-replayed" not in again.headers


def test_stored_keys_expire_after_24_hours_of_sandbox_time(api: Api, clock: SandboxClock) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "expiring"}
    first = api.client.post(RENEWALS.format("me"), headers=headers, json=RENEWAL)
    assert first.status_code == 201
    clock.set(NOW + dt.timedelta(hours=23))
    replay = api.client.post(
        RENEWALS.format("me"),
        headers={**api.auth("p-kari"), "Idempotency-Key": "expiring"},
        json=RENEWAL,
    )
    assert replay.headers.get("idempotent-replayed") == "true"
    clock.set(NOW + dt.timedelta(hours=24, seconds=1))
    later = api.client.post(
        RENEWALS.format("me"),
        headers={**api.auth("p-kari"), "Idempotency-Key": "expiring"},
        json=RENEWAL,
    )
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert api.sandbox.storage.count("idempotency_keys") == 1


def test_expired_tokens_are_purged_and_a_logged_out_token_is_gone(
    api: Api, clock: SandboxClock
) -> None:
    old = api.auth("p-kari")
    api.auth("p-olav")
    assert api.sandbox.storage.count("tokens") == 2
    clock.set(NOW + dt.timedelta(hours=2))
    fresh = api.auth("p-kari")
    assert api.sandbox.storage.count("tokens") == 1
    assert api.client.get("/v1/session", headers=old).status_code == 401
    assert api.client.delete("/v1/session", headers=fresh).status_code == 204
    assert api.sandbox.storage.count("tokens") == 0
    gone = api.client.get("/v1/session", headers=fresh)
    assert gone.status_code == 401


# --- 4. who, then may, then what ---


def test_a_stranger_booking_with_a_bad_calendar_learns_only_403(api: Api) -> None:
    response = api.client.post(
        "/v1/patients/p-kari/consultations",
        headers=api.auth("p-olav"),
        json={
            "clinicId": "clinic-sentrum",
            "calendarIds": ["no-such-calendar"],
            "start": "not a time",
            "durationMinutes": 9999,
            "kind": "video",
        },
    )
    assert response.status_code == 403
    assert "errors" not in _problem(response)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/patients/p-kari/dialogs", {"type": 5}),
        ("/v1/patients/p-kari/prescription-renewals", {"medications": "x"}),
        ("/v1/patients/p-kari/consent", {"termsVersion": "nope"}),
        ("/v1/patients/p-kari/dialogs/dlg-kari-1/messages", {"body": ""}),
    ],
)
def test_a_stranger_gets_403_before_any_validation(
    api: Api, path: str, body: dict[str, Any]
) -> None:
    response = api.client.post(path, headers=api.auth("p-olav"), json=body)
    assert response.status_code == 403, response.text


def test_a_person_adding_a_relation_is_refused_before_the_body_is_read(api: Api) -> None:
    response = api.client.post(
        "/v1/clinics/clinic-sentrum/relations", headers=api.auth("p-olav"), json={"x": 1}
    )
    assert response.status_code == 403
    assert _problem(response)["code"] == "only_clinic_adds_relations"


def test_an_anonymous_large_body_is_refused_as_401_not_read(api: Api) -> None:
    too_large = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    response = api.client.post(
        RENEWALS.format("me"),
        content=too_large,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401


def test_the_same_large_body_with_a_token_is_413(api: Api) -> None:
    too_large = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    response = api.client.post(
        RENEWALS.format("me"),
        content=too_large,
        headers={**api.auth("p-kari"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


# --- 5. strict query values ---


@pytest.mark.parametrize(
    "query",
    [
        "limit=%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
        "limit=%D9%A3",  # Arabic-Indic three: int() would take it
        "limit=0000011000000",  # a prefix of it is in range, the number is not
        "limit=" + "9" * 5000,  # more digits than int() converts
        "limit=-1",
        "limit=1.0",
        "limit=",
        "limit=%00",
        "cursor=o%D9%A3",
        "cursor=o" + "1" * 40,
        "cursor=%00",
    ],
)
def test_a_bad_query_value_is_a_400_naming_the_parameter(api: Api, query: str) -> None:
    response = api.client.get(f"/v1/patients/me/dialogs?{query}", headers=api.auth("p-kari"))
    assert response.status_code == 400, response.text
    name = query.split("=")[0]
    assert _problem(response)["errors"][0]["field"] == name


@pytest.mark.parametrize("text", ["%00", "a%E2%80%AEb", "%E2%80%8B", "x" * 300])
def test_free_text_query_values_hide_nothing(api: Api, text: str) -> None:
    response = api.client.get(f"/v1/clinics?query={text}")
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "query"


# --- 6. and 7., over the wire ---

DIALOG = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "S", "body": "B"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Resept\u202etxt.exe"),
        ("subject", "a\u200bb"),
        ("subject", "two\nlines"),
        ("body", "nul\x00byte"),
        ("body", "escape \x1b[31m"),
        ("body", "isolate \u2066x\u2069"),
    ],
)
def test_text_that_hides_something_is_refused_naming_the_field(
    api: Api, field: str, value: str
) -> None:
    response = api.client.post(
        "/v1/patients/me/dialogs", headers=api.auth("p-kari"), json={**DIALOG, field: value}
    )
    assert response.status_code == 400, response.text
    problem = _problem(response)
    assert problem["errors"][0]["field"] == field
    assert value not in response.text


def test_text_is_stored_nfc_and_a_body_keeps_its_lines(api: Api) -> None:
    headers = api.auth("p-kari")
    body = {**DIALOG, "subject": "Re\u0301sept", "body": "Hei\r\nlinje to\tmed tab"}
    made = api.client.post("/v1/patients/me/dialogs", headers=headers, json=body)
    assert made.status_code == 201, made.text
    read = api.client.get(f"/v1/patients/me/dialogs/{made.json()['id']}", headers=headers).json()
    assert read["subject"] == "Résept"
    assert read["messages"][0]["body"] == "Hei\nlinje to\tmed tab"


def test_a_booking_off_the_grid_is_refused(api: Api) -> None:
    headers = api.auth("p-kari")
    free = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-06T00:00:00+01:00"},
    ).json()["data"]
    slot = free[0]
    start = dt.datetime.fromisoformat(slot["start"])
    for off in (start + dt.timedelta(seconds=13), start + dt.timedelta(microseconds=1)):
        response = api.client.post(
            "/v1/patients/me/consultations",
            headers=headers,
            json={
                "clinicId": "clinic-sentrum",
                "calendarIds": slot["calendarIds"],
                "start": off.isoformat(),
                "durationMinutes": 15,
                "kind": "in_person",
            },
        )
        assert response.status_code == 409, response.text
        assert _problem(response)["code"] == "start_not_on_grid"
