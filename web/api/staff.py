"""Staff sign-in and window sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.calling import windows
from hall.calling.windows import WindowView
from hall.staff.accounts import StaffMember, authenticate, require, sign_out
from hall.staff.roles import Role
from web.auth import (
    acting_staff,
    clear_session_cookie,
    csrf_for,
    csrf_token,
    current_staff,
    set_session_cookie,
)
from web.body import field, json_object
from web.deps import clock, database, publisher
from web.json import json_response


def _who(staff: StaffMember, token: str | None) -> dict[str, Any]:
    return {
        "username": staff.username,
        "job_number": staff.job_number,
        "role": staff.role.value,
        "halls": list(staff.halls),
        "csrf_token": token,
    }


async def session_create(request: Request) -> Response:
    data = await json_object(request)
    username = field(data, "username", str)
    password = field(data, "password", str)
    address = request.client.host if request.client else ""
    signed = await authenticate(database(request), username, password, clock(request)(), address)
    response = json_response(_who(signed.staff, csrf_for(request, signed.token)))
    set_session_cookie(request, response, signed.token)
    return response


async def session_show(request: Request) -> Response:
    staff = require(await current_staff(request), Role.CLERK)
    return json_response(_who(staff, csrf_token(request)))


async def session_delete(request: Request) -> Response:
    staff = await acting_staff(request)
    if staff is not None:
        await sign_out(database(request), staff, clock(request)())
    response = Response(status_code=204)
    clear_session_cookie(request, response)
    return response


WindowAction = Callable[..., Awaitable[WindowView]]


def _window_route(action: WindowAction, takes_reason: bool = False) -> Any:
    async def endpoint(request: Request) -> Response:
        staff = require(await acting_staff(request), Role.CLERK)
        hall_id = request.path_params["hall"]
        number = request.path_params["no"]
        extra: dict[str, Any] = {}
        if takes_reason:
            extra["reason"] = field(
                await json_object(request), "reason", str, required=False, default=""
            )
        view = await action(
            database(request), publisher(request), staff, hall_id, number, clock(request)(), **extra
        )
        return json_response({"window": view})

    return endpoint


WINDOW = "/api/halls/{hall}/windows/{no:int}"

routes = [
    Route("/api/session", session_create, methods=["POST"]),
    Route("/api/session", session_show, methods=["GET"]),
    Route("/api/session", session_delete, methods=["DELETE"]),
    Route(f"{WINDOW}/sign-in", _window_route(windows.sign_in), methods=["POST"]),
    Route(f"{WINDOW}/pause", _window_route(windows.pause, takes_reason=True), methods=["POST"]),
    Route(f"{WINDOW}/resume", _window_route(windows.resume), methods=["POST"]),
    Route(f"{WINDOW}/sign-out", _window_route(windows.sign_out), methods=["POST"]),
]
