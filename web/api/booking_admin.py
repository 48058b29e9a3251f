"""Supervisors' booking tools over HTTP: slot overrides and people's booking credit.

Who may act (supervisor of the hall, CSRF on writes) is settled before the body is read.
ID numbers travel only in request bodies, never in a URL, so no access log holds one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.booking import credit_desk, overrides
from hall.booking.overrides import SlotRef
from hall.errors import InvalidInput
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from web.api.booking import instant
from web.api.params import day_near_today
from web.auth import acting_staff
from web.body import field, json_object
from web.deps import clock, database, settings
from web.json import json_response

OVERRIDES = "/api/halls/{hall}/slot-overrides"
CREDIT = "/api/halls/{hall}/booking-credit"


async def _supervisor(request: Request) -> StaffMember:
    return require(await acting_staff(request), Role.SUPERVISOR, request.path_params["hall"])


def _only(data: dict[str, Any], *allowed: str) -> None:
    unknown = {k: "unknown field" for k in data if k not in allowed}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise InvalidInput(
            f"Unknown field(s): {names}; allowed: {', '.join(allowed)}.",
            f"未知字段：{names}；可用字段：{', '.join(allowed)}。",
            fields=unknown,
        )


def _ref(data: dict[str, Any], now: datetime) -> SlotRef:
    return SlotRef(
        start=instant(field(data, "start", str), "start", now),
        group=field(data, "group", str, required=False),
        matter=field(data, "matter", str, required=False),
    )


async def override_set(request: Request) -> Response:
    staff = await _supervisor(request)
    data = await json_object(request)
    _only(data, "group", "matter", "start", "capacity", "closed", "reason")
    view = await overrides.set_override(
        database(request),
        staff,
        request.path_params["hall"],
        _ref(data, clock(request)()),
        capacity=field(data, "capacity", int, required=False),
        closed=field(data, "closed", bool, required=False, default=False),
        reason=field(data, "reason", str),
        now=clock(request)(),
    )
    return json_response({"slot": view})


async def override_remove(request: Request) -> Response:
    staff = await _supervisor(request)
    data = await json_object(request)
    _only(data, "group", "matter", "start", "reason")
    view = await overrides.remove_override(
        database(request),
        staff,
        request.path_params["hall"],
        _ref(data, clock(request)()),
        reason=field(data, "reason", str, required=False, default=""),
        now=clock(request)(),
    )
    return json_response({"slot": view})


async def override_list(request: Request) -> Response:
    await _supervisor(request)
    try:
        day = date.fromisoformat(request.query_params.get("date", ""))
    except ValueError:
        raise InvalidInput(
            "The query parameter 'date' must be a day like 2026-11-24.",
            "查询参数 date 必须是日期，例如 2026-11-24。",
            fields={"date": "YYYY-MM-DD"},
        ) from None
    day = day_near_today(day, "date", clock(request)())
    rows = await overrides.list_overrides(
        database(request), request.path_params["hall"], day, clock(request)()
    )
    return json_response({"slots": rows})


def _document(data: dict[str, Any]) -> tuple[str, str]:
    return (
        field(data, "id_kind", str, required=False, default="resident_id"),
        field(data, "id_number", str),
    )


async def credit_show(request: Request) -> Response:
    await _supervisor(request)
    data = await json_object(request)
    _only(data, "id_kind", "id_number")
    id_kind, id_number = _document(data)
    view = await credit_desk.credit_of(
        database(request),
        request.path_params["hall"],
        id_kind,
        id_number,
        clock(request)(),
        settings(request).secret_key,
    )
    return json_response({"credit": view})


async def credit_lift(request: Request) -> Response:
    staff = await _supervisor(request)
    data = await json_object(request)
    _only(data, "id_kind", "id_number", "reason")
    id_kind, id_number = _document(data)
    view = await credit_desk.lift_suspension(
        database(request),
        staff,
        request.path_params["hall"],
        id_kind=id_kind,
        id_number=id_number,
        reason=field(data, "reason", str),
        now=clock(request)(),
        secret=settings(request).secret_key,
    )
    return json_response({"credit": view})


routes = [
    Route(OVERRIDES, override_list, methods=["GET"]),
    Route(OVERRIDES, override_set, methods=["PUT"]),
    Route(OVERRIDES, override_remove, methods=["DELETE"]),
    Route(CREDIT, credit_show, methods=["POST"]),
    Route(CREDIT + "/lift", credit_lift, methods=["POST"]),
]
