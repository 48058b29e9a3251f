"""When the hall issues tickets (取号开始, 停止取号) and how many a day (每日限号).

Pure rules over the hall configuration and an explicit ``now``; the caller counts the
day's tickets. A matter is served while a regular opening period or an extended session
that accepts it is open; periods that touch (a day's hours and the evening session
straight after) are one stretch. Tickets for a stretch are issued from
``tickets_from_minutes`` before it opens until ``tickets_until_minutes`` before it
closes. Refusals are 409s naming the next time the matter is served:

- ``hall_closed``: the hall issues no ticket at all now;
- ``matter_not_served_now``: the hall issues tickets, but not for this matter;
- ``daily_cap_reached``: the day's cap for the matter or its group is used up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.context import HallContext
from hall.catalogue.cache import hall_config, hall_config_at
from hall.catalogue.calendar import ANY, cap_matters, open_periods
from hall.catalogue.schema import DailyCap, Hall
from hall.errors import Conflict
from hall.store.db import Database
from hall.store.models import TicketRow
from hall.store.unit import Tx, reading
from queueing import Source

SEARCH_DAYS = 60  # a matter not served within two months has no "next time"
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class HallClosed(Conflict):
    """The hall issues no tickets now."""

    code = "hall_closed"


class MatterNotServedNow(Conflict):
    """The hall issues tickets now, but not for this matter."""

    code = "matter_not_served_now"


class DailyCapReached(Conflict):
    """The day's tickets for the matter (or its group) are all issued."""

    code = "daily_cap_reached"


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of service for a matter, with the times its tickets are issued (aware)."""

    opens: datetime
    closes: datetime
    issue_from: datetime
    issue_until: datetime

    def issuing(self, now: datetime) -> bool:
        return self.issue_from <= now < self.issue_until


def served_periods(hall: Hall, day: date, matter: str) -> list[tuple[time, time]]:
    """The day's local periods that serve the matter, touching ones joined."""
    joined: list[tuple[time, time]] = []
    for period in open_periods(hall, day, (matter,)):
        if ANY not in period.matters and matter not in period.matters:
            continue
        if joined and period.start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], period.end))
        else:
            joined.append((period.start, period.end))
    return joined


def stretches(hall: Hall, day: date, matter: str) -> list[Stretch]:
    """The matter's stretches of service on a hall-local day."""
    zone = ZoneInfo(hall.timezone)
    before = timedelta(minutes=hall.day.tickets_from_minutes)
    stop = timedelta(minutes=hall.day.tickets_until_minutes)
    found = []
    for start, end in served_periods(hall, day, matter):
        opens = datetime.combine(day, start, tzinfo=zone)
        closes = datetime.combine(day, end, tzinfo=zone)
        found.append(Stretch(opens, closes, opens - before, max(opens, closes - stop)))
    return found


def current_or_next(hall: Hall, matter: str, now: datetime) -> Stretch | None:
    """The stretch issuing now, or the next one to issue; None if none within SEARCH_DAYS."""
    today = now.astimezone(ZoneInfo(hall.timezone)).date()
    for offset in range(SEARCH_DAYS + 1):
        for stretch in stretches(hall, today + timedelta(days=offset), matter):
            if now < stretch.issue_until:
                return stretch
    return None


def issuing_now(hall: Hall, matter: str, now: datetime) -> bool:
    """Whether a ticket for the matter may be issued at ``now``."""
    stretch = current_or_next(hall, matter, now)
    return stretch is not None and stretch.issuing(now)


def hall_issuing_now(hall: Hall, now: datetime) -> bool:
    """Whether the hall issues tickets for any matter at ``now``."""
    return any(issuing_now(hall, m.code, now) for m in hall.matters)


def check_issuing(hall: Hall, matter: str, now: datetime) -> None:
    """Raise HallClosed or MatterNotServedNow unless a ticket may be issued now."""
    stretch = current_or_next(hall, matter, now)
    if stretch is not None and stretch.issuing(now):
        return
    en, zh = next_time_text(stretch)
    if hall_issuing_now(hall, now):
        raise MatterNotServedNow(
            f"This matter is not handled at this time. {en}",
            f"该事项当前不办理。{zh}",
            fields=_fields(matter, stretch),
        )
    raise HallClosed(
        f"The hall is not issuing tickets now. {en}",
        f"大厅当前不在取号时间内。{zh}",
        fields=_fields(matter, stretch),
    )


def next_time_text(stretch: Stretch | None) -> tuple[str, str]:
    """'It is next handled on Mon 7 Dec at 09:00 (tickets from 08:30).' in both languages."""
    if stretch is None:
        return (
            "No opening time is scheduled for it; please ask at the guide desk.",
            "近期没有该事项的办理安排，请到导办台咨询。",
        )
    opens, start = stretch.opens, stretch.issue_from
    en = f"It is next handled on {opens:%a %d %b} at {opens:%H:%M} (tickets from {start:%H:%M})."
    day_zh = f"{opens.month}月{opens.day}日（{_WEEKDAYS_ZH[opens.weekday()]}）"
    zh = f"下次办理时间：{day_zh}{opens:%H:%M}，{start:%H:%M}起可取号。"
    return en, zh


def _fields(matter: str, stretch: Stretch | None) -> dict[str, str]:
    fields = {"matter": matter}
    if stretch is not None:
        fields["next_open"] = stretch.opens.isoformat()
        fields["next_issue_from"] = stretch.issue_from.isoformat()
    return fields


@dataclass(frozen=True, slots=True)
class CapState:
    """A daily cap as it stands: the tickets left and whether the kiosk should warn."""

    cap: DailyCap
    issued: int

    @property
    def remaining(self) -> int:
        return max(0, self.cap.limit - self.issued)

    @property
    def warning(self) -> bool:
        return 0 < self.remaining <= self.cap.warn_remaining


def caps_for(hall: Hall, matter: str) -> list[DailyCap]:
    """The caps that count tickets of the matter (its own and its group's)."""
    group = next((m.group for m in hall.matters if m.code == matter), "")
    return [c for c in hall.day.caps if c.matter == matter or (c.group and c.group == group)]


def check_caps(hall: Hall, matter: str, states: Iterable[CapState], now: datetime) -> None:
    """Raise DailyCapReached if any cap on the matter is used up."""
    for state in states:
        if state.remaining > 0:
            continue
        zone = ZoneInfo(hall.timezone)
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        stretch = current_or_next(hall, matter, datetime.combine(tomorrow, time(0), tzinfo=zone))
        en, zh = next_time_text(stretch)
        which = "this matter" if state.cap.matter else "this group of matters"
        which_zh = "该事项" if state.cap.matter else "该类事项"
        raise DailyCapReached(
            f"Today's {state.cap.limit} tickets for {which} have all been issued. {en}",
            f"{which_zh}今日 {state.cap.limit} 个号已全部发完。{zh}",
            fields=_fields(matter, stretch),
        )


async def cap_states(session: AsyncSession, hall: Hall, day: date, matter: str) -> list[CapState]:
    """The caps on the matter with the walk-in tickets issued under each on ``day``."""
    states = []
    for cap in caps_for(hall, matter):
        query = select(func.count()).where(
            TicketRow.hall_id == hall.id,
            TicketRow.service_day == day,
            TicketRow.source == Source.WALK_IN.value,
            TicketRow.matter_code.in_(cap_matters(hall, cap)),
        )
        states.append(CapState(cap, int(await session.scalar(query) or 0)))
    return states


async def check_new_ticket(
    tx: Tx, ctx: HallContext, matter: str, now: datetime, *, green: bool = False
) -> None:
    """Apply the hall's issuing rules to a new walk-in ticket (green ones skip the caps).

    Raises HallClosed, MatterNotServedNow or DailyCapReached.
    """
    hall = await hall_config_at(tx, ctx.id, ctx.hall.updated_at)
    day = ctx.day(now)
    check_issuing(hall, matter, now)
    if not green:
        check_caps(hall, matter, await cap_states(tx.session, hall, day, matter), now)


@dataclass(frozen=True, slots=True)
class MatterIssuing:
    """Whether a matter's tickets are issued now, and how many are left today."""

    issuing: bool
    next_open: datetime | None  # the stretch issuing now, or the next one
    next_issue_from: datetime | None
    remaining: int | None  # under its tightest cap; None without a cap
    warning: bool  # few left: the kiosk says so


@dataclass(frozen=True, slots=True)
class IssuingStatus:
    """The hall's issuing now: open or not, why, and each matter's state (the kiosk's view)."""

    hall: str
    at: datetime
    open: bool
    message: str
    message_zh: str
    next_open: datetime | None
    matters: dict[str, MatterIssuing]


async def issuing_status(db: Database, hall_id: str, now: datetime) -> IssuingStatus:
    """Every matter's issuing state at ``now``; raises NotFound for an unknown hall."""
    async with reading(db) as tx:
        hall = await hall_config(tx, hall_id)
        day = now.astimezone(ZoneInfo(hall.timezone)).date()
        matters, found = {}, []
        for matter in hall.matters:
            stretch = current_or_next(hall, matter.code, now)
            if stretch is not None:
                found.append(stretch)
            states = await cap_states(tx.session, hall, day, matter.code)
            tightest = min(states, key=lambda s: s.remaining, default=None)
            matters[matter.code] = MatterIssuing(
                issuing=stretch is not None and stretch.issuing(now),
                next_open=None if stretch is None else stretch.opens,
                next_issue_from=None if stretch is None else stretch.issue_from,
                remaining=None if tightest is None else tightest.remaining,
                warning=tightest is not None and tightest.warning,
            )
    is_open = any(m.issuing for m in matters.values())
    first = min(found, key=lambda s: s.issue_from, default=None)
    en, zh = ("", "") if is_open else next_time_text(first)
    if not is_open:
        en, zh = f"The hall is not issuing tickets now. {en}", f"大厅当前不在取号时间内。{zh}"
    return IssuingStatus(
        hall_id, now, is_open, en, zh, None if first is None else first.opens, matters
    )
