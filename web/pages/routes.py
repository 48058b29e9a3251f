"""The server-rendered pages' route table."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.pages import admin, booking, citizen, dashboard, guide, landing, staff

routes: list[BaseRoute] = [
    *landing.routes,
    *citizen.routes,
    *staff.routes,
    *guide.routes,
    *booking.routes,
    *admin.routes,
    *dashboard.routes,
]
