"""Every route of the app is classified, and staff routes refuse the wrong people.

A new route must be added to exactly one of the lists below, or this test fails: that
is the point. JSON routes (under /api/) must answer 401 to anonymous requests and 403
to a signed-in account below the route's role; pages redirect anonymous visitors to
the staff sign-in and answer 403 to the wrong role.
"""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from tests.web.helpers import sign_in

pytestmark = pytest.mark.asyncio

H = "/api/halls/{hall}"
W = "/api/halls/{hall}/windows/{no:int}"

# Anyone: citizens, kiosks, screens, phones (and sign-in/sign-out themselves).
PUBLIC = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/api/halls"),
    ("GET", f"{H}/matters"),
    ("GET", f"{H}/windows"),
    ("GET", f"{H}/groups"),
    ("POST", "/api/session"),
    ("DELETE", "/api/session"),
    ("POST", f"{H}/tickets"),
    ("GET", f"{H}/issuing"),
    ("GET", "/favicon.ico"),
    ("GET", "/api/tickets/{id}"),
    ("GET", f"{H}/slots"),
    ("POST", "/api/appointments"),
    ("GET", "/api/appointments/{code}.ics"),
    ("GET", "/api/appointments/{code}"),  # 410: the phone goes in a POST body
    ("POST", "/api/appointments/{code}/lookup"),
    ("POST", "/api/appointments/{code}/calendar"),
    ("POST", "/api/appointments/{code}/cancel"),
    ("POST", "/api/appointments/{code}/move"),
    ("POST", f"{H}/check-ins"),
    ("POST", f"{H}/kiosk-device"),  # a kiosk's device token is the capability
    ("GET", "/api/openapi.json"),
    ("GET", "/halls/{hall}/kiosk"),
    ("GET", "/t/{id}"),
    ("GET", "/t/{id}/qr.svg"),
    ("GET", "/book"),
    ("GET", "/book/qr/{code}.svg"),
    ("GET", "/halls/{hall}/book"),
    ("GET", "/halls/{hall}/book/{matter}"),
    ("GET", "/my-bookings"),
    ("GET", "/staff"),
    ("GET", f"{H}/board"),
    ("GET", "/halls/{hall}/screens/main"),
    ("GET", "/halls/{hall}/screens/windows/{no:int}"),
    ("GET", "/halls/{hall}/screens/waiting"),
    ("WS", "/ws/halls/{hall}/screens"),
    ("MOUNT", "/static"),
    ("POST", "/api/tickets/{id}/rating"),  # the ticket id is the capability
    ("GET", "/api/tickets/{id}/rating"),
    ("POST", "/api/tickets/{id}/help"),
    ("GET", "/api/tickets/{id}/help"),
    ("GET", "/halls/{hall}/windows/{no:int}/evaluator"),  # says "not paired" without the key
}
# Guarded otherwise, and checked by their own tests: the evaluator by its pairing key
# (tests/web/api/test_ratings_cases_api.py, tests/web/test_desk_sockets.py), the helpers'
# socket by the session (tests/web/test_desk_sockets.py).
OWN_CHECKS = {
    ("GET", f"{W}/evaluator"),
    ("WS", "/ws/halls/{hall}/windows/{no:int}/evaluator"),
    ("WS", "/ws/halls/{hall}/helpers"),
}
# Any signed-in staff member (clerk and up).
STAFF = {
    ("GET", "/api/session"),
    ("GET", "/api/me/window"),
    ("GET", f"{H}/me/today"),
    ("GET", f"{W}/queue"),
    ("GET", "/api/tickets/{id}/events"),
    ("GET", f"{H}/leaderboard"),  # job numbers only for staff of the hall
    ("GET", "/halls/{hall}/guide"),  # the guide desk (导办台)
    *(
        ("POST", f"{W}/{action}")
        for action in (
            "sign-in", "pause", "resume", "sign-out", "call-next", "call", "recall",
            "no-show", "start", "finish", "transfer", "park", "resume-ticket",
        )
    ),
    ("GET", f"{H}/cases"),  # a clerk: the cases about their own work
    ("POST", f"{H}/cases"),
    ("GET", f"{H}/cases.csv"),
    ("GET", "/api/cases/{id}"),
    ("POST", "/api/cases/{id}/steps"),
    ("GET", f"{H}/ratings"),
    ("GET", f"{H}/help-requests"),
    ("GET", "/halls/{hall}/cases"),
    ("GET", "/halls/{hall}/cases/{id}"),
    ("GET", "/halls/{hall}/ratings"),
    ("GET", "/halls/{hall}/help-desk"),
}  # fmt: skip
# Hall supervisors and admins.
SUPERVISOR = {
    ("GET", f"{H}/overview"),
    ("POST", f"{H}/whatif"),
    ("GET", f"{H}/whatif/state"),
    ("GET", "/halls/{hall}/overview"),
    ("POST", f"{H}/notice"),
    ("POST", "/api/admin/staff/{username}/unlock"),  # a locked-out clerk asks a supervisor
    ("GET", f"{H}/slot-overrides"),
    ("PUT", f"{H}/slot-overrides"),
    ("DELETE", f"{H}/slot-overrides"),
    ("POST", f"{H}/booking-credit"),
    ("POST", f"{H}/booking-credit/lift"),
    ("GET", f"{H}/kpis"),
    ("GET", f"{H}/report"),
    ("GET", f"{H}/report.csv"),
    ("GET", f"{H}/tickets.csv"),
    ("GET", "/api/kpis"),
    ("GET", "/api/kpis.csv"),
    ("GET", "/halls/{hall}/dashboard"),
    ("GET", "/halls/{hall}/report"),
    ("GET", f"{H}/rating-figures"),
    ("GET", f"{H}/reports/bad-rating-problems"),
    ("GET", f"{H}/reports/bad-rating-problems.csv"),
    ("GET", f"{H}/reports/cannot-handle/daily"),
    ("GET", f"{H}/reports/cannot-handle/daily.csv"),
    ("GET", f"{H}/reports/cannot-handle/weekly"),
    ("GET", f"{H}/reports/cannot-handle/weekly.csv"),
    ("GET", "/halls/{hall}/cases/reports"),
}
# Admins only.
A = "/api/admin"
ADMIN = {
    ("GET", "/admin"),
    ("GET", f"{A}/config"),
    ("PUT", f"{A}/config"),
    ("POST", f"{A}/halls/{{hall}}/matters"),
    ("PUT", f"{A}/halls/{{hall}}/matters/{{code}}"),
    ("DELETE", f"{A}/halls/{{hall}}/matters/{{code}}"),
    ("POST", f"{A}/halls/{{hall}}/windows"),
    ("PUT", f"{A}/halls/{{hall}}/windows/{{no:int}}"),
    ("DELETE", f"{A}/halls/{{hall}}/windows/{{no:int}}"),
    ("GET", f"{A}/staff"),
    ("POST", f"{A}/staff"),
    ("PUT", f"{A}/staff/{{username}}"),
    ("GET", f"{A}/halls/{{hall}}/kiosks"),
    ("POST", f"{A}/halls/{{hall}}/kiosks"),
    ("DELETE", f"{A}/halls/{{hall}}/kiosks/{{kiosk:int}}"),
}

GUARDED = sorted(STAFF | SUPERVISOR | ADMIN)
SAMPLE = {
    "hall": "district",
    "no": "1",
    "id": "no-such-ticket",
    "code": "NOSUCHCODE",
    "username": "clerk02",
    "kiosk": "1",
    "matter": "SI-REG",
}


def endpoints(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every route; WebSocket routes as WS, mounts as MOUNT."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Route):
            found.update((m, route.path) for m in (route.methods or set()) - {"HEAD"})
        elif isinstance(route, WebSocketRoute):
            found.add(("WS", route.path))
        elif isinstance(route, Mount):
            found.add(("MOUNT", route.path))
        else:  # pragma: no cover - a new kind of route needs a rule here
            found.add(("?", repr(route)))
    return found


def concrete(path: str) -> str:
    """A path template with sample values for its parameters."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE[m.group(1)], path)


def is_api(path: str) -> bool:
    return path.startswith("/api/")


async def test_every_route_is_classified_exactly_once(app: Starlette) -> None:
    lists = [PUBLIC, STAFF, SUPERVISOR, ADMIN, OWN_CHECKS]
    classified = set().union(*lists)
    assert sum(len(x) for x in lists) == len(classified), "a route is in two lists"
    routes = endpoints(app.routes)
    unclassified = sorted(routes - classified)
    assert unclassified == [], f"classify these routes in {__file__}: {unclassified}"
    stale = sorted(classified - routes)
    assert stale == [], f"these classified routes no longer exist: {stale}"


async def test_staff_routes_refuse_anonymous_requests(client: AsyncClient) -> None:
    for method, path in GUARDED:
        assert method != "WS", f"add an anonymous check for the WebSocket route {path}"
        response = await client.request(
            method, concrete(path), json={} if method != "GET" else None
        )
        if is_api(path):
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/staff?next=")


async def test_supervisor_routes_refuse_clerks(client: AsyncClient) -> None:
    headers = await sign_in(client, "clerk01")
    for method, path in sorted(SUPERVISOR | ADMIN):
        response = await client.request(
            method, concrete(path), headers=headers, json={} if method != "GET" else None
        )
        assert response.status_code == 403, (method, path, response.text)
        if is_api(path):
            assert response.json()["error"]["code"] == "forbidden"
        else:
            assert response.headers["content-type"].startswith("text/html")


async def test_admin_routes_refuse_supervisors(client: AsyncClient) -> None:
    headers = await sign_in(client, "supervisor")
    for method, path in sorted(ADMIN):
        response = await client.request(
            method, concrete(path), headers=headers, json={} if method != "GET" else None
        )
        assert response.status_code == 403, (method, path, response.text)


async def test_public_routes_answer_anonymous_requests(client: AsyncClient) -> None:
    for method, path in sorted(PUBLIC):
        if method == "WS":
            continue  # screens connect anonymously; tests/displays covers the socket
        url = "/static/style.css" if method == "MOUNT" else concrete(path)
        response = await client.request(
            "GET" if method == "MOUNT" else method, url, json={} if method == "POST" else None
        )
        assert response.status_code not in (401, 403), (method, path, response.text)
        assert response.status_code < 500, (method, path, response.text)
