"""
The authorisation matrix: every patient endpoint, asked by every kind of actor.

The principal is Olav (elderly). His daughter Ingrid is his family caregiver, Lars his
guardian (with a few actions only), Kari's relation is switched off, Nils's has expired,
Jonas is a stranger; Olav also logs in with MinID, and nobody at all. Per, who withdrew
his consent, asks for his own data. Each gets the status and reason code the rules give,
and no denied answer carries anything of the patient's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from patientsky.models import Action
from tests.images import PDF, PNG
from tests.sandbox.conftest import Api

P = "/v1/patients/{pid}"


def _free_slot(api: Api) -> dict[str, Any]:
    response = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={
            "from": "2026-11-30T00:00:00+01:00",
            "to": "2026-12-06T00:00:00+01:00",
            "durationMinutes": 30,
        },
    )
    slot = response.json()["data"][-1]
    return {
        "clinicId": "clinic-sentrum",
        "calendarIds": slot["calendarIds"],
        "start": slot["start"],
        "durationMinutes": 30,
        "kind": "in_person",
    }


@attrs.frozen
class Endpoint:
    name: str
    method: str
    path: str
    action: Action | str  # an Action, or "consent_view" / "consent_change"
    ok: int
    body: Callable[[Api], Any] | None = None
    content: bytes | None = None
    headers: dict[str, str] = attrs.field(factory=dict)


ENDPOINTS = (
    Endpoint("get profile", "GET", f"{P}/profile", Action.VIEW_PROFILE, 200),
    Endpoint(
        "patch profile",
        "PATCH",
        f"{P}/profile",
        Action.EDIT_PROFILE,
        200,
        body=lambda _a: {"contact": {"email": "ny@example.no"}},
    ),
    Endpoint(
        "put photo",
        "PUT",
        f"{P}/photo",
        Action.EDIT_PROFILE,
        200,
        content=PNG,
        headers={"Content-Type": "image/png"},
    ),
    Endpoint("get photo", "GET", f"{P}/photo", Action.VIEW_PROFILE, 200),
    Endpoint("get consent", "GET", f"{P}/consent", "consent_view", 200),
    Endpoint("list consultations", "GET", f"{P}/consultations", Action.VIEW_PROFILE, 200),
    Endpoint("book", "POST", f"{P}/consultations", Action.BOOK_CONSULTATION, 201, body=_free_slot),
    Endpoint(
        "cancel",
        "POST",
        f"{P}/consultations/con-olav-upcoming/cancel",
        Action.BOOK_CONSULTATION,
        200,
    ),
    Endpoint(
        "cancellation notice",
        "GET",
        f"{P}/consultations/con-olav-upcoming/cancellation-notice",
        Action.BOOK_CONSULTATION,
        200,
    ),
    Endpoint(
        "cancellation notices",
        "GET",
        f"{P}/cancellation-notices",
        Action.BOOK_CONSULTATION,
        200,
    ),
    Endpoint(
        "video link",
        "GET",
        f"{P}/consultations/con-olav-video/video",
        Action.START_VIDEO_CONSULTATION,
        200,
    ),
    Endpoint("list dialogs", "GET", f"{P}/dialogs", Action.READ_MESSAGES, 200),
    Endpoint("read dialog", "GET", f"{P}/dialogs/dlg-olav-1", Action.READ_MESSAGES, 200),
    Endpoint(
        "start dialog",
        "POST",
        f"{P}/dialogs",
        Action.SEND_MESSAGES,
        201,
        body=lambda _a: {
            "clinicId": "clinic-sentrum",
            "type": "other_inquiry",
            "subject": "Spørsmål",
            "body": "Hei",
        },
    ),
    Endpoint(
        "reply",
        "POST",
        f"{P}/dialogs/dlg-olav-1/messages",
        Action.SEND_MESSAGES,
        201,
        body=lambda _a: {"body": "Takk"},
    ),
    Endpoint(
        "upload attachment",
        "POST",
        f"{P}/attachments",
        Action.SEND_MESSAGES,
        201,
        content=PDF,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'file; filename="a.pdf"',
        },
    ),
    Endpoint(
        "list attachments",
        "GET",
        f"{P}/dialogs/dlg-olav-1/messages/dlg-olav-1-m1/attachments",
        Action.READ_MESSAGES,
        200,
    ),
    Endpoint(
        "download attachment",
        "GET",
        f"{P}/dialogs/dlg-olav-1/attachments/att-matrix",
        Action.READ_MESSAGES,
        200,
    ),
    Endpoint(
        "fee notice",
        "GET",
        f"{P}/clinics/clinic-sentrum/fee-notice",
        Action.START_E_CONSULTATION,
        200,
    ),
    Endpoint("services", "GET", f"{P}/clinics/clinic-sentrum/services", Action.VIEW_PROFILE, 200),
    Endpoint("payments", "GET", f"{P}/payments?tab=all_paid", Action.VIEW_PAYMENTS, 200),
    Endpoint("receipt", "GET", f"{P}/payments/pay-olav-1/receipt", Action.VIEW_PAYMENTS, 200),
    Endpoint("list relations", "GET", f"{P}/relations", Action.MANAGE_RELATIONS, 200),
    Endpoint("access log", "GET", f"{P}/access-log", Action.MANAGE_RELATIONS, 200),
    Endpoint(
        "change relation",
        "PATCH",
        f"{P}/relations/rel-lars-olav",
        Action.MANAGE_RELATIONS,
        200,
        body=lambda _a: {"enabled": True},
    ),
    Endpoint(
        "remove relation", "DELETE", f"{P}/relations/rel-kari-olav", Action.MANAGE_RELATIONS, 204
    ),
    Endpoint(
        "list renewals",
        "GET",
        f"{P}/prescription-renewals",
        Action.REQUEST_PRESCRIPTION_RENEWAL,
        200,
    ),
    Endpoint(
        "request renewal",
        "POST",
        f"{P}/prescription-renewals",
        Action.REQUEST_PRESCRIPTION_RENEWAL,
        201,
        body=lambda _a: {"clinicId": "clinic-sentrum", "medications": ["Paracet 500 mg"]},
    ),
    Endpoint(
        "give consent",
        "POST",
        f"{P}/consent",
        "consent_change",
        200,
        body=lambda _a: {"termsVersion": "2026-01"},
    ),
    Endpoint("withdraw consent", "DELETE", f"{P}/consent", "consent_change", 200),
)

# What the patient can start at a clinic is the clinic's settings: nobody's data.
NOT_LOGGED = frozenset({"services"})

LARS = frozenset(
    {
        Action.VIEW_PROFILE,
        Action.READ_MESSAGES,
        Action.SEND_MESSAGES,
        Action.VIEW_PAYMENTS,
        Action.BOOK_CONSULTATION,
    }
)


@attrs.frozen
class Actor:
    """Who asks, and what the rules answer them: granted actions, or one denial for all."""

    login: str | None
    method: str = "bankid"
    granted: frozenset[Action] = frozenset(Action)
    may_consent: bool = True
    denial: tuple[int, str] | None = None
    principal: str = "p-olav"
    # A patient sees and changes their own consent even when it is not in force.
    own_consent_open: bool = False

    def expect(self, endpoint: Endpoint) -> tuple[int, str | None]:
        if self.own_consent_open and str(endpoint.action).startswith("consent_"):
            return (endpoint.ok, None)
        if self.denial is not None:
            return self.denial
        if endpoint.action == "consent_change":
            return (endpoint.ok, None) if self.may_consent else (403, "relation_cannot_consent")
        if endpoint.action == "consent_view":
            action = Action.VIEW_PROFILE
        else:
            assert isinstance(endpoint.action, Action)
            action = endpoint.action
        return (endpoint.ok, None) if action in self.granted else (403, "action_not_granted")


ACTORS = {
    "the patient": Actor("p-olav", may_consent=True),
    "a family caregiver with every action": Actor("p-ingrid", may_consent=False),
    "a guardian with some actions": Actor("p-lars", granted=LARS, may_consent=True),
    "a switched-off relation": Actor("p-kari", denial=(403, "relation_disabled")),
    "an expired relation": Actor("p-nils", denial=(403, "relation_expired")),
    "a stranger": Actor("p-jonas", denial=(403, "no_relation")),
    "a lower-assurance login": Actor("p-olav", "minid", denial=(403, "login_assurance_too_low")),
    "no token": Actor(None, denial=(401, "unauthorized")),
    "a patient without consent": Actor(
        "p-per", denial=(403, "consent_withdrawn"), principal="p-per", own_consent_open=True
    ),
    "a parent of a child under 16": Actor("p-kari", principal="p-emil"),
}


def _path(endpoint: Endpoint, actor: Actor) -> str:
    path = endpoint.path.format(pid=actor.principal)
    if actor.principal == "p-emil":
        # Emil's own records in place of Olav's.
        path = (
            path.replace("con-olav-upcoming", "con-unknown")
            .replace("dlg-olav-1", "dlg-emil-1")
            .replace("pay-olav-1", "pay-unknown")
            .replace("rel-lars-olav", "rel-kari-emil")
            .replace("rel-kari-olav", "rel-unknown")
            .replace("con-olav-video", "con-unknown")
        )
    return path


def _attach(api: Api, patient_id: str, dialog_id: str) -> None:
    """Put a PDF in the first message of the dialog, as if the patient had sent it."""
    data = {
        "id": "att-matrix",
        "fileName": "brev.pdf",
        "mediaType": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
    with api.sandbox.storage.transaction() as tx:
        tx.put_attachment(
            data, PDF, patient_id=patient_id, uploader_id=patient_id, created_at="2026-11-25"
        )
        tx.mark_attachments_sent(["att-matrix"], dialog_id=dialog_id, message_id=f"{dialog_id}-m1")


def _secrets_of(api: Api, patient_id: str) -> list[str]:
    login = api.logins[patient_id]
    given, family = login.name.split()
    return [patient_id, given, family, login.national_id.reveal()]


@pytest.mark.parametrize("who", list(ACTORS))
def test_every_endpoint_answers_each_actor_as_the_rules_say(api: Api, who: str) -> None:
    actor = ACTORS[who]
    owner = api.auth(actor.principal)
    # The patient's photo is there to be read (Per, without consent, cannot upload one).
    assert actor.principal == "p-per" or (
        api.client.put(
            f"/v1/patients/{actor.principal}/photo",
            content=PNG,
            headers={**owner, "Content-Type": "image/png"},
        ).status_code
        == 200
    )
    _attach(api, actor.principal, "dlg-emil-1" if actor.principal == "p-emil" else "dlg-olav-1")
    headers = {} if actor.login is None else api.auth(actor.login, actor.method)
    secrets = _secrets_of(api, actor.principal)
    seen = []
    for endpoint in ENDPOINTS:
        path = _path(endpoint, actor)
        extra = dict(endpoint.headers)
        if endpoint.name == "patch profile":
            etag = api.client.get(path, headers=owner).headers.get("etag", '"x"')
            extra["If-Match"] = etag
        logged = api.sandbox.storage.count("access_log")
        response = api.client.request(
            endpoint.method,
            path,
            headers={**headers, **extra},
            json=None if endpoint.body is None else endpoint.body(api),
            content=endpoint.content,
        )
        # One entry for a call that read or changed the patient's data, none otherwise.
        recorded = response.is_success and endpoint.name not in NOT_LOGGED
        assert api.sandbox.storage.count("access_log") == logged + recorded, endpoint.name
        status, code = actor.expect(endpoint)
        if actor.principal == "p-emil" and response.status_code == 404:
            # Emil has no such record: access was granted and the lookup came next.
            assert endpoint.ok != 404
            seen.append(endpoint.name)
            continue
        assert response.status_code == status, (endpoint.name, response.text)
        if status >= 400:
            assert response.json()["code"] == code, endpoint.name
            assert response.headers["content-type"] == "application/problem+json"
            for secret in secrets:
                assert secret not in response.text, (endpoint.name, "leaks patient data")
        seen.append(endpoint.name)
    assert len(seen) == len(ENDPOINTS)


def test_a_parent_loses_access_at_midnight_on_the_childs_16th_birthday(api: Api) -> None:
    kari = api.auth("p-kari")
    assert api.client.get("/v1/patients/p-sofie/profile", headers=kari).status_code == 200
    assert api.sandbox.demo is not None
    birth = next(p.birth_date for p in api.sandbox.demo.patients if p.id == "p-sofie")

    birthday = dt.datetime(birth.year + 16, birth.month, birth.day, tzinfo=ZoneInfo("Europe/Oslo"))
    api.sandbox.clock.set(birthday - dt.timedelta(seconds=1))
    kari = api.auth("p-kari")
    assert api.client.get("/v1/patients/p-sofie/profile", headers=kari).status_code == 200
    api.sandbox.clock.set(birthday)
    response = api.client.get("/v1/patients/p-sofie/profile", headers=kari)
    assert response.status_code == 403
    assert response.json()["code"] == "child_turned_16"
    represented = api.client.get("/v1/session/represented", headers=kari).json()["data"]
    assert [r["patientId"] for r in represented] == ["p-emil"]


def test_a_clinic_token_cannot_read_a_patients_data(api: Api) -> None:
    response = api.client.get("/v1/patients/p-olav/profile", headers=api.clinic_auth())
    assert response.status_code == 403
    assert response.json()["code"] == "person_login_required"
