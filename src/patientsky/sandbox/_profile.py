"""
The profile and its photo: read, change (with ``If-Match``), upload (P1–P5).
"""

from __future__ import annotations

import hashlib
from typing import Any

import attrs
from starlette.responses import Response

from patientsky.models import (
    Action,
    ContactDetails,
    LoggedOperation,
    Patient,
    PersonName,
    PhotoRef,
)
from patientsky.sandbox._context import (
    Ctx,
    field,
    file_response,
    json_body,
    new_id,
    ok,
)
from patientsky.sandbox._declare import (
    ETAG_HEADER,
    IF_MATCH,
    IMAGE,
    PATIENT,
    Operations,
    reply,
)
from patientsky.sandbox._headers import etag_matches, parse_entity_tags
from patientsky.sandbox._http import JSON_MEDIA_TYPE, ApiProblem, json_bytes
from patientsky.sandbox._names import gp_name, named_patient
from patientsky.sandbox._photos import clean_photo

ops = Operations("profile")
"""The operations of this module, in the order the document lists them."""


_JPEG = b"\xff\xd8\xff"


_PNG = b"\x89PNG\r\n\x1a\n"


def _etag(ctx: Ctx, patient: Patient) -> str:
    body = ctx.conv.dumps(patient)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@ops.get(
    f"{PATIENT}/profile",
    "getProfile",
    "The patient's profile (P2, P5)",
    ok={200: reply("Patient", "The profile.", ETAG_HEADER)},
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.VIEW_PROFILE,
)
def get_profile(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/profile."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    name = gp_name(ctx, patient)

    def make() -> tuple[bytes, str]:
        return json_bytes(ctx.dump(attrs.evolve(patient, gp_name=name))), _etag(ctx, patient)

    # The same patient (decoded once from its text) and GP name: the same body and tag.
    memo = ctx.repo.memo
    body, etag = make() if memo is None else memo.derived(patient, ("profile", name), make)
    return Response(body, 200, media_type=JSON_MEDIA_TYPE, headers={"ETag": etag})


@ops.patch(
    f"{PATIENT}/profile",
    "updateProfile",
    "Change name and contact details, as a JSON merge patch; application/json is"
    " read the same way (P2, P3, P4)",
    ok={200: reply("Patient", "The new profile.", ETAG_HEADER)},
    errors=(412, 428),
    params=(IF_MATCH,),
    body="ProfilePatch",
    merge_patch=True,
    writes=True,
    may=Action.EDIT_PROFILE,
    log=LoggedOperation.EDIT_PROFILE,
)
def update_profile(ctx: Ctx) -> Response:
    """
    PATCH /v1/patients/{patientId}/profile (If-Match required): a JSON merge patch.

    ``application/merge-patch+json`` or ``application/json``, both read as RFC 7396 says:
    ``{"contact": {"phone": "+4791234567"}}`` changes the phone and keeps the e-mail
    and the address; ``null`` removes (``"contact": null`` removes every contact detail).
    """
    patient = ctx.patient()
    ctx.require(patient, Action.EDIT_PROFILE)
    data = json_body(ctx)
    if_match = ctx.call.headers.get("if-match")
    if if_match is None:
        raise ApiProblem(
            428, "precondition_required", "If-Match is required: send the ETag you last read"
        )
    current = _etag(ctx, patient)
    matches = etag_matches(if_match, current)
    if matches is None or parse_entity_tags(if_match) == []:  # malformed, or no tag at all
        message = 'must be "*" or a list of entity tags, such as "abc"'
        raise ApiProblem(
            400, "invalid_input", f"If-Match: {message}", errors=(("If-Match", message),)
        )
    if not matches:
        raise ApiProblem(
            412,
            "precondition_failed",
            "the profile changed since you read it; read it again",
            headers={"ETag": current},
        )
    if "name" not in data and "contact" not in data:
        raise ApiProblem(
            400,
            "invalid_input",
            "the body must change name or contact",
            errors=(("", "must have name or contact"),),
        )
    if "name" in data and data["name"] is None:
        message = "cannot be removed (a patient always has a name)"
        raise ApiProblem(400, "invalid_input", f"name: {message}", errors=(("name", message),))
    # JSON merge patch (RFC 7396): what the patch names changes, null removes, nested
    # objects merge, and nothing the caller did not name is lost.
    merged = merge_patch(
        {"name": ctx.dump(patient.name), "contact": ctx.dump(patient.contact)}, data
    )
    changed = attrs.evolve(
        patient,
        name=field(ctx, merged, "name", PersonName),
        contact=field(ctx, {"contact": merged.get("contact") or {}}, "contact", ContactDetails),
    )
    ctx.repo.save_patient(changed)
    return ok(ctx.dump(named_patient(ctx, changed)), headers={"ETag": _etag(ctx, changed)})


def merge_patch(target: Any, patch: Any) -> Any:
    """
    Apply a JSON merge patch (RFC 7396) to ``target``; neither is changed.

    >>> merge_patch({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": None, "e": 4}})
    {'a': 1, 'b': {'d': 3, 'e': 4}}
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@ops.get(
    f"{PATIENT}/photo",
    "getPhoto",
    "The profile photo (P1)",
    ok={
        200: reply(
            None,
            "The image.",
            {"ETag": {**ETAG_HEADER["ETag"], "description": "The photo's version."}},
            media=("image/jpeg", "image/png"),
        )
    },
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.VIEW_PHOTO,
)
def get_photo(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/photo."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    ref = patient.photo
    stored = None if ref is None else ctx.repo.tx.get_photo(ref.id)
    if ref is None or stored is None:
        raise ApiProblem(404, "not_found", "no photo uploaded")
    media_type, data = stored
    # A new upload is a new photo id, so the id is the photo's version.
    return file_response(ctx, data, media_type, {"ETag": f'"{ref.id}"'})


@ops.put(
    f"{PATIENT}/photo",
    "putPhoto",
    "Upload a new profile photo, JPEG or PNG, at most 5 MiB (P1)",
    ok={200: reply("PhotoRef", "The stored photo.")},
    body=IMAGE,
    writes=True,
    may=Action.EDIT_PROFILE,
    limit="photo",
    log=LoggedOperation.CHANGE_PHOTO,
)
def put_photo(ctx: Ctx) -> Response:
    """
    PUT /v1/patients/{patientId}/photo: a whole JPEG or PNG, kept without its metadata.

    Sent as ``image/jpeg`` or ``image/png`` (which must be what it is), or as
    ``application/octet-stream`` (its first bytes say which).
    """
    patient = ctx.patient()
    ctx.require(patient, Action.EDIT_PROFILE)
    declared = ctx.call.media_type
    if declared not in ("image/jpeg", "image/png", "application/octet-stream"):
        raise ApiProblem(
            415,
            "unsupported_media_type",
            "the photo must be image/jpeg, image/png or application/octet-stream",
        )
    body = ctx.call.body
    if not body:
        raise ApiProblem(400, "invalid_input", "the photo is empty", errors=(("", "is empty"),))
    actual = (
        "image/jpeg" if body.startswith(_JPEG) else "image/png" if body.startswith(_PNG) else None
    )
    if declared == "application/octet-stream":
        if actual is None:
            raise ApiProblem(415, "unsupported_media_type", "the content is not a JPEG or PNG")
        declared = actual
    if actual != declared:
        raise ApiProblem(
            415,
            "unsupported_media_type",
            f"the content is not a {declared.split('/')[1].upper()} image",
        )
    body = clean_photo(body, declared)
    photo = PhotoRef(new_id("photo"), declared, len(body))
    ctx.repo.tx.put_photo(photo.id, patient.id, declared, body)
    ctx.repo.tx.delete_photos(patient.id, keep=photo.id)
    ctx.repo.save_patient(attrs.evolve(patient, photo=photo))
    return ok(ctx.dump(photo))
