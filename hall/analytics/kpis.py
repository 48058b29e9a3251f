"""The whole vocabulary over a period's records: one ``Figure`` per KPI, in its order.

The figures are computed in two steps: ``figure_parts`` gathers, from some days' records
and window sessions, the observations every KPI needs (the waits themselves, the shares'
counts, the serving seconds of each session, the minutes of overtime of each day), and
``figures_from`` turns them into figures with ``queueing.kpi``'s definitions. Parts of
different days add up (``merge_parts``) into exactly the parts of the days together, so
a period's figures can come from summaries of its days (``hall.analytics.daily``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hall.analytics.figures import (
    NO_SIGNED_IN_TIME,
    Figure,
    Observations,
    Workload,
    figure,
    overtime_figure,
    overtime_parts,
    wait_figure,
    wait_observations,
    workload,
)
from hall.analytics.ratings import RatingsData, Reason
from hall.analytics.records import HallInfo, Record
from hall.analytics.sessions import WindowSession
from queueing import kpi
from queueing.kpi import Share
from queueing.ticket import TicketStatus
from queueing.vocabulary import KPIS

NOT_COMPUTED = Reason("not_computed", "not computed from the hall's records", "未从大厅记录计算")
GOOD_SCORE = 4  # 满意 (4) and 非常满意 (5) are good ratings


@dataclass(frozen=True, slots=True)
class FigureParts:
    """What the ticket and window KPIs need of some days, added up across days."""

    waits: dict[str, Observations]
    handling: Sequence[float]  # minutes, per finished ticket
    first_visit: Share
    no_show: Share
    abandonment: Share  # left before the first call, out of the arrivals
    unserved: Share  # unserved at close-out, out of the arrivals
    served: int
    serving: Sequence[float]  # seconds serving, per window session
    signed_in: Sequence[float]  # seconds signed in, per window session
    windows: frozenset[int]  # windows with a session
    overtime: Sequence[float]  # minutes past closing, per closed opening day
    late_calls: int  # citizens first called after closing
    not_closed: bool  # an opening day of the period has not closed yet
    idle_days: int  # closed opening days without a ticket (no overtime observed)


def figure_parts(
    records: Sequence[Record],
    sessions: Sequence[WindowSession],
    days: Sequence[date],
    now: float,
    info: HallInfo,
    work: Workload | None = None,
) -> FigureParts:
    """The parts of the ``days`` whose records and sessions these are."""
    tickets = [r.ticket for r in records]
    arrived = [r for r in records if r.ticket.checked_in_at is not None]
    work = work or workload(records, sessions, now)
    overtime, late_calls, not_closed, idle_days = overtime_parts(records, days, now, info)
    return FigureParts(
        waits=wait_observations(records, now),
        handling=kpi.handling_times(tickets),
        first_visit=kpi.first_visits(tickets),
        no_show=kpi.no_shows(tickets),
        abandonment=Share(sum(1 for r in arrived if _left(r)), len(arrived)),
        unserved=Share(sum(1 for r in arrived if r.unserved), len(arrived)),
        served=sum(1 for t in tickets if t.status is TicketStatus.FINISHED),
        serving=list(work.serving),
        signed_in=[s.signed_in_seconds for s in sessions],
        windows=frozenset(s.window for s in sessions),
        overtime=overtime,
        late_calls=late_calls,
        not_closed=not_closed,
        idle_days=idle_days,
    )


def merge_parts(parts: Sequence[FigureParts]) -> FigureParts:
    """The parts of several sets of days (in the days' order) as one."""
    waits = {
        name: Observations(
            [v for p in parts for v in p.waits[name].values],
            sum(p.waits[name].in_progress for p in parts),
        )
        for name in (parts[0].waits if parts else wait_observations([], 0.0))
    }
    return FigureParts(
        waits=waits,
        handling=[v for p in parts for v in p.handling],
        first_visit=sum((p.first_visit for p in parts), Share(0, 0)),
        no_show=sum((p.no_show for p in parts), Share(0, 0)),
        abandonment=sum((p.abandonment for p in parts), Share(0, 0)),
        unserved=sum((p.unserved for p in parts), Share(0, 0)),
        served=sum(p.served for p in parts),
        serving=[v for p in parts for v in p.serving],
        signed_in=[v for p in parts for v in p.signed_in],
        windows=frozenset().union(*(p.windows for p in parts)),
        overtime=[v for p in parts for v in p.overtime],
        late_calls=sum(p.late_calls for p in parts),
        not_closed=any(p.not_closed for p in parts),
        idle_days=sum(p.idle_days for p in parts),
    )


def figures_from(parts: FigureParts, ratings: RatingsData, info: HallInfo) -> dict[str, Figure]:
    """Every KPI of the vocabulary from the parts of a period and its ratings."""
    found = {name: wait_figure(name, parts.waits[name], info) for name in parts.waits}
    handling = kpi.mean(parts.handling)
    found["handling_time"] = figure("handling_time", handling, len(parts.handling), info)
    found["first_visit_success"] = _share("first_visit_success", parts.first_visit, info)
    found["no_show_rate"] = _share("no_show_rate", parts.no_show, info)
    found["abandonment_rate"] = _share("abandonment_rate", parts.abandonment, info)
    found["unserved_rate"] = _share("unserved_rate", parts.unserved, info)
    found["utilisation"] = _utilisation(parts, info)
    arrivals = parts.abandonment.of
    found["arrivals"] = figure("arrivals", arrivals, arrivals, info)
    found["served"] = figure("served", parts.served, parts.served, info)
    found["overtime"] = overtime_figure(
        parts.overtime, parts.late_calls, parts.not_closed, parts.idle_days, info
    )
    found.update(rating_figures(ratings, info))
    return {
        name: found.get(name) or figure(name, None, 0, info, reason=NOT_COMPUTED) for name in KPIS
    }


def _share(name: str, share: Share, info: HallInfo) -> Figure:
    return figure(name, share.value, share.of, info)


def _utilisation(parts: FigureParts, info: HallInfo) -> Figure:
    # fsum: the same total whatever the order the sessions are added up in
    serving, signed_in = math.fsum(parts.serving), math.fsum(parts.signed_in)
    if signed_in <= 0:
        return figure("utilisation", None, 0, info, reason=NO_SIGNED_IN_TIME)
    return figure("utilisation", serving / signed_in, len(parts.windows), info)


def _left(r: Record) -> bool:
    """The citizen left before the first call (unserved at close-out is not leaving)."""
    t = r.ticket
    return t.status is TicketStatus.CANCELLED and not r.unserved and t.first_called_at is None


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
