"""Concurrency: one slot is booked once, and one idempotency key makes one record."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.sandbox.conftest import Api

PARALLEL = 8


def _slot(api: Api) -> dict[str, Any]:
    response = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-06T00:00:00+01:00"},
    )
    slot = response.json()["data"][0]
    return {
        "clinicId": "clinic-sentrum",
        "calendarIds": slot["calendarIds"],
        "start": slot["start"],
        "durationMinutes": 15,
        "kind": "in_person",
    }


def _post_all(api: Api, requests: list[tuple[str, dict[str, str], dict[str, Any]]]) -> list[int]:
    base_url = str(api.client.base_url)

    def post(request: tuple[str, dict[str, str], dict[str, Any]]) -> int:
        path, headers, body = request
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return client.post(path, headers=headers, json=body).status_code

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(post, requests))


def test_parallel_bookings_of_one_slot_by_different_patients_give_exactly_one_booking(
    api: Api,
) -> None:
    body = _slot(api)
    people = ["p-kari", "p-olav", "p-ingrid", "p-lars", "p-nils", "p-jonas", "p-kari", "p-olav"]
    requests = [
        (f"/v1/patients/{pid}/consultations", api.auth(pid), body) for pid in people[:PARALLEL]
    ]
    before = api.sandbox.storage.count("consultations")
    statuses = _post_all(api, requests)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) == {201, 409}
    assert api.sandbox.storage.count("consultations") == before + 1


def test_parallel_retries_with_one_idempotency_key_create_one_record(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "retry-123"}
    body = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "Hei", "body": "Ja"}
    before = api.sandbox.storage.count("dialogs")
    statuses = _post_all(api, [("/v1/patients/me/dialogs", headers, body)] * PARALLEL)
    assert statuses == [201] * PARALLEL
    assert api.sandbox.storage.count("dialogs") == before + 1
    assert api.sandbox.storage.count("idempotency_keys") == 1


def test_parallel_retries_of_one_booking_replay_the_first_response(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "book-once"}
    body = _slot(api)
    before = api.sandbox.storage.count("consultations")
    statuses = _post_all(api, [("/v1/patients/me/consultations", headers, body)] * PARALLEL)
    assert statuses == [201] * PARALLEL
    assert api.sandbox.storage.count("consultations") == before + 1
