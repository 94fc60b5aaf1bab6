"""
Clinics, for anyone: search, one clinic, and its publicly bookable free time (H1, H2, K2).
"""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response

from patientsky.models.calendar import Schedule
from patientsky.rules import (
    freetime,
)
from patientsky.sandbox._context import (
    Ctx,
    clinic_of_path,
    ok,
    page,
    timestamp,
)
from patientsky.sandbox._declare import (
    PAGING,
    Operations,
    path_id,
    query,
    reply,
)
from patientsky.sandbox._http import JSON_MEDIA_TYPE, ApiProblem, json_bytes

ops = Operations("clinics")
"""The operations of this module, in the order the document lists them."""


_MAX_PERIOD = dt.timedelta(days=31)


@ops.get(
    "/v1/clinics",
    "searchClinics",
    "Search clinics by name or city (H2)",
    ok={200: reply("ClinicPage", "A page of clinics.")},
    params=(
        query("query", {"type": "string", "maxLength": 100}),
        query("city", {"type": "string", "maxLength": 100}),
        *PAGING,
    ),
    caller="anyone",
)
def search_clinics(ctx: Ctx) -> Response:
    """GET /v1/clinics?query=&city= (H2): a case-insensitive match on name and city."""
    query = (ctx.params["query"] or "").strip().casefold()
    city = (ctx.params["city"] or "").strip().casefold()
    found = [
        c
        for c in ctx.repo.clinics()
        if query in c.name.casefold() and (not city or city == (c.city or "").casefold())
    ]
    return ok(page(ctx, found))


@ops.get(
    "/v1/clinics/{clinicId}",
    "getClinic",
    "A clinic and what it offers (H1)",
    ok={200: reply("Clinic", "The clinic.")},
    errors=(404,),
    params=(path_id("clinicId", "clinic"),),
    caller="anyone",
    problems=("not_found",),
)
def get_clinic(ctx: Ctx) -> Response:
    """GET /v1/clinics/{clinicId}."""
    return ok(ctx.dump(clinic_of_path(ctx)))


@ops.get(
    "/v1/clinics/{clinicId}/free-time",
    "getFreeTime",
    "Publicly bookable free time in a clinic's calendars, with its bookable starts (K2)",
    ok={200: reply("FreeTime", "Free time, earliest first.")},
    errors=(404,),
    params=(
        path_id("clinicId", "clinic"),
        query("from", {"type": "string", "format": "date-time"}, required=True),
        query(
            "to",
            {"type": "string", "format": "date-time"},
            required=True,
            description="At most 31 days after ``from``.",
        ),
        query("durationMinutes", {"type": "integer", "minimum": 5, "maximum": 240, "default": 15}),
        query("calendarId", {"type": "string", "maxLength": 200}),
        query("timeSlotTypeId", {"type": "string", "maxLength": 200}),
    ),
    caller="anyone",
    problems=("not_found",),
)
def get_free_time(ctx: Ctx) -> Response:
    """GET /v1/clinics/{clinicId}/free-time: publicly bookable free time, per calendar."""
    clinic = clinic_of_path(ctx)
    start, end = ctx.params["from"], ctx.params["to"]
    if end <= start or end - start > _MAX_PERIOD:
        message = "must be after from, and at most 31 days after it"
        raise ApiProblem(400, "invalid_input", f"to: {message}", errors=(("to", message),))
    duration = ctx.params["durationMinutes"]
    type_id = ctx.params["timeSlotTypeId"]
    schedule, version = ctx.repo.schedule_and_version(clinic.id)
    wanted = ctx.params["calendarId"]
    if wanted is not None and schedule.calendar(wanted) is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "calendarId: is not a calendar of the clinic",
            errors=(("calendarId", "is not a calendar of the clinic"),),
        )
    if type_id is not None and schedule.time_slot_type(type_id) is None:
        raise ApiProblem(
            400,
            "invalid_input",
            "timeSlotTypeId: is not a time slot type of the clinic",
            errors=(("timeSlotTypeId", "is not a time slot type of the clinic"),),
        )
    # The answer depends on the schedule (by its version) and the question only: the
    # same question on the same rows is answered with the same bytes. The times are
    # keyed as written, offset and all: finer than the answer needs, never coarser.
    question = ("free-time", start.isoformat(), end.isoformat(), duration, wanted, type_id)
    body = ctx.repo.from_schedule(
        question, version, lambda: _free_time(ctx, schedule, start, end, duration, wanted, type_id)
    )
    return Response(body, status_code=200, media_type=JSON_MEDIA_TYPE)


def _free_time(
    ctx: Ctx,
    schedule: Schedule,
    start: dt.datetime,
    end: dt.datetime,
    duration: int,
    wanted: str | None,
    type_id: str | None,
) -> bytes:
    """The body of a free-time answer."""
    rows: list[tuple[dt.datetime, dt.datetime, str, list[dt.datetime]]] = []
    for calendar_id in [wanted] if wanted is not None else list(schedule.calendar_ids):
        ids = [calendar_id]
        free = freetime.free_time(
            schedule,
            duration,
            (start, end),
            calendar_ids=ids,
            time_slot_type_id=type_id,
            public_only=True,
        )
        # The bookable starts: on the slots' grid, the booking ending inside the stretch.
        starts = iter(
            freetime.free_start_times(
                schedule,
                duration,
                (start, end),
                calendar_ids=ids,
                time_slot_type_id=type_id,
                public_only=True,
            )
        )
        pending = next(starts, None)
        for interval in free:
            inside: list[dt.datetime] = []
            while pending is not None and pending < interval.end:
                if pending >= interval.start:
                    inside.append(pending)
                pending = next(starts, None)
            rows.append((interval.start, interval.end, calendar_id, inside))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    return json_bytes(
        {
            "data": [
                {
                    "start": timestamp(ctx, s),
                    "end": timestamp(ctx, e),
                    "calendarIds": [c],
                    "timeSlotTypeId": type_id,
                    "startTimes": [timestamp(ctx, t) for t in times],
                }
                for s, e, c, times in rows
            ]
        }
    )
