"""The citizen's pages: the hall kiosk, the ticket on a phone, and the ticket's QR code."""

from __future__ import annotations

import io
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.calling import tickets, views
from hall.catalogue import reads
from hall.errors import NotFound
from web.api.whatif import with_projection
from web.deps import clock, database
from web.i18n import lang_of
from web.pages.case_common import render_case_page
from web.pages.common import error_page


async def kiosk(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    db = database(request)
    try:
        hall = await reads.hall(db, hall_id)
        groups = await views.hall_groups(db, hall_id, clock(request)())
    except NotFound as exc:
        return _not_found(request, exc)
    english = lang_of(request) == "en"
    matters = {
        m.code: {
            "name": m.name_en if english else m.name,
            "materials": m.materials_en if english else m.materials,
        }
        for g in groups
        for m in g.matters
    }
    context: dict[str, Any] = {
        "hall": hall,
        "groups": [g for g in groups if g.matters],
        "autoprint": request.query_params.get("autoprint") == "1",
        "script_data": {"hall": hall_id, "timezone": hall.timezone, "matters": matters},
    }
    # The ticket step's 需要帮办 button uses the case pages' strings too.
    script = ("kiosk_", "status_", "network_")
    return render_case_page(request, "kiosk.html", context, script=script)


async def ticket_page(request: Request) -> Response:
    db = database(request)
    try:
        ticket = await with_projection(
            request, await tickets.get_ticket(db, request.path_params["id"], clock(request)())
        )
        hall = await reads.hall(db, ticket.hall)
        matters = hall.matters
    except NotFound as exc:
        return _not_found(request, exc)
    names = {m.code: {"zh": m.name, "en": m.name_en} for m in matters}
    context: dict[str, Any] = {
        "hall": hall,
        "ticket": ticket,
        "matter_name": names.get(ticket.matter, {}).get(lang_of(request), ticket.matter),
        "script_data": {"ticket": ticket, "matters": names},
    }
    # The rating and 帮办 part of the page needs the case pages' strings too.
    return render_case_page(request, "ticket.html", context, script=("ticket_", "status_"))


def ticket_url(request: Request, ticket_id: str) -> str:
    """The absolute address of a ticket's phone page, as the kiosk reached this server."""
    return str(request.url_for("ticket_page", id=ticket_id))


async def ticket_qr(request: Request) -> Response:
    ticket_id = request.path_params["id"]
    try:
        await tickets.get_ticket(database(request), ticket_id, clock(request)())
    except NotFound as exc:
        return _not_found(request, exc)
    code = segno.make(ticket_url(request, ticket_id), error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", border=2, omitsize=True, xmldecl=False, title="QR")
    return Response(
        out.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=86400"},
    )


def _not_found(request: Request, exc: NotFound) -> Response:
    message = exc.message_zh if lang_of(request) == "zh" else exc.message
    return error_page(request, 404, "not_found_title", message)


routes = [
    Route("/halls/{hall}/kiosk", kiosk, methods=["GET"]),
    Route("/t/{id}", ticket_page, methods=["GET"], name="ticket_page"),
    Route("/t/{id}/qr.svg", ticket_qr, methods=["GET"]),
]
