"""Staff pages: the window console and the supervisor's hall overview."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hall.calling import views
from hall.catalogue import reads
from hall.errors import NotFound
from hall.staff.roles import Role
from web.auth import current_staff
from web.deps import clock, database
from web.i18n import lang_of
from web.pages.case_common import render_case_page
from web.pages.common import error_page, render_page
from web.pages.hall_text import page_text

STAFF_SCRIPT = ("staff_", "outcome_", "event_", "status_", "network_")


def safe_next(value: str | None) -> str:
    """A same-site path to go to after signing in ("/staff" for anything else).

    Only a path that starts with exactly one ``/``, with no backslash and no control
    character anywhere: browsers drop tabs and line breaks from URLs and read ``\\`` as
    ``/``, so ``/<TAB>/host`` or ``/\\host`` would lead to another site.
    """
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value)
    ):
        return value
    return "/staff"


async def staff_console(request: Request) -> Response:
    halls = await reads.halls(database(request))
    context: dict[str, Any] = {
        "script_data": {
            "halls": [{"id": h.id, "name": h.name, "name_en": h.name_en} for h in halls],
            "next": safe_next(request.query_params.get("next")),
        },
    }
    # The console's 帮办, 办不成事 and 否定答复 parts use the case pages' strings too.
    return render_case_page(request, "staff.html", context, script=STAFF_SCRIPT)


async def overview_page(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await current_staff(request)
    if staff is None:
        return RedirectResponse(f"/staff?next={quote(request.url.path)}", status_code=303)
    if not staff.at_least(Role.SUPERVISOR) or not staff.works_in(hall_id):
        text = page_text(lang_of(request))["forbidden_text"]
        return error_page(request, 403, "forbidden_title", text)
    try:
        view = await views.hall_overview(database(request), hall_id, clock(request)())
    except NotFound as exc:
        message = exc.message_zh if lang_of(request) == "zh" else exc.message
        return error_page(request, 404, "not_found_title", message)
    context: dict[str, Any] = {"view": view, "staff": staff, "script_data": {"hall": hall_id}}
    return render_page(request, "overview.html", context, script=("overview_",))


routes = [
    Route("/staff", staff_console, methods=["GET"]),
    Route("/halls/{hall}/overview", overview_page, methods=["GET"]),
]
