"""The JSON API's route table."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.api import (
    admin,
    analytics,
    booking,
    booking_admin,
    case_exports,
    cases,
    catalogue,
    kiosks,
    openapi,
    ratings,
    staff,
    tickets,
    views,
    whatif,
)

routes: list[BaseRoute] = [
    *catalogue.routes,
    *staff.routes,
    *tickets.routes,
    *booking.routes,
    *booking_admin.routes,
    *views.routes,
    *admin.routes,
    *kiosks.routes,
    *analytics.routes,
    *ratings.routes,
    *cases.routes,
    *case_exports.routes,
    *whatif.routes,
    *openapi.routes,
]
