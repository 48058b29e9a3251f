"""Registered kiosks over HTTP: the admin's list, create and revoke, and a kiosk's set-up.

An admin creates a kiosk and gets its device token once. The kiosk either sends the
token in the ``X-Kiosk-Token`` header, or the admin opens the kiosk page on the device
with ``#kiosk-token=...`` (a fragment never reaches the server's logs) and the page
hands it to ``POST /api/halls/{hall}/kiosk-device``, which keeps it in an HttpOnly
cookie for the kiosk page's own requests.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.admin import kiosks
from hall.errors import Unauthorized
from hall.staff.accounts import require
from hall.staff.roles import Role
from web.auth import acting_staff, current_staff, secure_cookies
from web.body import field, json_object
from web.deps import clock, database
from web.json import json_response
from web.kiosk import KIOSK_COOKIE, client_address

KIOSKS = "/api/admin/halls/{hall}/kiosks"
COOKIE_SECONDS = 400 * 86400  # the longest a browser keeps a cookie


async def kiosk_list(request: Request) -> Response:
    found = await kiosks.list_kiosks(
        database(request), await current_staff(request), request.path_params["hall"]
    )
    return json_response({"kiosks": found})


async def kiosk_create(request: Request) -> Response:
    staff = require(await acting_staff(request), Role.ADMIN)
    data = await json_object(request)
    created = await kiosks.create_kiosk(
        database(request),
        staff,
        request.path_params["hall"],
        field(data, "name", str),
        clock(request)(),
    )
    return json_response({"kiosk": created.kiosk, "token": created.token}, status_code=201)


async def kiosk_revoke(request: Request) -> Response:
    staff = await acting_staff(request)
    view = await kiosks.revoke_kiosk(
        database(request),
        staff,
        request.path_params["hall"],
        request.path_params["kiosk"],
        clock(request)(),
    )
    return json_response({"kiosk": view})


async def device_set_up(request: Request) -> Response:
    """Keep a kiosk's token in a cookie on this device; 401 for an unknown or revoked one."""
    data = await json_object(request)
    token = field(data, "token", str)
    hall = request.path_params["hall"]
    kiosk = await kiosks.kiosk_for_token(database(request), hall, token)
    if kiosk is None:
        # A wrong guess costs the guesser its address's ticket allowance (429 when used up).
        limiter = request.app.state.ticket_limiter
        limiter.hit(client_address(request), clock(request)().timestamp())
        raise Unauthorized(
            "This kiosk token is unknown or revoked for this hall; ask an administrator for "
            "a new one.",
            "该取号机令牌无效或已被撤销，请联系系统管理员重新登记。",
        )
    response = json_response({"kiosk": kiosk, "hall": hall})
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response


routes = [
    Route(KIOSKS, kiosk_list, methods=["GET"]),
    Route(KIOSKS, kiosk_create, methods=["POST"]),
    Route(KIOSKS + "/{kiosk:int}", kiosk_revoke, methods=["DELETE"]),
    Route("/api/halls/{hall}/kiosk-device", device_set_up, methods=["POST"]),
]
