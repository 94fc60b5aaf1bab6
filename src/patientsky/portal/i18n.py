r"""
The portal's texts in Norwegian bokmål, nynorsk and English, and Norwegian formats.

One catalogue (:data:`TEXTS`) holds every text of the portal's pages, keyed by a short
name, in the three languages. The rules' reason messages come from
:class:`~patientsky.reasons.Reason` in all three languages.

>>> import datetime as dt
>>> from patientsky.models import Money
>>> money(Money.nok(1303), "nb")
'kr 1 303,00'
>>> when(dt.datetime(2026, 12, 12, 8, 15, tzinfo=dt.UTC), "nb")
'12. desember 2026 kl. 09.15'
>>> when(dt.datetime(2026, 12, 12, 8, 15, tzinfo=dt.UTC), "en")
'12 December 2026 at 09:15'
>>> text("inbox", "nn"), text("inbox", "en")
('Innboks', 'Inbox')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from patientsky import models
from patientsky.models import Money, Unrecognized
from patientsky.reasons import Reason

__all__ = [
    "LANGUAGES",
    "TEXTS",
    "Language",
    "date",
    "label",
    "money",
    "size",
    "reason_message",
    "text",
    "when",
]

Language = Literal["nb", "nn", "en"]
"""A language of the portal: Norwegian bokmål, Norwegian nynorsk, English."""

LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")
"""The portal's languages, the default first."""

OSLO = ZoneInfo("Europe/Oslo")

_MONTHS = {
    "nb": "januar februar mars april mai juni juli august september oktober november desember",
    "en": "January February March April May June July August September October November December",
}


def _t(nb: str, nn: str, en: str) -> tuple[str, str, str]:
    return (nb, nn, en)


TEXTS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "portal": _t("PatientSky pasientportal", "PatientSky pasientportal", "PatientSky portal"),
        "skip": _t("Hopp til innholdet", "Hopp til innhaldet", "Skip to content"),
        "menu": _t("Hovedmeny", "Hovudmeny", "Main menu"),
        "language": _t("Språk", "Språk", "Language"),
        "change_language": _t("Bytt språk", "Byt språk", "Change language"),
        "login": _t("Logg inn", "Logg inn", "Log in"),
        "logout": _t("Logg ut", "Logg ut", "Log out"),
        "logged_out": _t("Du er logget ut.", "Du er logga ut.", "You are logged out."),
        "login_method": _t("Velg innloggingsmåte", "Vel innloggingsmåte", "Choose how to log in"),
        "bankid": _t("BankID", "BankID", "BankID"),
        "buypass_smart_card": _t("Buypass smartkort", "Buypass smartkort", "Buypass smart card"),
        "buypass_mobile": _t("Buypass mobil", "Buypass mobil", "Buypass mobile"),
        "demo_person": _t(
            "Testperson (sandkassen står i stedet for identitetstjenesten)",
            "Testperson (sandkassa står i staden for identitetstenesta)",
            "Test person (the sandbox stands in for the identity provider)",
        ),
        "no_demo_people": _t(
            "Ingen testpersoner er satt opp for denne portalen.",
            "Ingen testpersonar er sette opp for denne portalen.",
            "No test people are set up for this portal.",
        ),
        "my_page": _t("Min side", "Mi side", "My page"),
        "consent": _t("Samtykke", "Samtykke", "Consent"),
        "terms": _t("Vilkår", "Vilkår", "Terms"),
        "terms_version": _t("Vilkårsversjon", "Vilkårsversjon", "Terms version"),
        "terms_text": _t(
            "PatientSky lagrer opplysningene du gir og meldingene du sender, slik at klinikken "
            "din kan gi deg helsehjelp. Du kan trekke samtykket når som helst.",
            "PatientSky lagrar opplysningane du gjev og meldingane du sender, slik at klinikken "
            "din kan gje deg helsehjelp. Du kan trekkje samtykket når som helst.",
            "PatientSky stores what you tell it and the messages you send, so that your clinic "
            "can give you care. You may withdraw your consent at any time.",
        ),
        "consent_in_force": _t(
            "Samtykket ditt gjelder.", "Samtykket ditt gjeld.", "Your consent is in force."
        ),
        "consent_not_in_force": _t(
            "Du har ikke samtykket til gjeldende vilkår.",
            "Du har ikkje samtykt til gjeldande vilkår.",
            "You have not consented to the current terms.",
        ),
        "give_consent": _t("Jeg samtykker", "Eg samtykkjer", "I consent"),
        "withdraw_consent": _t(
            "Trekk samtykket (reserver deg)",
            "Trekk samtykket (reserver deg)",
            "Withdraw consent (reserve yourself)",
        ),
        "consent_history": _t("Historikk", "Historikk", "History"),
        "given": _t("Gitt", "Gjeve", "Given"),
        "withdrawn": _t("Trukket", "Trekt", "Withdrawn"),
        "refused": _t("Ikke tillatt", "Ikkje tillate", "Not allowed"),
        "to_consent": _t("Gå til samtykke", "Gå til samtykke", "Go to consent"),
        "profile": _t("Profil", "Profil", "Profile"),
        "name": _t("Navn", "Namn", "Name"),
        "given_name": _t("Fornavn", "Førenamn", "Given name"),
        "middle_name": _t("Mellomnavn", "Mellomnamn", "Middle name"),
        "family_name": _t("Etternavn", "Etternamn", "Family name"),
        "national_id": _t("Fødselsnummer", "Fødselsnummer", "National identity number"),
        "address": _t("Adresse", "Adresse", "Address"),
        "street": _t("Gateadresse", "Gateadresse", "Street"),
        "postal_code": _t("Postnummer", "Postnummer", "Postal code"),
        "city": _t("Poststed", "Poststad", "City"),
        "phone": _t("Telefon", "Telefon", "Phone"),
        "email": _t("E-post", "E-post", "E-mail"),
        "photo": _t("Profilbilde", "Profilbilete", "Profile photo"),
        "photo_alt": _t("Profilbilde av", "Profilbilete av", "Profile photo of"),
        "no_photo": _t("Ingen profilbilde.", "Ikkje noko profilbilete.", "No profile photo."),
        "upload_photo": _t("Last opp nytt bilde", "Last opp nytt bilete", "Upload a new photo"),
        "photo_hint": _t(
            "JPEG eller PNG, høyst 5 MiB.",
            "JPEG eller PNG, høgst 5 MiB.",
            "JPEG or PNG, 5 MiB at most.",
        ),
        "save": _t("Lagre", "Lagre", "Save"),
        "saved": _t("Lagret.", "Lagra.", "Saved."),
        "stale_edit": _t(
            "Profilen ble endret et annet sted etter at du åpnet den. Endringen din er ikke "
            "lagret: se over de nye opplysningene og lagre på nytt.",
            "Profilen vart endra ein annan stad etter at du opna han. Endringa di er ikkje "
            "lagra: sjå over dei nye opplysningane og lagre på nytt.",
            "The profile was changed elsewhere after you opened it. Your change was not "
            "saved: check the new details and save again.",
        ),
        "your_change": _t("Endringen din", "Endringa di", "Your change"),
        "invalid_field": _t("Ugyldig felt", "Ugyldig felt", "Invalid field"),
        "consultations": _t("Mine konsultasjoner", "Mine konsultasjonar", "My consultations"),
        "upcoming": _t("Kommende", "Komande", "Upcoming"),
        "past": _t("Tidligere", "Tidlegare", "Past"),
        "none": _t("Ingen.", "Ingen.", "None."),
        "when": _t("Tid", "Tid", "When"),
        "clinic": _t("Klinikk", "Klinikk", "Clinic"),
        "kind": _t("Type", "Type", "Kind"),
        "practitioner": _t("Behandler", "Behandlar", "Practitioner"),
        "gp": _t("Fastlege", "Fastlege", "GP"),
        "free_from": _t(
            "Ledige timer fra tjenestens klokke:",
            "Ledige timar frå klokka til tenesta:",
            "Free times from the service's clock:",
        ),
        "change_actions": _t(
            "Endre hva relasjonen kan gjøre",
            "Endre kva relasjonen kan gjere",
            "Change what the relation may do",
        ),
        "status": _t("Status", "Status", "Status"),
        "in_person": _t("Oppmøte", "Oppmøte", "In person"),
        "video": _t("Video", "Video", "Video"),
        "cancel": _t("Avbestill", "Avbestill", "Cancel"),
        "cancelled": _t(
            "Timen er avbestilt.", "Timen er avbestilt.", "The consultation is cancelled."
        ),
        "late_cancel_fee": _t(
            "Avbestilling var gratis til {until}. Avbestiller du nå, koster det {fee}.",
            "Avbestilling var gratis til {until}. Avbestiller du no, kostar det {fee}.",
            "Cancelling was free until {until}. Cancelling now costs {fee}.",
        ),
        "late_cancel_accept": _t(
            "Jeg godtar gebyret på {fee} for sen avbestilling",
            "Eg godtek gebyret på {fee} for sein avbestilling",
            "I accept the late-cancellation fee of {fee}",
        ),
        "join_video": _t(
            "Bli med i videokonsultasjonen",
            "Bli med i videokonsultasjonen",
            "Join the video consultation",
        ),
        "video_link": _t("Videolenke", "Videolenkje", "Video link"),
        "book": _t("Bestill time", "Bestill time", "Book a consultation"),
        "booked": _t("Timen er bestilt.", "Timen er bestilt.", "The consultation is booked."),
        "free_times": _t("Ledige timer", "Ledige timar", "Free times"),
        "no_free_times": _t(
            "Ingen ledige timer de neste to ukene.",
            "Ingen ledige timar dei neste to vekene.",
            "No free times in the next two weeks.",
        ),
        "comment": _t(
            "Kommentar til klinikken", "Kommentar til klinikken", "Comment for the clinic"
        ),
        "choose_clinic": _t("Velg klinikk", "Vel klinikk", "Choose a clinic"),
        "inbox": _t("Innboks", "Innboks", "Inbox"),
        "archive": _t("Arkiv", "Arkiv", "Archive"),
        "updated": _t("Oppdatert", "Oppdatert", "Updated"),
        "type": _t("Type", "Type", "Type"),
        "from": _t("Fra", "Frå", "From"),
        "subject": _t("Emne", "Emne", "Subject"),
        "unread": _t("Ulest", "Ulesen", "Unread"),
        "open": _t("Åpen", "Open", "Open"),
        "closed": _t("Avsluttet", "Avslutta", "Closed"),
        "needs_reply": _t(
            "Venter på svar fra deg", "Ventar på svar frå deg", "Waiting for your answer"
        ),
        "reply": _t("Svar", "Svar", "Reply"),
        "message": _t("Melding", "Melding", "Message"),
        "send": _t("Send", "Send", "Send"),
        "sent": _t("Sendt.", "Sendt.", "Sent."),
        "attachments": _t("Vedlegg", "Vedlegg", "Attachments"),
        "attach_file": _t(
            "Legg ved en fil (valgfritt)", "Legg ved ei fil (valfritt)", "Attach a file (optional)"
        ),
        "attach_hint": _t(
            "JPEG, PNG, HEIC eller PDF, høyst 10 MB.",
            "JPEG, PNG, HEIC eller PDF, høgst 10 MB.",
            "JPEG, PNG, HEIC or PDF, at most 10 MB.",
        ),
        "download": _t("Last ned", "Last ned", "Download"),
        "you": _t("Du", "Du", "You"),
        "new_dialog": _t("Ny henvendelse", "Ny førespurnad", "New message"),
        "fee_notice": _t("Egenandel", "Eigendel", "Co-payment"),
        "fee_acknowledge": _t(
            "Jeg har lest om egenandelen for e-konsultasjon",
            "Eg har lese om eigendelen for e-konsultasjon",
            "I have read about the co-payment for an e-consultation",
        ),
        "payments": _t("Mine betalinger", "Mine betalingar", "My payments"),
        "outstanding": _t("Utestående", "Utståande", "Outstanding"),
        "paid_this_year": _t("Betalt i år", "Betalt i år", "Paid this year"),
        "all_paid": _t("Alle betalte", "Alle betalte", "All paid"),
        "date": _t("Dato", "Dato", "Date"),
        "payment": _t("Betaling", "Betaling", "Payment"),
        "invoice_number": _t("Fakturanummer", "Fakturanummer", "Invoice number"),
        "paid": _t("Betalt", "Betalt", "Paid"),
        "total": _t("Sum", "Sum", "Total"),
        "receipt": _t("Kvittering", "Kvittering", "Receipt"),
        "download_receipt": _t("Last ned kvittering", "Last ned kvittering", "Download receipt"),
        "tabs": _t("Faner", "Faner", "Tabs"),
        "start_care": _t("Start helsehjelp", "Start helsehjelp", "Start care"),
        "search_clinic": _t("Søk etter klinikk", "Søk etter klinikk", "Search for a clinic"),
        "search": _t("Søk", "Søk", "Search"),
        "clinic_name_or_city": _t("Navn eller sted", "Namn eller stad", "Name or city"),
        "services": _t("Tjenester", "Tenester", "Services"),
        "start": _t("Start", "Start", "Start"),
        "message_types": _t("Henvendelser", "Førespurnader", "Messages"),
        "relations": _t("Relasjoner", "Relasjonar", "Relations"),
        "may_act_for_me": _t(
            "Kan handle på vegne av meg", "Kan handle på vegner av meg", "May act for me"
        ),
        "i_may_act_for": _t(
            "Jeg kan handle på vegne av", "Eg kan handle på vegner av", "I may act for"
        ),
        "relation": _t("Relasjon", "Relasjon", "Relation"),
        "representative": _t("Representant", "Representant", "Representative"),
        "may": _t("Kan", "Kan", "May"),
        "valid": _t("Gyldig", "Gyldig", "Valid"),
        "until": _t("til", "til", "until"),
        "enabled": _t("På", "På", "On"),
        "disabled": _t("Av", "Av", "Off"),
        "switch_off": _t("Slå av tilgangen", "Slå av tilgangen", "Switch access off"),
        "switch_on": _t("Slå på tilgangen", "Slå på tilgangen", "Switch access on"),
        "act_for": _t("Bytt til", "Byt til", "Switch to"),
        "back_to_me": _t("Tilbake til meg selv", "Tilbake til meg sjølv", "Back to myself"),
        "viewing": _t("Du ser opplysningene til", "Du ser opplysningane til", "You are viewing"),
        "logged_in_as": _t("Innlogget som", "Innlogga som", "Logged in as"),
        "helsenorge": _t("Helsenorge", "Helsenorge", "Helsenorge"),
        "access_log": _t(
            "Hvem har sett mine opplysninger",
            "Kven har sett opplysningane mine",
            "Who has seen my information",
        ),
        "access_log_intro": _t(
            "Hver gang noen leser eller endrer opplysningene, står det her, nyeste først.",
            "Kvar gong nokon les eller endrar opplysningane, står det her, nyaste først.",
            "Every time someone reads or changes the information, it is listed here, newest first.",
        ),
        "who": _t("Hvem", "Kven", "Who"),
        "what": _t("Hva", "Kva", "What"),
        "access_kind": _t("Lest eller endret", "Lese eller endra", "Read or changed"),
        "next_page": _t("Neste side", "Neste side", "Next page"),
        "first_page": _t("Første side", "Første side", "First page"),
        "pages": _t("Sider", "Sider", "Pages"),
        "public_services": _t(
            "Offentlige tjenester på Helsenorge",
            "Offentlege tenester på Helsenorge",
            "Public services on Helsenorge",
        ),
        "e_pharmacy": _t("E-apotek", "E-apotek", "E-pharmacy"),
        "renewals": _t("Fornyelser av resept", "Fornyingar av resept", "Prescription renewals"),
        "renew": _t("Be om fornyelse", "Be om fornying", "Request renewal"),
        "medications": _t(
            "Legemidler (ett per linje)", "Legemiddel (eitt per linje)", "Medicines (one a line)"
        ),
        "note": _t("Merknad", "Merknad", "Note"),
        "requested": _t("Sendt", "Sendt", "Sent"),
        "csrf_failed": _t(
            "Skjemaet er utløpt. Gå tilbake, last siden på nytt og prøv igjen.",
            "Skjemaet er utgått. Gå tilbake, last sida på nytt og prøv igjen.",
            "The form has expired. Go back, reload the page and try again.",
        ),
        "not_found": _t("Fant ikke siden.", "Fann ikkje sida.", "Page not found."),
        "service_unavailable": _t(
            "Tjenesten svarer ikke nå. Prøv igjen om litt.",
            "Tenesta svarar ikkje no. Prøv igjen om litt.",
            "The service does not answer now. Try again shortly.",
        ),
        "session_ended": _t(
            "Innloggingen er avsluttet. Logg inn på nytt.",
            "Innlogginga er avslutta. Logg inn på nytt.",
            "Your login has ended. Log in again.",
        ),
        "required": _t("må fylles ut", "må fyllast ut", "is required"),
    }
)
"""Every text of the portal's pages: name -> (bokmål, nynorsk, English)."""

_INDEX: Mapping[str, int] = {"nb": 0, "nn": 1, "en": 2}


def text(key: str, lang: str) -> str:
    """
    Return a text of the catalogue in a language.

    Args:
        key: The text's name in :data:`TEXTS`.
        lang: ``"nb"``, ``"nn"`` or ``"en"``; anything else reads as bokmål.

    Raises:
        KeyError: For a name the catalogue does not have (a bug in a template).
    """
    return TEXTS[key][_INDEX.get(lang, 0)]


def money(value: Money, lang: str) -> str:
    """Format an amount the Norwegian way (``kr 1 303,00``) in every language."""
    del lang  # Norwegian kroner read the same in all three
    return value.format_nb()


def size(value: int, lang: str) -> str:
    """
    Format a file's size: ``812 byte``, ``12,5 kB``, ``3,2 MB`` (a point in English).

    >>> size(12_800, "nb"), size(3_355_443, "en")
    ('12,5 kB', '3.2 MB')
    """
    unit, amount = ("byte", float(value))
    for name in ("kB", "MB", "GB"):
        if amount < 1024:
            break
        unit, amount = name, amount / 1024
    shown = f"{amount:.0f}" if unit == "byte" else f"{amount:.1f}"
    return f"{shown if lang == 'en' else shown.replace('.', ',')} {unit}"


def when(value: dt.datetime, lang: str) -> str:
    """Format an instant in Oslo time: ``12. desember 2026 kl. 09.15`` (English: ``at 09:15``)."""
    local = value.astimezone(OSLO)
    if lang == "en":
        return f"{local.day} {_MONTHS['en'].split()[local.month - 1]} {local.year} at {local:%H:%M}"
    return f"{local.day}. {_MONTHS['nb'].split()[local.month - 1]} {local.year} kl. {local:%H.%M}"


def date(value: dt.date, lang: str) -> str:
    """Format a date: ``12. desember 2026`` (English: ``12 December 2026``)."""
    if lang == "en":
        return f"{value.day} {_MONTHS['en'].split()[value.month - 1]} {value.year}"
    return f"{value.day}. {_MONTHS['nb'].split()[value.month - 1]} {value.year}"


def label(value: object, lang: str) -> str:
    """
    Return an enum member's label in a language (from :func:`patientsky.models.labels.label`).

    A value without labels (an unrecognised one from a newer server, or a plain string)
    shows as its code; another language reads as bokmål.
    """
    if isinstance(value, enum.Enum | Unrecognized):
        with contextlib.suppress(ValueError):  # an enum without labels shows as its code
            return models.label(value, next((k for k in LANGUAGES if k == lang), "nb"))
    return str(getattr(value, "value", value))


def reason_message(reason: Reason, lang: str) -> str:
    """Return a rule's reason message in the language (bokmål for another); see Reason.message."""
    for known in LANGUAGES:
        if lang == known:
            return reason.message(known)
    return reason.message_nb
