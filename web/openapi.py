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
    "Take a walk-in ticket (green: staff only)",
    ok=201,
    body=_body({"matter": STR, "green": {"type": "boolean"}}, ["matter"]),
    result=TICKET,
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
    "Finish the held ticket with an outcome",
    body=_body(
        {"outcome": {"enum": ["completed", "materials_missing", "rejected", "referred"]}},
        ["outcome"],
    ),
    result=ticket_result,
    staff=True,
)
op(
    "POST",
    f"{W}/transfer",
    "Transfer the held ticket to a matter or a window",
    body=_body({"matter": STR, "window": {"type": "integer"}}, []),
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
op("GET", "/api/openapi.json", "This description")


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
            "schemas": {"Error": ERROR, "Ticket": TICKET, "Window": WINDOW},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "tongban_session"}
            },
        },
    }


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(document())


routes = [Route("/api/openapi.json", openapi, methods=["GET"])]
