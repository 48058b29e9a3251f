"""The whole vocabulary over a period's records: one ``Figure`` per KPI, in its order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from hall.analytics.figures import (
    Figure,
    Workload,
    figure,
    overtime_figure,
    utilisation_figure,
    wait_figure,
    wait_observations,
    workload,
)
from hall.analytics.ratings import RatingsData, Reason
from hall.analytics.records import HallInfo, Record
from hall.analytics.sessions import WindowSession
from queueing import kpi
from queueing.ticket import TicketStatus
from queueing.vocabulary import KPIS

NOT_COMPUTED = Reason("not_computed", "not computed from the hall's records", "未从大厅记录计算")
GOOD_SCORE = 4  # 满意 (4) and 非常满意 (5) are good ratings


def all_figures(
    records: Sequence[Record],
    sessions: Sequence[WindowSession],
    ratings: RatingsData,
    days: Sequence[date],
    now: float,
    info: HallInfo,
    work: Workload | None = None,
) -> dict[str, Figure]:
    """Every KPI of the vocabulary over the records (waits in progress up to ``now``)."""
    tickets = [r.ticket for r in records]
    waits = wait_observations(records, now)
    found = {name: wait_figure(name, waits[name], info) for name in waits}
    handling = kpi.handling_times(tickets)
    found["handling_time"] = figure("handling_time", kpi.mean(handling), len(handling), info)
    first = sum(1 for t in tickets if t.status is TicketStatus.FINISHED and t.first_visit)
    found["first_visit_success"] = figure(
        "first_visit_success", kpi.first_visit_success_rate(tickets), first, info
    )
    called = sum(1 for t in tickets if t.first_called_at is not None)
    found["no_show_rate"] = figure("no_show_rate", kpi.no_show_rate(tickets), called, info)
    arrived = [r for r in records if r.ticket.checked_in_at is not None]
    found["abandonment_rate"] = figure("abandonment_rate", abandonment(arrived), len(arrived), info)
    unserved = sum(1 for r in arrived if r.unserved) / len(arrived) if arrived else None
    found["unserved_rate"] = figure("unserved_rate", unserved, len(arrived), info)
    work = work or workload(records, sessions, now)
    found["utilisation"] = utilisation_figure(work, sessions, info)
    found["arrivals"] = figure("arrivals", len(arrived), len(arrived), info)
    served = sum(1 for t in tickets if t.status is TicketStatus.FINISHED)
    found["served"] = figure("served", served, served, info)
    found["overtime"] = overtime_figure(records, days, now, info)
    found.update(rating_figures(ratings, info))
    return {
        name: found.get(name) or figure(name, None, 0, info, reason=NOT_COMPUTED) for name in KPIS
    }


def abandonment(arrived: Sequence[Record]) -> float | None:
    """Share of arrivals who left before their first call (unserved at close-out excluded)."""
    if not arrived:
        return None
    left = sum(
        1
        for r in arrived
        if r.ticket.status is TicketStatus.CANCELLED
        and not r.unserved
        and r.ticket.first_called_at is None
    )
    return left / len(arrived)


def rating_figures(ratings: RatingsData, info: HallInfo) -> dict[str, Figure]:
    """帮办 response, bad-rating follow-up and good-rating rate (issue 16's records)."""
    answered = [h.response_minutes for h in ratings.help_requests if h.response_minutes is not None]
    scores = list(ratings.scores.values())
    bad, followed = ratings.bad_ratings, ratings.bad_followed_up
    return {
        "help_response": figure("help_response", kpi.mean(answered), len(answered), info),
        "bad_rating_followup": figure(
            "bad_rating_followup", followed / bad if bad else None, bad, info
        ),
        "good_rating_rate": figure(
            "good_rating_rate",
            sum(s >= GOOD_SCORE for s in scores) / len(scores) if scores else None,
            len(scores),
            info,
        ),
    }
