"""Staff sessions (a cookie naming a session kept in the database) and CSRF protection.

A signed-in client gets a CSRF token from ``POST /api/session`` (and ``GET``); every
POST/PUT/PATCH/DELETE made with the session cookie must send it in the
``X-CSRF-Token`` header (or a ``csrf_token`` form field). The token is an HMAC of the
session's random id under ``HALL_SECRET_KEY``, so every server process agrees on it and
it dies with the session.

The cookie is ``HttpOnly`` and ``SameSite=Strict``, and ``Secure`` when the request came
over HTTPS or ``HALL_COOKIE_SECURE`` is set (behind a reverse proxy that ends TLS).
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from hall.errors import Forbidden
from hall.staff.accounts import StaffMember, session_member
from hall.staff.sessions import SESSION_SECONDS
from web.deps import clock, database, settings

SESSION_COOKIE = "tongban_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def session_token(conn: HTTPConnection) -> str | None:
    """The session token the client sent, if any."""
    return conn.cookies.get(SESSION_COOKIE) or None


def csrf_for(conn: HTTPConnection, token: str | None) -> str | None:
    """The CSRF token that goes with a session token."""
    if not token:
        return None
    key = settings(conn).secret_key.encode()
    return hmac.new(key, b"csrf\n" + token.encode(), hashlib.sha256).hexdigest()


def csrf_token(conn: HTTPConnection) -> str | None:
    return csrf_for(conn, session_token(conn))


def secure_cookies(conn: HTTPConnection) -> bool:
    """Whether the session cookie gets ``Secure``: HTTPS, or HALL_COOKIE_SECURE."""
    return settings(conn).cookie_secure or conn.url.scheme in ("https", "wss")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )


async def current_staff(conn: HTTPConnection) -> StaffMember | None:
    """The signed-in staff member: an open session of an active account, else None."""
    token = session_token(conn)
    if token is None:
        return None
    return await session_member(database(conn), token, clock(conn)())


async def acting_staff(request: Request, form_token: str | None = None) -> StaffMember | None:
    """The signed-in staff member for a write, after checking the CSRF token."""
    staff = await current_staff(request)
    if staff is not None and request.method in UNSAFE:
        expected = csrf_token(request) or ""
        sent = request.headers.get("x-csrf-token") or form_token or ""
        # As bytes: compare_digest refuses str with non-ASCII characters (a 500 before).
        if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
            raise Forbidden(
                "Missing or wrong CSRF token: send the token from POST /api/session "
                "in the X-CSRF-Token header.",
                "缺少或错误的 CSRF 令牌：请在 X-CSRF-Token 请求头中携带登录时返回的令牌。",
            )
    return staff
