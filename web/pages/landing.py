"""The landing page (the halls on this server) and the health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
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


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page says; the icon is an SVG."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


routes = [
    Route("/", index, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/favicon.ico", favicon, methods=["GET"]),
]
