"""Importing PatientSky's calendar export: the real files, and every way a file can be wrong."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from patientsky.errors import InvalidInput
from patientsky.models import Gender, Unrecognized
from patientsky.models.calendar import OSLO, AppointmentStatus, CalendarKind
from patientsky.wire.legacy import ImportedCalendars, load_calendar_export, load_folder
from tests.strategies_calendar import FIXTURES, SHARED_FIXTURES

CLINIC = "00000000-0000-4000-a002-000000000002"
ADMIN = "00000000-0000-4000-a001-000000000001"
VALID_ID = "15108695088"  # 15 October 1986
SYNTHETIC_ID = "17912099997"  # month + 80: a test number


@pytest.fixture(scope="module")
def imported() -> ImportedCalendars:
    return load_folder(FIXTURES)


def _export() -> dict[str, Any]:
    """A small, valid export: one calendar, two slots, one appointment, one patient."""
    return {
        "timeslottypes": [
            {
                "id": "t15",
                "name": "Vanlig",
                "slot_size": 15,
                "public_bookable": True,
                "clinic_id": "k",
                "deleted": None,
                "out_of_office": False,
                "enabled": False,
            }
        ],
        "timeslots": [
            {
                "id": "s1",
                "calendar_id": "cal",
                "type_id": "t15",
                "start": "2019-04-23T08:00:00",
                "end": "2019-04-23T08:15:00",
                "public_bookable": True,
                "out_of_office": False,
            },
            {
                "id": "s2",
                "calendar_id": "cal",
                "type_id": "t15",
                "start": "2019-04-23T08:15:00",
                "end": "2019-04-23T08:30:00",
                "public_bookable": False,
                "out_of_office": False,
            },
        ],
        "appointments": [
            {
                "id": "a1",
                "patient_id": "p1",
                "calendar_id": "cal",
                "start": "2019-04-23T08:00:00",
                "end": "2019-04-23T08:15:00",
                "patient_comment": "secret health data",
                "note": None,
                "time_slot_type_id": "t15",
                "type_id": None,
                "state": 0,
                "out_of_office_location": "",
                "out_of_office": False,
                "completed": True,
                "is_scheduled": False,
            }
        ],
        "patient_meta": {
            "p1": {
                "firstname": "Kari",
                "middlename": "",
                "lastname": "Nordmann",
                "personal_id": VALID_ID,
                "birth_date": "1986-10-15",
                "gender": "female",
                "contacts": [],
            }
        },
    }


def _write(folder: Path, name: str, document: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# The real export files ---------------------------------------------------------------


def test_the_three_files_give_three_named_calendars_of_one_clinic(
    imported: ImportedCalendars,
) -> None:
    assert sorted(c.name for c in imported.calendars) == ["Danny boy", "Emma Win", "Joanna Hef"]
    assert {c.clinic_id for c in imported.calendars} == {CLINIC}
    assert all(c.kind is CalendarKind.PRACTITIONER for c in imported.calendars)
    assert all(c.practitioner_id == c.id for c in imported.calendars)
    assert imported.sources == ("Danny_boy.json", "Emma_Win.json", "Joanna_Hef.json")


@pytest.mark.skipif(not SHARED_FIXTURES, reason="needs the shared fixtures' patient metadata")
def test_the_files_hold_what_their_lists_hold(imported: ImportedCalendars) -> None:
    assert len(imported.time_slot_types) == 4  # the same four in every file, kept once
    assert len(imported.time_slots) == 167 + 151 + 175
    assert len(imported.appointments) == 39 + 56 + 47
    assert len(imported.patients) == 21  # 15 + 18 + 20 entries, many in several files
    assert imported.problems == ()
    assert {t.name: t.slot_minutes for t in imported.time_slot_types} == {
        "Vanlig": 15,
        "Lang vanlig": 30,
    }


def test_naive_times_become_oslo_times(imported: ImportedCalendars) -> None:
    slot = next(s for s in imported.time_slots if s.id == "af87de36-3690-4caa-a100-4d28b05e3d94")
    assert slot.start == dt.datetime(2019, 4, 23, 8, tzinfo=OSLO)
    assert slot.start.isoformat() == "2019-04-23T08:00:00+02:00"
    assert all(a.start.tzinfo is OSLO for a in imported.appointments)


def test_state_4_appointments_are_kept_as_unrecognized_and_hold_their_time(
    imported: ImportedCalendars,
) -> None:
    statuses = [a.status for a in imported.appointments]
    assert statuses.count(AppointmentStatus.BOOKED) == 98
    assert statuses.count(Unrecognized("legacy_state_4")) == 44
    assert all(a.holds_time for a in imported.appointments)


def test_no_two_appointments_of_a_calendar_overlap_whatever_their_state(
    imported: ImportedCalendars,
) -> None:
    # The finding behind treating state 4 as taken time (see the module docs).
    for calendar in imported.calendars:
        appointments = imported.schedule.appointments_of(calendar.id)
        for first, second in itertools.pairwise(appointments):
            assert not first.interval.overlaps(second.interval)


@pytest.mark.skipif(not SHARED_FIXTURES, reason="needs the shared fixtures' patient metadata")
def test_patients_get_their_contact_details_and_a_masked_national_id(
    imported: ImportedCalendars,
) -> None:
    admin = imported.patient(ADMIN)
    assert admin is not None
    assert admin.name.full == "Admin Adminsen"
    assert admin.name.middle is None
    assert admin.birth_date == dt.date(1975, 9, 1)
    assert admin.gender is Gender.MALE
    assert admin.contact.email == "utvikling@melinmedical.com"
    assert admin.contact.phone == "+4740554135"
    assert admin.contact.address is not None
    assert admin.contact.address.street == "Borggata 1A"
    assert admin.contact.address.postal_code == "0650"
    assert admin.clinic_ids == (CLINIC,)
    assert "01097541139" not in repr(imported)
    assert imported.patient("nobody") is None


@pytest.mark.skipif(not SHARED_FIXTURES, reason="needs the shared fixtures' patient metadata")
def test_every_fixture_national_id_is_valid_and_none_is_synthetic(
    imported: ImportedCalendars,
) -> None:
    assert not any(p.national_id.is_synthetic for p in imported.patients)
    assert sum(p.birth_date == dt.date(1976, 3, 12) for p in imported.patients) == 20


def test_loading_the_files_one_by_one_and_merging_gives_the_folder(
    imported: ImportedCalendars,
) -> None:
    files = sorted(FIXTURES.glob("*.json"))
    merged = ImportedCalendars()
    for file in files:
        merged = merged.merge(load_calendar_export(file))
    assert merged == imported


def test_a_calendar_is_found_by_id_or_by_name(imported: ImportedCalendars) -> None:
    danny = imported.find_calendar("danny BOY")
    assert danny is not None
    assert imported.find_calendar(danny.id) == danny
    assert imported.find_calendar("Nobody") is None


# Small exports -------------------------------------------------------------------------


def test_a_dict_is_imported_like_a_file_and_comments_are_left_behind() -> None:
    result = load_calendar_export(_export(), name="Dr. Berg")
    (calendar,) = result.calendars
    assert (calendar.id, calendar.name, calendar.clinic_id) == ("cal", "Dr. Berg", "k")
    (appointment,) = result.appointments
    assert appointment.patient_id == "p1"
    assert appointment.type_id == "t15"
    assert "secret" not in repr(result)
    assert result.sources == ("<dict>",)


def test_a_dict_without_a_name_names_its_calendars_by_id() -> None:
    assert [c.name for c in load_calendar_export(_export()).calendars] == ["cal"]


def test_a_given_clinic_id_wins_over_the_types_clinic() -> None:
    result = load_calendar_export(_export(), clinic_id="other")
    assert result.calendars[0].clinic_id == "other"
    assert result.patients[0].clinic_ids == ("other",)


def test_several_calendars_in_one_file_get_distinct_names() -> None:
    document = _export()
    extra = copy.deepcopy(document["timeslots"][0])
    extra.update(id="s3", calendar_id="second-calendar")
    document["timeslots"].append(extra)
    names = [c.name for c in load_calendar_export(document, name="Team").calendars]
    assert names == ["Team cal", "Team second-c"]


def test_out_of_office_and_deleted_slots_are_not_bookable_time() -> None:
    document = _export()
    document["timeslots"][1]["out_of_office"] = True
    deleted_type = dict(document["timeslottypes"][0], id="gone", deleted="2019-01-01T00:00:00")
    document["timeslottypes"].append(deleted_type)
    gone_slot = dict(document["timeslots"][0], id="s3", type_id="gone")
    document["timeslots"].append(gone_slot)
    assert [s.id for s in load_calendar_export(document).time_slots] == ["s1"]


def test_an_unknown_state_is_kept_and_holds_its_time() -> None:
    document = _export()
    document["appointments"][0]["state"] = 7
    (appointment,) = load_calendar_export(document).appointments
    assert appointment.status == Unrecognized("legacy_state_7")
    assert appointment.holds_time


def test_an_ambiguous_autumn_time_means_the_first_occurrence() -> None:
    document = _export()
    document["timeslots"][0].update(start="2019-10-27T02:00:00", end="2019-10-27T02:45:00")
    slot = next(s for s in load_calendar_export(document).time_slots if s.id == "s1")
    assert slot.start.isoformat() == "2019-10-27T02:00:00+02:00"
    assert slot.interval.minutes == 45


def test_contacts_take_the_first_of_each_kind_home_first() -> None:
    document = _export()
    document["patient_meta"]["p1"]["contacts"] = [
        {
            "location": "work",
            "addresses": [{"address_type": "email", "address": "work@example.no"}],
        },
        {
            "location": "home",
            "addresses": [
                {"address_type": "email", "address": "home@example.no"},
                {"address_type": "phone", "number": "22334455", "type": "landline"},
                {"address_type": "phone", "number": 91234567, "country_code": 47},
                {"address_type": "fax", "number": "1"},
            ],
        },
    ]
    contact = load_calendar_export(document).patients[0].contact
    assert contact.email == "home@example.no"
    assert contact.phone == "+4791234567"
    assert contact.address is None


def test_a_postal_address_is_read_from_its_parts() -> None:
    document = _export()
    address = {
        "address_type": "address",
        "street": "Storgata",
        "number": 12,
        "identifier": "B",
        "postal_code": 150,
        "postal_area": "Oslo",
        "country": "NO",
    }
    document["patient_meta"]["p1"]["contacts"] = [{"location": "home", "addresses": [address]}]
    read = load_calendar_export(document).patients[0].contact.address
    assert read is not None
    assert (read.street, read.postal_code, read.city, read.country) == (
        "Storgata 12B",
        "0150",
        "Oslo",
        "NO",
    )


@pytest.mark.parametrize(
    ("contacts", "field"),
    [
        (["home"], "patient_meta.p1.contacts[0]"),
        ([{"location": "home", "addresses": ["x"]}], "patient_meta.p1.contacts[0].addresses[0]"),
        (
            [{"addresses": [{"address_type": "phone", "number": "12"}]}],
            "patient_meta.p1.contacts[0].addresses[0].number",
        ),
        (
            [
                {
                    "addresses": [
                        {
                            "address_type": "address",
                            "street": "Storgata 1",
                            "postal_code": "12345",
                            "postal_area": "Oslo",
                        }
                    ]
                }
            ],
            "patient_meta.p1.contacts[0].addresses[0].postal_code",
        ),
    ],
)
def test_bad_contacts_are_refused_naming_the_path(contacts: list[object], field: str) -> None:
    document = _export()
    document["patient_meta"]["p1"]["contacts"] = contacts
    with pytest.raises(InvalidInput) as caught:
        load_calendar_export(document)
    assert caught.value.field == field


# Errors: strict and lenient ----------------------------------------------------------


def test_an_invalid_personal_id_is_refused_naming_the_path_but_never_the_digits() -> None:
    document = _export()
    document["patient_meta"]["p1"]["personal_id"] = "15108695077"
    with pytest.raises(InvalidInput) as caught:
        load_calendar_export(document)
    assert caught.value.field == "patient_meta.p1.personal_id"
    assert "invalid check digits" in caught.value.message
    assert "15108695077" not in str(caught.value)
    assert "151086" not in str(caught.value)


def test_a_lenient_import_leaves_a_bad_patient_out_and_says_why() -> None:
    document = _export()
    document["patient_meta"]["p1"]["personal_id"] = "15108695077"
    result = load_calendar_export(document, strict=False)
    assert result.patients == ()
    (problem,) = result.problems
    assert (problem.source, problem.path) == ("<dict>", "patient_meta.p1.personal_id")
    assert "15108695077" not in str(problem)
    # The appointment stays: its time is taken whoever the patient is.
    assert len(result.appointments) == 1


def test_a_synthetic_id_passes_only_when_allowed() -> None:
    document = _export()
    document["patient_meta"]["p1"].update(personal_id=SYNTHETIC_ID, birth_date="2020-11-17")
    with pytest.raises(InvalidInput, match="synthetic test number") as caught:
        load_calendar_export(document)
    assert caught.value.field == "patient_meta.p1.personal_id"
    patient = load_calendar_export(document, allow_synthetic=True).patients[0]
    assert patient.national_id.is_synthetic


def test_a_bad_contact_detail_is_dropped_alone_in_a_lenient_import() -> None:
    document = _export()
    document["patient_meta"]["p1"]["contacts"] = [
        {
            "location": "home",
            "addresses": [
                {"address_type": "email", "address": "not an address"},
                {"address_type": "phone", "number": "91234567", "country_code": 47},
            ],
        }
    ]
    with pytest.raises(InvalidInput) as caught:
        load_calendar_export(document)
    assert caught.value.field == "patient_meta.p1.contacts[0].addresses[0].email"
    result = load_calendar_export(document, strict=False)
    assert result.patients[0].contact.phone == "+4791234567"
    assert [p.path for p in result.problems] == ["patient_meta.p1.contacts[0].addresses[0].email"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: d["timeslots"][1].update(start="23.04.2019 08:15"), "timeslots[1].start", "ISO"),
        (lambda d: d["timeslots"][1].pop("end"), "timeslots[1].end", "is missing"),
        (lambda d: d["timeslots"][1].update(end=None), "timeslots[1].end", "not null"),
        (
            lambda d: d["timeslots"][1].update(start="2019-03-31T02:15:00"),
            "timeslots[1].start",
            "does not exist in Europe/Oslo",
        ),
        (
            lambda d: d["timeslots"][1].update(end="2019-04-23T08:00:00"),
            "timeslots[1].end",
            "must be after start",
        ),
        (lambda d: d["timeslots"][1].update(type_id="nope"), "timeslots[1].type_id", "not a"),
        (
            lambda d: d["timeslots"][1].update(public_bookable="yes"),
            "timeslots[1].public_bookable",
            "must be a boolean",
        ),
        (lambda d: d["timeslots"].__setitem__(1, []), "timeslots[1]", "must be an object"),
        (
            lambda d: d["timeslottypes"][0].update(slot_size=0),
            "timeslottypes[0].slot_size",
            "positive",
        ),
    ],
)
def test_a_bad_slot_or_type_is_refused_strictly_and_left_out_leniently(
    change: Any, field: str, message: str
) -> None:
    document = _export()
    # A second type, so that the clinic is still known when the first is left out.
    document["timeslottypes"].append(dict(document["timeslottypes"][0], id="t30", slot_size=30))
    change(document)
    with pytest.raises(InvalidInput, match=message) as caught:
        load_calendar_export(document)
    assert caught.value.field == field
    result = load_calendar_export(document, strict=False)
    assert [p.path for p in result.problems][:1] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda d: d["appointments"][0].update(start="2019-03-31T02:30:00"),
            "appointments[0].start",
        ),
        (lambda d: d["appointments"][0].update(state="booked"), "appointments[0].state"),
        (lambda d: d["appointments"][0].update(state=True), "appointments[0].state"),
        (lambda d: d["appointments"][0].pop("calendar_id"), "appointments[0].calendar_id"),
    ],
)
def test_a_bad_appointment_is_refused_even_in_a_lenient_import(change: Any, field: str) -> None:
    document = _export()
    change(document)
    for strict in (True, False):
        with pytest.raises(InvalidInput) as caught:
            load_calendar_export(document, strict=strict)
        assert caught.value.field == field


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        ([], "", "must be a JSON object, not a list"),
        ({"timeslots": [], "appointments": []}, "timeslottypes", "is missing"),
        (
            {"timeslottypes": [], "timeslots": {}, "appointments": []},
            "timeslots",
            "must be a list",
        ),
        (
            {"timeslottypes": [], "timeslots": [], "appointments": [], "patient_meta": []},
            "patient_meta",
            "must be an object",
        ),
        ({"timeslottypes": [], "timeslots": [], "appointments": []}, "timeslottypes", "clinic"),
    ],
)
def test_a_file_not_shaped_like_an_export_is_refused_naming_the_file(
    tmp_path: Path, document: object, field: str, message: str
) -> None:
    path = _write(tmp_path, "Broken.json", document)
    with pytest.raises(InvalidInput, match=message) as caught:
        load_calendar_export(path)
    assert caught.value.field == field
    assert caught.value.message.endswith("(in Broken.json)")


def test_a_file_that_is_not_json_is_refused_with_the_place_of_the_error(tmp_path: Path) -> None:
    path = tmp_path / "Bad.json"
    path.write_text('{"timeslots": [', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"Bad.json is not JSON: .* at line 1 column 16"):
        load_calendar_export(path)
    path.write_bytes(b'{"timeslots": "\x80"}')
    with pytest.raises(InvalidInput, match=r"Bad\.json is not UTF-8 text"):
        load_calendar_export(path)
    with pytest.raises(InvalidInput, match="cannot read"):
        load_calendar_export(tmp_path / "missing.json")


def test_a_folder_must_exist_and_hold_exports(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is not a folder"):
        load_folder(tmp_path / "nowhere")
    with pytest.raises(InvalidInput, match=r"holds no \.json calendar export"):
        load_folder(tmp_path)


def test_a_calendar_in_two_files_keeps_the_name_from_the_first(tmp_path: Path) -> None:
    first = _export()
    second = _export()
    second["timeslots"] = [dict(s, id=f"next-{s['id']}") for s in second["timeslots"]]
    second["appointments"] = []
    _write(tmp_path, "Berg_week_17.json", first)
    _write(tmp_path, "Berg_week_18.json", second)
    result = load_folder(tmp_path)
    assert [c.name for c in result.calendars] == ["Berg week 17"]
    assert len(result.time_slots) == 4


def test_two_files_that_disagree_about_an_id_are_refused(tmp_path: Path) -> None:
    first = _export()
    second = _export()
    second["timeslots"][0]["end"] = "2019-04-23T08:10:00"
    _write(tmp_path, "A.json", first)
    _write(tmp_path, "B.json", second)
    with pytest.raises(InvalidInput, match="two different items share this id") as caught:
        load_folder(tmp_path)
    assert caught.value.field == "time_slots.s1"


def test_a_patient_in_the_files_of_two_clinics_is_connected_to_both(tmp_path: Path) -> None:
    _write(tmp_path, "A.json", _export())
    other = _export()
    other["timeslottypes"][0].update(id="t2", clinic_id="k2")
    for slot in other["timeslots"]:
        slot.update(id=f"other-{slot['id']}", calendar_id="cal2", type_id="t2")
    other["appointments"] = []
    _write(tmp_path, "B.json", other)
    result = load_folder(tmp_path)
    assert result.patients[0].clinic_ids == ("k", "k2")
    assert [c.name for c in result.calendars] == ["A", "B"]


def test_a_patient_described_differently_in_two_files_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "A.json", _export())
    other = _export()
    other["patient_meta"]["p1"]["lastname"] = "Hansen"
    _write(tmp_path, "B.json", other)
    with pytest.raises(InvalidInput, match="differs between the files") as caught:
        load_folder(tmp_path)
    assert caught.value.field == "patient_meta.p1"
