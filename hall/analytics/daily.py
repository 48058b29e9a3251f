"""Per-day summaries of a hall's records: a period's KPIs without re-reading its past days.

A period's summary is the ``merge`` of its days' summaries (``hall.analytics.summary``).

A day before the hall's today no longer changes, so its summary is kept by the process
(``KeptDays``, one per database in its memo, ``hall.store.memo``), its numbers in arrays,
the least recently used dropped beyond ``LIMIT`` days. It is used only while the day's
rows are what they were when it was made: each read takes, in the same transaction, a
fingerprint of every past day of the period (one aggregate over the ticket rows: per
day, status and outcome, the count and the sums of the call, start and finish times
and window numbers; and the count and last id of the window events), and a day whose
fingerprint or hall configuration changed is read again. Today's summary is kept up to
date from the rows written since the last look (``hall.analytics.today``); a later day
is read from the rows.
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections import Counter, OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.breakdown import (
    WorkParts,
)
from hall.analytics.epoch import epoch
from hall.analytics.figures import Observations
from hall.analytics.kpis import FigureParts
from hall.analytics.periods import DateRange
from hall.analytics.records import HallInfo, Record, load_records
from hall.analytics.sessions import (
    WINDOW_KINDS,
    WindowSession,
    load_window_events,
    window_sessions,
)
from hall.analytics.summary import DaySummary, merge, summarise
from hall.analytics.today import today_summary
from hall.store.models import EventRow, TicketRow
from hall.store.unit import Tx

Fingerprint = tuple[object, ...]
LIMIT = 1500  # past days kept per process (about 200 KB each for 2,000 tickets a day)


class KeptDays:
    """The summaries of past days this process keeps, with the fingerprint each was made
    for; beyond ``LIMIT`` days, the least recently used go."""

    def __init__(self) -> None:
        self._days: OrderedDict[tuple[str, date], tuple[Fingerprint, DaySummary]] = OrderedDict()

    def get(self, hall_id: str, day: date, version: Fingerprint) -> DaySummary | None:
        found = self._days.get((hall_id, day))
        if found is None or found[0] != version:
            return None
        self._days.move_to_end((hall_id, day))
        return found[1]

    def put(self, hall_id: str, day: date, version: Fingerprint, summary: DaySummary) -> None:
        self._days[(hall_id, day)] = (version, compact(summary))
        self._days.move_to_end((hall_id, day))
        while len(self._days) > LIMIT:
            self._days.popitem(last=False)

    def __contains__(self, key: tuple[str, date]) -> bool:
        return key in self._days


async def period_summary(tx: Tx, info: HallInfo, period: DateRange, now: datetime) -> DaySummary:
    """The summary of a period's days: kept ones for unchanged past days, the rest read."""
    return merge(list((await day_summaries(tx, info, period, now)).values()))


async def day_summaries(
    tx: Tx, info: HallInfo, period: DateRange, now: datetime, *, matters: bool = False
) -> dict[date, DaySummary]:
    """The summary of each day of a period, in order: kept ones for unchanged past days,
    today's kept up to date, the rest read. ``matters``: with today's per-matter parts
    (past days always have them)."""
    today = now.astimezone(info.zone).date()
    days = period.each_day()
    past = [d for d in days if d < today]
    shelf = tx.memo.kept(KeptDays)
    kept: dict[date, DaySummary] = {}
    versions: dict[date, Fingerprint] = {}
    if past:
        tickets = await _ticket_prints(tx.session, info.id, past[0], past[-1])
        events = await _event_prints(tx.session, info, past[0], past[-1])
        for day in past:
            versions[day] = (tickets.get(day), events.get(day), info.hall)
            found = shelf.get(info.id, day, versions[day])
            if found is not None:
                kept[day] = found
    if today in days:
        kept[today] = await today_summary(tx, info, today, now, matters=matters)
    missing = [d for d in days if d not in kept]
    if missing:
        read = await _read_days(tx.session, info, missing, now, today)
        for day, summary in read.items():
            if day in versions:
                shelf.put(info.id, day, versions[day], summary)
        kept.update(read)
    return {d: kept[d] for d in days}


def compact(s: DaySummary) -> DaySummary:
    """The summary to keep: numbers in arrays (8 bytes a value instead of 32; waits and
    handling times sorted), names in tuples of shared strings."""
    h = s.hours
    figures = _figures(s.figures)
    hours = replace(
        h,
        waits={
            hour: {n: Observations(_sorted(o.values), o.in_progress) for n, o in found.items()}
            for hour, found in h.waits.items()
        },
        open_time={hour: _array(v) for hour, v in h.open_time.items()},
        handling={hour: _sorted(v) for hour, v in h.handling.items()},
    )
    return replace(
        s,
        figures=figures,
        hours=hours,
        windows=_work(s.windows),
        staff=_work(s.staff),
        matters=None
        if s.matters is None
        else {sys.intern(m): _figures(parts) for m, parts in s.matters.items()},
    )


def _figures(f: FigureParts) -> FigureParts:
    return replace(
        f,
        waits={n: Observations(_sorted(o.values), o.in_progress) for n, o in f.waits.items()},
        handling=_sorted(f.handling),
        serving=_array(f.serving),
        signed_in=_array(f.signed_in),
    )


def _work(w: WorkParts) -> WorkParts:
    return replace(
        w,
        handling={k: _sorted(v) for k, v in w.handling.items()},
        serving={k: _array(v) for k, v in w.serving.items()},
        signed_in={k: _array(v) for k, v in w.signed_in.items()},
        matters={k: _names(v) for k, v in w.matters.items()},
        staff={k: _names(v) for k, v in w.staff.items()},
    )


def _array(values: Sequence[float]) -> array[float]:
    return array("d", values)


def _sorted(values: Sequence[float]) -> array[float]:
    # Every use sorts them first (kpi.summarise): a period's sort then merges sorted runs.
    return array("d", sorted(values))


def _names(found: Collection[str]) -> tuple[str, ...]:
    return tuple(sorted(sys.intern(name) for name in found))


async def _read_days(
    session: AsyncSession, info: HallInfo, days: list[date], now: datetime, today: date
) -> dict[date, DaySummary]:
    """Summaries of ``days`` (sorted) from their rows, one statement each for the tickets
    and the window events of the days' span."""
    wanted = set(days)
    records = await load_records(session, info, days[0], days[-1], today)
    begin, end = info.day_start(days[0]), info.day_start(days[-1] + timedelta(days=1))
    events = await load_window_events(session, info.id, begin, end)
    until = min(now.timestamp(), end.timestamp())
    sessions = window_sessions(events, until, day_end=info.day_end_of)
    by_day: dict[date, tuple[list[Record], list[WindowSession]]] = {d: ([], []) for d in days}
    for r in records:
        if r.day in wanted:
            by_day[r.day][0].append(r)
    for s in sessions:
        day = info.day_of(s.start)
        if day in wanted:
            by_day[day][1].append(s)
    moment = now.timestamp()
    return {d: summarise(found, sessions_of, [d], moment, info)
            for d, (found, sessions_of) in by_day.items()}  # fmt: skip


async def _ticket_prints(
    session: AsyncSession, hall_id: str, start: date, end: date
) -> dict[date, Fingerprint]:
    """Per service day, what changes if any of its ticket rows the KPIs read changes."""
    t = TicketRow

    def total(column: Any) -> Any:
        # whole milliseconds: a sum of whole numbers below 2**53 is the same in any order
        return func.sum(func.round(epoch(column) * 1000))

    query = (
        select(
            t.service_day, t.status, t.outcome, func.count(), func.sum(t.window_number),
            total(t.first_called_at), total(t.started_at), total(t.finished_at),
            func.count(t.checked_in_at),
        )
        .where(t.hall_id == hall_id, t.service_day >= start, t.service_day <= end)
        .group_by(t.service_day, t.status, t.outcome)
    )  # fmt: skip
    found: dict[date, list[tuple[object, ...]]] = {}
    for day, *rest in (await session.execute(query)).all():
        found.setdefault(day, []).append(tuple(rest))
    return {day: tuple(sorted(rows, key=repr)) for day, rows in found.items()}


async def _event_prints(
    session: AsyncSession, info: HallInfo, start: date, end: date
) -> dict[date, Fingerprint]:
    """Per hall-local day, the count and the last id of the window events."""
    bounds = [info.day_start(start + timedelta(days=i)).timestamp()
              for i in range((end - start).days + 2)]  # fmt: skip
    e = EventRow
    query = select(e.id, epoch(e.at)).where(
        e.hall_id == info.id,
        e.kind.in_(WINDOW_KINDS),
        e.at >= info.day_start(start),
        e.at < info.day_start(end + timedelta(days=1)),
    )
    counts: Counter[int] = Counter()
    last: dict[int, int] = {}
    for ident, at in (await session.execute(query)).all():
        index = bisect.bisect_right(bounds, at) - 1
        counts[index] += 1
        last[index] = max(last.get(index, 0), ident)
    return {start + timedelta(days=i): (n, last[i]) for i, n in counts.items()}
