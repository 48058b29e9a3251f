"""A day's summary: what the KPI report needs of one service day, and how days add up.

A ``DaySummary`` holds what the KPIs, the hourly table and the windows' and clerks'
tables need of one service day (``kpis.FigureParts``, ``breakdown.HourParts`` and
``WorkParts``: the waits and handling times themselves, so that means, P90 and maxima
are those of the raw records; counts; the serving and signed-in seconds of each window
session; the minutes of overtime). Summaries add up (``merge``) into exactly the parts
of the days read together (a test holds the two equal), and the figures are then worked
out once, with ``queueing.kpi``'s definitions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from hall.analytics.breakdown import (
    HourParts,
    WorkParts,
    hour_parts,
    merge_hours,
    merge_work,
    work_parts,
)
from hall.analytics.figures import Workload, served_tickets, workload
from hall.analytics.kpis import FigureParts, figure_parts, merge_parts
from hall.analytics.records import HallInfo, Record
from hall.analytics.sessions import WindowSession


@dataclass(frozen=True, slots=True)
class DaySummary:
    """What the KPI report needs of one service day (or of several, merged)."""

    figures: FigureParts
    hours: HourParts
    windows: WorkParts
    staff: WorkParts
    outcomes: Counter[str]
    # Per matter, its tickets' own parts (no window sessions, no overtime): the report's
    # slices by matter and matter group. None: not worked out (today's, for the KPIs).
    matters: Mapping[str, FigureParts] | None


def summarise(
    records: Sequence[Record],
    sessions: Sequence[WindowSession],
    days: Sequence[date],
    now: float,
    info: HallInfo,
) -> DaySummary:
    """The summary of ``days`` from their records and window sessions (one day, or all the
    days of a period at once)."""
    work = workload(records, sessions, now)
    return DaySummary(
        figures=figure_parts(records, sessions, days, now, info, work),
        hours=hour_parts(records, sessions, now, info),
        windows=work_parts(records, sessions, now, by_staff=False, work=work),
        staff=work_parts(records, sessions, now, by_staff=True, work=work),
        outcomes=Counter(r.outcome or "open" for r in records),
        matters=matter_parts(records, now, info),
    )


def matter_parts(records: Sequence[Record], now: float, info: HallInfo) -> dict[str, FigureParts]:
    """Per matter, the own parts of its tickets (as the report slices them: no sessions)."""
    by_matter: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_matter[r.ticket.matter].append(r)
    return {
        matter: figure_parts(found, (), (), now, info, Workload(served_tickets(found, now), []))
        for matter, found in sorted(by_matter.items())
    }


def merge_matters(
    parts: Sequence[Mapping[str, FigureParts] | None],
) -> dict[str, FigureParts] | None:
    """Per-matter parts of several summaries as one (None if one of them has none)."""
    found: dict[str, list[FigureParts]] = defaultdict(list)
    for p in parts:
        if p is None:
            return None
        for matter, matter_part in p.items():
            found[matter].append(matter_part)
    return {matter: merge_parts(each) for matter, each in sorted(found.items())}


def merge(summaries: Sequence[DaySummary]) -> DaySummary:
    """Summaries of days (in the days' order) as the summary of all of them (one alone is
    itself: nothing changes a summary once made)."""
    if len(summaries) == 1:
        return summaries[0]
    outcomes: Counter[str] = Counter()
    for s in summaries:
        outcomes.update(s.outcomes)
    return DaySummary(
        figures=merge_parts([s.figures for s in summaries]),
        hours=merge_hours([s.hours for s in summaries]),
        windows=merge_work([s.windows for s in summaries]),
        staff=merge_work([s.staff for s in summaries]),
        outcomes=outcomes,
        matters=merge_matters([s.matters for s in summaries]),
    )
