"""Read-only catalogue API: halls, matters, windows."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hall.catalogue import stored
from web.deps import database


async def halls(request: Request) -> JSONResponse:
    async with database(request).read() as session:
        rows = await stored.list_halls(session)
    return JSONResponse(
        [
            {
                "id": h.id,
                "name": h.name,
                "name_en": h.name_en,
                "timezone": h.timezone,
                "level": h.level,
                "address": h.address,
            }
            for h in rows
        ]
    )


async def matters(request: Request) -> JSONResponse:
    async with database(request).read() as session:
        rows = await stored.list_matters(session, request.path_params["hall"])
    return JSONResponse(
        [
            {
                "code": m.code,
                "name": m.name,
                "name_en": m.name_en,
                "class": m.matter_class,
                "zone": m.zone,
                "group": m.group_code,
                "prefix": m.prefix,
                "expected_minutes": m.expected_minutes,
                "materials": list(m.materials),
                "materials_en": list(m.materials_en),
                "bookable": m.bookable,
            }
            for m in rows
        ]
    )


async def windows(request: Request) -> JSONResponse:
    async with database(request).read() as session:
        rows = await stored.list_windows(session, request.path_params["hall"])
    return JSONResponse(
        [
            {
                "number": w.number,
                "name": w.name,
                "name_en": w.name_en,
                "kind": w.kind,
                "skills": list(w.skills),
                "status": w.status,
            }
            for w in rows
        ]
    )


routes = [
    Route("/api/halls", halls, methods=["GET"]),
    Route("/api/halls/{hall}/matters", matters, methods=["GET"]),
    Route("/api/halls/{hall}/windows", windows, methods=["GET"]),
]
