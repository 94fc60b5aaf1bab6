"""
The sandbox's own operations: its clock, which tests set, freeze and advance.
"""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response

from patientsky.sandbox._context import (
    Ctx,
    field,
    json_body,
    ok,
    timestamp,
)
from patientsky.sandbox._declare import (
    Operations,
    reply,
)
from patientsky.sandbox._http import ApiProblem

ops = Operations("sandbox")
"""The operations of this module, in the order the document lists them."""


def _clock(ctx: Ctx, now: dt.datetime) -> Response:
    return ok({"now": timestamp(ctx, now), "frozen": ctx.sandbox.clock.is_frozen})


@ops.get(
    "/v1/sandbox/clock",
    "getClock",
    "The sandbox's current time",
    ok={200: reply("Clock", "The time.")},
    caller="anyone",
)
def get_clock(ctx: Ctx) -> Response:
    """GET /v1/sandbox/clock."""
    return _clock(ctx, ctx.sandbox.clock.now())


@ops.put(
    "/v1/sandbox/clock",
    "setClock",
    "Freeze the sandbox clock at a time (a test clock)",
    ok={200: reply("Clock", "The new time.")},
    body="ClockSet",
    caller="admin",
)
def set_clock(ctx: Ctx) -> Response:
    """PUT /v1/sandbox/clock."""
    now = field(ctx, json_body(ctx), "now", dt.datetime)
    return _clock(ctx, ctx.sandbox.clock.set(now))


@ops.delete(
    "/v1/sandbox/clock",
    "resetClock",
    "Return the sandbox clock to real time",
    ok={200: reply("Clock", "The time.")},
    caller="admin",
)
def reset_clock(ctx: Ctx) -> Response:
    """DELETE /v1/sandbox/clock."""
    ctx.sandbox.clock.reset()
    return _clock(ctx, ctx.sandbox.clock.now())


@ops.post(
    "/v1/sandbox/clock/advance",
    "advanceClock",
    "Move the sandbox clock forward",
    ok={200: reply("Clock", "The new time.")},
    body="ClockAdvance",
    caller="admin",
)
def advance_clock(ctx: Ctx) -> Response:
    """POST /v1/sandbox/clock/advance."""
    seconds = field(ctx, json_body(ctx), "seconds", int)
    if not 0 <= seconds <= 10 * 366 * 86400:
        raise ApiProblem(
            400,
            "invalid_input",
            "seconds: must be from 0 to ten years",
            errors=(("seconds", "must be from 0 to ten years"),),
        )
    return _clock(ctx, ctx.sandbox.clock.advance(dt.timedelta(seconds=seconds)))
