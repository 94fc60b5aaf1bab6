r"""
Attachments on messages (M8): what may be attached, checked by content, never by name.

An upload is taken when all of these hold (:func:`check_upload`):

- its declared media type is one a message may carry: ``image/jpeg``, ``image/png``,
  ``image/heic`` or ``application/pdf``
  (:data:`~patientsky.models.attachment.ATTACHMENT_MEDIA_TYPES`);
  otherwise ``ATTACHMENT_TYPE_NOT_ALLOWED``;
- it is at most :data:`MAX_ATTACHMENT_BYTES` long; otherwise ``ATTACHMENT_TOO_LARGE``;
- its bytes are what the type says (:func:`sniff`), whatever the file is called;
  otherwise ``ATTACHMENT_CONTENT_MISMATCH``. A JPEG starts with ``FF D8 FF``; a PNG with
  its eight-byte signature and then its ``IHDR`` chunk; a PDF with ``%PDF-`` and a
  version, and it ends (within its last kilobyte) with ``%%EOF``, so a truncated upload
  is refused; a HEIC image is an ISO media file whose ``ftyp`` box names a HEIC brand.
  A service that can decode images (the sandbox does, with Pillow) decodes JPEG and PNG
  whole as well; these rules need no decoder.

A message carries at most :data:`MAX_ATTACHMENTS_PER_MESSAGE` attachments of at most
:data:`MAX_ATTACHMENT_BYTES_PER_MESSAGE` bytes together (:func:`check_message`;
``TOO_MANY_ATTACHMENTS``, ``ATTACHMENTS_TOO_LARGE``). The limits are those of a phone's
photos and a scanned letter: a photo from a phone camera is 2 to 8 MB, a scanned page
less; five files and 25 MiB keep one message, and the clinic's inbox, within what an
e-consultation needs.

The file name is never trusted: :func:`sanitize_file_name` keeps its last path
component only, drops control and invisible characters, replaces the characters file
systems refuse, bounds the length at :data:`MAX_FILE_NAME_LENGTH`, and makes the
extension the media type's, so ``faktura.pdf.exe`` sent as a PDF is saved as
``faktura.pdf.exe.pdf``.

>>> pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
>>> sniff(pdf), sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), sniff(b"MZ\x90\x00")
('application/pdf', 'image/png', None)
>>> sanitize_file_name("C:\\Users\\kari\\Bilder\\kne.JPG", "image/jpeg")
'kne.JPG'
>>> sanitize_file_name("../../etc/passwd", "application/pdf")
'passwd.pdf'
>>> check_upload(attachment_id="att-1", file_name="brev.pdf", media_type="application/pdf",
...              content=pdf).unwrap().size
48
>>> check_upload(attachment_id="att-2", file_name="brev.pdf", media_type="application/pdf",
...              content=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").decision.reason.value
'attachment_content_mismatch'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote, unquote

from patientsky.models._base import _FORBIDDEN_LINE
from patientsky.models.attachment import ATTACHMENT_MEDIA_TYPES, Attachment
from patientsky.rules.decision import Allowed, Decision, Denied, Outcome, Reason

__all__ = [
    "HEIC_BRANDS",
    "MAX_ATTACHMENTS_PER_MESSAGE",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENT_BYTES_PER_MESSAGE",
    "MAX_FILE_NAME_LENGTH",
    "MAX_PENDING_ATTACHMENTS",
    "PENDING_ATTACHMENT_LIFETIME",
    "check_content",
    "check_message",
    "check_upload",
    "content_disposition",
    "file_name_of",
    "sanitize_file_name",
    "sniff",
]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The largest file one attachment may be: 10 MiB (a phone's photo is 2 to 8 MB)."""
MAX_ATTACHMENTS_PER_MESSAGE = 5
"""How many attachments one message carries at most."""
MAX_ATTACHMENT_BYTES_PER_MESSAGE = 25 * 1024 * 1024
"""How many bytes the attachments of one message hold together at most: 25 MiB."""
MAX_FILE_NAME_LENGTH = 120
"""The longest file name kept, in characters (its extension included)."""
MAX_PENDING_ATTACHMENTS = 20
"""How many uploaded attachments not yet sent with a message a patient may hold at once."""
PENDING_ATTACHMENT_LIFETIME = dt.timedelta(hours=24)
"""How long an uploaded attachment waits to be sent with a message before it is dropped."""

HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
"""The ``ftyp`` brands of a HEIC image (HEIF with HEVC pictures), as phones write them."""
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})  # plain HEIF: HEIC only if a HEIC brand follows

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_PDF = re.compile(rb"%PDF-[12]\.[0-9]")
_PDF_TAIL = 1024
# File systems refuse these in a name (Windows); a name is offered for saving, so they go.
_RESERVED_CHARS = re.compile(r'[<>:"|?*]')
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}
)
_EXTENSIONS = {
    "image/jpeg": frozenset({"jpg", "jpeg", "jpe"}),
    "image/png": frozenset({"png"}),
    "image/heic": frozenset({"heic", "heif"}),
    "application/pdf": frozenset({"pdf"}),
}
_FALLBACK_STEM = "vedlegg"


def _is_heic(content: bytes) -> bool:
    if len(content) < 16 or content[4:8] != b"ftyp":
        return False
    box = int.from_bytes(content[0:4], "big")
    if box < 16 or box > len(content) or box % 4:
        return False
    major = content[8:12]
    if major in HEIC_BRANDS:
        return True
    compatible = {content[i : i + 4] for i in range(16, box, 4)}
    return major in _HEIF_BRANDS and bool(compatible & HEIC_BRANDS)


def sniff(content: bytes) -> str | None:
    """
    Return the media type ``content`` is, by its bytes, or None if it is none a message takes.

    Args:
        content: The file's bytes.

    Returns:
        ``image/jpeg``, ``image/png``, ``image/heic`` or ``application/pdf``; None for
        anything else (an empty file, an executable, a PDF cut short, ...).
    """
    if content.startswith(_JPEG):
        return "image/jpeg"
    if content.startswith(_PNG) and content[12:16] == b"IHDR":
        return "image/png"
    if _PDF.match(content) and b"%%EOF" in content[-_PDF_TAIL:]:
        return "application/pdf"
    if _is_heic(content):
        return "image/heic"
    return None


def check_content(content: bytes, media_type: str) -> Decision:
    """
    Decide whether ``content`` may be attached as ``media_type``: its type, size and bytes.

    Args:
        content: The file's bytes.
        media_type: The media type it was sent as.

    Returns:
        Allowed, or denied with ``ATTACHMENT_TYPE_NOT_ALLOWED``, ``ATTACHMENT_TOO_LARGE``
        or ``ATTACHMENT_CONTENT_MISMATCH`` (checked in that order).
    """
    if media_type not in ATTACHMENT_MEDIA_TYPES:
        return Decision.deny(Reason.ATTACHMENT_TYPE_NOT_ALLOWED)
    if len(content) > MAX_ATTACHMENT_BYTES:
        return Decision.deny(Reason.ATTACHMENT_TOO_LARGE)
    if sniff(content) != media_type:
        return Decision.deny(Reason.ATTACHMENT_CONTENT_MISMATCH)
    return Decision.allow()


def sanitize_file_name(raw: str, media_type: str) -> str:
    r"""
    Return a file name that is safe to show and to save, for a file of ``media_type``.

    The last path component of ``raw`` (after ``/`` or ``\\``), NFC-normalised, without
    control, bidirectional or invisible characters, with ``< > : " | ? *`` replaced by
    ``_``, without leading dots and surrounding spaces, ending in an extension of the
    media type (``.jpg`` and ``.jpeg`` both stay a JPEG's; any other gets the type's
    added), at most :data:`MAX_FILE_NAME_LENGTH` characters. A name with nothing left
    becomes ``vedlegg`` with the extension; a Windows device name gets a ``_`` in front.

    Args:
        raw: The name as sent.
        media_type: The file's media type (one of ``ATTACHMENT_MEDIA_TYPES``).

    Raises:
        KeyError: If ``media_type`` is not one a message takes.
    """
    extension = ATTACHMENT_MEDIA_TYPES[media_type]
    name = unicodedata.normalize("NFC", raw.encode("utf-8", "replace").decode("utf-8"))
    name = re.split(r"[/\\]", name)[-1]
    name = _FORBIDDEN_LINE.sub("", name)
    name = _RESERVED_CHARS.sub("_", name)
    name = " ".join(name.split()).lstrip(". ")
    stem, dot, given = name.rpartition(".")
    if dot and stem and given.lower() in _EXTENSIONS[media_type]:
        extension = given
    else:
        stem = name
    stem = stem.rstrip(". ")[: MAX_FILE_NAME_LENGTH - len(extension) - 1].rstrip(". ")
    if not stem:
        stem = _FALLBACK_STEM
    if stem.split(".")[0].upper() in _RESERVED_NAMES:
        stem = "_" + stem[: MAX_FILE_NAME_LENGTH - len(extension) - 2]
    return f"{stem}.{extension}"


def check_upload(
    *, attachment_id: str, file_name: str, media_type: str, content: bytes
) -> Outcome[Attachment]:
    """
    Check an upload and describe it: the :class:`~patientsky.models.attachment.Attachment` to keep.

    Args:
        attachment_id: The new attachment's id.
        file_name: The file's name as sent (it is sanitised, never refused).
        media_type: The media type it was sent as.
        content: The file's bytes.

    Returns:
        :class:`~patientsky.rules.decision.Allowed` with the attachment (sanitised name,
        size, SHA-256 digest), or :class:`~patientsky.rules.decision.Denied` with a
        reason of :func:`check_content`.
    """
    decision = check_content(content, media_type)
    if not decision:
        return Denied(decision)
    return Allowed(
        Attachment(
            id=attachment_id,
            file_name=sanitize_file_name(file_name, media_type),
            media_type=media_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    )


def check_message(attachments: Sequence[Attachment]) -> Decision:
    """
    Decide whether one message may carry ``attachments`` together.

    Args:
        attachments: The attachments, each checked by :func:`check_upload` already.

    Returns:
        Allowed, or denied with ``TOO_MANY_ATTACHMENTS`` (more than
        :data:`MAX_ATTACHMENTS_PER_MESSAGE`) or ``ATTACHMENTS_TOO_LARGE`` (more than
        :data:`MAX_ATTACHMENT_BYTES_PER_MESSAGE` bytes together).
    """
    if len(attachments) > MAX_ATTACHMENTS_PER_MESSAGE:
        return Decision.deny(Reason.TOO_MANY_ATTACHMENTS)
    if sum(a.size for a in attachments) > MAX_ATTACHMENT_BYTES_PER_MESSAGE:
        return Decision.deny(Reason.ATTACHMENTS_TOO_LARGE)
    return Decision.allow()


_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]")
_FILENAME_STAR = re.compile(r"filename\*\s*=\s*UTF-8''([^;\s]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*"([^"]*)"', re.IGNORECASE)


def content_disposition(file_name: str) -> str:
    r"""
    Return a ``Content-Disposition`` naming ``file_name``, in ASCII whatever it is (RFC 6266).

    ``filename`` holds the name with everything but ASCII letters, digits, ``.``, ``_``
    and ``-`` as ``_``; ``filename*`` the name itself, UTF-8 and percent-encoded, when
    the two differ. An upload sends its file's name this way (never in the URL, which
    logs keep), and a download answers with it.

    >>> content_disposition("kne.jpg")
    'attachment; filename="kne.jpg"'
    >>> content_disposition("blodprøve svar.pdf")
    'attachment; filename="blodpr_ve_svar.pdf"; filename*=UTF-8\'\'blodpr%C3%B8ve%20svar.pdf'
    """
    ascii_name = _UNSAFE_ASCII.sub("_", file_name)
    plain = f'attachment; filename="{ascii_name}"'
    # Whenever the ASCII form lost a character (even one ``quote`` keeps, such as "~"),
    # the name itself travels in filename*.
    if ascii_name == file_name:
        return plain
    return f"{plain}; filename*=UTF-8''{quote(file_name, safe='')}"


def file_name_of(disposition: str | None) -> str | None:
    """
    Return the file name a ``Content-Disposition`` gives (``filename*`` first), or None.

    Only its last path component is kept, so a name never points into another folder.

    >>> file_name_of(content_disposition("blodprøve svar.pdf"))
    'blodprøve svar.pdf'
    >>> file_name_of('attachment; filename="../../a.pdf"'), file_name_of("inline")
    ('a.pdf', None)
    """
    text = disposition or ""
    star = _FILENAME_STAR.search(text)
    plain = _FILENAME.search(text)
    name = unquote(star.group(1), errors="replace") if star else plain.group(1) if plain else ""
    name = re.split(r"[/\\]", name)[-1].strip()
    return name if name and name not in (".", "..") else None
