"""One JSON error shape for every API failure, mapped in one place.

``{"error": {"code": ..., "message": ..., "message_zh": ..., "fields": {...}}}``
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from hall.errors import HallError
from hall.store.outage import RETRY_AFTER_SECONDS, is_outage
from web.i18n import lang_of
from web.pages.common import error_page

log = logging.getLogger(__name__)

_HTTP_TEXT: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "The request could not be understood.", "请求格式有误。"),
    401: ("unauthorized", "Please sign in first.", "请先登录。"),
    403: ("forbidden", "You are not allowed to do this.", "您没有权限执行此操作。"),
    404: ("not_found", "There is nothing at this address.", "该地址不存在。"),
    405: ("method_not_allowed", "This method is not allowed here.", "此地址不支持该请求方法。"),
    413: ("too_large", "The request body is too large.", "请求内容过大。"),
    429: ("too_many_requests", "Too many requests; please wait.", "请求过于频繁，请稍后再试。"),
}


def error_response(
    status: int,
    code: str,
    message: str,
    message_zh: str,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The project's JSON error response."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "message_zh": message_zh,
            "fields": dict(fields or {}),
        }
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


async def hall_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HallError)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return error_response(exc.status, exc.code, exc.message, exc.message_zh, exc.fields, headers)


def wants_html(request: Request) -> bool:
    """A browser asking for a page (JSON stays for /api/ and for other clients)."""
    path = request.url.path
    if path.startswith(("/api/", "/ws/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def html_error(request: Request, status: int, message: str, message_zh: str) -> Response:
    """The error as a page in the request's language, for a person in a browser."""
    title = {403: "forbidden_title", 404: "not_found_title"}.get(status, "error_title")
    return error_page(request, status, title, message_zh if lang_of(request) == "zh" else message)


def allowed_methods(request: Request) -> str:
    """Every method of every route at the request's path (several routes may share one)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": allowed_methods(request)}
    code, message, message_zh = _HTTP_TEXT.get(
        exc.status_code, ("http_error", str(exc.detail), str(exc.detail))
    )
    if exc.detail and exc.status_code not in _HTTP_TEXT:
        message = message_zh = str(exc.detail)
    if wants_html(request) and exc.status_code >= 400:
        response = html_error(request, exc.status_code, message, message_zh)
        response.headers.update(exc.headers or {})
        return response
    return error_response(exc.status_code, code, message, message_zh, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, request.url.path)
    message = "Something went wrong on our side; the action was not completed. Please try again."
    message_zh = "服务器内部错误，操作未完成，请重试。"
    if wants_html(request):
        return html_error(request, 500, message, message_zh)
    return error_response(500, "internal_error", message, message_zh)


async def outage_error(request: Request, exc: Exception) -> Response:
    """503 ``database_unavailable`` with Retry-After while the database is out of reach;
    any other error of these kinds goes on to ``server_error`` (500)."""
    if request.scope["type"] != "http" or not is_outage(exc):
        raise exc
    log.warning("Database unavailable on %s %s: %s", request.method, request.url.path, exc)
    message = (
        "The service is briefly unavailable (its database cannot be reached). "
        f"Please try again in {RETRY_AFTER_SECONDS} seconds."
    )
    message_zh = f"服务暂时不可用（无法连接数据库），请 {RETRY_AFTER_SECONDS} 秒后重试。"
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_html(request):
        response = html_error(request, 503, message, message_zh)
        response.headers.update(headers)
        return response
    return error_response(503, "database_unavailable", message, message_zh, headers=headers)


def _outage_types() -> tuple[type[Exception], ...]:
    """Where a database outage surfaces: SQLAlchemy's wrappers, sockets, asyncpg itself."""
    kinds: list[type[Exception]] = [
        sa_exc.DBAPIError,
        sa_exc.TimeoutError,
        sa_exc.DisconnectionError,
        OSError,
    ]
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - only without the postgres extra
        return tuple(kinds)
    return (*kinds, asyncpg.exceptions.PostgresError, asyncpg.exceptions.InterfaceError)


EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    HallError: hall_error,
    HTTPException: http_error,
    **dict.fromkeys(_outage_types(), outage_error),
    Exception: server_error,
}
