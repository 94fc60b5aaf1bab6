"""
``patientsky demo``: a guided walk through the patient portal against an in-process sandbox.

The demo starts the sandbox on a free port of 127.0.0.1 with a temporary database, logs
in as the demo people with the sandbox's stand-in for BankID, and uses the real
:class:`~patientsky.client.PortalClient` for every step. It prints a short story; it
never prints a full national identity number or a token.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from patientsky.models.calendar import OSLO

__all__ = ["DemoFailed", "configure", "run", "run_demo"]

_CLINIC = "clinic-sentrum"


class DemoFailed(Exception):
    """A step of the demo did not turn out as the story expects."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise DemoFailed(what)


def _label(value: object) -> str:
    return str(getattr(value, "value", value))


def _when(value: dt.datetime) -> str:
    return value.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")


def run_demo(out: TextIO = sys.stdout, keep_receipt: Path | None = None) -> int:
    """
    Run the demo story, printing it to ``out``.

    Args:
        out: Where to print the story.
        keep_receipt: A folder to save the receipt PDF in (kept); a temporary folder,
            removed afterwards, if None.

    Returns:
        0 if every step went as expected, 1 otherwise.
    """
    from patientsky.errors import PatientSkyError

    def say(text: str = "") -> None:
        out.write(text + "\n")

    tmp = Path(tempfile.mkdtemp(prefix="patientsky-demo-"))
    try:
        _story(say, tmp, keep_receipt)
    except ImportError as exc:
        say(f"\nDemo failed: it needs the sandbox extra (patientsky[sandbox]): {exc}")
        return 1
    except (PatientSkyError, DemoFailed, OSError) as exc:
        say(f"\nDemo failed: {type(exc).__name__}: {exc}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say("\nDone: every step went as expected, and the sandbox is stopped.")
    return 0


def _story(say: Callable[[str], None], tmp: Path, keep_receipt: Path | None) -> None:
    from patientsky.client import PortalClient
    from patientsky.client.sandbox import Sandbox
    from patientsky.errors import Forbidden
    from patientsky.models import CommunicationType, LoginMethod, Money
    from patientsky.sandbox import SandboxClock, create_app, get_sandbox, serve_in_thread

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    app = create_app(db_path=str(tmp / "sandbox.sqlite3"), clock=SandboxClock(now))
    state = get_sandbox(app)
    demo = state.demo
    if demo is None:
        raise DemoFailed("the sandbox has no demo world")
    logins = {login.patient_id: login for login in demo.logins}
    births = {patient.id: patient.birth_date for patient in demo.patients}
    step = 0

    def heading(text: str) -> None:
        nonlocal step
        step += 1
        say(f"\n{step}. {text}")

    try:
        with serve_in_thread(app) as base_url, PortalClient(base_url) as anonymous:
            say(f"Sandbox started at {base_url} (temporary database), clock {_when(now)} Oslo.")
            sandbox = Sandbox(anonymous, admin_key=get_sandbox(app).admin_key)

            kari_login = logins["p-kari"]
            heading("Log in with BankID (Logg inn med BankID)")
            kari = sandbox.client_for(kari_login.national_id, LoginMethod.BANKID)
            session = kari.session.get()
            say(f"   Logged in as {kari_login.name}, national id {kari_login.national_id.masked}")
            _check(session.person_id == "p-kari", "logged in as someone else")

            heading("Consent (Samtykke)")
            consent = kari.consent.get()
            if consent.in_force:
                say(f"   Consent to terms {consent.terms_version} is in force already.")
            else:
                terms = kari.consent.terms()
                consent = kari.consent.give(terms.version)
                say(f"   Gave consent to the current terms {terms.version}.")
            _check(consent.in_force, "consent is not in force")

            heading("Inbox (Innboks): Updated / Type / From / Status")
            inbox = list(kari.dialogs.list("inbox"))
            for view in inbox:
                d = view.dialog
                label = getattr(d.type, "label_nb", str(d.type))
                say(
                    f"   {_when(d.updated_at)}  {label:<20} {d.counterpart.name:<16} "
                    f"{_label(d.status):<7} {'unread ' if view.unread else ''}{d.subject!r}"
                )

            heading("Read a closed dialog: it moves to the archive (Arkiv)")
            archive_before = len(list(kari.dialogs.list("archive")))
            say(f"   Before: inbox {len(inbox)}, archive {archive_before}")
            closed = next(
                (
                    v
                    for v in inbox
                    if _label(v.dialog.status) == "closed" and not v.dialog.needs_reply
                ),
                None,
            )
            if closed is None:
                raise DemoFailed("no closed dialog in the inbox to read")
            read = kari.dialogs.read(closed.dialog.id)
            inbox_after = len(list(kari.dialogs.list("inbox")))
            archive_after = len(list(kari.dialogs.list("archive")))
            say(f"   Read {closed.dialog.subject!r}: now in folder {read.folder!r}")
            say(f"   After:  inbox {inbox_after}, archive {archive_after}")
            _check(read.folder == "archive", "the read dialog did not move to the archive")
            say("   The dialog moved to the archive.")

            heading("Start an e-consultation (E-konsultasjon)")
            notice = kari.dialogs.fee_notice(_CLINIC)
            say(f"   Fee notice (egenandel): {notice.amount}; applies: {notice.applies}")
            say(f"   NB: {notice.text_nb}")
            say(f"   EN: {notice.text_en}")
            say("   Kari acknowledges the fee notice and starts the e-consultation.")
            started = kari.dialogs.start(
                clinic_id=_CLINIC,
                type=CommunicationType.E_CONSULTATION,
                subject="Vondt i halsen",
                body="Jeg har hatt vondt i halsen i en uke.",
                fee_acknowledged=notice.applies,
            )
            say(f"   Started {started.dialog.subject!r} ({started.folder})")

            heading("The clinic answers and closes it (sandbox helpers play the clinic)")
            clinic = sandbox.clinic
            doctor = next(p for p in demo.practitioners if p.clinic_id == _CLINIC)
            clinic.reply(
                _CLINIC,
                started.dialog.id,
                "Drikk godt og hvil. Bestill time om det ikke går over.",
                practitioner_id=doctor.id,
            )
            clinic.close_dialog(_CLINIC, started.dialog.id, needs_reply=False)
            answered = kari.dialogs.read(started.dialog.id)
            say(f"   {doctor.name.full} answered and closed it; Kari read the answer.")
            say(f"   Now in folder {answered.folder!r}")
            _check(answered.folder == "archive", "the answered dialog did not move to the archive")

            heading("The clinic issues an invoice, and Kari pays it at the terminal")
            invoice = clinic.issue_invoice(
                _CLINIC,
                patient_id="p-kari",
                amount=notice.amount if notice.applies else Money.nok(350),
                due_date=(now.astimezone(OSLO) + dt.timedelta(days=14)).date(),
            )
            outstanding = {row.id for row in kari.payments.list("outstanding")}
            due = invoice.due_date.isoformat()
            say(f"   An invoice of {invoice.amount}, due {due}, with a KID: outstanding")
            _check(invoice.id in outstanding, "the new invoice is not outstanding")
            settled = clinic.settle_invoice(_CLINIC, invoice.id)
            paid = {row.id for row in kari.payments.list("paid_this_year")}
            _check(settled.payment.id in paid, "the payment is not under paid this year")
            say("   Paid by card at the Convene terminal: now under 'paid this year'.")

            heading("The clinic approves a prescription renewal (E-resept)")
            sent = next(r for r in kari.prescriptions.list() if _label(r.status) == "sent")
            clinic.approve_renewal(sent.clinic_id, sent.id, pharmacy="Apotek 1 Storgata")
            decided = next(r for r in kari.prescriptions.list() if r.id == sent.id)
            say(
                f"   {', '.join(sent.medications)}: {_label(decided.status)}, to {decided.pharmacy}"
            )
            _check(_label(decided.status) == "approved", "the renewal was not approved")

            heading("Find free time and book a consultation (Bestill time)")
            free = kari.clinics.free_time(
                _CLINIC, start=now, end=now + dt.timedelta(days=14), duration_minutes=15
            )
            _check(bool(free), "no free time in the coming two weeks")
            say(f"   {len(free)} stretches of free time; the first: {_when(free[0].start)}")
            booked = kari.consultations.book(
                clinic_id=_CLINIC,
                calendar_ids=free[0].calendar_ids,
                start=free[0].start,
                duration_minutes=15,
            )
            say(f"   Booked consultation at {_when(booked.start)} ({_label(booked.status)})")

            heading("Payments (Mine betalinger) by tab")
            receipt_id = settled.payment.id  # the receipt of the invoice Kari just paid
            for tab in ("outstanding", "paid_this_year", "all_paid"):
                pager = kari.payments.list(tab)
                rows = list(pager)
                say(f"   {tab:<15} {len(rows)} rows, total {pager.total()}")
            pdf = kari.payments.receipt(receipt_id)
            folder = keep_receipt if keep_receipt is not None else tmp
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"receipt-{receipt_id}.pdf"
            path.write_bytes(pdf)
            _check(pdf.startswith(b"%PDF"), "the receipt is not a PDF")
            say(f"   Receipt (kvittering) saved: {path} ({len(pdf)} bytes, starts with %PDF)")

            heading("A parent acts for a child (Representasjon)")
            for person in kari.session.represented():
                say(f"   Kari may act for {person.name} ({_label(person.kind)})")
            emil = kari.acting_for("p-emil")
            upcoming = list(emil.consultations.list("upcoming"))
            say(f"   As Emil: profile {emil.profile.get().value.name}, {len(upcoming)} upcoming")
            sofie = kari.acting_for("p-sofie")
            say(f"   As Sofie: profile {sofie.profile.get().value.name}")

            heading("Who has seen my data (the access log, Helsenorge style)")
            mine = list(itertools.islice(kari.access_log(limit=50), 50))
            by_others = [e for e in mine if e.actor_id != "p-kari"][:3]
            for entry in by_others:
                who = f"{entry.actor_id} ({_label(entry.actor_kind)})"
                say(f"   Kari's log: {_when(entry.at)}  {who}: {_label(entry.operation)}")
            _check(bool(by_others), "the clinic's work is not in Kari's access log")
            for entry in itertools.islice(emil.access_log(limit=2), 2):
                who = f"{entry.actor_id} ({_label(entry.relation_kind or entry.actor_kind)})"
                say(f"   Emil's log: {_when(entry.at)}  {who}: {_label(entry.operation)}")

            heading("A patient who withdrew consent is refused (Trukket samtykke)")
            per_login = logins["p-per"]
            per = sandbox.client_for(per_login.national_id)
            say(f"   Logged in as {per_login.name}, national id {per_login.national_id.masked}")
            try:
                list(per.dialogs.list())
            except Forbidden as exc:
                say(f"   Refused (403): reason {exc.code}: {exc.reason.message_en}")
                _check(exc.code == "consent_withdrawn", f"unexpected reason {exc.code}")
            else:
                raise DemoFailed("Per's inbox was shown despite his withdrawn consent")

            heading("The parent is refused on the child's 16th birthday")
            born = births["p-sofie"]
            birthday = born.replace(year=born.year + 16)
            midnight = dt.datetime.combine(birthday, dt.time(0, 0), tzinfo=OSLO)
            sandbox.set_clock(midnight)
            say(f"   Sandbox clock set to {_when(midnight)} Oslo: Sofie turns 16.")
            kari = sandbox.client_for(kari_login.national_id)
            try:
                kari.acting_for("p-sofie").profile.get()
            except Forbidden as exc:
                say(f"   Refused (403): reason {exc.code}: {exc.reason.message_en}")
                _check(exc.code == "child_turned_16", f"unexpected reason {exc.code}")
            else:
                raise DemoFailed("Kari could still act for Sofie after her 16th birthday")
    finally:
        state.storage.close()


def configure(parser: argparse.ArgumentParser) -> None:
    """
    Add the ``demo`` subcommand's options.

    Args:
        parser: The subcommand's parser.
    """
    parser.add_argument(
        "--keep-receipt",
        metavar="DIR",
        type=Path,
        default=None,
        help="save the receipt PDF in DIR and keep it (default: a temporary folder)",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """
    Run the ``demo`` subcommand.

    Args:
        args: The parsed arguments.
        out: Where to print the story.

    Returns:
        The exit code: 0 if the story went as expected, 1 if not.
    """
    keep: Path | None = args.keep_receipt
    return run_demo(out, keep_receipt=keep)
