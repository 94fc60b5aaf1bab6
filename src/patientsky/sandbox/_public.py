"""
Public operations: links to public services, the time, liveness, and the contract (O1).
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.sandbox._context import (
    Ctx,
    ok,
    timestamp,
)
from patientsky.sandbox._declare import (
    Operations,
    reply,
)

ops = Operations("public")
"""The operations of this module, in the order the document lists them."""


@ops.get(
    "/v1/public-services",
    "listPublicServices",
    "Links to public services on HelseNorge (O1)",
    ok={200: reply("PublicServices", "The links.")},
    caller="anyone",
)
def list_public_services(ctx: Ctx) -> Response:
    """GET /v1/public-services (O1)."""
    return ok({"data": [ctx.dump(link) for link in ctx.repo.public_services()]})


@ops.get(
    "/v1/time",
    "getServerTime",
    "The server's current time (a portal shows times relative to it, not to its own clock)",
    ok={200: reply("ServerTime", "The time.")},
    caller="anyone",
)
def server_time(ctx: Ctx) -> Response:
    """GET /v1/time: the sandbox's clock (a frozen test clock, if one is set)."""
    return ok({"now": timestamp(ctx, ctx.now)})


@ops.get(
    "/healthz",
    "health",
    "Liveness",
    ok={200: reply("Health", "Alive.")},
    caller="anyone",
)
def health(_ctx: Ctx) -> Response:
    """GET /healthz."""
    return ok({"status": "ok"})


@ops.get(
    "/openapi.json",
    "getOpenApiDocument",
    "The contract (this document)",
    ok={200: reply(None, "The document.")},
    caller="anyone",
    documented=False,
)
def openapi_document(ctx: Ctx) -> Response:
    """GET /openapi.json: the shipped contract."""
    return Response(ctx.sandbox.document, 200, media_type="application/json")
