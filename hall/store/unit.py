"""A unit of work: one write transaction plus the audit events it records.

The unit's audit events are written with one statement at the end of the transaction
(just before the commit), and those marked for publishing are handed to the injected
publisher only after it has committed, so a screen never shows something that was
rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from hall.publish import HallEvent, Publisher
from hall.store import audit
from hall.store.db import Database
from hall.store.models import EventRow

log = logging.getLogger(__name__)

_EVENTS = cast(Table, EventRow.__table__)
# Built once; several rows go in one statement and come back in the order given.
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


class Unit:
    """The open transaction of one action, and who did it when."""

    def __init__(self, session: AsyncSession, actor: str, hall_id: str, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.hall_id = hall_id
        self.now = now
        self._events: list[dict[str, Any]] = []
        self._publish: list[bool] = []

    def record(
        self,
        kind: str,
        subject_type: str,
        subject_id: str | int,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        publish: bool = True,
    ) -> None:
        """Append an audit event; publish it to the screens after commit unless told not to."""
        self._events.append(
            audit.event_values(
                actor=self.actor,
                kind=kind,
                subject_type=subject_type,
                subject_id=subject_id,
                hall_id=self.hall_id,
                before=before,
                after=after,
                data=data,
                at=self.now,
            )
        )
        self._publish.append(publish)

    async def write_events(self) -> list[HallEvent]:
        """Insert the recorded events (one statement); the ones to publish, with their ids."""
        if not self._events:
            return []
        connection = await self.session.connection()
        # One row is a plain execution, several one statement (SQLAlchemy's
        # "insertmanyvalues"), both with the new ids in order.
        rows = self._events[0] if len(self._events) == 1 else self._events
        ids = (await connection.execute(_INSERT_EVENTS, rows)).scalars().all()
        return [
            HallEvent(
                hall_id=self.hall_id,
                kind=event["kind"],
                at=self.now,
                event_id=event_id,
                data={**(event["after"] or {}), **event["data"]},
            )
            for event, event_id, publish in zip(self._events, ids, self._publish, strict=True)
            if publish
        ]


@asynccontextmanager
async def unit_of_work(
    db: Database, publisher: Publisher, actor: str, hall_id: str, now: datetime
) -> AsyncIterator[Unit]:
    """Run one action in a write transaction, then publish its events."""
    async with db.write() as session:
        unit = Unit(session, actor, hall_id, now)
        yield unit
        events = await unit.write_events()
    if events:
        try:
            await publisher.publish(events)
        except Exception:  # the action is committed; a screen problem must not undo it
            log.exception("Publishing %d event(s) for hall %s failed", len(events), hall_id)
