"""A unit of work: one write transaction plus the audit events it records.

Events marked for publishing are handed to the injected publisher only after the
transaction has committed, so a screen never shows something that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hall import audit
from hall.db import Database
from hall.models import EventRow
from hall.publish import HallEvent, Publisher

log = logging.getLogger(__name__)


class Unit:
    """The open transaction of one action, and who did it when."""

    def __init__(self, session: AsyncSession, actor: str, hall_id: str, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.hall_id = hall_id
        self.now = now
        self.to_publish: list[EventRow] = []

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
    ) -> EventRow:
        """Append an audit event; publish it to the screens after commit unless told not to."""
        row = audit.record(
            self.session,
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
        if publish:
            self.to_publish.append(row)
        return row


@asynccontextmanager
async def unit_of_work(
    db: Database, publisher: Publisher, actor: str, hall_id: str, now: datetime
) -> AsyncIterator[Unit]:
    """Run one action in a write transaction, then publish its events."""
    async with db.write() as session:
        unit = Unit(session, actor, hall_id, now)
        yield unit
    events = [
        HallEvent(
            hall_id=row.hall_id or hall_id,
            kind=row.kind,
            at=row.at,
            event_id=row.id,
            data={**(row.after or {}), **row.data},
        )
        for row in unit.to_publish
    ]
    if events:
        try:
            await publisher.publish(events)
        except Exception:  # the action is committed; a screen problem must not undo it
            log.exception("Publishing %d event(s) for hall %s failed", len(events), hall_id)
