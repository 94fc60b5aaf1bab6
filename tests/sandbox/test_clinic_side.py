"""
The clinic-side helpers: only the admin key moves the clinic's half, through the rules.

Patients, representatives, a clinic's staff token and nobody at all get a 401 and change
nothing; the admin key's writes go through the same rules as everything else, and an
Idempotency-Key makes a retried write happen once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from tests.sandbox.conftest import Api

C = "/v1/sandbox/clinics/clinic-sentrum"


@attrs.frozen
class Helper:
    name: str
    path: str
    body: dict[str, Any] | None
    ok: int


def _invoice_body() -> dict[str, Any]:
    return {
        "patientId": "p-kari",
        "amount": {"minorUnits": 35000, "currency": "NOK"},
        "dueDate": "2026-12-09",
    }


HELPERS = (
    Helper("connect", f"{C}/connections", {"patientId": "p-kari"}, 200),
    Helper("reply", f"{C}/dialogs/dlg-kari-1/messages", {"body": "Hei Kari"}, 201),
    Helper("close", f"{C}/dialogs/dlg-kari-1/close", {"needsReply": False}, 200),
    Helper("issue invoice", f"{C}/invoices", _invoice_body(), 201),
    Helper(
        "approve renewal",
        "/v1/sandbox/clinics/clinic-nord/prescription-renewals/rx-kari-1/approve",
        {"pharmacy": "Apotek 1 Sentrum"},
        200,
    ),
    Helper(
        "reject renewal",
        "/v1/sandbox/clinics/clinic-nord/prescription-renewals/rx-kari-1/reject",
        {"reason": "Ta kontakt med fastlegen."},
        200,
    ),
    Helper("mark consultation", f"{C}/consultations/con-kari-past/mark", {"attended": True}, 409),
    Helper("change offer", f"{C}/offer", {"services": ["book_consultation"]}, 200),
)
"""Each helper with a body it takes and the status the admin key gets for it here."""

CALLERS: dict[str, Callable[[Api], dict[str, str]]] = {
    "nobody": lambda _api: {},
    "the patient": lambda api: api.auth("p-kari"),
    "a representative": lambda api: api.auth("p-ingrid"),
    "a stranger": lambda api: api.auth("p-jonas"),
    "the clinic's staff": lambda api: api.clinic_auth("clinic-sentrum"),
    "a wrong key": lambda _api: {"Authorization": "Bearer not-the-admin-key-at-all"},
}


def _state(api: Api) -> tuple[int, ...]:
    storage = api.sandbox.storage
    tables = ("invoices", "payments", "messages", "connections", "prescription_renewals")
    return (*(storage.count(t) for t in tables), storage.total_changes)


@pytest.mark.parametrize("helper", HELPERS, ids=lambda h: h.name)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_only_the_admin_key_moves_the_clinics_half(api: Api, helper: Helper, caller: str) -> None:
    headers = CALLERS[caller](api)
    before = _state(api)
    method = "PUT" if helper.path.endswith("/offer") else "POST"
    response = api.client.request(method, helper.path, json=helper.body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "admin_key_required"
    assert _state(api) == before


@pytest.mark.parametrize("helper", HELPERS, ids=lambda h: h.name)
def test_the_admin_key_goes_through_the_rules(api: Api, helper: Helper) -> None:
    method = "PUT" if helper.path.endswith("/offer") else "POST"
    response = api.client.request(method, helper.path, json=helper.body, headers=api.admin)
    assert response.status_code == helper.ok, response.text
    if helper.ok == 409:
        # The past consultation was completed already: marked once only.
        assert response.json()["code"] == "consultation_not_booked"


def _post(api: Api, path: str, body: dict[str, Any] | None = None, key: str | None = None) -> Any:
    headers = dict(api.admin)
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post(path, json={} if body is None else body, headers=headers)


def test_a_retried_invoice_with_the_same_key_is_issued_once(api: Api) -> None:
    before = api.sandbox.storage.count("invoices")
    first = _post(api, f"{C}/invoices", _invoice_body(), key="invoice-1")
    again = _post(api, f"{C}/invoices", _invoice_body(), key="invoice-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert api.sandbox.storage.count("invoices") == before + 1
    other = _post(api, f"{C}/invoices", {**_invoice_body(), "dueDate": "2026-12-10"}, "invoice-1")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_retried_settlement_pays_once_and_a_second_one_is_a_conflict(api: Api) -> None:
    invoice = _post(api, f"{C}/invoices", _invoice_body()).json()
    path = f"{C}/invoices/{invoice['id']}/settle"
    first = _post(api, path, {"method": "card"}, key="settle-1")
    assert first.status_code == 200
    assert _post(api, path, {"method": "card"}, key="settle-1").json() == first.json()
    again = _post(api, path, {"method": "card"}, key="settle-2")
    assert again.status_code == 409
    assert again.json()["code"] == "invoice_already_paid"


def _tab(api: Api, headers: dict[str, str], tab: str) -> list[Any]:
    response = api.client.get("/v1/patients/me/payments", params={"tab": tab}, headers=headers)
    assert response.status_code == 200
    rows: list[Any] = response.json()["data"]
    return rows


def test_an_invoice_moves_from_outstanding_to_paid_and_gets_a_receipt(api: Api) -> None:
    kari = api.auth("p-kari")
    invoice = _post(api, f"{C}/invoices", _invoice_body()).json()
    assert invoice["kid"].startswith(invoice["number"])
    outstanding = _tab(api, kari, "outstanding")
    assert invoice["id"] in {r["id"] for r in outstanding}
    settled = _post(api, f"{C}/invoices/{invoice['id']}/settle").json()
    payment = settled["payment"]
    assert settled["invoice"]["paymentId"] == payment["id"]
    assert invoice["id"] not in {r["id"] for r in _tab(api, kari, "outstanding")}
    assert payment["id"] in {r["id"] for r in _tab(api, kari, "paid_this_year")}
    receipt = api.client.get(f"/v1/patients/me/payments/{payment['id']}/receipt", headers=kari)
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")
    refunded = _post(api, f"{C}/payments/{payment['id']}/refund")
    assert refunded.json()["status"] == "refunded"
    twice = _post(api, f"{C}/payments/{payment['id']}/refund")
    assert twice.status_code == 409
    assert twice.json()["code"] == "payment_already_refunded"


def test_an_invoice_needs_a_connected_patient_and_starting_care_connects(api: Api) -> None:
    stranger = {**_invoice_body(), "patientId": "p-jonas"}
    refused = _post(api, f"{C}/invoices", stranger)
    assert refused.status_code == 403
    assert refused.json()["code"] == "patient_not_connected_to_clinic"
    jonas = api.auth("p-jonas")
    started = api.client.post(
        "/v1/patients/me/dialogs",
        json={
            "clinicId": "clinic-sentrum",
            "type": "other_inquiry",
            "subject": "Spørsmål",
            "body": "Hei",
        },
        headers=jonas,
    )
    assert started.status_code == 201, started.text
    profile = api.client.get("/v1/patients/me/profile", headers=jonas).json()
    assert "clinic-sentrum" in profile["clinicIds"]
    assert _post(api, f"{C}/invoices", stranger).status_code == 201


def test_a_closed_dialog_needing_an_answer_is_answered_then_archived(api: Api) -> None:
    kari = api.auth("p-kari")
    dialog = f"{C}/dialogs/dlg-kari-2"
    assert _post(api, f"{dialog}/messages", {"body": "Kan du svare?"}).status_code == 201
    closed = _post(api, f"{dialog}/close", {"needsReply": True})
    assert closed.json()["status"] == "closed"
    answered = api.client.post(
        "/v1/patients/me/dialogs/dlg-kari-2/messages", json={"body": "Ja."}, headers=kari
    )
    assert answered.status_code == 201, answered.text
    archive = api.client.get("/v1/patients/me/dialogs", params={"folder": "archive"}, headers=kari)
    assert "dlg-kari-2" in {d["id"] for d in archive.json()["data"]}
    again = api.client.post(
        "/v1/patients/me/dialogs/dlg-kari-2/messages", json={"body": "Og?"}, headers=kari
    )
    assert again.status_code == 409
    assert again.json()["code"] == "dialog_closed"


def test_a_practitioner_of_another_clinic_is_refused_naming_the_field(api: Api) -> None:
    response = _post(
        api, f"{C}/dialogs/dlg-kari-1/messages", {"body": "Hei", "practitionerId": "nobody"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "practitionerId"


def test_a_dialog_invoice_or_renewal_of_another_clinic_is_not_found(api: Api) -> None:
    other = "/v1/sandbox/clinics/clinic-fjord"
    assert _post(api, f"{other}/dialogs/dlg-kari-1/close", {"needsReply": False}).status_code == 404
    path = f"{other}/prescription-renewals/rx-kari-1/approve"
    assert _post(api, path, {"pharmacy": "Apotek"}).status_code == 404
    assert (
        _post(api, f"{other}/consultations/con-kari-upcoming/mark", {"attended": True}).status_code
        == 404
    )


def test_a_consultation_is_marked_only_once_it_has_started(api: Api) -> None:
    path = f"{C}/consultations/con-kari-upcoming/mark"
    early = _post(api, path, {"attended": False})
    assert early.status_code == 409
    assert early.json()["code"] == "consultation_not_started"


def test_the_clinic_changes_what_it_offers_and_patients_see_it(api: Api) -> None:
    kari = api.auth("p-kari")
    offer = api.client.put(
        f"{C}/offer",
        json={"services": ["book_consultation"], "communicationTypes": ["other_inquiry"]},
        headers={**api.admin, "Idempotency-Key": "offer-1"},
    )
    assert offer.status_code == 200, offer.text
    seen = api.client.get("/v1/patients/me/clinics/clinic-sentrum/services", headers=kari).json()
    assert seen["services"] == ["book_consultation"]
    assert seen["communicationTypes"] == ["other_inquiry"]
    refused = api.client.post(
        "/v1/patients/me/dialogs",
        json={
            "clinicId": "clinic-sentrum",
            "type": "e_consultation",
            "subject": "Utslett",
            "body": "Hei",
            "feeAcknowledged": True,
        },
        headers=kari,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "type_not_enabled_by_clinic"
    bad = api.client.put(f"{C}/offer", json={"services": ["teleportation"]}, headers=api.admin)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"].startswith("services")
