"""M1-M7: dialog types, the fee notice, the dialog lifecycle, inbox and archive."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    AuthorKind,
    Clinic,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    FeeSettings,
    Message,
    Money,
    Unrecognized,
)
from patientsky.models._base import text_problem
from patientsky.rules import (
    Allowed,
    Folder,
    Outcome,
    Reason,
    action_for_type,
    archive,
    close_dialog,
    fee_notice,
    folder_of,
    inbox,
    may_start_dialog,
    read_dialog,
    reply,
    start_dialog,
    startable_types,
)
from tests.strategies_rules import CLINIC_ID, make_patient, oslo

T0 = oslo(2026, 3, 2, 9, 0)
ADULT = make_patient("patient", dt.date(1980, 5, 17))
CHILD = make_patient("patient", dt.date(2015, 5, 17))
ALL_TYPES = tuple(CommunicationType)
CLINIC = Clinic(
    CLINIC_ID,
    "Byklinikken",
    enabled_communication_types=ALL_TYPES,
    fees=FeeSettings(e_consultation_fee=Money.nok(185)),
)
GP = Counterpart(CounterpartKind.PRACTITIONER, "gp-1", "Dr. Berg")


def _message(n: int, author: AuthorKind, at: dt.datetime, author_id: str | None = None) -> Message:
    default = {AuthorKind.PATIENT: "patient", AuthorKind.REPRESENTATIVE: "mother"}
    who = author_id or default.get(author, "gp-1")
    return Message(f"m{n}", author, who, f"text {n}", at)


def _start(
    type: CommunicationType | Unrecognized = CommunicationType.OTHER_INQUIRY,
    *,
    patient: object = ADULT,
    clinic: Clinic = CLINIC,
    fee_acknowledged: bool = False,
    author: AuthorKind = AuthorKind.PATIENT,
) -> Outcome[Dialog]:
    return start_dialog(
        dialog_id="d1",
        patient=patient,  # type: ignore[arg-type]
        clinic=clinic,
        type=type,
        counterpart=GP,
        subject="Spørsmål",
        message=_message(0, author, T0),
        fee_acknowledged=fee_acknowledged,
    )


def _dialog() -> Dialog:
    outcome = _start()
    assert isinstance(outcome, Allowed)
    return outcome.value


def _hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


# --- Types and fees (M3, M4, M7) ------------------------------------------------------


def test_a_patient_starts_only_the_types_the_clinic_enabled() -> None:
    clinic = attrs.evolve(CLINIC, enabled_communication_types=(CommunicationType.OTHER_INQUIRY,))
    assert startable_types(clinic) == (CommunicationType.OTHER_INQUIRY,)
    assert may_start_dialog(
        clinic, ADULT, CommunicationType.OTHER_INQUIRY, T0, fee_acknowledged=False
    )
    denied = may_start_dialog(
        clinic, ADULT, CommunicationType.INVOICE_QUESTION, T0, fee_acknowledged=False
    )
    assert denied.reason is Reason.TYPE_NOT_ENABLED_BY_CLINIC


@given(
    st.text(min_size=1).filter(
        lambda v: (
            v not in {t.value for t in CommunicationType}
            and text_problem(v, multiline=False) is None
        )
    )
)
def test_an_unrecognized_type_is_never_allowed(value: str) -> None:
    decision = may_start_dialog(CLINIC, ADULT, Unrecognized(value), T0, fee_acknowledged=True)
    assert decision.reason is Reason.UNKNOWN_TYPE
    assert action_for_type(Unrecognized(value)) is None


def test_a_patient_starts_dialogs_at_any_clinic_that_enabled_the_type() -> None:
    elsewhere = attrs.evolve(CLINIC, id="clinic-9")
    assert may_start_dialog(
        elsewhere, ADULT, CommunicationType.OTHER_INQUIRY, T0, fee_acknowledged=False
    )


def test_an_e_consultation_needs_the_patient_to_acknowledge_the_fee_notice() -> None:
    notice = fee_notice(CLINIC, ADULT.birth_date, T0)
    assert notice.applies
    assert notice.amount == Money.nok(185)
    assert "kr 185,00" in notice.text_nb
    assert "egenandel" in notice.text_nb
    assert "185.00 NOK" in notice.text_en
    assert "kr 185,00" in notice.text_nn
    assert "eigendel" in notice.text_nn
    assert notice.text("nn") == notice.text_nn
    assert notice.text() == notice.text_nb
    assert notice.text("en") == notice.text_en
    with pytest.raises(ValueError, match="lang"):
        notice.text("de")  # type: ignore[arg-type]
    e_consultation = CommunicationType.E_CONSULTATION
    assert may_start_dialog(CLINIC, ADULT, e_consultation, T0, fee_acknowledged=False).reason is (
        Reason.FEE_NOT_ACKNOWLEDGED
    )
    assert may_start_dialog(CLINIC, ADULT, e_consultation, T0, fee_acknowledged=True)


def test_children_under_16_pay_no_co_payment_and_the_notice_says_so() -> None:
    notice = fee_notice(CLINIC, CHILD.birth_date, T0)
    assert not notice.applies
    assert notice.child_exempt
    assert notice.amount == Money.zero()
    assert "under 16" in notice.text_nb
    assert "under 16" in notice.text_en
    assert "under 16" in notice.text_nn
    assert may_start_dialog(
        CLINIC, CHILD, CommunicationType.E_CONSULTATION, T0, fee_acknowledged=False
    )


def test_a_clinic_without_a_fee_needs_no_acknowledgement() -> None:
    free = attrs.evolve(CLINIC, fees=FeeSettings())
    notice = fee_notice(free, ADULT.birth_date, T0)
    assert not notice.applies
    assert not notice.child_exempt
    assert may_start_dialog(
        free, ADULT, CommunicationType.E_CONSULTATION, T0, fee_acknowledged=False
    )


def test_the_fee_is_decided_by_age_on_the_day_in_oslo() -> None:
    teen = make_patient("patient", dt.date(2010, 7, 1))
    assert fee_notice(CLINIC, teen.birth_date, oslo(2026, 6, 30, 23, 59, 59)).child_exempt
    assert fee_notice(CLINIC, teen.birth_date, oslo(2026, 7, 1)).applies


def test_each_type_needs_its_action_for_someone_acting_for_the_patient() -> None:
    assert action_for_type(CommunicationType.E_CONSULTATION) is Action.START_E_CONSULTATION
    assert action_for_type(CommunicationType.PRESCRIPTION_REQUEST) is (
        Action.REQUEST_PRESCRIPTION_RENEWAL
    )
    assert action_for_type(CommunicationType.OTHER_INQUIRY) is Action.SEND_MESSAGES
    assert action_for_type(CommunicationType.INVOICE_QUESTION) is Action.SEND_MESSAGES


# --- Starting -------------------------------------------------------------------------


def test_a_patient_starts_an_open_dialog_that_is_in_the_inbox() -> None:
    dialog = _dialog()
    assert dialog.status is DialogStatus.OPEN
    assert dialog.needs_reply
    assert not dialog.is_unread
    assert folder_of(dialog) is Folder.INBOX


def test_a_representative_starts_a_dialog_for_the_patient() -> None:
    outcome = _start(author=AuthorKind.REPRESENTATIVE)
    assert isinstance(outcome, Allowed)
    assert outcome.value.messages[0].author_id == "mother"


def test_starting_an_e_consultation_without_acknowledging_the_fee_is_denied() -> None:
    outcome = _start(CommunicationType.E_CONSULTATION)
    assert outcome.decision.reason is Reason.FEE_NOT_ACKNOWLEDGED
    assert _start(CommunicationType.E_CONSULTATION, fee_acknowledged=True)


def test_starting_a_dialog_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput, match=r"^message.author_kind: "):
        _start(author=AuthorKind.PRACTITIONER)
    with pytest.raises(InvalidInput, match=r"^message.author_id: "):
        start_dialog(
            dialog_id="d1",
            patient=ADULT,
            clinic=CLINIC,
            type=CommunicationType.OTHER_INQUIRY,
            counterpart=GP,
            subject="s",
            message=_message(0, AuthorKind.PATIENT, T0, "someone-else"),
        )
    with pytest.raises(InvalidInput, match=r"^counterpart: "):
        start_dialog(
            dialog_id="d1",
            patient=ADULT,
            clinic=CLINIC,
            type=CommunicationType.OTHER_INQUIRY,
            counterpart="Dr. Berg",  # type: ignore[arg-type]
            subject="s",
            message=_message(0, AuthorKind.PATIENT, T0),
        )
    with pytest.raises(InvalidInput, match=r"^counterpart.id: "):
        start_dialog(
            dialog_id="d1",
            patient=ADULT,
            clinic=CLINIC,
            type=CommunicationType.OTHER_INQUIRY,
            counterpart=Counterpart(CounterpartKind.CLINIC, "clinic-9", "Fjordklinikken"),
            subject="s",
            message=_message(0, AuthorKind.PATIENT, T0),
        )


# --- The lifecycle (M5) ---------------------------------------------------------------


def test_a_closed_dialog_that_needs_no_answer_moves_to_the_archive_once_read() -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=False).unwrap()
    assert folder_of(closed) is Folder.INBOX
    read = read_dialog(closed, _hours(2))
    assert folder_of(read) is Folder.ARCHIVE


def test_a_closed_dialog_that_was_read_before_it_closed_stays_in_the_inbox() -> None:
    dialog = reply(_dialog(), _message(1, AuthorKind.PRACTITIONER, _hours(1))).unwrap()
    read = read_dialog(dialog, _hours(2))
    closed = close_dialog(read, _hours(3), needs_reply=False).unwrap()
    assert folder_of(closed) is Folder.INBOX


def test_a_closed_dialog_that_needs_an_answer_stays_in_the_inbox() -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=True).unwrap()
    assert folder_of(read_dialog(closed, _hours(2))) is Folder.INBOX


def test_an_open_dialog_is_never_archived_however_often_it_is_read() -> None:
    dialog = _dialog()
    for hour in range(1, 5):
        dialog = read_dialog(dialog, _hours(hour))
        assert folder_of(dialog) is Folder.INBOX


def test_a_closed_dialog_needing_no_answer_takes_no_reply_from_the_patient_side() -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=False).unwrap()
    for author in (AuthorKind.PATIENT, AuthorKind.REPRESENTATIVE):
        outcome = reply(closed, _message(1, author, _hours(2)))
        assert outcome.decision.reason is Reason.DIALOG_CLOSED


@pytest.mark.parametrize("author", [AuthorKind.PATIENT, AuthorKind.REPRESENTATIVE])
def test_the_answer_a_closed_dialog_needs_satisfies_it_and_archives_it(author: AuthorKind) -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=True).unwrap()
    answered = reply(closed, _message(1, author, _hours(2))).unwrap()
    assert answered.status is DialogStatus.CLOSED
    assert not answered.needs_reply
    assert folder_of(answered) is Folder.ARCHIVE
    again = reply(answered, _message(2, author, _hours(3)))
    assert again.decision.reason is Reason.DIALOG_CLOSED


def test_a_dialog_is_closed_only_once() -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=False).unwrap()
    assert close_dialog(closed, _hours(2), needs_reply=True).decision.reason is (
        Reason.DIALOG_CLOSED
    )


def test_a_practitioner_message_to_an_archived_dialog_brings_it_back_to_the_inbox_unread() -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=False).unwrap()
    archived = read_dialog(closed, _hours(2))
    assert folder_of(archived) is Folder.ARCHIVE
    back = reply(archived, _message(1, AuthorKind.PRACTITIONER, _hours(3))).unwrap()
    assert folder_of(back) is Folder.INBOX
    assert back.is_unread
    assert back.status is DialogStatus.CLOSED
    assert folder_of(read_dialog(back, _hours(4))) is Folder.ARCHIVE


def test_a_practitioner_reopens_a_closed_dialog_by_writing() -> None:
    closed = close_dialog(_dialog(), _hours(1), needs_reply=False).unwrap()
    reopened = reply(closed, _message(1, AuthorKind.PRACTITIONER, _hours(2)), reopen=True).unwrap()
    assert reopened.status is DialogStatus.OPEN
    assert reopened.closed_at is None
    assert reopened.needs_reply
    assert reply(reopened, _message(2, AuthorKind.PATIENT, _hours(3)))


def test_a_patient_reply_marks_the_dialog_read() -> None:
    dialog = reply(_dialog(), _message(1, AuthorKind.PRACTITIONER, _hours(1))).unwrap()
    assert dialog.is_unread
    answered = reply(dialog, _message(2, AuthorKind.PATIENT, _hours(2))).unwrap()
    assert not answered.is_unread


def test_reading_never_moves_the_read_time_back() -> None:
    read = read_dialog(_dialog(), _hours(5))
    assert read_dialog(read, _hours(1)) is read


def test_nothing_is_allowed_on_an_unknown_type_or_status() -> None:
    unknown_type = attrs.evolve(_dialog(), type=Unrecognized("video_chat"))
    assert reply(unknown_type, _message(1, AuthorKind.PATIENT, _hours(1))).decision.reason is (
        Reason.UNKNOWN_TYPE
    )
    unknown_status = attrs.evolve(_dialog(), status=Unrecognized("escalated"))
    assert reply(unknown_status, _message(1, AuthorKind.PATIENT, _hours(1))).decision.reason is (
        Reason.UNKNOWN_DIALOG_STATUS
    )
    assert close_dialog(unknown_status, _hours(1), needs_reply=False).decision.reason is (
        Reason.UNKNOWN_DIALOG_STATUS
    )
    assert folder_of(read_dialog(unknown_status, _hours(2))) is Folder.INBOX


def test_the_lifecycle_refuses_bad_input() -> None:
    dialog = reply(_dialog(), _message(1, AuthorKind.PRACTITIONER, _hours(2))).unwrap()
    with pytest.raises(InvalidInput, match=r"^message.sent_at: "):
        reply(dialog, _message(2, AuthorKind.PATIENT, _hours(1)))
    with pytest.raises(InvalidInput, match=r"^messages: "):
        reply(dialog, _message(1, AuthorKind.PATIENT, _hours(3)))
    with pytest.raises(InvalidInput, match=r"^reopen: "):
        reply(dialog, _message(2, AuthorKind.PATIENT, _hours(3)), reopen=True)
    with pytest.raises(InvalidInput, match=r"^reopen: "):
        reply(dialog, _message(2, AuthorKind.PRACTITIONER, _hours(3)), reopen="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^message: "):
        reply(dialog, "hei")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^message.author_id: "):
        reply(dialog, _message(2, AuthorKind.REPRESENTATIVE, _hours(3), "patient"))
    with pytest.raises(InvalidInput, match=r"^at: "):
        close_dialog(dialog, _hours(1), needs_reply=False)
    with pytest.raises(InvalidInput, match=r"^needs_reply: "):
        close_dialog(dialog, _hours(3), needs_reply="no")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^at: "):
        read_dialog(dialog, dt.datetime(2026, 3, 2, 12, 0))


# --- Listings (M1, M2, M6) ------------------------------------------------------------


def test_the_inbox_and_the_archive_list_the_m2_columns_newest_first() -> None:
    first = _dialog()
    second = attrs.evolve(
        reply(first, _message(1, AuthorKind.PRACTITIONER, _hours(5))).unwrap(), id="d2"
    )
    third = attrs.evolve(
        read_dialog(close_dialog(first, _hours(1), needs_reply=False).unwrap(), _hours(2)), id="d3"
    )
    rows = inbox([first, second, third])
    assert [r.dialog_id for r in rows] == ["d2", "d1"]
    top = rows[0]
    assert (top.updated_at, top.type, top.from_name, top.status, top.unread) == (
        _hours(5),
        CommunicationType.OTHER_INQUIRY,
        "Dr. Berg",
        DialogStatus.OPEN,
        True,
    )
    assert [r.dialog_id for r in archive([first, second, third])] == ["d3"]
    assert "Spørsmål" not in repr(top)


def test_a_listing_refuses_what_is_not_a_dialog() -> None:
    with pytest.raises(InvalidInput, match=r"^dialogs\[1\]: "):
        inbox([_dialog(), "d2"])  # type: ignore[list-item]


# --- Properties -----------------------------------------------------------------------

_PATIENT_SIDE = st.sampled_from([AuthorKind.PATIENT, AuthorKind.REPRESENTATIVE])
_NO_MESSAGE_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(0, 10_000)),
        st.tuples(st.just("close"), st.booleans()),
        st.tuples(st.just("patient replies"), _PATIENT_SIDE),
    ),
    max_size=12,
)


@given(_NO_MESSAGE_STEPS, st.booleans())
def test_a_dialog_never_leaves_the_archive_except_by_a_new_message(
    steps: list[tuple[str, object]], reopen: bool
) -> None:
    dialog = read_dialog(close_dialog(_dialog(), _hours(1), needs_reply=False).unwrap(), _hours(2))
    assert folder_of(dialog) is Folder.ARCHIVE
    now = _hours(3)
    for n, (step, arg) in enumerate(steps):
        now += dt.timedelta(minutes=1)
        if step == "read":
            dialog = read_dialog(dialog, now - dt.timedelta(seconds=int(arg)))  # type: ignore[call-overload]
        elif step == "close":
            assert not close_dialog(dialog, now, needs_reply=bool(arg))
        else:
            assert not reply(dialog, _message(10 + n, arg, now))  # type: ignore[arg-type]
        assert folder_of(dialog) is Folder.ARCHIVE
    message = _message(99, AuthorKind.PRACTITIONER, now + dt.timedelta(minutes=1))
    assert folder_of(reply(dialog, message, reopen=reopen).unwrap()) is Folder.INBOX


@given(
    st.lists(st.sampled_from(AuthorKind), min_size=1, max_size=6),
    st.lists(st.integers(-5, 20), max_size=4),
)
def test_an_open_dialog_is_never_archived(authors: list[AuthorKind], reads: list[int]) -> None:
    dialog = _dialog()
    for n, author in enumerate(authors, start=1):
        dialog = reply(dialog, _message(n, author, _hours(n))).unwrap()
        for hours in reads:
            dialog = read_dialog(dialog, _hours(hours))
            assert dialog.status is DialogStatus.OPEN
            assert folder_of(dialog) is Folder.INBOX
    assert folder_of(read_dialog(dialog, _hours(100))) is Folder.INBOX
