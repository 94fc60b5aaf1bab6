"""
Communication types (M3, M4, M7): which dialogs a patient may start, and the fee notice.

- A patient starts dialogs of the types a clinic has enabled (M4), at any clinic, as
  bookings and renewals (see :mod:`~patientsky.rules.care`); starting one connects the
  patient to the clinic. An unknown type is never allowed.
- An e-consultation may cost a co-payment (egenandel) under the current tariff (M7):
  the patient is told the amount in a :class:`FeeNotice` before starting, and starting
  needs their acknowledgement. Children under 16 pay no co-payment, and the notice
  says so; a clinic that charges none needs no acknowledgement.

>>> import datetime as dt
>>> from patientsky.models import Clinic, FeeSettings, Money
>>> clinic = Clinic("c1", "Byklinikken", fees=FeeSettings(e_consultation_fee=Money.nok(185)))
>>> notice = fee_notice(clinic, dt.date(1980, 1, 1), dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
>>> notice.applies, notice.amount.format_nb()
(True, 'kr 185,00')
>>> print(notice.text_en)
A patient co-payment (egenandel) of 185.00 NOK may apply under the current tariff. Children under 16 pay no co-payment.
"""  # noqa: E501

from __future__ import annotations

import datetime as dt
from typing import Literal

import attrs

from patientsky.models._base import Unrecognized, instant, of_type
from patientsky.models._base import text as bounded_text
from patientsky.models.clinic import Clinic
from patientsky.models.communication import CommunicationType
from patientsky.models.payment import Money
from patientsky.models.people import Patient
from patientsky.models.relation import Action
from patientsky.rules._time import age_limit_reached_at, check_aware
from patientsky.rules.decision import Decision, Reason

__all__ = [
    "FeeNotice",
    "action_for_type",
    "fee_notice",
    "may_start_dialog",
    "startable_types",
]


@attrs.frozen
class FeeNotice:
    """
    What starting an e-consultation may cost, told to the patient before they start (M7).

    Args:
        amount: The co-payment that may apply; zero when none does.
        applies: Whether a co-payment may apply, so that starting needs the patient's
            acknowledgement.
        child_exempt: Whether no co-payment applies because the patient is under 16.
        text_nb: The notice in Norwegian bokmål.
        text_en: The notice in English.
        text_nn: The notice in Norwegian nynorsk.
    """

    amount: Money = attrs.field(validator=of_type(Money))
    applies: bool = attrs.field(validator=of_type(bool))
    child_exempt: bool = attrs.field(validator=of_type(bool))
    text_nb: str = attrs.field(validator=bounded_text(1000))
    text_en: str = attrs.field(validator=bounded_text(1000))
    text_nn: str = attrs.field(validator=bounded_text(1000))

    def text(self, lang: Literal["nb", "nn", "en"] = "nb") -> str:
        """
        Return the notice in a language: ``"nb"`` (the default), ``"nn"`` or ``"en"``.

        Raises:
            ValueError: For another language.
        """
        return _in_language(lang, self.text_nb, self.text_nn, self.text_en)


def _in_language(lang: str, nb: str, nn: str, en: str) -> str:
    if lang not in ("nb", "nn", "en"):
        raise ValueError(f"lang: must be 'nb', 'nn' or 'en', not {lang!r}")
    return {"nb": nb, "nn": nn, "en": en}[lang]


def fee_notice(clinic: Clinic, birth_date: dt.date, at: dt.datetime) -> FeeNotice:
    """
    Return the co-payment notice for starting an e-consultation at ``clinic``.

    Args:
        clinic: The clinic; its :class:`~patientsky.models.clinic.FeeSettings` give the tariff.
        birth_date: The patient's birth date (children under 16 pay nothing).
        at: When the e-consultation would start (timezone-aware).

    Returns:
        The notice, with the amount that may apply and the texts to show.

    Raises:
        InvalidInput: If ``at`` is not a timezone-aware datetime.
    """
    fee = clinic.fees.e_consultation_fee
    if instant(check_aware(at)) < instant(age_limit_reached_at(birth_date)):
        return FeeNotice(
            amount=Money.zero(fee.currency),
            applies=False,
            child_exempt=True,
            text_nb="Barn under 16 år betaler ikke egenandel, så e-konsultasjonen er gratis.",
            text_en="Children under 16 pay no co-payment, so the e-consultation is free.",
            text_nn="Born under 16 år betaler ikkje eigendel, så e-konsultasjonen er gratis.",
        )
    if fee.minor_units <= 0:
        return FeeNotice(
            amount=Money.zero(fee.currency),
            applies=False,
            child_exempt=False,
            text_nb="Klinikken tar ikke egenandel for e-konsultasjon.",
            text_en="The clinic charges no co-payment for e-consultations.",
            text_nn="Klinikken tek ikkje eigendel for e-konsultasjon.",
        )
    return FeeNotice(
        amount=fee,
        applies=True,
        child_exempt=False,
        text_nb=(
            f"Det kan påløpe egenandel på {fee.format_nb()} i henhold til gjeldende takst. "
            "Barn under 16 år betaler ikke egenandel."
        ),
        text_en=(
            f"A patient co-payment (egenandel) of {fee} may apply under the current tariff. "
            "Children under 16 pay no co-payment."
        ),
        text_nn=(
            f"Det kan kome eigendel på {fee.format_nb()} etter gjeldande takst. "
            "Born under 16 år betaler ikkje eigendel."
        ),
    )


def startable_types(clinic: Clinic) -> tuple[CommunicationType, ...]:
    """Return the communication types a patient may start at ``clinic`` (M4), sorted."""
    return clinic.enabled_communication_types


def action_for_type(type: CommunicationType | Unrecognized) -> Action | None:
    """
    Return the action a person needs to start a dialog of ``type`` for a patient.

    An e-consultation needs ``START_E_CONSULTATION``, a prescription request
    ``REQUEST_PRESCRIPTION_RENEWAL``, the other types ``SEND_MESSAGES``. An unknown
    type needs an action nobody has: the result is None.
    """
    if type is CommunicationType.E_CONSULTATION:
        return Action.START_E_CONSULTATION
    if type is CommunicationType.PRESCRIPTION_REQUEST:
        return Action.REQUEST_PRESCRIPTION_RENEWAL
    if isinstance(type, CommunicationType):
        return Action.SEND_MESSAGES
    return None


def may_start_dialog(
    clinic: Clinic,
    patient: Patient,
    type: CommunicationType | Unrecognized,
    at: dt.datetime,
    *,
    fee_acknowledged: bool,
) -> Decision:
    """
    Decide whether a dialog of ``type`` may be started with ``clinic`` for ``patient``.

    Whether the person acting may start it for the patient is
    :func:`~patientsky.rules.access.decide`'s question, with the action from
    :func:`action_for_type`.

    Args:
        clinic: The clinic.
        patient: The patient the dialog is about.
        type: The communication type.
        at: When (timezone-aware).
        fee_acknowledged: Whether the patient acknowledged the :func:`fee_notice`.

    Returns:
        Allowed, or denied with ``UNKNOWN_TYPE``, ``TYPE_NOT_ENABLED_BY_CLINIC`` or
        ``FEE_NOT_ACKNOWLEDGED``.
    """
    check_aware(at)
    if not isinstance(type, CommunicationType):
        return Decision.deny(Reason.UNKNOWN_TYPE)
    if type not in clinic.enabled_communication_types:
        return Decision.deny(Reason.TYPE_NOT_ENABLED_BY_CLINIC)
    if (
        type is CommunicationType.E_CONSULTATION
        and fee_acknowledged is not True
        and fee_notice(clinic, patient.birth_date, at).applies
    ):
        return Decision.deny(Reason.FEE_NOT_ACKNOWLEDGED)
    return Decision.allow()
