"""Escalation (催办) of overdue cases, driven by the database so that it catches up after
a restart, and safe with several server processes: each hall's sweep is one conditional
``UPDATE … RETURNING`` that marks every case past its deadline and not yet escalated for
that deadline, so a deadline escalates exactly once whoever sweeps first."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import ColumnElement, Table, or_, select, update

from hall.cases.kinds import CaseKind, CaseStatus
from hall.publish import Publisher
from hall.store.db import Database
from hall.store.models import CaseRow
from hall.store.unit import unit_of_work

log = logging.getLogger(__name__)
_CASES: Table = CaseRow.__table__  # type: ignore[assignment]


def _late(now: datetime) -> list[ColumnElement[bool]]:
    return [
        _CASES.c.status != CaseStatus.CLOSED.value,
        _CASES.c.due_at.is_not(None),
        _CASES.c.due_at < now,
        or_(_CASES.c.escalated_due.is_(None), _CASES.c.escalated_due != _CASES.c.due_at),
    ]


async def escalate_overdue(db: Database, publisher: Publisher, now: datetime) -> int:
    """Escalate every case past its current deadline once; returns how many."""
    async with db.read() as session:
        halls = (
            await session.scalars(select(_CASES.c.hall_id).where(*_late(now)).distinct())
        ).all()
    escalated = 0
    for hall_id in halls:
        async with unit_of_work(db, publisher, "system", hall_id, now) as unit:
            statement = (
                update(_CASES)
                .where(_CASES.c.hall_id == hall_id, *_late(now))
                .values(escalated_due=_CASES.c.due_at, escalations=_CASES.c.escalations + 1)
                .returning(
                    _CASES.c.id,
                    _CASES.c.kind,
                    _CASES.c.status,
                    _CASES.c.window_number,
                    _CASES.c.due_at,
                )
            )
            for row in (await unit.session.execute(statement)).all():
                escalated += 1
                unit.record(
                    "case_escalated",
                    "case",
                    row.id,
                    after={"status": row.status, "kind": row.kind, "window": row.window_number},
                    data={"step": "escalated", "note": "", "due": row.due_at.isoformat()},
                    publish=row.kind == CaseKind.HELP,
                )
    return escalated


async def every(
    interval: float, job: Callable[[], Awaitable[int]], what: str
) -> None:  # pragma: no cover - the loop around tested jobs, run by the server
    """Run ``job`` now and then every ``interval`` seconds until cancelled; log failures."""
    while True:
        try:
            done = await job()
            if done:
                log.info("%s: %d", what, done)
        except Exception:  # one failed pass must not stop the sweeps
            log.exception("%s failed", what)
        await asyncio.sleep(interval)
