"""Kept pages and dialogs are never stale: writes and reads interleaved, each answer checked."""

from __future__ import annotations

import random

from patientsky.sandbox._memo import Decoded
from patientsky.wire import make_converter
from tests.sandbox.conftest import Api

DIALOGS = "/v1/patients/me/dialogs"
CLINIC_ID = "clinic-sentrum"
CLINIC = f"/v1/sandbox/clinics/{CLINIC_ID}/dialogs"
NEW_DIALOG = {
    "clinicId": CLINIC_ID,
    "type": "other_inquiry",
    "subject": "Spørsmål",
    "body": "Hei!",
}


def _fresh(api: Api, url: str, headers: dict[str, str]) -> bytes:
    """The answer computed afresh: nothing kept from earlier requests is used."""
    kept = api.sandbox.memo
    # Another converter's memo is not used by the requests (see Repo): nothing is kept.
    api.sandbox.memo = Decoded(make_converter())
    api.sandbox.storage._arrays.clear()  # the kept message arrays and reads too
    api.sandbox.storage._kept.clear()
    try:
        response = api.client.get(url, headers=headers)
    finally:
        api.sandbox.memo = kept
    assert response.status_code == 200, response.text
    return response.content


def test_a_kept_dialog_page_is_the_fresh_page_after_any_write(api: Api) -> None:
    headers = api.auth("p-kari")
    clinic = api.admin  # the clinic-side helpers take the admin key
    rng = random.Random(13)
    listed = [
        api.client.get(f"{DIALOGS}?folder={f}", headers=headers) for f in ("inbox", "archive")
    ]
    ids = [d["id"] for page in listed for d in page.json()["data"]]
    sentrum = [
        d["id"] for page in listed for d in page.json()["data"] if d["clinicId"] == CLINIC_ID
    ]
    checked = 0
    for step in range(60):
        what = rng.choice(["start", "reply", "clinic", "close", "read", "list", "list", "list"])
        if what == "start":
            made = api.client.post(DIALOGS, headers=headers, json=NEW_DIALOG)
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
            sentrum.append(made.json()["id"])
        elif what in ("reply", "clinic", "close", "read"):
            dialog_id = rng.choice(ids if what in ("reply", "read") else sentrum)
            body: dict[str, object]
            if what == "reply":
                url, body, who = (
                    f"{DIALOGS}/{dialog_id}/messages",
                    {"body": f"svar {step}"},
                    headers,
                )
            elif what == "clinic":
                url, body, who = f"{CLINIC}/{dialog_id}/messages", {"body": f"{step}"}, clinic
            else:
                url, body, who = f"{CLINIC}/{dialog_id}/close", {"needsReply": False}, clinic
            if what == "read":
                done = api.client.get(f"{DIALOGS}/{dialog_id}", headers=headers)
            else:
                done = api.client.post(url, headers=who, json=body)
            # A closed dialog refuses replies: that is a write that did not happen.
            assert done.status_code in (200, 201, 403, 409), done.text
            # Read once (that marks it read), then again: kept, as the fresh read.
            one = f"{DIALOGS}/{dialog_id}"
            assert api.client.get(one, headers=headers).status_code == 200
            assert api.client.get(one, headers=headers).content == _fresh(api, one, headers)
        else:
            query = f"?folder={rng.choice(['inbox', 'archive'])}&limit={rng.randint(1, 6)}"
            url = f"{DIALOGS}{query}"
            while url:
                first = api.client.get(url, headers=headers)
                assert first.status_code == 200, first.text
                again = api.client.get(url, headers=headers)  # kept now, if not before
                fresh = _fresh(api, url, headers)
                assert first.content == fresh
                assert again.content == fresh
                checked += 1
                cursor = first.json()["nextCursor"]
                url = f"{DIALOGS}{query}&cursor={cursor}" if cursor else ""
    assert checked > 20
