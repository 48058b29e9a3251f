"""Hall screens: the WebSocket feed, the board API, the notice, and the screen pages.

``WS /ws/halls/{hall}/screens[?since=SEQ]`` sends a snapshot (or, with ``since``, the
messages the screen missed, from this process's memory or the hall's outbox), then one
message per change. The socket carries heartbeats both ways; see ``displays`` for the
protocol. Sockets are limited per client address and in total (``displays.limits``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from displays.connection import ScreenConnection
from displays.hub import Hub
from displays.limits import SocketLimits
from hall.calling import board
from hall.calling.windows import no_such_window
from hall.catalogue import reads
from hall.staff.accounts import require
from hall.staff.roles import Role
from web.auth import acting_staff
from web.body import field, json_object
from web.deps import clock, database, publisher
from web.json import json_response
from web.templating import render

log = logging.getLogger(__name__)

CLOSE_UNKNOWN_HALL = 4404
CLOSE_UNAVAILABLE = 1013


def _since(websocket: WebSocket) -> int | None:
    raw = websocket.query_params.get("since", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses (a 500).
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


async def screen_socket(websocket: WebSocket) -> None:
    limits: SocketLimits = websocket.app.state.screen_limits
    peer = websocket.client.host if websocket.client else "?"
    refused = limits.take(peer)
    await websocket.accept()
    if refused is not None:
        if limits.refused % 1000 == 1:  # a flood must not flood the log too
            log.warning("Refused screen socket(s) (%d so far): %s", limits.refused, refused[1])
        await websocket.close(*refused)
        return
    try:
        await _screen(websocket, peer)
    finally:
        limits.give_back(peer)


async def _screen(websocket: WebSocket, peer: str) -> None:
    hub: Hub | None = websocket.app.state.hub
    hall_id = websocket.path_params["hall"]
    if hub is None:
        await websocket.close(CLOSE_UNAVAILABLE, "screens are not enabled on this server")
        return
    conn = hub.connection(websocket.send_text, name=f"{hall_id}/{peer}")
    try:
        known = await hub.subscribe(hall_id, conn, _since(websocket))
    except Exception:
        log.exception("Cannot load the board of hall %s for a screen", hall_id)
        await websocket.close(CLOSE_UNAVAILABLE, "board unavailable; retry")
        return
    if not known:
        await websocket.close(CLOSE_UNKNOWN_HALL, "unknown hall")
        return
    try:
        await _serve(websocket, conn)
    finally:
        hub.unsubscribe(hall_id, conn)
    if conn.close_code is not None:
        with contextlib.suppress(Exception):
            await websocket.close(conn.close_code, conn.close_reason)


async def _serve(websocket: WebSocket, conn: ScreenConnection) -> None:
    """Run the sender and the receiver until either ends or the hub drops the screen."""
    async with anyio.create_task_group() as group:

        async def until_done(job: Callable[[], Awaitable[Any]]) -> None:
            await job()
            group.cancel_scope.cancel()

        group.start_soon(until_done, conn.run)  # ends when the hub drops the screen
        group.start_soon(until_done, lambda: _receive(websocket, conn))


async def _receive(websocket: WebSocket, conn: ScreenConnection) -> None:
    """Screens only send heartbeats; anything they send proves they are alive."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            conn.seen()


async def board_json(request: Request) -> Response:
    found = await board.load_board(database(request), request.path_params["hall"], clock(request)())
    return json_response(found.to_json())


async def set_notice(request: Request) -> Response:
    staff = require(await acting_staff(request), Role.SUPERVISOR)
    text = field(await json_object(request), "notice", str, allow_empty=True)
    view = await board.set_notice(
        database(request), publisher(request), staff, request.path_params["hall"], text,
        clock(request)(),
    )  # fmt: skip
    return json_response(view)


async def _page(request: Request, template: str, **extra: Any) -> Response:
    hall_id = request.path_params["hall"]
    hall = await reads.hall(database(request), hall_id)
    if "window" in extra:
        window = next((w for w in hall.windows if w.number == extra["window"]), None)
        if window is None:
            raise no_such_window(hall_id, extra["window"])
        extra["window_name"] = window.name
    return render(request, template, {"hall": hall, **extra})


async def main_screen(request: Request) -> Response:
    return await _page(request, "screen_main.html")


async def window_screen(request: Request) -> Response:
    return await _page(request, "screen_window.html", window=request.path_params["no"])


async def waiting_screen(request: Request) -> Response:
    return await _page(request, "screen_waiting.html")


routes: list[BaseRoute] = [
    WebSocketRoute("/ws/halls/{hall}/screens", screen_socket),
    Route("/api/halls/{hall}/board", board_json, methods=["GET"]),
    Route("/api/halls/{hall}/notice", set_notice, methods=["POST"]),
    Route("/halls/{hall}/screens/main", main_screen, methods=["GET"]),
    Route("/halls/{hall}/screens/windows/{no:int}", window_screen, methods=["GET"]),
    Route("/halls/{hall}/screens/waiting", waiting_screen, methods=["GET"]),
]
