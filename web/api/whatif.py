"""The live what-if: ``POST /api/halls/{hall}/whatif`` (supervisors and admins of the hall)
and ``GET /api/halls/{hall}/whatif/state`` (the hall's state as the what-if reads it)."""

from __future__ import annotations

import dataclasses

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hall.analytics.snapshot import hall_snapshot
from hall.calling.tickets import TicketView
from simulation.whatif.live import Profiles, Projections, live_what_if, projected_wait
from web.auth import acting_staff, current_staff
from web.body import json_object
from web.deps import clock, database, settings


def profiles(conn: HTTPConnection) -> Profiles:
    """The app's profiles for the what-if (kept per process, one per hall and day)."""
    state = conn.app.state
    if getattr(state, "whatif_profiles", None) is None:
        state.whatif_profiles = Profiles(settings(conn).whatif_scenarios)
    found: Profiles = state.whatif_profiles
    return found


def projections(conn: HTTPConnection) -> Projections:
    """The app's kept projections, for citizens' wait estimates (HALL_WAIT_ESTIMATE)."""
    state = conn.app.state
    if getattr(state, "whatif_projections", None) is None:
        state.whatif_projections = Projections(profiles(conn))
    found: Projections = state.whatif_projections
    return found


async def with_projection(conn: HTTPConnection, view: TicketView) -> TicketView:
    """A waiting ticket's view with the projection's estimate, when HALL_WAIT_ESTIMATE is
    projection (and the projection knows the ticket: one issued since waits a minute)."""
    if settings(conn).wait_estimate != "projection" or view.status != "waiting":
        return view
    now = clock(conn)()
    minutes = await projected_wait(projections(conn), database(conn), view.hall, view.id, now)
    if minutes is None:
        return view
    return dataclasses.replace(view, estimated_wait_minutes=round(minutes))


async def whatif(request: Request) -> Response:
    staff = await acting_staff(request)
    body = await json_object(request)
    answer = await live_what_if(
        database(request), staff, request.path_params["hall"], clock(request)(), body,
        profiles(request),
    )  # fmt: skip
    return JSONResponse(answer)


async def state(request: Request) -> Response:
    snapshot = await hall_snapshot(
        database(request), await current_staff(request), request.path_params["hall"],
        clock(request)(),
    )  # fmt: skip
    return JSONResponse(snapshot.to_json())


routes = [
    Route("/api/halls/{hall}/whatif", whatif, methods=["POST"]),
    Route("/api/halls/{hall}/whatif/state", state, methods=["GET"]),
]
