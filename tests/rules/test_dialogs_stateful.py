"""M1, M5, M6: the dialog lifecycle, driven step by step and checked against a simple model."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from patientsky.models import (
    AuthorKind,
    Clinic,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
)
from patientsky.rules import (
    Allowed,
    Denied,
    Folder,
    Reason,
    archive,
    close_dialog,
    folder_of,
    inbox,
    read_dialog,
    reply,
    start_dialog,
)
from tests.strategies_rules import CLINIC_ID, make_patient, oslo

PATIENT = make_patient("patient", dt.date(1980, 5, 17))
CLINIC = Clinic(CLINIC_ID, "Byklinikken", enabled_communication_types=tuple(CommunicationType))
GP = Counterpart(CounterpartKind.PRACTITIONER, "gp-1", "Dr. Berg")
AUTHORS = {
    AuthorKind.PATIENT: "patient",
    AuthorKind.REPRESENTATIVE: "mother",
    AuthorKind.PRACTITIONER: "gp-1",
    AuthorKind.CLINIC: CLINIC_ID,
}
STEPS = st.integers(1, 3 * 24 * 3600).map(lambda s: dt.timedelta(seconds=s))


class DialogLifecycle(RuleBasedStateMachine):
    """
    The model knows nothing of timestamps: only what happened, in order.

    - Starting, a reply, a message: the dialog is in the inbox.
    - Closing: in the inbox; the next read archives it, if no answer is needed.
    - Reading a closed dialog that needs no answer: in the archive.
    - The patient side's answer to a closed dialog that needs one: it needs none any
      more, and is in the archive (the writer has read it) (M9).
    - A practitioner's message: back in the inbox (and open again if reopened).
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = oslo(2026, 3, 2, 9, 0)
        self.count = 0
        self.dialog: Dialog
        self.open = True
        self.archivable = False
        self.needs_answer = False
        self.folder = Folder.INBOX
        self.last_step_was_a_message = False

    def _tick(self, step: dt.timedelta) -> dt.datetime:
        self.now += step
        return self.now

    def _message(self, author: AuthorKind, at: dt.datetime) -> Message:
        self.count += 1
        return Message(f"m{self.count}", author, AUTHORS[author], f"message {self.count}", at)

    def _moved(self, before: Folder, *, message: bool) -> None:
        self.last_step_was_a_message = message
        # A dialog never leaves the archive except by a new message.
        if before is Folder.ARCHIVE and folder_of(self.dialog) is not Folder.ARCHIVE:
            assert message

    @initialize(
        type=st.sampled_from(CommunicationType),
        author=st.sampled_from([AuthorKind.PATIENT, AuthorKind.REPRESENTATIVE]),
    )
    def start(self, type: CommunicationType, author: AuthorKind) -> None:
        outcome = start_dialog(
            dialog_id="d1",
            patient=PATIENT,
            clinic=CLINIC,
            type=type,
            counterpart=GP,
            subject="Spørsmål",
            message=self._message(author, self.now),
            fee_acknowledged=True,
        )
        assert isinstance(outcome, Allowed)
        self.dialog = outcome.value

    @rule(
        author=st.sampled_from([AuthorKind.PATIENT, AuthorKind.REPRESENTATIVE]),
        step=STEPS,
    )
    def patient_side_replies(self, author: AuthorKind, step: dt.timedelta) -> None:
        before = folder_of(self.dialog)
        outcome = reply(self.dialog, self._message(author, self._tick(step)))
        if self.open:
            assert isinstance(outcome, Allowed)
            self.dialog = outcome.value
            self.folder = Folder.INBOX
        elif self.needs_answer:
            assert isinstance(outcome, Allowed)
            self.dialog = outcome.value
            self.needs_answer = False
            self.archivable = True
            self.folder = Folder.ARCHIVE
            assert self.dialog.status is DialogStatus.CLOSED
        else:
            assert isinstance(outcome, Denied)
            assert outcome.reason is Reason.DIALOG_CLOSED
        self._moved(before, message=isinstance(outcome, Allowed))

    @rule(
        author=st.sampled_from([AuthorKind.PRACTITIONER, AuthorKind.CLINIC]),
        reopen=st.booleans(),
        step=STEPS,
    )
    def practitioner_writes(self, author: AuthorKind, reopen: bool, step: dt.timedelta) -> None:
        before = folder_of(self.dialog)
        self.dialog = reply(
            self.dialog, self._message(author, self._tick(step)), reopen=reopen
        ).unwrap()
        if reopen and not self.open:
            self.open = True
            self.archivable = False
            self.needs_answer = False
        self.folder = Folder.INBOX
        assert self.dialog.is_unread
        self._moved(before, message=True)

    @rule(needs_reply=st.booleans(), step=STEPS)
    def practitioner_closes(self, needs_reply: bool, step: dt.timedelta) -> None:
        before = folder_of(self.dialog)
        outcome = close_dialog(self.dialog, self._tick(step), needs_reply=needs_reply)
        if self.open:
            assert isinstance(outcome, Allowed)
            self.dialog = outcome.value
            self.open = False
            self.archivable = not needs_reply
            self.needs_answer = needs_reply
            self.folder = Folder.INBOX
        else:
            assert isinstance(outcome, Denied)
            assert outcome.reason is Reason.DIALOG_CLOSED
        self._moved(before, message=False)

    @rule(step=STEPS)
    def patient_reads(self, step: dt.timedelta) -> None:
        self._read(step)

    @rule(step=STEPS)
    def representative_reads_for_the_patient(self, step: dt.timedelta) -> None:
        self._read(step)

    def _read(self, step: dt.timedelta) -> None:
        before = folder_of(self.dialog)
        self.dialog = read_dialog(self.dialog, self._tick(step))
        if not self.open and self.archivable:
            self.folder = Folder.ARCHIVE
        assert not self.dialog.is_unread
        self._moved(before, message=False)

    @precondition(lambda self: self.folder is Folder.ARCHIVE)
    @rule(step=STEPS)
    def time_passes_in_the_archive(self, step: dt.timedelta) -> None:
        self._tick(step)
        assert folder_of(self.dialog) is Folder.ARCHIVE

    @invariant()
    def the_folder_is_the_models(self) -> None:
        assert folder_of(self.dialog) is self.folder

    @invariant()
    def an_open_dialog_is_never_archived(self) -> None:
        if self.dialog.status is DialogStatus.OPEN:
            assert folder_of(self.dialog) is Folder.INBOX
        assert (self.dialog.status is DialogStatus.OPEN) is self.open

    @invariant()
    def a_closed_dialog_needs_an_answer_until_the_patient_side_gives_it(self) -> None:
        if not self.open:
            assert self.dialog.needs_reply is self.needs_answer
            if self.needs_answer:
                assert folder_of(self.dialog) is Folder.INBOX

    @invariant()
    def the_dialog_is_listed_in_exactly_its_folder(self) -> None:
        listed_in = [
            folder
            for folder, rows in (
                (Folder.INBOX, inbox([self.dialog])),
                (Folder.ARCHIVE, archive([self.dialog])),
            )
            if rows
        ]
        assert listed_in == [self.folder]


TestDialogLifecycle = DialogLifecycle.TestCase
