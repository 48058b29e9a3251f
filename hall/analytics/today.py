"""Today's summary, kept up to date from the ticket rows written since the last look.

Today's figures move with ``now`` (waits in progress, services under way, sessions still
open), so they cannot be kept as a past day's are (``hall.analytics.daily``). Most of
the day does not move, though: a ticket that has ended (finished, no-show, cancelled,
unserved at close-out) adds the same observations whenever it is looked at. So the
process keeps, per hall, the day's records and the summary of the ended ones, and each
look reads only:

- the hall's ``ticket_seq`` and a fingerprint of the day's window events (their count
  and the sum of their ids), in one statement;
- the ticket rows stamped after the ``ticket_seq`` it last saw (``TicketRow.change_seq``:
  every unit that writes a hall's tickets stamps them and moves the number by one at its
  end, under the hall's lock; ``hall.calling.writer``), usually none or a few;
- the window events again only if their fingerprint changed.

The day's summary is then three parts that add up (``summary.merge``) to exactly the
summary of all its records read at once (a test holds the two equal through a day):

- the ended tickets' own parts (kept; a newly ended ticket's parts are added to them);
- the open tickets' own parts, worked out at ``now``;
- the parts that join tickets to window sessions (serving time per session, the clerks'
  table, open window time per hour, overtime), worked out at ``now`` from every record.

Tickets' own parts are what ``summary.summarise`` makes of them without sessions
(``own_parts``). A look builds new values from the kept ones and never changes them in
place, so concurrent looks never mix, and whichever is kept last serves the next look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.breakdown import (
    WorkParts,
    finished_work,
    hour_parts,
    merge_work,
    session_work,
)
from hall.analytics.figures import Workload, overtime_parts, served_tickets, session_serving
from hall.analytics.kpis import figure_parts
from hall.analytics.records import HallInfo, Record, load_changed, load_records
from hall.analytics.sessions import (
    WINDOW_KINDS,
    WindowEvent,
    WindowSession,
    load_window_events,
    window_sessions,
)
from hall.analytics.summary import DaySummary, matter_parts, merge
from hall.catalogue.schema import Hall
from hall.store.models import EventRow, HallRow
from hall.store.unit import Tx
from queueing.ticket import Ticket

EventsPrint = tuple[int, int]  # the day's window events: how many, the sum of their ids


@dataclass(frozen=True, slots=True)
class Ended:
    """The ended tickets of a day: their ids, their own parts and their services."""

    ids: frozenset[str]
    parts: DaySummary
    busy: list[Ticket]  # ``served_tickets`` of them (they no longer depend on now)
    generation: int  # moves when they are worked out again (``busy`` is then new)


@dataclass(frozen=True, slots=True)
class Credited:
    """The clerks' handling times and matters of the first ``count`` ended services,
    credited to the clerk signed in at each one's window when it started."""

    generation: int  # of the ``Ended`` whose ``busy`` they come from
    count: int
    events_print: EventsPrint  # of the sessions they were credited with
    as_of: float  # the look's now: every one of them started by then
    parts: WorkParts


@dataclass(frozen=True, slots=True)
class Seen:
    """What a look at a hall's day found, kept for the next look."""

    config: Hall  # the hall's configuration it was made with
    day: date
    seq: int  # the hall's ticket_seq as read with the rows
    records: dict[str, Record]  # every ticket of the day, by id
    ended: Ended  # the ended tickets' own parts and services
    credited: Credited | None
    events_print: EventsPrint
    events: tuple[WindowEvent, ...]


class KeptToday:
    """Per hall, the last look at its day this process kept (one per ``Database``)."""

    def __init__(self) -> None:
        self._halls: dict[str, Seen] = {}

    def get(self, hall_id: str, day: date, config: Hall) -> Seen | None:
        found = self._halls.get(hall_id)
        if found is None or found.day != day or found.config is not config:
            return None
        return found

    def put(self, hall_id: str, seen: Seen) -> None:
        """Keep ``seen`` for the next look. Every look is one snapshot at its ticket
        sequence, so whichever of two concurrent looks is kept last, the next look reads
        what was written after it and is right."""
        self._halls[hall_id] = seen


async def today_summary(
    tx: Tx, info: HallInfo, day: date, now: datetime, *, matters: bool = False
) -> DaySummary:
    """The summary of the hall's service day ``day`` (its today) at ``now``; with the
    per-matter parts only if asked (``matters``: the report's slices; the KPIs do not
    need them)."""
    session = tx.session
    shelf = tx.memo.kept(KeptToday)
    seen = shelf.get(info.id, day, info.hall)
    begin, end = info.day_start(day), info.day_start(day + timedelta(days=1))
    seq, events_print = await _marks(session, info.id, begin, end)
    if seen is not None and seq < seen.seq:  # the database went back (a restore): start over
        seen = None
    if seen is None:
        records = {r.ticket.id: r for r in await load_records(session, info, day, day, day)}
        changed: Sequence[Record] = list(records.values())
    elif seq != seen.seq:
        changed = await load_changed(session, info, day, seen.seq, day)
        records = {**seen.records, **{r.ticket.id: r for r in changed}}
    else:
        changed, records = (), seen.records
    if seen is not None and seen.events_print == events_print:
        events = seen.events
    else:
        events = tuple(await load_window_events(session, info.id, begin, end))
    moment = now.timestamp()
    ended = _ended(seen, changed, records, moment, info)
    end_ts = end.timestamp()
    sessions = window_sessions(events, min(moment, end_ts), day_end=lambda _: end_ts)
    live = [r for r in records.values() if r.open]
    live_busy = served_tickets(live, moment)
    credited = _credited(seen, ended, events_print, sessions, moment)
    summary = merge(
        [
            ended.parts,
            own_parts(live, live_busy, moment, info, matters=matters),
            joined_parts(
                list(records.values()), ended.busy + live_busy, sessions, day, moment, info,
                credited.parts,
            ),
        ]
    )  # fmt: skip
    keep = credited if credited.as_of == moment else None  # every service started by now
    seen = Seen(info.hall, day, seq, records, ended, keep, events_print, events)
    shelf.put(info.id, seen)
    return summary


def own_parts(
    records: Sequence[Record],
    busy: Sequence[Ticket],
    now: float,
    info: HallInfo,
    *,
    matters: bool = True,
) -> DaySummary:
    """The tickets' own parts (``busy``: their services, as ``served_tickets`` finds them):
    everything but what joins them to window sessions (per matter only if ``matters``)."""
    return DaySummary(
        figures=figure_parts(records, (), (), now, info, Workload(list(busy), [])),
        hours=hour_parts(records, (), now, info),
        windows=finished_work(busy, (), by_staff=False),
        staff=NO_WORK,
        outcomes=Counter(r.outcome or "open" for r in records),
        matters=matter_parts(records, now, info) if matters else None,
    )


def joined_parts(
    records: Sequence[Record],
    busy: list[Ticket],
    sessions: Sequence[WindowSession],
    day: date,
    now: float,
    info: HallInfo,
    credited: WorkParts,
) -> DaySummary:
    """The parts that join every ticket of ``day`` (``busy``: its services) to its window
    sessions: serving and signed-in time per session, open window time per hour, the
    clerks' table (``credited``: their finished services), overtime."""
    serving = session_serving(busy, sessions)
    overtime, late_calls, not_closed, idle_days = overtime_parts(records, [day], now, info)
    figures = figure_parts((), sessions, (), now, info, Workload([], serving))
    return DaySummary(
        figures=replace(
            figures,
            overtime=overtime,
            late_calls=late_calls,
            not_closed=not_closed,
            idle_days=idle_days,
        ),
        hours=hour_parts((), sessions, now, info),
        windows=session_work(sessions, serving, by_staff=False),
        staff=merge_work([credited, session_work(sessions, serving, by_staff=True)]),
        outcomes=Counter(),
        matters={},
    )


def _credited(
    seen: Seen | None,
    ended: Ended,
    events_print: EventsPrint,
    sessions: Sequence[WindowSession],
    now: float,
) -> Credited:
    """The clerks' parts of the ended services: the kept ones plus the newly ended, or all
    again when the window events changed (a clerk's sessions did) or the ended services
    were worked out again. (Open services finish nothing: they add no handling time.)"""
    kept = seen.credited if seen is not None else None
    count = len(ended.busy)
    if (
        kept is not None
        and kept.generation == ended.generation
        and kept.events_print == events_print
        and kept.as_of <= now
    ):
        fresh = ended.busy[kept.count :]
        parts = merge_work([kept.parts, finished_work(fresh, sessions, by_staff=True)])
        started = max((t.started_at or 0.0 for t in fresh), default=0.0)
    else:
        parts = finished_work(ended.busy, sessions, by_staff=True)
        started = max((t.started_at or 0.0 for t in ended.busy), default=0.0)
    # Kept only if every one of them had started by now (so no later now credits one
    # that a session still open at this now did not yet reach).
    as_of = now if started <= now and (kept is None or kept.as_of <= now) else -1.0
    return Credited(ended.generation, count, events_print, as_of, parts)


def _ended(
    seen: Seen | None,
    changed: Sequence[Record],
    records: dict[str, Record],
    now: float,
    info: HallInfo,
) -> Ended:
    """The ended tickets: the kept ones plus the newly ended, or all again if a ticket
    that had ended was written since (nothing does that today; it stays right)."""
    if seen is not None and not any(r.ticket.id in seen.ended.ids for r in changed):
        newly = [r for r in changed if not r.open]
        if not newly:
            return seen.ended
        kept = seen.ended
        busy = served_tickets(newly, now)
        return Ended(
            kept.ids | {r.ticket.id for r in newly},
            merge([kept.parts, own_parts(newly, busy, now, info)]),
            kept.busy + busy,
            kept.generation,
        )
    ended = [r for r in records.values() if not r.open]
    busy = served_tickets(ended, now)
    generation = seen.ended.generation + 1 if seen is not None else 0
    return Ended(
        frozenset(r.ticket.id for r in ended), own_parts(ended, busy, now, info), busy, generation
    )  # fmt: skip


NO_WORK = WorkParts({}, {}, {}, {}, {})
_HALLS: Table = HallRow.__table__  # type: ignore[assignment]


def _marks_query() -> Any:
    e = EventRow
    where = (
        e.hall_id == bindparam("b_hall"),
        e.kind.in_(WINDOW_KINDS),
        e.at >= bindparam("b_begin"),
        e.at < bindparam("b_end"),
    )
    count = select(func.count()).where(*where).scalar_subquery()
    # The sum of the ids, not the last one: the same index scan as the count (a ``max``
    # would walk the hall's events from the newest, most of them the tickets')
    total = select(func.coalesce(func.sum(e.id), 0)).where(*where).scalar_subquery()
    return select(_HALLS.c.ticket_seq, count, total).where(_HALLS.c.id == bindparam("b_hall"))


_MARKS = _marks_query()  # built once


async def _marks(
    session: AsyncSession, hall_id: str, begin: datetime, end: datetime
) -> tuple[int, EventsPrint]:
    """The hall's ticket_seq and its window events' fingerprint in [begin, end), at once."""
    params = {"b_hall": hall_id, "b_begin": begin, "b_end": end}
    row = (await session.execute(_MARKS, params)).one()
    return int(row[0]), (int(row[1]), int(row[2]))
