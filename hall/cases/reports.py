"""办不成事 日汇总、周分析: the ledger (台账) of one day and the analysis of one week.

Both count the 办不成事 cases (including 否定答复 reports) by the service day they
concern; "on time" means closed (checked) or resolved before the deadline it had then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from hall.cases.kinds import CaseKind, CaseStatus
from hall.cases.period import DayRange
from hall.cases.rules import hall_rules
from hall.cases.views import CaseView, is_overdue, views_of
from hall.store.db import Database
from hall.store.models import CaseRow
from hall.store.unit import reading

DONE = (CaseStatus.RESOLVED, CaseStatus.FED_BACK, CaseStatus.CLOSED)


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True, slots=True)
class CannotHandleCounts:
    """The counts of a set of 办不成事 cases."""

    opened: int
    refusals: int  # 否定答复 reports among them
    resolved: int  # 办结 (resolved, fed back or closed)
    closed: int  # checked and closed
    open_now: int
    overdue_now: int
    by_category: list[tuple[str, int]]
    by_matter: list[tuple[str, int]]
    by_window: list[tuple[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "refusals": self.refusals,
            "resolved": self.resolved,
            "closed": self.closed,
            "open_now": self.open_now,
            "overdue_now": self.overdue_now,
            "by_category": [list(p) for p in self.by_category],
            "by_matter": [list(p) for p in self.by_matter],
            "by_window": [list(p) for p in self.by_window],
        }


def _counts(rows: list[CaseRow], now: datetime) -> CannotHandleCounts:
    return CannotHandleCounts(
        opened=len(rows),
        refusals=sum(1 for r in rows if r.origin == "refusal"),
        resolved=sum(1 for r in rows if r.status in DONE),
        closed=sum(1 for r in rows if r.status == CaseStatus.CLOSED),
        open_now=sum(1 for r in rows if r.status != CaseStatus.CLOSED),
        overdue_now=sum(1 for r in rows if is_overdue(r, now)),
        by_category=_ranked(Counter(r.category or "unclassified" for r in rows)),
        by_matter=_ranked(Counter(r.matter_code or "" for r in rows)),
        by_window=_ranked(
            Counter("" if r.window_number is None else str(r.window_number) for r in rows)
        ),
    )


async def _rows(db: Database, hall_id: str, period: DayRange) -> list[CaseRow]:
    async with reading(db) as tx:
        session = tx.session
        await hall_rules(tx, hall_id)  # NotFound for an unknown hall
        query = (
            select(CaseRow)
            .where(
                CaseRow.hall_id == hall_id,
                CaseRow.kind == CaseKind.CANNOT_HANDLE.value,
                CaseRow.service_day >= period.first,
                CaseRow.service_day <= period.last,
            )
            .order_by(CaseRow.id)
        )
        return list((await session.scalars(query)).all())


@dataclass(frozen=True, slots=True)
class DailySummary:
    """办不成事日汇总: the day's counts and its ledger of cases."""

    hall: str
    day: date
    counts: CannotHandleCounts
    cases: tuple[CaseView, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "hall": self.hall,
            "day": self.day.isoformat(),
            **self.counts.to_json(),
            "cases": [c.to_json() for c in self.cases],
        }


async def cannot_handle_daily(db: Database, hall_id: str, day: date, now: datetime) -> DailySummary:
    """The 办不成事 daily summary of one service day."""
    async with reading(db) as tx:
        session = tx.session
        await hall_rules(tx, hall_id)
        query = (
            select(CaseRow)
            .where(
                CaseRow.hall_id == hall_id,
                CaseRow.kind == CaseKind.CANNOT_HANDLE.value,
                CaseRow.service_day == day,
            )
            .order_by(CaseRow.id)
        )
        rows = list((await session.scalars(query)).all())
        views = await views_of(session, rows, now)
    return DailySummary(hall_id, day, _counts(rows, now), tuple(views))


@dataclass(frozen=True, slots=True)
class WeeklyAnalysis:
    """办不成事周分析: per day, what kept coming back, and how fast it was solved."""

    hall: str
    period: DayRange
    counts: CannotHandleCounts
    per_day: list[tuple[date, int, int]]  # day, opened, resolved (of those opened)
    on_time: int  # resolved before the close deadline
    mean_days_to_resolve: float | None  # calendar days, opening → 办结

    @property
    def on_time_rate(self) -> float | None:
        return None if self.counts.resolved == 0 else self.on_time / self.counts.resolved

    def to_json(self) -> dict[str, Any]:
        return {
            "hall": self.hall,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            **self.counts.to_json(),
            "per_day": [[d.isoformat(), o, r] for d, o, r in self.per_day],
            "on_time": self.on_time,
            "on_time_rate": self.on_time_rate,
            "mean_days_to_resolve": self.mean_days_to_resolve,
        }


async def cannot_handle_weekly(
    db: Database, hall_id: str, day: date, now: datetime
) -> WeeklyAnalysis:
    """The 办不成事 weekly analysis of the week (Monday to Sunday) that ``day`` is in."""
    week = DayRange.week_of(day)
    rows = await _rows(db, hall_id, week)
    per_day = []
    for each in week.days():
        of_day = [r for r in rows if r.service_day == each]
        per_day.append((each, len(of_day), sum(1 for r in of_day if r.status in DONE)))
    on_time, durations = 0, []
    for row in rows:
        resolved_at = row.details.get("resolved_at")
        if row.status not in DONE or resolved_at is None:
            continue
        when = datetime.fromisoformat(resolved_at)
        durations.append((when - row.opened_at).total_seconds() / 86400)
        due = row.deadlines.get("close")
        on_time += due is None or when <= datetime.fromisoformat(due)
    mean = None if not durations else sum(durations) / len(durations)
    return WeeklyAnalysis(hall_id, week, _counts(rows, now), per_day, on_time, mean)
