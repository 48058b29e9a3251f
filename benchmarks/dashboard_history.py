"""A generated history of a hall for the dashboard's benchmark and screenshots.

Each day: windows signed in by their clerks (with a pause), tickets arriving through the
opening hours (walk-ins, appointments, some green), served first come first served by
the windows, with no-shows, citizens who left, and the usual outcomes. Rows go in with
plain Core inserts (no services: 2,000 tickets a day for 90 days must load quickly), in
the shape the services write (``store_ticket`` and the audit events' columns).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert

from hall.calling.core_rows import store_ticket
from hall.catalogue.calendar import open_periods
from hall.catalogue.schema import Hall
from hall.store.db import Database
from hall.store.models import EventRow, TicketRow
from queueing import MatterClass, Outcome, Source, Ticket, TicketStatus

OUTCOMES = [
    (Outcome.COMPLETED, 0.86), (Outcome.MATERIALS_MISSING, 0.08),
    (Outcome.REJECTED, 0.03), (Outcome.REFERRED, 0.03),
]  # fmt: skip


@dataclass
class Plan:
    """How busy the generated hall is."""

    tickets_per_day: int = 2000
    windows: int = 20
    appointment_share: float = 0.25
    green_share: float = 0.04
    no_show_share: float = 0.03
    left_share: float = 0.02


def _at(day: date, moment: time, zone: ZoneInfo, minutes: float = 0.0) -> float:
    return datetime.combine(day, moment, tzinfo=zone).timestamp() + minutes * 60


def generate_day(
    hall: Hall, day: date, plan: Plan, rng: random.Random, now: float | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(ticket rows, event rows) of one day; with ``now``, only what happened by then."""
    zone = ZoneInfo(hall.timezone)
    matters = [m for m in hall.matters if m.bookable] or list(hall.matters)
    periods = open_periods(hall, day, [m.code for m in matters])
    if not periods:
        return [], []
    opening, closing = min(p.start for p in periods), max(p.end for p in periods)
    start, end = _at(day, opening, zone), _at(day, closing, zone, -30)
    arrivals = sorted(rng.uniform(start - 600, end) for _ in range(plan.tickets_per_day))
    windows = list(range(1, plan.windows + 1))
    free = [(start, w) for w in windows]
    heapq.heapify(free)
    tickets, events = [], []
    for w in windows:
        events.append(_event(hall, "window_signed_in", w, start - 300, {"staff": f"C{w:04d}"}))
        pause = _at(day, time(10, 30), zone, rng.uniform(0, 60))
        events.append(_event(hall, "window_pause", w, pause, {}))
        events.append(_event(hall, "window_resume", w, pause + 900, {}))
        events.append(_event(hall, "window_signed_out", w, _at(day, closing, zone, 20), {}))
    for seq, arrived in enumerate(arrivals, start=1):
        matter = rng.choice(matters)
        ticket = _ticket(hall, day, seq, matter.code, MatterClass(matter.matter_class.value),
                         arrived, plan, rng)  # fmt: skip
        served: Ticket | None = _serve(ticket, free, matter.expected_minutes, plan, rng)
        if now is not None and served is not None:
            served = _as_of(served, now)
        if served is None:
            continue
        ticket = served
        row = TicketRow(id=ticket.id, hall_id=hall.id, service_day=day, number=ticket.number,
                        source=ticket.source.value)  # fmt: skip
        store_ticket(row, ticket)
        tickets.append(
            {
                c.key: getattr(row, c.key)
                for c in TicketRow.__table__.columns
                if c.key != "change_seq"
            }
        )
    if now is not None:
        events = [e for e in events if e["at"].timestamp() <= now]
    return tickets, events


def _ticket(
    hall: Hall, day: date, seq: int, matter: str, cls: MatterClass, arrived: float,
    plan: Plan, rng: random.Random,
) -> Ticket:  # fmt: skip
    appointment = rng.random() < plan.appointment_share
    due = None
    if appointment:
        due = arrived - arrived % 1800 + rng.choice((0, 1800))
    return Ticket(
        id=f"{day:%Y%m%d}{seq:05d}{hall.id[:8]}",
        number=f"{'A' if appointment else 'D'}{seq:04d}",
        matter=matter,
        matter_class=cls,
        source=Source.APPOINTMENT if appointment else Source.WALK_IN,
        issued_at=arrived,
        green=rng.random() < plan.green_share,
        due_at=due,
        checked_in_at=arrived,
    )


def _serve(
    t: Ticket, free: list[tuple[float, int]], expected: float, plan: Plan, rng: random.Random
) -> Ticket:
    if rng.random() < plan.left_share:
        return replace(t, status=TicketStatus.CANCELLED, ended_at=t.issued_at + 900)
    ready, window = heapq.heappop(free)
    called = max(ready, t.issued_at if t.due_at is None else max(t.issued_at, t.due_at))
    t = replace(t, window=window, called_at=called, first_called_at=called)
    if rng.random() < plan.no_show_share:
        heapq.heappush(free, (called + 360, window))
        return replace(t, status=TicketStatus.NO_SHOW, ended_at=called + 360)
    started = called + rng.uniform(20, 90)
    finished = started + rng.lognormvariate(0, 0.5) * expected * 60 * 0.88
    heapq.heappush(free, (finished + 15, window))
    outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    return replace(
        t, status=TicketStatus.FINISHED, started_at=started, finished_at=finished, outcome=outcome
    )


def _as_of(t: Ticket, now: float) -> Ticket | None:
    """The ticket as it stood at ``now`` (None: not yet issued)."""
    if t.issued_at > now:
        return None
    if t.status is TicketStatus.CANCELLED:
        return (
            t
            if (t.ended_at or 0) <= now
            else replace(t, status=TicketStatus.WAITING, ended_at=None)
        )
    if t.first_called_at is None or t.first_called_at > now:
        return replace(
            t, status=TicketStatus.WAITING, window=None, called_at=None, first_called_at=None,
            started_at=None, finished_at=None, outcome=None, ended_at=None,
        )  # fmt: skip
    if t.started_at is None:  # a no-show: called, gone after the grace
        return (
            t if (t.ended_at or 0) <= now else replace(t, status=TicketStatus.CALLED, ended_at=None)
        )
    if t.started_at > now:
        return replace(
            t, status=TicketStatus.CALLED, started_at=None, finished_at=None, outcome=None
        )
    if t.finished_at is not None and t.finished_at > now:
        return replace(t, status=TicketStatus.SERVING, finished_at=None, outcome=None)
    return t


def _event(hall: Hall, kind: str, window: int, at: float, after: dict[str, Any]) -> dict[str, Any]:
    return {
        "hall_id": hall.id, "at": datetime.fromtimestamp(at, UTC), "actor": "generator",
        "kind": kind, "subject_type": "window", "subject_id": str(window), "before": None,
        "after": {"window": window, **after}, "data": {},
    }  # fmt: skip


def open_days(hall: Hall, last_day: date, count: int) -> list[date]:
    """The ``count`` days the hall opens, ending with ``last_day`` (oldest first)."""
    found, day = [], last_day
    while len(found) < count:
        if open_periods(hall, day, [m.code for m in hall.matters]):
            found.append(day)
        day -= timedelta(days=1)
    return found[::-1]


async def load_history(
    db: Database, hall: Hall, days: list[date], plan: Plan, now: float, seed: int = 7
) -> int:
    """Write the generated ``days`` (the last one as of ``now``); returns the tickets."""
    rng = random.Random(seed)
    count = 0
    tickets_table = cast(Table, TicketRow.__table__)
    events_table = cast(Table, EventRow.__table__)
    for day in days:
        tickets, events = generate_day(hall, day, plan, rng, now if day == days[-1] else None)
        async with db.write() as session:
            if tickets:
                await session.execute(insert(tickets_table), tickets)
            if events:
                await session.execute(insert(events_table), events)
        count += len(tickets)
    return count
