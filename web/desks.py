"""WebSockets of the staff-side pages that follow a hall live (docs/architecture.md,
"Ratings and cases"): the window's evaluator and the helpers' desk.

Each socket registers a listener with the hub (``displays.desks``); a committed event of
its hall (from any server process, through the screens' backend) wakes it, and it reads
what it shows from the database through the hall's services, so it is never wrong for
long even if a wake-up is lost: it also re-reads every ``PING_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from displays.hub import Hub
from displays.messages import ScreenEvent
from hall.cases.assist import help_desk
from hall.errors import Forbidden, NotFound
from hall.ratings.state import evaluator_state
from web.auth import current_staff
from web.deps import clock, database
from web.desk_keys import evaluator_key_ok

log = logging.getLogger(__name__)

PING_SECONDS = 20.0
CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN = 4404
CLOSE_UNAVAILABLE = 1013

Read = Callable[[], Awaitable[dict[str, Any]]]
Wanted = Callable[[list[ScreenEvent]], bool]


async def follow(websocket: WebSocket, hall_id: str, wanted: Wanted, read: Read) -> None:
    """Send ``read()`` now and whenever a wanted event (or a reset) arrives, until closed."""
    hub: Hub | None = websocket.app.state.hub
    if hub is None:
        await websocket.close(CLOSE_UNAVAILABLE, "live pages are not enabled on this server")
        return
    wake = asyncio.Event()
    wake.set()

    def listener(events: list[ScreenEvent]) -> None:
        if not events or wanted(events):
            wake.set()

    hub.listen(hall_id, listener)
    try:
        async with anyio.create_task_group() as group:

            async def send_loop() -> None:
                last = ""
                while True:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), PING_SECONDS)
                    woken = wake.is_set()
                    wake.clear()
                    text = json.dumps(await read(), ensure_ascii=False)
                    if text != last:
                        await websocket.send_text(text)
                        last = text
                    elif not woken:
                        await websocket.send_text('{"type":"ping"}')

            async def receive_loop() -> None:
                with contextlib.suppress(WebSocketDisconnect):
                    while (await websocket.receive())["type"] != "websocket.disconnect":
                        pass
                group.cancel_scope.cancel()

            group.start_soon(send_loop)
            group.start_soon(receive_loop)
    except* (WebSocketDisconnect, OSError):  # the page went away while we sent
        pass
    finally:
        hub.unlisten(hall_id, listener)


async def evaluator_socket(websocket: WebSocket) -> None:
    hall_id, number = websocket.path_params["hall"], websocket.path_params["no"]
    await websocket.accept()
    if not evaluator_key_ok(websocket, hall_id, number):
        await websocket.close(CLOSE_FORBIDDEN, "this evaluator is not paired")
        return
    db, now = database(websocket), clock(websocket)
    try:
        await evaluator_state(db, hall_id, number, now())
    except NotFound:
        await websocket.close(CLOSE_UNKNOWN, "unknown window")
        return

    def wanted(events: list[ScreenEvent]) -> bool:
        return any(e.window == number for e in events)

    async def read() -> dict[str, Any]:
        return (await evaluator_state(db, hall_id, number, now())).to_json()

    await follow(websocket, hall_id, wanted, read)


async def helpers_socket(websocket: WebSocket) -> None:
    hall_id = websocket.path_params["hall"]
    await websocket.accept()
    staff = await current_staff(websocket)
    if staff is None:
        await websocket.close(CLOSE_UNAUTHORISED, "sign in first")
        return
    db, now = database(websocket), clock(websocket)
    try:
        await help_desk(db, staff, hall_id, now())
    except (Forbidden, NotFound):
        await websocket.close(CLOSE_FORBIDDEN, "not a helper of this hall")
        return
    seen: dict[int, int] = {}  # open request → escalations when last sent

    def wanted(events: list[ScreenEvent]) -> bool:
        return any(e.kind.startswith("case_") for e in events)

    async def read() -> dict[str, Any]:
        cases = await help_desk(db, staff, hall_id, now())
        waiting = {c.id: c.escalations for c in cases if c.status == "open"}
        ring = any(seen.get(case, -1) < escalations for case, escalations in waiting.items())
        seen.clear()
        seen.update(waiting)
        return {"type": "requests", "ring": ring, "cases": [c.to_json() for c in cases]}

    await follow(websocket, hall_id, wanted, read)


routes: list[BaseRoute] = [
    WebSocketRoute("/ws/halls/{hall}/windows/{no:int}/evaluator", evaluator_socket),
    WebSocketRoute("/ws/halls/{hall}/helpers", helpers_socket),
]
