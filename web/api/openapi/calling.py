"""Operations of the hall's floor: catalogue, session, tickets and windows, views, screens."""

from __future__ import annotations

from web.api.openapi.core import body, op
from web.api.openapi.schemas import (
    BOOL,
    INT,
    MOMENT,
    OBJECT,
    STR,
    array,
    nullable,
    obj,
    ref,
)

W = "/api/halls/{hall}/windows/{no}"
NAME = {"type": "string", "minLength": 1, "maxLength": 64}
REASON = {"type": "string", "maxLength": 500}
TICKET_ID = {"type": "string", "minLength": 1, "maxLength": 64}
ticket_result = obj({"ticket": nullable(ref("Ticket"))})
window_result = obj({"window": ref("Window")})

op("GET", "/api/halls", "List the halls", result=array(obj({"id": STR, "name": STR})))
op("GET", "/api/halls/{hall}/matters", "List a hall's matters", result=array(ref("Matter")))
op("GET", "/api/halls/{hall}/windows", "List a hall's windows", result=array(ref("Window")))
op(
    "POST",
    "/api/session",
    "Sign in (returns csrf_token)",
    body=body(
        {"username": NAME, "password": {"type": "string", "minLength": 1, "maxLength": 1024}},
        ["username", "password"],
    ),
    result=ref("Session"),
)
op("GET", "/api/session", "Who is signed in", result=ref("Session"), staff=True)
op("DELETE", "/api/session", "Sign out", ok=204, kind=None, staff=True)
op("POST", f"{W}/sign-in", "Sign in at a window", result=window_result, staff=True)
op(
    "POST",
    f"{W}/pause",
    "Pause a window",
    body=body({"reason": REASON}, []),
    result=window_result,
    staff=True,
)
op("POST", f"{W}/resume", "Resume a paused window", result=window_result, staff=True)
op(
    "POST",
    f"{W}/sign-out",
    "Close a window (clerk, or supervisor for any window)",
    result=window_result,
    staff=True,
)
op(
    "POST",
    "/api/halls/{hall}/tickets",
    "Take a walk-in ticket (green or on_behalf: staff at the guide desk)",
    ok=201,
    body=body(
        {
            "matter": NAME,
            "green": BOOL,
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
            "on_behalf": BOOL,
        },
        ["matter"],
    ),
    result=ref("Ticket"),
)
op(
    "GET",
    "/api/halls/{hall}/issuing",
    "Whether each matter's tickets are issued now, the next time, and daily caps left",
    result=obj({"hall": STR, "open": BOOL, "matters": OBJECT}),
)
op(
    "GET",
    "/api/tickets/{id}",
    "A ticket with position and estimated wait",
    result=ref("Ticket"),
)
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
    body=body({"ticket": TICKET_ID, "reason": REASON}, ["ticket", "reason"]),
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
    body=body(
        {
            "outcome": {"enum": ["completed", "materials_missing", "rejected", "referred"]},
            "reason": REASON,
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
    body=body({"matter": NAME, "window": {"type": "integer", "minimum": 1}, "confirm": BOOL}, []),
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/park",
    "Park the held ticket (挂起)",
    body=body({"reason": REASON}, []),
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/resume-ticket",
    "Put a parked ticket back in the queue for this window",
    body=body({"ticket": TICKET_ID}, ["ticket"]),
    result=ticket_result,
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/groups",
    "Matter groups of a hall (kiosk sections)",
    result=array(obj({"code": STR, "name": STR, "matters": array(ref("Matter")), "waiting": INT})),
)
op(
    "GET",
    "/api/me/window",
    "The window the signed-in clerk is at, if any",
    result=obj({"window": nullable(obj({"hall": STR, "number": INT, "status": STR}))}),
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/me/today",
    "Today's counts for the signed-in clerk",
    result=obj({"hall": STR, "called": INT, "finished": INT, "no_show": INT}),
    staff=True,
)
op(
    "GET",
    f"{W}/queue",
    "A window's current ticket, its queue in dispatch order, and parked tickets",
    result=obj(
        {
            "window": ref("Window"),
            "current": nullable(OBJECT),
            "queue": array(OBJECT),
            "parked": array(OBJECT),
            "at": MOMENT,
        }
    ),
    staff=True,
)
op(
    "GET",
    "/api/tickets/{id}/events",
    "A ticket's audit history (staff of its hall)",
    result=obj({"ticket": STR, "events": array(obj({"kind": STR, "at": MOMENT}))}),
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/overview",
    "All windows and waiting lines (supervisor)",
    result=obj({"hall": OBJECT, "at": MOMENT, "windows": array(OBJECT), "groups": array(OBJECT)}),
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/board",
    "The hall's screen board: seq, hall, recent_calls, windows, waiting",
    result=obj(
        {
            "seq": INT,
            "hall": obj({"id": STR, "name": STR, "notice": STR}),
            "recent_calls": array(OBJECT),
            "windows": array(obj({"number": INT, "status": STR})),
            "waiting": array(OBJECT),
        }
    ),
)
op(
    "POST",
    "/api/halls/{hall}/notice",
    "Set the screens' scrolling notice (supervisor); an empty text clears it, a missing "
    "field is a 422",
    body=body({"notice": {"type": "string", "maxLength": 500}}, ["notice"]),
    result=obj({"hall": STR, "notice": STR}),
    staff=True,
)
op(
    "POST",
    "/api/halls/{hall}/whatif",
    "The rest of today projected from the queue right now, without and with changes "
    "(open or close windows at a time, scale the demand still to come): clear_at, KPIs with "
    "intervals, P(target met), each waiting ticket's expected call, the hourly queue "
    "(supervisor)",
    body=body(
        {
            "changes": {"type": "array", "items": OBJECT, "maxItems": 50},
            "replications": {"type": "integer", "minimum": 1, "maximum": 500},
            "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        },
        [],
    ),
    result=obj({"hall": STR, "as_of": MOMENT, "replications": INT, "baseline": OBJECT}),
    staff=True,
)
op(
    "GET",
    "/api/halls/{hall}/whatif/state",
    "The hall's state as the what-if starts from it (tickets, windows, bookings to come; "
    "`tongban whatif --state`) (supervisor)",
    result=obj({"format": INT, "hall": STR, "windows": array(OBJECT), "tickets": array(OBJECT)}),
    staff=True,
)
op("GET", "/api/openapi.json", "This description", result=obj({"openapi": STR, "paths": OBJECT}))
