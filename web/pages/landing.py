"""Server-rendered pages (the landing page; later issues add kiosk, console, screens)."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hall.catalogue import stored
from hall.store.models import MatterRow, WindowRow
from web.deps import database
from web.templating import render


async def index(request: Request) -> Response:
    async with database(request).read() as session:
        halls = await stored.list_halls(session)
        matter_counts = dict(
            (
                await session.execute(
                    select(MatterRow.hall_id, func.count())
                    .where(MatterRow.active)
                    .group_by(MatterRow.hall_id)
                )
            ).all()
        )
        window_counts = dict(
            (
                await session.execute(
                    select(WindowRow.hall_id, func.count())
                    .where(WindowRow.active)
                    .group_by(WindowRow.hall_id)
                )
            ).all()
        )
    cards = [
        {
            "hall": h,
            "matters": matter_counts.get(h.id, 0),
            "windows": window_counts.get(h.id, 0),
        }
        for h in halls
    ]
    return render(request, "index.html", {"cards": cards})


async def healthz(request: Request) -> Response:
    async with database(request).read() as session:
        await stored.is_empty(session)
    return PlainTextResponse("ok")


routes = [
    Route("/", index, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
]
