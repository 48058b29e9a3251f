"""Leaderboards behind the bi-monthly window stars (窗口服务双月之星).

最美服务之星 (best rated, fewest bad ratings), 最美帮办之星 (most helped) and 最强业务之星
(most handled, widest range of matters, shortest handling for the same matter mix). Job
numbers are shown only to staff of the hall; others see ranks and values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from hall.analytics.figures import NO_OBSERVATIONS
from hall.analytics.periods import DateRange, two_months
from hall.analytics.ratings import Reason
from hall.analytics.records import load_hall_info
from hall.analytics.service import PeriodData, read_period
from hall.analytics.sessions import StaffAt
from hall.errors import InvalidInput
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.unit import reading
from queueing.policy import MINUTE
from queueing.ticket import TicketStatus

BAD_SCORE = 2  # 不满意 (2) and 非常不满意 (1)


@dataclass(frozen=True, slots=True)
class Metric:
    """A leaderboard's measure, with its definition and the smallest count to rank."""

    name: str
    unit: str
    higher_is_better: bool
    min_count: int
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str
    star_zh: str  # the award it serves


METRICS = {
    m.name: m
    for m in (
        Metric(
            "best_rated", "score", True, 20, "Best rated", "好评最多",
            "Mean of the clerk's active ratings (1-5; default ratings and ratings excluded "
            "on appeal left out), among clerks with at least 20 of them.",
            "工作人员有效评价（1—5 分，不含默认评价和申诉后剔除的评价）的平均分，"
            "至少 20 条评价方参与排名。",
            "最美服务之星",
        ),
        Metric(
            "fewest_bad_ratings", "count", False, 20, "Fewest bad ratings", "差评最少",
            "Active ratings of 1-2 received, among clerks who finished at least 20 tickets.",
            "收到的有效差评（1—2 分）条数，办结至少 20 件方参与排名。",
            "最美服务之星",
        ),
        Metric(
            "most_helped", "count", True, 1, "Most help given", "帮办最多",
            "帮办 requests the clerk accepted.",
            "接单的帮办请求数。",
            "最美帮办之星",
        ),
        Metric(
            "most_handled", "count", True, 1, "Most handled", "办件最多",
            "Tickets the clerk finished (any outcome).",
            "工作人员办结的号票数（不论办理结果）。",
            "最强业务之星",
        ),
        Metric(
            "widest_range", "count", True, 1, "Widest range of matters", "办理事项最广",
            "Different matters among the tickets the clerk finished.",
            "工作人员办结号票所涉及的不同事项数。",
            "最强业务之星",
        ),
        Metric(
            "shortest_handling", "ratio", False, 20, "Quickest for the same matters",
            "同类事项办理最快",
            "The clerk's handling minutes over what the hall's mean for each of the same "
            "matters would give (1.00 = the hall's average; lower is quicker), among clerks "
            "with at least 20 finished tickets.",
            "工作人员办理用时与全厅同类事项平均用时之比（1.00 为全厅平均，越低越快），"
            "办结至少 20 件方参与排名。",
            "最强业务之星",
        ),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class LeaderRow:
    """One ranked clerk (``staff`` None when the viewer may not see job numbers)."""

    rank: int
    staff: str | None
    value: float
    n: int


@dataclass(frozen=True, slots=True)
class Leaderboard:
    hall: str
    period: DateRange
    metric: Metric
    rows: list[LeaderRow]
    reason: Reason | None  # why there are no rows


def metric_of(raw: str | None) -> Metric:
    """The metric named in the query (default most_handled); raises InvalidInput."""
    metric = METRICS.get(raw or "most_handled")
    if metric is None:
        names = ", ".join(METRICS)
        raise InvalidInput(
            f"'metric' must be one of {names}, not {raw!r}.",
            f"参数“metric”须为以下之一：{names}。",
            fields={"metric": f"one of {names}"},
        )
    return metric


async def leaderboard(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    period: DateRange | None,
    metric: Metric,
    now: datetime,
) -> Leaderboard:
    """Clerks ranked by ``metric`` over the period (any signed-in staff; job numbers only
    for staff of the hall). Raises Unauthorized or NotFound."""
    viewer = require(staff, Role.CLERK)
    async with reading(db) as tx:
        session = tx.session
        info = await load_hall_info(tx, hall_id)
        period = period or two_months(now.astimezone(info.zone).date())
        data = await read_period(session, info, period, now)
    scores = _measures(data)[metric.name]()
    ranked = sorted(
        ((job, value, n) for job, (value, n) in scores.items() if n >= metric.min_count),
        key=lambda item: (-item[1] if metric.higher_is_better else item[1], item[0]),
    )
    visible = viewer.works_in(hall_id)
    rows, rank = [], 0
    for index, (job, value, n) in enumerate(ranked):
        if index == 0 or value != ranked[index - 1][1]:
            rank = index + 1  # equal values share a rank
        rows.append(LeaderRow(rank, job if visible else None, round(value, 4), n))
    return Leaderboard(hall_id, period, metric, rows, None if rows else NO_OBSERVATIONS)


Scores = dict[str, tuple[float, int]]  # job number → (value, observations)


def _measures(data: PeriodData) -> dict[str, Callable[[], Scores]]:
    staff_at = StaffAt(data.sessions)
    finished: dict[str, list[tuple[str, float]]] = defaultdict(list)
    by_ticket: dict[str, str] = {}
    for r in data.records:
        t = r.ticket
        if t.status is not TicketStatus.FINISHED or t.started_at is None or not t.finished_at:
            continue
        job = staff_at(t.window, t.started_at)
        if job is not None:
            finished[job].append((t.matter, (t.finished_at - t.started_at) / MINUTE))
            by_ticket[t.id] = job
    return {
        "most_handled": lambda: {j: (len(v), len(v)) for j, v in finished.items()},
        "widest_range": lambda: {j: (len({m for m, _ in v}), len(v)) for j, v in finished.items()},
        "shortest_handling": lambda: _mix_adjusted(finished),
        "best_rated": lambda: _ratings(data, by_ticket, lambda s: s),
        "fewest_bad_ratings": lambda: _bad(data, by_ticket, finished),
        "most_helped": lambda: _helped(data),
    }


def _mix_adjusted(finished: dict[str, list[tuple[str, float]]]) -> Scores:
    totals: dict[str, list[float]] = defaultdict(list)
    for work in finished.values():
        for matter, minutes in work:
            totals[matter].append(minutes)
    mean = {m: sum(v) / len(v) for m, v in totals.items()}
    found: Scores = {}
    for job, work in finished.items():
        expected = sum(mean[m] for m, _ in work)
        if expected > 0:
            found[job] = (sum(minutes for _, minutes in work) / expected, len(work))
    return found


def _ratings(data: PeriodData, by_ticket: dict[str, str], value: Callable[[int], float]) -> Scores:
    given: dict[str, list[float]] = defaultdict(list)
    for ticket, score in data.ratings.scores.items():
        if ticket in by_ticket:
            given[by_ticket[ticket]].append(value(score))
    return {job: (sum(v) / len(v), len(v)) for job, v in given.items()}


def _bad(
    data: PeriodData, by_ticket: dict[str, str], finished: dict[str, list[tuple[str, float]]]
) -> Scores:
    bad: dict[str, int] = defaultdict(int)
    for ticket, score in data.ratings.scores.items():
        if ticket in by_ticket and score <= BAD_SCORE:
            bad[by_ticket[ticket]] += 1
    return {job: (float(bad.get(job, 0)), len(work)) for job, work in finished.items()}


def _helped(data: PeriodData) -> Scores:
    helped: dict[str, int] = defaultdict(int)
    for request in data.ratings.help_requests:
        if request.helper is not None and request.response_minutes is not None:
            helped[request.helper] += 1
    return {job: (float(n), n) for job, n in helped.items()}
