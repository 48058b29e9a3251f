"""The landing page (the halls on this server) and the health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hall.catalogue import reads
from web.deps import database
from web.templating import render


async def index(request: Request) -> Response:
    cards = await reads.hall_cards(database(request))
    return render(request, "index.html", {"cards": cards})


async def healthz(request: Request) -> Response:
    await reads.check(database(request))
    return PlainTextResponse("ok")


routes = [
    Route("/", index, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
]
