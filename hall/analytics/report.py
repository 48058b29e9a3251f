"""The period report: the KPIs with the share of days met, a series by day, week or month,
the tables by matter group, matter, window and clerk, and the comparisons (环比, 同比)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from hall.analytics.breakdown import WorkRow, work_table
from hall.analytics.daily import day_summaries, period_summary
from hall.analytics.figures import Figure
from hall.analytics.kpis import figures_from, merge_parts
from hall.analytics.periods import Bucket, DateRange, last_month
from hall.analytics.ratings import RatingsData, rated_tickets, ratings_source
from hall.analytics.records import HallInfo, load_hall_info
from hall.analytics.summary import DaySummary, merge
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
    admins of the hall. Raises Unauthorized, Forbidden or NotFound.

    Everything comes from the days' summaries (``hall.analytics.daily``): the series
    merges the days of each bucket, the groups and matters merge the days' per-matter
    parts, and the ratings are split as the tickets are (by the rated ticket's day and
    matter); a test holds it equal to the report worked out from the records."""
    require(staff, Role.SUPERVISOR, hall_id)
    async with reading(db) as tx:
        session = tx.session
        info = await load_hall_info(tx, hall_id)
        period = period or last_month(now.astimezone(info.zone).date())
        days = await day_summaries(tx, info, period, now, matters=True)
        ratings = await ratings_source(session, info.id, period.start, period.end)
        rated = await rated_tickets(session, info.id, period.start, period.end)
        before = await compared(tx, info, period.previous(), now)
        year = await compared(tx, info, period.year_before(), now)
    hall = info.hall
    whole = merge(list(days.values()))
    cut = _Slicer(info, ratings, rated, days)
    daily = [cut.days(day.isoformat(), DateRange(day, day)) for day in period.each_day()]
    groups = {m.code: m.group for m in hall.matters}
    return PeriodReport(
        hall=hall.id,
        name=hall.name,
        name_en=hall.name_en,
        period=period,
        by=by,
        as_of=now.astimezone(info.zone),
        figures=figures_from(whole.figures, ratings, info),
        days_met=days_met([s.figures for s in daily]),
        series=daily if by is Bucket.DAY
        else [cut.days(b.start.isoformat(), b) for b in period.buckets(by)],
        groups=[
            cut.matters(whole, g.code, g.name, g.name_en,
                        {m for m, c in groups.items() if c == g.code})
            for g in hall.groups
        ],
        matters=[cut.matters(whole, m.code, m.name, m.name_en, {m.code}) for m in hall.matters],
        windows=work_table(whole.windows),
        staff=work_table(whole.staff),
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


class _Slicer:
    """The report's slices of a period from its days' summaries."""

    def __init__(
        self,
        info: HallInfo,
        ratings: RatingsData,
        rated: dict[str, tuple[date, str]],
        days: dict[date, DaySummary],
    ) -> None:
        self.info, self.ratings, self.rated, self.summaries = info, ratings, rated, days

    def days(self, key: str, days: DateRange) -> Slice:
        """The figures of some days of the period (a day, a week, a month)."""
        parts = merge([self.summaries[d] for d in days.each_day()]).figures
        ratings = self._ratings(lambda day, _: days.start <= day <= days.end)
        return Slice(key, key, key, figures_from(parts, ratings, self.info))

    def matters(
        self, whole: DaySummary, key: str, name: str, name_en: str, matters: set[str]
    ) -> Slice:
        """The figures of some matters' tickets over the period (no window sessions)."""
        assert whole.matters is not None  # asked for (``day_summaries(matters=True)``)
        found = [parts for matter, parts in whole.matters.items() if matter in matters]
        parts = merge_parts(found)  # none: every figure without observations
        first, last = min(self.summaries), max(self.summaries)
        ratings = self._ratings(lambda day, matter: first <= day <= last and matter in matters)
        return Slice(key, name, name_en, figures_from(parts, ratings, self.info))

    def _ratings(self, keep: Callable[[date, str], bool]) -> RatingsData:
        """The ratings of the tickets of the slice (cases are not split: they stay
        whole-period)."""
        scores = {
            t: s for t, s in self.ratings.scores.items() if t in self.rated and keep(*self.rated[t])
        }
        return replace(
            self.ratings, scores=scores, help_requests=(), bad_ratings=0, bad_followed_up=0
        )
