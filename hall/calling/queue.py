"""The hall's waiting tickets and windows, read through the process's checked queue copy."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.context import HallContext
from hall.calling.core_rows import ticket_from_state, window_state
from hall.calling.queue_copy import (
    CACHE_KEY,
    HallWindows,
    QueueCache,
    Waiting,
    own_changes,
    own_window_changes,
    queue_version,
    with_changes,
)
from hall.store.models import TicketRow, WindowRow
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


async def waiting_tickets(session: AsyncSession, ctx: HallContext, now: datetime) -> list[Ticket]:
    """Today's waiting tickets as the core's values (see `waiting_queue`)."""
    return (await waiting_queue(session, ctx, now)).tickets


async def waiting_queue(session: AsyncSession, ctx: HallContext, now: datetime) -> Waiting:
    """Today's waiting tickets, also by line, from the process's checked copy.

    The copy (hall.queue_cache) is used only when its version equals the hall's
    ``queue_version`` read in this transaction, with this transaction's own changes laid
    over it; a copy is kept only when the version did not move while the rows were read
    (PostgreSQL reads each statement at its own moment).
    """
    day = ctx.day(now)
    cache: QueueCache | None = session.info.get(CACHE_KEY)
    if cache is None:
        return Waiting.of(await _read_waiting(session, ctx.id, day))
    await session.flush()
    mine = own_changes(session, ctx.id)
    snapshot, version = await _version(session, ctx)
    cached = cache.get(ctx.id, version, day)
    if cached is not None:
        return with_changes(cached, mine, day)
    # The rows include this transaction's changes.
    waiting = Waiting.of(await _read_waiting(session, ctx.id, day))
    if not mine and (snapshot or await queue_version(session, ctx.id) == version):
        cache.put(ctx.id, version, day, waiting)
    return waiting


async def dispatch_queue(
    session: AsyncSession, ctx: HallContext, now: datetime
) -> DispatchQueue | None:
    """The waiting tickets as the process's `DispatchQueue`, or None if the copy is not
    current or this transaction changed tickets. Decide with it before the next await."""
    cache: QueueCache | None = session.info.get(CACHE_KEY)
    if cache is None:
        return None
    await session.flush()
    if own_changes(session, ctx.id):
        return None
    _snapshot, version = await _version(session, ctx)
    return cache.dispatch_queue(ctx.id, version, ctx.day(now), ctx.policy)


async def _version(session: AsyncSession, ctx: HallContext) -> tuple[bool, int]:
    """Whether the transaction reads one snapshot, and the hall's ``queue_version``.

    SQLite reads one snapshot per transaction, from its first statement on, so the hall
    row loaded with the context carries the right version; PostgreSQL reads each
    statement at its own moment, so the version is read now, and a copy is kept only if
    it has not moved after the rows were read.
    """
    if session.get_bind().dialect.name == "sqlite":
        return True, ctx.queue_version
    if ctx.locked:  # read under the hall's lock, which its ticket actions all take
        return False, ctx.queue_version
    # Read once per transaction (callers read it under the hall lock, which serialises
    # the hall's ticket actions): a second read would see the same or a later moment,
    # which the first decision did not use anyway.
    known: tuple[str, int] | None = session.info.get(_VERSION_READ)
    if known is not None and known[0] == ctx.id:
        return False, known[1]
    version = await queue_version(session, ctx.id)
    session.info[_VERSION_READ] = (ctx.id, version)
    return False, version


_VERSION_READ = "tongban_version_read"  # session.info: (hall, queue_version) on PostgreSQL


async def windows_now(session: AsyncSession, ctx: HallContext) -> HallWindows:
    """The hall's active and open windows as the core sees them, from the checked copy."""
    cache: QueueCache | None = session.info.get(CACHE_KEY)
    if cache is None:
        return _windows_of(await window_rows(session, ctx.id))
    await session.flush()
    mine = own_window_changes(session, ctx.id)
    snapshot, version = await _version(session, ctx)
    cached = None if mine else cache.get_windows(ctx.id, version)
    if cached is not None:
        return cached
    rows = await window_rows(session, ctx.id)  # with this transaction's changes
    if not mine and (snapshot or await queue_version(session, ctx.id) == version):
        cache.put_windows(ctx.id, version, rows)
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
    return [window_state(r) for r in rows if r.status == "open"]


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
