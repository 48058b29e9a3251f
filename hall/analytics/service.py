"""The analytics services: today's and a period's KPIs, the report, the city's halls.

Each opens one read transaction (a consistent snapshot), checks who asks, and returns
frozen dataclasses that ``web/`` turns into JSON or CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.breakdown import HourRow, WorkRow, hour_rows, work_table
from hall.analytics.daily import period_summary
from hall.analytics.figures import RISK_SHARE, WAIT_KPIS, Figure
from hall.analytics.kpis import figures_from
from hall.analytics.periods import DateRange
from hall.analytics.ratings import RatingsData, ratings_source
from hall.analytics.records import HallInfo, Record, load_hall_info, load_records
from hall.analytics.sessions import WindowSession, load_window_events, window_sessions
from hall.analytics.summary import DaySummary
from hall.catalogue import stored
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.unit import reading


@dataclass(frozen=True, slots=True)
class PeriodData:
    """Everything read for a hall and a range of days, as of ``now``."""

    info: HallInfo
    period: DateRange
    records: list[Record]
    sessions: list[WindowSession]
    ratings: RatingsData
    now: float


@dataclass(frozen=True, slots=True)
class KpiReport:
    """``GET /api/halls/{hall}/kpis``: the figures, the day by hour, windows and clerks."""

    hall: str
    period: DateRange
    as_of: datetime
    figures: dict[str, Figure]
    hourly: list[HourRow]
    windows: list[WorkRow]
    staff: list[WorkRow]
    outcomes: dict[str, int]
    recheck_seconds: float | None  # when a tile's colour changes if nothing else happens


async def read_period(
    session: AsyncSession, info: HallInfo, period: DateRange, now: datetime
) -> PeriodData:
    """The records, window sessions and ratings of a period, in the caller's transaction."""
    today = now.astimezone(info.zone).date()
    records = await load_records(session, info, period.start, period.end, today)
    begin, end = info.day_start(period.start), info.day_start(period.end + timedelta(days=1))
    events = await load_window_events(session, info.id, begin, end)
    until = min(now.timestamp(), end.timestamp())
    sessions = window_sessions(events, until, day_end=info.day_end_of)
    ratings = await ratings_source(session, info.id, period.start, period.end)
    return PeriodData(info, period, records, sessions, ratings, now.timestamp())


def today_of(info: HallInfo, now: datetime) -> DateRange:
    """The hall's service day at ``now``, as a one-day range."""
    day = now.astimezone(info.zone).date()
    return DateRange(day, day)


async def hall_kpis(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    period: DateRange | None,
    now: datetime,
) -> KpiReport:
    """A hall's KPIs over service days (default: today, with the waits in progress);
    supervisors and admins of the hall. Raises Unauthorized, Forbidden or NotFound."""
    require(staff, Role.SUPERVISOR, hall_id)
    async with reading(db) as tx:
        info = await load_hall_info(tx, hall_id)
        period = period or today_of(info, now)
        summary = await period_summary(tx, info, period, now)
        ratings = await ratings_source(tx.session, info.id, period.start, period.end)
    return kpi_report(info, period, now, summary, ratings)


def kpi_report(
    info: HallInfo, period: DateRange, now: datetime, summary: DaySummary, ratings: RatingsData
) -> KpiReport:
    """The KPI report of a period from the summary of its days."""
    figures = figures_from(summary.figures, ratings, info)
    return KpiReport(
        hall=info.id,
        period=period,
        as_of=now.astimezone(info.zone),
        figures=figures,
        hourly=hour_rows(summary.hours, now.timestamp(), info),
        windows=work_table(summary.windows),
        staff=work_table(summary.staff),
        outcomes=dict(sorted(summary.outcomes.items())),
        recheck_seconds=recheck_seconds(figures),
    )


def recheck_seconds(figures: dict[str, Figure]) -> float | None:
    """Seconds until a wait's tile changes colour if nothing else happens, or None.

    Each wait in progress adds a minute per minute, so a mean of n observations with k
    running rises by k/n minutes per minute until the next call or arrival.
    """
    soonest: float | None = None
    for name in WAIT_KPIS:
        f = figures[name]
        if f.value is None or f.target is None or f.in_progress == 0:
            continue
        for bound in (RISK_SHARE * f.target, f.target):
            if bound >= f.value:
                minutes = (bound - f.value) * f.n / f.in_progress
                seconds = round(minutes * 60 + 1, 1)
                soonest = seconds if soonest is None else min(soonest, seconds)
                break
    return soonest


@dataclass(frozen=True, slots=True)
class HallFigures:
    """One hall's row in the city view."""

    hall: str
    name: str
    name_en: str
    period: DateRange
    figures: dict[str, Figure]


async def city_kpis(
    db: Database, staff: StaffMember | None, period: DateRange | None, now: datetime
) -> list[HallFigures]:
    """Every hall the supervisor or admin works in, side by side. Raises Unauthorized or
    Forbidden."""
    member = require(staff, Role.SUPERVISOR)
    found = []
    async with reading(db) as tx:
        session = tx.session
        halls = [h for h in await stored.list_halls(session) if member.works_in(h.id)]
        for hall in halls:
            info = await load_hall_info(tx, hall.id)
            days = period or today_of(info, now)
            summary = await period_summary(tx, info, days, now)
            ratings = await ratings_source(session, info.id, days.start, days.end)
            figures = figures_from(summary.figures, ratings, info)
            found.append(HallFigures(hall.id, hall.name, hall.name_en, days, figures))
    return found
