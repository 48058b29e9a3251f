"""Cases (工单) over HTTP: the desk's list and steps, opening cases, and 帮办 requests.

| path | who |
| --- | --- |
| ``GET /api/halls/{hall}/cases`` | staff of the hall (a clerk: the cases they may see) |
| ``POST /api/halls/{hall}/cases`` | clerks (办不成事), supervisors (also complaints) |
| ``GET /api/cases/{id}`` | who may see the case |
| ``POST /api/cases/{id}/steps`` | who may take the step |
| ``POST /api/tickets/{id}/help`` | the citizen (ticket id), or a clerk at the window |
| ``GET /api/tickets/{id}/help`` | the citizen's page |
| ``GET /api/halls/{hall}/help-requests`` | the hall's helpers |
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hall.cases import assist, engine, listing, opening
from hall.cases.assist import public_help
from hall.errors import InvalidInput
from hall.staff.accounts import require
from hall.staff.roles import Role
from web.api import params
from web.auth import acting_staff, current_staff
from web.body import field, json_object
from web.deps import clock, database, publisher
from web.paths import PATH_INT_MAX, path_number


def case_filter(request: Request) -> listing.CaseFilter:
    """The desk's filters from the query string (shared with the CSV export)."""
    return listing.CaseFilter(
        kind=params.text(request, "kind"),
        status=params.text(request, "status"),
        overdue=params.flag(request, "overdue"),
        window=params.whole(request, "window"),
        staff=params.text(request, "staff"),
        matter=params.text(request, "matter"),
        first_day=params.day(request, "from"),
        last_day=params.day(request, "to"),
        limit=params.whole(request, "limit") or 200,
    )


async def list_cases(request: Request) -> Response:
    found = await listing.list_cases(
        database(request),
        await current_staff(request),
        request.path_params["hall"],
        case_filter(request),
        clock(request)(),
    )
    return JSONResponse({"cases": [c.to_json() for c in found]})


async def open_case(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = require(await acting_staff(request), Role.CLERK, hall_id)
    data = await json_object(request)
    view = await opening.open_desk_case(
        database(request),
        publisher(request),
        staff,
        hall_id,
        field(data, "kind", str),
        data.get("summary"),
        clock(request)(),
        ticket_id=field(data, "ticket", str, required=False),
        matter=field(data, "matter", str, required=False),
    )
    return JSONResponse({"case": view.to_json()}, status_code=201)


def _case_id(request: Request) -> int:
    number = path_number(request.path_params["id"])
    if number is None:
        raise InvalidInput(
            f"A case id is a whole number from 0 to {PATH_INT_MAX}.",
            f"工单编号必须是 0 至 {PATH_INT_MAX} 的整数。",
            fields={"id": "a number"},
        )
    return number


async def show_case(request: Request) -> Response:
    staff = require(await current_staff(request), Role.CLERK)
    view = await engine.get_case(database(request), staff, _case_id(request), clock(request)())
    return JSONResponse({"case": view.to_json()})


async def take_step(request: Request) -> Response:
    staff = require(await acting_staff(request), Role.CLERK)
    data = await json_object(request)
    view = await engine.take_step(
        database(request), publisher(request), staff, _case_id(request), data, clock(request)()
    )
    return JSONResponse(view.to_json())


async def ask_for_help(request: Request) -> Response:
    staff = await acting_staff(request)  # a clerk asking at the window (CSRF checked)
    data = await json_object(request)
    note = field(data, "note", str, required=False, default="")
    asked = await assist.request_help(
        database(request),
        publisher(request),
        request.path_params["id"],
        clock(request)(),
        staff=staff,
        note=note,
    )
    case = asked.case.to_json() if staff is not None else asked.public_json()
    return JSONResponse({"case": case}, status_code=201 if asked.created else 200)


async def ticket_help(request: Request) -> Response:
    found = await assist.ticket_help(database(request), request.path_params["id"], clock(request)())
    return JSONResponse({"case": None if found is None else public_help(found)})


async def help_requests(request: Request) -> Response:
    found = await assist.help_desk(
        database(request),
        await current_staff(request),
        request.path_params["hall"],
        clock(request)(),
    )
    return JSONResponse({"cases": [c.to_json() for c in found]})


routes = [
    Route("/api/halls/{hall}/cases", list_cases, methods=["GET"]),
    Route("/api/halls/{hall}/cases", open_case, methods=["POST"]),
    Route("/api/cases/{id}", show_case, methods=["GET"]),
    Route("/api/cases/{id}/steps", take_step, methods=["POST"]),
    Route("/api/tickets/{id}/help", ask_for_help, methods=["POST"]),
    Route("/api/tickets/{id}/help", ticket_help, methods=["GET"]),
    Route("/api/halls/{hall}/help-requests", help_requests, methods=["GET"]),
]
