"""Transactions as services see them: a read (``reading``) or a unit of work.

A ``Tx`` is an open transaction plus the process's memo (``hall.store.memo``). A ``Unit``
is the one way a service writes: a write transaction plus the audit events it records,
written with one statement at the end (just before the commit); those marked for
publishing go to the injected publisher only after the commit, so a screen never shows
something that was rolled back.

Rooms above the store attach their own per-transaction helpers as *parts*
(``tx.part(Kind)``): the calling room's writer of tickets and windows is one. A part of
a unit is told before the commit (it may still write) and after it (to keep a
per-process copy). A hall's ``queue_version`` moves in the unit's last statement for
every hall whose waiting tickets or windows the unit changed (``queue_changed``), with
its ``ticket_seq`` if the unit wrote its tickets (``tickets_written``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall.publish import HallEvent, NullPublisher, Publisher, in_outbox
from hall.store import audit, outbox
from hall.store.db import Database
from hall.store.memo import Memo
from hall.store.models import EventRow, HallRow

log = logging.getLogger(__name__)

_EVENTS = cast(Table, EventRow.__table__)
_HALLS = cast(Table, HallRow.__table__)
# Built once; several rows go in one statement and come back in the order given.
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def _bump_statement(queue: bool, number: bool, tickets: bool) -> Any:
    """The hall row's end-of-unit ``UPDATE``: the queue version, the screen sequence (by
    ``b_count``) and the ticket sequence, as the unit needs; returning the first two."""
    c = _HALLS.c
    values: dict[str, Any] = {"updated_at": c.updated_at}  # the configuration did not change
    if queue:
        values["queue_version"] = c.queue_version + 1
    if number:
        values["screen_seq"] = c.screen_seq + bindparam("b_count")
    if tickets:
        values["ticket_seq"] = c.ticket_seq + 1
    return (
        update(_HALLS)
        .values(values)
        .where(c.id == bindparam("b_hall"))
        .returning(c.queue_version, c.screen_seq)
    )


# Built once, one per combination (composing a statement costs more than running it).
_BUMPS = {
    (queue, number, tickets): _bump_statement(queue, number, tickets)
    for queue in (False, True)
    for number in (False, True)
    for tickets in (False, True)
}

P = TypeVar("P", bound="Part")


class Part:
    """A per-transaction helper of a room, made by ``Tx.part`` on first use."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def before_commit(self) -> None:
        """Called at the end of a unit of work, before its events and version bumps."""

    def after_commit(self) -> None:
        """Called once the unit has committed."""


class Tx:
    """An open transaction and the process's checked copies."""

    def __init__(self, session: AsyncSession, memo: Memo) -> None:
        self.session = session
        self.memo = memo
        self._parts: dict[type[Part], Part] = {}

    def part(self, kind: type[P]) -> P:
        """This transaction's ``kind`` helper, made on first use."""
        found = self._parts.get(kind)
        if found is None:
            found = self._parts[kind] = kind(self)
        return cast(P, found)

    def existing(self, kind: type[P]) -> P | None:
        """This transaction's ``kind`` helper if one was made."""
        return cast(P | None, self._parts.get(kind))


class QueueWriteOutsideWriter(RuntimeError):
    """A ticket or window row changed through the ORM without telling the queue copy."""


class Unit(Tx):
    """The open write transaction of one action, and who did it when."""

    def __init__(
        self, session: AsyncSession, memo: Memo, actor: str, hall_id: str | None, now: datetime
    ) -> None:
        super().__init__(session, memo)
        self.actor = actor
        self.hall_id = hall_id
        self.now = now
        self._events: list[dict[str, Any]] = []
        self._publish: list[bool] = []
        self._queues: dict[str, bool] = {}  # hall -> every change followed by a part
        self.queue_versions: dict[str, int] = {}  # after the commit: hall -> new version
        self._tickets: set[str] = set()  # halls whose ticket rows this unit wrote

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
        hall_id: str | None = None,
    ) -> None:
        """Append an audit event; publish it to the screens after commit unless told not to."""
        self._events.append(
            audit.event_values(
                actor=self.actor,
                kind=kind,
                subject_type=subject_type,
                subject_id=subject_id,
                hall_id=hall_id if hall_id is not None else self.hall_id,
                before=before,
                after=after,
                data=data,
                at=self.now,
            )
        )
        self._publish.append(publish)

    def queue_changed(self, hall_id: str, *, followed: bool = False) -> None:
        """Move the hall's ``queue_version`` at commit: its waiting tickets or windows changed.

        ``followed``: a part advances the process's copy with the change after the
        commit; otherwise every copy of that hall is read again.
        """
        self._queues[hall_id] = self._queues.get(hall_id, True) and followed

    def tickets_written(self, hall_id: str) -> None:
        """Move the hall's ``ticket_seq`` at commit: the unit wrote the hall's ticket rows
        (stamped with the new number by ``hall.calling.writer``)."""
        self._tickets.add(hall_id)

    def followed(self, hall_id: str) -> bool:
        """Whether every queue change of the hall in this unit was followed by a part."""
        return self._queues.get(hall_id, False)

    async def finish(self) -> list[HallEvent]:
        """Everything a unit does at its end, in order; the events to publish."""
        for part in list(self._parts.values()):
            await part.before_commit()
        self._check_rows()
        events = await self._write_events()
        numbered: dict[str, list[HallEvent]] = defaultdict(list)
        for event in events:
            if in_outbox(event.kind):
                numbered[event.hall_id].append(event)
        seqs: dict[int, int] = {}  # event id -> its screen sequence number
        connection = await self.session.connection()
        # The last statements, in one order of halls (no deadlock); each holds the hall
        # row's lock until the commit, so screen numbers commit in order.
        for hall_id in sorted(set(self._queues) | set(numbered) | self._tickets):
            batch = numbered.get(hall_id, [])
            last = await self._bump(connection, hall_id, len(batch))
            if batch and last is not None:
                await outbox.append(connection, hall_id, batch, last, self.now)
                first = last - len(batch) + 1
                seqs.update((e.event_id, first + i) for i, e in enumerate(batch))
        if not seqs:
            return events
        return [dataclasses.replace(e, seq=seqs.get(e.event_id)) for e in events]

    async def _bump(self, connection: Any, hall_id: str, count: int) -> int | None:
        """Move the hall's queue version (if its queue changed), screen sequence (by
        ``count``) and ticket sequence (if its tickets were written) in one statement;
        the hall's new ``screen_seq`` if moved."""
        queue = hall_id in self._queues
        statement = _BUMPS[(queue, count > 0, hall_id in self._tickets)]
        row = (await connection.execute(statement, {"b_hall": hall_id, "b_count": count})).first()
        if row is None:
            return None
        if queue:
            self.queue_versions[hall_id] = int(row[0])
        return int(row[1]) if count else None

    def committed(self) -> None:
        for part in self._parts.values():
            part.after_commit()

    def _check_rows(self) -> None:
        session = self.session
        for row in (*session.new, *session.dirty, *session.deleted):
            hall_id = getattr(row, "hall_id", None)
            if not getattr(row, "queue_row", False) or hall_id in self._queues:
                continue
            if row in session.new or row in session.deleted or session.is_modified(row):
                raise QueueWriteOutsideWriter(
                    f"{type(row).__name__} of hall {hall_id} changed without queue_changed()"
                )

    async def _write_events(self) -> list[HallEvent]:
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
                hall_id=event["hall_id"],
                kind=event["kind"],
                at=self.now,
                event_id=event_id,
                data={**(event["after"] or {}), **event["data"]},
            )
            for event, event_id, publish in zip(self._events, ids, self._publish, strict=True)
            if publish and event["hall_id"] is not None
        ]


@asynccontextmanager
async def reading(db: Database) -> AsyncIterator[Tx]:
    """A read-only transaction (a consistent snapshot) with the process's memo."""
    async with db.read() as session:
        yield Tx(session, db.memo)


@asynccontextmanager
async def unit_of_work(
    db: Database,
    publisher: Publisher | None,
    actor: str,
    hall_id: str | None,
    now: datetime,
) -> AsyncIterator[Unit]:
    """Run one action in a write transaction, then publish its events."""
    async with db.write() as session:
        unit = Unit(session, db.memo, actor, hall_id, now)
        yield unit
        events = await unit.finish()
    unit.committed()
    if events and publisher is not None and not isinstance(publisher, NullPublisher):
        try:
            await publisher.publish(events)
        except Exception:  # the action is committed; a screen problem must not undo it
            log.exception("Publishing %d event(s) for hall %s failed", len(events), hall_id)
