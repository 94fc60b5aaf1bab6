"""
Import PatientSky's own calendar export: time slots, their types, appointments, patients.

An export file is one JSON object with four keys::

    {"timeslottypes": [...], "timeslots": [...], "appointments": [...],
     "patient_meta": {"<patient uuid>": {...}, ...}}

:func:`load_calendar_export` reads one file (or an already decoded dict) and
:func:`load_folder` every ``*.json`` file of a folder; both give an
:class:`ImportedCalendars`, which merges with others. What the importer decides:

Calendars
    The export has no calendar records, only ``calendar_id`` on slots and appointments.
    Each id becomes a :class:`~patientsky.models.calendar.Calendar` of kind practitioner, named
    after the file (``Danny_boy.json`` gives ``Danny boy``), of the clinic named by the
    file's time slot types (``clinic_id``). The export names no practitioner, so the
    calendar id doubles as the practitioner id.
Times
    Timestamps are naive wall-clock times in Europe/Oslo. In the hour that happens
    twice (the night the clocks go back) a time means its first occurrence, summer time
    (``fold=0``); a time that does not exist (the night the clocks go forward) is
    refused as invalid, never shifted. See :func:`~patientsky.models.calendar.to_oslo`.
Appointments
    ``state`` 0 is a booking (:attr:`~patientsky.models.calendar.AppointmentStatus.BOOKED`).
    The export does not say what other states mean. In the fixture files 44 of the 142
    appointments have state 4; each lies exactly on one time slot of its own type, like
    the state-0 ones, and no appointment of either state overlaps another. Had state 4
    freed its time, some of the 98 state-0 bookings would be expected on one of those
    44 slots: spread at random over each calendar's slots, the chance that none is
    comes to about 1 in 45 000. So state 4 (and any other state but 0) holds its time:
    it is kept as ``Unrecognized`` (``"legacy_state_4"``),
    which the rules never book over. ``patient_comment`` and ``note`` (health data)
    are not imported; ``completed`` (true everywhere), ``is_scheduled`` and the
    ``out_of_office`` fields of appointments are ignored: an appointment holds its
    time either way.
Time slots and types
    A slot of an ``out_of_office`` or ``deleted`` type, or marked ``out_of_office``
    itself, is not bookable time and is left out. A type's ``enabled`` flag is false for
    every type of the fixtures, slots of which are plainly bookable, so it is ignored.
Patients
    ``patient_meta`` entries become :class:`~patientsky.models.people.Patient` values; the
    ``personal_id`` goes through :class:`~patientsky.models.identity.NationalId`. Synthetic test
    numbers are refused unless ``allow_synthetic=True``. The birth date is the export's
    ``birth_date`` (the date in a number is not always the birth date). Contacts give
    the first e-mail, mobile number (``+<country code><number>``) and postal address,
    home first. Each patient is connected to the calendar's clinic.
    In the fixture files all 21 numbers are valid and none is synthetic (20 of them
    share the birth date 12 March 1976: generated test people whose numbers, having no
    synthetic marker, pass as real ones).

Errors
    A file that is not JSON, or not shaped like an export, raises
    :class:`~patientsky.errors.InvalidInput` naming the JSON path
    (``timeslots[3].start``, ``patient_meta.<uuid>.personal_id``; never the digits of a
    national identity number) and the file. A bad *record* raises the same in strict mode
    (the default). With ``strict=False`` a bad patient, contact detail, time slot type
    or time slot is left out and listed in ``ImportedCalendars.problems`` instead,
    which can only take bookable time away. A bad appointment always raises, in both
    modes: leaving it out would show taken time as free.

>>> export = {
...     "timeslottypes": [
...         {"id": "t15", "name": "Vanlig", "slot_size": 15, "public_bookable": True,
...          "clinic_id": "k1"},
...     ],
...     "timeslots": [
...         {"id": "s1", "calendar_id": "c1", "type_id": "t15", "public_bookable": True,
...          "start": "2019-10-27T02:00:00", "end": "2019-10-27T03:00:00"},
...     ],
...     "appointments": [
...         {"id": "a1", "calendar_id": "c1", "patient_id": None, "time_slot_type_id": "t15",
...          "start": "2019-10-27T02:15:00", "end": "2019-10-27T02:30:00", "state": 4},
...     ],
... }
>>> imported = load_calendar_export(export, name="Dr. Berg")
>>> imported.calendars[0].name, imported.time_slots[0].interval.minutes
('Dr. Berg', 120)
>>> imported.appointments[0].status, imported.appointments[0].holds_time
(Unrecognized(value='legacy_state_4'), True)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import Unrecognized, as_tuple, items, of_type, text
from patientsky.models.calendar import (
    Appointment,
    AppointmentStatus,
    Calendar,
    CalendarKind,
    Schedule,
    TimeSlot,
    TimeSlotType,
    to_oslo,
)
from patientsky.models.identity import NationalId
from patientsky.models.people import Address, ContactDetails, Gender, Patient, PersonName

__all__ = [
    "ImportProblem",
    "ImportedCalendars",
    "demo_exports",
    "load_calendar_export",
    "load_folder",
]

T = TypeVar("T")

_REQUIRED_LISTS = ("timeslottypes", "timeslots", "appointments")
_DICT_SOURCE = "<dict>"
_BOOKED_STATE = 0


@attrs.frozen
class ImportProblem:
    """
    A record left out of a lenient import, and why.

    Args:
        source: The file it came from (its name), or ``"<dict>"``.
        path: The JSON path of the bad value, such as ``patient_meta.<uuid>.personal_id``.
        message: What is wrong; never repeats a national identity number.
    """

    source: str = attrs.field(validator=text(1000))
    path: str = attrs.field(validator=text(1000, empty=True))
    message: str = attrs.field(validator=text(1000))

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message}"


def _merge_patients(patients: Iterable[Patient]) -> tuple[Patient, ...]:
    merged: dict[str, Patient] = {}
    for patient in patients:
        known = merged.get(patient.id)
        if known is None:
            merged[patient.id] = patient
            continue
        # The same patient may be in exports of several clinics.
        clinics = tuple(sorted({*known.clinic_ids, *patient.clinic_ids}))
        if attrs.evolve(known, clinic_ids=clinics) != attrs.evolve(patient, clinic_ids=clinics):
            raise InvalidInput(f"patient_meta.{patient.id}", "differs between the files")
        merged[patient.id] = attrs.evolve(known, clinic_ids=clinics)
    return tuple(sorted(merged.values(), key=lambda p: p.id))


@attrs.frozen
class ImportedCalendars:
    """
    Everything read from one or more calendar exports.

    Args:
        schedule: The calendars, time slot types, time slots and appointments.
        patients: The patients of ``patient_meta``, sorted by id.
        problems: What a lenient import left out (empty after a strict one).
        sources: The files read, in the order they were read.
    """

    schedule: Schedule = attrs.field(factory=Schedule, validator=of_type(Schedule))
    patients: tuple[Patient, ...] = attrs.field(
        default=(), converter=_merge_patients, validator=items(of_type(Patient)), repr=False
    )
    problems: tuple[ImportProblem, ...] = attrs.field(
        default=(), converter=as_tuple, validator=items(of_type(ImportProblem))
    )
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=items(text()))

    @property
    def calendars(self) -> tuple[Calendar, ...]:
        """The calendars, sorted by id."""
        return self.schedule.calendars

    @property
    def time_slot_types(self) -> tuple[TimeSlotType, ...]:
        """The time slot types, sorted by id."""
        return self.schedule.time_slot_types

    @property
    def time_slots(self) -> tuple[TimeSlot, ...]:
        """The time slots, sorted by id."""
        return self.schedule.time_slots

    @property
    def appointments(self) -> tuple[Appointment, ...]:
        """The appointments, sorted by id."""
        return self.schedule.appointments

    def patient(self, patient_id: str) -> Patient | None:
        """Return the patient with this id, or None."""
        for patient in self.patients:
            if patient.id == patient_id:
                return patient
        return None

    def find_calendar(self, key: str) -> Calendar | None:
        """
        Return the calendar with this id, or else the one with this name (ignoring case).

        Returns:
            The calendar, or None if there is none, or the name is not unique.
        """
        by_id = self.schedule.calendar(key)
        if by_id is not None:
            return by_id
        named = [c for c in self.calendars if c.name.casefold() == key.strip().casefold()]
        return named[0] if len(named) == 1 else None

    def merge(self, other: ImportedCalendars) -> ImportedCalendars:
        """
        Return one import with everything of both.

        A calendar in both keeps this import's name.

        Raises:
            InvalidInput: If the same id names different things in the two.
        """
        names = {c.id: c.name for c in self.calendars}
        theirs = attrs.evolve(
            other.schedule,
            calendars=[attrs.evolve(c, name=names.get(c.id, c.name)) for c in other.calendars],
        )
        return ImportedCalendars(
            schedule=self.schedule.merge(theirs),
            patients=[*self.patients, *other.patients],
            problems=[*self.problems, *other.problems],
            sources=[*self.sources, *other.sources],
        )


class _Reader:
    """Reads one export; strict, it raises at the first bad record; lenient, it notes it."""

    def __init__(self, source: str, *, strict: bool, allow_synthetic: bool) -> None:
        self.source = source
        self.strict = strict
        self.allow_synthetic = allow_synthetic
        self.problems: list[ImportProblem] = []

    def problem(self, path: str, message: str, *, always_strict: bool = False) -> None:
        """Raise (strict) or note (lenient) a bad value at ``path``."""
        if self.strict or always_strict:
            raise InvalidInput(path, message)
        self.problems.append(ImportProblem(self.source, path, message))

    def record(
        self, path: str, read: Callable[..., T], *args: Any, always_strict: bool = False
    ) -> T | None:
        """Return ``read(*args)``; a bad value raises (strict), or is noted, giving None."""
        try:
            return read(*args)
        except InvalidInput as exc:
            field = exc.field if exc.field.startswith(path) else _join(path, exc.field)
            self.problem(field, exc.message, always_strict=always_strict)
            return None


def _join(path: str, field: str) -> str:
    if not field:
        return path
    return f"{path}{field}" if field.startswith("[") else f"{path}.{field}"


def _get(
    obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *, null: bool = False
) -> Any:
    if key not in obj:
        raise InvalidInput(key, "is missing")
    value = obj[key]
    if value is None and null:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise InvalidInput(key, f"must be {_names(kinds)}, not a boolean")
    if not isinstance(value, kinds):
        raise InvalidInput(key, f"must be {_names(kinds)}, not {_json_type(value)}")
    return value


def _names(kinds: tuple[type, ...]) -> str:
    return " or ".join(_JSON_NAMES.get(k, k.__name__) for k in kinds)


_JSON_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _time(obj: Mapping[str, Any], key: str) -> dt.datetime:
    text = _get(obj, key, str)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(key, "is not an ISO 8601 date and time") from None
    return to_oslo(value, field=key)


def _record(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput("", f"must be an object, not {_json_type(value)}")
    return value


def _read_type(raw: Any) -> TimeSlotType:
    obj = _record(raw)
    return TimeSlotType(
        id=_get(obj, "id", str),
        clinic_id=_get(obj, "clinic_id", str),
        name=_get(obj, "name", str),
        slot_minutes=_positive(obj, "slot_size"),
        public_bookable=_get(obj, "public_bookable", bool),
    )


def _positive(obj: Mapping[str, Any], key: str) -> int:
    value: int = _get(obj, key, int)
    if value <= 0:
        raise InvalidInput(key, "must be positive")
    return value


def _type_is_bookable(raw: Mapping[str, Any]) -> bool:
    return raw.get("deleted") is None and raw.get("out_of_office") is not True


def _read_slot(raw: Any) -> tuple[TimeSlot, bool]:
    """Return the slot, and whether it is bookable time (not out of office)."""
    obj = _record(raw)
    slot = TimeSlot(
        id=_get(obj, "id", str),
        calendar_id=_get(obj, "calendar_id", str),
        type_id=_get(obj, "type_id", str),
        start=_time(obj, "start"),
        end=_time(obj, "end"),
        public_bookable=_get(obj, "public_bookable", bool),
    )
    return slot, obj.get("out_of_office") is not True


def _read_appointment(raw: Any) -> Appointment:
    obj = _record(raw)
    state = _get(obj, "state", int)
    status: AppointmentStatus | Unrecognized = (
        AppointmentStatus.BOOKED
        if state == _BOOKED_STATE
        else Unrecognized(f"legacy_state_{state}")
    )
    return Appointment(
        id=_get(obj, "id", str),
        calendar_id=_get(obj, "calendar_id", str),
        start=_time(obj, "start"),
        end=_time(obj, "end"),
        patient_id=_get(obj, "patient_id", str, null=True),
        type_id=_get(obj, "time_slot_type_id", str, null=True),
        status=status,
    )


def _addresses(meta: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Return every address record with its path, home contacts first."""
    contacts = _get(meta, "contacts", list, null=True) or []
    found: list[tuple[bool, int, str, Mapping[str, Any]]] = []
    for i, contact in enumerate(contacts):
        if not isinstance(contact, dict):
            raise InvalidInput(f"contacts[{i}]", f"must be an object, not {_json_type(contact)}")
        home = contact.get("location") == "home"
        for j, raw in enumerate(contact.get("addresses") or []):
            if not isinstance(raw, dict):
                raise InvalidInput(f"contacts[{i}].addresses[{j}]", "must be an object")
            found.append((not home, len(found), f"contacts[{i}].addresses[{j}]", raw))
    return [(path, raw) for _, _, path, raw in sorted(found, key=lambda f: (f[0], f[1]))]


def _email(raw: Mapping[str, Any]) -> str:
    value: str = _get(raw, "address", str)
    ContactDetails(email=value)
    return value


def _phone(raw: Mapping[str, Any]) -> str:
    number = _get(raw, "number", (str, int))
    # Without a country code the number is Norwegian.
    country = _get(raw, "country_code", (int, str), null=True) if "country_code" in raw else None
    country = country or 47
    digits = str(number).replace(" ", "")
    value = digits if digits.startswith("+") else f"+{country}{digits}"
    try:
        ContactDetails(phone=value)
    except InvalidInput:
        raise InvalidInput("number", "is not a phone number") from None
    return value


def _postal(raw: Mapping[str, Any]) -> Address:
    street = _get(raw, "street", str)
    number = raw.get("number")
    identifier = raw.get("identifier") or ""
    house = f"{number}{identifier}" if number not in (None, "") else ""
    postal_code = _get(raw, "postal_code", (str, int))
    # A number loses the leading zero of Oslo's codes (0650); Norwegian codes have four digits.
    code = f"{postal_code:04d}" if isinstance(postal_code, int) else postal_code
    try:
        return Address(
            street=f"{street} {house}".strip(),
            postal_code=code,
            city=_get(raw, "postal_area", str),
            country=raw.get("country") or "NO",
        )
    except InvalidInput as exc:
        raise InvalidInput(_ADDRESS_KEYS.get(exc.field, exc.field), exc.message) from None


_ADDRESS_KEYS = {"street": "street", "postal_code": "postal_code", "city": "postal_area"}
_CONTACT_READERS: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "email": _email,
    "phone": _phone,
    "address": _postal,
}


def _contact(meta: Mapping[str, Any], reader: _Reader, path: str) -> ContactDetails:
    chosen: dict[str, Any] = {}
    for address_path, raw in _addresses(meta):
        kind = raw.get("address_type")
        if not isinstance(kind, str) or kind not in _CONTACT_READERS or kind in chosen:
            continue
        if kind == "phone" and raw.get("type") not in (None, "mobile"):
            continue
        value = reader.record(f"{path}.{address_path}", _CONTACT_READERS[kind], raw)
        if value is not None:
            chosen[kind] = value
    return ContactDetails(
        email=chosen.get("email"), phone=chosen.get("phone"), address=chosen.get("address")
    )


def _read_patient(
    patient_id: str, raw: Any, clinic_ids: tuple[str, ...], reader: _Reader
) -> Patient:
    path = f"patient_meta.{patient_id}"
    meta = _record(raw)
    national_id = _national_id(meta, allow_synthetic=reader.allow_synthetic)
    birth = _get(meta, "birth_date", str)
    try:
        birth_date = dt.date.fromisoformat(birth)
    except ValueError:
        raise InvalidInput("birth_date", "is not an ISO 8601 date") from None
    gender_text = _get(meta, "gender", str, null=True)
    try:
        gender = Gender(gender_text) if gender_text else Gender.UNKNOWN
    except ValueError:
        raise InvalidInput("gender", "must be female, male, other or unknown") from None
    return Patient(
        id=patient_id,
        national_id=national_id,
        name=PersonName(
            given=_get(meta, "firstname", str),
            family=_get(meta, "lastname", str),
            middle=_get(meta, "middlename", str, null=True) or None,
        ),
        birth_date=birth_date,
        contact=_contact(meta, reader, path),
        clinic_ids=clinic_ids,
        gender=gender,
    )


def _national_id(meta: Mapping[str, Any], *, allow_synthetic: bool) -> NationalId:
    text = _get(meta, "personal_id", str)
    try:
        return NationalId.parse(text, allow_synthetic=allow_synthetic)
    except InvalidInput as exc:
        raise InvalidInput("personal_id", exc.message) from None


def _name_from(source: str) -> str:
    return Path(source).stem.replace("_", " ").strip() or source


def _clinic_of(types: Iterable[TimeSlotType]) -> str:
    clinics = sorted({t.clinic_id for t in types})
    if len(clinics) != 1:
        how = "no time slot type names it" if not clinics else "the time slot types name several"
        raise InvalidInput("timeslottypes", f"cannot tell the calendars' clinic: {how}")
    return clinics[0]


def _read_export(
    document: Any,
    reader: _Reader,
    *,
    name: str | None,
    clinic_id: str | None,
) -> ImportedCalendars:
    if not isinstance(document, dict):
        raise InvalidInput("", f"the export must be a JSON object, not {_json_type(document)}")
    for key in _REQUIRED_LISTS:
        if key not in document:
            raise InvalidInput(key, "is missing")
        if not isinstance(document[key], list):
            raise InvalidInput(key, f"must be a list, not {_json_type(document[key])}")
    patient_meta = document.get("patient_meta", {})
    if not isinstance(patient_meta, dict):
        raise InvalidInput("patient_meta", f"must be an object, not {_json_type(patient_meta)}")

    types: dict[str, TimeSlotType] = {}
    bookable_types: set[str] = set()
    for i, raw in enumerate(document["timeslottypes"]):
        slot_type = reader.record(f"timeslottypes[{i}]", _read_type, raw)
        if slot_type is not None:
            types[slot_type.id] = slot_type
            if _type_is_bookable(raw):
                bookable_types.add(slot_type.id)

    slots: list[TimeSlot] = []
    calendar_ids: set[str] = set()
    for i, raw in enumerate(document["timeslots"]):
        path = f"timeslots[{i}]"
        read = reader.record(path, _read_slot, raw)
        if read is None:
            continue
        slot, in_office = read
        calendar_ids.add(slot.calendar_id)
        if slot.type_id not in types:
            reader.problem(f"{path}.type_id", "is not a time slot type of the export")
        elif in_office and slot.type_id in bookable_types:
            slots.append(slot)

    appointments: list[Appointment] = []
    for i, raw in enumerate(document["appointments"]):
        appointment = reader.record(
            f"appointments[{i}]", _read_appointment, raw, always_strict=True
        )
        if appointment is not None:
            appointments.append(appointment)
            calendar_ids.add(appointment.calendar_id)

    clinic = clinic_id if clinic_id is not None else _clinic_of(types.values())
    ordered_ids = sorted(calendar_ids)
    calendars = [
        Calendar(
            id=cid,
            clinic_id=clinic,
            name=_calendar_name(name, cid, several=len(ordered_ids) > 1),
            kind=CalendarKind.PRACTITIONER,
            practitioner_id=cid,
        )
        for cid in ordered_ids
    ]

    patients: list[Patient] = []
    for patient_id, raw in sorted(patient_meta.items()):
        patient = reader.record(
            f"patient_meta.{patient_id}",
            _read_patient,
            patient_id,
            raw,
            (clinic,),
            reader,
        )
        if patient is not None:
            patients.append(patient)

    schedule = Schedule(
        calendars=calendars,
        time_slot_types=types.values(),
        time_slots=slots,
        appointments=appointments,
    )
    return ImportedCalendars(
        schedule=schedule,
        patients=patients,
        problems=reader.problems,
        sources=(reader.source,),
    )


def _calendar_name(name: str | None, calendar_id: str, *, several: bool) -> str:
    if name is None:
        return calendar_id
    return f"{name} {calendar_id[:8]}" if several else name


def load_calendar_export(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    name: str | None = None,
    clinic_id: str | None = None,
    strict: bool = True,
    allow_synthetic: bool = False,
) -> ImportedCalendars:
    """
    Read one PatientSky calendar export.

    Args:
        source: A path to the JSON file, or the decoded JSON object itself.
        name: The calendars' name; by default the file's name (``Danny_boy.json`` gives
            ``Danny boy``), or the calendar id for a dict.
        clinic_id: The calendars' clinic; by default the one the time slot types name.
        strict: Raise at the first bad record (True), or leave bad records out and list
            them in ``ImportedCalendars.problems`` (False). Bad appointments always
            raise.
        allow_synthetic: Accept synthetic test national identity numbers.

    Returns:
        The calendars, time slot types, time slots, appointments and patients.

    Raises:
        InvalidInput: If the file cannot be read, is not JSON or not an export, or (strict)
            a record is bad; the field is the JSON path, the message names the file.
    """
    if isinstance(source, Mapping):
        reader = _Reader(_DICT_SOURCE, strict=strict, allow_synthetic=allow_synthetic)
        document: Any = dict(source)
    else:
        path = Path(source)
        reader = _Reader(path.name, strict=strict, allow_synthetic=allow_synthetic)
        try:
            with path.open("rb") as file:
                document = json.load(file)
        except OSError as exc:
            raise InvalidInput("", f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InvalidInput("", f"{path.name} is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise InvalidInput("", f"{path.name} is not JSON: {exc.msg} at {where}") from None
        if name is None:
            name = _name_from(path.name)
    try:
        return _read_export(document, reader, name=name, clinic_id=clinic_id)
    except InvalidInput as exc:
        if reader.source == _DICT_SOURCE:
            raise
        raise InvalidInput(exc.field, f"{exc.message} (in {reader.source})") from None


def demo_exports() -> Path:
    """
    Return the folder of PatientSky calendar exports shipped with the package.

    Three files, ``Danny_boy.json``, ``Emma_Win.json`` and ``Joanna_Hef.json``: the
    calendars of PatientSky's own export of April 2019 (the sandbox's practitioners),
    without their ``patient_meta`` (whose numbers pass as real ones). They ship in every
    install, no extra needed; ``patientsky availability --demo`` reads them too.

    >>> imported = load_folder(demo_exports())
    >>> sorted(c.name for c in imported.calendars)
    ['Danny boy', 'Emma Win', 'Joanna Hef']
    """
    return Path(__file__).resolve().parents[1] / "data" / "calendar-exports"


def load_folder(
    folder: str | os.PathLike[str],
    *,
    clinic_id: str | None = None,
    strict: bool = True,
    allow_synthetic: bool = False,
) -> ImportedCalendars:
    """
    Read every ``*.json`` export in a folder (sorted by name) and merge them.

    Args:
        folder: The folder.
        clinic_id: The calendars' clinic; by default the one each file's types name.
        strict: As for :func:`load_calendar_export`.
        allow_synthetic: Accept synthetic test national identity numbers.

    Returns:
        Everything of every file, merged.

    Raises:
        InvalidInput: If the folder does not exist or holds no export, a file is bad
            (see :func:`load_calendar_export`), or two files disagree about one id.
    """
    path = Path(folder)
    if not path.is_dir():
        raise InvalidInput("", f"{path} is not a folder")
    files = sorted(path.glob("*.json"))
    if not files:
        raise InvalidInput("", f"{path} holds no .json calendar export")
    result = ImportedCalendars()
    for file in files:
        result = result.merge(
            load_calendar_export(
                file, clinic_id=clinic_id, strict=strict, allow_synthetic=allow_synthetic
            )
        )
    return result
