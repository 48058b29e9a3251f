"""Staff sessions (signed cookie) and CSRF protection for cookie-authenticated writes.

A signed-in client gets a CSRF token from ``POST /api/session`` (and ``GET``); every
POST/PUT/PATCH/DELETE made with the session cookie must send it in the
``X-CSRF-Token`` header (or a ``csrf_token`` form field).
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import HTTPConnection, Request

from hall.errors import Forbidden
from hall.staff.accounts import StaffMember, load_member
from web.deps import database

SESSION_COOKIE = "tongban_session"
SESSION_SECONDS = 12 * 3600  # one working day
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def start_session(request: Request, staff: StaffMember) -> str:
    """Bind the session cookie to a staff member; returns the new CSRF token."""
    request.session.clear()
    token = secrets.token_urlsafe(32)
    request.session.update({"staff_id": staff.id, "csrf": token})
    return token


def end_session(request: Request) -> None:
    request.session.clear()


def csrf_token(conn: HTTPConnection) -> str | None:
    token = conn.session.get("csrf")
    return token if isinstance(token, str) else None


async def current_staff(conn: HTTPConnection) -> StaffMember | None:
    """The signed-in staff member, re-read from the database (a deactivated account is out)."""
    staff_id = conn.session.get("staff_id")
    if not isinstance(staff_id, int):
        return None
    return await load_member(database(conn), staff_id)


async def acting_staff(request: Request, form_token: str | None = None) -> StaffMember | None:
    """The signed-in staff member for a write, after checking the CSRF token."""
    staff = await current_staff(request)
    if staff is not None and request.method in UNSAFE:
        expected = csrf_token(request) or ""
        sent = request.headers.get("x-csrf-token") or form_token or ""
        if not expected or not hmac.compare_digest(expected, sent):
            raise Forbidden(
                "Missing or wrong CSRF token: send the token from POST /api/session "
                "in the X-CSRF-Token header.",
                "缺少或错误的 CSRF 令牌：请在 X-CSRF-Token 请求头中携带登录时返回的令牌。",
            )
    return staff
