"""Small real images for the tests: the sandbox decodes every photo it is given."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image


def image(
    kind: str = "PNG", size: tuple[int, int] = (8, 6), mode: str = "RGB", **save: Any
) -> bytes:
    """Return an image of ``size`` in the format ``kind`` (``"PNG"`` or ``"JPEG"``)."""
    out = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 0).save(out, kind, **save)
    return out.getvalue()


def png_of_size(total: int) -> bytes:
    """Return a valid PNG of exactly ``total`` bytes, filled up by a private chunk."""
    small = image("PNG")
    head, tail = small[:33], small[33:]  # the signature and IHDR, then the rest
    fill = total - len(small) - 12  # a chunk is length, type, data and CRC
    if fill < 0:
        raise ValueError("too small for a PNG")
    data = bytes(fill)
    chunk = struct.pack(">I", fill) + b"prVt" + data + struct.pack(">I", zlib.crc32(b"prVt" + data))
    return head + chunk + tail


def decode(data: bytes) -> Image.Image:
    """Decode ``data`` whole."""
    opened = Image.open(io.BytesIO(data))
    opened.load()
    return opened


JPEG = image("JPEG")
PNG = image("PNG")

# A whole one-page PDF (header, one empty page, cross-reference table, trailer, %%EOF).
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R /Size 4 >>\n%%EOF\n"
)
