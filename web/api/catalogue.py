"""Read-only catalogue API: halls, matters, windows."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.catalogue import reads
from web.deps import database
from web.json import json_response


async def halls(request: Request) -> Response:
    return json_response(await reads.halls(database(request)))


async def matters(request: Request) -> Response:
    return json_response(await reads.matters(database(request), request.path_params["hall"]))


async def windows(request: Request) -> Response:
    return json_response(await reads.windows(database(request), request.path_params["hall"]))


routes = [
    Route("/api/halls", halls, methods=["GET"]),
    Route("/api/halls/{hall}/matters", matters, methods=["GET"]),
    Route("/api/halls/{hall}/windows", windows, methods=["GET"]),
]
