"""A per-process copy of each hall's waiting tickets and windows, checked against the database.

Every ticket action needs the hall's waiting tickets (to dispatch, to estimate), and
reading and decoding hundreds of rows per request made the server's cost grow with the
queue. Each hall row carries ``queue_version``: every unit of work that changes a waiting
ticket (one that waited before or waits after) or a window bumps the version of its hall
in its last statement. Every such write goes through the unit's writer
(``hall.calling.writer``), which tells the unit and, after the commit, advances the
process's copy. A change to any other ticket (a service started or finished) is in
nobody's copy and moves no version. A reader compares the version it reads in its own
transaction with the copy's and uses the copy only if they are equal. The writer
advances the copy only when it was exactly one version behind; anything else (another
process wrote, a catalogue edit changed windows) makes the next reader load the rows
again. So the copy is never trusted beyond what the database says, on SQLite and on
PostgreSQL with several server processes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from math import inf
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.core_rows import ticket_from_state, window_state
from hall.store.models import HallRow, TicketRow, WindowRow, WindowStatus
from queueing import Policy, Ticket, TicketStatus, WindowState
from queueing.dispatch import arrival
from queueing.dispatch_queue import DispatchQueue
from queueing.estimates import Line, lines_of

_WAITING = TicketStatus.WAITING.value
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    hall_id: str
    service_day: date
    status: str
    state: dict[str, Any]


def _waits(change: Change, day: date) -> bool:
    """Whether the changed ticket is, after the change, one of ``day``'s waiting ones."""
    return change.status == _WAITING and change.service_day == day


@dataclass(frozen=True, slots=True)
class Waiting:
    """A hall's waiting tickets at one version: as a list, and grouped into lines."""

    tickets: list[Ticket]
    lines: Collection[Line]

    @classmethod
    def of(cls, tickets: list[Ticket]) -> Waiting:
        return cls(tickets, lines_of(tickets))


_LineKey = tuple[str, int | None]


@dataclass(frozen=True, slots=True)
class HallWindows:
    """A hall's active windows in screen order, and those open (staffed, not paused)."""

    active: list[WindowState]
    open: list[WindowState]


@dataclass(frozen=True, slots=True)
class WindowFacts:
    id: int
    hall_id: str
    position: int
    active: bool
    status: str
    state: WindowState


def window_facts(row: WindowRow) -> WindowFacts:
    state = window_state(row)
    return WindowFacts(row.id, row.hall_id, row.position, row.active, row.status, state)


def hall_windows(facts: Iterable[WindowFacts]) -> HallWindows:
    ordered = sorted((f for f in facts if f.active), key=lambda f: (f.position, f.state.number))
    return HallWindows(
        [f.state for f in ordered], [f.state for f in ordered if f.status == WindowStatus.OPEN]
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    version: int
    day: date
    tickets: dict[str, Ticket]
    lines: dict[_LineKey, Line]


def _line_key(ticket: Ticket) -> _LineKey:
    return ticket.matter, ticket.assigned_window


class QueueCache:
    """Waiting tickets per hall at a known ``queue_version``; one per Database."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._windows: dict[str, tuple[int, dict[int, WindowFacts]]] = {}
        self._dispatch: dict[str, tuple[int, Policy, DispatchQueue]] = {}
        self.hits = 0
        self.misses = 0
        self.window_hits = 0

    def dispatch_queue(
        self, hall_id: str, version: int, day: date, policy: Policy
    ) -> DispatchQueue | None:
        """The hall's waiting tickets as a `DispatchQueue`, if the copy is at ``version``.

        It changes in place as commits advance the copy: decide with it at once, with
        the hall locked, and never keep it across an ``await``.
        """
        entry = self._entries.get(hall_id)
        if entry is None or entry.version != version or entry.day != day:
            return None
        known = self._dispatch.get(hall_id)
        if known is not None and known[0] == version and known[1] == policy:
            return known[2]
        queue = DispatchQueue(policy, entry.tickets.values())
        self._dispatch[hall_id] = (version, policy, queue)
        return queue

    def _advance_dispatch(
        self, hall_id: str, version: int, day: date, changes: list[Change]
    ) -> None:
        known = self._dispatch.pop(hall_id, None)
        if known is None or known[0] != version - 1:
            return
        queue = known[2]
        for change in changes:
            if change.id in queue:
                queue.remove(change.id)
            if _waits(change, day):
                queue.add(ticket_from_state(change.state))
        self._dispatch[hall_id] = (version, known[1], queue)

    def get_windows(self, hall_id: str, version: int) -> HallWindows | None:
        known = self._windows.get(hall_id)
        if known is None or known[0] != version:
            return None
        self.window_hits += 1
        return hall_windows(known[1].values())

    def put_windows(self, hall_id: str, version: int, rows: Iterable[WindowRow]) -> None:
        self._windows[hall_id] = (version, {r.id: window_facts(r) for r in rows})

    def _advance_windows(self, hall_id: str, version: int, changes: Sequence[WindowFacts]) -> None:
        known = self._windows.pop(hall_id, None)
        if known is None or known[0] != version - 1:
            return
        facts = {**known[1], **{c.id: c for c in changes}}
        self._windows[hall_id] = (version, facts)

    def get(self, hall_id: str, version: int, day: date) -> Waiting | None:
        entry = self._entries.get(hall_id)
        if entry is None or entry.version != version or entry.day != day:
            self.misses += 1
            return None
        self.hits += 1
        return Waiting(list(entry.tickets.values()), list(entry.lines.values()))

    def put(self, hall_id: str, version: int, day: date, waiting: Waiting) -> None:
        lines = {(line.matter, line.assigned_window): line for line in waiting.lines}
        self._entries[hall_id] = _Entry(version, day, {t.id: t for t in waiting.tickets}, lines)

    def advance(
        self,
        hall_id: str,
        version: int,
        changes: list[Change],
        window_changes: Sequence[WindowFacts] = (),
    ) -> None:
        """Apply one committed transaction's changes, or forget the hall if out of step.

        Entries are never changed in place (a reader may still hold the previous one's
        lists); a changed line is copied once.
        """
        self._advance_windows(hall_id, version, window_changes)
        entry = self._entries.pop(hall_id, None)
        if entry is None or entry.version != version - 1:
            self._dispatch.pop(hall_id, None)
            return
        self._advance_dispatch(hall_id, version, entry.day, changes)
        if not any(c.id in entry.tickets or _waits(c, entry.day) for c in changes):
            # Nothing waiting changed (a service started, say): same lists, new version.
            self._entries[hall_id] = replace(entry, version=version)
            return
        tickets = dict(entry.tickets)
        lines = dict(entry.lines)
        changed: dict[_LineKey, tuple[dict[str, Ticket], float]] = {}

        def line_of(key: _LineKey) -> tuple[dict[str, Ticket], float]:
            found = changed.get(key)
            if found is None:
                line = lines.get(key)
                found = ({}, -inf) if line is None else (dict(line.tickets), line.latest_arrival)
                changed[key] = found
            return found

        for change in changes:
            old = tickets.pop(change.id, None)
            if old is not None:
                line_of(_line_key(old))[0].pop(change.id, None)
            if _waits(change, entry.day):
                ticket = tickets[change.id] = ticket_from_state(change.state)
                key = _line_key(ticket)
                members, latest = line_of(key)
                members[ticket.id] = ticket
                changed[key] = (members, max(latest, arrival(ticket)))
        for key, (members, latest) in changed.items():
            if members:
                lines[key] = Line(key[0], key[1], members, latest)
            else:
                lines.pop(key, None)
        self._entries[hall_id] = _Entry(version, entry.day, tickets, lines)


async def queue_version(session: AsyncSession, hall_id: str) -> int:
    version = await session.scalar(select(HallRow.queue_version).where(HallRow.id == hall_id))
    return int(version or 0)


def with_changes(waiting: Waiting, rows: list[TicketRow], day: date) -> Waiting:
    """Committed waiting tickets with a transaction's own changed rows laid over them."""
    if not rows:
        return waiting
    by_id = {t.id: t for t in waiting.tickets}
    for row in rows:
        if row.status == _WAITING and row.service_day == day:
            by_id[row.id] = ticket_from_state(row.state)
        else:
            by_id.pop(row.id, None)
    return Waiting.of(list(by_id.values()))
