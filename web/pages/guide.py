"""The guide desk (导办台): staff issue tickets for citizens, green-channel ones too."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hall.calling import views
from hall.calling.tickets import GREEN_REASONS
from hall.catalogue import reads
from hall.errors import NotFound
from web.auth import current_staff
from web.deps import clock, database
from web.i18n import lang_of
from web.pages.common import error_page, render_page
from web.pages.hall_text import page_text


async def guide_desk(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    staff = await current_staff(request)
    if staff is None:
        return RedirectResponse(f"/staff?next={quote(request.url.path)}", status_code=303)
    if not staff.works_in(hall_id):
        text = page_text(lang_of(request))["forbidden_text"]
        return error_page(request, 403, "forbidden_title", text)
    db = database(request)
    try:
        hall = await reads.hall(db, hall_id)
        groups = await views.hall_groups(db, hall_id, clock(request)())
    except NotFound as exc:
        message = exc.message_zh if lang_of(request) == "zh" else exc.message
        return error_page(request, 404, "not_found_title", message)
    english = lang_of(request) == "en"
    context: dict[str, Any] = {
        "hall": hall,
        "staff": staff,
        "groups": [g for g in groups if g.matters],
        "reasons": GREEN_REASONS,
        "script_data": {
            "hall": hall_id,
            "matters": {
                m.code: m.name_en if english else m.name for g in groups for m in g.matters
            },
            "groups": {g.code: g.name_en if english else g.name for g in groups},
        },
    }
    return render_page(request, "guide.html", context, script=("guide_", "network_"))


routes = [Route("/halls/{hall}/guide", guide_desk, methods=["GET"])]
