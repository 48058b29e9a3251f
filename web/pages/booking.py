"""The citizen's booking pages: hall → matter (with its materials) → day → slot → details,
the booking's own page (code, QR, calendar), looking a booking up, cancelling and moving it.

The steps up to the slot are plain server-rendered links (the back button works, and a
slow phone gets a usable page before any script runs); the script only submits the
details to the JSON API and draws the answers. The confirmation *is* the booking's page
(``/my-bookings?code=…``): reloading it, or coming back to it later, shows the same.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.booking import appointments, slots
from hall.booking.identity import DocumentKind
from hall.catalogue import reads
from hall.catalogue.schema import Hall, Matter
from hall.errors import InvalidInput, NotFound
from hall.store.plain import plain
from queueing import Policy
from web.deps import clock, database
from web.i18n import lang_of
from web.pages.booking_text import booking_script_text, booking_text
from web.pages.common import as_json, error_page
from web.templating import render

CODE = re.compile(f"[{appointments.CODE_ALPHABET}]{{8}}")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _render(request: Request, name: str, context: dict[str, Any]) -> Response:
    lang = lang_of(request)
    data = {"lang": lang, "text": booking_script_text(lang), **context.pop("script_data", {})}
    query = {**request.query_params, "lang": "en" if lang == "zh" else "zh"}
    full = {
        "t": booking_text(lang),
        "page_data": as_json(data),
        "large": request.query_params.get("large") == "1",
        "lang_url": "?" + urlencode(query),
        "id_kinds": [kind.value for kind in DocumentKind],
        **context,
    }
    return render(request, name, full)


def _not_found(request: Request, exc: NotFound | InvalidInput) -> Response:
    message = exc.message_zh if lang_of(request) == "zh" else exc.message
    return error_page(request, 404, "not_found_title", message)


def _name(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" or not en else en


async def choose_hall(request: Request) -> Response:
    halls = await reads.halls(database(request))
    return _render(request, "book_halls.html", {"halls": halls})


async def choose_matter(request: Request) -> Response:
    try:
        hall = await reads.hall(database(request), request.path_params["hall"])
    except NotFound as exc:
        return _not_found(request, exc)
    groups = [
        (group, [m for m in hall.matters if m.group == group.code and m.bookable])
        for group in hall.groups
    ]
    context = {"hall": hall, "groups": [(g, ms) for g, ms in groups if ms]}
    return _render(request, "book_matters.html", context)


def day_label(lang: str, day: date, today: date) -> str:
    """A day as a person reads it: 11月24日 周二 / Tue 24 Nov."""
    text = booking_text(lang)
    weekday = text["bk_today"] if day == today else text[f"weekday_{day.weekday()}"]
    if lang == "zh":
        return f"{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]}"


async def matter_page(request: Request) -> Response:
    db = database(request)
    now = clock(request)()
    try:
        hall = await reads.hall(db, request.path_params["hall"])
        matter = appointments.find_matter(hall, request.path_params["matter"])
    except (NotFound, InvalidInput) as exc:
        return _not_found(request, exc)
    lang = lang_of(request)
    today = now.astimezone(ZoneInfo(hall.timezone)).date()
    days = []
    for day in _days(hall, now):
        listed = [
            plain(s) for s in await appointments.list_slots(db, hall.id, matter.code, day, now)
        ]
        free = sum(s["available"] for s in listed)
        days.append(
            {"day": day, "label": day_label(lang, day, today), "slots": listed, "free": free}
        )
    move = request.query_params.get("move", "").strip().upper()
    move = move if CODE.fullmatch(move) else ""
    for entry in days:
        entry["href"] = _step_link(entry["day"], None, move)
        for slot in entry["slots"]:
            slot["href"] = _step_link(entry["day"], slot["start"], move)
            slot["label"] = f"{slot['start'][11:16]}–{slot['end'][11:16]}"
    chosen_day = _chosen_day(request, days)
    start = request.query_params.get("start", "")
    chosen = (
        next((s for s in chosen_day["slots"] if s["start"] == start and s["available"] > 0), None)
        if chosen_day
        else None
    )
    context: dict[str, Any] = {
        "hall": hall,
        "matter": matter,
        "materials": _materials(lang, matter),
        "days": days,
        "chosen_day": chosen_day,
        "chosen": chosen,
        "start_lost": bool(start) and chosen is None,
        "move": move,
        "today": today,
        "script_data": {"hall": hall.id, "matter": matter.code},
    }
    return _render(request, "book_matter.html", context)


def _days(hall: Hall, now: datetime) -> list[date]:
    local = now.astimezone(ZoneInfo(hall.timezone))
    return slots.bookable_days(hall, local.date(), hall.booking.horizon_days, local.time())


def _step_link(day: date, start: str | None, move: str) -> str:
    query = {"date": day.isoformat()}
    if start:
        query["start"] = start
    if move:
        query["move"] = move
    return "?" + urlencode(query) + ("#details" if start else "#slots")


def _chosen_day(request: Request, days: list[dict[str, Any]]) -> dict[str, Any] | None:
    wanted = request.query_params.get("date", "")
    for entry in days:
        if entry["day"].isoformat() == wanted:
            return entry
    return next((d for d in days if d["free"]), days[0] if days else None)


def _materials(lang: str, matter: Matter) -> tuple[str, ...]:
    if lang == "en" and matter.materials_en:
        return matter.materials_en
    return matter.materials


async def my_bookings(request: Request) -> Response:
    config = await reads.config(database(request))
    lang = lang_of(request)
    halls = {}
    for hall in config.halls:
        policy = Policy.from_mapping(hall.policy)
        halls[hall.id] = {
            "name": _name(lang, hall.name, hall.name_en),
            "early": policy.appointment_early_margin_minutes,
            "late": policy.appointment_late_grace_minutes,
            "matters": {
                m.code: {"name": _name(lang, m.name, m.name_en), "materials": _materials(lang, m)}
                for m in hall.matters
            },
        }
    code = request.query_params.get("code", "").strip().upper()
    context = {
        "code": code if CODE.fullmatch(code) else "",
        "script_data": {"halls": halls},
    }
    return _render(request, "my_bookings.html", context)


async def code_qr(request: Request) -> Response:
    """The booking code as a QR code: a kiosk's scanner types it into the check-in field."""
    code = request.path_params["code"]
    if not CODE.fullmatch(code):
        return _not_found(request, NotFound("There is no such booking code.", "预约码格式不正确。"))
    out = io.BytesIO()
    segno.make(code, error="m").save(
        out, kind="svg", border=2, omitsize=True, xmldecl=False, title=code
    )
    return Response(
        out.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


routes = [
    Route("/book", choose_hall, methods=["GET"]),
    Route("/book/qr/{code}.svg", code_qr, methods=["GET"]),
    Route("/halls/{hall}/book", choose_matter, methods=["GET"]),
    Route("/halls/{hall}/book/{matter}", matter_page, methods=["GET"]),
    Route("/my-bookings", my_bookings, methods=["GET"]),
]
