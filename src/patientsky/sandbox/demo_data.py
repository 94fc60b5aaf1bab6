"""
The sandbox's demo world: clinics, practitioners with real calendars, and synthetic patients.

Every national identity number here is a *synthetic* test number (month + 80, as the
population register's test environment issues them), made for the day the demo is
built; none is a real person's. The practitioners' calendars are PatientSky's own
calendar exports (April 2019), moved forward by whole weeks so that the weekday and the
time of day stay the same and there is free time in the coming week.

>>> import datetime as dt
>>> demo = build_demo(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))
>>> sorted(login.patient_id for login in demo.logins)[:3]
['p-emil', 'p-ingrid', 'p-jonas']
>>> all(p.national_id.is_synthetic for p in demo.patients)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import attrs

from patientsky.models import (
    Action,
    Address,
    Appointment,
    AuthorKind,
    Calendar,
    CareService,
    Clinic,
    CommunicationType,
    ConsentEvent,
    ConsentEventKind,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    ContactDetails,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    FeeSettings,
    Gender,
    Invoice,
    KidNumber,
    Message,
    Money,
    NationalId,
    OrganisationNumber,
    Patient,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTerminal,
    PersonName,
    Practitioner,
    PractitionerRole,
    PrescriptionRenewalRequest,
    PublicServiceLink,
    Relation,
    RelationKind,
    Terms,
    TimeSlot,
    TimeSlotType,
)
from patientsky.models import fodselsnummer as _fnr
from patientsky.models import kid as _kid
from patientsky.models import orgnr as _orgnr
from patientsky.models.calendar import OSLO
from patientsky.models.kid import KidMethod
from patientsky.wire.legacy import demo_exports, load_calendar_export

__all__ = [
    "CALENDAR_DIR",
    "DemoData",
    "DemoLogin",
    "build_demo",
    "synthetic_national_id",
]

CALENDAR_DIR = demo_exports()
"""PatientSky's calendar exports, as shipped (:func:`~patientsky.wire.legacy.demo_exports`)."""

SENTRUM, FJORD, NORD = "clinic-sentrum", "clinic-fjord", "clinic-nord"
TERMS_VERSION = "2026-01"

# The fixture calendars: file name, practitioner id, name, role.
_CALENDAR_FILES = (
    ("Emma_Win.json", "pr-emma", PersonName("Emma", "Win"), PractitionerRole.GP),
    ("Danny_boy.json", "pr-danny", PersonName("Danny", "Boy"), PractitionerRole.DOCTOR),
    ("Joanna_Hef.json", "pr-joanna", PersonName("Joanna", "Hef"), PractitionerRole.NURSE),
)
_FIXTURE_MONDAY = dt.date(2019, 4, 22)


@attrs.frozen
class DemoLogin:
    """
    A demo person one can log in as.

    Args:
        patient_id: Their patient id.
        name: Their name.
        national_id: Their synthetic national identity number.
        role: What they show in the demo, in a few words.
    """

    patient_id: str
    name: str
    national_id: NationalId
    role: str


@attrs.frozen
class DemoData:
    """
    Everything the sandbox starts with.

    Args:
        now: The time the demo was built for.
        terms: The current terms.
        clinics: The clinics.
        practitioners: Their practitioners.
        calendars: The practitioners' calendars.
        time_slot_types: The calendars' time slot types.
        time_slots: The bookable time.
        appointments: Busy time.
        patients: The demo patients.
        consent_events: Their consent histories, oldest first.
        relations: Who may act for whom.
        dialogs: Conversations with the clinics.
        consultations: Booked consultations.
        invoices: Invoices, paid and outstanding.
        payments: Payments.
        renewals: Prescription renewal requests.
        public_services: Links to HelseNorge.
        logins: Who to log in as.
    """

    now: dt.datetime
    terms: Terms
    clinics: tuple[Clinic, ...]
    practitioners: tuple[Practitioner, ...]
    calendars: tuple[Calendar, ...]
    time_slot_types: tuple[TimeSlotType, ...]
    time_slots: tuple[TimeSlot, ...]
    appointments: tuple[Appointment, ...]
    patients: tuple[Patient, ...]
    consent_events: tuple[ConsentEvent, ...]
    relations: tuple[Relation, ...]
    dialogs: tuple[Dialog, ...]
    consultations: tuple[Consultation, ...]
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    renewals: tuple[PrescriptionRenewalRequest, ...]
    public_services: tuple[PublicServiceLink, ...]
    logins: tuple[DemoLogin, ...]


def synthetic_national_id(birth: dt.date, start: int = 0) -> NationalId:
    """
    Return a synthetic test national identity number (month + 80) for a birth date.

    Args:
        birth: The birth date (1900 to 2039).
        start: Where to start looking for an individual number with valid check digits.

    Returns:
        A valid synthetic number; never a real person's.

    >>> nid = synthetic_national_id(dt.date(1985, 3, 14))
    >>> nid.is_synthetic, nid.birth_date.isoformat()
    (True, '1985-03-14')
    """
    low = 0 if birth.year < 2000 else 500
    for offset in range(500):
        individual = low + (start + offset) % 500
        nine = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
        try:
            check = _fnr.calc_check_digits(nine)
        except ValueError:
            continue  # no check digits for this individual number; try the next
        return NationalId(nine + check)
    raise AssertionError("unreachable: some individual number always has check digits")


def _org(prefix: str) -> OrganisationNumber:
    for last in range(10):
        eight = f"{prefix}{last}"
        try:
            return OrganisationNumber(eight + _orgnr.calc_check_digit(eight))
        except ValueError:
            continue
    raise AssertionError("unreachable: some eight digits always have a check digit")


def _kid_number(payload: str) -> KidNumber:
    return KidNumber(payload + _kid.calc_check_digit(payload, KidMethod.MOD10))


def _birthday_years_ago(today: dt.date, years: int, days_until_birthday: int = 0) -> dt.date:
    """The birth date of someone who turns ``years`` in ``days_until_birthday`` days."""
    birthday = today + dt.timedelta(days=days_until_birthday)
    try:
        return birthday.replace(year=birthday.year - years)
    except ValueError:  # 29 February
        return birthday.replace(year=birthday.year - years, day=28)


def _oslo(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


def _clinics() -> tuple[Clinic, ...]:
    return (
        Clinic(
            id=SENTRUM,
            name="Sentrum Legesenter",
            org_number=_org("9123456"),
            enabled_services=tuple(CareService),
            enabled_communication_types=tuple(CommunicationType),
            payment_terminal=PaymentTerminal.CONVENE,
            fees=FeeSettings(
                e_consultation_fee=Money.nok(183),
                cancellation_deadline_hours=24,
                late_cancellation_fee=Money.nok(350),
            ),
            city="Oslo",
        ),
        Clinic(
            id=FJORD,
            name="Fjordlegene Bryggen",
            org_number=_org("9234567"),
            enabled_services=(CareService.BOOK_CONSULTATION,),
            enabled_communication_types=(
                CommunicationType.OTHER_INQUIRY,
                CommunicationType.INVOICE_QUESTION,
            ),
            payment_terminal=PaymentTerminal.OTHER,
            city="Bergen",
        ),
        Clinic(
            id=NORD,
            name="Nordlys legekontor",
            org_number=_org("9345678"),
            enabled_services=(CareService.VIDEO_CONSULTATION, CareService.PRESCRIPTION_RENEWAL),
            enabled_communication_types=(
                CommunicationType.E_CONSULTATION,
                CommunicationType.PRESCRIPTION_REQUEST,
            ),
            city="Tromsø",
        ),
    )


def _public_services() -> tuple[PublicServiceLink, ...]:
    base = "https://www.helsenorge.no"
    return (
        PublicServiceLink(
            "prescriptions",
            "Mine resepter",
            "My prescriptions",
            f"{base}/legemidler/mine-resepter/",
        ),
        PublicServiceLink("vaccines", "Vaksiner", "Vaccines", f"{base}/vaksiner/"),
        PublicServiceLink(
            "core-record", "Kjernejournal", "Summary care record", f"{base}/kjernejournal/"
        ),
        PublicServiceLink(
            "change-gp", "Bytte fastlege", "Change GP", f"{base}/fastlegen/bytte-fastlege/"
        ),
        PublicServiceLink(
            "patient-record", "Pasientjournal", "Patient record", f"{base}/pasientjournal/"
        ),
    )


@attrs.frozen
class _People:
    patients: tuple[Patient, ...]
    logins: tuple[DemoLogin, ...]


def _people(today: dt.date) -> _People:
    def person(
        pid: str,
        given: str,
        family: str,
        birth: dt.date,
        gender: Gender,
        role: str,
        *,
        clinics: tuple[str, ...] = (SENTRUM,),
        gp: str | None = "pr-emma",
        email: str | None = None,
        phone: str | None = None,
        seq: int = 0,
    ) -> tuple[Patient, DemoLogin]:
        nid = synthetic_national_id(birth, seq)
        contact = ContactDetails(
            email=email,
            phone=phone,
            address=Address("Storgata 1", "0155", "Oslo") if email else None,
        )
        patient = Patient(
            id=pid,
            national_id=nid,
            name=PersonName(given, family),
            birth_date=birth,
            contact=contact,
            gp_id=gp,
            clinic_ids=clinics,
            gender=gender,
        )
        return patient, DemoLogin(pid, f"{given} {family}", nid, role)

    rows = [
        person(
            "p-kari",
            "Kari",
            "Nordmann",
            dt.date(1985, 3, 14),
            Gender.FEMALE,
            "adult with dialogs in every state and two years of payments; parent of Emil and Sofie",
            clinics=(FJORD, NORD, SENTRUM),
            email="kari.nordmann@example.no",
            phone="+4791234567",
        ),
        person(
            "p-emil",
            "Emil",
            "Nordmann",
            _birthday_years_ago(today, 9, 40),
            Gender.MALE,
            "child under 16 (parent: Kari)",
            seq=7,
        ),
        person(
            "p-sofie",
            "Sofie",
            "Nordmann",
            _birthday_years_ago(today, 16, 10),
            Gender.FEMALE,
            "turns 16 in ten days: Kari's parent access ends then",
            seq=13,
        ),
        person(
            "p-olav",
            "Olav",
            "Hansen",
            dt.date(1941, 6, 2),
            Gender.MALE,
            "elderly; family caregiver Ingrid, guardian Lars",
            email="olav.hansen@example.no",
            phone="+4722334455",
        ),
        person(
            "p-ingrid",
            "Ingrid",
            "Hansen",
            dt.date(1968, 9, 21),
            Gender.FEMALE,
            "family caregiver of her father Olav",
            email="ingrid@example.no",
        ),
        person(
            "p-lars",
            "Lars",
            "Berg",
            dt.date(1970, 1, 30),
            Gender.MALE,
            "guardian (verge) of Olav",
        ),
        person(
            "p-nils",
            "Nils",
            "Hansen",
            dt.date(1995, 12, 5),
            Gender.MALE,
            "grandson of Olav whose relation has expired",
        ),
        person(
            "p-per",
            "Per",
            "Olsen",
            dt.date(1979, 7, 7),
            Gender.MALE,
            "withdrew his consent (reserved himself)",
        ),
        person(
            "p-jonas",
            "Jonas",
            "Lie",
            dt.date(1990, 2, 11),
            Gender.MALE,
            "no relations: a stranger to the others",
            gp=None,
            clinics=(),
        ),
    ]
    return _People(tuple(p for p, _ in rows), tuple(login for _, login in rows))


_ALL_DELEGABLE = tuple(a for a in Action if a is not Action.MANAGE_RELATIONS)


def _relations(now: dt.datetime) -> tuple[Relation, ...]:
    long_ago = now - dt.timedelta(days=400)
    return (
        Relation(
            "rel-kari-emil",
            "p-emil",
            "p-kari",
            RelationKind.PARENT,
            (*_ALL_DELEGABLE, Action.MANAGE_RELATIONS),
            SENTRUM,
            long_ago,
        ),
        Relation(
            "rel-kari-sofie",
            "p-sofie",
            "p-kari",
            RelationKind.PARENT,
            _ALL_DELEGABLE,
            SENTRUM,
            long_ago,
        ),
        Relation(
            "rel-ingrid-olav",
            "p-olav",
            "p-ingrid",
            RelationKind.FAMILY_CAREGIVER,
            (*_ALL_DELEGABLE, Action.MANAGE_RELATIONS),
            SENTRUM,
            long_ago,
        ),
        Relation(
            "rel-lars-olav",
            "p-olav",
            "p-lars",
            RelationKind.GUARDIAN,
            (
                Action.VIEW_PROFILE,
                Action.READ_MESSAGES,
                Action.SEND_MESSAGES,
                Action.VIEW_PAYMENTS,
                Action.BOOK_CONSULTATION,
            ),
            SENTRUM,
            long_ago,
        ),
        Relation(
            "rel-kari-olav",
            "p-olav",
            "p-kari",
            RelationKind.FAMILY_CAREGIVER,
            _ALL_DELEGABLE,
            SENTRUM,
            long_ago,
            enabled=False,
        ),
        Relation(
            "rel-nils-olav",
            "p-olav",
            "p-nils",
            RelationKind.FAMILY_CAREGIVER,
            _ALL_DELEGABLE,
            SENTRUM,
            long_ago,
            valid_until=now - dt.timedelta(days=30),
        ),
    )


def _consents(now: dt.datetime, patients: Iterable[Patient]) -> tuple[ConsentEvent, ...]:
    events = []
    by_parent = {"p-emil": "rel-kari-emil", "p-sofie": "rel-kari-sofie"}
    for i, patient in enumerate(sorted(patients, key=lambda p: p.id)):
        at = now - dt.timedelta(days=300 - i)
        relation = by_parent.get(patient.id)
        actor = "p-kari" if relation else patient.id
        events.append(
            ConsentEvent(
                f"ce-{patient.id}-1",
                patient.id,
                ConsentEventKind.GIVEN,
                TERMS_VERSION,
                at,
                actor,
                relation,
            )
        )
        if patient.id == "p-per":
            events.append(
                ConsentEvent(
                    "ce-p-per-2",
                    patient.id,
                    ConsentEventKind.WITHDRAWN,
                    TERMS_VERSION,
                    now - dt.timedelta(days=20),
                    patient.id,
                )
            )
    return tuple(events)


def _dialog(
    did: str,
    patient_id: str,
    clinic_id: str,
    ctype: CommunicationType,
    subject: str,
    texts: tuple[tuple[str, str, dt.datetime], ...],
    *,
    closed_at: dt.datetime | None = None,
    needs_reply: bool = True,
    read_at: dt.datetime | None = None,
) -> Dialog:
    counterpart = Counterpart(CounterpartKind.PRACTITIONER, "pr-emma", "Emma Win")
    kinds = {"patient": "patient", "pr": "practitioner", "clinic": "clinic"}
    messages = []
    for n, (who, body, at) in enumerate(texts, start=1):
        author_kind = AuthorKind(kinds[who])
        author_id = {"patient": patient_id, "pr": "pr-emma", "clinic": clinic_id}[who]
        messages.append(Message(f"{did}-m{n}", author_kind, author_id, body, at))
    return Dialog(
        id=did,
        patient_id=patient_id,
        clinic_id=clinic_id,
        type=ctype,
        counterpart=counterpart,
        subject=subject,
        status=DialogStatus.CLOSED if closed_at else DialogStatus.OPEN,
        messages=tuple(messages),
        needs_reply=needs_reply,
        closed_at=closed_at,
        read_at=read_at,
    )


def _dialogs(now: dt.datetime) -> tuple[Dialog, ...]:
    d = dt.timedelta(days=1)
    h = dt.timedelta(hours=1)
    ec, oi, iq, pr = (
        CommunicationType.E_CONSULTATION,
        CommunicationType.OTHER_INQUIRY,
        CommunicationType.INVOICE_QUESTION,
        CommunicationType.PRESCRIPTION_REQUEST,
    )
    return (
        # Open and unread: the practitioner answered after the patient last looked.
        _dialog(
            "dlg-kari-1",
            "p-kari",
            SENTRUM,
            ec,
            "Utslett på armen",
            (
                ("patient", "Jeg har fått et utslett som klør. Bilde vedlagt.", now - 2 * d),
                ("pr", "Takk. Kan du si om det har spredt seg siden i går?", now - 3 * h),
            ),
            read_at=now - 2 * d,
        ),
        # Open and read: waiting for the clinic.
        _dialog(
            "dlg-kari-2",
            "p-kari",
            SENTRUM,
            oi,
            "Attest til idrettslaget",
            (("patient", "Trenger en helseattest til fotballaget.", now - 5 * d),),
            read_at=now - 5 * d,
        ),
        # Closed, no reply needed, not yet read: in the inbox until opened, then archived (M5).
        _dialog(
            "dlg-kari-3",
            "p-kari",
            SENTRUM,
            pr,
            "Fornyelse av allergimedisin",
            (
                ("patient", "Kan dere fornye resepten på allergitablettene?", now - 9 * d),
                ("pr", "Resepten er fornyet og ligger klar på apoteket.", now - 8 * d),
            ),
            closed_at=now - 8 * d,
            needs_reply=False,
            read_at=now - 9 * d,
        ),
        # Closed, read: in the archive.
        _dialog(
            "dlg-kari-4",
            "p-kari",
            SENTRUM,
            iq,
            "Spørsmål om faktura",
            (
                ("patient", "Jeg ble belastet to ganger for samme time.", now - 60 * d),
                ("clinic", "Beklager, det doble beløpet er tilbakeført.", now - 58 * d),
            ),
            closed_at=now - 58 * d,
            needs_reply=False,
            read_at=now - 57 * d,
        ),
        # Closed, but the practitioner still wants an answer.
        _dialog(
            "dlg-kari-5",
            "p-kari",
            FJORD,
            oi,
            "Henvisning til fysioterapeut",
            (
                ("patient", "Kan jeg få henvisning til fysioterapi for kneet?", now - 20 * d),
                (
                    "pr",
                    "Henvisning er sendt. Gi beskjed om du ikke hører noe innen to uker.",
                    now - 19 * d,
                ),
            ),
            closed_at=now - 19 * d,
            needs_reply=True,
            read_at=now - 18 * d,
        ),
        _dialog(
            "dlg-olav-1",
            "p-olav",
            SENTRUM,
            oi,
            "Hjemmebesøk",
            (
                ("patient", "Er det mulig med hjemmebesøk neste uke?", now - 4 * d),
                ("pr", "Ja, vi kommer onsdag formiddag.", now - 1 * d),
            ),
        ),
        _dialog(
            "dlg-emil-1",
            "p-emil",
            SENTRUM,
            oi,
            "Vaksinasjon",
            (("patient", "Når skal Emil ha neste vaksine?", now - 6 * d),),
            read_at=now - 6 * d,
        ),
    )


def _payments(now: dt.datetime) -> tuple[tuple[Invoice, ...], tuple[Payment, ...]]:
    this_year = now.astimezone(OSLO).year
    jan = _oslo(dt.date(this_year, 1, 15), 10)
    last = _oslo(dt.date(this_year - 1, 6, 10), 9)
    rows = (
        # id, clinic, when, method, status, kroner, invoice number
        ("pay-kari-1", SENTRUM, last, PaymentMethod.CARD, PaymentStatus.PAID, 250, None),
        (
            "pay-kari-2",
            FJORD,
            last + dt.timedelta(days=90),
            PaymentMethod.VIPPS,
            PaymentStatus.PAID,
            183,
            None,
        ),
        (
            "pay-kari-3",
            SENTRUM,
            last + dt.timedelta(days=120),
            PaymentMethod.BANK_TRANSFER,
            PaymentStatus.PAID,
            495,
            f"{this_year - 1}-0412",
        ),
        ("pay-kari-4", SENTRUM, jan, PaymentMethod.CARD, PaymentStatus.PAID, 375, None),
        (
            "pay-kari-5",
            SENTRUM,
            jan + dt.timedelta(days=30),
            PaymentMethod.CARD,
            PaymentStatus.REFUNDED,
            183,
            None,
        ),
        (
            "pay-olav-1",
            SENTRUM,
            jan + dt.timedelta(days=10),
            PaymentMethod.INVOICE,
            PaymentStatus.PAID,
            160,
            None,
        ),
    )
    clinic_names = {c.id: c.name for c in _clinics()}
    payments = []
    for pid, clinic, when, method, status, kroner, number in rows:
        patient = "p-olav" if "olav" in pid else "p-kari"
        when = min(when, now - dt.timedelta(hours=1))
        payments.append(
            Payment(
                pid,
                patient,
                clinic,
                clinic_names[clinic],
                when,
                method,
                status,
                Money.nok(kroner),
                number,
                f"inv-{pid}" if number else None,
            )
        )
    paid_invoice = payments[2]
    invoices = (
        Invoice(
            "inv-pay-kari-3",
            "p-kari",
            SENTRUM,
            f"{this_year - 1}-0412",
            Money.nok(495),
            paid_invoice.paid_at - dt.timedelta(days=14),
            (paid_invoice.paid_at + dt.timedelta(days=1)).date(),
            kid=_kid_number("00412202"),
            paid_at=paid_invoice.paid_at,
            payment_id=paid_invoice.id,
        ),
        Invoice(
            "inv-kari-open-1",
            "p-kari",
            SENTRUM,
            f"{this_year}-1031",
            Money.nok(350),
            now - dt.timedelta(days=6),
            (now + dt.timedelta(days=8)).date(),
            kid=_kid_number("01031311"),
        ),
        Invoice(
            "inv-kari-open-2",
            "p-kari",
            SENTRUM,
            f"{this_year}-1047",
            Money.nok(183, 50),
            now - dt.timedelta(days=2),
            (now + dt.timedelta(days=12)).date(),
        ),
        # At a clinic without a Convene terminal: never "outstanding" in the portal (B1).
        Invoice(
            "inv-kari-fjord",
            "p-kari",
            FJORD,
            f"F{this_year}-77",
            Money.nok(220),
            now - dt.timedelta(days=3),
            (now + dt.timedelta(days=11)).date(),
        ),
    )
    return invoices, tuple(payments)


def _week_shift(now: dt.datetime) -> dt.timedelta:
    """Whole weeks that move the fixtures' Monday to the Monday of the coming week."""
    today = now.astimezone(OSLO).date()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = (monday - _FIXTURE_MONDAY).days // 7 + 1
    return dt.timedelta(weeks=weeks)


def _shift_wall(value: dt.datetime, shift: dt.timedelta) -> dt.datetime:
    """Move a time by whole weeks on the Oslo wall clock (so 08:00 stays 08:00 across DST)."""
    local = value.astimezone(OSLO).replace(tzinfo=None) + shift
    return local.replace(tzinfo=OSLO)


def _calendars(
    now: dt.datetime, folder: Path
) -> tuple[
    tuple[Calendar, ...], tuple[TimeSlotType, ...], tuple[TimeSlot, ...], tuple[Appointment, ...]
]:
    """Read the fixture calendars, give them to the demo practitioners and move them to now."""
    shift = _week_shift(now)
    calendars: list[Calendar] = []
    types: dict[str, TimeSlotType] = {}
    slots: list[TimeSlot] = []
    appointments: list[Appointment] = []
    for file_name, practitioner_id, name, _role in _CALENDAR_FILES:
        imported = load_calendar_export(folder / file_name, clinic_id=SENTRUM)
        calendars.extend(
            attrs.evolve(c, name=name.full, practitioner_id=practitioner_id)
            for c in imported.calendars
        )
        for slot_type in imported.time_slot_types:
            types.setdefault(slot_type.id, attrs.evolve(slot_type, clinic_id=SENTRUM))
        slots.extend(
            attrs.evolve(s, start=_shift_wall(s.start, shift), end=_shift_wall(s.end, shift))
            for s in imported.time_slots
        )
        appointments.extend(
            attrs.evolve(a, start=_shift_wall(a.start, shift), end=_shift_wall(a.end, shift))
            for a in imported.appointments
        )
    return tuple(calendars), tuple(types.values()), tuple(slots), tuple(appointments)


def _consultations(
    now: dt.datetime, calendars: tuple[Calendar, ...]
) -> tuple[tuple[Consultation, ...], tuple[Appointment, ...]]:
    """Kari's and Olav's consultations, past and upcoming, and the time they hold."""
    emma = next(c.id for c in calendars if c.practitioner_id == "pr-emma")
    # Upcoming ones go three weeks out, after the shifted fixture week, so they take no
    # fixture slot; their appointments still hold the time.
    later = (now.astimezone(OSLO) + dt.timedelta(days=21)).date()
    booked_at = now - dt.timedelta(days=3)
    rows = (
        (
            "con-kari-past",
            "p-kari",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.COMPLETED,
            _oslo((now - dt.timedelta(days=30)).astimezone(OSLO).date(), 9),
            30,
        ),
        (
            "con-kari-cancelled",
            "p-kari",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.CANCELLED,
            _oslo((now - dt.timedelta(days=10)).astimezone(OSLO).date(), 11),
            15,
        ),
        (
            "con-kari-upcoming",
            "p-kari",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.BOOKED,
            _oslo(later, 10),
            30,
        ),
        (
            "con-kari-video",
            "p-kari",
            ConsultationKind.VIDEO,
            ConsultationStatus.BOOKED,
            _oslo(later, 13),
            15,
        ),
        (
            "con-olav-upcoming",
            "p-olav",
            ConsultationKind.IN_PERSON,
            ConsultationStatus.BOOKED,
            _oslo(later + dt.timedelta(days=1), 9),
            30,
        ),
        (
            "con-olav-video",
            "p-olav",
            ConsultationKind.VIDEO,
            ConsultationStatus.BOOKED,
            _oslo(later + dt.timedelta(days=1), 11),
            15,
        ),
    )
    consultations = []
    appointments = []
    for cid, patient, kind, status, start, minutes in rows:
        end = start + dt.timedelta(minutes=minutes)
        cancelled = status is ConsultationStatus.CANCELLED
        made = min(booked_at, start - dt.timedelta(days=2))
        consultations.append(
            Consultation(
                id=cid,
                patient_id=patient,
                clinic_id=SENTRUM,
                practitioner_id="pr-emma",
                calendar_ids=(emma,),
                kind=kind,
                status=status,
                start=start,
                end=end,
                booked_by=patient,
                booked_at=made,
                cancelled_at=start - dt.timedelta(days=2) if cancelled else None,
            )
        )
        if status is ConsultationStatus.BOOKED:
            appointments.append(
                Appointment(f"apt-{cid}", emma, start, end, patient_id=patient, consultation_id=cid)
            )
    return tuple(consultations), tuple(appointments)


def build_demo(now: dt.datetime, calendar_dir: Path = CALENDAR_DIR) -> DemoData:
    """
    Build the demo world for the time ``now``.

    Args:
        now: The sandbox's time (timezone-aware); birthdays, payments and calendars are
            placed relative to it.
        calendar_dir: Where the PatientSky calendar exports are.

    Returns:
        The demo data.
    """
    today = now.astimezone(OSLO).date()
    people = _people(today)
    calendars, types, slots, appointments = _calendars(now, calendar_dir)
    practitioners = tuple(
        Practitioner(pid, name, SENTRUM, role, hpr_number=f"{9000000 + i}")
        for i, (_f, pid, name, role) in enumerate(_CALENDAR_FILES)
    )
    invoices, payments = _payments(now)
    consultations, booked = _consultations(now, calendars)
    return DemoData(
        now=now,
        terms=Terms(TERMS_VERSION, now - dt.timedelta(days=400)),
        clinics=_clinics(),
        practitioners=practitioners,
        calendars=calendars,
        time_slot_types=types,
        time_slots=slots,
        appointments=(*appointments, *booked),
        patients=people.patients,
        consent_events=_consents(now, people.patients),
        relations=_relations(now),
        dialogs=_dialogs(now),
        consultations=consultations,
        invoices=invoices,
        payments=payments,
        renewals=(
            PrescriptionRenewalRequest(
                "rx-kari-1",
                "p-kari",
                NORD,
                ("Cetirizin 10 mg",),
                "p-kari",
                now - dt.timedelta(days=12),
                note="Samme dose som før.",
            ),
        ),
        public_services=_public_services(),
        logins=people.logins,
    )
