"""The ticket records of a hall over a range of service days, as the queueing core's tickets.

One statement reads the columns the KPIs need, with times as POSIX seconds computed by
the database (``epoch``). The day's close-out (``hall.calling.close_out``) records the
tickets still open at the end of the day as ``unserved``; for a past day that was never
closed out (the server was down, or the day came before close-outs existed) a ticket
that never ended (still waiting, called, served or parked) is inferred ``unserved``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.epoch import epoch
from hall.catalogue.cache import hall_config
from hall.catalogue.calendar import open_periods
from hall.catalogue.schema import Hall
from hall.store.models import TicketRow
from hall.store.unit import Tx
from queueing import MatterClass, Outcome, Policy, Source, Ticket, TicketStatus

UNSERVED = "unserved"
_STATUSES = {s.value: s for s in TicketStatus}
_CLASSES = {c.value: c for c in MatterClass}
_SOURCES = {s.value: s for s in Source}
_OUTCOMES = {o.value: o for o in Outcome}
_ENDED = {TicketStatus.FINISHED, TicketStatus.NO_SHOW, TicketStatus.CANCELLED}


@dataclass(frozen=True, slots=True)
class HallInfo:
    """What the analytics need of a hall's configuration."""

    hall: Hall
    zone: ZoneInfo
    policy: Policy
    groups: dict[str, str]  # matter code → group code

    @property
    def id(self) -> str:
        return self.hall.id

    def day_of(self, moment: float) -> date:
        return datetime.fromtimestamp(moment, self.zone).date()

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def day_end_of(self, moment: float) -> float:
        """The end of the hall-local day holding ``moment`` (POSIX seconds)."""
        return self.day_start(self.day_of(moment) + timedelta(days=1)).timestamp()

    def closing(self, day: date) -> float | None:
        """When the hall's last opening period of the day ends, or None on a closed day."""
        periods = open_periods(self.hall, day, [m.code for m in self.hall.matters])
        if not periods:
            return None
        end = max(p.end for p in periods)
        return datetime.combine(day, end, tzinfo=self.zone).timestamp()


async def load_hall_info(tx: Tx, hall_id: str) -> HallInfo:
    """The hall's configuration for the analytics; raises NotFound."""
    hall = await hall_config(tx, hall_id)
    return HallInfo(
        hall,
        ZoneInfo(hall.timezone),
        Policy.from_mapping(hall.policy),
        {m.code: m.group for m in hall.matters},
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One ticket of the period: the core's ticket, its day and group, and how it ended."""

    ticket: Ticket
    day: date
    group: str
    unserved: bool = False  # never ended and its day is over
    open: bool = False  # still in the hall today (not ended, not unserved)

    @property
    def outcome(self) -> str:
        """The export's outcome: an Outcome value, no_show, cancelled, unserved or ''."""
        status = self.ticket.status
        if self.unserved:
            return UNSERVED
        if status is TicketStatus.FINISHED:
            return str((self.ticket.outcome or Outcome.COMPLETED).value)
        if status in (TicketStatus.NO_SHOW, TicketStatus.CANCELLED):
            return str(status.value)
        return ""


def _columns() -> Any:
    t = TicketRow
    return select(
        t.id, t.number, t.matter_code, t.matter_class, t.source, t.green, t.status,
        t.outcome, t.window_number, t.service_day, epoch(t.issued_at), epoch(t.due_at),
        epoch(t.checked_in_at), epoch(t.first_called_at), epoch(t.started_at),
        epoch(t.finished_at), t.state["first_visit"].as_boolean(),
    )  # fmt: skip


# Built once (composing a statement costs more than running a small one on SQLite). One
# day is an equality, so an index on (hall, day, …) serves the rest.
_DAYS = _columns().where(
    TicketRow.hall_id == bindparam("b_hall"),
    TicketRow.service_day >= bindparam("b_start"),
    TicketRow.service_day <= bindparam("b_end"),
)
_ONE_DAY = _columns().where(
    TicketRow.hall_id == bindparam("b_hall"), TicketRow.service_day == bindparam("b_start")
)
_CHANGED = _ONE_DAY.where(TicketRow.change_seq > bindparam("b_after"))


async def load_records(
    session: AsyncSession, info: HallInfo, start: date, end: date, today: date
) -> list[Record]:
    """The tickets of service days ``start``…``end``; days before ``today`` are over."""
    connection = await session.connection()  # Core rows: no ORM machinery per row
    query = _ONE_DAY if start == end else _DAYS
    params = {"b_hall": info.id, "b_start": start, "b_end": end}
    rows = (await connection.execute(query, params)).all()
    return [_record(row, info, today) for row in rows]


async def load_changed(
    session: AsyncSession, info: HallInfo, day: date, after: int, today: date
) -> list[Record]:
    """The tickets of service day ``day`` written after the hall's ticket sequence was
    ``after`` (their ``change_seq`` is higher; ``hall.calling.writer``)."""
    connection = await session.connection()
    params = {"b_hall": info.id, "b_start": day, "b_after": after}
    rows = (await connection.execute(_CHANGED, params)).all()
    return [_record(row, info, today) for row in rows]


def _record(row: Sequence[object], info: HallInfo, today: date) -> Record:
    (ident, number, matter, matter_class, source, green, status, outcome, window, day,
     issued, due, checked_in, called, started, finished, first_visit) = row  # fmt: skip
    assert isinstance(day, date)
    assert isinstance(matter, str)
    known = _STATUSES.get(str(status))
    ended = known in _ENDED
    ticket = Ticket(
        id=str(ident),
        number=str(number),
        matter=matter,
        matter_class=_CLASSES[matter_class],  # type: ignore[index]
        source=_SOURCES[source],  # type: ignore[index]
        issued_at=float(issued),  # type: ignore[arg-type]
        green=bool(green),
        first_visit=first_visit is not False,
        status=known if known is not None else TicketStatus.CANCELLED,
        due_at=_float(due),
        checked_in_at=_float(checked_in),
        window=window if isinstance(window, int) else None,
        first_called_at=_float(called),
        started_at=_float(started),
        finished_at=_float(finished),
        outcome=_OUTCOMES.get(str(outcome)) if known is TicketStatus.FINISHED else None,
    )
    # Recorded by the day's close-out; inferred for a past day that was never closed out.
    unserved = known in (None, TicketStatus.UNSERVED) or (not ended and day < today)
    return Record(ticket, day, info.groups.get(matter, ""), unserved, not unserved and not ended)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
