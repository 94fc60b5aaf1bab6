"""The sandbox's HTTP behaviour: login, idempotency, ETags, bodies, errors, receipts, clock."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from patientsky.sandbox import SandboxClock, _public, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox._cli import describe
from tests.images import JPEG, PNG, decode, png_of_size
from tests.sandbox.conftest import NOW, Api


def _problem(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]
    body = response.json()
    assert body["status"] == response.status_code
    assert body["requestId"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    assert isinstance(body, dict)
    return body


# --- login and session ---


def test_a_synthetic_number_logs_in_and_the_session_says_how(api: Api) -> None:
    session = api.client.get("/v1/session", headers=api.auth("p-kari", "buypass_mobile")).json()
    assert session["personId"] == "p-kari"
    assert session["method"] == "buypass_mobile"
    assert session["assurance"] == "high"


def test_an_unknown_or_invalid_number_is_refused_without_repeating_it(api: Api) -> None:
    unknown = api.client.post(
        "/v1/sandbox/login", json={"nationalId": "17912099997", "method": "bankid"}
    )
    assert unknown.status_code == 404
    assert "17912099997" not in unknown.text
    invalid = api.client.post(
        "/v1/sandbox/login", json={"nationalId": "12345678901", "method": "bankid"}
    )
    assert invalid.status_code == 400
    assert _problem(invalid)["errors"][0]["field"] == "nationalId"
    assert "12345678901" not in invalid.text
    method = api.client.post(
        "/v1/sandbox/login",
        json={"nationalId": api.logins["p-kari"].national_id.reveal(), "method": "password"},
    )
    assert method.status_code == 400
    assert _problem(method)["errors"][0]["field"] == "method"


def test_a_token_expires_after_an_hour_of_sandbox_time(api: Api) -> None:
    headers = api.auth("p-kari")
    assert api.client.get("/v1/session", headers=headers).status_code == 200
    api.sandbox.clock.advance(dt.timedelta(minutes=59, seconds=59))
    assert api.client.get("/v1/session", headers=headers).status_code == 200
    api.sandbox.clock.advance(dt.timedelta(seconds=1))
    expired = api.client.get("/v1/session", headers=headers)
    assert expired.status_code == 401
    assert _problem(expired)["code"] == "session_expired"
    assert expired.headers["www-authenticate"].startswith("Bearer")


def test_no_token_and_a_wrong_token_get_401(api: Api) -> None:
    assert api.client.get("/v1/session").status_code == 401
    wrong = api.client.get("/v1/session", headers={"Authorization": "Bearer nope"})
    assert _problem(wrong)["code"] == "unauthorized"


def test_tokens_are_stored_only_as_hashes(api: Api) -> None:
    token = api.token("p-kari")
    with api.sandbox.storage.read() as tx:
        assert tx.get_token(token) is None


# --- idempotency ---


def test_the_same_key_and_body_replay_the_first_response_and_create_nothing(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "k-1"}
    body = {"clinicId": "clinic-nord", "medications": ["Cetirizin 10 mg"]}
    first = api.client.post("/v1/patients/me/prescription-renewals", headers=headers, json=body)
    count = api.sandbox.storage.count("prescription_renewals")
    again = api.client.post("/v1/patients/me/prescription-renewals", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert api.sandbox.storage.count("prescription_renewals") == count


def test_the_same_key_with_another_body_is_a_409(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "k-2"}
    path = "/v1/patients/me/prescription-renewals"
    api.client.post(path, headers=headers, json={"clinicId": "clinic-nord", "medications": ["A"]})
    count = api.sandbox.storage.count("prescription_renewals")
    other = api.client.post(
        path, headers=headers, json={"clinicId": "clinic-nord", "medications": ["B"]}
    )
    assert other.status_code == 409
    assert _problem(other)["code"] == "idempotency_key_reused"
    assert api.sandbox.storage.count("prescription_renewals") == count


def test_keys_are_kept_per_caller(api: Api) -> None:
    body = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "S", "body": "B"}
    for pid in ("p-kari", "p-olav"):
        response = api.client.post(
            "/v1/patients/me/dialogs",
            headers={**api.auth(pid), "Idempotency-Key": "same"},
            json=body,
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers


def test_a_key_with_invisible_characters_is_refused(api: Api) -> None:
    response = api.client.post(
        "/v1/patients/me/prescription-renewals",
        headers={**api.auth("p-kari"), "Idempotency-Key": "two words"},
        json={"clinicId": "clinic-nord", "medications": ["A"]},
    )
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "Idempotency-Key"


# --- ETag and If-Match ---


def test_a_profile_update_needs_if_match_and_a_stale_one_is_never_applied(api: Api) -> None:
    headers = api.auth("p-kari")
    read = api.client.get("/v1/patients/me/profile", headers=headers)
    etag = read.headers["etag"]
    change = {"contact": {"email": "kari@example.no", "phone": "+4799999999"}}
    missing = api.client.patch("/v1/patients/me/profile", headers=headers, json=change)
    assert missing.status_code == 428
    assert _problem(missing)["code"] == "precondition_required"
    done = api.client.patch(
        "/v1/patients/me/profile", headers={**headers, "If-Match": etag}, json=change
    )
    assert done.status_code == 200
    assert done.headers["etag"] != etag
    stale = api.client.patch(
        "/v1/patients/me/profile",
        headers={**headers, "If-Match": etag},
        json={"contact": {"email": "other@example.no"}},
    )
    assert stale.status_code == 412
    assert _problem(stale)["code"] == "precondition_failed"
    now = api.client.get("/v1/patients/me/profile", headers=headers).json()
    assert now["contact"]["email"] == "kari@example.no"


def test_an_invalid_contact_detail_is_a_400_naming_the_field(api: Api) -> None:
    headers = api.auth("p-kari")
    etag = api.client.get("/v1/patients/me/profile", headers=headers).headers["etag"]
    response = api.client.patch(
        "/v1/patients/me/profile",
        headers={**headers, "If-Match": etag},
        json={"contact": {"email": "not an address"}},
    )
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "contact.email"


# --- photo ---


def test_a_photo_is_checked_by_its_bytes_not_only_its_header(api: Api) -> None:
    headers = api.auth("p-kari")
    ok = api.client.put(
        "/v1/patients/me/photo", content=JPEG, headers={**headers, "Content-Type": "image/jpeg"}
    )
    assert ok.status_code == 200
    assert ok.json()["mediaType"] == "image/jpeg"
    got = api.client.get("/v1/patients/me/photo", headers=headers)
    assert decode(got.content).format == "JPEG"
    assert decode(got.content).size == decode(JPEG).size
    assert got.headers["content-type"] == "image/jpeg"
    lying = api.client.put(
        "/v1/patients/me/photo", content=PNG, headers={**headers, "Content-Type": "image/jpeg"}
    )
    assert lying.status_code == 415
    gif = api.client.put(
        "/v1/patients/me/photo", content=b"GIF89a", headers={**headers, "Content-Type": "image/gif"}
    )
    assert _problem(gif)["code"] == "unsupported_media_type"


def test_a_photo_over_5_mib_is_a_413_and_exactly_5_mib_is_fine(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Content-Type": "image/png"}
    limit = 5 * 1024 * 1024
    big = api.client.put("/v1/patients/me/photo", content=png_of_size(limit + 1), headers=headers)
    assert big.status_code == 413
    assert _problem(big)["code"] == "payload_too_large"
    fits = api.client.put("/v1/patients/me/photo", content=png_of_size(limit), headers=headers)
    assert fits.status_code == 200


# --- bad requests ---


def test_malformed_json_is_a_400_that_says_where(api: Api) -> None:
    response = api.client.post(
        "/v1/patients/me/dialogs",
        content=b'{"clinicId": ',
        headers={**api.auth("p-kari"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "line 1" in str(_problem(response)["detail"])


def test_a_wrong_type_is_a_400_naming_the_field(api: Api) -> None:
    response = api.client.post(
        "/v1/patients/me/consultations",
        json={"clinicId": "clinic-sentrum", "calendarIds": "one", "start": "x"},
        headers=api.auth("p-kari"),
    )
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "calendarIds"


def test_a_json_body_over_1_mib_is_a_413(api: Api) -> None:
    response = api.client.post(
        "/v1/patients/me/dialogs",
        json={"body": "x" * (1024 * 1024)},
        headers=api.auth("p-kari"),
    )
    assert response.status_code == 413


def test_a_json_body_must_be_json(api: Api) -> None:
    response = api.client.post(
        "/v1/patients/me/dialogs",
        content=b"clinicId=1",
        headers={**api.auth("p-kari"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


def test_unknown_paths_and_methods_are_problem_documents(api: Api) -> None:
    assert _problem(api.client.get("/v1/nothing"))["code"] == "not_found"
    wrong = api.client.delete("/v1/terms")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, HEAD"
    assert _problem(wrong)["code"] == "method_not_allowed"


def test_a_bad_query_parameter_is_a_400_naming_it(api: Api) -> None:
    headers = api.auth("p-kari")
    for query, field in (
        ("?limit=0", "limit"),
        ("?cursor=zz", "cursor"),
        ("?folder=bin", "folder"),
    ):
        response = api.client.get(f"/v1/patients/me/dialogs{query}", headers=headers)
        assert response.status_code == 400
        assert _problem(response)["errors"][0]["field"] == field


def test_an_unexpected_error_is_a_generic_500_and_logs_no_details(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("secret detail 15108695088")

    monkeypatch.setattr(_public, "ok", broken)
    app = create_app(clock=SandboxClock(NOW), demo=False)
    with caplog.at_level(logging.DEBUG), serve_in_thread(app) as base_url:
        response = httpx.get(f"{base_url}/healthz")
    assert response.status_code == 500
    body = _problem(response)
    assert body["code"] == "internal_error"
    assert "secret" not in response.text
    assert all(
        "secret" not in r.getMessage() and "15108695088" not in r.getMessage()
        for r in caplog.records
    )
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)


# --- dialogs, payments, receipts ---


def test_reading_a_closed_dialog_that_needs_no_answer_moves_it_to_the_archive(api: Api) -> None:
    headers = api.auth("p-kari")

    def folder(name: str) -> list[str]:
        page = api.client.get(f"/v1/patients/me/dialogs?folder={name}", headers=headers).json()
        return [d["id"] for d in page["data"]]

    assert "dlg-kari-3" in folder("inbox")
    read = api.client.get("/v1/patients/me/dialogs/dlg-kari-3", headers=headers).json()
    assert read["folder"] == "archive"
    assert "dlg-kari-3" in folder("archive")
    assert "dlg-kari-3" not in folder("inbox")


def test_an_e_consultation_needs_the_fee_acknowledged(api: Api) -> None:
    headers = api.auth("p-kari")
    body = {
        "clinicId": "clinic-sentrum",
        "type": "e_consultation",
        "subject": "Vondt",
        "body": "Hei",
    }
    refused = api.client.post("/v1/patients/me/dialogs", headers=headers, json=body)
    assert _problem(refused)["code"] == "fee_not_acknowledged"
    started = api.client.post(
        "/v1/patients/me/dialogs", headers=headers, json={**body, "feeAcknowledged": True}
    )
    assert started.status_code == 201
    assert started.json()["folder"] == "inbox"
    disabled = api.client.post(
        "/v1/patients/me/dialogs",
        headers=headers,
        json={**body, "clinicId": "clinic-fjord", "type": "prescription_request"},
    )
    assert _problem(disabled)["code"] == "type_not_enabled_by_clinic"


def test_payments_move_out_of_paid_this_year_when_the_year_turns(api: Api) -> None:
    headers = api.auth("p-kari")

    def tab(name: str) -> dict[str, Any]:
        body = api.client.get(f"/v1/patients/me/payments?tab={name}", headers=headers).json()
        assert isinstance(body, dict)
        return body

    this_year = tab("paid_this_year")
    assert {r["id"] for r in this_year["data"]} == {"pay-kari-4", "pay-kari-5"}
    assert this_year["total"] == {"minorUnits": 37500, "currency": "NOK"}
    outstanding = {r["id"] for r in tab("outstanding")["data"]}
    assert outstanding == {"inv-kari-open-1", "inv-kari-open-2"}  # not the Fjord one (B1)
    api.sandbox.clock.set(dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC))  # 01:30 in Oslo
    headers = api.auth("p-kari")
    assert tab("paid_this_year")["data"] == []
    assert len(tab("all_paid")["data"]) == 5


def test_a_receipt_is_a_pdf_in_norwegian(api: Api) -> None:
    response = api.client.get(
        "/v1/patients/me/payments/pay-kari-3/receipt", headers=api.auth("p-kari")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    (page,) = PdfReader(io.BytesIO(response.content)).pages
    text = page.extract_text()
    for expected in (
        "Kvittering",
        "Sentrum Legesenter",
        "Bankoverføring",
        "Betalingsmåte",
        "Beløp",
        "kr 495,00",
        "2025-0412",
        "Betalt",
    ):
        assert expected in text, expected


# --- booking and the clock ---


def test_a_booked_video_consultation_has_a_link_and_a_cancelled_one_is_free_again(api: Api) -> None:
    headers = api.auth("p-kari")
    free = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-06T00:00:00+01:00"},
    ).json()["data"]
    slot = free[0]
    booked = api.client.post(
        "/v1/patients/me/consultations",
        headers=headers,
        json={
            "clinicId": "clinic-sentrum",
            "calendarIds": slot["calendarIds"],
            "start": slot["start"],
            "durationMinutes": 15,
            "kind": "video",
        },
    )
    assert booked.status_code == 201, booked.text
    cid = booked.json()["id"]
    link = api.client.get(f"/v1/patients/me/consultations/{cid}/video", headers=headers)
    assert link.json()["joinUrl"].startswith("https://")
    taken = api.client.post(
        "/v1/patients/p-olav/consultations",
        headers=api.auth("p-olav"),
        json={
            "clinicId": "clinic-sentrum",
            "calendarIds": slot["calendarIds"],
            "start": slot["start"],
            "durationMinutes": 15,
            "kind": "in_person",
        },
    )
    assert _problem(taken)["code"] == "slot_not_free"
    cancelled = api.client.post(f"/v1/patients/me/consultations/{cid}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    assert (
        api.client.get(f"/v1/patients/me/consultations/{cid}/video", headers=headers).status_code
        == 404
    )


def test_the_clock_can_be_read_set_advanced_and_reset(api: Api) -> None:
    assert api.client.get("/v1/sandbox/clock").json() == {
        "now": "2026-11-25T12:00:00+00:00",
        "frozen": True,
    }
    admin = api.admin
    moved = api.client.post(
        "/v1/sandbox/clock/advance", json={"seconds": 3600}, headers=admin
    ).json()
    assert moved["now"] == "2026-11-25T13:00:00+00:00"
    set_ = api.client.put(
        "/v1/sandbox/clock", json={"now": "2027-05-17T08:00:00+02:00"}, headers=admin
    )
    assert set_.json()["now"] == "2027-05-17T08:00:00+02:00"
    for bad in ({"now": "2027-05-17T08:00:00"}, {"now": "9999-12-31T23:59:59Z"}, {"now": 5}):
        response = api.client.put("/v1/sandbox/clock", json=bad, headers=admin)
        assert response.status_code == 400
        assert _problem(response)["errors"][0]["field"] == "now"
    advance = api.client.post("/v1/sandbox/clock/advance", json={"seconds": -1}, headers=admin)
    assert advance.status_code == 400
    assert api.client.delete("/v1/sandbox/clock", headers=admin).json()["frozen"] is False


def test_a_relation_added_by_the_clinic_shows_in_the_representatives_menu(api: Api) -> None:
    clinic = api.clinic_auth()
    added = api.client.post(
        "/v1/clinics/clinic-sentrum/relations",
        headers=clinic,
        json={"principalId": "p-olav", "representativeId": "p-jonas", "kind": "family_caregiver"},
    )
    assert added.status_code == 201
    menu = api.client.get("/v1/session/represented", headers=api.auth("p-jonas")).json()["data"]
    assert [(r["patientId"], r["kind"]) for r in menu] == [("p-olav", "family_caregiver")]
    person = api.client.post(
        "/v1/clinics/clinic-sentrum/relations",
        headers=api.auth("p-olav"),
        json={"principalId": "p-olav", "representativeId": "p-jonas", "kind": "guardian"},
    )
    assert _problem(person)["code"] == "only_clinic_adds_relations"


# --- storage, command, privacy ---


def test_a_database_file_keeps_its_state_and_the_demo_is_loaded_once(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    first = get_sandbox(create_app(path, clock=SandboxClock(NOW)))
    patients = first.storage.count("patients")
    first.storage.close()
    again = get_sandbox(create_app(path, clock=SandboxClock(NOW)))
    assert again.demo is None
    assert again.storage.count("patients") == patients
    again.storage.close()


def test_the_command_prints_the_url_and_the_demo_logins_by_handle_without_numbers(
    api: Api,
) -> None:
    text = describe(api.sandbox, "http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000" in text
    for login in api.logins.values():
        assert f"  {login.patient_id.removeprefix('p-')} " in text
        assert login.national_id.reveal() not in text


def test_no_log_line_carries_a_national_id_a_token_or_a_body(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        token = api.token("p-kari")
        headers = {"Authorization": f"Bearer {token}"}
        api.client.get("/v1/patients/me/profile", headers=headers)
        api.client.post(
            "/v1/patients/me/dialogs",
            headers=headers,
            json={
                "clinicId": "clinic-sentrum",
                "type": "other_inquiry",
                "subject": "S",
                "body": "Helt privat tekst",
            },
        )
        api.client.post("/v1/patients/me/dialogs", headers=headers, content=b"{broken")
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (api.logins["p-kari"].national_id.reveal(), token, "Helt privat tekst"):
        assert secret not in text


def test_free_time_gives_bookable_starts_on_the_grid_and_each_can_be_booked(api: Api) -> None:
    free = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={
            "from": "2026-11-30T00:00:00+01:00",
            "to": "2026-12-02T00:00:00+01:00",
            "durationMinutes": 30,
        },
    ).json()["data"]
    assert free
    for stretch in free:
        starts = [dt.datetime.fromisoformat(t) for t in stretch["startTimes"]]
        lo, hi = (
            dt.datetime.fromisoformat(stretch["start"]),
            dt.datetime.fromisoformat(stretch["end"]),
        )
        assert starts == sorted(starts)
        assert all(lo <= t and t + dt.timedelta(minutes=30) <= hi for t in starts)
    stretch = next(s for s in free if s["startTimes"])
    last = stretch["startTimes"][-1]
    booked = api.client.post(
        "/v1/patients/me/consultations",
        headers=api.auth("p-kari"),
        json={
            "clinicId": "clinic-sentrum",
            "calendarIds": stretch["calendarIds"],
            "start": last,
            "durationMinutes": 30,
            "kind": "in_person",
        },
    )
    assert booked.status_code == 201, booked.text


def test_the_names_behind_gp_practitioner_and_representative_ids_are_shown(api: Api) -> None:
    kari = api.auth("p-kari")
    profile = api.client.get("/v1/patients/me/profile", headers=kari).json()
    assert profile["gpId"] == "pr-emma"
    assert profile["gpName"]["given"]
    relations = api.client.get("/v1/patients/p-emil/relations", headers=kari).json()["data"]
    assert {r["representativeName"]["given"] for r in relations} >= {"Kari"}
    free = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-02T00:00:00+01:00"},
    ).json()["data"]
    stretch = next(s for s in free if s["startTimes"])
    booked = api.client.post(
        "/v1/patients/me/consultations",
        headers=kari,
        json={
            "clinicId": "clinic-sentrum",
            "calendarIds": stretch["calendarIds"],
            "start": stretch["startTimes"][0],
            "durationMinutes": 15,
            "kind": "in_person",
        },
    ).json()
    assert booked["practitionerName"]["family"]
    listed = api.client.get("/v1/patients/me/consultations", headers=kari).json()["data"]
    assert all(c["practitionerName"] for c in listed)
