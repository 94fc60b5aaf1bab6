"""What the storage keeps between transactions (message arrays, reads) is never stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patientsky.sandbox._dialog_rows import MessageArrays
from patientsky.sandbox.storage import Storage, Transaction


def _message(n: int, text: str = "hei") -> dict[str, Any]:
    return {"id": f"msg-{n}", "body": text}


def _start(tx: Transaction, *texts: str) -> None:
    tx.put_dialog(
        "dlg-1",
        {"id": "dlg-1"},
        [_message(n, text) for n, text in enumerate(texts)],
        patient_id="p-1",
        clinic_id="c-1",
        sort_key="1",
    )


def _read(storage: Storage) -> list[str]:
    """Read the dialog's messages with its count, as a logged read does (a write transaction)."""
    with storage.transaction() as tx:
        head = tx.get_dialog_head("dlg-1")
        assert head is not None
        array = tx.dialog_messages("dlg-1", head[2])
    return [m["body"] for m in json.loads(array)]


def _kept(storage: Storage) -> MessageArrays:
    arrays = storage._arrays  # the cache under test
    assert isinstance(arrays, MessageArrays)
    return arrays


def test_an_appended_message_is_read() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            _start(tx, "a")
        assert _read(storage) == ["a"]
        assert len(_kept(storage)) == 1
        with storage.transaction() as tx:
            tx.append_message("dlg-1", {"id": "dlg-1"}, _message(1, "b"), sort_key="2")
        assert _read(storage) == ["a", "b"]
        assert _read(storage) == ["a", "b"]


def test_a_dialog_written_anew_is_read_anew() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            _start(tx, "a", "b")
        assert _read(storage) == ["a", "b"]
        with storage.transaction() as tx:
            _start(tx, "c", "d")  # the same number of messages
        assert _read(storage) == ["c", "d"]


def test_what_a_rolled_back_transaction_read_is_forgotten() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            _start(tx, "a")

        def refused() -> None:
            with storage.transaction() as tx:
                tx.append_message("dlg-1", {"id": "dlg-1"}, _message(1, "gone"), sort_key="2")
                assert json.loads(tx.dialog_messages("dlg-1", 2))[1]["body"] == "gone"
                raise RuntimeError("refused")

        with pytest.raises(RuntimeError):
            refused()
        assert len(_kept(storage)) == 0
        with storage.transaction() as tx:
            tx.append_message("dlg-1", {"id": "dlg-1"}, _message(1, "kept"), sort_key="2")
        assert _read(storage) == ["a", "kept"]


def test_another_connections_commit_is_seen(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    with Storage(path) as storage, Storage(path) as other:
        with storage.transaction() as tx:
            _start(tx, "a", "b")
        assert _read(storage) == ["a", "b"]
        with other.transaction() as tx:
            _start(tx, "x", "y")  # the same count, other messages, another connection
        assert _read(storage) == ["x", "y"]


def test_a_read_without_a_count_or_outside_a_write_keeps_nothing() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            _start(tx, "a")
        with storage.transaction() as tx:
            tx.dialog_messages("dlg-1")
        with storage.read() as tx:
            tx.dialog_messages("dlg-1", 1)
        assert len(_kept(storage)) == 0


def test_the_arrays_are_bounded() -> None:
    arrays = MessageArrays(max_bytes=10)
    arrays.put("a", 1, b"[12345]")
    arrays.put("b", 1, b"[67890]")
    assert arrays.get("a", 1) is None
    assert arrays.get("b", 1) == b"[67890]"
    assert arrays.get("b", 2) is None


# --- reads kept between write transactions (Transaction.kept) ---


def _kept_read(storage: Storage, log: bool = True) -> str | None:
    """Read clinic c1's name as a logged read does: kept, then an access-log entry."""
    with storage.transaction() as tx:
        found = tx.kept(("clinic", "c1"), lambda: tx.get("clinics", "c1"))
        if log:
            tx.append_access(f"al-{tx.changes}", "p-1", {"read": "c1"})
    return None if found is None else str(found["name"])


def test_a_read_is_kept_while_only_access_log_entries_are_written() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "A"})
        assert _kept_read(storage) == "A"
        with storage.transaction() as tx:
            found: object = tx.kept(("clinic", "c1"), lambda: "read again")
        assert found == {"id": "c1", "name": "A"}


def test_a_kept_read_is_forgotten_when_anything_else_is_written() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "A"})
        assert _kept_read(storage) == "A"
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "B"})
        assert _kept_read(storage) == "B"


def test_a_transaction_that_wrote_reads_again() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "A"})
        assert _kept_read(storage) == "A"
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "B"})
            found = tx.kept(("clinic", "c1"), lambda: tx.get("clinics", "c1"))
            assert found == {"id": "c1", "name": "B"}


def test_a_rolled_back_write_forgets_kept_reads() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "A"})

        def refused() -> None:
            with storage.transaction() as tx:
                tx.put("clinics", "c1", {"id": "c1", "name": "gone"})
                raise RuntimeError("refused")

        assert _kept_read(storage) == "A"
        with pytest.raises(RuntimeError):
            refused()
        assert _kept_read(storage) == "A"
        assert storage._kept == {("clinic", "c1"): {"id": "c1", "name": "A"}}


def test_another_connections_commit_forgets_kept_reads(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    with Storage(path) as storage, Storage(path) as other:
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "A"})
        assert _kept_read(storage) == "A"
        with other.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "B"})
        assert _kept_read(storage) == "B"


def test_a_read_transaction_keeps_nothing() -> None:
    with Storage() as storage:
        with storage.transaction() as tx:
            tx.put("clinics", "c1", {"id": "c1", "name": "A"})
        with storage.read() as tx:
            assert tx.kept("k", lambda: 1) == 1
        assert storage._kept == {}
