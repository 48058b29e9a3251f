"""The one writer of ticket and window rows in a unit of work, which keeps the queue copy.

Every ticket and window write goes through the unit's ``QueueWriter`` (``unit.part``):
a prebuilt statement per row, and a note of what changed. At the end of the unit the
writer tells it which halls' queues changed (their ``queue_version`` moves in the
unit's last statement), and after the commit it advances the process's copy
(``hall.calling.queue_copy``) with exactly those changes. Rows are plain, transient
``TicketRow``/``WindowRow`` objects (``hall.calling.rows``), never added to the session.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update

from hall.calling.core_rows import TICKET_COLUMNS
from hall.calling.queue_copy import Change, QueueCache, WindowFacts, window_facts
from hall.store.models import HallRow, TicketRow, WindowRow
from hall.store.unit import Part, Tx, Unit
from queueing import TicketStatus


class ConcurrentChange(RuntimeError):
    """A row changed under a transaction that holds the hall's lock: a defect, not input."""


_WAITING = TicketStatus.WAITING.value
_TICKETS = cast(Table, TicketRow.__table__)
_WINDOWS = cast(Table, WindowRow.__table__)
_HALLS = cast(Table, HallRow.__table__)
# Every row written carries the number its hall's ``ticket_seq`` moves to at the end of
# the unit (``Unit.tickets_written``); the hall is locked, so nobody else moves it.
_NEXT_SEQ = select(_HALLS.c.ticket_seq + 1)
# Built once: composing a statement costs more than running it on SQLite.
_INSERT_TICKET = insert(_TICKETS).values(
    change_seq=_NEXT_SEQ.where(_HALLS.c.id == bindparam("c_hall")).scalar_subquery()
)
_SAVE_TICKET = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("b_id"), _TICKETS.c.status == bindparam("b_status"))
    .values(
        {name: bindparam(f"v_{name}") for name in TICKET_COLUMNS}
        | {"change_seq": _NEXT_SEQ.where(_HALLS.c.id == _TICKETS.c.hall_id).scalar_subquery()}
    )
)
WINDOW_COLUMNS = ("status", "staff_id", "dispatch_state")
_SAVE_WINDOW = (
    update(_WINDOWS)
    .where(_WINDOWS.c.id == bindparam("b_id"))
    .values({name: bindparam(f"v_{name}") for name in WINDOW_COLUMNS})
)


class QueueWriter(Part):
    """Every ticket and window row one unit of work writes, and what that does to the copy."""

    def __init__(self, tx: Tx) -> None:
        if not isinstance(tx, Unit):
            raise TypeError("tickets and windows are written in a unit of work")
        super().__init__(tx)
        self.unit = tx
        self._tickets: dict[str, TicketRow] = {}
        self._waited: set[str] = set()  # ids of the written tickets that were waiting
        self._windows: dict[int, WindowRow] = {}
        self._changes: list[Change] = []
        self._window_changes: list[WindowFacts] = []

    async def insert_ticket(self, row: TicketRow) -> None:
        """Insert a new ticket's row (every column set, as ``new_ticket`` builds it)."""
        values = {c.key: getattr(row, c.key) for c in _TICKETS.c if c.key != "change_seq"}
        await self._execute(_INSERT_TICKET, {**values, "c_hall": row.hall_id})
        self._note_ticket(row, None)

    async def write_ticket(self, row: TicketRow, was: str) -> None:
        """Write back what ``store_ticket`` changed in a row that had status ``was``.

        The hall is locked, so the row is still as read; if it is not, the action stops
        (ConcurrentChange) rather than overwrite a change it did not see.
        """
        values: dict[str, Any] = {f"v_{name}": getattr(row, name) for name in TICKET_COLUMNS}
        result = await self._execute(_SAVE_TICKET, {"b_id": row.id, "b_status": was, **values})
        if result.rowcount != 1:
            raise ConcurrentChange(f"ticket {row.id} is no longer {was}")
        self._note_ticket(row, was)

    async def write_window(self, row: WindowRow) -> None:
        """Write back a window's status, clerk and dispatch state (a row of ``read_window``)."""
        values = {f"v_{name}": getattr(row, name) for name in WINDOW_COLUMNS}
        await self._execute(_SAVE_WINDOW, {"b_id": row.id, **values})
        self._windows[row.id] = row

    def own_tickets(self, hall_id: str) -> list[TicketRow]:
        """The hall's ticket rows this unit has written so far."""
        return [r for r in self._tickets.values() if r.hall_id == hall_id]

    def own_windows(self, hall_id: str) -> bool:
        """Whether this unit has written any of the hall's windows."""
        return any(r.hall_id == hall_id for r in self._windows.values())

    async def _execute(self, statement: Any, params: dict[str, Any]) -> Any:
        connection = await self.unit.session.connection()
        return await connection.execute(statement, params)

    def _note_ticket(self, row: TicketRow, was: str | None) -> None:
        if row.id not in self._tickets and was == _WAITING:  # its first write in the unit
            self._waited.add(row.id)
        self._tickets[row.id] = row

    async def before_commit(self) -> None:
        self._changes = [
            Change(r.id, r.hall_id, r.service_day, r.status, dict(r.state))
            for r in self._tickets.values()
            # A ticket that neither waited before nor waits now (a service started, say)
            # is in nobody's copy: it moves no version.
            if r.id in self._waited or r.status == _WAITING
        ]
        self._window_changes = [window_facts(r) for r in self._windows.values()]
        for hall_id in {r.hall_id for r in self._tickets.values()}:
            self.unit.tickets_written(hall_id)
        halls = {c.hall_id for c in self._changes} | {w.hall_id for w in self._window_changes}
        for hall_id in halls:
            self.unit.queue_changed(hall_id, followed=True)

    def after_commit(self) -> None:
        copy = self.unit.memo.kept(QueueCache)
        for hall_id, version in self.unit.queue_versions.items():
            if not self.unit.followed(hall_id):
                continue  # somebody else changed the queue too: the copy is read again
            copy.advance(
                hall_id,
                version,
                [c for c in self._changes if c.hall_id == hall_id],
                [w for w in self._window_changes if w.hall_id == hall_id],
            )
