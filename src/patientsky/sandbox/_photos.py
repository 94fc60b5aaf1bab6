"""
Profile photos: decoded whole before they are kept, and kept without their metadata.

A photo is taken only if Pillow decodes all of it as the JPEG or PNG image its
``Content-Type`` says, with at most :data:`MAX_PHOTO_PIXELS` pixels (a small file can
unpack to a huge image). What is stored, and served back, is the image encoded anew:
turned upright as its EXIF orientation says, then written without EXIF (camera, time,
GPS position), XMP, comments or text chunks; only the colour profile stays. So a JPEG
header in front of an HTML page is refused, and an HTML page hidden after a real image
is never served.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from patientsky.sandbox._http import ApiProblem

__all__ = ["JPEG_QUALITY", "MAX_PHOTO_PIXELS", "clean_photo"]

MAX_PHOTO_PIXELS = 25_000_000
"""The most pixels a photo may have (6000 x 4000 is 24 million)."""

JPEG_QUALITY = 90
"""The quality a JPEG photo is encoded anew with."""

# The formats Pillow reports for each accepted media type (MPO: a JPEG with more
# pictures after the first, as phone cameras write them; the first is kept).
_FORMATS = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}
_SAVE_AS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _refuse(message: str) -> ApiProblem:
    return ApiProblem(400, "invalid_input", f"the photo {message}", errors=(("", message),))


def clean_photo(body: bytes, media_type: str) -> bytes:
    """
    Decode a photo whole and return it encoded anew, without its metadata.

    Args:
        body: The uploaded bytes.
        media_type: Its declared media type, ``image/jpeg`` or ``image/png``.

    Returns:
        The image as stored and served: upright, same format, no metadata.

    Raises:
        ApiProblem: 415 for another media type or an image of another format; 400 if it
            does not decode whole or has more than :data:`MAX_PHOTO_PIXELS` pixels.
    """
    formats = _FORMATS.get(media_type)
    if formats is None:
        raise ApiProblem(415, "unsupported_media_type", "the photo must be image/jpeg or image/png")
    kind = _SAVE_AS[media_type]
    too_big = f"has more than {MAX_PHOTO_PIXELS} pixels"
    try:
        with Image.open(io.BytesIO(body), formats=["JPEG", "PNG"]) as image:
            if image.format not in formats:
                raise ApiProblem(
                    415, "unsupported_media_type", f"the content is not a {kind} image"
                )
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                raise _refuse(too_big)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except ApiProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning is an error where warnings are errors (as in the tests).
        raise _refuse(too_big) from None
    except Exception:  # noqa: BLE001 -- whatever the decoder says, it is not a whole image
        raise _refuse(f"is not a whole, decodable {kind} image") from None
    icc_profile = upright.info.get("icc_profile")
    transparency = upright.info.get("transparency")
    # Nothing of the upload's metadata may reach the encoder (JPEG takes comments from it).
    upright.info = {} if transparency is None else {"transparency": transparency}
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    if kind == "JPEG":
        options["quality"] = JPEG_QUALITY
    upright.save(out, kind, **options)
    return out.getvalue()
