"""
Attachments on dialog messages (M8): a photo or a PDF, described; the bytes live elsewhere.

An :class:`Attachment` is what a message carries and what a listing shows: the file's
id, its (sanitised) name, its media type, its size and the SHA-256 digest of its bytes,
so a client can check that what it downloads is what was sent. What may be attached,
and how an upload is checked, is :mod:`patientsky.rules.attachments`' job.

>>> a = Attachment("att-1", "kne.jpg", "image/jpeg", 1234, "0" * 64)
>>> a.extension, a.is_image
('jpg', True)
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

import attrs

from patientsky.errors import InvalidInput
from patientsky.models._base import nfc, of_type, text

__all__ = ["ATTACHMENT_MEDIA_TYPES", "Attachment"]

ATTACHMENT_MEDIA_TYPES = MappingProxyType(
    {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/heic": "heic",
        "application/pdf": "pdf",
    }
)
"""The media types a message may carry, with the file name extension each is saved with."""

_DIGEST = re.compile(r"[0-9a-f]{64}")


def _media_type(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if value not in ATTACHMENT_MEDIA_TYPES:
        raise InvalidInput("media_type", "must be one of: " + ", ".join(ATTACHMENT_MEDIA_TYPES))


def _file_name(_inst: Any, _attr: attrs.Attribute[Any], value: str) -> None:
    if "/" in value or "\\" in value or value.startswith("."):
        raise InvalidInput("file_name", "must be a bare file name (no folder, no leading dot)")


def _size(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("size", "must be a positive integer")


def _sha256(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or _DIGEST.fullmatch(value) is None:
        raise InvalidInput("sha256", "must be 64 lower-case hexadecimal digits")


@attrs.frozen
class Attachment:
    """
    A file attached to a message (M8); its bytes are stored and fetched separately.

    Args:
        id: The attachment's id.
        file_name: The file's name as shown and offered for saving: sanitised, with no
            folder in it and at most 120 characters (see
            :func:`patientsky.rules.attachments.sanitize_file_name`).
        media_type: ``image/jpeg``, ``image/png``, ``image/heic`` or
            ``application/pdf`` (see :data:`ATTACHMENT_MEDIA_TYPES`).
        size: The size of the file in bytes.
        sha256: The SHA-256 digest of the file's bytes, in lower-case hex.
    """

    id: str = attrs.field(converter=nfc, validator=text(200))
    file_name: str = attrs.field(converter=nfc, validator=[text(120), _file_name])
    media_type: str = attrs.field(validator=[of_type(str), _media_type])
    size: int = attrs.field(validator=_size)
    sha256: str = attrs.field(validator=_sha256)

    @property
    def extension(self) -> str:
        """The extension files of this media type are saved with (``jpg``, ``pdf``, ...)."""
        return ATTACHMENT_MEDIA_TYPES[self.media_type]

    @property
    def is_image(self) -> bool:
        """Whether it is a photo (JPEG, PNG or HEIC) rather than a document."""
        return self.media_type.startswith("image/")
