"""
Kept schedules and free-time answers are never stale.

The sandbox keeps a clinic's schedule and its free-time answers by the clinic's schedule
versions, which triggers change with every change to its rows. A stateful property
interleaves bookings, cancellations, clinic offer changes, clock moves, slot changes
written past the API (as another process would), transactions rolled back after they
wrote, and free-time reads; after each step the kept answers and schedules must equal
those of a sandbox with nothing kept, on the same database file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from starlette.applications import Starlette

from patientsky.models import Appointment, Consultation, TimeSlot
from patientsky.sandbox import SandboxClock, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox._memo import Decoded
from patientsky.sandbox._repo import Repo
from patientsky.sandbox._repo_dialogs import sort_time

from .conftest import NOW

_CLINICS = ("clinic-sentrum", "clinic-fjord")
_WEEK = dt.timedelta(days=7)
_MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


class _RolledBack(Exception):
    pass


def _fresh(app: Starlette) -> Starlette:
    """The app with nothing kept: every schedule and answer is made from the rows."""
    sandbox = get_sandbox(app)
    sandbox.memo = Decoded(sandbox.converter)
    return app


def _machine(
    kept: Starlette, other: Starlette, kept_client: httpx.Client, other_client: httpx.Client
) -> type[RuleBasedStateMachine]:
    sandbox = get_sandbox(kept)
    admin = {"Authorization": f"Bearer {sandbox.admin_key}"}
    assert sandbox.demo is not None
    logins = {login.patient_id: login for login in sandbox.demo.logins}
    patients = sorted(logins)[:3]

    def auth(patient_id: str) -> dict[str, str]:
        # A login per request: a moved clock ends sessions.
        national_id = logins[patient_id].national_id.reveal()
        answer = kept_client.post(
            "/v1/sandbox/login", json={"nationalId": national_id, "method": "bankid"}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['accessToken']}"}

    # A second clinic with a calendar, so that a slot can move between clinics.
    with sandbox.storage.transaction() as tx:
        repo = Repo(tx, sandbox.converter)
        sentrum = repo.schedule("clinic-sentrum")
        calendar = attrs.evolve(sentrum.calendars[0], id="cal-fjord", clinic_id="clinic-fjord")
        slot_type = attrs.evolve(
            sentrum.time_slot_types[0], id="type-fjord", clinic_id="clinic-fjord"
        )
        repo.put_record("calendars", calendar.id, calendar, clinic_id=calendar.clinic_id)
        repo.put_record("time_slot_types", slot_type.id, slot_type, clinic_id="clinic-fjord")

    def read_schedule(clinic_id: str, *, memo: bool) -> Any:
        with sandbox.storage.read() as tx:
            return Repo(tx, sandbox.converter, sandbox.memo if memo else None).schedule(clinic_id)

    def client(through_other: bool) -> httpx.Client:
        return other_client if through_other else kept_client

    class Schedules(RuleBasedStateMachine):
        booked = Bundle("booked")

        def __init__(self) -> None:
            super().__init__()
            sandbox.clock.set(NOW)

        def free_url(self, clinic_id: str, weeks: int, minutes: int) -> str:
            start = _MONDAY + weeks * _WEEK
            query = {
                "from": start.isoformat(),
                "to": (start + _WEEK).isoformat(),
                "durationMinutes": minutes,
            }
            return f"/v1/clinics/{clinic_id}/free-time?{urlencode(query)}"

        def same_as_fresh(self, url: str) -> httpx.Response:
            answer = kept_client.get(url)
            _fresh(other)
            fresh = other_client.get(url)
            assert (answer.status_code, answer.content) == (fresh.status_code, fresh.content)
            return answer

        @rule(
            clinic_id=st.sampled_from(_CLINICS),
            weeks=st.integers(0, 2),
            minutes=st.sampled_from([15, 30]),
        )
        def read_free_time(self, clinic_id: str, weeks: int, minutes: int) -> None:
            self.same_as_fresh(self.free_url(clinic_id, weeks, minutes))

        @rule(
            target=booked,
            patient=st.sampled_from(patients),
            clinic_id=st.sampled_from(_CLINICS[:1] * 3 + _CLINICS[1:]),
            weeks=st.integers(0, 2),
            pick=st.integers(0, 10_000),
            video=st.booleans(),
            through_other=st.booleans(),
        )
        def book(
            self,
            patient: str,
            clinic_id: str,
            weeks: int,
            pick: int,
            video: bool,
            through_other: bool,
        ) -> tuple[str, str, bool]:
            free = self.same_as_fresh(self.free_url(clinic_id, weeks, 15)).json()["data"]
            starts = [(row, t) for row in free for t in row["startTimes"]]
            if not starts:
                return (patient, "none", through_other)
            row, start = starts[pick % len(starts)]
            booking = {
                "clinicId": clinic_id,
                "calendarIds": row["calendarIds"],
                "start": start,
                "durationMinutes": 15,
                "kind": "video" if video else "in_person",
            }
            answer = client(through_other).post(
                f"/v1/patients/{patient}/consultations", json=booking, headers=auth(patient)
            )
            assert answer.status_code in (201, 403, 409), answer.text
            made = answer.json()["id"] if answer.status_code == 201 else "none"
            return (patient, made, through_other)

        @rule(made=booked, acknowledge=st.booleans())
        def cancel(self, made: tuple[str, str, bool], acknowledge: bool) -> None:
            patient, consultation_id, through_other = made
            if consultation_id == "none":
                return
            answer = client(not through_other).post(
                f"/v1/patients/{patient}/consultations/{consultation_id}/cancel",
                json={"feeAcknowledged": acknowledge},
                headers=auth(patient),
            )
            assert answer.status_code in (200, 403, 409), answer.text

        @rule(clinic_id=st.sampled_from(_CLINICS), video=st.booleans())
        def change_offer(self, clinic_id: str, video: bool) -> None:
            services = ["book_consultation", *(["video_consultation"] if video else [])]
            answer = kept_client.put(
                f"/v1/sandbox/clinics/{clinic_id}/offer", json={"services": services}, headers=admin
            )
            assert answer.status_code in (200, 400), answer.text

        @rule(hours=st.integers(0, 24 * 9))
        def move_clock(self, hours: int) -> None:
            answer = kept_client.post(
                "/v1/sandbox/clock/advance", json={"seconds": hours * 3600}, headers=admin
            )
            assert answer.status_code == 200, answer.text

        @rule(
            clinic_id=st.sampled_from(_CLINICS),
            to_clinic=st.sampled_from(_CLINICS),
            pick=st.integers(0, 10_000),
            change=st.sampled_from(["move", "private", "delete"]),
        )
        def change_slot(self, clinic_id: str, to_clinic: str, pick: int, change: str) -> None:
            # Past the API, through the other sandbox's storage: as another process would.
            slots = read_schedule(clinic_id, memo=False).time_slots
            target = read_schedule(to_clinic, memo=False)
            if not slots:
                return
            slot = slots[pick % len(slots)]
            other_sandbox = get_sandbox(other)
            with other_sandbox.storage.transaction() as tx:
                repo = Repo(tx, other_sandbox.converter)
                if change == "delete":
                    tx.delete("time_slots", slot.id)
                    return
                calendar = target.calendars[pick % len(target.calendars)]
                slot_type = target.time_slot_types[pick % len(target.time_slot_types)]
                changed = TimeSlot(
                    slot.id,
                    calendar.id if change == "move" else slot.calendar_id,
                    slot_type.id if change == "move" else slot.type_id,
                    slot.start,
                    slot.end,
                    public_bookable=change == "move",
                )
                repo.put_record(
                    "time_slots",
                    changed.id,
                    changed,
                    clinic_id=to_clinic if change == "move" else clinic_id,
                    lookup=changed.calendar_id,
                    sort_key=sort_time(changed.start),
                )

        @rule(clinic_id=st.sampled_from(_CLINICS), pick=st.integers(0, 10_000))
        def write_then_roll_back(self, clinic_id: str, pick: int) -> None:
            # Kept while the transaction wrote, then rolled back: never seen again.
            with pytest.raises(_RolledBack):
                self.write_and_fail(clinic_id, pick)

        def write_and_fail(self, clinic_id: str, pick: int) -> None:
            with sandbox.storage.transaction() as tx:
                repo = Repo(tx, sandbox.converter, sandbox.memo)
                schedule = repo.schedule(clinic_id)
                calendar = schedule.calendars[pick % len(schedule.calendars)]
                at = NOW + dt.timedelta(days=5 + pick % 9, minutes=15 * (pick % 30))
                gone = Appointment(f"gone-{pick}", calendar.id, at, at + dt.timedelta(minutes=15))
                repo.save_appointment(gone, clinic_id)
                assert gone in repo.schedule(clinic_id).appointments
                raise _RolledBack

        @invariant()
        def kept_schedules_are_fresh(self) -> None:
            for clinic_id in _CLINICS:
                assert read_schedule(clinic_id, memo=True) == read_schedule(clinic_id, memo=False)

    return Schedules


def test_kept_schedules_and_free_time_equal_fresh_ones(tmp_path: Path) -> None:
    clock = SandboxClock(NOW)
    path = str(tmp_path / "sandbox.db")
    kept = create_app(path, clock=clock)
    other = create_app(path, clock=clock, admin_key=get_sandbox(kept).admin_key)
    try:
        with (
            serve_in_thread(kept) as kept_url,
            serve_in_thread(other) as other_url,
            httpx.Client(base_url=kept_url, timeout=30) as kept_client,
            httpx.Client(base_url=other_url, timeout=30) as other_client,
        ):
            run_state_machine_as_test(
                _machine(kept, other, kept_client, other_client),
                settings=settings(max_examples=10, stateful_step_count=25),
            )
    finally:
        get_sandbox(kept).storage.close()
        get_sandbox(other).storage.close()


def test_a_database_without_version_rows_is_read_afresh(tmp_path: Path) -> None:
    # An older database gets the triggers on opening, and no version rows: its schedules
    # are kept as version (None, None) until the first change gives them one.
    path = str(tmp_path / "sandbox.db")
    app = create_app(path, clock=SandboxClock(NOW))
    sandbox = get_sandbox(app)
    with sandbox.storage.transaction() as tx:
        tx._conn.execute("DELETE FROM schedule_versions")
        assert tx.schedule_version("clinic-sentrum") == (None, None)
    with sandbox.storage.read() as tx:
        kept = Repo(tx, sandbox.converter, sandbox.memo).schedule("clinic-sentrum")
    with sandbox.storage.transaction() as tx:
        slot = kept.time_slots[0]
        tx.delete("time_slots", slot.id)
        assert tx.schedule_version("clinic-sentrum")[0] is not None
    with sandbox.storage.read() as tx:
        now = Repo(tx, sandbox.converter, sandbox.memo).schedule("clinic-sentrum")
        assert now == Repo(tx, sandbox.converter).schedule("clinic-sentrum")
    assert slot not in now.time_slots
    sandbox.storage.close()


_STATUSES = ("booked", "cancelled", "late_cancelled", "completed", "no_show", "on_hold")


@settings(max_examples=25)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(_STATUSES),
            st.sampled_from(["p-kari", "p-olav"]),
            st.sampled_from(["clinic-sentrum", "clinic-fjord"]),
            st.booleans(),
        ),
        max_size=8,
    ),
    pick=st.integers(0, 20),
)
def test_a_booking_reads_the_consultations_the_rule_counts(
    rows: list[tuple[str, str, str, bool]], pick: int
) -> None:
    # Of the patient's and the clinic's consultations, a booking reads all but those
    # stored as holding no time (an unknown status holds time), and the one with the new
    # id: all the rule looks at. A row stored without the mark (as by an older sandbox)
    # is read whatever it holds.
    app = create_app(clock=SandboxClock(NOW))
    sandbox = get_sandbox(app)
    with sandbox.storage.transaction() as tx:
        repo = Repo(tx, sandbox.converter)
        stored = tx.select("consultations")
        cancelled = next(row for row in stored if row["status"] == "cancelled")
        for n, (status, patient_id, clinic_id, marked) in enumerate(rows):
            data = dict(cancelled, id=f"con-{n}", status=status)
            data.update(patientId=patient_id, clinicId=clinic_id)
            if status not in ("cancelled", "late_cancelled"):
                data["cancelledAt"] = None
            if marked:
                repo.save_consultation(sandbox.converter.structure(data, Consultation))
            else:
                tx.put(
                    "consultations", data["id"], data, patient_id=patient_id, clinic_id=clinic_id
                )
        new_id = f"con-{pick}"
        everything = repo.consultations_of("p-kari") + repo.consultations_at("clinic-fjord")
        counted = {c.id: c for c in everything if c.holds_time or c.id == new_id}
        read = {c.id: c for c in repo.booking_consultations("p-kari", "clinic-fjord", new_id)}
        assert {k: c for k, c in read.items() if c.holds_time or k == new_id} == counted
        assert all(c in everything for c in read.values())
        unmarked = {f"con-{n}" for n, row in enumerate(rows) if not row[3]}
        assert all(c.holds_time or k in unmarked or k == new_id for k, c in read.items())
    sandbox.storage.close()
