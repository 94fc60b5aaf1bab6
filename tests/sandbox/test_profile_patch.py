"""A profile patch is a JSON merge patch: no field the caller did not name is lost."""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.client import PortalClient
from patientsky.models import Address, ContactDetails
from patientsky.sandbox._profile import merge_patch
from tests.sandbox.conftest import Api

_CONTACT = {
    "email": "kari@example.no",
    "phone": "+4791234567",
    "address": {"street": "Borggata 1A", "postalCode": "0650", "city": "Oslo", "country": "NO"},
}


def _patch(api: Api, body: Any, media_type: str = "application/json") -> httpx.Response:
    headers = api.auth("p-kari")
    etag = api.client.get("/v1/patients/me/profile", headers=headers).headers["etag"]
    return api.client.patch(
        "/v1/patients/me/profile",
        headers={**headers, "If-Match": etag, "Content-Type": media_type},
        json=body,
    )


@pytest.fixture
def contact(api: Api) -> dict[str, Any]:
    done = _patch(api, {"contact": _CONTACT})
    assert done.status_code == 200, done.text
    return dict(done.json()["contact"])


@pytest.mark.parametrize("media_type", ["application/json", "application/merge-patch+json"])
def test_a_patch_of_the_phone_keeps_the_email_and_the_address(
    api: Api, contact: dict[str, Any], media_type: str
) -> None:
    done = _patch(api, {"contact": {"phone": "+4798765432"}}, media_type)
    assert done.status_code == 200, done.text
    assert done.json()["contact"] == {**contact, "phone": "+4798765432"}


def test_a_patch_of_the_city_merges_into_the_address(api: Api, contact: dict[str, Any]) -> None:
    done = _patch(api, {"contact": {"address": {"city": "Bergen"}}})
    assert done.json()["contact"]["address"] == {**contact["address"], "city": "Bergen"}


def test_null_removes_a_field_and_only_that_field(api: Api, contact: dict[str, Any]) -> None:
    done = _patch(api, {"contact": {"email": None}})
    assert done.status_code == 200, done.text
    assert done.json()["contact"] == {**contact, "email": None}
    name = _patch(api, {"name": {"family": "Olsen"}}).json()["name"]
    assert name["family"] == "Olsen"
    assert name["given"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": {"given": None}}, "name.given"),
        ({"contact": 3}, "contact"),
    ],
)
def test_a_patch_that_would_break_the_profile_is_a_400_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    refused = _patch(api, body)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == field


_JSON = st.recursive(
    st.none() | st.integers(-3, 3) | st.text(max_size=3),
    lambda inner: st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=8,
)


@given(target=_JSON, patch=_JSON)
def test_a_merge_patch_applied_twice_changes_nothing_more(target: Any, patch: Any) -> None:
    once = merge_patch(target, patch)
    assert merge_patch(once, patch) == once


@given(target=st.dictionaries(st.sampled_from("abc"), _JSON, max_size=3))
def test_an_empty_merge_patch_keeps_everything(target: dict[str, Any]) -> None:
    assert merge_patch(target, {}) == target


def test_the_client_sends_the_sandbox_only_what_changed(api: Api) -> None:
    token = api.client.post("/v1/sandbox/login", json={"person": "kari", "method": "bankid"})
    base = str(api.client.base_url)
    with PortalClient(base, token=token.json()["accessToken"]) as client:
        read = client.profile.get()
        contact = ContactDetails(
            email="kari@example.no",
            phone="+4791234567",
            address=Address(street="Borggata 1A", postal_code="0650", city="Oslo", country="NO"),
        )
        full = client.profile.update(if_match=read, contact=contact)
        fresh = client.profile.update(
            if_match=full, contact=attrs.evolve(contact, phone="+4798765432")
        )
        assert fresh.value.contact == attrs.evolve(contact, phone="+4798765432")
        assert fresh.value.name == read.value.name
