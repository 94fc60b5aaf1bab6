"""HTTP details: strong If-Match, security headers, whole photos without metadata, receipts."""

from __future__ import annotations

import io

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from patientsky.sandbox._headers import etag_matches, parse_entity_tags
from patientsky.sandbox._photos import MAX_PHOTO_PIXELS
from tests.images import JPEG, PNG, decode, image
from tests.sandbox.conftest import Api

# --- If-Match, as a function ---

_ETAGC = st.characters(
    codec="latin-1", exclude_characters='"', min_codepoint=0x21, exclude_categories=["Cc"]
)
_OPAQUE = st.text(_ETAGC, max_size=12).map(lambda s: f'"{s}"')
_TAGS = st.lists(st.tuples(st.booleans(), _OPAQUE), max_size=6)
_OWS = st.text(" \t", max_size=2)


Tags = list[tuple[bool, str]]


@st.composite
def _header(draw: st.DrawFn, tags: Tags) -> str:
    """A list of tags as a client may write it: any spacing, empty elements here and there."""
    elements = []
    for weak, opaque in tags:
        if draw(st.booleans()):
            elements.append(draw(_OWS))  # an empty element, which a recipient skips
        elements.append(draw(_OWS) + ("W/" if weak else "") + opaque + draw(_OWS))
    if draw(st.booleans()):
        elements.append(draw(_OWS))
    return ",".join(elements)


@given(data=st.data(), tags=_TAGS)
def test_a_list_of_entity_tags_reads_back_as_written(data: st.DataObject, tags: Tags) -> None:
    header = data.draw(_header(tags))
    assert parse_entity_tags(header) == tags


@given(data=st.data(), tags=_TAGS, current=_OPAQUE)
def test_if_match_matches_exactly_when_the_current_tag_is_listed_strong(
    data: st.DataObject, tags: Tags, current: str
) -> None:
    header = data.draw(_header(tags))
    assert etag_matches(header, current) is any(not w and o == current for w, o in tags)


@given(current=_OPAQUE, ows=_OWS)
def test_a_weak_tag_never_matches_and_a_star_always_does(current: str, ows: str) -> None:
    assert etag_matches(f"{ows}W/{current}{ows}", current) is False
    assert etag_matches(f"{ows}*{ows}", current) is True


@given(st.text(max_size=40))
def test_if_match_never_raises_on_any_text(header: str) -> None:
    assert etag_matches(header, '"abc"') in (True, False, None)


@pytest.mark.parametrize(
    "header", ['"a" "b"', "abc", '"abc', 'W/ "abc"', '*, "abc"', '"a"x', 'w/"abc"', '"a\x01"']
)
def test_a_malformed_if_match_is_neither_true_nor_false(header: str) -> None:
    assert etag_matches(header, '"abc"') is None


# --- If-Match, over HTTP ---


def _patch(api: Api, headers: dict[str, str], if_match: str) -> httpx.Response:
    return api.client.patch(
        "/v1/patients/me/profile",
        headers={**headers, "If-Match": if_match},
        json={"contact": {"email": "ny@example.no"}},
    )


def test_a_weak_etag_never_updates_the_profile(api: Api) -> None:
    headers = api.auth("p-kari")
    etag = api.client.get("/v1/patients/me/profile", headers=headers).headers["etag"]
    weak = _patch(api, headers, f"W/{etag}")
    assert weak.status_code == 412
    assert weak.json()["code"] == "precondition_failed"
    assert api.client.get("/v1/patients/me/profile", headers=headers).headers["etag"] == etag


def test_a_list_of_etags_updates_the_profile_when_one_is_current(api: Api) -> None:
    headers = api.auth("p-kari")
    etag = api.client.get("/v1/patients/me/profile", headers=headers).headers["etag"]
    assert _patch(api, headers, f'"old", W/{etag}, "older"').status_code == 412
    done = _patch(api, headers, f'"old", {etag}')
    assert done.status_code == 200
    assert _patch(api, headers, "*").status_code == 200


def test_a_malformed_if_match_is_a_400_naming_it(api: Api) -> None:
    headers = api.auth("p-kari")
    response = _patch(api, headers, "not-a-tag")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "If-Match"


@pytest.mark.parametrize("empty", ["", ", ,"])
def test_an_empty_if_match_is_a_400_not_a_412(api: Api, empty: str) -> None:
    headers = api.auth("p-kari")
    response = _patch(api, headers, empty)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "If-Match"


def test_a_stale_if_match_answers_with_the_current_etag(api: Api) -> None:
    headers = api.auth("p-kari")
    etag = api.client.get("/v1/patients/me/profile", headers=headers).headers["etag"]
    stale = _patch(api, headers, '"old"')
    assert stale.status_code == 412
    assert stale.headers["etag"] == etag


# --- security headers ---


def _secure(response: httpx.Response, *, cacheable: bool = False) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    if cacheable:
        assert "cache-control" not in response.headers
    else:
        assert response.headers["cache-control"] == "no-store"


def test_every_answer_says_nosniff_and_no_store(api: Api) -> None:
    headers = api.auth("p-kari")
    _secure(api.client.get("/v1/patients/me/profile", headers=headers))  # patient data
    _secure(api.client.get("/v1/patients/me/profile"))  # a 401 problem
    _secure(api.client.get("/v1/no/such/path"))  # Starlette's 404
    _secure(api.client.delete("/v1/terms"))  # a 405 of ours
    _secure(api.client.request("PROPFIND", "/v1/terms"))  # a 405 of Starlette's
    _secure(api.client.get("/healthz"))
    _secure(api.client.post("/v1/sandbox/login", json={"nationalId": "x", "method": "bankid"}))


def test_only_the_contract_may_be_cached(api: Api) -> None:
    _secure(api.client.get("/openapi.json"), cacheable=True)


# --- photos ---


def _put(api: Api, headers: dict[str, str], body: bytes, media_type: str) -> httpx.Response:
    return api.client.put(
        "/v1/patients/me/photo", content=body, headers={**headers, "Content-Type": media_type}
    )


def test_a_jpeg_header_followed_by_html_is_refused_and_nothing_is_kept(api: Api) -> None:
    headers = api.auth("p-kari")
    html = JPEG[:20] + b"<html><script>alert(document.cookie)</script></html>"
    refused = _put(api, headers, html, "image/jpeg")
    assert refused.status_code == 400
    problem = refused.json()
    assert problem["code"] == "invalid_input"
    assert "photo" in problem["detail"]
    assert problem["errors"][0]["field"] == ""
    assert api.client.get("/v1/patients/me/photo", headers=headers).status_code == 404


def test_a_truncated_png_is_refused(api: Api) -> None:
    out = io.BytesIO()
    Image.linear_gradient("L").save(out, "PNG")
    big = out.getvalue()
    assert _put(api, api.auth("p-kari"), big[: len(big) // 2], "image/png").status_code == 400


def test_a_photo_of_another_format_than_declared_is_a_415(api: Api) -> None:
    headers = api.auth("p-kari")
    assert _put(api, headers, PNG, "image/jpeg").status_code == 415
    assert _put(api, headers, JPEG, "image/png").status_code == 415
    assert _put(api, headers, image("GIF"), "image/gif").status_code == 415


def test_a_photo_is_kept_upright_and_without_its_metadata(api: Api) -> None:
    headers = api.auth("p-kari")
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera"  # model
    exif[0x0112] = 6  # orientation: turn 90 degrees to stand upright
    exif.get_ifd(0x8825)[2] = (59.0, 54.0, 0.0)  # GPS latitude
    upload = image("JPEG", (40, 30), exif=exif.tobytes(), comment=b"taken at home")
    assert decode(upload).getexif()[0x0110] == "Secret Camera"
    ok = _put(api, headers, upload, "image/jpeg")
    assert ok.status_code == 200
    served = api.client.get("/v1/patients/me/photo", headers=headers)
    _secure(served)
    assert served.headers["content-type"] == "image/jpeg"
    assert ok.json()["sizeBytes"] == len(served.content)
    kept = decode(served.content)
    assert kept.size == (30, 40)
    assert not kept.getexif()
    assert "comment" not in kept.info
    assert b"Secret" not in served.content
    assert b"taken at home" not in served.content


def test_a_png_keeps_its_transparency(api: Api) -> None:
    headers = api.auth("p-kari")
    out = io.BytesIO()
    Image.new("RGBA", (5, 5), (255, 0, 0, 0)).save(out, "PNG")
    assert _put(api, headers, out.getvalue(), "image/png").status_code == 200
    kept = decode(api.client.get("/v1/patients/me/photo", headers=headers).content)
    assert kept.mode == "RGBA"
    assert kept.getpixel((0, 0)) == (255, 0, 0, 0)


@pytest.mark.parametrize("side", [5001, 20_000])
def test_a_photo_of_too_many_pixels_is_refused_before_it_is_decoded(api: Api, side: int) -> None:
    # A one-bit PNG this large is a few kilobytes; decoded it would take hundreds of MB.
    bomb = image("PNG", (side, side), mode="1")
    assert side * side > MAX_PHOTO_PIXELS
    refused = _put(api, api.auth("p-kari"), bomb, "image/png")
    assert refused.status_code == 400
    assert "pixels" in refused.json()["detail"]


# --- receipts ---


def test_a_receipt_is_an_attachment_that_is_never_cached(api: Api) -> None:
    response = api.client.get(
        "/v1/patients/me/payments/pay-kari-3/receipt", headers=api.auth("p-kari")
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="kvittering-pay-kari-3.pdf"'
    )
    _secure(response)
