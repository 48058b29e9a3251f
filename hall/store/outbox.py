"""The hall's screen outbox: one numbered order of its screen events for every process.

A unit of work that records events of the kinds screens and staff-side pages hear of
(``hall.publish.in_outbox``) moves the hall's ``screen_seq`` by their number in its
last statement, which holds the hall row's lock until the commit, and writes them to
``screen_outbox`` under those numbers. So the numbers of a hall have no gaps and commit
in order: once a process sees number N committed, every number before it is committed
too, whichever process wrote it. Every process delivers a hall's messages in this order
and reads the outbox when it finds a gap. Rows older than a day are pruned now and then,
never the latest ``KEEP_ROWS`` of a hall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hall.publish import HallEvent
from hall.store.models import HallRow, ScreenOutboxRow

KEEP_ROWS = 10_000
KEEP_FOR = timedelta(days=1)
PRUNE_EVERY = 256  # a hall's outbox is pruned when its sequence crosses a multiple of this

_OUTBOX = cast(Table, ScreenOutboxRow.__table__)
_INSERT = insert(_OUTBOX)
_PRUNE = delete(_OUTBOX).where(
    _OUTBOX.c.hall_id == bindparam("p_hall"),
    _OUTBOX.c.seq <= bindparam("p_seq"),
    _OUTBOX.c.created_at < bindparam("p_before"),
)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One numbered screen event of a hall."""

    seq: int
    kind: str
    at: datetime
    event_id: int
    payload: dict[str, Any]


def payload(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a screen may know of an event: the ticket number, the window, a status."""
    found: dict[str, Any] = {}
    number = data.get("number")
    if kind.startswith(("ticket_", "service_")) and isinstance(number, str):
        found["ticket"] = number
    window = data.get("window")
    if isinstance(window, int) and not isinstance(window, bool):
        found["window"] = window
    status = data.get("status")
    if isinstance(status, str):
        found["status"] = status
    return found


async def append(
    connection: AsyncConnection,
    hall_id: str,
    events: Sequence[HallEvent],
    last_seq: int,
    now: datetime,
) -> None:
    """Write ``events`` numbered up to ``last_seq`` (the hall's moved ``screen_seq``)."""
    first = last_seq - len(events) + 1
    rows = [
        {
            "hall_id": hall_id,
            "seq": first + index,
            "event_id": event.event_id,
            "kind": event.kind,
            "payload": payload(event.kind, event.data),
            "created_at": now,
        }
        for index, event in enumerate(events)
    ]
    await connection.execute(_INSERT, rows[0] if len(rows) == 1 else rows)
    if last_seq // PRUNE_EVERY != (first - 1) // PRUNE_EVERY:
        await connection.execute(
            _PRUNE,
            {"p_hall": hall_id, "p_seq": last_seq - KEEP_ROWS, "p_before": now - KEEP_FOR},
        )


async def current_seq(session: AsyncSession, hall_id: str) -> int | None:
    """The hall's last screen sequence number; None for an unknown hall."""
    found = await session.scalar(select(HallRow.screen_seq).where(HallRow.id == hall_id))
    return None if found is None else int(found)


async def entries_after(
    session: AsyncSession, hall_id: str, after: int, limit: int
) -> list[OutboxEntry]:
    """Up to ``limit`` entries numbered after ``after``, in order."""
    rows = await session.execute(
        select(
            _OUTBOX.c.seq,
            _OUTBOX.c.kind,
            _OUTBOX.c.created_at,
            _OUTBOX.c.event_id,
            _OUTBOX.c.payload,
        )
        .where(_OUTBOX.c.hall_id == hall_id, _OUTBOX.c.seq > after)
        .order_by(_OUTBOX.c.seq)
        .limit(limit)
    )
    return [
        OutboxEntry(int(seq), kind, at, int(event_id), dict(data or {}))
        for seq, kind, at, event_id, data in rows.all()
    ]


async def last_seq_of(session: AsyncSession, hall_id: str, upto: int, kinds: Sequence[str]) -> int:
    """The number of the latest entry of one of ``kinds`` up to ``upto`` (0 if none kept)."""
    found = await session.scalar(
        select(func.max(_OUTBOX.c.seq)).where(
            _OUTBOX.c.hall_id == hall_id, _OUTBOX.c.seq <= upto, _OUTBOX.c.kind.in_(kinds)
        )
    )
    return int(found or 0)
