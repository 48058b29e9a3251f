"""The server-rendered pages' route table."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.pages import (
    admin,
    booking,
    case_desk,
    citizen,
    dashboard,
    evaluator,
    guide,
    landing,
    staff,
)

routes: list[BaseRoute] = [
    *landing.routes,
    *citizen.routes,
    *staff.routes,
    *guide.routes,
    *booking.routes,
    *admin.routes,
    *dashboard.routes,
    *evaluator.routes,
    *case_desk.routes,
]
