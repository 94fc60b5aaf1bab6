"""The enums' labels in bokmål, nynorsk and English."""

from __future__ import annotations

import pytest

from patientsky.models import LABELLED, Gender, PaymentStatus, Unrecognized, label


def test_every_member_of_a_labelled_enum_has_three_labels() -> None:
    for enum_type in LABELLED:
        for member in enum_type:
            texts = [label(member, "nb"), label(member, "nn"), label(member, "en")]
            assert all(t.strip() for t in texts), member
            assert label(member) == texts[0]


def test_the_labels_agree_with_the_enums_own_bokmal_and_english_labels() -> None:
    for enum_type in LABELLED:
        for member in enum_type:
            if hasattr(member, "label_nb"):
                assert label(member, "nb") == member.label_nb, member
            if hasattr(member, "label_en"):
                assert label(member, "en") == member.label_en, member


def test_the_status_enums_are_labelled() -> None:
    assert label(PaymentStatus.FAILED, "nn") == "Feila"
    assert label(PaymentStatus.FAILED, "en") == "Failed"


def test_a_value_from_a_newer_server_shows_as_its_code() -> None:
    assert label(Unrecognized("on_hold"), "nn") == "on_hold"


def test_another_language_or_an_unlabelled_enum_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="lang"):
        label(PaymentStatus.PAID, "sv")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="value"):
        label(next(iter(Gender)))
