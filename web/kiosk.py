"""Anonymous ticket issuing, limited: per client address, or per registered kiosk.

A kiosk sends its device token in the ``X-Kiosk-Token`` header or, for the kiosk page
set up by an admin, in the ``tongban_kiosk`` cookie. An active token of the hall counts
against the kiosk's own limit (``HALL_KIOSK_RATE_LIMIT``); an unknown or revoked token
is ignored and the request counts against its address (``HALL_TICKET_RATE_LIMIT``), so
a kiosk whose token was revoked keeps issuing at a citizen's pace instead of stopping.
The hall day's caps (``hall.calling.issuing``) apply to every ticket on top of these.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request

from hall.admin.kiosks import kiosk_for_token
from web.deps import clock, database
from web.ratelimit import RateLimiter

KIOSK_HEADER = "x-kiosk-token"
KIOSK_COOKIE = "tongban_kiosk"
TICKETS = ("ticket requests", "取号")


def ticket_limiters(per_address: int, per_kiosk: int) -> tuple[RateLimiter, RateLimiter]:
    """The per-address and per-kiosk ticket limiters (0 turns either off)."""
    return RateLimiter(per_address, what=TICKETS), RateLimiter(per_kiosk, what=TICKETS)


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def kiosk_token(conn: HTTPConnection) -> str:
    return conn.headers.get(KIOSK_HEADER) or conn.cookies.get(KIOSK_COOKIE) or ""


async def limit_ticket(request: Request, hall_id: str) -> None:
    """Count one anonymous ticket; raises TooManyAttempts (429, Retry-After) past a limit."""
    state = request.app.state
    now = clock(request)().timestamp()
    token = kiosk_token(request)
    if token:
        kiosk = await kiosk_for_token(database(request), hall_id, token)
        if kiosk is not None:
            state.kiosk_ticket_limiter.hit(f"kiosk:{kiosk}", now)
            return
    state.ticket_limiter.hit(client_address(request), now)
