"""The sandbox's storage: dialogs as a header plus a row per message, keys, file modes."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput, PatientSkyError
from patientsky.models import AuthorKind, Dialog, Message
from patientsky.rules import dialogs
from patientsky.rules.decision import Allowed, Denied
from patientsky.sandbox import SandboxClock, Storage, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox._repo import Repo
from patientsky.sandbox.storage import SCHEMA_VERSION, SECRETS
from patientsky.wire import make_converter
from tests.sandbox.conftest import NOW, Api
from tests.strategies import aware_datetimes, ids, texts
from tests.strategies import dialogs as dialog_values

CONVERTER = make_converter()


@pytest.fixture
def storage() -> Iterator[Storage]:
    kept = Storage()
    yield kept
    kept.close()


def _wire(value: Dialog | Message) -> Any:
    return CONVERTER.unstructure(value)


def _header(dialog: Dialog) -> Any:
    data = _wire(dialog)
    del data["messages"]
    return data


# --- dialogs ---


@given(dialog=dialog_values(max_messages=6))
def test_a_stored_dialog_reads_back_whole_and_as_its_head(dialog: Dialog) -> None:
    with Storage() as storage, storage.transaction() as tx:
        repo = Repo(tx, CONVERTER)
        repo.save_dialog(dialog)
        whole = repo.dialog(dialog.id)
        head = repo.dialog_head(dialog.id)
    assert whole is not None
    assert _wire(whole) == _wire(dialog)
    assert head is not None
    assert head.message_count == len(dialog.messages)
    assert _header(head.dialog) == _header(dialog)
    assert _wire(head.dialog.messages[-1]) == _wire(dialog.messages[-1])
    assert len(head.dialog.messages) == 1


def _reply_outcome(dialog: Dialog, message: Message, reopen: bool) -> Any:
    try:
        outcome = dialogs.reply(dialog, message, reopen=reopen)
    except InvalidInput as exc:
        return ("invalid", exc.field)
    if isinstance(outcome, Denied):
        return ("denied", outcome.decision.reason)
    assert isinstance(outcome, Allowed)
    return ("allowed", _header(outcome.value), _wire(outcome.value.messages[-1]))


@given(
    dialog=dialog_values(max_messages=6),
    author_kind=st.sampled_from(AuthorKind),
    by_patient=st.booleans(),
    body=texts(200),
    message_id=ids(),
    after=st.booleans(),
    at=aware_datetimes(),
    reopen=st.booleans(),
)
def test_the_rules_decide_a_reply_the_same_on_the_head_as_on_the_whole_dialog(
    dialog: Dialog,
    author_kind: AuthorKind,
    by_patient: bool,
    body: str,
    message_id: str,
    after: bool,
    at: Any,
    reopen: bool,
) -> None:
    # Unique message ids are the database's to check (a unique index), not the head's.
    assume(message_id not in {m.id for m in dialog.messages})
    sent_at = max(at, dialog.updated_at) if after else at
    author = dialog.patient_id if by_patient else "someone-else"
    message = Message(message_id, author_kind, author, body, sent_at)
    head = attrs.evolve(dialog, messages=dialog.messages[-1:])
    assert _reply_outcome(head, message, reopen) == _reply_outcome(dialog, message, reopen)


@given(dialog=dialog_values(max_messages=6), at=aware_datetimes())
def test_reading_folders_and_rows_are_the_same_on_the_head_as_on_the_whole_dialog(
    dialog: Dialog, at: Any
) -> None:
    head = attrs.evolve(dialog, messages=dialog.messages[-1:])
    assert _header(dialogs.read_dialog(head, at)) == _header(dialogs.read_dialog(dialog, at))
    assert dialogs.folder_of(head) is dialogs.folder_of(dialog)
    assert dialogs.inbox([head]) == dialogs.inbox([dialog])
    assert dialogs.archive([head]) == dialogs.archive([dialog])


def _reply(api: Api, headers: dict[str, str], dialog_id: str, body: str = "Ja") -> Any:
    response = api.client.post(
        f"/v1/patients/me/dialogs/{dialog_id}/messages", headers=headers, json={"body": body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _start(api: Api, headers: dict[str, str]) -> str:
    body = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "Hei", "body": "0"}
    response = api.client.post("/v1/patients/me/dialogs", headers=headers, json=body)
    assert response.status_code == 201, response.text
    dialog_id = response.json()["id"]
    assert isinstance(dialog_id, str)
    return dialog_id


def test_a_reply_writes_the_same_rows_on_a_long_dialog_as_on_a_new_one(api: Api) -> None:
    headers = api.auth("p-kari")
    storage = api.sandbox.storage
    dialog_id = _start(api, headers)

    def rows_written_by_a_reply() -> int:
        before = storage.total_changes
        _reply(api, headers, dialog_id)
        return storage.total_changes - before

    on_a_new_dialog = rows_written_by_a_reply()
    for n in range(60):
        _reply(api, headers, dialog_id, str(n))
    assert rows_written_by_a_reply() == on_a_new_dialog


def test_a_long_dialog_answers_with_every_message_in_order(api: Api) -> None:
    headers = api.auth("p-kari")
    dialog_id = _start(api, headers)
    for n in range(1, 30):
        replied = _reply(api, headers, dialog_id, str(n))
        assert replied["body"] == str(n)
    read = api.client.get(f"/v1/patients/me/dialogs/{dialog_id}", headers=headers).json()
    assert [m["body"] for m in read["messages"]] == [str(n) for n in range(30)]
    assert read["messages"][-1] == replied
    listed = api.client.get("/v1/patients/me/dialogs", headers=headers).json()["data"]
    assert next(d for d in listed if d["id"] == dialog_id) == read
    with api.sandbox.storage.read() as tx:
        whole = Repo(tx, api.sandbox.converter).dialog(dialog_id)
    assert whole is not None
    assert {**api.sandbox.converter.unstructure(whole), "folder": "inbox"} == {
        k: v for k, v in read.items() if k not in ("updatedAt", "unread")
    }


def test_a_message_id_is_unique_within_its_dialog(storage: Storage) -> None:
    header = {"id": "d1"}
    message = {"id": "m1", "body": "Hei"}
    with storage.transaction() as tx:
        tx.put_dialog("d1", header, [message], patient_id="p1", clinic_id="c1", sort_key="")
    with pytest.raises(sqlite3.IntegrityError), storage.transaction() as tx:
        tx.append_message("d1", header, message, sort_key="")
    assert storage.count("messages") == 1


def test_a_message_for_a_dialog_that_does_not_exist_is_refused(storage: Storage) -> None:
    with pytest.raises(InvalidInput, match="dialog_id"), storage.transaction() as tx:
        tx.append_message("nope", {"id": "nope"}, {"id": "m1"}, sort_key="")


# --- secrets ---


def test_every_new_database_makes_its_own_random_keys(tmp_path: Path) -> None:
    def keys(storage: Storage) -> list[str | None]:
        with storage.read() as tx:
            return [tx.get_meta(name) for name in SECRETS]

    with Storage(str(tmp_path / "a.db")) as first, Storage() as second:
        made = keys(first)
        assert all(key is not None and len(bytes.fromhex(key)) == 32 for key in made)
        assert set(made).isdisjoint(keys(second))
    with Storage(str(tmp_path / "a.db")) as again:
        assert keys(again) == made


def test_video_links_differ_between_sandboxes_and_stay_the_same_in_one() -> None:
    def link(app: Any) -> str:
        demo = get_sandbox(app).demo
        assert demo is not None
        number = next(login.national_id for login in demo.logins if login.patient_id == "p-kari")
        with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url) as client:
            login = {"nationalId": number.reveal(), "method": "bankid"}
            token = client.post("/v1/sandbox/login", json=login).json()["accessToken"]
            url = "/v1/patients/me/consultations/con-kari-video/video"
            response = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            again = client.get(url, headers={"Authorization": f"Bearer {token}"}).json()
        assert again == response.json()
        join_url = response.json()["joinUrl"]
        assert isinstance(join_url, str)
        return join_url

    assert link(create_app(clock=SandboxClock(NOW))) != link(create_app(clock=SandboxClock(NOW)))


# --- the database file ---


def test_a_new_database_and_its_log_files_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sandbox.db"
    umask = os.umask(0)  # the most permissive: the mode must not come from the umask
    try:
        storage = Storage(str(path))
    finally:
        os.umask(umask)
    try:
        with storage.transaction() as tx:
            tx.set_meta("written", "yes")
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(file.exists() for file in files)
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    finally:
        storage.close()


def test_a_database_of_another_version_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        old.execute("CREATE TABLE dialogs (id TEXT PRIMARY KEY, data TEXT NOT NULL)")
    old.close()
    with pytest.raises(PatientSkyError, match=r"another version of the sandbox.*new file"):
        Storage(str(path))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM meta").fetchone() == (0,)
    conn.close()


def test_a_database_records_the_version_of_its_tables(tmp_path: Path) -> None:
    with Storage(str(tmp_path / "new.db")) as storage, storage.read() as tx:
        assert tx.get_meta("schema_version") == SCHEMA_VERSION


def test_the_access_log_is_append_only_in_the_database_itself(storage: Storage) -> None:
    with storage.transaction() as tx:
        first = tx.append_access("al-1", "p-kari", {"id": "al-1"})
        second = tx.append_access("al-2", "p-kari", {"id": "al-2"})
        tx.append_access("al-3", "p-olav", {"id": "al-3"})
    assert first < second
    for statement in ("DELETE FROM access_log", "UPDATE access_log SET data = '{}'"):
        with (
            pytest.raises(sqlite3.IntegrityError, match="append-only"),
            storage.transaction() as tx,
        ):
            tx._conn.execute(statement)
    assert storage.count("access_log") == 3


def test_a_patients_access_log_reads_newest_first_a_page_at_a_time(storage: Storage) -> None:
    with storage.transaction() as tx:
        for n in range(5):
            tx.append_access(f"al-{n}", "p-kari", {"n": n})
            tx.append_access(f"al-other-{n}", "p-olav", {"n": -n})
    with storage.read() as tx:
        first = tx.access_entries("p-kari", before=None, limit=3)
        rest = tx.access_entries("p-kari", before=first[-1][0], limit=3)
    assert [data["n"] for _, data in first + rest] == [4, 3, 2, 1, 0]


# --- records decoded once, kept by their text ---


def test_the_memo_gives_what_a_fresh_decode_gives_and_a_changed_record_anew(api: Api) -> None:
    sandbox = api.sandbox
    with sandbox.storage.read() as tx:
        memo = Repo(tx, sandbox.converter, sandbox.memo)
        fresh = Repo(tx, sandbox.converter)
        assert memo.patient("p-kari") == fresh.patient("p-kari")
        assert memo.patient("p-kari") is memo.patient("p-kari")
        heads = memo.dialog_heads_of("p-kari")
        assert heads
        assert heads == fresh.dialog_heads_of("p-kari")
        assert all(
            a.dialog is b.dialog for a, b in zip(heads, memo.dialog_heads_of("p-kari"), strict=True)
        )
        schedule = memo.schedule("clinic-sentrum")
        assert schedule == fresh.schedule("clinic-sentrum")
        # The same rows give the same schedule, with the free-time index it built.
        assert memo.schedule("clinic-sentrum") is schedule
    free = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-06T00:00:00+01:00"},
    ).json()["data"][0]
    booked = api.client.post(
        "/v1/patients/me/consultations",
        headers=api.auth("p-kari"),
        json={
            "clinicId": "clinic-sentrum",
            "calendarIds": free["calendarIds"],
            "start": free["start"],
            "durationMinutes": 15,
            "kind": "in_person",
        },
    )
    assert booked.status_code == 201, booked.text
    with sandbox.storage.read() as tx:
        after = Repo(tx, sandbox.converter, sandbox.memo).schedule("clinic-sentrum")
        assert after is not schedule
        assert after == Repo(tx, sandbox.converter).schedule("clinic-sentrum")
    assert len(after.appointments) == len(schedule.appointments) + len(free["calendarIds"])


def test_a_kept_free_time_answer_follows_every_booking_and_cancellation(api: Api) -> None:
    url = "/v1/clinics/clinic-sentrum/free-time"
    week = {"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-06T00:00:00+01:00"}
    first = api.client.get(url, params=week)
    assert api.client.get(url, params=week).content == first.content
    slot = first.json()["data"][0]
    booking = {
        "clinicId": "clinic-sentrum",
        "calendarIds": slot["calendarIds"],
        "start": slot["start"],
        "durationMinutes": 15,
        "kind": "in_person",
    }
    made = api.client.post(
        "/v1/patients/me/consultations", headers=api.auth("p-kari"), json=booking
    )
    assert made.status_code == 201, made.text
    booked = api.client.get(url, params=week).json()["data"]
    mine = [row for row in booked if row["calendarIds"] == slot["calendarIds"]]
    assert slot["start"] not in [t for row in mine for t in row["startTimes"]]
    assert mine != [
        row for row in first.json()["data"] if row["calendarIds"] == slot["calendarIds"]
    ]
    cancelled = api.client.post(
        f"/v1/patients/me/consultations/{made.json()['id']}/cancel", headers=api.auth("p-kari")
    )
    assert cancelled.status_code == 200, cancelled.text
    assert api.client.get(url, params=week).content == first.content
    # The same instants written with another offset: the same answer.
    in_utc = {"from": "2026-11-29T23:00:00Z", "to": "2026-12-05T23:00:00Z"}
    assert api.client.get(url, params=in_utc).content == first.content


def test_a_memo_of_another_converter_is_not_used(api: Api) -> None:
    with api.sandbox.storage.read() as tx:
        assert Repo(tx, make_converter(), api.sandbox.memo).memo is None
        assert Repo(tx, api.sandbox.converter, api.sandbox.memo).memo is api.sandbox.memo


def test_an_inbox_page_carries_each_dialog_s_messages_as_its_own_read_does(api: Api) -> None:
    headers = api.auth("p-kari")
    listed = api.client.get("/v1/patients/me/dialogs", headers=headers, params={"limit": 3})
    assert listed.status_code == 200
    page = listed.json()
    assert page["data"]
    for view in page["data"]:
        one = api.client.get(f"/v1/patients/me/dialogs/{view['id']}", headers=headers).json()
        assert view["messages"] == one["messages"]
        assert set(view) == set(one)
