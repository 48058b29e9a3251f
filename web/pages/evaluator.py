"""The window's evaluator (评价器): a tablet page at each window that follows the window
over WebSocket and asks for a rating as soon as the clerk finishes a ticket."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.calling.windows import no_such_window
from hall.catalogue import reads
from hall.errors import NotFound
from web.deps import database
from web.desk_keys import evaluator_key_ok
from web.pages.case_common import not_found, render_case_page


async def evaluator_page(request: Request) -> Response:
    hall_id, number = request.path_params["hall"], request.path_params["no"]
    try:
        hall = await reads.hall(database(request), hall_id)
        window = next((w for w in hall.windows if w.number == number), None)
        if window is None:
            raise no_such_window(hall_id, number)
    except NotFound as exc:
        return not_found(request, exc.message, exc.message_zh)
    paired = evaluator_key_ok(request, hall_id, number)
    context: dict[str, Any] = {
        "hall": hall,
        "window": window,
        "paired": paired,
        "script_data": {
            "hall": hall_id,
            "window": number,
            "key": request.query_params.get("key", "") if paired else "",
        },
    }
    return render_case_page(request, "evaluator.html", context, script=("rate_",))


routes = [
    Route("/halls/{hall}/windows/{no:int}/evaluator", evaluator_page, methods=["GET"]),
]
