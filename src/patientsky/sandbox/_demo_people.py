"""
The demo world's clinics, people, relations and consents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from patientsky.models import (
    Action,
    Address,
    CareService,
    Clinic,
    CommunicationType,
    ConsentEvent,
    ConsentEventKind,
    ContactDetails,
    FeeSettings,
    Gender,
    Money,
    Patient,
    PaymentTerminal,
    PersonName,
    PublicServiceLink,
    Relation,
    RelationKind,
)
from patientsky.sandbox._demo_common import (
    FJORD,
    NORD,
    SENTRUM,
    TERMS_VERSION,
    DemoLogin,
    _birthday_years_ago,
    _org,
    synthetic_national_id,
)


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
