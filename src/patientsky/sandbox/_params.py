"""
Path and query parameters, read and checked by the router from the operation's declaration.

A declared parameter's schema is the check: its type (string, integer, boolean), bounds
(``minimum``, ``maximum``, ``minLength``, ``maxLength``), ``pattern``, ``enum`` and
``format: date-time``. A value outside them is a 400 ``invalid_input`` naming the
parameter, before the handler runs; the handler reads the typed value (its default
applied) from :attr:`Ctx.params <patientsky.sandbox._context.Ctx.params>`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from patientsky.errors import InvalidInput
from patientsky.sandbox._http import ApiProblem, Call
from patientsky.sandbox._parts import Schema
from patientsky.wire import WireConverter

__all__ = ["query_choice", "query_int", "query_text", "read_params"]

_ASCII_INT = re.compile(r"-?[0-9]{1,12}")
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _bad(name: str, message: str) -> ApiProblem:
    return ApiProblem(400, "invalid_input", f"{name}: {message}", errors=((name, message),))


def _integer(name: str, raw: str, schema: Schema) -> int:
    low, high = schema.get("minimum"), schema.get("maximum")
    # ASCII digits only (str.isdigit also takes "²" and "٣"), and few enough of them that
    # the number is read whole: never a prefix of it, never a huge int.
    if _ASCII_INT.fullmatch(raw) is None or (
        (low is not None and int(raw) < low) or (high is not None and int(raw) > high)
    ):
        bounds = f" from {low} to {high}" if low is not None and high is not None else ""
        raise _bad(name, f"must be an integer{bounds}")
    return int(raw)


def _text(name: str, raw: str, schema: Schema, converter: WireConverter) -> Any:
    if "enum" in schema:
        if raw not in schema["enum"]:
            raise _bad(name, "must be one of: " + ", ".join(schema["enum"]))
        return raw
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(raw) < low or (high is not None and len(raw) > high) or _HIDDEN.search(raw):
        most = f"at most {high}" if high is not None else "any number of"
        least = f"at least {low} and " if low else ""
        raise _bad(name, f"must be {least}{most} characters of visible text")
    pattern = schema.get("pattern")
    if pattern is not None and re.search(pattern, raw) is None:
        raise _bad(name, f"must match {pattern}")
    if schema.get("format") == "date-time":
        try:
            return converter.structure(raw, dt.datetime)
        except InvalidInput as exc:
            raise _bad(name, exc.message) from None
    return raw


def _value(name: str, raw: str, schema: Schema, converter: WireConverter) -> Any:
    kind = schema.get("type", "string")
    if kind == "integer":
        return _integer(name, raw, schema)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise _bad(name, "must be true or false")
        return raw == "true"
    return _text(name, raw, schema, converter)


def read_params(declared: Iterable[Schema], call: Call, converter: WireConverter) -> dict[str, Any]:
    """
    Read and check the declared path and query parameters of a call.

    Args:
        declared: The operation's parameters (header ones are skipped).
        call: The request.
        converter: Reads ``date-time`` values.

    Returns:
        Each parameter's typed value, its default if absent (None if it has none).

    Raises:
        ApiProblem: 400 ``invalid_input`` naming the first parameter that is missing
            (and required) or outside its schema.
    """
    values: dict[str, Any] = {}
    for param in declared:
        where, name, schema = param.get("in"), param["name"], param.get("schema", {})
        if where not in ("query", "path"):
            continue
        source: Mapping[str, str] = call.query if where == "query" else call.path_params
        raw = source.get(name)
        if raw is None:
            if param.get("required"):
                raise _bad(name, "is required")
            values[name] = schema.get("default")
            continue
        values[name] = _value(name, raw, schema, converter)
    return values


def query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """
    Read an integer query parameter that is not declared (a declared one is checked already).

    Raises:
        ApiProblem: 400 naming the parameter if it is not an integer in ``[low, high]``.
    """
    raw = query.get(name)
    if raw is None:
        return default
    return _integer(name, raw, {"minimum": low, "maximum": high})


def query_text(query: Mapping[str, str], name: str, max_len: int = 200) -> str:
    """
    Read a free-text query parameter that is not declared ("" if absent).

    Raises:
        ApiProblem: 400 naming the parameter if it is too long or holds control,
            bidirectional or zero-width characters.
    """
    raw = query.get(name, "")
    if len(raw) > max_len or _HIDDEN.search(raw) is not None:
        raise _bad(name, f"must be at most {max_len} characters of visible text")
    return raw


def query_choice(query: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """
    Read an undeclared query parameter that takes one of ``choices`` (the first is default).

    Raises:
        ApiProblem: 400 naming the parameter otherwise.
    """
    raw = query.get(name, choices[0])
    if raw not in choices:
        raise _bad(name, "must be one of: " + ", ".join(choices))
    return raw
