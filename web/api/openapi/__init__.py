"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Each operation is declared once, with its path and query parameters (types, bounds,
required), its request body (required fields, lengths, limits) and the schemas of its
answers; a test walks the app's routes and fails when an ``/api`` route is missing here
or from docs/api.md, another checks real answers against it, and a fuzzer (schemathesis)
sends what it describes.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from web.api.openapi import admin, booking, calling, reports
from web.api.openapi.core import OPS, document

AREAS = (calling, booking, admin, reports)  # imported for their declarations


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(document())


routes = [Route("/api/openapi.json", openapi, methods=["GET"])]
__all__ = ["OPS", "document", "routes"]
