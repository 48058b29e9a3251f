"""The supervisor's dashboard (live today, period analysis, leaderboard) and the
printable period report. The dashboard's first paint waits for nothing but the hall's
name: today's KPIs, then the period, are fetched by its script afterwards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hall.analytics.leaderboard import METRICS
from hall.analytics.periods import Bucket, parse_range
from hall.analytics.report import period_report
from hall.catalogue import reads
from hall.errors import HallError
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from web.api.analytics_json import period_report_json
from web.auth import current_staff
from web.deps import clock, database
from web.i18n import lang_of
from web.pages.common import as_json, error_page, render_page
from web.pages.dashboard_text import dashboard_text
from web.pages.hall_text import page_text
from web.pages.whatif_text import whatif_text


async def _supervisor(request: Request) -> StaffMember | Response:
    """The signed-in supervisor or admin of the hall, or the page to answer instead."""
    staff = await current_staff(request)
    if staff is None:
        return RedirectResponse(f"/staff?next={quote(request.url.path)}", status_code=303)
    if not staff.at_least(Role.SUPERVISOR) or not staff.works_in(request.path_params["hall"]):
        text = page_text(lang_of(request))["forbidden_text"]
        return error_page(request, 403, "forbidden_title", text)
    return staff


def _failed(request: Request, exc: HallError) -> Response:
    message = exc.message_zh if lang_of(request) == "zh" else exc.message
    title = "not_found_title" if exc.status == 404 else "forbidden_title"
    return error_page(request, exc.status, title, message)


async def dashboard_page(request: Request) -> Response:
    staff = await _supervisor(request)
    if isinstance(staff, Response):
        return staff
    hall_id = request.path_params["hall"]
    try:
        hall = await reads.hall(database(request), hall_id)
    except HallError as exc:
        return _failed(request, exc)
    lang = lang_of(request)
    metrics = [
        {"name": m.name, "label": m.label_zh if lang == "zh" else m.label_en, "star": m.star_zh}
        for m in METRICS.values()
    ]
    context: dict[str, Any] = {
        "hall": hall,
        "d": dashboard_text(lang),
        "w": whatif_text(lang),
        "metrics": metrics,
        "script_data": {"hall": hall_id, "dash": dashboard_text(lang), "whatif": whatif_text(lang)},
    }
    return render_page(request, "dashboard.html", context)


async def report_page(request: Request) -> Response:
    staff = await _supervisor(request)
    if isinstance(staff, Response):
        return staff
    try:
        query = request.query_params
        found = await period_report(
            database(request), staff, request.path_params["hall"],
            parse_range(query.get("from"), query.get("to")), Bucket.DAY, clock(request)(),
        )  # fmt: skip
    except HallError as exc:
        return _failed(request, exc)
    lang = lang_of(request)
    data = period_report_json(found)
    context: dict[str, Any] = {
        "report": data,
        "d": dashboard_text(lang),
        "chart_data": as_json({"series": data["series"], "lang": lang, "d": dashboard_text(lang)}),
    }
    return render_page(request, "report.html", context)


routes = [
    Route("/halls/{hall}/dashboard", dashboard_page, methods=["GET"]),
    Route("/halls/{hall}/report", report_page, methods=["GET"]),
]
