"""The hall's waiting tickets and windows, read through the process's checked queue copy."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.context import HallContext
from hall.calling.core_rows import ticket_from_state, window_state
from hall.calling.queue_copy import HallWindows, QueueCache, Waiting, queue_version, with_changes
from hall.calling.writer import QueueWriter
from hall.store.models import TicketRow, WindowRow, WindowStatus
from hall.store.unit import Part, Tx
from queueing import Ticket, TicketStatus, WindowState
from queueing.dispatch_queue import DispatchQueue


async def waiting_rows(session: AsyncSession, ctx: HallContext, now: datetime) -> list[TicketRow]:
    """Today's waiting tickets of the hall."""
    query = select(TicketRow).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.service_day == ctx.day(now),
        TicketRow.status == TicketStatus.WAITING.value,
    )
    return list((await session.scalars(query)).all())


async def waiting_tickets(tx: Tx, ctx: HallContext, now: datetime) -> list[Ticket]:
    """Today's waiting tickets as the core's values (see `waiting_queue`)."""
    return (await waiting_queue(tx, ctx, now)).tickets


async def waiting_queue(tx: Tx, ctx: HallContext, now: datetime) -> Waiting:
    """Today's waiting tickets, also by line, from the process's checked copy.

    The copy (hall.calling.queue_copy) is used only when its version equals the hall's
    ``queue_version`` read in this transaction, with this unit's own writes laid over
    it; a copy is kept only when the version did not move while the rows were read
    (PostgreSQL reads each statement at its own moment).
    """
    day = ctx.day(now)
    copy = tx.memo.kept(QueueCache)
    writer = tx.existing(QueueWriter)
    mine = [] if writer is None else writer.own_tickets(ctx.id)
    snapshot, version = await _version(tx, ctx)
    cached = copy.get(ctx.id, version, day)
    if cached is not None:
        return with_changes(cached, mine, day)
    # The rows include this unit's writes.
    waiting = Waiting.of(await _read_waiting(tx.session, ctx.id, day))
    if not mine and (snapshot or await queue_version(tx.session, ctx.id) == version):
        copy.put(ctx.id, version, day, waiting)
    return waiting


async def dispatch_queue(tx: Tx, ctx: HallContext, now: datetime) -> DispatchQueue | None:
    """The waiting tickets as the process's `DispatchQueue`, or None if the copy is not
    current or this unit wrote tickets. Decide with it before the next await."""
    writer = tx.existing(QueueWriter)
    if writer is not None and writer.own_tickets(ctx.id):
        return None
    _snapshot, version = await _version(tx, ctx)
    return tx.memo.kept(QueueCache).dispatch_queue(ctx.id, version, ctx.day(now), ctx.policy)


class _VersionRead(Part):
    """The hall's ``queue_version`` as first read in this transaction (PostgreSQL)."""

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx)
        self.known: tuple[str, int] | None = None


async def _version(tx: Tx, ctx: HallContext) -> tuple[bool, int]:
    """Whether the transaction reads one snapshot, and the hall's ``queue_version``.

    SQLite reads one snapshot per transaction, from its first statement on, so the hall
    row loaded with the context carries the right version; PostgreSQL reads each
    statement at its own moment, so the version is read now, and a copy is kept only if
    it has not moved after the rows were read.
    """
    if tx.session.get_bind().dialect.name == "sqlite":
        return True, ctx.queue_version
    if ctx.locked:  # read under the hall's lock, which its ticket actions all take
        return False, ctx.queue_version
    # Read once per transaction (callers read it under the hall lock, which serialises
    # the hall's ticket actions): a second read would see the same or a later moment,
    # which the first decision did not use anyway.
    read = tx.part(_VersionRead)
    if read.known is not None and read.known[0] == ctx.id:
        return False, read.known[1]
    version = await queue_version(tx.session, ctx.id)
    read.known = (ctx.id, version)
    return False, version


async def windows_now(tx: Tx, ctx: HallContext) -> HallWindows:
    """The hall's active and open windows as the core sees them, from the checked copy."""
    writer = tx.existing(QueueWriter)
    mine = writer is not None and writer.own_windows(ctx.id)
    snapshot, version = await _version(tx, ctx)
    copy = tx.memo.kept(QueueCache)
    cached = None if mine else copy.get_windows(ctx.id, version)
    if cached is not None:
        return cached
    rows = await window_rows(tx.session, ctx.id)  # with this unit's writes
    if not mine and (snapshot or await queue_version(tx.session, ctx.id) == version):
        copy.put_windows(ctx.id, version, rows)
    return _windows_of(rows)


def _windows_of(rows: list[WindowRow]) -> HallWindows:
    return HallWindows([window_state(r) for r in rows], open_states(rows))


async def _read_waiting(session: AsyncSession, hall_id: str, day: date) -> list[Ticket]:
    query = select(TicketRow.state).where(
        TicketRow.hall_id == hall_id,
        TicketRow.service_day == day,
        TicketRow.status == TicketStatus.WAITING.value,
    )
    return [ticket_from_state(state) for state in (await session.scalars(query)).all()]


async def window_rows(session: AsyncSession, hall_id: str) -> list[WindowRow]:
    query = select(WindowRow).where(WindowRow.hall_id == hall_id, WindowRow.active)
    return list((await session.scalars(query.order_by(WindowRow.position))).all())


def open_states(rows: list[WindowRow]) -> list[WindowState]:
    """Windows staffed and not paused, as the core sees them."""
    return [window_state(r) for r in rows if r.status == WindowStatus.OPEN]


async def count_waiting(session: AsyncSession, hall_id: str, day: date) -> int:
    query = (
        select(func.count())
        .select_from(TicketRow)
        .where(
            TicketRow.hall_id == hall_id,
            TicketRow.service_day == day,
            TicketRow.status == TicketStatus.WAITING.value,
        )
    )
    return int(await session.scalar(query) or 0)
