"""The case desk's pages: the list with filters and CSV export, one case with its
timeline and actions, the reports, the ratings, and the helpers' desk. The JSON API does
the work; these pages render what the hall's services return."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.cases import engine, listing
from hall.cases.access import CLERK_STEPS, is_helper, is_supervisor
from hall.cases.errors import no_such_case
from hall.cases.facts import case_facts
from hall.cases.kinds import CaseKind, CaseStatus, Step, allowed_from
from hall.cases.reports import cannot_handle_daily, cannot_handle_weekly
from hall.cases.rules import rules_of
from hall.catalogue import reads
from hall.errors import HallError, NotFound
from hall.ratings.figures import By, rating_breakdown, rating_figures
from hall.ratings.listing import list_ratings
from hall.ratings.problems import frequent_problems
from hall.staff.accounts import StaffMember
from web.api import params
from web.api.cases import case_filter
from web.deps import clock, database, settings
from web.desk_keys import evaluator_key
from web.i18n import lang_of
from web.pages.case_common import forbidden, not_found, render_case_page, staff_or_redirect
from web.paths import path_number

DESK_SCRIPT = ("staff_", "network_")


async def _catalogue(request: Request, hall_id: str) -> dict[str, Any]:
    english = lang_of(request) == "en"
    hall = await reads.hall(database(request), hall_id)
    matters, windows = hall.matters, hall.windows
    zone = ZoneInfo(hall.timezone)

    def local(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
        return "" if moment is None else moment.astimezone(zone).strftime(fmt)

    def due(moment: datetime | None, fmt: str = "%m-%d") -> str:
        """A deadline: one that ends at midnight reads as 24:00 of its last day."""
        if moment is None:
            return ""
        at = moment.astimezone(zone)
        if (at.hour, at.minute) == (0, 0):
            return f"{(at - timedelta(minutes=1)).strftime(fmt)} 24:00"
        return at.strftime(f"{fmt} %H:%M")

    return {
        "hall": hall,
        "matter_names": {m.code: (m.name_en if english else m.name) for m in matters},
        "windows": windows,
        "local": local,
        "due": due,
        "parse": datetime.fromisoformat,
    }


async def _page(
    request: Request, staff: StaffMember, hall_id: str, name: str, context: dict[str, Any]
) -> Response:
    base = await _catalogue(request, hall_id)
    data = {"hall": hall_id, "staff": staff.job_number, **context.pop("script_data", {})}
    full = {
        **base,
        "staff": staff,
        "supervisor": is_supervisor(staff, hall_id),
        "section": name.removesuffix(".html"),
        "script_data": data,
        **context,
    }
    return render_case_page(request, name, full, script=DESK_SCRIPT)


async def desk(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await staff_or_redirect(request, hall_id)
    if isinstance(staff, Response):
        return staff
    now = clock(request)()
    error = None
    try:
        filters = case_filter(request)
        cases = await listing.list_cases(database(request), staff, hall_id, filters, now)
    except NotFound as exc:
        return not_found(request, exc.message, exc.message_zh)
    except HallError as exc:
        error = exc.message_zh if lang_of(request) == "zh" else exc.message
        filters, cases = listing.CaseFilter(), []
    links = []
    if is_supervisor(staff, hall_id):
        secret = settings(request).secret_key
        windows = (await reads.hall(database(request), hall_id)).windows
        links = [
            (w.number, f"/halls/{hall_id}/windows/{w.number}/evaluator?key="
             f"{evaluator_key(secret, hall_id, w.number)}")
            for w in windows
        ]  # fmt: skip
    query = {k: v for k, v in request.query_params.items() if v}
    context = {
        "cases": cases,
        "filters": filters,
        "query": query,
        "csv_url": f"/api/halls/{hall_id}/cases.csv?{urlencode(query)}",
        "kinds": [k.value for k in CaseKind],
        "statuses": ["active", *[s.value for s in CaseStatus]],
        "evaluator_links": links,
        "error": error,
        "now": now,
    }
    return await _page(request, staff, hall_id, "cases.html", context)


def _actions(staff: StaffMember, view: Any, helper: bool) -> list[str]:
    """The steps this member may take on the case now (the forms the page shows)."""
    kind, status = CaseKind(view.kind), CaseStatus(view.status)
    boss = is_supervisor(staff, view.hall)
    found = []
    for step in Step:
        if status not in allowed_from(kind, step):
            continue
        own_help = kind is CaseKind.HELP and view.owner == staff.job_number
        if step is Step.ACCEPT and not (boss or helper):
            continue
        if not boss and step not in CLERK_STEPS and not (step is Step.CLOSE and own_help):
            continue
        if step is Step.DECIDE_EXTENSION and view.extension is None:
            continue
        if step is Step.EXTEND and (view.extension is not None or view.due_at is None):
            continue
        if step is Step.APPEAL and view.rating is None:
            continue
        found.append(step.value)
    return found


async def case_page(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await staff_or_redirect(request, hall_id)
    if isinstance(staff, Response):
        return staff
    raw = request.path_params["id"]
    try:
        number = path_number(raw)
        if number is None:
            raise no_such_case(raw)
        view = await engine.get_case(database(request), staff, number, clock(request)())
        if view.hall != hall_id:
            raise no_such_case(raw)
        helper = is_helper(staff, await rules_of(database(request), hall_id))
    except NotFound as exc:
        return not_found(request, exc.message, exc.message_zh)
    context = {
        "case": view,
        "actions": _actions(staff, view, helper),
        "now": clock(request)(),
        "script_data": {"case": view.id},
    }
    return await _page(request, staff, hall_id, "case.html", context)


async def reports_page(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await staff_or_redirect(request, hall_id)
    if isinstance(staff, Response):
        return staff
    if not is_supervisor(staff, hall_id):
        return forbidden(request)
    db, now = database(request), clock(request)()
    try:
        zone = (await _catalogue(request, hall_id))["hall"].timezone
        day = params.day(request, "day") or params.today(now, zone)
        assert day is not None
        period = params.period(request, now, zone)
    except HallError as exc:
        return not_found(request, exc.message, exc.message_zh)
    context = {
        "day": day,
        "period": period,
        "daily": await cannot_handle_daily(db, hall_id, day, now),
        "weekly": await cannot_handle_weekly(db, hall_id, day, now),
        "problems": await frequent_problems(db, hall_id, period),
        "figures": await rating_figures(db, hall_id, period),
        "by_window": await rating_breakdown(db, hall_id, period, By.WINDOW),
        "by_staff": await rating_breakdown(db, hall_id, period, By.STAFF),
        "facts": await case_facts(db, hall_id, period, now),
    }
    return await _page(request, staff, hall_id, "case_reports.html", context)


async def ratings_page(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await staff_or_redirect(request, hall_id)
    if isinstance(staff, Response):
        return staff
    db, now = database(request), clock(request)()
    zone = (await _catalogue(request, hall_id))["hall"].timezone
    try:
        period = params.period(request, now, zone, days=7)
    except HallError as exc:
        return not_found(request, exc.message, exc.message_zh)
    ratings = await list_ratings(
        db, staff, hall_id, period, now,
        window=params.whole(request, "window"), job=params.text(request, "staff"),
    )  # fmt: skip
    figures = None
    if is_supervisor(staff, hall_id):
        figures = await rating_figures(db, hall_id, period)
    context = {"period": period, "ratings": ratings, "figures": figures}
    return await _page(request, staff, hall_id, "ratings.html", context)


async def helpers_page(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await staff_or_redirect(request, hall_id)
    if isinstance(staff, Response):
        return staff
    try:
        rules = await rules_of(database(request), hall_id)
    except NotFound as exc:
        return not_found(request, exc.message, exc.message_zh)
    if not is_helper(staff, rules):
        return forbidden(request)
    names = (await _catalogue(request, hall_id))["matter_names"]
    context = {"script_data": {"target": rules.cases.help_response_seconds, "matters": names}}
    return await _page(request, staff, hall_id, "helpers.html", context)


routes = [
    Route("/halls/{hall}/cases", desk, methods=["GET"]),
    Route("/halls/{hall}/cases/reports", reports_page, methods=["GET"]),
    Route("/halls/{hall}/cases/{id}", case_page, methods=["GET"]),
    Route("/halls/{hall}/ratings", ratings_page, methods=["GET"]),
    Route("/halls/{hall}/help-desk", helpers_page, methods=["GET"]),
]
