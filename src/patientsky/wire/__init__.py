"""
The JSON wire format: one converter for the HTTP API, the client and the sandbox.

``import patientsky`` does not load this package (nor cattrs); import it explicitly.

The format
    - JSON in UTF-8; keys are camelCase (``nextCursor``, ``minorUnits``) in the order of
      the model's fields, and every field is written, ``None`` as ``null``, so the same
      value always encodes to the same bytes.
    - Unknown keys are ignored, so a newer server's extra fields do not break a client.
    - Enums are their snake_case values (``"e_consultation"``). A field that may hold an
      :class:`~patientsky.models._base.Unrecognized` value (``Dialog.type``, ``Payment.status``,
      ...) decodes an unknown value to one and encodes it back unchanged, so a listing
      from a newer server still decodes; the rules never allow anything on it. Other enum
      fields refuse unknown values.
    - Timestamps are RFC 3339 with an offset, written with the offset the value has
      (``2026-11-25T10:00:00+01:00``); ``Z`` is accepted; a timestamp without an offset is
      refused. Dates are ``YYYY-MM-DD``.
    - Money is ``{"minorUnits": 35000, "currency": "NOK"}``: integer minor units, never a
      float.
    - National identity numbers, organisation numbers and KIDs are their digits, as one
      string without separators. The wire is the one place a national identity number's
      digits appear; synthetic test numbers are accepted unless the converter is made
      with ``allow_synthetic_national_ids=False``.
    - Nothing is coerced: ``"false"`` is not a boolean, ``123`` not a string, ``1.5`` or
      ``true`` not an integer; only a JSON array makes a tuple.
    - Lists are pages: ``{"data": [...], "nextCursor": "..." | null}`` (:class:`Page`).

Errors
    Every problem with the data raises :class:`~patientsky.errors.InvalidInput` whose
    ``field`` is the wire path of the bad value (``data[3].type``, ``contact.email``,
    ``nationalId``; ``""`` for the document itself, such as malformed JSON) and whose
    message says what is wrong without repeating the value.

>>> from patientsky.models import Money
>>> dumps(Money.nok(350))
b'{"minorUnits":35000,"currency":"NOK"}'
>>> loads('{"minorUnits": 35000, "currency": "NOK"}', Money)
Money(minor_units=35000, currency='NOK')
>>> loads(b'{"minorUnits": true, "currency": "NOK"}', Money)
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: minorUnits: must be an integer, not a boolean
"""

from patientsky.wire.converter import (
    Page,
    WireConverter,
    configure_converter,
    dumps,
    loads,
    make_converter,
    structure,
    unstructure,
)

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
