"""Default ratings: a finished ticket nobody rated within ``[rating] period_days`` gets
the hall's default score (基本满意) with channel ``default``: counted in 未评价率, never
as an active rating.

The sweep is driven by the database (it catches up after a restart, looking back
``LOOKBACK_DAYS``) and safe with several server processes: the rows go in with
``INSERT … ON CONFLICT (ticket_id) DO NOTHING RETURNING``, so each ticket gets exactly one
rating whoever sweeps, and only the rows that went in get an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cases.rules import HallRules, hall_rules
from hall.cases.served import served_by
from hall.publish import Publisher
from hall.ratings.scale import Channel
from hall.store.db import Database
from hall.store.models import HallRow, RatingRow, TicketRow
from hall.store.unit import Unit, reading, unit_of_work

BATCH = 500
LOOKBACK_DAYS = 60  # how far back, beyond the period, the sweep looks for unrated tickets
_RATINGS: Table = RatingRow.__table__  # type: ignore[assignment]


async def record_default_ratings(db: Database, publisher: Publisher, now: datetime) -> int:
    """Give every finished ticket whose rating period is over, and that nobody rated, the
    hall's default rating; returns how many were recorded."""
    async with reading(db) as tx:
        session = tx.session
        halls = (await session.scalars(select(HallRow.id).where(HallRow.active))).all()
    recorded = 0
    for hall_id in halls:
        while True:
            async with reading(db) as tx:  # most passes find nothing: no write then
                session = tx.session
                rules = await hall_rules(tx, hall_id)
                tickets = await _unrated(session, rules, now)
            if not tickets:
                break
            async with unit_of_work(db, publisher, "system", hall_id, now) as unit:
                recorded += await _insert(unit, rules, tickets)
            if len(tickets) < BATCH:
                break
    return recorded


async def _unrated(session: AsyncSession, rules: HallRules, now: datetime) -> Sequence[TicketRow]:
    cutoff = now - timedelta(days=rules.rating.period_days)
    since = (cutoff - timedelta(days=LOOKBACK_DAYS)).astimezone(rules.zone).date()
    query = (
        select(TicketRow)
        .outerjoin(RatingRow, RatingRow.ticket_id == TicketRow.id)
        .where(
            TicketRow.hall_id == rules.id,
            TicketRow.status == "finished",
            TicketRow.service_day >= since,
            TicketRow.finished_at <= cutoff,
            RatingRow.id.is_(None),
        )
        .order_by(TicketRow.finished_at)
        .limit(BATCH)
    )
    return (await session.scalars(query)).all()


async def _insert(unit: Unit, rules: HallRules, tickets: Sequence[TicketRow]) -> int:
    if not tickets:
        return 0
    served = await served_by(unit.session, tickets)
    period = timedelta(days=rules.rating.period_days)
    values: list[dict[str, Any]] = []
    for ticket in tickets:
        assert ticket.finished_at is not None
        who = served[ticket.id]
        values.append(
            {
                "ticket_id": ticket.id,
                "hall_id": ticket.hall_id,
                "service_day": ticket.service_day,
                "ticket_number": ticket.number,
                "matter_code": ticket.matter_code,
                "window_number": who.window,
                "staff_id": who.staff_id,
                "staff_job": who.staff_job,
                "finished_at": ticket.finished_at,
                "score": rules.rating.default_score,
                "reasons": [],
                "comment": "",
                "channel": Channel.DEFAULT.value,
                "rated_at": ticket.finished_at + period,
                "changes": 0,
                "excluded": False,
                "excluded_reason": "",
            }
        )
    connection = await unit.session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_RATINGS)
        .values(values)
        .on_conflict_do_nothing(index_elements=["ticket_id"])
        .returning(_RATINGS.c.id, _RATINGS.c.ticket_number, _RATINGS.c.window_number)
    )
    inserted = (await connection.execute(statement)).all()
    for row in inserted:
        unit.record(
            "rating_defaulted",
            "rating",
            row.id,
            after={"score": rules.rating.default_score, "channel": Channel.DEFAULT.value},
            data={"ticket": row.ticket_number, "window": row.window_number},
            publish=False,
        )
    return len(inserted)
