"""What every ticket action needs to know about its hall, loaded once per transaction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall import catalogue
from hall.errors import InvalidInput
from hall.models import HallRow, MatterRow, TicketCounterRow, TicketRow, WindowRow
from hall.queue_cache import (
    CACHE_KEY,
    MEMO_KEY,
    HallWindows,
    QueueCache,
    Waiting,
    own_changes,
    own_window_changes,
    queue_version,
    remembered,
    with_changes,
)
from hall.ticket_store import seconds, ticket_from_state, window_state
from queueing import Policy, Ticket, TicketStatus, WindowState
from queueing.dispatch_queue import DispatchQueue
from queueing.estimates import (
    WaitEstimate,
    estimate_in_lines,
    estimate_waits,
    recent_handling_minutes,
)


@dataclass(frozen=True, slots=True)
class HallContext:
    """A hall's row, time zone, policy knobs and matters."""

    hall: HallRow  # a plain copy (not in the session), as of the hall's updated_at
    zone: ZoneInfo
    policy: Policy
    matters: dict[str, MatterRow]
    queue_version: int  # read in this transaction
    locked: bool = False  # the versions were read holding the hall's lock

    @property
    def id(self) -> str:
        return self.hall.id

    def day(self, now: datetime) -> date:
        """The hall's local calendar day at ``now`` (numbers restart every day)."""
        return now.astimezone(self.zone).date()

    def matter(self, code: Any, field: str = "matter") -> MatterRow:
        """An active matter of this hall; raises InvalidInput naming the field."""
        matter = self.matters.get(code) if isinstance(code, str) else None
        if matter is None:
            raise InvalidInput(
                f"Hall {self.id!r} has no matter {code!r}; "
                f"GET /api/halls/{self.id}/matters lists them.",
                f"大厅 {self.id!r} 没有事项 {code!r}；"
                f"可通过 GET /api/halls/{self.id}/matters 查看。",
                fields={field: "unknown matter"},
            )
        return matter

    def appointment_prefix(self) -> str:
        booking = self.hall.settings.get("booking", {})
        prefix: str = booking.get("appointment_prefix", "")
        return prefix


async def load_context(session: AsyncSession, hall_id: str, *, lock: bool = False) -> HallContext:
    """Load a hall's context; raises NotFound for an unknown hall.

    One small statement reads the hall's versions; the rest (the hall row, its zone,
    policy and matters) is kept per process with the hall row's ``updated_at``, which
    every change of the hall or its configuration bumps (``catalogue.apply_config``),
    and read again whenever it moved. ``lock``: take the hall's lock (``lock_hall``)
    first, so that the versions are read holding it.
    """
    connection = await session.connection()
    if lock:
        await lock_hall(session, hall_id)
    found = (await connection.execute(_HALL_VERSIONS, {"b_hall": hall_id})).first()
    if found is None or not found.active:
        raise catalogue.no_such_hall(hall_id)

    async def load() -> tuple[HallRow, ZoneInfo, Policy, dict[str, MatterRow]]:
        # Plain copies: rows of a session would expire when its transaction rolls back.
        hall = _copy(await catalogue.get_hall(session, hall_id))
        matters = {m.code: _copy(m) for m in await catalogue.list_matters(session, hall_id)}
        policy = Policy.from_mapping(hall.settings.get("policy", {}))
        return hall, ZoneInfo(hall.timezone), policy, matters

    hall, zone, policy, matters = await remembered(
        session, f"context:{hall_id}", found.updated_at, load
    )
    return HallContext(hall, zone, policy, matters, int(found.queue_version or 0), lock)


_HALL_VERSIONS = select(HallRow.active, HallRow.updated_at, HallRow.queue_version).where(
    HallRow.id == bindparam("b_hall")
)


_Row = TypeVar("_Row", HallRow, MatterRow)


def _copy(row: _Row) -> _Row:
    columns = type(row).__table__.columns
    return type(row)(**{c.key: getattr(row, c.key) for c in columns})


async def lock_hall(session: AsyncSession, hall_id: str) -> None:
    """Serialise the hall's queue changes until the transaction ends.

    SQLite already runs one write transaction at a time; PostgreSQL takes a
    transaction-scoped advisory lock per hall, so two windows calling at once queue up
    here and never pick the same ticket.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(_LOCK_HALL, {"key": f"hall:{hall_id}"})


_LOCK_HALL = text("SELECT pg_advisory_xact_lock(hashtext(:key))")

# Built once: composing a statement costs more than running it on SQLite.
_NEXT_SEQ = (
    update(TicketCounterRow)
    .where(
        TicketCounterRow.hall_id == bindparam("b_hall"),
        TicketCounterRow.service_day == bindparam("b_day"),
        TicketCounterRow.prefix == bindparam("b_prefix"),
    )
    .values(last_seq=TicketCounterRow.last_seq + 1)
    .returning(TicketCounterRow.last_seq)
    .execution_options(synchronize_session=False)
)


_FIRST_SEQ = insert(TicketCounterRow).values(
    hall_id=bindparam("b_hall"),
    service_day=bindparam("b_day"),
    prefix=bindparam("b_prefix"),
    last_seq=1,
)


async def next_number_seq(session: AsyncSession, hall_id: str, day: date, prefix: str) -> int:
    """The next sequence for a prefix on a day (call with the hall locked)."""
    connection = await session.connection()
    params = {"b_hall": hall_id, "b_day": day, "b_prefix": prefix}
    bumped = (await connection.execute(_NEXT_SEQ, params)).scalar()
    if bumped is not None:
        return int(bumped)
    await connection.execute(_FIRST_SEQ, params)
    return 1


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


async def estimates(
    session: AsyncSession,
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
        waiting = await waiting_tickets(session, ctx, now)
    if rows is None:
        rows = await window_rows(session, ctx.id)
    handling = await _handling(session, ctx, now)
    at = seconds(now)
    by_open = estimate_waits(waiting, open_states(rows), at, ctx.policy, handling)
    by_all = estimate_waits(waiting, [window_state(r) for r in rows], at, ctx.policy, handling)
    return {
        key: dataclasses.replace(by_open[key], position=estimate.position)
        for key, estimate in by_all.items()
    }


async def estimate_of(
    session: AsyncSession,
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
        waiting = await waiting_queue(session, ctx, now)
    windows = await windows_now(session, ctx)
    return estimate_in_lines(
        ticket,
        waiting.lines,
        windows.open,
        seconds(now),
        ctx.policy,
        await _handling(session, ctx, now),
        position_windows=windows.active,
    )


@dataclass(frozen=True, slots=True)
class _Handled:
    matter: str
    started_at: float | None
    finished_at: float | None


HANDLING_REFRESH_SECONDS = 60.0


async def _handling(session: AsyncSession, ctx: HallContext, now: datetime) -> dict[str, float]:
    """Expected handling minutes per matter: the last hour's mean, else the catalogue's.

    An estimate for people: worked out at most once a minute per hall and process.
    """
    memo: dict[str, Any] = session.info.get(MEMO_KEY, {})
    known = memo.get(f"handling:{ctx.id}")
    if known is not None:
        at, config_version, handling = known
        fresh = 0 <= (now - at).total_seconds() < HANDLING_REFRESH_SECONDS
        if fresh and config_version == ctx.hall.updated_at:
            return dict(handling)
    handling = await _read_handling(session, ctx, now)
    memo[f"handling:{ctx.id}"] = (now, ctx.hall.updated_at, handling)
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
