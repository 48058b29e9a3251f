"""The evaluator's pairing key: a window's tablet gets the ratings' capability (the ticket
id) only with the key a supervisor's link carries (HMAC of the hall, the window and the
server's secret key; rotating ``HALL_SECRET_KEY`` unpairs every evaluator)."""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import HTTPConnection

from hall.errors import Forbidden
from web.deps import settings

KEY_LENGTH = 24


def evaluator_key(secret: str, hall_id: str, number: int) -> str:
    message = f"evaluator:{hall_id}:{number}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:KEY_LENGTH]


def evaluator_key_ok(conn: HTTPConnection, hall_id: str, number: int) -> bool:
    sent = conn.query_params.get("key", "")
    wanted = evaluator_key(settings(conn).secret_key, hall_id, number)
    # As bytes: compare_digest refuses str with non-ASCII characters (a 500 before).
    return hmac.compare_digest(sent.encode(), wanted.encode())


def require_evaluator_key(conn: HTTPConnection, hall_id: str, number: int) -> None:
    if not evaluator_key_ok(conn, hall_id, number):
        raise Forbidden(
            "This evaluator is not paired with the window: open the link from the case desk.",
            "该评价器尚未与窗口配对，请使用工单台中的评价器链接打开。",
        )
