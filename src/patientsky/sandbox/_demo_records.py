"""
The demo world's dialogs, invoices and payments, placed relative to the time it is built for.
"""

from __future__ import annotations

import datetime as dt

from patientsky.models import (
    AuthorKind,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Invoice,
    Message,
    Money,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from patientsky.models.calendar import OSLO
from patientsky.sandbox._demo_common import (
    FJORD,
    SENTRUM,
    _kid_number,
    _oslo,
)
from patientsky.sandbox._demo_people import _clinics


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
