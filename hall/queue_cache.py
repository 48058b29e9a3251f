"""A per-process copy of each hall's waiting tickets, checked against the database.

Every ticket action needs the hall's waiting tickets (to dispatch, to estimate), and
reading and decoding hundreds of rows per request made the server's cost grow with the
queue. Each hall row carries ``queue_version``: every transaction that changes a ticket
through the ORM bumps the version of the ticket's hall as it commits (the listeners
below; no code writes tickets with bulk statements). A reader compares the version it
reads in its own transaction with the cached one and uses the copy only if they are
equal. After a commit, the writing process applies its own changes to the copy when the
copy was exactly one version behind; anything else (another process wrote, a commit was
lost) makes the next reader load the rows again. So the copy is never trusted beyond
what the database says, on SQLite and on PostgreSQL with several server processes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import date
from math import inf
from typing import Any, TypeVar, cast

from sqlalchemy import Table, event, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hall.models import HallRow, TicketRow
from hall.ticket_store import ticket_from_state
from queueing import Ticket, TicketStatus
from queueing.dispatch import arrival
from queueing.estimates import Line, lines_of

CACHE_KEY = "tongban_queue_cache"  # session.info: the Database's QueueCache
MEMO_KEY = "tongban_memo"  # session.info: the Database's other per-process, checked copies
_TOUCHED = "tongban_touched_tickets"  # session.info: ticket rows changed in this transaction
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
        self.hits = 0
        self.misses = 0

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

    def advance(self, hall_id: str, version: int, changes: list[_Change]) -> None:
        """Apply one committed transaction's changes, or forget the hall if out of step.

        Entries are never changed in place (a reader may still hold the previous one's
        lists); a changed line is copied once.
        """
        entry = self._entries.pop(hall_id, None)
        if entry is None or entry.version != version - 1:
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
            if change.status == _WAITING and change.service_day == entry.day:
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


async def remembered(
    session: AsyncSession, name: str, version: object, load: Callable[[], Awaitable[T]]
) -> T:
    """``load()``'s value, kept in the Database's memo while ``version`` stays the same.

    The caller reads ``version`` in its own transaction (for a hall's configuration: the
    hall row's ``updated_at``, which every change bumps), so a change made by any
    process is seen at once. The value must not be a row of this session.
    """
    memo: dict[str, Any] | None = session.info.get(MEMO_KEY)
    known = None if memo is None else memo.get(name)
    if known is not None and known[0] == version:
        return cast(T, known[1])
    value = await load()
    if memo is not None:
        memo[name] = (version, value)
    return value


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


@event.listens_for(Session, "before_flush")
def _note_tickets(session: Session, _context: Any, _instances: Any) -> None:
    touched: dict[int, TicketRow] | None = None
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, TicketRow):
            if touched is None:
                touched = session.info.setdefault(_TOUCHED, {})
            touched[id(row)] = row


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    session.flush()  # commit flushes only after this hook; the changes must be seen now
    if not session.info.get(_TOUCHED):
        return
    touched: dict[int, TicketRow] = session.info.pop(_TOUCHED)
    changes = [
        _Change(
            r.id,
            r.hall_id,
            r.service_day,
            "deleted" if inspect(r).was_deleted else r.status,
            dict(r.state),
        )
        for r in touched.values()
    ]
    halls = sorted({c.hall_id for c in changes})
    bumped = session.execute(
        update(_HALLS)
        .where(_HALLS.c.id.in_(halls))
        # Keep updated_at: it versions the hall's configuration, which did not change.
        .values(queue_version=_HALLS.c.queue_version + 1, updated_at=_HALLS.c.updated_at)
        .returning(_HALLS.c.id, _HALLS.c.queue_version)
    )
    versions = {hall_id: int(version) for hall_id, version in bumped}
    session.info[_COMMITTED] = (versions, changes)


@event.listens_for(Session, "after_commit")
def _advance_caches(session: Session) -> None:
    committed = session.info.pop(_COMMITTED, None)
    cache: QueueCache | None = session.info.get(CACHE_KEY)
    if committed is None or cache is None:
        return
    versions, changes = committed
    for hall_id, version in versions.items():
        cache.advance(hall_id, version, [c for c in changes if c.hall_id == hall_id])


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_COMMITTED, None)
