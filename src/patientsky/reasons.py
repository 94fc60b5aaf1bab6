"""
The reason codes: why a rule denied something, with their messages in three languages.

This module is the lowest layer, beside :mod:`patientsky.errors`, and imports only the
standard library: :class:`~patientsky.errors.AccessDenied` carries a :class:`Reason`
without the errors knowing the rules. The rules answer with these codes, and
:mod:`patientsky.rules` (and :mod:`patientsky.rules.decision`) re-export :class:`Reason`.

>>> Reason.parse("child_turned_16"), Reason.parse("from_a_newer_server")
(<Reason.CHILD_TURNED_16: 'child_turned_16'>, <Reason.UNKNOWN: 'unknown'>)
>>> Reason.CHILD_TURNED_16.area, Reason.CHILD_TURNED_16.message_en
('relations', 'The child has turned 16, and parental access has ended.')
>>> Reason.CHILD_TURNED_16.message("nn")
'Barnet har fylt 16 år, og foreldretilgangen er avslutta.'

Every message is in this module: bokmål and English in ``_MESSAGES``, nynorsk in
``_MESSAGES_NN`` (a test checks that every member has all three). A new member goes at
the end of the enum, with an entry in both tables.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

__all__ = ["Reason"]


class Reason(enum.Enum):
    """
    Why a rule denied something: a stable, machine-readable code.

    The values are snake_case strings that never change meaning; they travel in
    the ``code`` field of the HTTP problem documents. :meth:`parse` reads one back,
    turning a code this version does not know into :attr:`UNKNOWN`.
    """

    UNKNOWN = "unknown"
    """A code this version does not know (from a newer server)."""

    # Login (L1)
    SESSION_EXPIRED = "session_expired"
    """The login session has ended."""
    SESSION_NOT_YET_VALID = "session_not_yet_valid"
    """The login session starts after the time asked about."""
    LOGIN_ASSURANCE_TOO_LOW = "login_assurance_too_low"
    """The login method is below the high assurance health data needs (MinID, for example)."""

    # Consent (C1-C3)
    CONSENT_MISSING = "consent_missing"
    """The person acting has never consented to the terms."""
    CONSENT_WITHDRAWN = "consent_withdrawn"
    """The person acting has withdrawn their consent ("reserved" themself)."""
    CONSENT_OUTDATED_TERMS = "consent_outdated_terms"
    """The person acting consented to an older version of the terms."""
    PRINCIPAL_CONSENT_MISSING = "principal_consent_missing"
    """The patient acted for has never consented to the terms."""
    PRINCIPAL_CONSENT_WITHDRAWN = "principal_consent_withdrawn"
    """The patient acted for has withdrawn their consent."""
    PRINCIPAL_CONSENT_OUTDATED_TERMS = "principal_consent_outdated_terms"
    """The patient acted for consented to an older version of the terms."""
    CONSENT_BY_PARENT_REQUIRED = "consent_by_parent_required"
    """A child under 16 cannot give or withdraw consent; a parent or guardian does."""
    RELATION_CANNOT_CONSENT = "relation_cannot_consent"
    """Only a parent or guardian relation gives or withdraws consent for someone else."""

    # Relations and access (R1-R4)
    NO_RELATION = "no_relation"
    """The actor has no relation to the patient."""
    RELATION_DISABLED = "relation_disabled"
    """The relation is switched off."""
    RELATION_NOT_YET_VALID = "relation_not_yet_valid"
    """The relation's validity window has not begun."""
    RELATION_EXPIRED = "relation_expired"
    """The relation's validity window has ended."""
    CHILD_TURNED_16 = "child_turned_16"
    """A parent relation ended as the child's 16th birthday began, in Europe/Oslo time."""
    ACTION_NOT_GRANTED = "action_not_granted"
    """The relation does not grant the action."""
    TRANSITIVE_RELATION = "transitive_relation"
    """The actor represents someone who represents the patient; access does not chain."""
    ONLY_CLINIC_ADDS_RELATIONS = "only_clinic_adds_relations"
    """A person tried to add a relation; only a clinic can (R3)."""
    PATIENT_NOT_CONNECTED_TO_CLINIC = "patient_not_connected_to_clinic"
    """The patient is not connected to the clinic."""
    GRANT_EXCEEDS_PATIENT = "grant_exceeds_patient"
    """A representative tried to grant more than they hold for the patient."""
    UNKNOWN_ACTION = "unknown_action"
    """An action this version does not know; never allowed."""
    UNKNOWN_RELATION_KIND = "unknown_relation_kind"
    """A relation kind this version does not know; never allowed."""

    # Communication (M1-M7)
    TYPE_NOT_ENABLED_BY_CLINIC = "type_not_enabled_by_clinic"
    """The clinic has not enabled the communication type (M4)."""
    UNKNOWN_TYPE = "unknown_type"
    """A communication type this version does not know; never allowed."""
    FEE_NOT_ACKNOWLEDGED = "fee_not_acknowledged"
    """An e-consultation may cost a co-payment and the patient has not acknowledged it (M7)."""
    DIALOG_CLOSED = "dialog_closed"
    """The dialog is closed; it takes no reply and cannot be closed again."""
    UNKNOWN_DIALOG_STATUS = "unknown_dialog_status"
    """A dialog status this version does not know; nothing is allowed on it."""

    # Start care and e-pharmacy (H1, H2, E1, K3)
    SERVICE_NOT_ENABLED = "service_not_enabled"
    """The clinic has not enabled the service (H1, E1, K3)."""
    UNKNOWN_SERVICE = "unknown_service"
    """A service this version does not know; never allowed."""
    NO_CLINIC_CHOSEN = "no_clinic_chosen"
    """No clinic was chosen; a patient without a GP must search for one first (H2)."""

    # Booking (K2, K3)
    SLOT_NOT_FREE = "slot_not_free"
    """The time asked for is not free."""
    SLOT_NOT_PUBLIC = "slot_not_public"
    """The time is not publicly bookable."""
    WRONG_DURATION = "wrong_duration"
    """The duration does not fit the time slot type."""
    KIND_NOT_OFFERED = "kind_not_offered"
    """The clinic does not offer that kind of consultation (for example video)."""
    ALREADY_BOOKED = "already_booked"
    """The patient already holds this booking."""
    NOT_CANCELLABLE = "not_cancellable"
    """The consultation cannot be cancelled (it is over, or already cancelled)."""
    START_NOT_ON_GRID = "start_not_on_grid"
    """The start is not on the time slot's grid (whole minutes, on a boundary of the slot type)."""

    # Bounded resources: limits that keep one person from filling the system
    DIALOG_FULL = "dialog_full"
    """The dialog holds as many messages as a dialog may; a new dialog takes the rest."""
    TOO_MANY_FUTURE_BOOKINGS = "too_many_future_bookings"
    """The patient already holds as many upcoming bookings at the clinic as it allows."""

    # The clinic's half: invoices, renewals, consultations, late cancellation (B1, E1, K4)
    LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED = "late_cancellation_fee_not_acknowledged"
    """Cancelling now costs the clinic's late-cancellation fee and the patient has not
    acknowledged the notice."""
    NO_FEE_DUE = "no_fee_due"
    """No fee is due: the consultation was not cancelled late nor missed, or the clinic
    charges nothing."""
    INVOICE_ALREADY_PAID = "invoice_already_paid"
    """The invoice is paid already; it is settled only once."""
    INVOICE_NOT_PAID = "invoice_not_paid"
    """The invoice is not paid, so there is nothing to refund."""
    PAYMENT_ALREADY_REFUNDED = "payment_already_refunded"
    """The payment has been refunded already."""
    UNKNOWN_PAYMENT_METHOD = "unknown_payment_method"
    """A payment method or status this version does not know; nothing is settled with it."""
    RENEWAL_ALREADY_DECIDED = "renewal_already_decided"
    """The prescription renewal request has been approved or rejected already (E1)."""
    UNKNOWN_RENEWAL_STATUS = "unknown_renewal_status"
    """A renewal status this version does not know; nothing is decided on it."""
    CONSULTATION_NOT_BOOKED = "consultation_not_booked"
    """The consultation is not booked: it was cancelled, or is marked already."""
    CONSULTATION_NOT_STARTED = "consultation_not_started"
    """The consultation has not started yet, so it cannot be marked completed or missed."""

    # Attachments on messages (M8)
    ATTACHMENT_TYPE_NOT_ALLOWED = "attachment_type_not_allowed"
    """The file is of a type a message does not carry (JPEG, PNG, HEIC and PDF are)."""
    ATTACHMENT_CONTENT_MISMATCH = "attachment_content_mismatch"
    """The file's bytes are not what its media type says (checked by content, not name)."""
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    """The file is larger than one attachment may be."""
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    """The message names more attachments than one message carries."""
    ATTACHMENTS_TOO_LARGE = "attachments_too_large"
    """The message's attachments are larger together than one message carries."""
    ATTACHMENT_UNAVAILABLE = "attachment_unavailable"
    """The attachment named is not one the writer uploaded for this patient and has not
    sent yet (unknown, someone else's, sent with another message, or expired)."""
    TOO_MANY_PENDING_ATTACHMENTS = "too_many_pending_attachments"
    """The patient holds as many uploaded, unsent attachments as allowed; send or let
    them expire first."""

    @classmethod
    def parse(cls, code: str | None) -> Reason:
        """
        Read a reason code; a code this version does not know becomes :attr:`UNKNOWN`.

        Args:
            code: The code, for example from a problem document's ``code`` field.

        Returns:
            The matching member, or :attr:`UNKNOWN`.
        """
        if code is None:
            return cls.UNKNOWN
        return _BY_VALUE.get(code, cls.UNKNOWN)

    @property
    def area(self) -> str:
        """The rule family the code belongs to (``"login"``, ``"consent"``, ...)."""
        return _MESSAGES[self].area

    @property
    def message_nb(self) -> str:
        """The human message, in Norwegian bokmål."""
        return _MESSAGES[self].nb

    @property
    def message_en(self) -> str:
        """The human message, in English."""
        return _MESSAGES[self].en

    @property
    def message_nn(self) -> str:
        """The human message, in Norwegian nynorsk."""
        return _MESSAGES_NN[self]

    def message(self, lang: Literal["nb", "nn", "en"] = "nb") -> str:
        """
        Return the human message in a language.

        Args:
            lang: ``"nb"`` (Norwegian bokmål, the default), ``"nn"`` (nynorsk) or ``"en"``.

        Raises:
            ValueError: For another language.
        """
        if lang == "nb":
            return self.message_nb
        if lang == "nn":
            return self.message_nn
        if lang == "en":
            return self.message_en
        raise ValueError(f"lang: must be 'nb', 'nn' or 'en', not {lang!r}")


class _Entry(NamedTuple):
    area: str
    nb: str
    en: str


_BY_VALUE: Mapping[str, Reason] = MappingProxyType({r.value: r for r in Reason})

# The one table of messages. They are fixed texts: no names, no numbers, no national ids.
_MESSAGES: Mapping[Reason, _Entry] = MappingProxyType(
    {
        Reason.UNKNOWN: _Entry(
            "general",
            "Handlingen ble avvist.",
            "The action was denied.",
        ),
        Reason.SESSION_EXPIRED: _Entry(
            "login",
            "Innloggingen din er utløpt. Logg inn på nytt.",
            "Your session has expired. Please log in again.",
        ),
        Reason.SESSION_NOT_YET_VALID: _Entry(
            "login",
            "Innloggingen din er ikke gyldig ennå.",
            "Your session is not valid yet.",
        ),
        Reason.LOGIN_ASSURANCE_TOO_LOW: _Entry(
            "login",
            "Helseopplysninger krever innlogging på høyeste sikkerhetsnivå, "
            "for eksempel med BankID eller Buypass.",
            "Health data requires a high-assurance login, such as BankID or Buypass.",
        ),
        Reason.CONSENT_MISSING: _Entry(
            "consent",
            "Du må samtykke til vilkårene før du kan bruke PatientSky.",
            "You must consent to the terms before using PatientSky.",
        ),
        Reason.CONSENT_WITHDRAWN: _Entry(
            "consent",
            "Du har trukket samtykket ditt. Gi samtykke på nytt for å bruke PatientSky.",
            "You have withdrawn your consent. Give consent again to use PatientSky.",
        ),
        Reason.CONSENT_OUTDATED_TERMS: _Entry(
            "consent",
            "Vilkårene er endret. Du må samtykke til de nye vilkårene.",
            "The terms have changed. You must consent to the new terms.",
        ),
        Reason.PRINCIPAL_CONSENT_MISSING: _Entry(
            "consent",
            "Personen du handler på vegne av har ikke samtykket til vilkårene.",
            "The person you act for has not consented to the terms.",
        ),
        Reason.PRINCIPAL_CONSENT_WITHDRAWN: _Entry(
            "consent",
            "Personen du handler på vegne av har trukket samtykket sitt.",
            "The person you act for has withdrawn their consent.",
        ),
        Reason.PRINCIPAL_CONSENT_OUTDATED_TERMS: _Entry(
            "consent",
            "Personen du handler på vegne av har ikke samtykket til de nye vilkårene.",
            "The person you act for has not consented to the new terms.",
        ),
        Reason.CONSENT_BY_PARENT_REQUIRED: _Entry(
            "consent",
            "For barn under 16 år er det foreldre eller verge som gir og trekker samtykket.",
            "For a child under 16, a parent or guardian gives and withdraws consent.",
        ),
        Reason.RELATION_CANNOT_CONSENT: _Entry(
            "consent",
            "Bare foreldre eller verge kan gi eller trekke samtykke på vegne av andre.",
            "Only a parent or guardian can give or withdraw consent for someone else.",
        ),
        Reason.NO_RELATION: _Entry(
            "relations",
            "Du har ingen relasjon som gir deg tilgang til denne personen.",
            "You have no relation that gives you access to this person.",
        ),
        Reason.RELATION_DISABLED: _Entry(
            "relations",
            "Tilgangen gjennom relasjonen er slått av.",
            "Access through the relation has been switched off.",
        ),
        Reason.RELATION_NOT_YET_VALID: _Entry(
            "relations",
            "Relasjonen gjelder ikke ennå.",
            "The relation is not valid yet.",
        ),
        Reason.RELATION_EXPIRED: _Entry(
            "relations",
            "Relasjonen er utløpt.",
            "The relation has expired.",
        ),
        Reason.CHILD_TURNED_16: _Entry(
            "relations",
            "Barnet har fylt 16 år, og foreldretilgangen er avsluttet.",
            "The child has turned 16, and parental access has ended.",
        ),
        Reason.ACTION_NOT_GRANTED: _Entry(
            "relations",
            "Relasjonen din gir ikke tilgang til denne handlingen.",
            "Your relation does not give access to this action.",
        ),
        Reason.TRANSITIVE_RELATION: _Entry(
            "relations",
            "Tilgang gjennom en relasjon kan ikke gis videre til andre.",
            "Access through a relation does not pass on to anyone else.",
        ),
        Reason.ONLY_CLINIC_ADDS_RELATIONS: _Entry(
            "relations",
            "Bare klinikken kan legge til relasjoner. Ta kontakt med klinikken din.",
            "Only the clinic can add relations. Please contact your clinic.",
        ),
        Reason.PATIENT_NOT_CONNECTED_TO_CLINIC: _Entry(
            "relations",
            "Pasienten er ikke knyttet til denne klinikken.",
            "The patient is not connected to this clinic.",
        ),
        Reason.GRANT_EXCEEDS_PATIENT: _Entry(
            "relations",
            "Du kan ikke gi mer tilgang enn du selv har på vegne av personen.",
            "You cannot grant more access than you hold for the person.",
        ),
        Reason.UNKNOWN_ACTION: _Entry(
            "relations",
            "Handlingen er ukjent for denne versjonen og er ikke tillatt.",
            "The action is unknown to this version and is not allowed.",
        ),
        Reason.UNKNOWN_RELATION_KIND: _Entry(
            "relations",
            "Relasjonstypen er ukjent for denne versjonen og gir ingen tilgang.",
            "The kind of relation is unknown to this version and gives no access.",
        ),
        Reason.TYPE_NOT_ENABLED_BY_CLINIC: _Entry(
            "communication",
            "Klinikken har ikke aktivert denne kommunikasjonstypen.",
            "The clinic has not enabled this type of communication.",
        ),
        Reason.UNKNOWN_TYPE: _Entry(
            "communication",
            "Kommunikasjonstypen er ukjent for denne versjonen og er ikke tillatt.",
            "The communication type is unknown to this version and is not allowed.",
        ),
        Reason.FEE_NOT_ACKNOWLEDGED: _Entry(
            "communication",
            "Du må bekrefte at du har lest om egenandelen før du starter en e-konsultasjon.",
            "You must acknowledge the co-payment notice before starting an e-consultation.",
        ),
        Reason.DIALOG_CLOSED: _Entry(
            "communication",
            "Dialogen er avsluttet og kan ikke besvares.",
            "The dialog is closed and takes no reply.",
        ),
        Reason.UNKNOWN_DIALOG_STATUS: _Entry(
            "communication",
            "Dialogen har en status som er ukjent for denne versjonen.",
            "The dialog has a status unknown to this version.",
        ),
        Reason.SERVICE_NOT_ENABLED: _Entry(
            "care",
            "Klinikken tilbyr ikke denne tjenesten. Ta kontakt med klinikken om du har spørsmål.",
            "The clinic does not offer this service. Please contact the clinic with questions.",
        ),
        Reason.UNKNOWN_SERVICE: _Entry(
            "care",
            "Tjenesten er ukjent for denne versjonen og er ikke tillatt.",
            "The service is unknown to this version and is not allowed.",
        ),
        Reason.NO_CLINIC_CHOSEN: _Entry(
            "care",
            "Velg en klinikk før du starter helsehjelp. Har du ikke fastlege, søk opp klinikken.",
            "Choose a clinic before starting care. Without a GP, search for the clinic first.",
        ),
        Reason.SLOT_NOT_FREE: _Entry(
            "booking",
            "Tiden er ikke ledig.",
            "The time is not free.",
        ),
        Reason.SLOT_NOT_PUBLIC: _Entry(
            "booking",
            "Denne tiden kan ikke bestilles i pasientportalen.",
            "This time cannot be booked in the patient portal.",
        ),
        Reason.WRONG_DURATION: _Entry(
            "booking",
            "Varigheten passer ikke til timetypen.",
            "The duration does not fit the type of appointment.",
        ),
        Reason.KIND_NOT_OFFERED: _Entry(
            "booking",
            "Klinikken tilbyr ikke denne typen konsultasjon.",
            "The clinic does not offer this kind of consultation.",
        ),
        Reason.ALREADY_BOOKED: _Entry(
            "booking",
            "Denne timen er allerede bestilt.",
            "This appointment is already booked.",
        ),
        Reason.NOT_CANCELLABLE: _Entry(
            "booking",
            "Timen kan ikke avbestilles.",
            "This appointment cannot be cancelled.",
        ),
        Reason.START_NOT_ON_GRID: _Entry(
            "booking",
            "Timen må starte på et av tidspunktene timeboken tilbyr.",
            "An appointment must start at one of the times the calendar offers.",
        ),
        # Bounded resources
        Reason.DIALOG_FULL: _Entry(
            "communication",
            "Dialogen har nådd største antall meldinger. Start en ny dialog for å skrive mer.",
            "The dialog has reached its maximum number of messages. Start a new dialog to write"
            " more.",
        ),
        Reason.TOO_MANY_FUTURE_BOOKINGS: _Entry(
            "booking",
            "Du har allerede så mange kommende timer hos klinikken som den tillater."
            " Avbestill en time eller vent til en er over.",
            "You already hold as many upcoming appointments at the clinic as it allows."
            " Cancel one, or wait until one is over.",
        ),
        # The clinic's half
        Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED: _Entry(
            "booking",
            "Fristen for gratis avbestilling er ute. Du må bekrefte at du har lest om"
            " avbestillingsgebyret før du avbestiller.",
            "The deadline for free cancellation has passed. You must acknowledge the"
            " cancellation fee notice before cancelling.",
        ),
        Reason.NO_FEE_DUE: _Entry(
            "payments",
            "Det skal ikke betales gebyr for denne timen.",
            "No fee is due for this appointment.",
        ),
        Reason.INVOICE_ALREADY_PAID: _Entry(
            "payments",
            "Fakturaen er allerede betalt.",
            "The invoice has already been paid.",
        ),
        Reason.INVOICE_NOT_PAID: _Entry(
            "payments",
            "Fakturaen er ikke betalt, så det er ingenting å tilbakebetale.",
            "The invoice has not been paid, so there is nothing to refund.",
        ),
        Reason.PAYMENT_ALREADY_REFUNDED: _Entry(
            "payments",
            "Betalingen er allerede tilbakebetalt.",
            "The payment has already been refunded.",
        ),
        Reason.UNKNOWN_PAYMENT_METHOD: _Entry(
            "payments",
            "Betalingsmåten er ukjent for denne versjonen og er ikke tillatt.",
            "The payment method is unknown to this version and is not allowed.",
        ),
        Reason.RENEWAL_ALREADY_DECIDED: _Entry(
            "care",
            "Forespørselen om reseptfornyelse er allerede behandlet.",
            "The prescription renewal request has already been decided.",
        ),
        Reason.UNKNOWN_RENEWAL_STATUS: _Entry(
            "care",
            "Forespørselen har en status som er ukjent for denne versjonen.",
            "The request has a status unknown to this version.",
        ),
        Reason.CONSULTATION_NOT_BOOKED: _Entry(
            "booking",
            "Timen er ikke bestilt: den er avbestilt eller allerede registrert.",
            "The appointment is not booked: it was cancelled or has been recorded already.",
        ),
        Reason.CONSULTATION_NOT_STARTED: _Entry(
            "booking",
            "Timen har ikke begynt ennå.",
            "The appointment has not started yet.",
        ),
        # Attachments (M8)
        Reason.ATTACHMENT_TYPE_NOT_ALLOWED: _Entry(
            "communication",
            "Filtypen kan ikke legges ved. Du kan legge ved bilder (JPEG, PNG, HEIC) og PDF.",
            "This type of file cannot be attached. You can attach photos (JPEG, PNG, HEIC)"
            " and PDFs.",
        ),
        Reason.ATTACHMENT_CONTENT_MISMATCH: _Entry(
            "communication",
            "Innholdet i filen stemmer ikke med filtypen, eller filen er skadet.",
            "The file's content does not match its type, or the file is damaged.",
        ),
        Reason.ATTACHMENT_TOO_LARGE: _Entry(
            "communication",
            "Filen er for stor til å legges ved.",
            "The file is too large to attach.",
        ),
        Reason.TOO_MANY_ATTACHMENTS: _Entry(
            "communication",
            "Meldingen har for mange vedlegg.",
            "The message has too many attachments.",
        ),
        Reason.ATTACHMENTS_TOO_LARGE: _Entry(
            "communication",
            "Vedleggene er til sammen for store for én melding.",
            "The attachments are too large together for one message.",
        ),
        Reason.ATTACHMENT_UNAVAILABLE: _Entry(
            "communication",
            "Vedlegget finnes ikke, er allerede sendt, eller er utløpt. Last det opp på nytt.",
            "The attachment does not exist, has been sent already, or has expired. Upload it"
            " again.",
        ),
        Reason.TOO_MANY_PENDING_ATTACHMENTS: _Entry(
            "communication",
            "Du har for mange opplastede vedlegg som ikke er sendt. Send dem med en melding først.",
            "You have too many uploaded attachments that are not sent. Send them with a"
            " message first.",
        ),
    }
)

# The messages in nynorsk, in the enum's order; every member has one (a test checks).
_MESSAGES_NN: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.UNKNOWN: "Handlinga vart avvist.",
        Reason.SESSION_EXPIRED: "Innlogginga di er utgått. Logg inn på nytt.",
        Reason.SESSION_NOT_YET_VALID: "Innlogginga di er ikkje gyldig enno.",
        Reason.LOGIN_ASSURANCE_TOO_LOW: (
            "Helseopplysningar krev innlogging på høgaste tryggleiksnivå, til dømes med "
            "BankID eller Buypass."
        ),
        Reason.CONSENT_MISSING: "Du må samtykkje til vilkåra før du kan bruke PatientSky.",
        Reason.CONSENT_WITHDRAWN: (
            "Du har trekt samtykket ditt. Gje samtykke på nytt for å bruke PatientSky."
        ),
        Reason.CONSENT_OUTDATED_TERMS: "Vilkåra er endra. Du må samtykkje til dei nye vilkåra.",
        Reason.PRINCIPAL_CONSENT_MISSING: (
            "Personen du handlar på vegner av har ikkje samtykt til vilkåra."
        ),
        Reason.PRINCIPAL_CONSENT_WITHDRAWN: (
            "Personen du handlar på vegner av har trekt samtykket sitt."
        ),
        Reason.PRINCIPAL_CONSENT_OUTDATED_TERMS: (
            "Personen du handlar på vegner av har ikkje samtykt til dei nye vilkåra."
        ),
        Reason.CONSENT_BY_PARENT_REQUIRED: (
            "For born under 16 år er det foreldre eller verje som gjev og trekkjer samtykket."
        ),
        Reason.RELATION_CANNOT_CONSENT: (
            "Berre foreldre eller verje kan gje eller trekkje samtykke på vegner av andre."
        ),
        Reason.NO_RELATION: "Du har ingen relasjon som gjev deg tilgang til denne personen.",
        Reason.RELATION_DISABLED: "Tilgangen gjennom relasjonen er slått av.",
        Reason.RELATION_NOT_YET_VALID: "Relasjonen gjeld ikkje enno.",
        Reason.RELATION_EXPIRED: "Relasjonen er utgått.",
        Reason.CHILD_TURNED_16: "Barnet har fylt 16 år, og foreldretilgangen er avslutta.",
        Reason.ACTION_NOT_GRANTED: "Relasjonen din gjev ikkje tilgang til denne handlinga.",
        Reason.TRANSITIVE_RELATION: (
            "Tilgang gjennom ein relasjon kan ikkje givast vidare til andre."
        ),
        Reason.ONLY_CLINIC_ADDS_RELATIONS: (
            "Berre klinikken kan leggje til relasjonar. Ta kontakt med klinikken din."
        ),
        Reason.PATIENT_NOT_CONNECTED_TO_CLINIC: "Pasienten er ikkje knytt til denne klinikken.",
        Reason.GRANT_EXCEEDS_PATIENT: (
            "Du kan ikkje gje meir tilgang enn du sjølv har på vegner av personen."
        ),
        Reason.UNKNOWN_ACTION: "Handlinga er ukjend for denne versjonen og er ikkje tillaten.",
        Reason.UNKNOWN_RELATION_KIND: (
            "Relasjonstypen er ukjend for denne versjonen og gjev ingen tilgang."
        ),
        Reason.TYPE_NOT_ENABLED_BY_CLINIC: (
            "Klinikken har ikkje slått på denne kommunikasjonstypen."
        ),
        Reason.UNKNOWN_TYPE: (
            "Kommunikasjonstypen er ukjend for denne versjonen og er ikkje tillaten."
        ),
        Reason.FEE_NOT_ACKNOWLEDGED: (
            "Du må stadfeste at du har lese om eigendelen før du startar ein e-konsultasjon."
        ),
        Reason.DIALOG_CLOSED: "Dialogen er avslutta og kan ikkje svarast på.",
        Reason.UNKNOWN_DIALOG_STATUS: "Dialogen har ein status som er ukjend for denne versjonen.",
        Reason.SERVICE_NOT_ENABLED: (
            "Klinikken tilbyr ikkje denne tenesta. Ta kontakt med klinikken om du har spørsmål."
        ),
        Reason.UNKNOWN_SERVICE: "Tenesta er ukjend for denne versjonen og er ikkje tillaten.",
        Reason.NO_CLINIC_CHOSEN: (
            "Vel ein klinikk før du startar helsehjelp. Har du ikkje fastlege, søk opp klinikken."
        ),
        Reason.SLOT_NOT_FREE: "Tida er ikkje ledig.",
        Reason.SLOT_NOT_PUBLIC: "Denne tida kan ikkje bestillast i pasientportalen.",
        Reason.WRONG_DURATION: "Lengda passar ikkje til timetypen.",
        Reason.KIND_NOT_OFFERED: "Klinikken tilbyr ikkje denne typen konsultasjon.",
        Reason.ALREADY_BOOKED: "Denne timen er alt bestilt.",
        Reason.NOT_CANCELLABLE: "Timen kan ikkje avbestillast.",
        Reason.START_NOT_ON_GRID: "Timen må starte på eitt av tidspunkta timeboka tilbyr.",
        Reason.DIALOG_FULL: (
            "Dialogen har nådd største tal på meldingar. Start ein ny dialog for å skrive meir."
        ),
        Reason.TOO_MANY_FUTURE_BOOKINGS: (
            "Du har alt så mange komande timar hos klinikken som han tillèt. Avbestill ein "
            "time eller vent til ein er over."
        ),
        Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED: (
            "Fristen for gratis avbestilling er ute. Du må stadfeste at du har lese om"
            " avbestillingsgebyret før du avbestiller."
        ),
        Reason.NO_FEE_DUE: "Det skal ikkje betalast gebyr for denne timen.",
        Reason.INVOICE_ALREADY_PAID: "Fakturaen er alt betalt.",
        Reason.INVOICE_NOT_PAID: "Fakturaen er ikkje betalt, så det er ingenting å betale attende.",
        Reason.PAYMENT_ALREADY_REFUNDED: "Betalinga er alt betalt attende.",
        Reason.UNKNOWN_PAYMENT_METHOD: (
            "Betalingsmåten er ukjend for denne versjonen og er ikkje tillaten."
        ),
        Reason.RENEWAL_ALREADY_DECIDED: "Førespurnaden om reseptfornying er alt handsama.",
        Reason.UNKNOWN_RENEWAL_STATUS: (
            "Førespurnaden har ein status som er ukjend for denne versjonen."
        ),
        Reason.CONSULTATION_NOT_BOOKED: (
            "Timen er ikkje bestilt: han er avbestilt eller alt registrert."
        ),
        Reason.CONSULTATION_NOT_STARTED: "Timen har ikkje byrja enno.",
        Reason.ATTACHMENT_TYPE_NOT_ALLOWED: (
            "Filtypen kan ikkje leggjast ved. Du kan leggje ved bilete (JPEG, PNG, HEIC) og PDF."
        ),
        Reason.ATTACHMENT_CONTENT_MISMATCH: (
            "Innhaldet i fila stemmer ikkje med filtypen, eller fila er skadd."
        ),
        Reason.ATTACHMENT_TOO_LARGE: "Fila er for stor til å leggjast ved.",
        Reason.TOO_MANY_ATTACHMENTS: "Meldinga har for mange vedlegg.",
        Reason.ATTACHMENTS_TOO_LARGE: "Vedlegga er til saman for store for éi melding.",
        Reason.ATTACHMENT_UNAVAILABLE: (
            "Vedlegget finst ikkje, er alt sendt, eller har gått ut. Last det opp på nytt."
        ),
        Reason.TOO_MANY_PENDING_ATTACHMENTS: (
            "Du har for mange opplasta vedlegg som ikkje er sende. Send dei med ei melding først."
        ),
    }
)
