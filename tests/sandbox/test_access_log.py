"""
The access log through the API: every read or change of a patient's data leaves one entry.

The property drives random sequences of calls by the patient, their representatives and
a stranger through a fresh sandbox, and checks after each call, against facts it works
out itself (who called, for whom, through which relation): a call that succeeded left
exactly one entry, in that patient's log, saying who and what; a refused or failed call
and an idempotent replay left none; no entry holds an identity number or message text.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.types import Receive, Scope, Send

from patientsky.client import PortalClient
from patientsky.errors import Forbidden, InvalidInput
from patientsky.models import AccessLogEntry, ActorKind, LoggedOperation
from patientsky.rules.access_log import LOG_RULES
from patientsky.sandbox import (
    Sandbox,
    SandboxClock,
    _access_log,
    _handlers,
    create_app,
    get_sandbox,
    serve_in_thread,
)
from patientsky.sandbox._context import new_id
from patientsky.sandbox._repo import Repo
from tests.sandbox.conftest import NOW, Api

# --- every operation is accounted for ---


def test_every_operation_declares_what_it_records_or_is_named_with_why_not() -> None:
    """A new operation that touches a patient's data cannot skip the log by omission."""
    declared = {op.id: op for op in _handlers.declarations()}
    unaccounted = sorted(
        i for i, op in declared.items() if op.log is None and i not in _access_log.UNLOGGED
    )
    assert unaccounted == [], "declare log= (LOG_RULES) or name it in UNLOGGED with why"
    both = sorted(
        i for i, op in declared.items() if op.log is not None and i in _access_log.UNLOGGED
    )
    assert both == []
    assert set(_access_log.UNLOGGED) <= set(declared), "UNLOGGED names no such operation"
    for op in declared.values():
        if op.log is None:
            continue
        assert op.log in LOG_RULES, op.id
        # A person's call records a person's operation; the clinic's side the clinic's.
        assert LOG_RULES[op.log].clinic_side is (op.caller != "person"), op.id


# --- a fresh sandbox per example, behind one server ---


class _Swap:
    """An ASGI app that passes each request to the app of the current example."""

    app: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[_Swap, httpx.Client]]:
    swap = _Swap()
    with serve_in_thread(swap) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield swap, client


PEOPLE = ("p-olav", "p-ingrid", "p-lars", "p-kari", "p-jonas")
TARGETS = ("me", "p-olav", "p-kari", "p-emil")
DIALOG_OF = {"p-olav": "dlg-olav-1", "p-kari": "dlg-kari-1", "p-emil": "dlg-emil-1"}
SECRET_TEXT = ("Takk for svaret", "Spørsmål om prøvesvar", "Paracet 500 mg")


@attrs.frozen
class Endpoint:
    """A call on a patient's path, and the operation it should record (None: none)."""

    method: str
    path: str  # after /v1/patients/{id}; {dialog} is the patient's dialog
    operation: LoggedOperation | None
    body: Any = None
    keyed: bool = False  # takes an Idempotency-Key


_O = LoggedOperation
ENDPOINTS = (
    Endpoint("GET", "/profile", _O.VIEW_PROFILE),
    Endpoint("HEAD", "/profile", _O.VIEW_PROFILE),
    Endpoint("PATCH", "/profile", _O.EDIT_PROFILE, {"contact": {"email": "ny@example.no"}}),
    Endpoint("GET", "/photo", _O.VIEW_PHOTO),
    Endpoint("GET", "/consent", _O.VIEW_CONSENT),
    Endpoint("POST", "/consent", _O.GIVE_CONSENT, {"termsVersion": "1999-01"}),
    Endpoint("GET", "/consultations?when=past", _O.LIST_CONSULTATIONS),
    Endpoint("GET", "/dialogs", _O.LIST_DIALOGS),
    Endpoint("GET", "/dialogs/{dialog}", _O.READ_DIALOG),
    Endpoint("GET", "/dialogs/dlg-missing", _O.READ_DIALOG),
    Endpoint("POST", "/dialogs/{dialog}/messages", _O.SEND_MESSAGE, {"body": SECRET_TEXT[0]}, True),
    Endpoint("POST", "/dialogs/{dialog}/messages", _O.SEND_MESSAGE, {"body": ""}, True),
    Endpoint(
        "POST",
        "/dialogs",
        _O.START_DIALOG,
        {
            "clinicId": "clinic-sentrum",
            "type": "other_inquiry",
            "subject": SECRET_TEXT[1],
            "body": SECRET_TEXT[0],
        },
        True,
    ),
    Endpoint("GET", "/clinics/clinic-sentrum/fee-notice", _O.VIEW_FEE_NOTICE),
    Endpoint("GET", "/clinics/clinic-sentrum/services", None),
    Endpoint("GET", "/payments?tab=all_paid", _O.LIST_PAYMENTS),
    Endpoint("GET", "/relations", _O.LIST_RELATIONS),
    Endpoint("GET", "/prescription-renewals", _O.LIST_RENEWALS),
    Endpoint(
        "POST",
        "/prescription-renewals",
        _O.REQUEST_RENEWAL,
        {"clinicId": "clinic-sentrum", "medications": [SECRET_TEXT[2]]},
        True,
    ),
    Endpoint("GET", "/access-log?limit=3", _O.LIST_ACCESS_LOG),
)


@attrs.frozen
class Step:
    actor: str
    target: str
    endpoint: Endpoint
    key: str | None
    again: bool  # send the step before this one once more (a replay, if it had a key)


steps = st.builds(
    Step,
    actor=st.sampled_from(PEOPLE),
    target=st.sampled_from(TARGETS),
    endpoint=st.sampled_from(ENDPOINTS),
    key=st.sampled_from([None, "k-1", "k-2"]),
    again=st.sampled_from([False, False, True]),
)


def _count(api_sandbox: Sandbox, patient_id: str | None = None) -> int:
    with api_sandbox.storage.read() as tx:
        if patient_id is None:
            return int(tx._conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0])
        return len(tx.access_entries(patient_id, before=None, limit=10**9))


def _newest(api_sandbox: Sandbox, patient_id: str) -> dict[str, Any]:
    with api_sandbox.storage.read() as tx:
        return tx.access_entries(patient_id, before=None, limit=1)[0][1]


def _relation_kind(api_sandbox: Sandbox, actor: str, patient_id: str) -> str | None:
    with api_sandbox.storage.read() as tx:
        found = Repo(tx, api_sandbox.converter).relations_of(patient_id)
    kinds = [r.kind.value for r in found if r.representative_id == actor]
    return kinds[0] if kinds else None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(steps, min_size=1, max_size=12))
def test_every_call_that_reads_or_changes_a_patients_data_leaves_exactly_one_entry(
    server: tuple[_Swap, httpx.Client], sequence: list[Step]
) -> None:
    swap, client = server
    swap.app = create_app(clock=SandboxClock(NOW))
    sandbox = get_sandbox(swap.app)
    assert sandbox.demo is not None
    national_ids = [login.national_id.reveal() for login in sandbox.demo.logins]
    tokens = {}
    for person in PEOPLE:
        response = client.post(
            "/v1/sandbox/login", json={"person": person.removeprefix("p-"), "method": "bankid"}
        )
        tokens[person] = {"Authorization": f"Bearer {response.json()['accessToken']}"}
    last = sequence[0]
    for drawn in sequence:
        step = last if drawn.again else drawn
        last = step
        endpoint = step.endpoint
        patient_id = step.actor if step.target == "me" else step.target
        path = f"/v1/patients/{step.target}" + endpoint.path.format(
            dialog=DIALOG_OF.get(patient_id, "dlg-missing")
        )
        headers = dict(tokens[step.actor])
        if endpoint.keyed and step.key is not None:
            headers["Idempotency-Key"] = step.key
        if endpoint.method == "PATCH":
            headers["If-Match"] = '"stale"'  # a failed write: 412 (or refused before)
        kind = _relation_kind(sandbox, step.actor, patient_id)
        before, before_theirs = _count(sandbox), _count(sandbox, patient_id)
        response = client.request(endpoint.method, path, headers=headers, json=endpoint.body)
        replayed = response.headers.get("idempotent-replayed") == "true"
        recorded = response.is_success and not replayed and endpoint.operation is not None
        event(f"{endpoint.method} {endpoint.path}: {response.status_code}" + " replay" * replayed)
        assert response.status_code < 500, response.text
        assert _count(sandbox) == before + recorded, (step, response.status_code)
        assert _count(sandbox, patient_id) == before_theirs + recorded, step
        if not recorded:
            continue
        entry = _newest(sandbox, patient_id)
        assert endpoint.operation is not None
        assert entry["operation"] == endpoint.operation.value
        assert entry["actorId"] == step.actor
        assert entry["at"] == NOW.isoformat()
        if step.actor == patient_id:
            assert (entry["actorKind"], entry["relationKind"]) == ("patient", None)
        else:
            assert (entry["actorKind"], entry["relationKind"]) == ("representative", kind)
        assert sandbox.converter.structure(entry, AccessLogEntry).id == entry["id"]
    with sandbox.storage.read() as tx:
        stored = [row[0] for row in tx._conn.execute("SELECT data FROM access_log")]
    for text in stored:
        assert re.search(r"[0-9]{11}", text) is None
        assert not any(n in text for n in national_ids)
        assert not any(secret in text for secret in SECRET_TEXT)


# --- what a replay, a failure and the clinic's side record ---

RENEWAL = {"clinicId": "clinic-sentrum", "medications": ["Paracet 500 mg"]}


def test_a_replay_records_nothing_and_answers_as_the_first_time(api: Api) -> None:
    headers = {**api.auth("p-kari"), "Idempotency-Key": "renew-1"}
    path = "/v1/patients/me/prescription-renewals"
    first = api.client.post(path, headers=headers, json=RENEWAL)
    after_first = _count(api.sandbox)
    again = api.client.post(path, headers=headers, json=RENEWAL)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert _count(api.sandbox) == after_first
    entry = _newest(api.sandbox, "p-kari")
    assert (entry["operation"], entry["resourceId"]) == ("request_renewal", first.json()["id"])
    assert entry["clinicId"] == "clinic-sentrum"


def test_a_write_whose_entry_cannot_be_made_is_undone_with_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> AccessLogEntry:
        raise InvalidInput("request.relations", "hold no relation in force for the action")

    monkeypatch.setattr(_access_log, "record", broken)
    renewals, entries = api.sandbox.storage.count("prescription_renewals"), _count(api.sandbox)
    response = api.client.post(
        "/v1/patients/me/prescription-renewals", headers=api.auth("p-kari"), json=RENEWAL
    )
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert api.sandbox.storage.count("prescription_renewals") == renewals
    assert _count(api.sandbox) == entries


def test_a_clinic_adding_a_relation_is_recorded_as_the_clinic(api: Api) -> None:
    response = api.client.post(
        "/v1/clinics/clinic-sentrum/relations",
        headers=api.clinic_auth(),
        json={"principalId": "p-olav", "representativeId": "p-jonas", "kind": "family_caregiver"},
    )
    assert response.status_code == 201, response.text
    entry = _newest(api.sandbox, "p-olav")
    assert entry["operation"] == "add_relation"
    assert (entry["actorKind"], entry["actorId"]) == ("clinic", "clinic-sentrum")
    assert (entry["clinicId"], entry["resourceId"]) == ("clinic-sentrum", response.json()["id"])
    assert entry["action"] is None


def test_a_representative_is_recorded_with_the_relation_they_acted_through(api: Api) -> None:
    ingrid = api.auth("p-ingrid")
    assert api.client.get("/v1/patients/p-olav/dialogs/dlg-olav-1", headers=ingrid).is_success
    entry = _newest(api.sandbox, "p-olav")
    assert (entry["actorId"], entry["actorKind"]) == ("p-ingrid", "representative")
    assert (entry["relationKind"], entry["action"]) == ("family_caregiver", "read_messages")
    assert (entry["resourceId"], entry["clinicId"]) == ("dlg-olav-1", "clinic-sentrum")
    # Removing the very relation she acts through is recorded as done through it.
    removed = api.client.delete("/v1/patients/p-olav/relations/rel-ingrid-olav", headers=ingrid)
    assert removed.status_code == 204
    entry = _newest(api.sandbox, "p-olav")
    assert (entry["operation"], entry["relationKind"]) == ("remove_relation", "family_caregiver")


def test_the_list_names_who_acted_and_the_log_itself_keeps_ids_only(api: Api) -> None:
    ingrid = api.auth("p-ingrid")
    assert api.client.get("/v1/patients/p-olav/dialogs/dlg-olav-1", headers=ingrid).is_success
    stored = _newest(api.sandbox, "p-olav")
    assert stored.get("actorName") is None  # a view: the log keeps ids and codes only
    listed = api.client.get("/v1/patients/me/access-log", headers=api.auth("p-olav"))
    reader = next(e for e in listed.json()["data"] if e["actorId"] == "p-ingrid")
    with api.sandbox.storage.read() as tx:
        ingrid_name = Repo(tx, api.sandbox.converter).patient("p-ingrid")
    assert ingrid_name is not None
    assert reader["actorName"] == ingrid_name.name.full
    entry = api.sandbox.converter.structure(reader, AccessLogEntry)
    assert entry.actor_name == ingrid_name.name.full
    assert entry == attrs.evolve(entry, actor_name=None)  # not part of equality


# --- who may list it ---


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("p-olav", 200, None),
        ("p-ingrid", 200, None),  # Olav granted his daughter every action
        ("p-lars", 403, "action_not_granted"),  # a guardian granted some actions only
        ("p-kari", 403, "relation_disabled"),
        ("p-jonas", 403, "no_relation"),
        (None, 401, "unauthorized"),
    ],
)
def test_the_log_is_listed_by_the_patient_and_by_who_may_manage_relations(
    api: Api, who: str | None, status: int, code: str | None
) -> None:
    api.client.get("/v1/patients/me/profile", headers=api.auth("p-olav"))
    headers = {} if who is None else api.auth(who)
    before = _count(api.sandbox)
    response = api.client.get("/v1/patients/p-olav/access-log", headers=headers)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
        assert "p-olav" not in response.text
        assert _count(api.sandbox) == before  # a refused attempt is not in the log
        return
    entries = response.json()["data"]
    assert entries[0]["operation"] == "view_profile"
    assert _count(api.sandbox) == before + 1  # listing it is itself an entry


def test_pages_neither_repeat_nor_skip_while_reading_them_adds_entries(api: Api) -> None:
    olav = api.auth("p-olav")
    for _ in range(5):
        api.client.get("/v1/patients/me/profile", headers=olav)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2"} if cursor is None else {"limit": "2", "cursor": cursor}
        page = api.client.get("/v1/patients/me/access-log", headers=olav, params=params).json()
        seen += [entry["id"] for entry in page["data"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    bad = api.client.get("/v1/patients/me/access-log", headers=olav, params={"cursor": "o2"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_both_clients_list_the_log_as_models_page_by_page(api: Api) -> None:
    base_url = str(api.client.base_url)
    with PortalClient(base_url, token=api.token("p-olav")) as olav:
        olav.profile.get()
        olav.dialogs.read("dlg-olav-1")
        entries = list(olav.access_log(limit=1))
    assert [e.operation for e in entries] == [_O.READ_DIALOG, _O.VIEW_PROFILE]
    assert all(e.actor_kind is ActorKind.PATIENT and e.for_self for e in entries)
    with (
        PortalClient(base_url, token=api.token("p-lars")) as lars,
        pytest.raises(Forbidden) as refused,
    ):
        list(lars.acting_for("p-olav").access_log())
    assert refused.value.reason is not None
    assert refused.value.reason.value == "action_not_granted"


def test_a_new_id_never_holds_eleven_digits_in_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """About 1.6 % of 16 random hex digits do: such an id could not go into an entry."""
    drawn = iter(["12345678901abcde", "abc12345678901de", "0123456789abcdef"])
    monkeypatch.setattr(secrets, "token_hex", lambda _n: next(drawn))
    assert new_id("dlg") == "dlg-0123456789abcdef"
