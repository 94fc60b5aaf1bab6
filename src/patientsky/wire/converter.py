"""
The JSON wire converter: make one, configure one, or use the module's helpers.

Following cattrs' ``preconf`` pattern, :func:`make_converter` returns a new, fully
configured converter each call, and :func:`configure_converter` registers the wire
format's hooks on a converter you made; no global converter is ever mutated.
:func:`dumps`, :func:`loads`, :func:`structure` and :func:`unstructure` use a private
default converter, built on first use.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any, Generic, TypeVar

import attrs
import cattrs
import orjson
from cattrs.errors import StructureHandlerNotFoundError

from patientsky.errors import InvalidInput
from patientsky.models import KidNumber, NationalId, OrganisationNumber, Unrecognized
from patientsky.wire import _errors, _fast, _hooks

__all__ = [
    "Page",
    "WireConverter",
    "configure_converter",
    "dumps",
    "loads",
    "make_converter",
    "structure",
    "unstructure",
]

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """
    One page of a cursor-paginated list: ``{"data": [...], "nextCursor": "..." | null}``.

    Structure it with the item type, for example ``loads(body, Page[Dialog])``.

    Args:
        data: The items of this page, in the order the server sent them.
        next_cursor: The opaque cursor of the next page; ``None`` on the last page.
    """

    data: tuple[T, ...] = attrs.field(converter=tuple)
    next_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        """Whether there is a next page (its cursor is ``next_cursor``)."""
        return self.next_cursor is not None


class WireConverter(cattrs.Converter):
    """
    A :class:`cattrs.Converter` for the wire format that raises the library's errors.

    :meth:`structure` raises :class:`~patientsky.errors.InvalidInput` whose ``field`` is
    the wire path of the first bad value (``data[3].type``, ``contact.email``, or ``""``
    for the value itself); further problems are added to it as notes. Make one with
    :func:`make_converter`.
    """

    _fast: _fast.FastPaths | None = None

    def _changed(self) -> None:
        # A hook registered after make_converter: the generated code would not call it.
        self._fast = None

    def register_structure_hook(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._changed()
        return super().register_structure_hook(*args, **kwargs)

    def register_structure_hook_func(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._changed()
        return super().register_structure_hook_func(*args, **kwargs)

    def register_structure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._changed()
        return super().register_structure_hook_factory(*args, **kwargs)

    def register_unstructure_hook(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._changed()
        return super().register_unstructure_hook(*args, **kwargs)

    def register_unstructure_hook_func(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._changed()
        return super().register_unstructure_hook_func(*args, **kwargs)

    def register_unstructure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._changed()
        return super().register_unstructure_hook_factory(*args, **kwargs)

    def structure(self, obj: Any, cl: type[T]) -> T:
        """
        Build a value of type ``cl`` from JSON-compatible data.

        Args:
            obj: Decoded JSON: dicts, lists, strings, numbers, booleans and ``None``.
            cl: The type to build, for example ``Patient`` or ``Page[Dialog]``.

        Returns:
            The structured value.

        Raises:
            InvalidInput: If the data does not fit ``cl``; the message names what is
                wrong and never repeats the value.
        """
        fast = self._fast
        if fast is not None:
            try:
                return fast.structurer(cl, trusted=False)(obj)  # type: ignore[no-any-return]
            except Exception:  # noqa: BLE001, S110 -- the reference path decides and names it
                pass
        return self._reference_structure(obj, cl)

    def _reference_structure(self, obj: Any, cl: type[T]) -> T:
        try:
            return super().structure(obj, cl)
        except StructureHandlerNotFoundError:
            raise  # a type the wire cannot carry: a programming error, not bad data
        except Exception as exc:  # noqa: BLE001 -- every data problem becomes InvalidInput
            raise _errors.to_invalid_input(exc) from None

    def dumps(self, obj: Any, unstructure_as: Any = None) -> bytes:
        """
        Encode ``obj`` as compact UTF-8 JSON, keys in field order (stable byte for byte).

        Args:
            obj: A model (or a tuple of them, a :class:`Page`, ...).
            unstructure_as: The type to encode ``obj`` as, if not its own class.

        Raises:
            InvalidInput: If a string holds a lone surrogate, which UTF-8 cannot encode.
        """
        fast = self._fast
        if fast is not None:
            try:
                write = fast.writer(unstructure_as or obj.__class__)
                if write is not None:
                    return write(obj)
            except Exception:  # noqa: BLE001, S110 -- the reference path writes it or says why
                pass
        return self._reference_dumps(obj, unstructure_as)

    def _reference_dumps(self, obj: Any, unstructure_as: Any = None) -> bytes:
        text = json.dumps(
            self._reference_unstructure(obj, unstructure_as),
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        )
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("", "contains text that is not valid Unicode") from None

    def loads(self, data: bytes | bytearray | str, cl: type[T]) -> T:
        """
        Decode JSON text (UTF-8 bytes or a string) into a value of type ``cl``.

        Args:
            data: The JSON document, UTF-8 bytes or a string.
            cl: The type to build.

        Raises:
            InvalidInput: With field ``""`` if ``data`` is not JSON, or with the path of
                the bad value if it does not fit ``cl``.
        """
        fast = self._fast
        if fast is not None:
            try:
                # msgspec parses and type-checks the document in one pass (bytes and str
                # only: it reads any buffer, which the reference refuses); a document it
                # does not take (an unknown key, a value of another JSON type) goes to
                # orjson and the dicts' generated code, then to the reference.
                if data.__class__ is bytes or data.__class__ is str:
                    decode = fast.struct_decoder(cl)
                    if decode is not None:
                        try:
                            return decode(data)  # type: ignore[no-any-return]
                        except Exception:  # noqa: BLE001, S110 -- the next path decides
                            pass
                return fast.structurer(cl, trusted=True)(orjson.loads(data))  # type: ignore[no-any-return]
            except Exception:  # noqa: BLE001, S110 -- the reference path decides and names it
                pass
        return self._reference_structure(_parse_json(data), cl)

    def unstructure(self, obj: Any, unstructure_as: Any = None) -> Any:
        """
        Return the JSON-compatible data for ``obj`` (dicts, lists, strings, numbers, ...).

        Args:
            obj: A model (or a tuple of them, a :class:`Page`, ...).
            unstructure_as: The type to write ``obj`` as, if not its own class.
        """
        fast = self._fast
        if fast is not None:
            try:
                write = fast.unstructurer(unstructure_as or obj.__class__, native=False)
                if write is not None:
                    return write(obj)
            except Exception:  # noqa: BLE001, S110 -- the reference path writes it or says why
                pass
        return self._reference_unstructure(obj, unstructure_as)

    def _reference_unstructure(self, obj: Any, unstructure_as: Any = None) -> Any:
        return super().unstructure(obj, unstructure_as=unstructure_as)


def _refuse_constant(_name: str) -> Any:
    raise InvalidInput("", "is not valid JSON: NaN and Infinity are not JSON numbers")


def _parse_json(data: bytes | bytearray | str) -> Any:
    if isinstance(data, bytes | bytearray):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("", "is not valid UTF-8") from None
    elif isinstance(data, str):
        text = data
    else:
        raise InvalidInput("", f"must be bytes or str, not {type(data).__name__}")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        # exc.msg describes the syntax ("Expecting value"); it never quotes the document.
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InvalidInput("", f"is not valid JSON ({exc.msg} at {where})") from None
    except InvalidInput:
        raise
    except RecursionError:
        raise InvalidInput("", "is not valid JSON: nested too deeply") from None
    except ValueError:
        # For example an integer with more digits than Python converts.
        raise InvalidInput("", "is not valid JSON") from None


def configure_converter(
    converter: cattrs.Converter,
    *,
    allow_synthetic_national_ids: bool = True,
    synthetic_national_ids_only: bool = False,
) -> None:
    """
    Register the wire format's hooks on ``converter``.

    The format: camelCase keys in field order; unknown keys ignored; enums as their
    snake_case values; a field typed ``SomeEnum | Unrecognized`` decodes an unknown value
    to :class:`~patientsky.models._base.Unrecognized` and encodes it back unchanged, while a
    plain ``SomeEnum`` field refuses it; datetimes as RFC 3339 with their offset (naive
    ones refused); dates as ``YYYY-MM-DD``; :class:`~patientsky.models.payment.Money` as
    ``{"minorUnits": 35000, "currency": "NOK"}``; national identity, organisation and KID
    numbers as their digit strings; ``None`` as ``null``. Nothing is coerced: ``"false"``
    is not a boolean, ``123`` not a string, ``1.5`` or ``true`` not an integer, and only
    a JSON array makes a tuple.

    Args:
        converter: The converter to configure. Errors carry full paths only with
            ``detailed_validation=True`` (the default); the attrs hooks always collect
            every field's error.
        allow_synthetic_national_ids: Accept synthetic test numbers (month + 80) as
            national identity numbers, as the sandbox and test registers issue them.
            The decoded :class:`~patientsky.models.identity.NationalId` says
            :attr:`~patientsky.models.identity.NationalId.is_synthetic`. The default is true so
            that every :class:`~patientsky.models.identity.NationalId` round-trips; a service that
            must only ever see real people passes false.
        synthetic_national_ids_only: Refuse every number that is not a synthetic test
            number, as a sandbox or a test system must: it never stores a real person's
            number.
    """
    if synthetic_national_ids_only and not allow_synthetic_national_ids:
        raise ValueError("synthetic_national_ids_only needs allow_synthetic_national_ids")
    c = converter
    c.register_structure_hook(str, _hooks.structure_str)
    c.register_structure_hook(int, _hooks.structure_int)
    c.register_structure_hook(bool, _hooks.structure_bool)
    c.register_structure_hook(float, _hooks.structure_float)

    c.register_structure_hook(dt.datetime, _hooks.structure_datetime)
    c.register_unstructure_hook(dt.datetime, _hooks.unstructure_datetime)
    c.register_structure_hook(dt.date, _hooks.structure_date)
    c.register_unstructure_hook(dt.date, _hooks.unstructure_date)

    c.register_structure_hook(
        NationalId,
        _hooks.national_id_hook(
            allow_synthetic=allow_synthetic_national_ids,
            synthetic_only=synthetic_national_ids_only,
        ),
    )
    c.register_unstructure_hook(NationalId, _hooks.unstructure_national_id)
    c.register_structure_hook(OrganisationNumber, _hooks.structure_organisation_number)
    c.register_unstructure_hook(OrganisationNumber, _hooks.unstructure_digits)
    c.register_structure_hook(KidNumber, _hooks.structure_kid)
    c.register_unstructure_hook(KidNumber, _hooks.unstructure_digits)
    c.register_structure_hook(Unrecognized, _hooks.structure_unrecognized)
    c.register_unstructure_hook(Unrecognized, _hooks.unstructure_unrecognized)

    # Factories registered later win over earlier ones and over cattrs' own.
    c.register_structure_hook_factory(_hooks.is_enum, _hooks.enum_structure_factory)
    c.register_unstructure_hook_factory(_hooks.is_enum, lambda _t: _hooks.unstructure_enum)
    c.register_structure_hook_factory(
        _hooks.is_enum_or_unrecognized, _hooks.enum_or_unrecognized_structure_factory
    )
    c.register_unstructure_hook_factory(
        _hooks.is_enum_or_unrecognized, _hooks.enum_or_unrecognized_unstructure_factory
    )
    c.register_structure_hook_factory(
        _hooks.is_homogeneous_sequence, _hooks.sequence_structure_factory
    )
    c.register_unstructure_hook_factory(
        _hooks.is_homogeneous_sequence, _hooks.sequence_unstructure_factory
    )
    c.register_structure_hook_factory(_hooks.is_attrs_object, _hooks.attrs_structure_factory)
    c.register_unstructure_hook_factory(_hooks.is_attrs_object, _hooks.attrs_unstructure_factory)


def make_converter(
    *, allow_synthetic_national_ids: bool = True, synthetic_national_ids_only: bool = False
) -> WireConverter:
    """
    Return a new converter for the wire format (see :func:`configure_converter`).

    cattrs generates each class's code once per converter, on first use; keep the
    converter and reuse it.

    Args:
        allow_synthetic_national_ids: Accept synthetic test national identity numbers.
        synthetic_national_ids_only: Accept nothing but synthetic test numbers.

    >>> from patientsky.models import Money
    >>> converter = make_converter()
    >>> converter.dumps(Money(35000))
    b'{"minorUnits":35000,"currency":"NOK"}'
    """
    converter = WireConverter(forbid_extra_keys=False, detailed_validation=True)
    configure_converter(
        converter,
        allow_synthetic_national_ids=allow_synthetic_national_ids,
        synthetic_national_ids_only=synthetic_national_ids_only,
    )
    converter._fast = _fast.FastPaths(converter)
    return converter


@functools.cache
def _default() -> WireConverter:
    return make_converter()


def dumps(obj: Any, unstructure_as: Any = None) -> bytes:
    """
    Encode ``obj`` as compact UTF-8 JSON in the wire format.

    Args:
        obj: A model, a :class:`Page`, a tuple of models, ...
        unstructure_as: The type to encode ``obj`` as, if not its own class.

    >>> from patientsky.models import Money
    >>> dumps(Money.nok(350))
    b'{"minorUnits":35000,"currency":"NOK"}'
    """
    return _default().dumps(obj, unstructure_as=unstructure_as)


def loads(data: bytes | bytearray | str, cls: type[T]) -> T:
    """
    Decode a JSON document in the wire format into a value of type ``cls``.

    Args:
        data: UTF-8 bytes (or a bytearray) or a string.
        cls: The type to build, for example ``Patient`` or ``Page[Dialog]``.

    Raises:
        InvalidInput: With the wire path of the bad value (``""`` for malformed JSON).

    >>> from patientsky.models import Money
    >>> loads(b'{"minorUnits": 35000, "currency": "NOK", "note": "ignored"}', Money)
    Money(minor_units=35000, currency='NOK')
    >>> loads(b'{"minorUnits": "350", "currency": "NOK"}', Money)
    Traceback (most recent call last):
        ...
    patientsky.errors.InvalidInput: minorUnits: must be an integer, not a string
    """
    return _default().loads(data, cls)


def unstructure(obj: Any, unstructure_as: Any = None) -> Any:
    """
    Return the JSON-compatible data (dicts, lists, strings, numbers, ...) for ``obj``.

    Args:
        obj: A model, a :class:`Page`, a tuple of models, ...
        unstructure_as: The type to unstructure ``obj`` as, if not its own class.
    """
    return _default().unstructure(obj, unstructure_as=unstructure_as)


def structure(data: Any, cls: type[T]) -> T:
    """
    Build a value of type ``cls`` from JSON-compatible data.

    Args:
        data: Decoded JSON.
        cls: The type to build.

    Raises:
        InvalidInput: With the wire path of the first bad value.
    """
    return _default().structure(data, cls)
