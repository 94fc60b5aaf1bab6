"""
Login sessions: who is logged in, how, and until when (L1, L2).
"""

from __future__ import annotations

import datetime as dt

import attrs

from patientsky.models._base import (
    aware,
    instant,
    instant_key,
    nfc,
    of_type,
    one_of,
    optional,
    ordered,
    text,
)
from patientsky.models.identity import AssuranceLevel, LoginMethod
from patientsky.models.people import PersonName

__all__ = ["LoginSession"]


@attrs.frozen
class LoginSession:
    """
    A person's login, from the web portal or the app (the same account, L2).

    Args:
        person_id: The logged-in person's patient id.
        method: How they logged in (BankID, Buypass, ...).
        authenticated_at: When.
        expires_at: When the session ends.
        name: The person's name, to greet them before their profile may be read (before
            consent, for instance); ``None`` from a server that sends none.
    """

    person_id: str = attrs.field(converter=nfc, validator=text(200))
    method: LoginMethod = attrs.field(validator=one_of(LoginMethod))
    authenticated_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    expires_at: dt.datetime = attrs.field(validator=aware, eq=instant_key)
    name: PersonName | None = attrs.field(default=None, validator=optional(of_type(PersonName)))

    def __attrs_post_init__(self) -> None:
        ordered("authenticated_at", "expires_at")(self)

    @property
    def assurance(self) -> AssuranceLevel:
        """The assurance level of the login method."""
        return self.method.assurance

    def is_active(self, at: dt.datetime) -> bool:
        """Whether the session is valid at ``at`` (compared as instants)."""
        return instant(self.authenticated_at) <= instant(at) < instant(self.expires_at)
