"""Query-string values read once at the edge, with a 422 naming the parameter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.requests import Request

from hall.cases.period import DayRange
from hall.errors import InvalidInput


def _bad(name: str, what: str, what_zh: str) -> InvalidInput:
    return InvalidInput(
        f"The query parameter {name!r} must be {what}.",
        f"查询参数 {name!r} 必须是{what_zh}。",
        fields={name: what},
    )


def day(request: Request, name: str, default: date | None = None) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, "a date YYYY-MM-DD", "日期 YYYY-MM-DD") from None


def whole(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise _bad(name, "a whole number", "整数")
    return int(raw)


def flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if raw not in ("true", "false", "1", "0"):
        raise _bad(name, "true or false", " true 或 false")
    return raw in ("true", "1")


def text(request: Request, name: str) -> str | None:
    return request.query_params.get(name) or None


def today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def period(request: Request, now: datetime, timezone: str, days: int = 30) -> DayRange:
    """``from``/``to`` (inclusive); by default the last ``days`` days up to today."""
    last = day(request, "to") or today(now, timezone)
    first = day(request, "from") or last - timedelta(days=days - 1)
    if (last - first).days > 366:
        raise _bad("from", "at most a year before 'to'", "不早于 'to' 一年以上的日期")
    return DayRange(first, last)
