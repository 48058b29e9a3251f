"""好差评 over HTTP: rate a ticket (the ticket id is the capability), its rating state, the
window's evaluator, and, for staff, the ratings, the figures and the frequent problems.

| path | who |
| --- | --- |
| ``POST /api/tickets/{id}/rating`` | the citizen (never a signed-in staff member) |
| ``GET /api/tickets/{id}/rating`` | the citizen's page |
| ``GET /api/halls/{hall}/windows/{no}/evaluator?key=`` | the window's paired evaluator |
| ``GET /api/halls/{hall}/ratings`` | staff of the hall (a clerk: their own, after a delay) |
| ``GET /api/halls/{hall}/rating-figures`` | supervisors and admins |
| ``GET /api/halls/{hall}/reports/bad-rating-problems`` | supervisors and admins |
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hall.cases.access import require_hall_staff
from hall.catalogue import reads
from hall.errors import InvalidInput
from hall.ratings import figures, listing, problems, service, state
from hall.ratings.errors import StaffCannotRate
from hall.ratings.scale import Channel
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from web.api import params
from web.auth import current_staff
from web.body import json_object
from web.deps import clock, database, publisher
from web.desk_keys import require_evaluator_key

CITIZEN_CHANNELS = (Channel.EVALUATOR, Channel.PHONE, Channel.API)


async def hall_timezone(request: Request, hall_id: str) -> str:
    """The hall's time zone; raises NotFound for an unknown hall."""
    return (await reads.hall(database(request), hall_id)).timezone


async def supervisor(request: Request, hall_id: str) -> StaffMember:
    return require(await current_staff(request), Role.SUPERVISOR, hall_id)


async def rate(request: Request) -> Response:
    if await current_staff(request) is not None:
        raise StaffCannotRate()
    body = await json_object(request)
    raw = body.get("channel", Channel.API.value)
    if raw not in [c.value for c in CITIZEN_CHANNELS]:
        raise InvalidInput(
            "The field 'channel' must be evaluator, phone or api.",
            "字段 'channel' 必须是 evaluator、phone 或 api。",
            fields={"channel": "evaluator, phone or api"},
        )
    result = await service.rate_ticket(
        database(request),
        publisher(request),
        request.path_params["id"],
        body,
        clock(request)(),
        Channel(raw),
    )
    return JSONResponse(result.to_json(), status_code=201)


async def rating_state(request: Request) -> Response:
    found = await state.ticket_rating(
        database(request), request.path_params["id"], clock(request)()
    )
    return JSONResponse(found.to_json())


async def evaluator(request: Request) -> Response:
    hall_id, number = request.path_params["hall"], request.path_params["no"]
    require_evaluator_key(request, hall_id, number)
    found = await state.evaluator_state(database(request), hall_id, number, clock(request)())
    return JSONResponse(found.to_json())


async def ratings(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = require_hall_staff(await current_staff(request), hall_id)
    now = clock(request)()
    period = params.period(request, now, await hall_timezone(request, hall_id))
    found = await listing.list_ratings(
        database(request),
        staff,
        hall_id,
        period,
        now,
        window=params.whole(request, "window"),
        job=params.text(request, "staff"),
        matter=params.text(request, "matter"),
        limit=params.whole(request, "limit") or listing.LIMIT,
    )
    return JSONResponse({"ratings": [r.to_json() for r in found]})


async def rating_figures(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    await supervisor(request, hall_id)
    period = params.period(request, clock(request)(), await hall_timezone(request, hall_id))
    filters = {
        "window": params.whole(request, "window"),
        "staff": params.text(request, "staff"),
        "matter": params.text(request, "matter"),
    }
    db = database(request)
    total = await figures.rating_figures(db, hall_id, period, **filters)  # type: ignore[arg-type]
    answer = {
        "hall": hall_id,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "figures": total.to_json(),
    }
    by = params.text(request, "by")
    if by is not None:
        try:
            grouping = figures.By(by)
        except ValueError:
            raise InvalidInput(
                "The query parameter 'by' must be window, staff, matter or day.",
                "查询参数 'by' 必须是 window、staff、matter 或 day。",
                fields={"by": "window, staff, matter or day"},
            ) from None
        groups = await figures.rating_breakdown(db, hall_id, period, grouping, **filters)  # type: ignore[arg-type]
        answer["groups"] = [{"key": g.key, **g.figures.to_json()} for g in groups]
    return JSONResponse(answer)


async def bad_rating_problems(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    await supervisor(request, hall_id)
    period = params.period(request, clock(request)(), await hall_timezone(request, hall_id))
    found = await problems.frequent_problems(database(request), hall_id, period)
    return JSONResponse(found.to_json())


routes = [
    Route("/api/tickets/{id}/rating", rate, methods=["POST"]),
    Route("/api/tickets/{id}/rating", rating_state, methods=["GET"]),
    Route("/api/halls/{hall}/windows/{no:int}/evaluator", evaluator, methods=["GET"]),
    Route("/api/halls/{hall}/ratings", ratings, methods=["GET"]),
    Route("/api/halls/{hall}/rating-figures", rating_figures, methods=["GET"]),
    Route("/api/halls/{hall}/reports/bad-rating-problems", bad_rating_problems, methods=["GET"]),
]
