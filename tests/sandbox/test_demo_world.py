"""The demo world is a data file, read through the wire converter, with times relative to now."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest

from patientsky.sandbox.demo_data import DemoWorldError, build_demo
from tests.sandbox.conftest import NOW


def _world() -> dict[str, Any]:
    text = resources.files("patientsky.sandbox").joinpath("demo_world.json").read_text("utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def test_the_demo_moves_with_the_clock() -> None:
    later = NOW + dt.timedelta(days=400, hours=5)
    first, second = build_demo(NOW), build_demo(later)
    for a, b in zip(first.dialogs, second.dialogs, strict=True):
        assert [m.sent_at + (later - NOW) for m in a.messages] == [m.sent_at for m in b.messages]
    for demo in (first, second):
        upcoming = [c for c in demo.consultations if c.status.value == "booked"]
        assert upcoming
        assert all(c.start > demo.now for c in upcoming)
        assert all(p.paid_at < demo.now for p in demo.payments)
        emil = next(p for p in demo.patients if p.id == "p-emil")
        assert demo.now.date() - emil.birth_date < dt.timedelta(days=9 * 366)
    assert {login.patient_id for login in first.logins} >= {
        f"p-{h}" for h in ("kari", "emil", "sofie", "olav", "per", "jonas")
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda w: w["people"][0]["patient"]["contact"].update(email="not an address"),
            "people[0] (p-kari).contact.email",
        ),
        (
            lambda w: w["dialogs"][1]["messages"][0].update(sentAt="@now-2x"),
            "dialogs[1].messages[0].sentAt",
        ),
        (
            lambda w: w["payments"][0]["amount"].update(minorUnits="lots"),
            "payments[0] (pay-kari-1).amount",
        ),
        (lambda w: w["clinics"][0].pop("name"), "clinics[0] (clinic-sentrum).name"),
    ],
)
def test_a_bad_data_file_is_an_error_naming_the_record_and_field(change: Any, named: str) -> None:
    world = _world()
    change(world)
    with pytest.raises(DemoWorldError) as info:
        build_demo(NOW, world=json.dumps(world))
    assert named in str(info.value)
