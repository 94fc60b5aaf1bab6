"""
Public operations: links to public services, liveness, and the contract itself (O1).
"""

from __future__ import annotations

from starlette.responses import Response

from patientsky.sandbox._context import (
    Ctx,
    ok,
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
