"""
The wire's fast path: generated per-class code that checks each value once, over orjson.

The reference path is cattrs with the hooks of :mod:`patientsky.wire._hooks`: every value
goes through a hook, every object through cattrs' generated code with its error
collection, and the model's constructor validates again. The fast path does the same
work once, in one function per class written for that class's fields:

- a JSON value of the wrong type, a missing key, an unknown enum value of a plain enum
  field, any error from a model's constructor: the fast path gives up (:class:`Fallback`,
  or whatever the constructor raised) and the converter runs the reference path on the
  same input, so every error, with its wire path, message and notes, is the reference's;
- a value it accepts is built from the same values the reference hooks would give it:
  each JSON value is read and type-checked in the generated code itself (strings,
  numbers, enums, timestamps, arrays), the model's converters and validators are
  written out where the value is known to be of the type they check (text rules, NFC;
  printable text, which can hold no forbidden character, skips the search), and the
  object is filled slot by slot, as attrs' ``__init__`` would, then its
  ``__attrs_post_init__`` runs. A validator it cannot write out runs as attrs runs it.

``loads`` of bytes or text reads the document through msgspec first: structs that
mirror the classes (wire keys, the JSON type of each field, unknown keys refused, so
that no value is skipped unchecked) take the parsing and the JSON type checks, and the
same generated code, reading struct fields instead of dict keys, does the rest. A
document msgspec does not take goes to orjson and the dicts' code, then to the
reference. Long text that is Latin-1 without control characters is checked in one
regex pass (it is its own NFC form and holds no forbidden character); a timestamp of
the shape the encoder writes for a whole second is recognised by its separators.

Encoding builds the same dicts as the reference, except that, for ``dumps``, a
datetime whose offset orjson writes exactly as :meth:`datetime.isoformat` does (UTC,
fixed whole-minute offsets, Europe/Oslo from 1900) is left for orjson to write, and so
is a tuple orjson writes as the reference's list (empty, or of strings and numbers).
``dumps`` builds msgspec structs instead of those dicts (:data:`STRUCTS`: one struct
class per model class, fields in order under the wire keys) and msgspec writes them;
msgspec writes a zero offset as "Z", so a UTC datetime is written as text first. The
items of a type variable (a bare ``Page``) are written by one loop per sequence,
generated for the class of the first item; an item of another class is written by its
own class.

A property test in ``tests/wire`` compares the two paths on generated documents, valid
and damaged: the same objects, the same bytes, the same errors.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import types
import typing
import unicodedata
from collections.abc import Callable
from typing import Any

import attrs
import orjson

from patientsky.models import Unrecognized, _base
from patientsky.models.calendar import OSLO
from patientsky.wire import _hooks

__all__ = ["Fallback", "FastPaths"]

Fn = Callable[[Any], Any]


class Fallback(Exception):
    """The fast path does not decide this value; the reference path does."""


class _Unsupported(Exception):
    """A type the fast encoder does not write (the reference path writes it)."""


_MISSING = object()
_ITEMS_BY_CLASS = object()  # the key of FastPaths._items_by_class in its unstructure cache
_WRITER = object()  # the first half of the keys of FastPaths.writer in the same cache
# What _hooks.structure_datetime accepts: its pattern with the offset required.
_RFC3339_WITH_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
# The shape written out in the generated code: uppercase T and Z, parsed by fromisoformat
# as it is; anything else (lowercase, no offset, not a timestamp) goes to the hook.
_RFC3339_FAST = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
# The two shapes the encoder writes for a whole second, found without a regex: the
# characters at 4, 7, ..., 22 of the text (its separators, every third character), with
# the length they come with. The rest of such a text is digits, or fromisoformat refuses
# it; any other shape is matched by _RFC3339_FAST.
_WHOLE_SECOND_SHAPES = {"--T::+:": 25, "--T::-:": 25, "--T::Z": 20}
_UTC = dt.UTC
# Long text (a message body) is checked in one pass where it is Latin-1 only: without a
# carriage return, a control character or anything beyond U+00FF, a text is its own NFC
# form (no Latin-1 character decomposes or composes with another) and holds no character
# the text rules forbid (a test checks both), so neither normalising nor the search can
# change the outcome. Other text takes the general path. Short text is cheaper to check
# with str methods than with a regex call.
_LATIN1_LINES = re.compile("[\t\n\x20-\x7e\xa0-\xff]*").fullmatch
_LATIN1_LINE = re.compile("[\x20-\x7e\xa0-\xff]*").fullmatch
_LONG_TEXT = 1_000  # a field allowing longer text than this is checked in one pass


def _str_checked(value: Any) -> str:
    # Text that did not come from orjson may hold a lone surrogate.
    if value.__class__ is not str:
        raise Fallback
    if not value.isascii():
        value.encode("utf-8")  # UnicodeEncodeError: the reference names it
    return value


def _str_trusted(value: Any) -> str:
    if value.__class__ is not str:
        raise Fallback
    return value


def _int(value: Any) -> int:
    if value.__class__ is not int:
        raise Fallback
    return value


def _bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise Fallback


# Fixed offsets orjson writes as isoformat does: UTC and the whole-minute ones met so far
# (at most one per minute of offset, about 2,900). Only ``datetime.timezone`` objects,
# which cannot be subclassed, are put in it or looked up in it: a tzinfo of another class
# that calls itself equal to one of them is not taken for it.
_WHOLE_MINUTE_ZONES: set[dt.timezone] = {_UTC}
# Before it, Europe/Oslo may be local mean time, whose offset has seconds.
_OSLO_1900 = dt.datetime(1900, 1, 1, tzinfo=OSLO)


def _datetime_native(value: dt.datetime) -> Any:
    """Return ``value`` itself where orjson writes it as isoformat does, else its text."""
    tz = value.tzinfo
    if tz is OSLO:
        if value.year >= 1900:
            return value
    elif tz.__class__ is dt.timezone:
        if tz in _WHOLE_MINUTE_ZONES:
            return value
        offset = tz.utcoffset(None)
        if not (offset.seconds % 60 or offset.microseconds):
            _WHOLE_MINUTE_ZONES.add(tz)
            return value
    # Local mean time before 1900 has offsets with seconds; naive values are refused.
    return _hooks.unstructure_datetime(value)


# ``native`` for msgspec: FastPaths.unstructurer writes structs that msgspec encodes.
STRUCTS = 2
# Fixed offsets msgspec writes as isoformat does: those of _WHOLE_MINUTE_ZONES but zero,
# which msgspec writes as "Z" where isoformat writes "+00:00".
_NONZERO_WHOLE_MINUTE_ZONES: set[dt.timezone] = set()


def _datetime_struct(value: dt.datetime) -> Any:
    """Return ``value`` itself where msgspec writes it as isoformat does, else its text."""
    tz = value.tzinfo
    if tz is OSLO:  # never a zero offset, and from 1900 never one with seconds
        if value >= _OSLO_1900:
            return value
    elif tz.__class__ is dt.timezone:
        if tz in _NONZERO_WHOLE_MINUTE_ZONES:
            return value
        offset = tz.utcoffset(None)
        if offset and not (offset.seconds % 60 or offset.microseconds):
            _NONZERO_WHOLE_MINUTE_ZONES.add(tz)
            return value
    return _hooks.unstructure_datetime(value)


def _writer_namespace(native: int) -> dict[str, Any]:
    """The names the generated unstructure code uses, besides those of its fields."""
    structs = native == STRUCTS
    return {
        "_TZ": dt.timezone,
        "_OSLO": OSLO,
        "_O1900": _OSLO_1900,
        "_dn": _datetime_struct if structs else _datetime_native,
        "_whole": _NONZERO_WHOLE_MINUTE_ZONES if structs else _WHOLE_MINUTE_ZONES,
    }


def _union_args(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return ()


def _is_str_enum(tp: Any) -> bool:
    return _hooks.is_enum(tp) and all(isinstance(m.value, str) for m in tp)


def _substitute(tp: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(tp, typing.TypeVar):
        return mapping.get(tp, tp)
    args = typing.get_args(tp)
    if not args or not mapping:
        return tp
    new = tuple(a if a is Ellipsis else _substitute(a, mapping) for a in args)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[new]  # noqa: UP007 -- built from a tuple
    return tp.__origin__[new] if hasattr(tp, "__origin__") else tp


def _fields(tp: Any) -> list[tuple[attrs.Attribute[Any], Any]]:
    """The init fields of an attrs class (or generic alias) with their resolved types."""
    origin = typing.get_origin(tp) or tp
    hints = typing.get_type_hints(origin)
    params = getattr(origin, "__parameters__", ())
    mapping = dict(zip(params, typing.get_args(tp), strict=False)) if tp is not origin else {}
    return [
        (a, _substitute(hints.get(a.name, Any), mapping)) for a in attrs.fields(origin) if a.init
    ]


class FastPaths:
    """
    The fast structure and unstructure functions of one converter, made on first use.

    Args:
        converter: The configured wire converter, whose reference hooks the generated
            code calls for the types it does not write itself (dates, identifiers).
    """

    def __init__(self, converter: Any) -> None:
        self._converter = converter
        self._structure: dict[tuple[Any, bool], Fn] = {}
        self._struct: dict[Any, Fn | None] = {}
        self._unstructure: dict[tuple[Any, Any], Fn | None] = {}

    # --- structure ------------------------------------------------------------------------

    def structurer(self, tp: Any, *, trusted: bool) -> Fn:
        """
        Return a function building ``tp`` from decoded JSON, raising on anything unusual.

        Args:
            tp: The type to build.
            trusted: Whether the text comes from orjson (which never yields a lone
                surrogate), so that strings need only their type checked.
        """
        key = (tp, trusted)
        fn = self._structure.get(key)
        if fn is None:
            # A trampoline first, so that a class that contains itself terminates.
            self._structure[key] = lambda v: self._structure[key](v)
            try:
                if _hooks.is_attrs_object(tp):
                    fn = self._object_structurer(tp, trusted=trusted)
                else:
                    fn = self._value_structurer(tp, trusted=trusted)
            except Exception:  # noqa: BLE001 -- a type it cannot write code for
                fn = _always_fall_back
            self._structure[key] = fn
        return fn

    def _value_structurer(self, tp: Any, *, trusted: bool) -> Fn:
        if tp is str:
            return _str_trusted if trusted else _str_checked
        if tp is int:
            return _int
        if tp is bool:
            return _bool
        if tp is dt.datetime:
            return _hooks.structure_datetime
        if _is_str_enum(tp):
            return _enum_structurer(tp)
        if _hooks.is_enum_or_unrecognized(tp):
            return _enum_or_unrecognized_structurer(tp, trusted=trusted)
        args = _union_args(tp)
        if len(args) == 2 and types.NoneType in args:
            inner = self.structurer(
                next(a for a in args if a is not types.NoneType), trusted=trusted
            )
            return lambda v: None if v is None else inner(v)
        if _hooks.is_homogeneous_sequence(tp):
            item = self.structurer(typing.get_args(tp)[0], trusted=trusted)
            make = tuple if typing.get_origin(tp) is tuple else list

            def sequence(value: Any) -> Any:
                if value.__class__ is not list and value.__class__ is not tuple:
                    raise Fallback
                return make([item(v) for v in value])

            return sequence
        # Anything else (dates, identifiers, floats, ...): the reference hook itself.
        hook = self._converter.get_structure_hook(tp)
        return lambda v: hook(v, tp)

    def _object_structurer(self, tp: Any, *, trusted: bool) -> Fn:
        origin = typing.get_origin(tp) or tp
        namespace = _structure_namespace()
        body = self._object_code(tp, "o", "", namespace, trusted=trusted, chain=())
        lines = ["def structure(o):", *(f"    {line}" for line in body), "    return inst"]
        return _compile(lines, namespace, "structure", origin)

    def struct_decoder(self, tp: Any) -> Fn | None:
        """
        Return a function decoding JSON text into ``tp`` through msgspec, or None.

        msgspec parses the text into structs that mirror ``tp``'s classes (wire keys,
        JSON types: strings, integers, booleans, arrays, objects, null), refusing any
        other JSON type where a field has one; the generated code then does everything
        else :meth:`structurer` does, reading the structs' fields instead of dicts. None
        where msgspec is not installed or ``tp`` is not an attrs class.
        """
        if tp in self._struct:
            return self._struct[tp]
        self._struct[tp] = None  # while building, and if it cannot be built
        try:
            import msgspec  # only when a document is decoded: it takes a while to import
        except ImportError:  # pragma: no cover -- a dependency; the orjson path remains
            return None
        if not _hooks.is_attrs_object(tp):
            return None
        origin = typing.get_origin(tp) or tp
        namespace = _structure_namespace()
        namespace["_UNSET"] = msgspec.UNSET
        mirrors: dict[str, Any] = {}
        try:
            body = self._object_code(
                tp, "o", "", namespace, trusted=True, chain=(), mirrors=mirrors
            )
        except Exception:  # noqa: BLE001 -- a type it cannot write code for
            return None
        lines = ["def structure(o):", *(f"    {line}" for line in body), "    return inst"]
        build = _compile(lines, namespace, "structure", origin)
        decode = msgspec.json.Decoder(mirrors["o"]).decode

        def decode_and_build(data: Any) -> Any:
            return build(decode(data))

        self._struct[tp] = decode_and_build
        return decode_and_build

    def _object_code(
        self,
        tp: Any,
        src: str,
        p: str,
        namespace: dict[str, Any],
        *,
        trusted: bool,
        chain: tuple[Any, ...],
        mirrors: dict[str, Any] | None = None,
    ) -> list[str]:
        """
        Code building a ``tp`` from the JSON object in ``src`` into the variable ``{p}inst``.

        ``p`` prefixes every name the code makes, so that the code of a nested class can be
        written into its parent's: no call per nested object. ``chain`` holds the classes
        whose code this is written into (a class is never written into its own). With
        ``mirrors``, ``src`` is a msgspec struct and its type goes into ``mirrors[src]``.
        """
        origin = typing.get_origin(tp) or tp
        fields = _fields(tp)
        once = _validates_once(origin, fields)
        namespace[f"_{p}cls"] = origin
        lines = [] if mirrors is not None else [f"if {src}.__class__ is not _dict: raise _F"]
        mirror_fields: list[tuple[Any, ...]] = []
        rename: dict[str, str] = {}
        checks: list[str] = []
        stores: list[str] = []
        generic: list[str] = []
        call = []
        for i, (field, ftype) in enumerate(fields):
            key = _hooks.camel(field.alias or field.name)
            var = f"{p}a{i}"
            tag = f"{p}{i}"
            code = self._read_code(
                var, ftype, tag, namespace, trusted=trusted, chain=(*chain, origin), mirrors=mirrors
            )
            bounds = _short_text_bounds(field, ftype) if mirrors is not None and once else None
            if mirrors is not None:
                rename[f"a{i}"] = key
                if bounds is not None:
                    # msgspec checks the raw text's length: the final one for ASCII text.
                    mirrors[var] = _bounded_str(*bounds)
                if field.default is attrs.NOTHING:
                    mirror_fields.append((f"a{i}", mirrors[var]))
                else:
                    mirror_fields.append((f"a{i}", mirrors[var] | _unset_type(), _unset()))
            if field.default is attrs.NOTHING:
                lines.append(
                    f"{var} = {src}.a{i}" if mirrors is not None else f"{var} = {src}[{key!r}]"
                )
                lines.extend(code)
            else:
                default: Any = field.default
                if mirrors is not None:
                    lines.append(f"{var} = {src}.a{i}")
                    lines.append(f"if {var} is _UNSET:")
                else:
                    lines.append(f"{var} = {src}.get({key!r}, _M)")
                    lines.append(f"if {var} is _M:")
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    if default.takes_self:
                        raise _Unsupported  # the reference handles it
                    namespace[f"_d{tag}"] = default.factory
                    lines.append(f"    {var} = _d{tag}()")
                else:
                    namespace[f"_d{tag}"] = default
                    lines.append(f"    {var} = _d{tag}")
                if code:
                    lines.append("else:")
                    lines.extend(f"    {line}" for line in code)
            call.append(f"{field.alias}={var}")
            if not once:
                continue
            # What the structured value is known to be, so the model's checks that it
            # already passes are not run again, and the others run as the model runs them.
            known = self._known(ftype, default_ok=field.default is attrs.NOTHING)
            converter: Any = field.converter  # a function here, whatever attrs types it as
            converting: list[str] = []
            if converter is not None:
                namespace[f"_c{tag}"] = converter
                if not _keeps(converter, known):
                    known = None
                if converter is _base.as_tuple and known is not None:
                    pass  # tuple() of the tuple the structurer built is that tuple
                elif known == ("str",):  # nfc or nfc_lines, written out: no call per string
                    if converter is _base.nfc_lines:
                        converting.append(f"if '\\r' in {var}: {var} = _c{tag}({var})")
                    converting.append(
                        f"if not {var}.isascii() and not _isnfc('NFC', {var}):"
                        f" {var} = _c{tag}({var})"
                    )
                else:
                    converting.append(f"{var} = _c{tag}({var})")
            slot = _slot_setter(origin, field.name)
            if slot is None:
                stores.append(f"_set({p}inst, {field.name!r}, {var})")
            else:
                namespace[f"_w{tag}"] = slot
                stores.append(f"_w{tag}({p}inst, {var})")
            one_pass = _one_pass(field.validator, known)
            if one_pass is not None:
                # Latin-1 text without a control character: nothing to normalise or find.
                namespace[f"_l{tag}"] = one_pass
                spec = typing.cast("Any", field.validator).spec  # _one_pass found one
                shape, search = _text_checks(spec, var, namespace, tag)
                checks.append(f"if _l{tag}({var}) is None:")
                checks.extend(f"    {line}" for line in [*converting, search])
                checks.extend(shape)
                continue
            if bounds is not None and known == ("str",):
                # Short single-line text whose raw length msgspec has checked (at least
                # one character, none over the limit): NFC changes no ASCII text, so only
                # other text needs its length checked again once normalised.
                spec = typing.cast("Any", field.validator).spec
                shape, search = _text_checks(spec, var, namespace, tag)
                checks.append(f"if not {var}.isascii():")
                if converter is not None:
                    checks.append(f"    if not _isnfc('NFC', {var}): {var} = _c{tag}({var})")
                checks.append(f"    {shape[-1]}")
                if not spec[2]:
                    checks.append(f"if {var}.isspace(): raise _F")
                checks.append(search)
                continue
            checks.extend(converting)
            inline = _inline_checks(field.validator, known, var, namespace, tag)
            if inline is None:
                namespace[f"_v{tag}"] = field.validator
                namespace[f"_A{tag}"] = field
                generic.append(f"_v{tag}({p}inst, _A{tag}, {var})")
            else:
                checks.extend(inline)
        if once:
            lines.extend(checks)
            lines.append(f"{p}inst = _new(_{p}cls)")
            lines.extend(stores)
            lines.extend(generic)
            post_init = _class_attribute(origin, "__attrs_post_init__")
            if isinstance(post_init, types.FunctionType):  # called as the method it is
                namespace[f"_{p}post"] = post_init
                lines.append(f"_{p}post({p}inst)")
            elif post_init is not None:
                lines.append(f"{p}inst.__attrs_post_init__()")
        else:
            lines.append(f"{p}inst = _{p}cls({', '.join(call)})")
        if mirrors is not None:
            mirrors[src] = _defstruct(origin, mirror_fields, rename)
        return lines

    def _nested_code(
        self,
        var: str,
        tp: Any,
        tag: str,
        namespace: dict[str, Any],
        *,
        trusted: bool,
        chain: tuple[Any, ...],
        mirrors: dict[str, Any] | None = None,
    ) -> list[str] | None:
        """The code of :meth:`_object_code` for a nested object in ``var``, or None."""
        try:
            return self._object_code(
                tp, var, f"n{tag}_", namespace, trusted=trusted, chain=chain, mirrors=mirrors
            )
        except Exception:  # noqa: BLE001 -- a type it cannot write code for: a call
            return None

    def _read_code(
        self,
        var: str,
        tp: Any,
        tag: str,
        namespace: dict[str, Any],
        *,
        trusted: bool,
        chain: tuple[Any, ...] = (),
        mirrors: dict[str, Any] | None = None,
    ) -> list[str]:
        """
        Code turning the JSON value in ``var`` into what :meth:`structurer` gives for ``tp``.

        Written out for the common types (no call per value); the rest calls the
        structurer. Anything unusual raises, and the reference path decides. Inside the
        code of the classes in ``chain``, an object of another attrs class, alone or in
        an array, is written out too.

        With ``mirrors`` (see :meth:`struct_decoder`), the value is a field of a msgspec
        struct: the type msgspec is to check it against goes into ``mirrors[var]``, and
        the code leaves out the JSON type checks msgspec has made.
        """
        struct = mirrors is not None
        mirror: Any = Any  # JSON as orjson gives it, for a structurer to read

        def typed(json_type: Any, check: str) -> list[str]:
            nonlocal mirror
            mirror = json_type
            return [] if struct else [check]

        lines: list[str]
        if tp is str:
            lines = typed(str, f"if {var}.__class__ is not str: raise _F")
            if not trusted:
                lines.append(f"if not {var}.isascii(): {var}.encode('utf-8')")
        elif tp is int:
            lines = typed(int, f"if {var}.__class__ is not int: raise _F")
        elif tp is bool:
            lines = typed(bool, f"if {var} is not True and {var} is not False: raise _F")
        elif tp is dt.datetime:
            # The usual shapes parsed in C; anything else through the reference hook,
            # which gives the value or raises.
            lines = typed(str, f"if {var}.__class__ is not str: {var} = _dth({var})")
            lines += [
                (
                    f"{'elif' if lines else 'if'} _shapes.get({var}[4::3]) == len({var})"
                    f" and {var}.isascii() and {var}[0] not in '09':"
                ),
                f"    {var} = _fromiso({var})",
                # Years 0xxx and 9xxx through the hook: it checks the instant fits in UTC.
                f"elif _rfc3339({var}) is not None and {var}[0] not in '09':",
                f"    {var} = _fromiso({var})",
                f"else: {var} = _dth({var})",
            ]
        elif _is_str_enum(tp) and struct:
            mirror = tp  # msgspec gives the member of that value, or refuses the document
            lines = []
        elif _is_str_enum(tp):
            namespace[f"_e{tag}"] = {m.value: m for m in tp}
            lines = typed(str, f"if {var}.__class__ is not str: raise _F")
            lines.append(f"{var} = _e{tag}[{var}]")
        elif _hooks.is_enum_or_unrecognized(tp):
            args = _union_args(tp)
            enum_type = next(a for a in args if _hooks.is_enum(a))
            namespace[f"_e{tag}"] = {m.value: m for m in enum_type}
            lines = typed(str, f"if {var}.__class__ is not str: raise _F")
            if not trusted:
                lines.append(f"if not {var}.isascii(): {var}.encode('utf-8')")
            lines.append(f"m{var} = _e{tag}.get({var})")
            lines.append(f"{var} = _U({var}) if m{var} is None else m{var}")
            if types.NoneType in args:
                mirror = str | None
                lines = [f"if {var} is not None:", *(f"    {line}" for line in lines)]
        elif len(args := _union_args(tp)) == 2 and types.NoneType in args:
            inner = next(a for a in args if a is not types.NoneType)
            code = self._read_code(
                var, inner, tag + "_", namespace, trusted=trusted, chain=chain, mirrors=mirrors
            )
            if mirrors is not None:
                mirror = Any if mirrors[var] is Any else mirrors[var] | None
            lines = [f"if {var} is not None:", *(f"    {line}" for line in code)] if code else []
        elif _hooks.is_homogeneous_sequence(tp):
            item = typing.get_args(tp)[0]
            namespace[f"_mk{tag}"] = tuple if typing.get_origin(tp) is tuple else list
            if trusted:
                check = f"if {var}.__class__ is not list: raise _F"
            else:
                check = f"if {var}.__class__ is not list and {var}.__class__ is not tuple: raise _F"
            body = None
            if _nestable(item, chain):
                body = self._nested_code(
                    f"{var}x", item, tag, namespace, trusted=trusted, chain=chain, mirrors=mirrors
                )
            if body is not None:
                item_mirror = mirrors[f"{var}x"] if mirrors is not None else Any
                lines = typed(list.__class_getitem__(item_mirror), check)
                lines += [
                    f"{var}l = []",
                    f"for {var}x in {var}:",
                    *(f"    {line}" for line in body),
                    f"    {var}l.append(n{tag}_inst)",
                    f"{var} = _mk{tag}({var}l)",
                ]
            else:
                namespace[f"_i{tag}"] = self.structurer(item, trusted=trusted)
                lines = typed(list[Any], check)
                lines.append(f"{var} = _mk{tag}(map(_i{tag}, {var}))")
        else:
            body = None
            if _nestable(tp, chain):
                body = self._nested_code(
                    var, tp, tag, namespace, trusted=trusted, chain=chain, mirrors=mirrors
                )
            if body is not None:
                if mirrors is not None:
                    mirror = mirrors[var]
                lines = [*body, f"{var} = n{tag}_inst"]
            else:
                namespace[f"_f{tag}"] = self.structurer(tp, trusted=trusted)
                lines = [f"{var} = _f{tag}({var})"]
        if mirrors is not None:
            mirrors[var] = mirror
        return lines

    def _known(self, tp: Any, *, default_ok: bool = True) -> tuple[Any, ...] | None:
        """What the value :meth:`structurer` gives for ``tp`` is known to be, or None."""
        del default_ok
        if tp is str:
            return ("str",)
        if tp is int:
            return ("int",)
        if tp is bool:
            return ("bool",)
        if tp is dt.datetime:
            return ("datetime",)
        if _is_str_enum(tp):
            return ("enum", tp)
        if _hooks.is_enum_or_unrecognized(tp):
            args = _union_args(tp)
            enum_type = next(a for a in args if _hooks.is_enum(a))
            return ("enum_unrec", enum_type, types.NoneType in args)
        args = _union_args(tp)
        if len(args) == 2 and types.NoneType in args:
            inner = self._known(next(a for a in args if a is not types.NoneType))
            return None if inner is None else ("opt", inner)
        if _hooks.is_homogeneous_sequence(tp):
            inner = self._known(typing.get_args(tp)[0])
            origin = typing.get_origin(tp)
            return None if inner is None else ("seq", origin, inner)
        if _hooks.is_attrs_object(tp):
            return ("obj", typing.get_origin(tp) or tp)
        return None

    # --- unstructure ----------------------------------------------------------------------

    def unstructurer(self, tp: Any, *, native: int) -> Fn | None:
        """
        Return a function writing a ``tp`` as JSON-ready data, or None if it has none.

        Args:
            tp: The declared type of the value.
            native: False for the reference's data (dicts, lists, text). True for orjson:
                datetimes it writes as isoformat does, and tuples it writes as the
                reference's arrays, are left as they are. :data:`STRUCTS` for msgspec:
                the same, with each object a struct whose fields msgspec writes under
                the wire keys, in order.
        """
        key = (tp, native)
        if key in self._unstructure:
            return self._unstructure[key]
        self._unstructure[key] = lambda v: self._unstructure_by_key(key, v)
        fn: Fn | None
        try:
            if _hooks.is_attrs_object(tp):
                fn = self._object_unstructurer(tp, native=native)
            else:
                fn = self._value_unstructurer(tp, native=native)
        except Exception:  # noqa: BLE001 -- _Unsupported, or a type it cannot read
            fn = None
        self._unstructure[key] = fn
        return fn

    def writer(self, tp: Any) -> Callable[[Any], bytes] | None:
        """
        Return a function encoding a ``tp`` as the reference's JSON bytes, or None.

        msgspec encodes the structs of :meth:`unstructurer` (:data:`STRUCTS`); where
        msgspec is not installed, orjson encodes its data for orjson. A value it cannot
        write raises, and the converter runs the reference path.
        """
        key = (_WRITER, tp)
        if key in self._unstructure:
            return self._unstructure[key]
        native: int
        encode: Callable[[Any], bytes]
        try:
            import msgspec  # as the decoder does: only when a value is encoded
        except ImportError:  # pragma: no cover -- a dependency, but the fast path can do without
            native, encode = True, orjson.dumps
        else:
            native, encode = STRUCTS, msgspec.json.Encoder().encode
        fn = self.unstructurer(tp, native=native)
        write = None if fn is None else _encoding(fn, encode)
        self._unstructure[key] = write
        return write

    def _unstructure_by_key(self, key: tuple[Any, int], value: Any) -> Any:
        fn = self._unstructure[key]
        if fn is None:
            raise Fallback
        return fn(value)

    def _required(self, tp: Any, *, native: int) -> Fn:
        fn = self.unstructurer(tp, native=native)
        if fn is None:
            raise _Unsupported
        return fn

    def _class_dispatch(self, *, native: int) -> Fn:
        """A function writing a value by its own class (items of a bare ``Page``)."""
        found: dict[type, Fn | None] = {}

        def by_class(value: Any) -> Any:
            cls = value.__class__
            fn = found.get(cls, _MISSING)
            if fn is _MISSING:
                fn = found[cls] = self.unstructurer(cls, native=native)
            if fn is None:
                raise Fallback
            return fn(value)  # type: ignore[operator]

        return by_class

    def _items_by_class(self, *, native: int) -> Fn:
        """
        A function writing a sequence of values by their own classes, as a list.

        One call per sequence (the items of a bare ``Page``), not one per item: the items
        are written by a loop generated for the class of the first one, with that class's
        code written into it; an item of another class is written by its own class.
        """
        key = (_ITEMS_BY_CLASS, native)
        fn = self._unstructure.get(key)
        if fn is not None:
            return fn
        by_class = self._class_dispatch(native=native)
        loops: dict[type, Fn] = {}

        def items_by_class(values: Any) -> list[Any]:
            if not values:
                return []
            cls = values[0].__class__
            loop = loops.get(cls)
            if loop is None:
                loop = loops[cls] = self._items_loop(cls, by_class, native=native)
            return loop(values)  # type: ignore[no-any-return]

        self._unstructure[key] = items_by_class
        return items_by_class

    def _items_loop(self, cls: type, by_class: Fn, *, native: int) -> Fn:
        """The loop of :meth:`_items_by_class` for items of ``cls``."""
        namespace = _writer_namespace(native)
        namespace["_cls"] = cls
        namespace["_any"] = by_class
        try:
            if not _hooks.is_attrs_object(cls):
                raise _Unsupported
            pre, expr = self._dict_code(cls, "x", "", namespace, native=native, chain=())
        except Exception:  # noqa: BLE001 -- a class it cannot write code for: one call per item
            return lambda values: [by_class(x) for x in values]
        lines = [
            "def write_items(values):",
            "    out = []",
            "    for x in values:",
            "        if x.__class__ is not _cls:",
            "            out.append(_any(x))",
            "            continue",
            *(f"        {line}" for line in pre),
            f"        out.append({expr})",
            "    return out",
        ]
        return _compile(lines, namespace, "write_items", cls)

    def _value_unstructurer(self, tp: Any, *, native: int) -> Fn:
        if tp in (str, int, bool):
            return _identity
        if tp is dt.datetime:
            if native == STRUCTS:
                return _datetime_struct
            return _datetime_native if native else _hooks.unstructure_datetime
        if _hooks.is_enum(tp) or tp is Unrecognized or _hooks.is_enum_or_unrecognized(tp):
            if types.NoneType in _union_args(tp):
                return _optional_value
            return _value
        if isinstance(tp, typing.TypeVar) or tp is Any:
            return self._class_dispatch(native=native)
        args = _union_args(tp)
        if len(args) == 2 and types.NoneType in args:
            inner = self._required(next(a for a in args if a is not types.NoneType), native=native)
            return lambda v: None if v is None else inner(v)
        if _hooks.is_homogeneous_sequence(tp):
            if _by_own_class(typing.get_args(tp)[0]):
                return self._items_by_class(native=native)
            item = self._required(typing.get_args(tp)[0], native=native)
            if item is _identity:
                return list
            return lambda v: [item(x) for x in v]
        if tp is dt.date or tp in _hooks.SCALAR_CLASSES:
            return self._converter.get_unstructure_hook(tp)  # type: ignore[no-any-return]
        if native:
            # orjson and msgspec write some values (floats) differently from json: not ours.
            raise _Unsupported
        return self._converter.get_unstructure_hook(tp)  # type: ignore[no-any-return]

    def _object_unstructurer(self, tp: Any, *, native: int) -> Fn:
        origin = typing.get_origin(tp) or tp
        namespace = _writer_namespace(native)
        pre, expr = self._dict_code(tp, "o", "", namespace, native=native, chain=())
        lines = ["def unstructure(o):", *(f"    {line}" for line in pre), f"    return {expr}"]
        return _compile(lines, namespace, "unstructure", origin)

    def _dict_code(
        self,
        tp: Any,
        src: str,
        p: str,
        namespace: dict[str, Any],
        *,
        native: int,
        chain: tuple[Any, ...],
    ) -> tuple[list[str], str]:
        """
        Code writing the ``tp`` in ``src``: the statements to run first, then the dict.

        ``p`` prefixes every name the code makes; the code of a nested attrs class (alone
        or in an array) is written into its parent's, as for decoding. For msgspec
        (:data:`STRUCTS`) the dict is a struct with the same keys, in the same order.
        """
        origin = typing.get_origin(tp) or tp
        chain = (*chain, origin)
        lines: list[str] = []
        items: list[tuple[str, str]] = []  # (wire key, code of the value)
        for i, (field, ftype) in enumerate(_fields(tp)):
            fn = self._required(ftype, native=native)
            key = _hooks.camel(field.alias or field.name)
            item = _sequence_item(ftype)
            get = f"{src}.{field.name}"
            v, t = f"{p}v{i}", f"{p}t{i}"
            if fn is _identity:
                items.append((key, get))
            elif fn is _value:
                # _value_ is where an enum member keeps its value (a plain attribute, where
                # .value is a property); Unrecognized has one too.
                items.append((key, f"{get}._value_"))
            elif _optional_of(ftype) in (str, int, bool):
                items.append((key, get))
            elif fn is _optional_value:
                lines.append(f"{v} = {get}")
                lines.append(f"if {v} is not None: {v} = {v}._value_")
                items.append((key, v))
            elif native and ftype is dt.datetime:
                # The check of _datetime_native (or _struct) written out: orjson (msgspec)
                # writes these itself.
                lines.append(f"{v} = {get}")
                lines.extend(_native_datetime_code(v, t))
                items.append((key, v))
            elif native and _optional_of(ftype) is dt.datetime:
                lines.append(f"{v} = {get}")
                lines.append(f"if {v} is not None:")
                lines.extend(f"    {line}" for line in _native_datetime_code(v, t))
                items.append((key, v))
            elif item is not None and _by_own_class(item):
                # Items of a type variable (a bare Page): one call for them all.
                namespace[f"_u{p}{i}"] = self._items_by_class(native=native)
                lines.append(f"{v} = {get}")
                lines.append(f"if {v}: {v} = _u{p}{i}({v})" if native else f"{v} = _u{p}{i}({v})")
                items.append((key, v))
            elif native and item is not None and self._required(item, native=native) is _identity:
                # orjson (msgspec) writes a tuple of strings or numbers as the reference's array.
                items.append((key, get))
            elif item is not None and (
                nested := self._nested_dict(item, namespace, native, chain, p, i)
            ):
                # Items written out in a loop; for orjson (msgspec) an empty tuple is written as is.
                pre, expr = nested
                x, out = f"{p}x{i}", f"{p}l{i}"
                loop = [
                    f"{out} = []",
                    f"for {x} in {v}:",
                    *(f"    {line}" for line in pre),
                    f"    {out}.append({expr})",
                    f"{v} = {out}",
                ]
                lines.append(f"{v} = {get}")
                if native:
                    lines.append(f"if {v}:")
                    lines.extend(f"    {line}" for line in loop)
                else:
                    lines.extend(loop)
                items.append((key, v))
            elif item is None and (
                nested := self._nested_dict(ftype, namespace, native, chain, p, i)
            ):
                pre, expr = nested
                lines.append(f"{p}x{i} = {get}")
                lines.extend(pre)
                items.append((key, expr))
            elif native and item is not None:
                namespace[f"_u{p}{i}"] = self._required(item, native=native)
                lines.append(f"{v} = {get}")
                lines.append(f"if {v}: {v} = [*map(_u{p}{i}, {v})]")
                items.append((key, v))
            else:
                namespace[f"_u{p}{i}"] = fn
                items.append((key, f"_u{p}{i}({get})"))
        if native == STRUCTS:
            namespace[f"_S{p}"] = _out_struct(origin, tuple(key for key, _ in items))
            return lines, f"_S{p}({', '.join(value for _, value in items)})"
        return lines, f"{{{', '.join(f'{key!r}: {value}' for key, value in items)}}}"

    def _nested_dict(
        self,
        tp: Any,
        namespace: dict[str, Any],
        native: int,
        chain: tuple[Any, ...],
        p: str,
        i: int,
    ) -> tuple[list[str], str] | None:
        """The code of :meth:`_dict_code` for a nested object in ``{p}x{i}``, or None."""
        if not _nestable(tp, chain):
            return None
        try:
            return self._dict_code(
                tp, f"{p}x{i}", f"{p}n{i}_", namespace, native=native, chain=chain
            )
        except Exception:  # noqa: BLE001 -- a type it cannot write code for: a call
            return None


def _encoding(fn: Fn, encode: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    def write(value: Any) -> bytes:
        return encode(fn(value))

    return write


@functools.cache
def _out_struct(cls: type, keys: tuple[str, ...]) -> Any:
    """A msgspec struct written as a ``cls`` is: ``keys`` in order, each field as it is."""
    import msgspec  # as the decoder does: only when a struct is needed

    # Its objects never form cycles (each is made for one document): the collector need
    # not track them.
    return msgspec.defstruct(
        f"{cls.__name__}Out",
        [(f"f{i}", Any) for i in range(len(keys))],
        rename={f"f{i}": key for i, key in enumerate(keys)},
        gc=False,
    )


def _native_datetime_code(var: str, tz: str) -> list[str]:
    """:func:`_datetime_native` written out, with a call only for an offset not seen yet."""
    return [
        f"{tz} = {var}.tzinfo",
        f"if {tz} is _OSLO:",
        # Same tzinfo object: datetime compares the fields alone (no offset lookup), and
        # is cheaper than reading .year (an int object for every value).
        f"    if {var} < _O1900: {var} = _dn({var})",
        f"elif {tz}.__class__ is not _TZ or {tz} not in _whole: {var} = _dn({var})",
    ]


def _by_own_class(tp: Any) -> bool:
    """Whether values of ``tp`` are written by their own classes (a type variable, Any)."""
    return isinstance(tp, typing.TypeVar) or tp is Any


def _sequence_item(tp: Any) -> Any:
    """The item type of ``tuple[X, ...]`` or ``list[X]``, else None."""
    return typing.get_args(tp)[0] if _hooks.is_homogeneous_sequence(tp) else None


def _optional_of(tp: Any) -> Any:
    """``X`` of ``X | None``, else None."""
    args = _union_args(tp)
    if len(args) == 2 and types.NoneType in args:
        return next(a for a in args if a is not types.NoneType)
    return None


def _class_attribute(cls: type, name: str) -> Any:
    """``name`` as the class itself holds it (first in the MRO, unbound), or None."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _slot_setter(cls: type, name: str) -> Any:
    """The ``__set__`` of the slot ``name`` of ``cls``, as object.__setattr__ finds it, or None."""
    found = _class_attribute(cls, name)
    return found.__set__ if isinstance(found, types.MemberDescriptorType) else None


_NESTING = 4  # classes written into one function, at most: bounded code


def _nestable(tp: Any, chain: tuple[Any, ...]) -> bool:
    """Whether objects of ``tp`` may be written into the code of the classes in ``chain``."""
    return (
        0 < len(chain) < _NESTING
        and _hooks.is_attrs_object(tp)
        and (typing.get_origin(tp) or tp) not in chain
    )


def _always_fall_back(_value: Any) -> Any:
    raise Fallback


def _validates_once(cls: type, fields: list[tuple[attrs.Attribute[Any], Any]]) -> bool:
    """Whether the fast path may build ``cls`` itself, as its attrs ``__init__`` would."""
    return (
        "__attrs_init__" not in cls.__dict__  # attrs wrote __init__ (init=True)
        and not hasattr(cls, "__attrs_pre_init__")
        and len(fields) == len(attrs.fields(cls))  # every field is an init field
        and not any("cached_hash" in name for name in getattr(cls, "__slots__", ()))
    )


_STR_CONVERTERS = (_base.nfc, _base.nfc_lines)
_OPTIONAL_STR_CONVERTERS = (_base.nfc_or_none, _base.nfc_lines_or_none)


def _keeps(converter: Any, known: tuple[Any, ...] | None) -> bool:
    """Whether ``converter`` gives a value known as its input was (text stays text)."""
    if converter in _STR_CONVERTERS:
        return known == ("str",)
    if converter in _OPTIONAL_STR_CONVERTERS:
        return known in (("str",), ("opt", ("str",)))
    if converter is _base.as_tuple:
        return known is not None and known[0] == "seq" and known[1] is tuple
    return False


def _text_checks(
    spec: tuple[Any, ...], var: str, namespace: dict[str, Any], i: str
) -> tuple[list[str], str]:
    """The code of a ``text`` validator for a string: its blank and length checks, its search."""
    _, max_len, empty, forbidden = spec
    namespace[f"_s{i}"] = forbidden.search
    shape = [] if empty else [f"if not {var} or {var}.isspace(): raise _F"]
    shape.append(f"if len({var}) > {max_len}: raise _F")
    # Every forbidden character is unprintable (a test checks all of Unicode), so
    # printable text needs no search.
    return shape, f"if not {var}.isprintable() and _s{i}({var}) is not None: raise _F"


def _short_text_bounds(field: attrs.Attribute[Any], ftype: Any) -> tuple[int, int] | None:
    """
    The raw length bounds msgspec may check for a short single-line text field, or None.

    A field of type ``str`` whose converter is :func:`~patientsky.models._base.nfc` (or
    none) and whose validator is a single-line ``text`` no longer than ``_LONG_TEXT``:
    at least one character unless blank text is allowed (normalising never empties a
    text), and at most the limit (normalising never changes ASCII text; other text is
    measured again).
    """
    spec = getattr(field.validator, "spec", None)
    converter: Any = field.converter
    if (
        ftype is not str
        or converter not in (None, _base.nfc)
        or spec is None
        or spec[0] != "text"
        or spec[1] > _LONG_TEXT
        or spec[3] is not _base._FORBIDDEN_LINE
    ):
        return None
    return (0 if spec[2] else 1), spec[1]


def _bounded_str(min_length: int, max_length: int) -> Any:
    import msgspec

    return typing.Annotated[str, msgspec.Meta(min_length=min_length, max_length=max_length)]


def _one_pass(validator: Any, known: tuple[Any, ...] | None) -> Fn | None:
    """
    The Latin-1 match that lets a long text skip normalising and the search, or None.

    Only for a string checked by a ``text`` validator allowing more than ``_LONG_TEXT``
    characters; the match is the one of its kind (single- or multi-line).
    """
    spec = getattr(validator, "spec", None)
    if known != ("str",) or spec is None or spec[0] != "text" or spec[1] <= _LONG_TEXT:
        return None
    if spec[3] is _base._FORBIDDEN_LINES:
        return _LATIN1_LINES
    if spec[3] is _base._FORBIDDEN_LINE:
        return _LATIN1_LINE
    return None


def _inline_checks(
    validator: Any, known: tuple[Any, ...] | None, var: str, namespace: dict[str, Any], i: str
) -> list[str] | None:
    """
    Return code doing ``validator``'s check of a value known to be ``known``, or None.

    An empty list: the value passes it by construction (a parsed datetime is aware, a
    built ``Counterpart`` is one). None: call the validator itself, as attrs does.
    """
    if validator is None:
        return []
    if known is None:
        return None
    if validator is _base.aware:
        return [] if known in (("datetime",), ("opt", ("datetime",))) else None
    spec = getattr(validator, "spec", None)
    if spec is None:
        return None
    kind = spec[0]
    if kind == "text":
        if known != ("str",):
            return None
        shape, search = _text_checks(spec, var, namespace, i)
        return [*shape, search]
    if kind == "optional":
        optional = known[0] == "opt"
        inner = _inline_checks(spec[1], known[1] if optional else known, var, namespace, i)
        if inner is None or not inner or not optional:
            return inner
        return [f"if {var} is not None:", *(f"    {line}" for line in inner)]
    if kind == "of_type":
        allowed = spec[1]
        simple = {("str",): str, ("int",): int, ("bool",): bool}
        if known in simple:
            return [] if simple[known] in allowed else None
        if known[0] == "obj":
            return [] if issubclass(known[1], allowed) and bool not in allowed else None
        return None
    if kind == "one_of":
        enum_type, unrecognized = spec[1], spec[2]
        if known == ("enum", enum_type):
            return []
        if known[0] == "enum_unrec" and known[1] is enum_type and unrecognized and not known[2]:
            return []
        return None
    if kind == "items":
        inner_validator, unique = spec[1], spec[2]
        if unique or known[0] != "seq" or known[1] is not tuple:
            return None
        inner = _inline_checks(inner_validator, known[2], "x", namespace, i)
        return [] if inner == [] else None
    return None


def _identity(value: Any) -> Any:
    return value


def _value(value: enum.Enum | Unrecognized) -> Any:
    return value._value_


def _optional_value(value: enum.Enum | Unrecognized | None) -> Any:
    return None if value is None else value._value_


def _enum_structurer(tp: type[enum.Enum]) -> Fn:
    members = {m.value: m for m in tp}

    def structure_enum(value: Any) -> enum.Enum:
        return members[value]  # KeyError or TypeError: the reference names it

    return structure_enum


def _enum_or_unrecognized_structurer(tp: Any, *, trusted: bool) -> Fn:
    args = _union_args(tp)
    enum_type = next(a for a in args if _hooks.is_enum(a))
    members = {m.value: m for m in enum_type}
    nullable = types.NoneType in args
    text = _str_trusted if trusted else _str_checked

    def structure_enum_or_unrecognized(value: Any) -> Any:
        if value is None and nullable:
            return None
        member = members.get(text(value))
        return member if member is not None else Unrecognized(value)

    return structure_enum_or_unrecognized


def _unset_type() -> Any:
    import msgspec

    return msgspec.UnsetType


def _unset() -> Any:
    import msgspec

    return msgspec.UNSET


def _defstruct(cls: type, fields: list[tuple[Any, ...]], rename: dict[str, str]) -> Any:
    """A msgspec struct with the JSON shape of ``cls``: its wire keys, JSON types, defaults."""
    import msgspec

    # An unknown key is refused, not skipped: msgspec skips a value without checking that
    # its text is valid UTF-8, which the reference requires of the whole document. No
    # cycles are possible in decoded structs, so the collector need not track them.
    return msgspec.defstruct(
        f"{cls.__name__}Wire", fields, rename=rename, gc=False, forbid_unknown_fields=True
    )


def _structure_namespace() -> dict[str, Any]:
    """The names the generated structure code uses, besides those of its fields."""
    return {
        "_F": Fallback,
        "_M": _MISSING,
        "_dict": dict,
        "_new": object.__new__,
        "_set": object.__setattr__,
        "_isnfc": unicodedata.is_normalized,
        "_rfc3339": _RFC3339_FAST.fullmatch,
        "_shapes": _WHOLE_SECOND_SHAPES,
        "_fromiso": dt.datetime.fromisoformat,
        "_dth": _hooks.structure_datetime,
        "_U": Unrecognized,
    }


def _compile(lines: list[str], namespace: dict[str, Any], name: str, cls: type) -> Fn:
    source = "\n".join(lines)
    code = compile(source, f"<patientsky.wire fast {name} {cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102 -- our own generated code, from attrs field names
    fn: Fn = namespace[name]
    return fn
