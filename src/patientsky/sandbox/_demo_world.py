"""
Reads the demo world from its data file (``demo_world.json``), with times relative to now.

The file holds each record in the wire format (camelCase keys, enums as values, the
form :mod:`patientsky.wire` reads), so the attrs models validate every record as it is
read; an error names the record and the field. Times are written relative to the
sandbox clock, so the demo stays fresh whenever it is built:

- ``"@now-2d+3h"``: a time, now plus or minus days (``d``), hours (``h``), minutes
  (``m``); ``"@now"`` alone is now.
- ``"@oslo:today+21d@10:00"``: a wall-clock time in Oslo on a day relative to today
  there, ``"@oslo:year-1-06-10@09:00+90d"``: on a date of this year (or one before or
  after), then optionally moved by whole days, hours or minutes.
- ``"@date:today+40d-9y"``: a date, today in Oslo moved by days then years (the 29th of
  February becomes the 28th in a year without it); ``"@date:year-1-10-09"``: a date of
  this year, or one before or after.
- A time ending in ``|past`` is at most an hour before now (a payment is never ahead).
- ``{year}`` and ``{lastYear}`` in any text are this year and the one before (invoice
  numbers).
- A patient's ``"nationalId": "@synthetic"`` (or ``"@synthetic:7"``) is the synthetic
  test number (month + 80) for their birth date, starting at individual number 7.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any

from patientsky.errors import InvalidInput, PatientSkyError
from patientsky.models.calendar import OSLO
from patientsky.sandbox._demo_common import synthetic_national_id

__all__ = ["DemoWorldError", "read_world", "resolve"]

WORLD_FILE = "demo_world.json"
"""The data file's name, in the package :mod:`patientsky.sandbox`."""

_STEP = re.compile(r"([+-])(\d+)([ydhm])")
_NOW = re.compile(r"@now((?:[+-]\d+[dhm])*)")
_OSLO = re.compile(
    r"@oslo:(?:today((?:[+-]\d+d)*)|year([+-]\d+)?-(\d\d)-(\d\d))@(\d\d):(\d\d)((?:[+-]\d+[dhm])*)"
)
_DATE = re.compile(r"@date:(?:today((?:[+-]\d+[dy])*)|year([+-]\d+)?-(\d\d)-(\d\d))")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class DemoWorldError(PatientSkyError):
    """The demo world's data file is not valid; the message names the record and field."""


def _delta(steps: str) -> dt.timedelta:
    total = dt.timedelta()
    for sign, number, unit in _STEP.findall(steps):
        step = dt.timedelta(**{_UNITS[unit]: int(number)})
        total += step if sign == "+" else -step
    return total


def _move_date(day: dt.date, steps: str) -> dt.date:
    for sign, number, unit in _STEP.findall(steps):
        n = int(number) if sign == "+" else -int(number)
        if unit == "d":
            day += dt.timedelta(days=n)
        else:
            try:
                day = day.replace(year=day.year + n)
            except ValueError:  # 29 February
                day = day.replace(year=day.year + n, day=28)
    return day


def _time(text: str, now: dt.datetime) -> str:
    expression, _, rule = text.partition("|")
    if rule not in ("", "past"):
        raise ValueError(f"unknown rule {rule!r} (only |past)")
    found = _NOW.fullmatch(expression)
    if found:
        value = now + _delta(found[1])
    elif match := _OSLO.fullmatch(expression):
        days, years, month, day_of_month, hour, minute, after = match.groups()
        today = now.astimezone(OSLO).date()
        if month is None:
            day = _move_date(today, days)
        else:
            day = dt.date(today.year + int(years or 0), int(month), int(day_of_month))
        value = dt.datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=OSLO)
        value += _delta(after)
    elif match := _DATE.fullmatch(expression):
        if rule:
            raise ValueError("a date takes no rule")
        steps, years, month, day_of_month = match.groups()
        today = now.astimezone(OSLO).date()
        if month is not None:
            year = today.year + int(years or 0)
            return dt.date(year, int(month), int(day_of_month)).isoformat()
        return _move_date(today, steps).isoformat()
    else:
        raise ValueError(f"{text!r} is not a time this file understands (see its rules)")
    if rule == "past":
        value = min(value, now - dt.timedelta(hours=1))
    return value.isoformat()


def resolve(data: Any, now: dt.datetime, where: str = "") -> Any:
    """
    Return ``data`` with its relative times and year placeholders filled in for ``now``.

    Raises:
        DemoWorldError: Naming where a value is not understood.
    """
    if isinstance(data, dict):
        out = {k: resolve(v, now, f"{where}.{k}" if where else k) for k, v in data.items()}
        synthetic = out.get("nationalId")
        if isinstance(synthetic, str) and synthetic.startswith("@synthetic"):
            start = synthetic.partition(":")[2] or "0"
            try:
                birth = dt.date.fromisoformat(out["birthDate"])
                out["nationalId"] = synthetic_national_id(birth, int(start)).reveal()
            except (KeyError, TypeError, ValueError):
                raise DemoWorldError(
                    f"{WORLD_FILE}: {where}.nationalId: @synthetic needs a birthDate"
                    " and a whole number after the colon"
                ) from None
        return out
    if isinstance(data, list):
        return [resolve(v, now, f"{where}[{i}]") for i, v in enumerate(data)]
    if isinstance(data, str) and data.startswith("@") and not data.startswith("@synthetic"):
        try:
            return _time(data, now)
        except ValueError as exc:
            raise DemoWorldError(f"{WORLD_FILE}: {where}: {exc}") from None
    if isinstance(data, str) and "{" in data:
        year = now.astimezone(OSLO).year
        return data.replace("{year}", str(year)).replace("{lastYear}", str(year - 1))
    return data


def read_world(now: dt.datetime, text: str | None = None) -> dict[str, Any]:
    """
    Read the demo world's data file (or ``text``), with its times filled in for ``now``.

    Raises:
        DemoWorldError: If it is not JSON, or a value is not understood.
    """
    if text is None:
        text = resources.files("patientsky.sandbox").joinpath(WORLD_FILE).read_text("utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DemoWorldError(f"{WORLD_FILE}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DemoWorldError(f"{WORLD_FILE}: must be a JSON object of record lists")
    resolved = resolve(data, now)
    assert isinstance(resolved, dict)  # noqa: S101 - resolve keeps an object an object
    return resolved


def structure(converter: Any, data: dict[str, Any], section: str, cls: type[Any]) -> Any:
    """
    Return the records of ``section`` as ``cls`` instances, through the wire converter.

    Raises:
        DemoWorldError: Naming the section, the record's index and id, and the field.
    """
    records = data.get(section)
    if not isinstance(records, list):
        raise DemoWorldError(f"{WORLD_FILE}: {section}: must be a list of records")
    out = []
    for i, record in enumerate(records):
        try:
            out.append(converter.structure(record, cls))
        except InvalidInput as exc:
            ident = record.get("id") if isinstance(record, dict) else None
            named = f" ({ident})" if isinstance(ident, str) else ""
            field = exc.field or "the record"
            raise DemoWorldError(
                f"{WORLD_FILE}: {section}[{i}]{named}.{field}: {exc.message}"
            ) from None
    return tuple(out)
