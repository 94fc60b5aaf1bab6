"""The portal's catalogue and Norwegian formats."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from patientsky.models import ConsultationStatus, Money, PaymentMethod, Unrecognized
from patientsky.portal import i18n
from patientsky.reasons import Reason

_NB = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
instants = st.datetimes(
    min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)


def test_every_text_of_the_catalogue_exists_in_all_three_languages() -> None:
    for key, texts in i18n.TEXTS.items():
        assert len(texts) == 3, key
        assert all(t.strip() for t in texts), key


def test_the_portal_shows_the_sdks_reason_messages_in_all_three_languages() -> None:
    for reason in Reason:
        assert i18n.reason_message(reason, "en") == reason.message_en
        assert i18n.reason_message(reason, "nb") == reason.message_nb
        assert i18n.reason_message(reason, "nn") == reason.message_nn
        assert i18n.reason_message(reason, "xx") == reason.message_nb


def test_the_examples_of_the_help_page_format_as_there() -> None:
    assert i18n.money(Money.nok(1303), "nb") == "kr 1 303,00"
    winter = dt.datetime(2026, 12, 12, 8, 15, tzinfo=dt.UTC)
    assert i18n.when(winter, "nb") == "12. desember 2026 kl. 09.15"
    assert i18n.when(winter, "nn") == "12. desember 2026 kl. 09.15"
    summer = dt.datetime(2026, 6, 1, 7, 5, tzinfo=dt.UTC)
    assert i18n.when(summer, "en") == "1 June 2026 at 09:05"


def test_labels_come_from_the_catalogue_then_the_models() -> None:
    assert i18n.label(ConsultationStatus.NO_SHOW, "nb") == "Ikke møtt"
    assert i18n.label(ConsultationStatus.NO_SHOW, "en") == "Not attended"
    assert i18n.label(PaymentMethod.VIPPS, "en") == "Vipps"
    assert i18n.label("from-a-newer-server", "nb") == "from-a-newer-server"
    assert i18n.label(Unrecognized("paused"), "nn") == "paused"
    assert i18n.label(ConsultationStatus.NO_SHOW, "nn") == "Ikkje møtt"
    assert i18n.label(ConsultationStatus.NO_SHOW, "xx") == "Ikke møtt"


@given(instants)
def test_an_instant_always_reads_as_a_norwegian_or_english_date_and_time(
    value: dt.datetime,
) -> None:
    assert re.fullmatch(rf"\d{{1,2}}\. ({_NB}) \d{{4}} kl\. \d\d\.\d\d", i18n.when(value, "nb"))
    assert re.fullmatch(rf"\d{{1,2}} ({_EN}) \d{{4}} at \d\d:\d\d", i18n.when(value, "en"))
    local = value.astimezone(i18n.OSLO)
    assert i18n.when(value, "nb").endswith(f"kl. {local:%H.%M}")
    assert i18n.date(local.date(), "nb") == i18n.when(value, "nb").split(" kl.")[0]


@given(st.integers(min_value=0, max_value=10**12))
def test_an_amount_reads_back_to_the_same_number_of_ore(minor: int) -> None:
    shown = i18n.money(Money(minor), "en")
    assert shown.startswith("kr ")
    digits = re.sub(r"[^\d,]", "", shown)
    kroner, ore = digits.split(",")
    assert int(kroner) * 100 + int(ore) == minor


def test_a_files_size_reads_in_the_largest_fitting_unit() -> None:
    assert i18n.size(0, "nb") == "0 byte"
    assert i18n.size(1023, "nn") == "1023 byte"
    assert i18n.size(1024, "nb") == "1,0 kB"
    assert i18n.size(10 * 1024 * 1024, "en") == "10.0 MB"
