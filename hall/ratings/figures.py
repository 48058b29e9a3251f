"""The 好差评 figures per hall, window, staff member, matter and period (GB/T 39735's
names), as plain service functions the dashboard (issue 17) calls.

Definitions (docs/architecture.md, "Ratings and cases"): a rating an upheld appeal
excluded is left out of everything but ``excluded``; *active* ratings are the ones
citizens gave (evaluator, phone, API); *default* ones were recorded after the period.

- 好评率 ``good_rate`` = active ratings of 4–5 ÷ active ratings
- 主动评价好评率 ``active_good_rate`` = active ratings of 4–5 ÷ all counted ratings
  (active + default): how many services got a good rating the citizen gave
- 未评价率 ``unrated_rate`` = default ratings ÷ all counted ratings
- 差评数 ``bad`` = active ratings of 1–2

A rate whose denominator is 0 is None (no observation), never 0. Services still in
their rating period without a rating are ``awaiting``: not yet counted anywhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cases.period import DayRange
from hall.ratings.scale import BAD_MAX, GOOD_MIN, Channel
from hall.store.db import Database
from hall.store.models import RatingRow, TicketRow

ASPECT_COLUMNS = ("efficiency", "quality", "attitude")


class By(enum.StrEnum):
    """How a breakdown groups the ratings."""

    WINDOW = "window"
    STAFF = "staff"
    MATTER = "matter"
    DAY = "day"


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass(frozen=True, slots=True)
class RatingFigures:
    """Counts and rates of one hall, window, staff member, matter or day over a period."""

    total: int = 0  # counted ratings: active + default
    active: int = 0
    default: int = 0
    excluded: int = 0
    good: int = 0
    bad: int = 0  # 差评数
    score_sum: int = 0
    aspect_sums: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (sum, n)
    awaiting: int | None = None  # finished, unrated, period not over (hall-wide figures)

    @property
    def good_rate(self) -> float | None:
        return _rate(self.good, self.active)

    @property
    def active_good_rate(self) -> float | None:
        return _rate(self.good, self.total)

    @property
    def unrated_rate(self) -> float | None:
        return _rate(self.default, self.total)

    @property
    def mean_score(self) -> float | None:
        return None if self.active == 0 else self.score_sum / self.active

    def aspect_means(self) -> dict[str, float | None]:
        return {
            name: (None if n == 0 else total / n)
            for name, (total, n) in ((a, self.aspect_sums.get(a, (0, 0))) for a in ASPECT_COLUMNS)
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "active": self.active,
            "default": self.default,
            "excluded": self.excluded,
            "good": self.good,
            "bad": self.bad,
            "good_rate": self.good_rate,
            "active_good_rate": self.active_good_rate,
            "unrated_rate": self.unrated_rate,
            "mean_score": self.mean_score,
            "aspects": self.aspect_means(),
            "awaiting": self.awaiting,
        }


@dataclass(frozen=True, slots=True)
class RatingGroup:
    """One row of a breakdown: its key (window number, job number, matter code, day)."""

    key: str
    figures: RatingFigures


def _filters(
    hall_id: str, period: DayRange, window: int | None, staff: str | None, matter: str | None
) -> list[ColumnElement[bool]]:
    found = [
        RatingRow.hall_id == hall_id,
        RatingRow.service_day >= period.first,
        RatingRow.service_day <= period.last,
    ]
    if window is not None:
        found.append(RatingRow.window_number == window)
    if staff is not None:
        found.append(RatingRow.staff_job == staff)
    if matter is not None:
        found.append(RatingRow.matter_code == matter)
    return found


def _sums() -> list[Any]:
    counted = RatingRow.excluded.is_(False)
    active = and_(counted, RatingRow.channel != Channel.DEFAULT.value)

    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    columns = [
        count(counted),
        count(active),
        count(and_(counted, RatingRow.channel == Channel.DEFAULT.value)),
        count(RatingRow.excluded.is_(True)),
        count(and_(active, RatingRow.score >= GOOD_MIN)),
        count(and_(active, RatingRow.score <= BAD_MAX)),
        func.coalesce(func.sum(case((active, RatingRow.score), else_=0)), 0),
    ]
    for name in ASPECT_COLUMNS:
        column = getattr(RatingRow, name)
        present = and_(active, column.is_not(None))
        columns += [func.coalesce(func.sum(case((present, column), else_=0)), 0), count(present)]
    return columns


def _figures(values: Any, awaiting: int | None = None) -> RatingFigures:
    numbers = [int(v or 0) for v in values]
    total, active, default, excluded, good, bad, score_sum, *aspects = numbers
    sums = {name: (aspects[2 * i], aspects[2 * i + 1]) for i, name in enumerate(ASPECT_COLUMNS)}
    return RatingFigures(total, active, default, excluded, good, bad, score_sum, sums, awaiting)


async def rating_figures(
    db: Database,
    hall_id: str,
    period: DayRange,
    *,
    window: int | None = None,
    staff: str | None = None,
    matter: str | None = None,
) -> RatingFigures:
    """The figures of a hall (or one window, staff member — by job number — or matter)."""
    async with db.read() as session:
        row = (
            await session.execute(
                select(*_sums()).where(*_filters(hall_id, period, window, staff, matter))
            )
        ).one()
        awaiting = None
        if window is None and staff is None:
            awaiting = await _awaiting(session, hall_id, period, matter)
    return _figures(row, awaiting)


async def _awaiting(
    session: AsyncSession, hall_id: str, period: DayRange, matter: str | None
) -> int:
    query = (
        select(func.count())
        .select_from(TicketRow)
        .outerjoin(RatingRow, RatingRow.ticket_id == TicketRow.id)
        .where(
            TicketRow.hall_id == hall_id,
            TicketRow.status == "finished",
            TicketRow.service_day >= period.first,
            TicketRow.service_day <= period.last,
            RatingRow.id.is_(None),
        )
    )
    if matter is not None:
        query = query.where(TicketRow.matter_code == matter)
    return int(await session.scalar(query) or 0)


async def rating_breakdown(
    db: Database,
    hall_id: str,
    period: DayRange,
    by: By,
    *,
    window: int | None = None,
    staff: str | None = None,
    matter: str | None = None,
) -> list[RatingGroup]:
    """The figures per window, staff member, matter or day, ordered by key."""
    key = {
        By.WINDOW: RatingRow.window_number,
        By.STAFF: RatingRow.staff_job,
        By.MATTER: RatingRow.matter_code,
        By.DAY: RatingRow.service_day,
    }[by]
    query = (
        select(key, *_sums())
        .where(*_filters(hall_id, period, window, staff, matter))
        .group_by(key)
        .order_by(key)
    )
    async with db.read() as session:
        rows = (await session.execute(query)).all()
    return [RatingGroup("" if row[0] is None else str(row[0]), _figures(row[1:])) for row in rows]
