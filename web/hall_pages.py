"""The pages people use in a hall (kiosk, ticket on a phone, staff console, overview).

Collects the page routes and the read-only JSON views they rely on.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from web import api_views, pages_citizen, pages_staff

routes: list[BaseRoute] = [*pages_citizen.routes, *pages_staff.routes, *api_views.routes]
