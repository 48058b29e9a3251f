"""Tickets over HTTP: the public kiosk and phone endpoints, and every window action."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.calling import tickets
from hall.calling.issuing import issuing_status
from hall.cases.opening import report_refusal, summary_text
from hall.staff.accounts import require
from hall.staff.roles import Role
from hall.store.models import TicketRow
from hall.store.unit import Unit
from web.api.whatif import with_projection
from web.auth import acting_staff
from web.body import field, json_object
from web.deps import clock, database, publisher
from web.json import json_response
from web.kiosk import limit_ticket

WINDOW = "/api/halls/{hall}/windows/{no:int}"


async def issue(request: Request) -> Response:
    data = await json_object(request)
    matter = field(data, "matter", str)
    green = field(data, "green", bool, required=False, default=False)
    on_behalf = field(data, "on_behalf", bool, required=False, default=False)
    reason = field(data, "reason", str, required=False)
    staff = await acting_staff(request) if green or on_behalf else None
    if staff is None:
        await limit_ticket(request, request.path_params["hall"])
    view = await tickets.issue_ticket(
        database(request),
        publisher(request),
        request.path_params["hall"],
        matter,
        clock(request)(),
        green=green,
        staff=staff,
        reason=reason,
    )
    return json_response(view, status_code=201)


async def issuing(request: Request) -> Response:
    found = await issuing_status(database(request), request.path_params["hall"], clock(request)())
    return json_response(found)


async def show(request: Request) -> Response:
    view = await tickets.get_ticket(database(request), request.path_params["id"], clock(request)())
    return json_response(await with_projection(request, view))


async def call_next(request: Request) -> Response:
    staff = require(await acting_staff(request), Role.CLERK)
    view = await tickets.call_next(
        database(request),
        publisher(request),
        staff,
        request.path_params["hall"],
        request.path_params["no"],
        clock(request)(),
    )
    return json_response({"ticket": view})


async def call_chosen(request: Request) -> Response:
    staff = require(await acting_staff(request), Role.CLERK)
    data = await json_object(request)
    view = await tickets.call_chosen(
        database(request),
        publisher(request),
        staff,
        request.path_params["hall"],
        request.path_params["no"],
        field(data, "ticket", str),
        field(data, "reason", str),
        clock(request)(),
    )
    return json_response({"ticket": view})


async def resume_ticket(request: Request) -> Response:
    staff = require(await acting_staff(request), Role.CLERK)
    data = await json_object(request)
    view = await tickets.resume_ticket(
        database(request),
        publisher(request),
        staff,
        request.path_params["hall"],
        request.path_params["no"],
        field(data, "ticket", str),
        clock(request)(),
    )
    return json_response({"ticket": view})


def _held(action: str, *body_fields: tuple[str, type, bool]) -> Any:
    async def endpoint(request: Request) -> Response:
        staff = require(await acting_staff(request), Role.CLERK)
        data = await json_object(request) if body_fields else {}
        options = {
            name: field(data, name, kind, required=required) for name, kind, required in body_fields
        }
        view = await tickets.act_on_held(
            database(request),
            publisher(request),
            staff,
            request.path_params["hall"],
            request.path_params["no"],
            clock(request)(),
            action,
            **options,
        )
        return json_response({"ticket": view})

    return endpoint


async def finish(request: Request) -> Response:
    """Finish the held ticket; ``rejected`` needs a reason, kept as a 否定答复 report."""
    staff = require(await acting_staff(request), Role.CLERK)
    data = await json_object(request)
    outcome = field(data, "outcome", str)
    then = None
    if outcome == "rejected":
        reason = summary_text(data.get("reason"), "reason")

        async def then(unit: Unit, row: TicketRow) -> None:
            await report_refusal(unit, row, staff, reason)

    view = await tickets.act_on_held(
        database(request),
        publisher(request),
        staff,
        request.path_params["hall"],
        request.path_params["no"],
        clock(request)(),
        "finish",
        then=then,
        outcome=outcome,
    )
    return json_response({"ticket": view})


routes = [
    Route("/api/halls/{hall}/tickets", issue, methods=["POST"]),
    Route("/api/halls/{hall}/issuing", issuing, methods=["GET"]),
    Route("/api/tickets/{id}", show, methods=["GET"]),
    Route(f"{WINDOW}/call-next", call_next, methods=["POST"]),
    Route(f"{WINDOW}/call", call_chosen, methods=["POST"]),
    Route(f"{WINDOW}/recall", _held("recall"), methods=["POST"]),
    Route(f"{WINDOW}/no-show", _held("no_show"), methods=["POST"]),
    Route(f"{WINDOW}/start", _held("start"), methods=["POST"]),
    Route(f"{WINDOW}/finish", finish, methods=["POST"]),
    Route(
        f"{WINDOW}/transfer",
        _held("transfer", ("matter", str, False), ("window", int, False), ("confirm", bool, False)),
        methods=["POST"],
    ),
    Route(f"{WINDOW}/park", _held("park", ("reason", str, False)), methods=["POST"]),
    Route(f"{WINDOW}/resume-ticket", resume_ticket, methods=["POST"]),
]
