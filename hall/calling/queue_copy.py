"""A per-process copy of each hall's waiting tickets and windows, checked against the database.

Every ticket action needs the hall's waiting tickets (to dispatch, to estimate), and
reading and decoding hundreds of rows per request made the server's cost grow with the
queue. Each hall row carries ``queue_version``: every transaction that changes a waiting
ticket (one that waited before or waits after) or a window bumps the version of its hall
as it commits (the listeners below see what the ORM writes; ``hall.ticket_rows`` writes
single rows with its own statements and notes each one with ``note_written``; no code
writes tickets or windows in bulk). A change to any other ticket (a service started or
finished) is in nobody's copy and moves no version. A reader compares the version it
reads in its own transaction with the cached one and uses the copy only if they are
equal. After a commit, the writing process applies its own changes
to the copy when the copy was exactly one version behind; anything else (another process
wrote, a commit was lost) makes the next reader load the rows again. So the copy is never
trusted beyond what the database says, on SQLite and on PostgreSQL with several server
processes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from math import inf
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, event, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hall.calling.core_rows import ticket_from_state, window_state
from hall.store.models import HallRow, TicketRow, WindowRow
from queueing import Policy, Ticket, TicketStatus, WindowState
from queueing.dispatch import arrival
from queueing.dispatch_queue import DispatchQueue
from queueing.estimates import Line, lines_of

CACHE_KEY = "tongban_queue_cache"  # session.info: the Database's QueueCache
_TOUCHED = "tongban_touched_tickets"  # session.info: ticket rows changed in this transaction
_TOUCHED_WINDOWS = "tongban_touched_windows"  # session.info: window rows changed
_WAITED = "tongban_waited"  # session.info: ids of the touched ticket rows that were waiting
_COMMITTED = "tongban_queue_changes"  # session.info: versions and rows, for after_commit
_WAITING = TicketStatus.WAITING.value
_HALLS = cast(Table, HallRow.__table__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Change:
    id: str
    hall_id: str
    service_day: date
    status: str
    state: dict[str, Any]


def _waits(change: _Change, day: date) -> bool:
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
class _WindowFacts:
    id: int
    hall_id: str
    position: int
    active: bool
    status: str
    state: WindowState


def _facts(row: WindowRow) -> _WindowFacts:
    state = window_state(row)
    return _WindowFacts(row.id, row.hall_id, row.position, row.active, row.status, state)


def hall_windows(facts: Iterable[_WindowFacts]) -> HallWindows:
    ordered = sorted((f for f in facts if f.active), key=lambda f: (f.position, f.state.number))
    return HallWindows([f.state for f in ordered], [f.state for f in ordered if f.status == "open"])


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
        self._windows: dict[str, tuple[int, dict[int, _WindowFacts]]] = {}
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
        self, hall_id: str, version: int, day: date, changes: list[_Change]
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
        self._windows[hall_id] = (version, {r.id: _facts(r) for r in rows})

    def _advance_windows(self, hall_id: str, version: int, changes: Sequence[_WindowFacts]) -> None:
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
        changes: list[_Change],
        window_changes: Sequence[_WindowFacts] = (),
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


def own_changes(session: AsyncSession, hall_id: str) -> list[TicketRow]:
    """The hall's ticket rows this transaction has changed (call after a flush)."""
    touched: dict[int, TicketRow] = session.info.get(_TOUCHED, {})
    return [r for r in touched.values() if r.hall_id == hall_id]


def with_changes(waiting: Waiting, rows: list[TicketRow], day: date) -> Waiting:
    """Committed waiting tickets with a transaction's own changed rows laid over them."""
    if not rows:
        return waiting
    by_id = {t.id: t for t in waiting.tickets}
    for row in rows:
        if row.status == _WAITING and row.service_day == day and not inspect(row).was_deleted:
            by_id[row.id] = ticket_from_state(row.state)
        else:
            by_id.pop(row.id, None)
    return Waiting.of(list(by_id.values()))


def own_window_changes(session: AsyncSession, hall_id: str) -> bool:
    """Whether this transaction changed any of the hall's windows (call after a flush)."""
    touched: dict[int, WindowRow] = session.info.get(_TOUCHED_WINDOWS, {})
    return any(r.hall_id == hall_id for r in touched.values())


@event.listens_for(Session, "before_flush")
def _note_tickets(session: Session, _context: Any, _instances: Any) -> None:
    for row in session.new:
        _note(session.info, row, None)
    for row in (*session.dirty, *session.deleted):
        # The status as committed: SQLAlchemy keeps a changed attribute's loaded value.
        was = inspect(row).committed_state.get("status", getattr(row, "status", None))
        _note(session.info, row, was)


def note_written(session: AsyncSession, row: TicketRow | WindowRow, was: str | None) -> None:
    """Note a row written with a statement of its own (``hall.ticket_rows``), with the
    ticket's status before, as the listener above notes the rows the ORM writes."""
    _note(session.info, row, was)


def _note(info: dict[Any, Any], row: object, was: Any) -> None:
    if isinstance(row, TicketRow):
        touched = info.setdefault(_TOUCHED, {})
        if id(row) not in touched and was == _WAITING:  # its first change in the transaction
            info.setdefault(_WAITED, set()).add(id(row))
        touched[id(row)] = row
    elif isinstance(row, WindowRow):
        info.setdefault(_TOUCHED_WINDOWS, {})[id(row)] = row


# Built once (composing a statement costs more than running it on SQLite).
_BUMP_ALL = (
    update(_HALLS)
    # Keep updated_at: it versions the hall's configuration, which did not change.
    .values(queue_version=_HALLS.c.queue_version + 1, updated_at=_HALLS.c.updated_at)
    .returning(_HALLS.c.id, _HALLS.c.queue_version)
)
_BUMP = _BUMP_ALL.where(_HALLS.c.id.in_(bindparam("b_halls", expanding=True)))
# The usual case, one hall: no expanding parameter to render on every execution.
_BUMP_ONE = _BUMP_ALL.where(_HALLS.c.id == bindparam("b_hall"))


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    session.flush()  # commit flushes only after this hook; the changes must be seen now
    if not session.info.get(_TOUCHED) and not session.info.get(_TOUCHED_WINDOWS):
        return
    touched: dict[int, TicketRow] = session.info.pop(_TOUCHED, {})
    windows: dict[int, WindowRow] = session.info.pop(_TOUCHED_WINDOWS, {})
    waited: set[int] = session.info.pop(_WAITED, set())
    window_changes = [
        # A deleted window is kept as inactive: readers only ever list active ones.
        replace(_facts(r), active=False) if inspect(r).was_deleted else _facts(r)
        for r in windows.values()
    ]
    changes = [
        _Change(
            r.id,
            r.hall_id,
            r.service_day,
            "deleted" if inspect(r).was_deleted else r.status,
            dict(r.state),
        )
        for key, r in touched.items()
        # A ticket that neither waited before nor waits now (a service started, say)
        # is in nobody's copy: it moves no version.
        if key in waited or r.status == _WAITING
    ]
    halls = sorted({c.hall_id for c in changes} | {w.hall_id for w in window_changes})
    if not halls:
        return
    if len(halls) == 1:
        bumped = session.connection().execute(_BUMP_ONE, {"b_hall": halls[0]})
    else:
        bumped = session.connection().execute(_BUMP, {"b_halls": halls})
    versions = {hall_id: int(version) for hall_id, version in bumped}
    session.info[_COMMITTED] = (versions, changes, window_changes)


@event.listens_for(Session, "after_commit")
def _advance_caches(session: Session) -> None:
    committed = session.info.pop(_COMMITTED, None)
    cache: QueueCache | None = session.info.get(CACHE_KEY)
    if committed is None or cache is None:
        return
    versions, changes, window_changes = committed
    for hall_id, version in versions.items():
        cache.advance(
            hall_id,
            version,
            [c for c in changes if c.hall_id == hall_id],
            [w for w in window_changes if w.hall_id == hall_id],
        )


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_TOUCHED_WINDOWS, None)
    session.info.pop(_WAITED, None)
    session.info.pop(_COMMITTED, None)
