"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Each operation is declared once here; a test walks the app's routes and fails when an
``/api`` route is missing from this table or from docs/api.md.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "message_zh", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "message_zh": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
TICKET = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "unguessable id (the phone page's address)"},
        "number": {"type": "string", "examples": ["A012"]},
        "matter": {"type": "string"},
        "status": {
            "enum": [
                "expected",
                "waiting",
                "called",
                "serving",
                "parked",
                "finished",
                "no_show",
                "cancelled",
                "unserved",
            ],
        },
        "source": {"enum": ["walk_in", "appointment"]},
        "green": {"type": "boolean"},
        "issued_at": {"type": "string", "format": "date-time"},
        "window": {"type": ["integer", "null"]},
        "position": {"type": ["integer", "null"]},
        "estimated_wait_minutes": {"type": ["integer", "null"]},
    },
}
WINDOW = {
    "type": "object",
    "properties": {
        "number": {"type": "integer"},
        "name": {"type": "string"},
        "name_en": {"type": "string"},
        "kind": {
            "enum": ["comprehensive", "specialised", "green", "pickup", "could_not_get_it_done"]
        },
        "skills": {"type": "array", "items": {"type": "string"}},
        "status": {"enum": ["closed", "open", "paused"]},
        "staff": {"type": ["string", "null"], "description": "job number of the clerk"},
    },
}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": bool(required),
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


STR = {"type": "string"}
STAFF = "Staff only: session cookie plus the X-CSRF-Token header."
OPS: dict[tuple[str, str], dict[str, Any]] = {}


def op(
    method: str,
    path: str,
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    ok: int = 200,
    result: Any = None,
    staff: bool = False,
) -> None:
    """Declare one operation."""
    spec: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(ok): {
                "description": "success",
                **({"content": {"application/json": {"schema": result}}} if result else {}),
            },
            "4XX": {
                "description": "client error",
                "content": {"application/json": {"schema": ERROR}},
            },
        },
    }
    if body is not None:
        spec["requestBody"] = body
    if staff:
        spec["description"] = STAFF
        spec["security"] = [{"session": []}]
    OPS[(method, path)] = spec


W = "/api/halls/{hall}/windows/{no}"
ticket_result = {"type": "object", "properties": {"ticket": {"oneOf": [TICKET, {"type": "null"}]}}}
window_result = {"type": "object", "properties": {"window": WINDOW}}

op("GET", "/api/halls", "List the halls", result={"type": "array"})
op("GET", "/api/halls/{hall}/matters", "List a hall's matters", result={"type": "array"})
op("GET", "/api/halls/{hall}/windows", "List a hall's windows", result={"type": "array"})
op(
    "POST",
    "/api/session",
    "Sign in (returns csrf_token)",
    body=_body({"username": STR, "password": STR}, ["username", "password"]),
)
op("GET", "/api/session", "Who is signed in", staff=True)
op("DELETE", "/api/session", "Sign out", ok=204, staff=True)
for action, summary in (
    ("sign-in", "Sign in at a window"),
    ("pause", "Pause a window"),
    ("resume", "Resume a paused window"),
    ("sign-out", "Close a window (clerk, or supervisor for any window)"),
):
    op("POST", f"{W}/{action}", summary, result=window_result, staff=True)
op(
    "POST",
    "/api/halls/{hall}/tickets",
    "Take a walk-in ticket (green or on_behalf: staff at the guide desk)",
    ok=201,
    body=_body(
        {
            "matter": STR,
            "green": {"type": "boolean"},
            "reason": {
                "enum": [
                    "elderly",
                    "disabled",
                    "pregnant",
                    "military",
                    "infant",
                    "illness",
                    "other",
                ]
            },
            "on_behalf": {"type": "boolean"},
        },
        ["matter"],
    ),
    result=TICKET,
)
op(
    "GET",
    "/api/halls/{hall}/issuing",
    "Whether each matter's tickets are issued now, the next time, and daily caps left",
    result={"type": "object"},
)
op("GET", "/api/tickets/{id}", "A ticket with position and estimated wait", result=TICKET)
op(
    "POST",
    f"{W}/call-next",
    "Call the ticket the policy chooses (null if none)",
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/call",
    "Call a chosen ticket out of order, with a reason",
    body=_body({"ticket": STR, "reason": STR}, ["ticket", "reason"]),
    result=ticket_result,
    staff=True,
)
for action, summary in (
    ("recall", "Announce the held ticket again (重呼)"),
    ("no-show", "Mark the held ticket as a no-show (过号)"),
    ("start", "Start serving the held ticket"),
):
    op("POST", f"{W}/{action}", summary, result=ticket_result, staff=True)
op(
    "POST",
    f"{W}/finish",
    "Finish the held ticket with an outcome (rejected: a reason, kept as a 否定答复 report)",
    body=_body(
        {
            "outcome": {"enum": ["completed", "materials_missing", "rejected", "referred"]},
            "reason": {"type": "string", "maxLength": 500},
        },
        ["outcome"],
    ),
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/transfer",
    "Transfer the held ticket to a matter or a window (confirm: where nobody serves now)",
    body=_body({"matter": STR, "window": {"type": "integer"}, "confirm": {"type": "boolean"}}, []),
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/park",
    "Park the held ticket (挂起)",
    body=_body({"reason": STR}, []),
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/resume-ticket",
    "Put a parked ticket back in the queue for this window",
    body=_body({"ticket": STR}, ["ticket"]),
    result=ticket_result,
    staff=True,
)
APPOINTMENT = {
    "type": "object",
    "properties": {
        "code": STR,
        "status": {"enum": ["booked", "checked_in", "cancelled", "no_show"]},
        "hall": STR,
        "hall_name": STR,
        "matter": STR,
        "matter_name": STR,
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "materials": {"type": "array", "items": STR},
        "name": {"type": "string", "description": "masked, e.g. 张*"},
        "phone": {"type": "string", "description": "masked, e.g. 138****5678"},
        "proxy": {"type": ["string", "null"], "description": "masked name of the booker"},
        "ticket": {"type": ["string", "null"]},
        "warning": {
            "type": ["object", "null"],
            "description": "credit warning: one no-show or late cancellation short of a "
            "suspension (code, message, message_zh, no_shows, late_cancellations)",
        },
    },
}
PHONE = _body({"phone": STR}, ["phone"])
op(
    "GET",
    "/api/halls/{hall}/slots",
    "Slots of a matter on a day (query: matter, date=YYYY-MM-DD)",
    result={"type": "array"},
)
op(
    "POST",
    "/api/appointments",
    "Book a slot (real name; proxy booking for a relative via 'proxy')",
    ok=201,
    body=_body(
        {
            "hall": STR,
            "matter": STR,
            "start": {"type": "string", "format": "date-time"},
            "name": STR,
            "id_kind": STR,
            "id_number": STR,
            "phone": STR,
            "proxy": {"type": "object", "properties": {"name": STR, "id_number": STR}},
        },
        ["hall", "matter", "start", "name", "id_number", "phone"],
    ),
    result=APPOINTMENT,
)
op("GET", "/api/appointments/{code}", "A booking (query: phone)", result=APPOINTMENT)
op("GET", "/api/appointments/{code}.ics", "The booking as an iCalendar event (query: phone)")
op("POST", "/api/appointments/{code}/cancel", "Cancel a booking", body=PHONE, result=APPOINTMENT)
op(
    "POST",
    "/api/appointments/{code}/move",
    "Move a booking to another slot, atomically",
    body=_body(
        {"phone": STR, "start": {"type": "string", "format": "date-time"}}, ["phone", "start"]
    ),
    result=APPOINTMENT,
)
op(
    "POST",
    "/api/halls/{hall}/check-ins",
    "Check in at the kiosk by booking code or ID number; returns the ticket",
    ok=201,
    body=_body({"code": STR, "id_number": STR, "id_kind": STR}, []),
)
SLOT_REF = {
    "group": STR,
    "matter": STR,
    "start": {"type": "string", "format": "date-time"},
}
op(
    "GET",
    "/api/halls/{hall}/slot-overrides",
    "A day's overridden slots with reason, who and when (supervisor; query: date)",
    staff=True,
)
op(
    "PUT",
    "/api/halls/{hall}/slot-overrides",
    "Override a slot's capacity or close it (supervisor; audited)",
    body=_body(
        {
            **SLOT_REF,
            "capacity": {"type": ["integer", "null"], "minimum": 0, "maximum": 1000},
            "closed": {"type": "boolean"},
            "reason": STR,
        },
        ["start", "reason"],
    ),
    staff=True,
)
op(
    "DELETE",
    "/api/halls/{hall}/slot-overrides",
    "Remove a slot's override: planned capacity, open again (supervisor; audited)",
    body=_body({**SLOT_REF, "reason": STR}, ["start"]),
    staff=True,
)
ID_DOC = {"id_kind": STR, "id_number": STR}
op(
    "POST",
    "/api/halls/{hall}/booking-credit",
    "A person's booking credit under the hall's rule (supervisor; ID in the body)",
    body=_body(ID_DOC, ["id_number"]),
    staff=True,
)
op(
    "POST",
    "/api/halls/{hall}/booking-credit/lift",
    "Lift a person's booking suspension (supervisor; audited)",
    body=_body({**ID_DOC, "reason": STR}, ["id_number", "reason"]),
    staff=True,
)
op("GET", "/api/halls/{hall}/groups", "Matter groups of a hall (kiosk sections)")
op("GET", "/api/me/window", "The window the signed-in clerk is at, if any", staff=True)
op("GET", "/api/halls/{hall}/me/today", "Today's counts for the signed-in clerk", staff=True)
op(
    "GET",
    f"{W}/queue",
    "A window's current ticket, its queue in dispatch order, and parked tickets",
    staff=True,
)
op("GET", "/api/tickets/{id}/events", "A ticket's audit history (staff of its hall)", staff=True)
op("GET", "/api/halls/{hall}/overview", "All windows and waiting lines (supervisor)", staff=True)
ADMIN_OPS = (
    ("GET", "/api/admin/config", "Download the whole configuration as TOML (no password hashes)"),
    ("PUT", "/api/admin/config", "Upload a TOML configuration: validated, then applied"),
    ("POST", "/api/admin/halls/{hall}/matters", "Add a matter (validated with the whole config)"),
    ("PUT", "/api/admin/halls/{hall}/matters/{code}", "Edit a matter (partial body)"),
    ("DELETE", "/api/admin/halls/{hall}/matters/{code}", "Deactivate a matter (never deleted)"),
    ("POST", "/api/admin/halls/{hall}/windows", "Add a window"),
    ("PUT", "/api/admin/halls/{hall}/windows/{no}", "Edit a window (partial body)"),
    ("DELETE", "/api/admin/halls/{hall}/windows/{no}", "Deactivate a closed window"),
    ("GET", "/api/admin/staff", "List staff accounts (never hashes)"),
    ("POST", "/api/admin/staff", "Create a staff account"),
    ("PUT", "/api/admin/staff/{username}", "Edit a staff account, reset its password"),
    (
        "POST",
        "/api/admin/staff/{username}/unlock",
        "Clear a sign-in lock-out (supervisor or admin)",
    ),
)
for method, path, summary in ADMIN_OPS:
    op(
        method,
        path,
        summary,
        ok=201 if method == "POST" and "unlock" not in path else 200,
        staff=True,
    )
op(
    "GET",
    "/api/halls/{hall}/board",
    "The hall's screen board: seq, hall, recent_calls, windows, waiting",
)
op(
    "POST",
    "/api/halls/{hall}/notice",
    "Set the screens' scrolling notice (supervisor)",
    body=_body({"notice": STR}, ["notice"]),
    staff=True,
)
PERIOD = "Query: from, to (YYYY-MM-DD, inclusive; default today)."
op(
    "GET",
    "/api/halls/{hall}/kpis",
    f"Every KPI of the vocabulary, hourly, windows, staff (supervisor). {PERIOD}",
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/report",
    "Period report: KPIs, share of days met, series (by=day|week|month), groups, matters, "
    "windows, staff, previous period and year before (supervisor; default last month)",
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/report.csv",
    "One table of the period report as CSV with BOM (table=kpis|series|groups|matters|"
    "windows|staff)",
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/tickets.csv",
    f"The ticket records (the planner's calibration input), CSV with BOM. {PERIOD}",
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/leaderboard",
    "Clerks ranked by a metric (metric=most_handled|widest_range|shortest_handling|"
    "best_rated|fewest_bad_ratings|most_helped; default: the current two months)",
    staff=True,
)
op("GET", "/api/kpis", f"Every hall the supervisor works in, side by side. {PERIOD}", staff=True)
op(
    "GET",
    "/api/kpis.csv",
    f"The city view as CSV with BOM: one row per hall, a column per KPI. {PERIOD}",
    staff=True,
)
op(
    "POST",
    "/api/halls/{hall}/whatif",
    "The rest of today projected from the queue right now, without and with changes "
    "(open or close windows at a time, scale the demand still to come): clear_at, KPIs with "
    "intervals, P(target met), each waiting ticket's expected call, the hourly queue "
    "(supervisor)",
    body=_body(
        {
            "changes": {"type": "array", "items": {"type": "object"}},
            "replications": {"type": "integer", "minimum": 1, "maximum": 500},
            "seed": {"type": "integer", "minimum": 0},
        },
        [],
    ),
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/whatif/state",
    "The hall's state as the what-if starts from it (tickets, windows, bookings to come; "
    "`tongban whatif --state`) (supervisor)",
    staff=True,
)
op("GET", "/api/openapi.json", "This description")


RATING_BODY = _body(
    {
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "aspects": {
            "type": "object",
            "properties": {
                name: {"type": "integer", "minimum": 1, "maximum": 5}
                for name in ("efficiency", "quality", "attitude")
            },
        },
        "reasons": {"type": "array", "items": STR},
        "comment": {"type": "string", "maxLength": 500},
        "change": {"type": "boolean", "description": "change the rating (once, within 24 h)"},
        "channel": {"enum": ["evaluator", "phone", "api"]},
    },
    ["score"],
)
CASE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["bad_rating", "cannot_handle", "help", "complaint"]},
        "status": STR,
        "ticket": {"type": ["string", "null"], "description": "ticket number"},
        "window": {"type": ["integer", "null"]},
        "staff": {"type": ["string", "null"], "description": "job number"},
        "matter": {"type": ["string", "null"]},
        "opened_at": {"type": "string", "format": "date-time"},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "overdue": {"type": "boolean"},
        "steps": {"type": "array", "items": {"type": "object"}},
    },
}
op(
    "POST",
    "/api/tickets/{id}/rating",
    "Rate a finished ticket (好差评; 409 not_finished, already_rated, rating_closed)",
    ok=201,
    body=RATING_BODY,
)
op("GET", "/api/tickets/{id}/rating", "Whether the ticket may be rated now, and its rating")
op(
    "POST",
    "/api/tickets/{id}/help",
    "Ask for 帮办 for this ticket (201 new, 200 one still open)",
    ok=201,
    body=_body({"note": STR}, []),
)
op("GET", "/api/tickets/{id}/help", "The ticket's latest 帮办 request")
op(
    "GET",
    f"{W}/evaluator",
    "What the window's evaluator shows (query: key, the pairing key)",
)
op(
    "GET",
    "/api/halls/{hall}/ratings",
    "Ratings (query: from, to, window, staff, matter; clerks: their own)",
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/rating-figures",
    "好评率, 主动评价好评率, 未评价率, 差评数 (query: from, to, by, window, staff, matter)",
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/cases",
    "Cases (query: kind, status, overdue, window, staff, matter, from, to, limit)",
    result={"type": "object", "properties": {"cases": {"type": "array", "items": CASE}}},
    staff=True,
)
op(
    "POST",
    "/api/halls/{hall}/cases",
    "Record a 办不成事 case or a complaint",
    ok=201,
    body=_body(
        {
            "kind": {"enum": ["cannot_handle", "complaint"]},
            "summary": STR,
            "ticket": STR,
            "matter": STR,
        },
        ["kind", "summary"],
    ),
    staff=True,
)
op("GET", "/api/cases/{id}", "One case with its timeline", staff=True)
op(
    "POST",
    "/api/cases/{id}/steps",
    "Take a step (409 illegal_step naming the state, already_accepted)",
    body=_body({"step": STR}, ["step"]),
    result=CASE,
    staff=True,
)
op("GET", "/api/halls/{hall}/help-requests", "Open 帮办 requests (helpers)", staff=True)
op("GET", "/api/halls/{hall}/cases.csv", "The cases as CSV (UTF-8 with BOM)", staff=True)
for path, summary in (
    ("cannot-handle/daily", "办不成事 daily summary (query: day)"),
    ("cannot-handle/daily.csv", "办不成事 daily summary as CSV"),
    ("cannot-handle/weekly", "办不成事 weekly analysis (query: day in the week)"),
    ("cannot-handle/weekly.csv", "办不成事 weekly analysis as CSV"),
    ("bad-rating-problems", "Frequent bad-rating problems (query: from, to)"),
    ("bad-rating-problems.csv", "Frequent bad-rating problems as CSV"),
):
    op("GET", f"/api/halls/{{hall}}/reports/{path}", summary, staff=True)


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), spec in OPS.items():
        paths.setdefault(path, {})[method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tongban (通办) hall API",
            "version": "0.1.0",
            "description": "Queue and appointments for government service halls. "
            "Errors share one shape; see components.schemas.Error.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": ERROR,
                "Ticket": TICKET,
                "Window": WINDOW,
                "Appointment": APPOINTMENT,
            },
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "tongban_session"}
            },
        },
    }


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(document())


routes = [Route("/api/openapi.json", openapi, methods=["GET"])]
