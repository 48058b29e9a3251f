"""Query-string values read once at the edge, with a 422 naming the parameter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.requests import Request

from hall.analytics.periods import EARLIEST, LATEST
from hall.cases.period import DayRange
from hall.errors import InvalidInput
from web.paths import PATH_INT_DIGITS, PATH_INT_MAX

# Bookings, moves and slot overrides lie near today: a year back, two years ahead. Days in
# queries (reports, exports) lie in the years a hall can have records for. Beyond these the
# calendar's own edges (year 1, year 9999) overflowed in time-zone arithmetic.
PAST_DAYS = 366
FUTURE_DAYS = 2 * 366
FIRST_DAY, LAST_DAY = EARLIEST, LATEST


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
        found = date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, "a date YYYY-MM-DD", "日期 YYYY-MM-DD") from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise _bad(
            name,
            f"a date from {FIRST_DAY} to {LAST_DAY}",
            f" {FIRST_DAY} 至 {LAST_DAY} 之间的日期",
        )
    return found


def whole(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= PATH_INT_DIGITS):
        raise _bad(name, f"a whole number from 0 to {PATH_INT_MAX}", f" 0 至 {PATH_INT_MAX} 的整数")
    return int(raw)


def flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if raw not in ("true", "false", "1", "0"):
        raise _bad(name, "true or false", " true 或 false")
    return raw in ("true", "1")


def text(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name) or None
    if raw is not None and not raw.isprintable():
        raise _bad(name, "text without control characters", "不含控制字符的文本")
    return raw


def today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def period(request: Request, now: datetime, timezone: str, days: int = 30) -> DayRange:
    """``from``/``to`` (inclusive); by default the last ``days`` days up to today."""
    last = day(request, "to") or today(now, timezone)
    first = day(request, "from") or last - timedelta(days=days - 1)
    if (last - first).days > 366:
        raise _bad("from", "at most a year before 'to'", "不早于 'to' 一年以上的日期")
    return DayRange(first, last)


def near_today(moment: datetime, name: str, now: datetime) -> datetime:
    """``moment`` if it lies from a year before ``now`` to two years after; else a 422."""
    first, last = now - timedelta(days=PAST_DAYS), now + timedelta(days=FUTURE_DAYS)
    if not first <= moment <= last:
        raise _range(name, first.date(), last.date(), "field")
    return moment


def day_near_today(found: date, name: str, now: datetime) -> date:
    """``found`` if it lies from a year before ``now`` to two years after; else a 422."""
    first = (now - timedelta(days=PAST_DAYS)).date()
    last = (now + timedelta(days=FUTURE_DAYS)).date()
    if not first <= found <= last:
        raise _range(name, first, last, "query parameter")
    return found


def _range(name: str, first: date, last: date, what: str) -> InvalidInput:
    what_zh = "字段" if what == "field" else "查询参数"
    return InvalidInput(
        f"The {what} {name!r} must lie between {first} and {last}.",
        f"{what_zh}“{name}”必须在 {first} 至 {last} 之间。",
        fields={name: f"between {first} and {last}"},
    )
