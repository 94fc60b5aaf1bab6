"""
The patient's calendar feed: consultations as iCalendar at a secret address (X2).

Calendar apps subscribe to a URL and cannot send a bearer token, so the feed's
address is its credential: ``/v1/calendar-feeds/{feedToken}.ics``, where the token is
32 random bytes made for this purpose only (never the login token, never a national
identity number). The database keeps only its SHA-256; the token is shown once, in
the answer that makes it.

- ``POST /v1/patients/{patientId}/calendar-feed`` makes the address (409 if there is
  one: rotate it instead); ``.../calendar-feed/rotate`` replaces it (the old one is
  404 at once); ``DELETE .../calendar-feed`` revokes it. Only the patient may, with
  their own login: a representative gets 403 ``patient_only``, since the address
  outlives every login and every relation.
- ``GET /v1/calendar-feeds/{feedToken}.ics`` answers ``text/calendar`` built by
  :func:`patientsky.ical.patient_feed`, with an ``ETag`` (``If-None-Match`` gives 304)
  and ``Cache-Control: private, no-cache``; an unknown, rotated or revoked token is
  404, and a patient whose consent is no longer in force gets the consent rule's 403.
  The sandbox's one log line names the route template, so a token is never logged.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from starlette.responses import Response

from patientsky.models import Action, ConsultationKind, LoggedOperation, Patient
from patientsky.rules.consent import check_consent
from patientsky.sandbox._context import Ctx, deny_unless, ok, timestamp
from patientsky.sandbox._declare import PATIENT, Operations
from patientsky.sandbox._http import ApiProblem
from patientsky.sandbox._problems import reasons_of

__all__ = ["CALENDAR", "ops"]

CALENDAR = "text/calendar"
"""The media type of an iCalendar file."""

ops = Operations("interop")
"""The operations of this module, in the order the document lists them."""

_FEED = f"{PATIENT}/calendar-feed"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
_CACHE = "private, no-cache"

_FEED_ANSWER = {
    "description": "The feed's secret address; shown only in this answer.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "A patient's calendar feed address (X2).",
                "properties": {
                    "url": {
                        "type": "string",
                        "format": "uri",
                        "description": "``.../v1/calendar-feeds/{feedToken}.ics``: the"
                        " address is the credential; keep it secret.",
                    },
                    "createdAt": {"type": "string", "format": "date-time"},
                },
                "required": ["url", "createdAt"],
            }
        }
    },
}
_FEED_HEADERS = {
    "ETag": {
        "description": "The feed's version (for ``If-None-Match``).",
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "``private, no-cache``: a private cache may keep it, and asks again.",
        "required": True,
        "schema": {"type": "string"},
    },
}
_TOKEN_PARAM = {
    "name": "feedToken",
    "in": "path",
    "required": True,
    "description": "The feed's secret token, as the address that made it gave it.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,128}$"},
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _own_patient(ctx: Ctx) -> Patient:
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    if ctx.person().session.person_id != patient.id:
        raise ApiProblem(
            403, "patient_only", "only the patient may make, rotate or revoke their calendar feed"
        )
    return patient


def _issue(ctx: Ctx, patient: Patient) -> Response:
    token = secrets.token_urlsafe(32)
    ctx.repo.tx.put_calendar_feed(_hash(token), patient.id, timestamp(ctx, ctx.now))
    host = ctx.call.headers.get("host", "")
    if _HOST.fullmatch(host) is None:
        host = "127.0.0.1"
    url = f"http://{host}/v1/calendar-feeds/{token}.ics"  # the sandbox serves plain http
    return ok({"url": url, "createdAt": timestamp(ctx, ctx.now)}, 201)


@ops.post(
    _FEED,
    "createCalendarFeed",
    "Make the patient's secret calendar feed address (X2)",
    ok={201: _FEED_ANSWER},
    errors=(409,),
    writes=True,
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.MANAGE_CALENDAR_FEED,
    problems=("conflict", (403, "patient_only")),
)
def create_calendar_feed(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/calendar-feed: one address per patient."""
    patient = _own_patient(ctx)
    if ctx.repo.tx.has_calendar_feed(patient.id):
        raise ApiProblem(409, "conflict", "the patient has a calendar feed; rotate it instead")
    return _issue(ctx, patient)


@ops.post(
    f"{_FEED}/rotate",
    "rotateCalendarFeed",
    "Replace the calendar feed's address; the old one stops working (X2)",
    ok={201: _FEED_ANSWER},
    writes=True,
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.MANAGE_CALENDAR_FEED,
    problems=("not_found", (403, "patient_only")),
)
def rotate_calendar_feed(ctx: Ctx) -> Response:
    """POST /v1/patients/{patientId}/calendar-feed/rotate: a new address, the old one gone."""
    patient = _own_patient(ctx)
    if not ctx.repo.tx.has_calendar_feed(patient.id):
        raise ApiProblem(404, "not_found", "the patient has no calendar feed")
    return _issue(ctx, patient)


@ops.delete(
    _FEED,
    "revokeCalendarFeed",
    "Revoke the calendar feed's address (X2)",
    ok={204: {"description": "Revoked (or there was none)."}},
    writes=True,
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.MANAGE_CALENDAR_FEED,
    problems=((403, "patient_only"),),
)
def revoke_calendar_feed(ctx: Ctx) -> Response:
    """DELETE /v1/patients/{patientId}/calendar-feed: the address is 404 from now on."""
    patient = _own_patient(ctx)
    ctx.repo.tx.delete_calendar_feed(patient.id)
    return Response(status_code=204)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 ``If-None-Match``: ``*``, or a list of tags compared weakly."""
    tags = [part.strip() for part in if_none_match.split(",")]
    return "*" in tags or etag in (t.removeprefix("W/") for t in tags)


@ops.get(
    "/v1/calendar-feeds/{feedToken}.ics",
    "getCalendarFeed",
    "The patient's consultations as an iCalendar feed, by its secret address (X2)",
    ok={
        200: {
            "description": "The feed: every consultation as an event, Europe/Oslo times.",
            "headers": _FEED_HEADERS,
            "content": {CALENDAR: {"schema": {"type": "string"}}},
        },
        304: {
            "description": "Not changed since the ``If-None-Match`` tag.",
            "headers": _FEED_HEADERS,
        },
    },
    errors=(403, 404),
    params=(_TOKEN_PARAM,),
    caller="anyone",
    problems=("not_found", *reasons_of("consent")),
)
def get_calendar_feed(ctx: Ctx) -> Response:
    """GET /v1/calendar-feeds/{feedToken}.ics: the address is the credential."""
    token = ctx.call.path_params.get("feedToken", "")
    found = ctx.repo.tx.get_calendar_feed(_hash(token)) if _TOKEN.fullmatch(token) else None
    patient = None if found is None else ctx.repo.patient(found[0])
    if patient is None:
        raise ApiProblem(404, "not_found", "no such calendar feed")
    deny_unless(check_consent(ctx.repo.consent(patient.id), ctx.repo.terms(), ctx.now))
    return _calendar(ctx, patient)


def _calendar(ctx: Ctx, patient: Patient) -> Response:
    """The patient's consultations as ``text/calendar``, with an ``ETag``."""
    from patientsky.ical import patient_feed  # the writer loads on first use

    consultations = ctx.repo.consultations_of(patient.id)
    ids = {c.practitioner_id for c in consultations}
    practitioners = [p for p in map(ctx.repo.practitioner, sorted(ids)) if p is not None]
    links = {
        c.id: ctx.repo.video_url(c.id)
        for c in consultations
        if c.kind is ConsultationKind.VIDEO and c.holds_time
    }
    body = patient_feed(
        consultations,
        clinics=ctx.repo.clinics(),
        practitioners=practitioners,
        video_urls=links,
        name="PatientSky",
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": _CACHE}
    if _matches(ctx.call.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, 200, media_type=f"{CALENDAR}; charset=utf-8", headers=headers)


@ops.get(
    f"{PATIENT}/calendar.ics",
    "getCalendar",
    "The patient's consultations as one iCalendar file, with the login (X2)",
    ok={
        200: {
            "description": "Every consultation as an event, Europe/Oslo times.",
            "headers": _FEED_HEADERS,
            "content": {CALENDAR: {"schema": {"type": "string"}}},
        },
        304: {
            "description": "Not changed since the ``If-None-Match`` tag.",
            "headers": _FEED_HEADERS,
        },
    },
    may=Action.VIEW_PROFILE,
    log=LoggedOperation.EXPORT_CALENDAR,
)
def get_calendar(ctx: Ctx) -> Response:
    """GET /v1/patients/{patientId}/calendar.ics: the same file as the feed, by the login."""
    patient = ctx.patient()
    ctx.require(patient, Action.VIEW_PROFILE)
    return _calendar(ctx, patient)
