"""Bounded resources: rate limits on logins and writes, and the caps, over a real socket."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.sandbox import (
    Limits,
    Rate,
    SandboxClock,
    _cli,
    _handlers,
    create_app,
    get_sandbox,
    openapi_path,
    serve_in_thread,
)
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._limits import Guard, Throttle, is_limited
from tests.images import PNG
from tests.sandbox.conftest import NOW, Api


class Ticker:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextlib.contextmanager
def _sandbox(limits: Limits) -> Iterator[Api]:
    app = create_app(clock=SandboxClock(NOW), limits=limits)
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield Api(app, client)


def _login(api: Api, patient_id: str) -> httpx.Response:
    number = api.logins[patient_id].national_id.reveal()
    return api.client.post("/v1/sandbox/login", json={"nationalId": number, "method": "bankid"})


def _limited(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"].isdigit()
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["code"] == "rate_limited"
    assert isinstance(body, dict)
    return body


def _start_dialog(api: Api, headers: dict[str, str], **extra: str) -> httpx.Response:
    body = {"clinicId": "clinic-sentrum", "type": "other_inquiry", "subject": "S", "body": "B"}
    return api.client.post("/v1/patients/me/dialogs", headers={**headers, **extra}, json=body)


# --- logins ---


def test_logins_from_one_address_past_the_limit_get_429_until_retry_after_has_passed() -> None:
    ticker = Ticker()
    limits = Limits(login_per_client=Rate(burst=3, per_minute=6), clock=ticker)
    with _sandbox(limits) as api:
        for patient_id in ("p-kari", "p-olav", "p-emil"):
            assert _login(api, patient_id).status_code == 200
        refused = _login(api, "p-jonas")
        body = _limited(refused)
        assert refused.headers["retry-after"] == "10"  # one login every ten seconds
        assert "address" in body["detail"]
        assert refused.headers["x-content-type-options"] == "nosniff"
        ticker.now += 9.5
        assert _login(api, "p-jonas").status_code == 429
        ticker.now += 0.5
        assert _login(api, "p-jonas").status_code == 200


def test_a_persons_logins_count_under_a_hash_of_the_number_never_the_number() -> None:
    limits = Limits(login_per_person=Rate(burst=2, per_minute=1), clock=Ticker())
    with _sandbox(limits) as api:
        number = api.logins["p-kari"].national_id.reveal()
        assert [_login(api, "p-kari").status_code for _ in range(2)] == [200, 200]
        refused = _login(api, "p-kari")
        assert "person" in _limited(refused)["detail"]
        assert number not in refused.text
        assert _login(api, "p-emil").status_code == 200  # another person
        people = api.sandbox.guard.people
        assert people is not None
        assert len(people) == 2
        assert number not in repr(vars(people))


def test_a_login_with_a_bad_number_still_counts_for_the_address() -> None:
    limits = Limits(login_per_client=Rate(burst=1, per_minute=1), clock=Ticker())
    with _sandbox(limits) as api:
        bad = api.client.post("/v1/sandbox/login", json={"nationalId": "nope", "method": "bankid"})
        assert bad.status_code == 400
        _limited(_login(api, "p-kari"))


# --- writes ---


def test_writes_are_limited_per_caller_and_reads_are_not() -> None:
    limits = Limits(writes_per_caller=Rate(burst=2, per_minute=1), clock=Ticker())
    with _sandbox(limits) as api:
        kari, olav = api.auth("p-kari"), api.auth("p-olav")
        assert [_start_dialog(api, kari).status_code for _ in range(2)] == [201, 201]
        body = _limited(_start_dialog(api, kari))
        assert "writes" in body["detail"]
        assert api.client.get("/v1/patients/me/dialogs", headers=kari).status_code == 200
        # Reading a dialog marks it read, but a GET is never refused for writing too much.
        assert api.client.get("/v1/patients/me/dialogs/dlg-kari-1", headers=kari).is_success
        assert _start_dialog(api, olav).status_code == 201


def test_photo_uploads_have_a_smaller_bucket_of_their_own() -> None:
    limits = Limits(photos_per_caller=Rate(burst=2, per_minute=1), clock=Ticker())
    with _sandbox(limits) as api:
        kari = {**api.auth("p-kari"), "Content-Type": "image/png"}
        put = [api.client.put("/v1/patients/me/photo", headers=kari, content=PNG) for _ in range(3)]
        assert [r.status_code for r in put[:2]] == [200, 200]
        assert "uploads" in _limited(put[2])["detail"]
        assert _start_dialog(api, api.auth("p-kari")).status_code == 201


def test_an_idempotent_replay_writes_nothing_and_is_not_counted() -> None:
    limits = Limits(writes_per_caller=Rate(burst=1, per_minute=1), clock=Ticker())
    with _sandbox(limits) as api:
        kari = api.auth("p-kari")
        first = _start_dialog(api, kari, **{"Idempotency-Key": "once"})
        assert first.status_code == 201
        again = _start_dialog(api, kari, **{"Idempotency-Key": "once"})
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        _limited(_start_dialog(api, kari, **{"Idempotency-Key": "twice"}))


def test_moving_the_sandbox_clock_neither_refills_nor_drains_a_bucket() -> None:
    limits = Limits(writes_per_caller=Rate(burst=1, per_minute=1), clock=Ticker())
    with _sandbox(limits) as api:
        kari = api.auth("p-kari")
        assert _start_dialog(api, kari).status_code == 201
        before = _start_dialog(api, kari).headers["retry-after"]
        api.sandbox.clock.advance(dt.timedelta(minutes=50))
        after = _start_dialog(api, kari)
        _limited(after)
        assert after.headers["retry-after"] == before == "60"


def test_without_rate_limits_nothing_is_refused_for_coming_often() -> None:
    with _sandbox(Limits.unlimited()) as api:
        statuses = {_login(api, "p-kari").status_code for _ in range(120)}
        assert statuses == {200}


def test_the_default_limits_are_those_the_docs_give() -> None:
    limits = Limits()
    assert limits.login_per_client == Rate(burst=100, per_minute=60)
    assert limits.login_per_person == Rate(burst=60, per_minute=30)
    assert limits.writes_per_caller == Rate(burst=600, per_minute=600)
    assert limits.photos_per_caller == Rate(burst=20, per_minute=10)
    assert limits.messages_per_dialog == 1000
    assert Limits.unlimited(messages_per_dialog=5).messages_per_dialog == 5


# --- caps ---


def test_a_dialog_takes_no_more_messages_than_its_cap() -> None:
    with _sandbox(Limits(messages_per_dialog=3)) as api:
        kari = api.auth("p-kari")
        dialog = _start_dialog(api, kari).json()["id"]
        path = f"/v1/patients/me/dialogs/{dialog}/messages"
        replies = [api.client.post(path, headers=kari, json={"body": "mer"}) for _ in range(3)]
        assert [r.status_code for r in replies] == [201, 201, 409]
        problem = replies[-1].json()
        assert problem["code"] == "dialog_full"
        assert problem["messageNb"].startswith("Dialogen har nådd")
        assert (
            len(
                api.client.get(f"/v1/patients/me/dialogs/{dialog}", headers=kari).json()["messages"]
            )
            == 3
        )


def test_a_message_is_at_most_20000_characters_and_a_longer_one_is_a_400_naming_it(
    api: Api,
) -> None:
    kari = api.auth("p-kari")
    path = "/v1/patients/me/dialogs/dlg-kari-1/messages"
    long = api.client.post(path, headers=kari, json={"body": "x" * 20_001})
    assert long.status_code == 400
    assert long.json()["errors"][0]["field"] == "body"
    assert api.client.post(path, headers=kari, json={"body": "x" * 20_000}).status_code == 201


def _free_starts(api: Api) -> list[dict[str, Any]]:
    """Free quarters in one calendar of Sentrum, in the coming week, that do not overlap."""
    free = api.client.get(
        "/v1/clinics/clinic-sentrum/free-time",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-06T00:00:00+01:00"},
    ).json()["data"]
    calendar = free[0]["calendarIds"]
    spans = [s for s in free if s["calendarIds"] == calendar]
    return [
        {
            "clinicId": "clinic-sentrum",
            "calendarIds": calendar,
            "start": s["start"],
            "durationMinutes": 15,
            "kind": "in_person",
        }
        for s in spans
        if dt.datetime.fromisoformat(s["start"]).minute % 15 == 0
    ]


def test_a_patient_holds_at_most_the_clinics_number_of_upcoming_bookings(api: Api) -> None:
    kari = api.auth("p-kari")  # two upcoming consultations at Sentrum already; it allows four
    path = "/v1/patients/me/consultations"
    slots = _free_starts(api)
    made = [api.client.post(path, headers=kari, json=slot) for slot in slots[:3]]
    assert [r.status_code for r in made] == [201, 201, 409]
    problem = made[-1].json()
    assert problem["code"] == "too_many_future_bookings"
    assert problem["messageNb"]
    cancel = f"{path}/{made[0].json()['id']}/cancel"
    assert api.client.post(cancel, headers=kari).status_code == 200
    assert api.client.post(path, headers=kari, json=slots[2]).status_code == 201


# --- the contract ---


def test_the_contract_declares_429_with_retry_after_exactly_where_a_limit_stands() -> None:
    document = json.loads(openapi_path().read_text(encoding="utf-8"))
    for path, ops in _handlers.operations().items():
        for method, op in ops.items():
            declared = document["paths"].get(path, {}).get(method.lower())
            if declared is None:
                continue
            responses = declared["responses"]
            limited = is_limited(path, method, auth=op.auth, writes=op.writes)
            assert ("429" in responses) == limited, (method, path)
            if limited:
                assert responses["429"]["headers"]["Retry-After"]["required"] is True


# --- the buckets ---

_RATES = st.builds(Rate, st.integers(1, 20), st.floats(0.5, 600))
_GAPS = st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=60)


def _run(rate: Rate, gaps: list[float]) -> tuple[Ticker, Throttle, list[bool]]:
    ticker = Ticker()
    throttle = Throttle(rate, ticker, max_tracked=100)
    admitted = []
    for gap in gaps:
        ticker.now += gap
        ok = throttle.wait("k") == 0
        if ok:
            throttle.take("k")
        admitted.append(ok)
    return ticker, throttle, admitted


@given(rate=_RATES, gaps=_GAPS)
def test_a_bucket_admits_no_more_than_its_burst_and_its_rate_over_any_span(
    rate: Rate, gaps: list[float]
) -> None:
    _ticker, _throttle, admitted = _run(rate, gaps)
    times = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    for i in range(len(times)):
        for j in range(i, len(times)):
            count = sum(admitted[i : j + 1])
            assert count <= rate.burst + rate.per_second * (times[j] - times[i]) + 1e-6


@given(rate=_RATES, gaps=_GAPS)
def test_waiting_as_long_as_a_bucket_says_is_always_enough(rate: Rate, gaps: list[float]) -> None:
    ticker, throttle, _admitted = _run(rate, gaps)
    wait = throttle.wait("k")
    ticker.now += wait
    assert throttle.wait("k") == 0 or throttle.wait("k") < 1e-9


@given(burst=st.integers(1, 50))
def test_a_fresh_key_gets_its_whole_burst_at_once_and_then_waits(burst: int) -> None:
    _ticker, _throttle, admitted = _run(Rate(burst, 60), [0.0] * (burst + 1))
    assert admitted == [True] * burst + [False]


@given(keys=st.lists(st.integers(0, 500), max_size=300), max_tracked=st.integers(1, 50))
def test_the_buckets_kept_never_exceed_the_bound(keys: list[int], max_tracked: int) -> None:
    ticker = Ticker()
    throttle = Throttle(Rate(5, 1), ticker, max_tracked)
    for key in keys:
        ticker.now += 0.01
        throttle.take(str(key))
        assert len(throttle) <= max_tracked


def test_a_bucket_idle_until_full_again_is_forgotten() -> None:
    ticker = Ticker()
    throttle = Throttle(Rate(2, 60), ticker, 100)  # full again two seconds after emptying
    throttle.take("a")
    ticker.now += 2.0
    throttle.take("b")
    assert len(throttle) == 1


def test_concurrent_requests_never_get_more_than_the_burst() -> None:
    guard = Guard(Limits(writes_per_caller=Rate(burst=100, per_minute=1), clock=Ticker()))
    admitted: list[int] = []
    lock = threading.Lock()

    def hammer() -> None:
        mine = 0
        for _ in range(50):
            try:
                guard.admit([(guard.writers, "person:p-kari", "writes")])
            except ApiProblem:
                continue
            mine += 1
        with lock:
            admitted.append(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(admitted) == 100


@pytest.mark.parametrize(
    ("burst", "per_minute", "field"),
    [(0, 1, "burst"), (True, 1, "burst"), (1, 0, "per_minute"), (1, float("inf"), "per_minute")],
)
def test_a_rate_is_positive_and_finite(burst: Any, per_minute: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Rate(burst, per_minute)
    assert error.value.field == field


def test_the_examples_in_the_docs_section_on_limits_run() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text("utf-8")
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/sandbox.md", "exec"), {})  # noqa: S102


@pytest.mark.parametrize(("flag", "limited"), [([], True), (["--no-rate-limits"], False)])
def test_the_command_turns_the_rate_limits_off_when_asked(
    monkeypatch: pytest.MonkeyPatch, flag: list[str], limited: bool
) -> None:
    served: list[Any] = []

    def serve(server: uvicorn.Server, **_kwargs: Any) -> None:
        served.append(server.config.app)

    monkeypatch.setattr(uvicorn.Server, "run", serve)
    parser = argparse.ArgumentParser()
    _cli.configure(parser)
    assert _cli.run(parser.parse_args([*flag, "--port", "0"]), io.StringIO()) == 0
    limits = get_sandbox(served[0]).limits
    assert (limits.writes_per_caller is not None) is limited
    assert (limits.login_per_client is not None) is limited
