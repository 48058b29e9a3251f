"""Rendering shared by the rating and case pages: every string of hall_text plus the
case labels in ``t``, the script's strings and data in ``page_data``; and the checks
of who may open a staff page (sign-in redirect, 403 page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hall.staff.accounts import StaffMember
from web.auth import current_staff
from web.i18n import lang_of
from web.pages.case_text import labels, scale
from web.pages.common import as_json
from web.pages.hall_text import page_text, script_text
from web.templating import render


def render_case_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    script: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    lang = lang_of(request)
    text = labels(lang)
    data = {
        "lang": lang,
        "text": {**script_text(lang, script), **text},
        "scale": scale(lang),
        **context.pop("script_data", {}),
    }
    full = {"t": {**page_text(lang), **text}, "page_data": as_json(data), **scale(lang), **context}
    return render(request, name, full, status=status)


async def staff_or_redirect(request: Request, hall_id: str) -> StaffMember | Response:
    """The signed-in member of the hall, or the page that says why not."""
    staff = await current_staff(request)
    if staff is None:
        return RedirectResponse(f"/staff?next={quote(request.url.path)}", status_code=303)
    if not staff.works_in(hall_id):
        return forbidden(request)
    return staff


def forbidden(request: Request) -> Response:
    lang = lang_of(request)
    text = page_text(lang)
    return render_case_page(
        request,
        "page_error.html",
        {"title_key": "forbidden_title", "message": text["forbidden_text"]},
        status=403,
    )


def not_found(request: Request, message: str, message_zh: str) -> Response:
    chosen = message_zh if lang_of(request) == "zh" else message
    return render_case_page(
        request, "page_error.html", {"title_key": "not_found_title", "message": chosen}, status=404
    )
