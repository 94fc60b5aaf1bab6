"""
Who someone is, and how sure we are of it (L1, P5), and the numbers that name things.

National identity numbers, organisation numbers, KID payment references, login
methods and their assurance levels.

The checking itself lives in the stdnum-style modules
:mod:`patientsky.models.fodselsnummer`, :mod:`patientsky.models.orgnr` and
:mod:`patientsky.models.kid`; this module wraps it in value objects that cannot
hold an invalid value.

>>> nid = NationalId.parse('151086 95088')
>>> nid
NationalId(masked='151086*****')
>>> print(nid, nid.kind.value, nid.birth_date.isoformat())
151086***** fodselsnummer 1986-10-15
>>> NationalId.parse('17912099997')
Traceback (most recent call last):
    ...
patientsky.errors.InvalidInput: national_id: is a synthetic test number, not accepted here
>>> NationalId.parse('17912099997', allow_synthetic=True).is_synthetic
True
>>> LoginMethod.MINID.assurance < AssuranceLevel.HIGH <= LoginMethod.BANKID.assurance
True
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, Self

import attrs

from patientsky.errors import InvalidInput
from patientsky.models import fodselsnummer as _fnr
from patientsky.models import kid as _kid
from patientsky.models import orgnr as _orgnr
from patientsky.models._base import Validator
from patientsky.models.fodselsnummer import NationalIdKind
from patientsky.models.kid import KidMethod

__all__ = [
    "AssuranceLevel",
    "KidMethod",
    "KidNumber",
    "LoginMethod",
    "NationalId",
    "NationalIdKind",
    "OrganisationNumber",
]


def _canonical(field: str, compact: Callable[[str], str]) -> Validator:
    """Return a validator that accepts only a string already in its compact form."""

    def check(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            raise InvalidInput(field, f"must be a string, not {type(value).__name__}")
        if compact(value) != value:
            raise InvalidInput(field, "must be given without spaces or separators (use parse)")

    return check


def _valid_national_id(_inst: Any, _attr: attrs.Attribute[Any], value: str) -> None:
    _fnr.validate(value, allow_synthetic=True)


@attrs.frozen(repr=False)
class NationalId:
    """
    A Norwegian national identity number: fødselsnummer, D-number or H-number (P5).

    The digits never show in ``repr``, ``str`` or ``format``: those give the masked
    form, the first six digits and five stars (``151086*****``). Call
    :meth:`reveal` to get the digits, on purpose, where they must go (the wire, the
    register).

    Make one with :meth:`parse`, which compacts the text and refuses synthetic
    test numbers unless asked. The constructor, ``NationalId("15108695088")``,
    takes exactly eleven digits and *accepts* synthetic numbers, so that a decoder
    can read stored test data back; a synthetic number still never passes as real:
    :attr:`is_synthetic` says what it is, and code that must only see real people
    checks it.

    Equality and hashing go by the digits. Unpickling goes through the constructor,
    so it validates again. Be aware that :func:`attrs.asdict`, :func:`attrs.astuple`,
    :func:`attrs.evolve`'s source, :mod:`pickle` and :mod:`copy` see the digits: treat
    their output like the digits themselves.

    Args:
        digits: The eleven digits, without separators.

    Raises:
        InvalidInput: With field ``national_id``, if the digits are not a valid
            number; the message never repeats them.
    """

    _digits: str = attrs.field(
        alias="digits",
        repr=False,
        validator=[_canonical(_fnr.FIELD, _fnr.compact), _valid_national_id],
    )

    @classmethod
    def parse(cls, text: str, *, allow_synthetic: bool = False) -> Self:
        """
        Read a national identity number as typed: spaces and dashes are ignored.

        Args:
            text: The number, for example ``"151086 95088"``.
            allow_synthetic: Accept synthetic test numbers (month + 80), as the
                population register's test environment issues them.

        Raises:
            InvalidInput: With field ``national_id``, if the number is not valid, or
                is synthetic and ``allow_synthetic`` is false.
        """
        return cls(_fnr.validate(text, allow_synthetic=allow_synthetic))

    def reveal(self) -> str:
        """Return the eleven digits. Never log or show them."""
        return self._digits

    @property
    def masked(self) -> str:
        """The first six digits and five stars, for example ``151086*****``."""
        return self._digits[:6] + "*****"

    @property
    def kind(self) -> NationalIdKind:
        """Whether it is a fødselsnummer, a D-number or an H-number."""
        return _fnr.get_kind(self._digits, allow_synthetic=True)

    @property
    def is_synthetic(self) -> bool:
        """Whether it is a synthetic test number (month + 80), not a real person's."""
        return _fnr.is_synthetic(self._digits)

    @property
    def birth_date(self) -> dt.date:
        """
        The birth date the number encodes (D-, H- and synthetic offsets removed).

        Usually the birth date, but the register's birth date is the authority: see
        :mod:`patientsky.models.fodselsnummer` for when the two can differ.
        """
        return _fnr.get_birth_date(self._digits, allow_synthetic=True)

    @property
    def uses_2032_rule(self) -> bool:
        """Whether the number is valid only under the check-digit rule for numbers from 2032."""
        return _fnr.uses_2032_rule(self._digits, allow_synthetic=True)

    def __repr__(self) -> str:
        synthetic = ", synthetic=True" if self.is_synthetic else ""
        return f"NationalId(masked={self.masked!r}{synthetic})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, format_spec: str) -> str:
        return format(self.masked, format_spec)

    def __reduce__(self) -> tuple[type[NationalId], tuple[str]]:
        return (type(self), (self._digits,))


def _valid_organisation_number(_inst: Any, _attr: attrs.Attribute[Any], value: str) -> None:
    _orgnr.validate(value)


@attrs.frozen
class OrganisationNumber:
    """
    A Norwegian organisation number (organisasjonsnummer), for example a clinic's.

    Organisation numbers are public: ``str`` gives the nine digits.

    Args:
        digits: The nine digits, without spaces (use :meth:`parse` for typed text).

    Raises:
        InvalidInput: With field ``organisation_number``, if the number is not valid.
    """

    digits: str = attrs.field(
        validator=[_canonical(_orgnr.FIELD, _orgnr.compact), _valid_organisation_number]
    )

    @classmethod
    def parse(cls, text: str) -> Self:
        """
        Read an organisation number as typed: spaces are ignored.

        Raises:
            InvalidInput: With field ``organisation_number``, if the number is not valid.
        """
        return cls(_orgnr.validate(text))

    def format(self) -> str:
        """Return the number grouped as usual, ``NNN NNN NNN``."""
        return _orgnr.format(self.digits)

    def __str__(self) -> str:
        return self.digits


def _valid_kid(_inst: Any, _attr: attrs.Attribute[Any], value: str) -> None:
    _kid.validate(value)


@attrs.frozen
class KidNumber:
    """
    A KID payment reference: 2 to 25 characters ending in a MOD10 or MOD11 check digit.

    The KID alone does not say which method the payee uses; :attr:`methods` gives
    every method whose check digit it carries, and :meth:`parse` can require one.

    Args:
        digits: The KID without spaces; a MOD11 KID may end in ``-``.

    Raises:
        InvalidInput: With field ``kid``, if the KID is not valid under either method.
    """

    digits: str = attrs.field(validator=[_canonical(_kid.FIELD, _kid.compact), _valid_kid])

    @classmethod
    def parse(cls, text: str, *, method: KidMethod | None = None) -> Self:
        """
        Read a KID as typed: spaces are ignored.

        Args:
            text: The KID.
            method: The method the payee uses; ``None`` accepts either.

        Raises:
            InvalidInput: With field ``kid``, if the KID is not valid (under ``method``,
                if given).
        """
        return cls(_kid.validate(text, method=method))

    @property
    def methods(self) -> tuple[KidMethod, ...]:
        """Every method whose check digit the KID carries: one, or both."""
        return _kid.methods(self.digits)

    @property
    def method(self) -> KidMethod:
        """The method of the check digit: MOD10 if it is valid under MOD10, else MOD11."""
        return self.methods[0]

    def __str__(self) -> str:
        return self.digits


class AssuranceLevel(enum.Enum):
    """
    How sure a login is of who the person is: the eIDAS levels of assurance.

    Levels compare by strength: ``LOW < SUBSTANTIAL < HIGH``. Norwegian health data
    needs ``HIGH`` ("sikkerhetsnivå 4").
    """

    LOW = "low"
    """eIDAS low."""
    SUBSTANTIAL = "substantial"
    """eIDAS substantial, "sikkerhetsnivå 3" (for example MinID)."""
    HIGH = "high"
    """eIDAS high, "sikkerhetsnivå 4" (BankID, Buypass, Commfides)."""

    @property
    def rank(self) -> int:
        """The strength as a number: 1 for low, 2 for substantial, 3 for high."""
        return _ASSURANCE_RANK[self]

    @property
    def label_nb(self) -> str:
        """The level's name in Norwegian bokmål."""
        return _ASSURANCE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The level's name in English."""
        return _ASSURANCE_LABELS[self][1]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AssuranceLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, AssuranceLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, AssuranceLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, AssuranceLevel):
            return NotImplemented
        return self.rank >= other.rank


_ASSURANCE_RANK = {AssuranceLevel.LOW: 1, AssuranceLevel.SUBSTANTIAL: 2, AssuranceLevel.HIGH: 3}
_ASSURANCE_LABELS = {
    AssuranceLevel.LOW: ("lav", "low"),
    AssuranceLevel.SUBSTANTIAL: ("betydelig (sikkerhetsnivå 3)", "substantial"),
    AssuranceLevel.HIGH: ("høy (sikkerhetsnivå 4)", "high"),
}


class LoginMethod(enum.Enum):
    """
    How a person logged in (L1): the electronic IDs of the Norwegian ecosystem.

    BankID, Buypass and Commfides are high-assurance IDs; MinID is substantial, so
    a MinID login does not give access to health data.
    """

    BANKID = "bankid"
    """BankID (the app or a code device)."""
    BUYPASS_SMART_CARD = "buypass_smart_card"
    """Buypass ID on a smart card, in a card reader."""
    BUYPASS_MOBILE = "buypass_mobile"
    """Buypass ID on a mobile phone."""
    COMMFIDES = "commfides"
    """Commfides e-ID."""
    MINID = "minid"
    """MinID, the public sector's own e-ID."""

    @property
    def assurance(self) -> AssuranceLevel:
        """The assurance level the method gives."""
        return _LOGIN_METHODS[self][0]

    @property
    def label_nb(self) -> str:
        """The method's name as shown in Norwegian bokmål."""
        return _LOGIN_METHODS[self][1]

    @property
    def label_en(self) -> str:
        """The method's name as shown in English."""
        return _LOGIN_METHODS[self][2]


_LOGIN_METHODS = {
    LoginMethod.BANKID: (AssuranceLevel.HIGH, "BankID", "BankID"),
    LoginMethod.BUYPASS_SMART_CARD: (
        AssuranceLevel.HIGH,
        "Buypass ID på smartkort",
        "Buypass ID on smart card",
    ),
    LoginMethod.BUYPASS_MOBILE: (AssuranceLevel.HIGH, "Buypass ID i mobil", "Buypass ID on mobile"),
    LoginMethod.COMMFIDES: (AssuranceLevel.HIGH, "Commfides e-ID", "Commfides e-ID"),
    LoginMethod.MINID: (AssuranceLevel.SUBSTANTIAL, "MinID", "MinID"),
}
