"""Position and estimated wait of waiting tickets, from the windows open now."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.context import HallContext
from hall.calling.core_rows import seconds, window_state
from hall.calling.queue import open_states, waiting_queue, waiting_tickets, window_rows, windows_now
from hall.calling.queue_copy import (
    Waiting,
)
from hall.store.models import TicketRow, WindowRow
from hall.store.unit import Tx
from queueing import Ticket, TicketStatus
from queueing.estimates import (
    WaitEstimate,
    estimate_in_lines,
    estimate_waits,
    recent_handling_minutes,
)


async def estimates(
    tx: Tx,
    ctx: HallContext,
    now: datetime,
    waiting: list[Ticket] | None = None,
    rows: list[WindowRow] | None = None,
) -> dict[str, WaitEstimate]:
    """Position and estimated wait of every waiting ticket.

    The position counts the tickets ahead that compete for any of the hall's windows
    (so it is meaningful before the windows open); the minutes come from the windows
    open now and recent handling times, and are None when no open window serves it.
    ``rows``: the hall's active windows (``window_rows``), when the caller has them.
    """
    if waiting is None:
        waiting = await waiting_tickets(tx, ctx, now)
    if rows is None:
        rows = await window_rows(tx.session, ctx.id)
    handling = await _handling(tx, ctx, now)
    at = seconds(now)
    by_open = estimate_waits(waiting, open_states(rows), at, ctx.policy, handling)
    by_all = estimate_waits(waiting, [window_state(r) for r in rows], at, ctx.policy, handling)
    return {
        key: dataclasses.replace(by_open[key], position=estimate.position)
        for key, estimate in by_all.items()
    }


async def estimate_of(
    tx: Tx,
    ctx: HallContext,
    now: datetime,
    ticket: Ticket,
    waiting: Waiting | None = None,
) -> WaitEstimate | None:
    """One ticket's position and estimated wait, as ``estimates`` gives it, in one pass.

    ``waiting`` may be the queue as read before this ticket was added: the ticket itself
    is never counted ahead of itself.
    """
    if waiting is None:
        waiting = await waiting_queue(tx, ctx, now)
    windows = await windows_now(tx, ctx)
    return estimate_in_lines(
        ticket,
        waiting.lines,
        windows.open,
        seconds(now),
        ctx.policy,
        await _handling(tx, ctx, now),
        position_windows=windows.active,
    )


@dataclass(frozen=True, slots=True)
class _Handled:
    matter: str
    started_at: float | None
    finished_at: float | None


HANDLING_REFRESH_SECONDS = 60.0


async def _handling(tx: Tx, ctx: HallContext, now: datetime) -> dict[str, float]:
    """Expected handling minutes per matter: the last hour's mean, else the catalogue's.

    An estimate for people: worked out at most once a minute per hall and process.
    """
    name = f"handling:{ctx.id}"
    known = tx.memo.get(name)
    if known is not None:
        version, handling = known
        at, config_version = cast(tuple[datetime, datetime], version)
        fresh = 0 <= (now - at).total_seconds() < HANDLING_REFRESH_SECONDS
        if fresh and config_version == ctx.hall.updated_at:
            return dict(handling)
    handling = await _read_handling(tx.session, ctx, now)
    tx.memo.put(name, (now, ctx.hall.updated_at), handling)
    return dict(handling)


async def _read_handling(
    session: AsyncSession, ctx: HallContext, now: datetime
) -> dict[str, float]:
    since = now - timedelta(hours=1)
    query = select(TicketRow.matter_code, TicketRow.started_at, TicketRow.finished_at).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.service_day >= ctx.day(since),
        TicketRow.finished_at >= since,
        TicketRow.status == TicketStatus.FINISHED.value,
    )
    finished = [
        _Handled(matter, _seconds(started), _seconds(ended))
        for matter, started, ended in (await session.execute(query)).all()
    ]
    handling = {code: m.expected_minutes for code, m in ctx.matters.items()}
    handling.update(recent_handling_minutes(finished, seconds(now)))
    return handling


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else seconds(moment)
