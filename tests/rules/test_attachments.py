"""The attachment rules (M8): types by content, sizes, counts and safe file names."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from patientsky.models import Attachment
from patientsky.models.attachment import ATTACHMENT_MEDIA_TYPES
from patientsky.reasons import Reason
from patientsky.rules.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENT_BYTES_PER_MESSAGE,
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_FILE_NAME_LENGTH,
    check_content,
    check_message,
    check_upload,
    content_disposition,
    file_name_of,
    sanitize_file_name,
    sniff,
)
from patientsky.rules.decision import Allowed, Denied

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 8
SAMPLES = {"image/jpeg": JPEG, "image/png": PNG, "application/pdf": PDF, "image/heic": HEIC}
MAGIC = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
    "image/heic": b"ftyp",
}

media_types = st.sampled_from(sorted(ATTACHMENT_MEDIA_TYPES))


@pytest.mark.parametrize("media_type", sorted(SAMPLES))
def test_each_accepted_type_is_recognised_by_its_bytes(media_type: str) -> None:
    content = SAMPLES[media_type]
    assert sniff(content) == media_type
    outcome = check_upload(
        attachment_id="a1", file_name="fil", media_type=media_type, content=content
    )
    assert isinstance(outcome, Allowed)
    attachment = outcome.unwrap()
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.file_name == f"fil.{ATTACHMENT_MEDIA_TYPES[media_type]}"


def test_a_png_labelled_as_a_pdf_is_refused() -> None:
    decision = check_content(PNG, "application/pdf")
    assert decision.reason is Reason.ATTACHMENT_CONTENT_MISMATCH


def test_a_pdf_cut_short_is_refused() -> None:
    assert check_content(PDF[:-8], "application/pdf").reason is Reason.ATTACHMENT_CONTENT_MISMATCH


def test_a_plain_heif_without_a_heic_brand_is_not_heic() -> None:
    avif = b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1miaf" + b"\x00" * 8
    assert sniff(avif) is None


@pytest.mark.parametrize("media_type", ["text/html", "image/gif", "application/zip", ""])
def test_other_types_are_refused_whatever_the_content(media_type: str) -> None:
    decision = check_content(PDF, media_type)
    assert decision.reason is Reason.ATTACHMENT_TYPE_NOT_ALLOWED


@given(media_types, st.binary(max_size=64))
def test_bytes_without_the_magic_are_refused(media_type: str, content: bytes) -> None:
    assume(not content.startswith(MAGIC[media_type]) and content[4:8] != b"ftyp")
    decision = check_content(content, media_type)
    assert decision.reason is Reason.ATTACHMENT_CONTENT_MISMATCH


@given(media_types, st.binary(max_size=64))
def test_an_upload_is_taken_only_as_what_its_bytes_are(media_type: str, content: bytes) -> None:
    decision = check_content(content, media_type)
    assert bool(decision) == (sniff(content) == media_type)


@given(media_types, st.integers(-2, 2))
def test_the_size_limit_is_inclusive(media_type: str, delta: int) -> None:
    sample = SAMPLES[media_type]
    size = MAX_ATTACHMENT_BYTES + delta
    # Padding inside the file: before a PDF's end marker, after an image's header.
    if media_type == "application/pdf":
        content = sample[:9] + b" " * (size - len(sample)) + sample[9:]
    else:
        content = sample + b"\x00" * (size - len(sample))
    assert len(content) == size
    decision = check_content(content, media_type)
    if delta > 0:
        assert decision.reason is Reason.ATTACHMENT_TOO_LARGE
    else:
        assert decision.allowed


@given(st.text(max_size=300), media_types)
def test_a_sanitised_name_is_always_safe(raw: str, media_type: str) -> None:
    name = sanitize_file_name(raw, media_type)
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith(".")
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in name)
    assert 0 < len(name) <= MAX_FILE_NAME_LENGTH
    extension = name.rsplit(".", 1)[1].lower()
    assert extension in {"jpg", "jpeg", "jpe", "png", "heic", "heif", "pdf"}
    # What the model takes, and sanitising is idempotent.
    Attachment("a", name, media_type, 1, "0" * 64)
    assert sanitize_file_name(name, media_type) == name


@pytest.mark.parametrize(
    ("raw", "media_type", "expected"),
    [
        ("kne.jpeg", "image/jpeg", "kne.jpeg"),
        ("faktura.pdf.exe", "application/pdf", "faktura.pdf.exe.pdf"),
        ("..\\..\\win.ini", "application/pdf", "win.ini.pdf"),
        ("\u202egpj.exe", "image/jpeg", "gpj.exe.jpg"),
        ("   ", "image/png", "vedlegg.png"),
        ("CON.pdf", "application/pdf", "_CON.pdf"),
        ('a<b>:"c|?*.png', "image/png", "a_b___c___.png"),
        ("x" * 500 + ".pdf", "application/pdf", "x" * (MAX_FILE_NAME_LENGTH - 4) + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw: str, media_type: str, expected: str) -> None:
    assert sanitize_file_name(raw, media_type) == expected


def _attachment(i: int, size: int) -> Attachment:
    return Attachment(f"a{i}", f"f{i}.pdf", "application/pdf", size, "0" * 64)


@given(st.integers(0, MAX_ATTACHMENTS_PER_MESSAGE + 3))
def test_a_message_carries_a_bounded_number_of_attachments(count: int) -> None:
    decision = check_message([_attachment(i, 1) for i in range(count)])
    if count > MAX_ATTACHMENTS_PER_MESSAGE:
        assert decision.reason is Reason.TOO_MANY_ATTACHMENTS
    else:
        assert decision.allowed


@given(st.lists(st.integers(1, MAX_ATTACHMENT_BYTES), max_size=MAX_ATTACHMENTS_PER_MESSAGE))
def test_a_message_carries_a_bounded_total(sizes: list[int]) -> None:
    decision = check_message([_attachment(i, size) for i, size in enumerate(sizes)])
    if sum(sizes) > MAX_ATTACHMENT_BYTES_PER_MESSAGE:
        assert decision.reason is Reason.ATTACHMENTS_TOO_LARGE
    else:
        assert decision.allowed


def test_a_denied_upload_holds_no_attachment() -> None:
    outcome = check_upload(attachment_id="a", file_name="x", media_type="image/gif", content=b"")
    assert isinstance(outcome, Denied)


@given(st.text(max_size=200), media_types)
@example("~", "application/pdf")  # "~" is safe to quote() but not in the ASCII filename
def test_a_kept_name_travels_in_a_header_and_back(raw: str, media_type: str) -> None:
    name = sanitize_file_name(raw, media_type)
    header = content_disposition(name)
    assert header.isascii()
    assert "\r" not in header
    assert "\n" not in header
    assert file_name_of(header) == name


@given(st.text(max_size=300))
def test_a_name_read_from_a_header_has_no_folder(header: str) -> None:
    name = file_name_of(header)
    assert name is None or ("/" not in name and "\\" not in name and name not in (".", ".."))
