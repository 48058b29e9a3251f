"""The period report: the KPIs with the share of days met, a series by day, week or month,
the tables by matter group, matter, window and clerk, and the comparisons (环比, 同比)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from hall.analytics.breakdown import WorkRow, work_rows
from hall.analytics.daily import period_summary
from hall.analytics.figures import Figure, workload
from hall.analytics.kpis import all_figures, figures_from
from hall.analytics.periods import Bucket, DateRange, last_month
from hall.analytics.ratings import RatingsData, ratings_source
from hall.analytics.records import HallInfo, Record, load_hall_info
from hall.analytics.service import PeriodData, figures_of, read_period
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.unit import Tx, reading
from queueing.vocabulary import KPIS


@dataclass(frozen=True, slots=True)
class Slice:
    """The figures of one part of the period (a day, a group, a matter)."""

    key: str
    name: str
    name_en: str
    figures: dict[str, Figure]


@dataclass(frozen=True, slots=True)
class DaysMet:
    """On how many of the days with a value a KPI met its target."""

    met: int
    days: int

    @property
    def share(self) -> float | None:
        return None if self.days == 0 else round(self.met / self.days, 4)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Another period's figures (the one before, or the same dates a year earlier)."""

    period: DateRange
    figures: dict[str, Figure]


@dataclass(frozen=True, slots=True)
class PeriodReport:
    hall: str
    name: str
    name_en: str
    period: DateRange
    by: Bucket
    as_of: datetime
    figures: dict[str, Figure]
    days_met: dict[str, DaysMet]
    series: list[Slice]
    groups: list[Slice]
    matters: list[Slice]
    windows: list[WorkRow]
    staff: list[WorkRow]
    previous: Comparison
    year_before: Comparison


async def period_report(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    period: DateRange | None,
    by: Bucket,
    now: datetime,
) -> PeriodReport:
    """A hall's report over a period (default: last calendar month); supervisors and
    admins of the hall. Raises Unauthorized, Forbidden or NotFound."""
    require(staff, Role.SUPERVISOR, hall_id)
    async with reading(db) as tx:
        session = tx.session
        info = await load_hall_info(tx, hall_id)
        period = period or last_month(now.astimezone(info.zone).date())
        data = await read_period(session, info, period, now)
        before = await compared(tx, info, period.previous(), now)
        year = await compared(tx, info, period.year_before(), now)
    hall = info.hall
    work = workload(data.records, data.sessions, data.now)
    daily = [_part(data, day.isoformat(), {day}) for day in period.each_day()]
    groups = {m.code: m.group for m in hall.matters}
    return PeriodReport(
        hall=hall.id,
        name=hall.name,
        name_en=hall.name_en,
        period=period,
        by=by,
        as_of=now.astimezone(info.zone),
        figures=figures_of(data, work),
        days_met=days_met([s.figures for s in daily]),
        series=daily if by is Bucket.DAY else [_bucket(data, b) for b in period.buckets(by)],
        groups=[
            _slice(data, g.code, g.name, g.name_en, {m for m, c in groups.items() if c == g.code})
            for g in hall.groups
        ],
        matters=[_slice(data, m.code, m.name, m.name_en, {m.code}) for m in hall.matters],
        windows=work_rows(data.records, data.sessions, data.now, by_staff=False, work=work),
        staff=work_rows(data.records, data.sessions, data.now, by_staff=True, work=work),
        previous=before,
        year_before=year,
    )  # fmt: skip


async def compared(tx: Tx, info: HallInfo, period: DateRange, now: datetime) -> Comparison:
    """The figures of a period compared with (from its days' summaries)."""
    summary = await period_summary(tx, info, period, now)
    ratings = await ratings_source(tx.session, info.id, period.start, period.end)
    return Comparison(period, figures_from(summary.figures, ratings, info))


def days_met(daily: Sequence[dict[str, Figure]]) -> dict[str, DaysMet]:
    """Per KPI with a target: the days whose figure met it, over the days with a figure."""
    found = {}
    for name in KPIS:
        verdicts = [d[name].met for d in daily if d[name].met is not None]
        found[name] = DaysMet(sum(1 for v in verdicts if v), len(verdicts))
    return found


def _part(data: PeriodData, key: str, days: set[date]) -> Slice:
    records = [r for r in data.records if r.day in days]
    sessions = [s for s in data.sessions if data.info.day_of(s.start) in days]
    ratings = _ratings_of(data.ratings, records)
    figures = all_figures(records, sessions, ratings, sorted(days), data.now, data.info)
    return Slice(key, key, key, figures)


def _bucket(data: PeriodData, bucket: DateRange) -> Slice:
    return _part(data, bucket.start.isoformat(), set(bucket.each_day()))


def _slice(data: PeriodData, key: str, name: str, name_en: str, matters: set[str]) -> Slice:
    records = [r for r in data.records if r.ticket.matter in matters]
    ratings = _ratings_of(data.ratings, records)
    figures = all_figures(records, [], ratings, [], data.now, data.info)
    return Slice(key, name, name_en, figures)


def _ratings_of(ratings: RatingsData, records: Sequence[Record]) -> RatingsData:
    """The ratings of these tickets only (cases are not split: they stay whole-period)."""
    ids = {r.ticket.id for r in records}
    scores = {t: s for t, s in ratings.scores.items() if t in ids}
    return replace(ratings, scores=scores, help_requests=(), bad_ratings=0, bad_followed_up=0)
