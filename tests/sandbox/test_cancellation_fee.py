"""
The late-cancellation fee is announced before cancelling, acknowledged, and charged (K2, B1).
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Api

K = "/v1/patients/me/consultations/con-kari-upcoming"


def _late(api: Api) -> dict[str, str]:
    # 30 minutes before the 10:00 start: well after the clinic's 24-hour deadline.
    clock = api.client.put(
        "/v1/sandbox/clock", json={"now": "2026-12-16T09:30:00+01:00"}, headers=api.admin
    )
    assert clock.status_code == 200
    return api.auth("p-kari")


def _outstanding(api: Api, kari: dict[str, str]) -> list[Any]:
    page = api.client.get("/v1/patients/me/payments", params={"tab": "outstanding"}, headers=kari)
    rows: list[Any] = page.json()["data"]
    return rows


def test_the_notice_is_free_before_the_deadline(api: Api) -> None:
    notice = api.client.get(f"{K}/cancellation-notice", headers=api.auth("p-kari")).json()
    assert notice["consultationId"] == "con-kari-upcoming"
    assert (notice["late"], notice["applies"], notice["fee"]["minorUnits"]) == (False, False, 0)


def test_a_late_cancellation_needs_the_fee_acknowledged_then_is_invoiced(api: Api) -> None:
    kari = _late(api)
    notice = api.client.get(f"{K}/cancellation-notice", headers=kari).json()
    assert (notice["late"], notice["applies"]) == (True, True)
    assert notice["fee"]["minorUnits"] == 35000
    before = api.sandbox.storage.count("invoices")
    seeded = {r["id"] for r in _outstanding(api, kari)}
    refused = api.client.post(f"{K}/cancel", json={}, headers=kari)
    assert refused.status_code == 409
    assert refused.json()["code"] == "late_cancellation_fee_not_acknowledged"
    assert api.client.post(f"{K}/cancel", headers=kari).status_code == 409
    assert api.sandbox.storage.count("invoices") == before
    cancelled = api.client.post(
        f"{K}/cancel", json={"feeAcknowledged": True}, headers={**kari, "Idempotency-Key": "c1"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "late_cancelled"
    replay = api.client.post(
        f"{K}/cancel", json={"feeAcknowledged": True}, headers={**kari, "Idempotency-Key": "c1"}
    )
    assert replay.json() == cancelled.json()
    assert api.sandbox.storage.count("invoices") == before + 1
    fee = [r for r in _outstanding(api, kari) if r["id"] not in seeded]
    assert [r["amount"]["minorUnits"] for r in fee] == [35000]


def test_a_timely_cancellation_costs_nothing(api: Api) -> None:
    kari = api.auth("p-kari")
    before = api.sandbox.storage.count("invoices")
    cancelled = api.client.post(f"{K}/cancel", json={"feeAcknowledged": False}, headers=kari)
    assert cancelled.json()["status"] == "cancelled"
    assert api.sandbox.storage.count("invoices") == before


def test_upcoming_and_past_follow_the_rule(api: Api) -> None:
    kari = _late(api)

    def ids(when: str) -> list[str]:
        page = api.client.get("/v1/patients/me/consultations", params={"when": when}, headers=kari)
        return [c["id"] for c in page.json()["data"]]

    assert "con-kari-upcoming" in ids("upcoming")
    api.client.put(
        "/v1/sandbox/clock", json={"now": "2026-12-16T10:05:00+01:00"}, headers=api.admin
    )
    marked = api.client.post(
        "/v1/sandbox/clinics/clinic-sentrum/consultations/con-kari-upcoming/mark",
        json={"attended": False},
        headers=api.admin,
    )
    assert marked.json()["status"] == "no_show"
    # Not attended is history at once, though its time has not ended; newest first.
    assert "con-kari-upcoming" not in ids("upcoming")
    assert ids("past")[0] == "con-kari-upcoming"


def test_one_call_lists_the_notice_of_every_upcoming_booked_consultation(api: Api) -> None:
    kari = _late(api)
    log_before = api.client.get("/v1/patients/me/access-log", headers=kari).json()["data"]
    listed = api.client.get("/v1/patients/me/cancellation-notices", headers=kari)
    assert listed.status_code == 200, listed.text
    notices = listed.json()["data"]
    upcoming = api.client.get("/v1/patients/me/consultations", headers=kari).json()["data"]
    booked = [c["id"] for c in upcoming if c["status"] == "booked"]
    assert [n["consultationId"] for n in notices] == booked  # soonest first, booked only
    one = api.client.get(f"{K}/cancellation-notice", headers=kari).json()
    assert next(n for n in notices if n["consultationId"] == "con-kari-upcoming") == one
    # The list is one entry in the access log, whatever it holds.
    log = api.client.get("/v1/patients/me/access-log", headers=kari).json()["data"]
    new = log[: len(log) - len(log_before)]
    operations = [e["operation"] for e in new]
    assert operations.count("list_cancellation_notices") == 1


def test_the_notices_page_by_cursor(api: Api) -> None:
    kari = api.auth("p-kari")
    url = "/v1/patients/me/cancellation-notices"
    everything = api.client.get(url, headers=kari).json()["data"]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        body = api.client.get(url, params=params, headers=kari).json()
        seen += [n["consultationId"] for n in body["data"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == [n["consultationId"] for n in everything]
