"""Appointment booking over HTTP: slots, book, look up, cancel, move, calendar, check-in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from icalendar import Calendar, Event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.booking import appointments, checkin
from hall.errors import HallError, InvalidInput
from web.api.params import day_near_today, near_today
from web.body import field, json_object
from web.deps import clock, database, publisher, settings
from web.json import json_response
from web.ratelimit import RateLimiter

PHONE_LIMIT_PER_MINUTE = 10


class Gone(HallError):
    """The address no longer answers; the message names the one that replaced it."""

    code = "gone"
    status = 410


def _limits(request: Request, phone: str | None = None) -> None:
    state = request.app.state
    now = clock(request)().timestamp()
    host = request.client.host if request.client else "unknown"
    state.booking_ip_limiter.hit(host, now)
    if phone:
        state.booking_phone_limiter.hit("".join(c for c in phone if c.isdigit()), now)


def limiters(per_ip: int) -> tuple[RateLimiter, RateLimiter]:
    """The per-IP (setting HALL_BOOKING_RATE_LIMIT) and per-phone limiters."""
    return RateLimiter(per_ip), RateLimiter(PHONE_LIMIT_PER_MINUTE)


def instant(value: Any, name: str, now: datetime) -> datetime:
    """An aware ISO 8601 time from a JSON field, within a year before ``now`` and two
    after (web.api.params.near_today); raises InvalidInput naming the field."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(
            f"The field {name!r} must be an ISO 8601 time with an offset, "
            "e.g. 2026-11-23T09:00:00+08:00.",
            f"字段“{name}”必须是带时区的 ISO 8601 时间，例如 2026-11-23T09:00:00+08:00。",
            fields={name: "ISO 8601 with offset"},
        )
    return near_today(moment, name, now)


async def slots(request: Request) -> Response:
    _limits(request)
    matter = request.query_params.get("matter", "")
    now = clock(request)()
    try:
        day = date.fromisoformat(request.query_params.get("date", ""))
    except ValueError:
        raise InvalidInput(
            "The query parameter 'date' must be a day like 2026-11-23.",
            "查询参数 date 必须是日期，例如 2026-11-23。",
            fields={"date": "YYYY-MM-DD"},
        ) from None
    day = day_near_today(day, "date", now)
    result = await appointments.list_slots(
        database(request), request.path_params["hall"], matter, day, now
    )
    return json_response(result)


async def create(request: Request) -> Response:
    data = await json_object(request)
    phone = field(data, "phone", str)
    _limits(request, phone)
    proxy = field(data, "proxy", dict, required=False) or {}
    booking_request = appointments.BookingRequest(
        hall=field(data, "hall", str),
        matter=field(data, "matter", str),
        start=instant(field(data, "start", str), "start", clock(request)()),
        name=field(data, "name", str),
        id_number=field(data, "id_number", str),
        phone=phone,
        id_kind=field(data, "id_kind", str, required=False, default="resident_id"),
        proxy_name=field(proxy, "name", str, required=False),
        proxy_id_number=field(proxy, "id_number", str, required=False),
        proxy_id_kind=field(proxy, "id_kind", str, required=False, default="resident_id"),
    )
    view = await appointments.book(
        database(request),
        booking_request,
        clock(request)(),
        settings(request).secret_key,
        publisher(request),
    )
    return json_response(view, status_code=201)


async def look_up(request: Request) -> Response:
    data = await json_object(request)
    phone = field(data, "phone", str)
    _limits(request, phone)
    view = await appointments.get_appointment(
        database(request),
        request.path_params["code"],
        phone,
        settings(request).secret_key,
        clock(request)(),
    )
    return json_response(view)


async def moved_to_post(request: Request) -> Response:
    """The former GET look-ups put the phone in the address (and so in logs and browser
    history); they answer 410 and name the POST that replaced them, reading nothing."""
    new = "lookup" if not request.url.path.endswith(".ics") else "calendar"
    raise Gone(
        "Booking look-ups send the phone number in a POST body now: "
        f'POST /api/appointments/{{code}}/{new} with {{"phone": ...}}.',
        f"预约查询已改为在 POST 请求正文中提交手机号：POST /api/appointments/{{code}}/{new}。",
        fields={"phone": "send it in a POST body"},
    )


async def cancel(request: Request) -> Response:
    data = await json_object(request)
    phone = field(data, "phone", str)
    _limits(request, phone)
    view = await appointments.cancel(
        database(request),
        request.path_params["code"],
        phone,
        clock(request)(),
        settings(request).secret_key,
    )
    return json_response(view)


async def move(request: Request) -> Response:
    data = await json_object(request)
    phone = field(data, "phone", str)
    _limits(request, phone)
    view = await appointments.move(
        database(request),
        request.path_params["code"],
        phone,
        instant(field(data, "start", str), "start", clock(request)()),
        clock(request)(),
        settings(request).secret_key,
    )
    return json_response(view)


async def calendar(request: Request) -> Response:
    data = await json_object(request)
    phone = field(data, "phone", str)
    _limits(request, phone)
    view = await appointments.get_appointment(
        database(request), request.path_params["code"], phone, settings(request).secret_key
    )
    cal = Calendar()
    cal.add("prodid", "-//Tongban//tongban//ZH")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"{view.code}@tongban")
    event.add("summary", f"{view.matter_name} · {view.hall_name}")
    # UTC instants: a fixed +08:00 offset has no TZID and would be read as floating time.
    event.add("dtstart", datetime.fromisoformat(view.start).astimezone(UTC))
    event.add("dtend", datetime.fromisoformat(view.end).astimezone(UTC))
    event.add("dtstamp", clock(request)())
    lines = [f"预约码 Booking code: {view.code}", "请携带 Please bring:"]
    lines += [f"- {item}" for item in view.materials]
    event.add("description", "\n".join(lines))
    event.add("location", view.hall_name)
    cal.add_component(event)
    return Response(
        cal.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{view.code}.ics"'},
    )


async def check_in(request: Request) -> Response:
    _limits(request)
    data = await json_object(request)
    result = await checkin.check_in(
        database(request),
        publisher(request),
        request.path_params["hall"],
        clock(request)(),
        settings(request).secret_key,
        code=field(data, "code", str, required=False),
        id_number=field(data, "id_number", str, required=False),
        id_kind=field(data, "id_kind", str, required=False, default="resident_id"),
    )
    return json_response(result, status_code=201)


routes = [
    Route("/api/halls/{hall}/slots", slots, methods=["GET"]),
    Route("/api/appointments", create, methods=["POST"]),
    Route("/api/appointments/{code}.ics", moved_to_post, methods=["GET"]),
    Route("/api/appointments/{code}", moved_to_post, methods=["GET"]),
    Route("/api/appointments/{code}/lookup", look_up, methods=["POST"]),
    Route("/api/appointments/{code}/calendar", calendar, methods=["POST"]),
    Route("/api/appointments/{code}/cancel", cancel, methods=["POST"]),
    Route("/api/appointments/{code}/move", move, methods=["POST"]),
    Route("/api/halls/{hall}/check-ins", check_in, methods=["POST"]),
]
