"""Read-only JSON views for the kiosk, the staff console and the supervisor overview.

| path | who |
| --- | --- |
| ``GET /api/halls/{hall}/groups`` | anyone (kiosk) |
| ``GET /api/me/window`` | signed-in staff |
| ``GET /api/halls/{hall}/me/today`` | signed-in staff of the hall |
| ``GET /api/halls/{hall}/windows/{no}/queue`` | signed-in staff of the hall |
| ``GET /api/tickets/{id}/events`` | signed-in staff of the ticket's hall |
| ``GET /api/halls/{hall}/overview`` | supervisors and admins of the hall |
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.calling import views
from hall.staff.accounts import require
from hall.staff.roles import Role
from web.auth import current_staff
from web.deps import clock, database
from web.json import json_response


async def groups(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    return json_response(await views.hall_groups(database(request), hall_id, clock(request)()))


async def my_window(request: Request) -> Response:
    staff = require(await current_staff(request), Role.CLERK)
    return json_response({"window": await views.staff_window(database(request), staff.id)})


async def my_day(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = require(await current_staff(request), Role.CLERK, hall_id)
    counts = await views.own_counts(database(request), hall_id, staff.username, clock(request)())
    return json_response({"staff": staff.job_number, "hall": hall_id, **counts})


async def window_queue(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    require(await current_staff(request), Role.CLERK, hall_id)
    view = await views.window_desk(
        database(request), hall_id, request.path_params["no"], clock(request)()
    )
    return json_response(view)


async def ticket_events(request: Request) -> Response:
    staff = require(await current_staff(request), Role.CLERK)
    hall_id, history = await views.ticket_history(database(request), request.path_params["id"])
    require(staff, Role.CLERK, hall_id)
    return json_response({"ticket": request.path_params["id"], "events": history})


async def overview(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    require(await current_staff(request), Role.SUPERVISOR, hall_id)
    return json_response(await views.hall_overview(database(request), hall_id, clock(request)()))


routes = [
    Route("/api/halls/{hall}/groups", groups, methods=["GET"]),
    Route("/api/me/window", my_window, methods=["GET"]),
    Route("/api/halls/{hall}/me/today", my_day, methods=["GET"]),
    Route("/api/halls/{hall}/windows/{no:int}/queue", window_queue, methods=["GET"]),
    Route("/api/tickets/{id}/events", ticket_events, methods=["GET"]),
    Route("/api/halls/{hall}/overview", overview, methods=["GET"]),
]
