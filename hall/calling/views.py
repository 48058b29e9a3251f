"""Read-only views of a hall for the pages people use: kiosk, staff console, overview.

Every function opens one read transaction (a consistent snapshot) and returns plain
JSON-ready data. Nothing here writes; tickets carry no personal data, and staff are
named by job number only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.context import HallContext, load_context
from hall.calling.core_rows import seconds, ticket_of, window_state
from hall.calling.estimates import estimates
from hall.calling.queue import waiting_rows, window_rows
from hall.calling.windows import WindowView, window_view
from hall.catalogue import stored
from hall.catalogue.schema import Matter
from hall.errors import NotFound
from hall.store.db import Database
from hall.store.models import EventRow, StaffRow, TicketRow, WindowRow
from hall.store.unit import reading
from queueing import Policy, TicketStatus
from queueing.dispatch import arrival, sort_key
from queueing.estimates import WaitEstimate
from queueing.window import may_serve

# Audit event kinds that count towards a clerk's day.
COUNTED_KINDS = {
    "ticket_called": "called",
    "ticket_finished": "finished",
    "ticket_marked_no_show": "no_show",
}
# Event data worth showing in a ticket's history (never personal data: tickets have none).
HISTORY_FIELDS = ("window", "outcome", "reason", "to_window", "to_matter", "from_matter", "recalls")


@dataclass(frozen=True, slots=True)
class HallGroup:
    """A matter group on the kiosk: its matters and how many people wait in it."""

    code: str
    name: str
    name_en: str
    icon: str
    description: str
    description_en: str
    matters: tuple[Matter, ...]
    waiting: int


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A waiting ticket in a window's queue, in dispatch order."""

    id: str
    number: str
    matter: str
    source: str
    green: bool
    assigned_window: int | None
    waited_minutes: int
    hall_position: int | None
    estimated_wait_minutes: int | None
    position: int


@dataclass(frozen=True, slots=True)
class HeldItem:
    """A ticket called to or served at a window."""

    id: str
    number: str
    matter: str
    status: str
    source: str
    green: bool
    recalls: int
    called_at: datetime | None
    started_at: datetime | None
    minutes: int | None
    # The no-show rule while it is called: recalls still to make, and when the grace ends.
    recalls_needed: int = 0
    no_show_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParkedItem:
    """A ticket parked today (the citizen stepped away), with where and why."""

    id: str
    number: str
    matter: str
    window: int | None
    reason: str
    parked_minutes: int | None


@dataclass(frozen=True, slots=True)
class WindowDesk:
    """What a clerk at a window needs: the window, its ticket, its queue, parked tickets."""

    window: WindowView
    current: HeldItem | None
    queue: list[QueueItem]
    parked: list[ParkedItem]
    at: datetime | None = None  # the server's time (the console counts down against it)


@dataclass(frozen=True, slots=True)
class OverviewWindow(WindowView):
    """A window on the supervisor's overview, with its clerk and ticket."""

    ticket: HeldItem | None


@dataclass(frozen=True, slots=True)
class Longest:
    """The ticket that has waited longest."""

    number: str
    matter: str
    minutes: int


@dataclass(frozen=True, slots=True)
class GroupLine:
    """Waiting count and longest wait of one matter group."""

    code: str
    name: str
    name_en: str
    icon: str
    waiting: int
    longest_wait_minutes: int | None


@dataclass(frozen=True, slots=True)
class HallName:
    id: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Overview:
    """The supervisor's overview of a hall now."""

    hall: HallName
    at: datetime
    windows: list[OverviewWindow]
    groups: list[GroupLine]
    waiting: int
    longest_wait: Longest | None
    today: dict[str, int]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audit event of a ticket, with the details worth showing."""

    kind: str
    at: datetime
    actor: str
    details: dict[str, Any] = field(metadata={"flatten": True})


@dataclass(frozen=True, slots=True)
class StaffWindow:
    """Where a staff member is signed in now."""

    hall: str
    number: int
    status: str


def _minutes(since: float, now: datetime) -> int:
    return max(0, int((seconds(now) - since) // 60))


async def hall_groups(db: Database, hall_id: str, now: datetime) -> list[HallGroup]:
    """A hall's matter groups with their matters and how many people wait in each."""
    async with reading(db) as tx:
        session = tx.session
        ctx = await load_context(tx, hall_id)
        groups = await stored.list_groups(session, hall_id)
        waiting = await waiting_rows(session, ctx, now)
    per_group = Counter(_group_of(ctx, r.matter_code) for r in waiting)
    return [
        HallGroup(
            g.code,
            g.name,
            g.name_en,
            g.icon,
            g.description,
            g.description_en,
            tuple(stored.matter_of(m) for m in ctx.matters.values() if m.group_code == g.code),
            per_group.get(g.code, 0),
        )
        for g in groups
    ]


def _group_of(ctx: HallContext, matter_code: str) -> str:
    matter = ctx.matters.get(matter_code)
    return matter.group_code if matter is not None else ""


def _queue_item(
    row: TicketRow, estimate: WaitEstimate | None, now: datetime, position: int
) -> QueueItem:
    ticket = ticket_of(row)
    minutes = None if estimate is None else estimate.minutes
    return QueueItem(
        id=row.id,
        number=row.number,
        matter=row.matter_code,
        source=row.source,
        green=row.green,
        assigned_window=ticket.assigned_window,
        waited_minutes=_minutes(arrival(ticket), now),
        hall_position=None if estimate is None else estimate.position,
        estimated_wait_minutes=None if minutes is None else round(minutes),
        position=position,
    )


async def window_desk(db: Database, hall_id: str, number: int, now: datetime) -> WindowDesk:
    """What a clerk at a window needs: the window, its ticket, its queue and parked tickets.

    The queue is every waiting ticket this window may serve, in the dispatch order
    (class, then due time or arrival); raises NotFound for an unknown hall or window.
    """
    async with reading(db) as tx:
        session = tx.session
        ctx = await load_context(tx, hall_id)
        rows = await window_rows(session, hall_id)
        wrow = _find_window(rows, hall_id, number)
        state = window_state(wrow)
        waiting = await waiting_rows(session, ctx, now)
        guesses = await estimates(tx, ctx, now, [ticket_of(r) for r in waiting])
        mine = [r for r in waiting if may_serve(state, ticket_of(r))]
        mine.sort(key=lambda r: sort_key(ticket_of(r), seconds(now), ctx.policy))
        current = None if state.ticket_id is None else await session.get(TicketRow, state.ticket_id)
        parked = await _parked_today(session, ctx, now)
        staff = await _job_numbers(session, [wrow])
    return WindowDesk(
        window=_window_item(wrow, staff),
        current=None if current is None else _held_item(current, now, ctx.policy),
        queue=[_queue_item(r, guesses.get(r.id), now, n) for n, r in enumerate(mine, start=1)],
        parked=parked,
        at=now,
    )


def _find_window(rows: Sequence[WindowRow], hall_id: str, number: int) -> WindowRow:
    for row in rows:
        if row.number == number:
            return row
    raise NotFound(
        f"Hall {hall_id!r} has no window {number}; GET /api/halls/{hall_id}/windows lists them.",
        f"大厅“{hall_id}”没有 {number} 号窗口。",
    )


def _held_item(row: TicketRow, now: datetime, policy: Policy | None = None) -> HeldItem:
    since = row.started_at or row.called_at
    needed, no_show_from = 0, None
    if policy is not None and row.status == TicketStatus.CALLED.value and row.called_at:
        needed = max(0, policy.recalls_before_no_show - row.recalls)
        no_show_from = row.called_at + timedelta(minutes=policy.no_show_grace_minutes)
    return HeldItem(
        id=row.id,
        number=row.number,
        matter=row.matter_code,
        status=row.status,
        source=row.source,
        green=row.green,
        recalls=row.recalls,
        called_at=row.called_at,
        started_at=row.started_at,
        minutes=None if since is None else _minutes(seconds(since), now),
        recalls_needed=needed,
        no_show_from=no_show_from,
    )


async def _parked_today(session: AsyncSession, ctx: HallContext, now: datetime) -> list[ParkedItem]:
    query = select(TicketRow).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.service_day == ctx.day(now),
        TicketRow.status == TicketStatus.PARKED.value,
    )
    rows = list((await session.scalars(query.order_by(TicketRow.issued_at))).all())
    parks = await _last_events(session, ctx.id, [r.id for r in rows], "ticket_parked")
    items = []
    for row in rows:
        event = parks.get(row.id)
        data = event.data if event is not None else {}
        parked_at = ticket_of(row).parked_at
        items.append(
            ParkedItem(
                id=row.id,
                number=row.number,
                matter=row.matter_code,
                window=data.get("window"),
                reason=data.get("reason", ""),
                parked_minutes=None if parked_at is None else _minutes(parked_at, now),
            )
        )
    return items


async def _last_events(
    session: AsyncSession, hall_id: str, subject_ids: list[str], kind: str
) -> dict[str, EventRow]:
    if not subject_ids:
        return {}
    query = select(EventRow).where(
        EventRow.hall_id == hall_id,
        EventRow.kind == kind,
        EventRow.subject_type == "ticket",
        EventRow.subject_id.in_(subject_ids),
    )
    latest: dict[str, EventRow] = {}
    for event in (await session.scalars(query.order_by(EventRow.id))).all():
        latest[event.subject_id] = event
    return latest


async def _job_numbers(session: AsyncSession, rows: Iterable[WindowRow]) -> dict[int, str]:
    ids = {r.staff_id for r in rows if r.staff_id is not None}
    if not ids:
        return {}
    query = select(StaffRow.id, StaffRow.job_number).where(StaffRow.id.in_(ids))
    return {staff_id: job for staff_id, job in (await session.execute(query)).all()}


def _window_item(row: WindowRow, job_numbers: dict[int, str]) -> WindowView:
    return window_view(row, None if row.staff_id is None else job_numbers.get(row.staff_id))


async def hall_overview(db: Database, hall_id: str, now: datetime) -> Overview:
    """Every window with its clerk and ticket, waiting counts per group, the longest wait."""
    async with reading(db) as tx:
        session = tx.session
        ctx = await load_context(tx, hall_id)
        groups = await stored.list_groups(session, hall_id)
        rows = await window_rows(session, hall_id)
        staff = await _job_numbers(session, rows)
        held = await _held_tickets(session, rows)
        waiting = await waiting_rows(session, ctx, now)
        today = await _day_counts(session, ctx, now)
    windows = []
    for row in rows:
        view, ticket = _window_item(row, staff), held.get(row.number)
        windows.append(
            OverviewWindow(
                *(view.number, view.name, view.name_en, view.kind, view.skills, view.status),
                view.staff,
                None if ticket is None else _held_item(ticket, now),
            )
        )
    return Overview(
        hall=HallName(ctx.id, ctx.hall.name, ctx.hall.name_en),
        at=now,
        windows=windows,
        groups=_group_lines(ctx, groups, waiting, now),
        waiting=len(waiting),
        longest_wait=_longest(waiting, now),
        today=today,
    )


async def _held_tickets(session: AsyncSession, rows: Sequence[WindowRow]) -> dict[int, TicketRow]:
    ids = [window_state(r).ticket_id for r in rows]
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    tickets = (await session.scalars(select(TicketRow).where(TicketRow.id.in_(wanted)))).all()
    return {t.window_number: t for t in tickets if t.window_number is not None}


def _group_lines(
    ctx: HallContext, groups: Iterable[Any], waiting: list[TicketRow], now: datetime
) -> list[GroupLine]:
    lines = []
    for group in groups:
        mine = [r for r in waiting if _group_of(ctx, r.matter_code) == group.code]
        longest = _longest(mine, now)
        lines.append(
            GroupLine(
                group.code,
                group.name,
                group.name_en,
                group.icon,
                len(mine),
                None if longest is None else longest.minutes,
            )
        )
    return lines


def _longest(waiting: list[TicketRow], now: datetime) -> Longest | None:
    if not waiting:
        return None
    first = min(waiting, key=lambda r: arrival(ticket_of(r)))
    return Longest(first.number, first.matter_code, _minutes(arrival(ticket_of(first)), now))


async def _day_counts(session: AsyncSession, ctx: HallContext, now: datetime) -> dict[str, int]:
    query = (
        select(TicketRow.status, func.count())
        .where(TicketRow.hall_id == ctx.id, TicketRow.service_day == ctx.day(now))
        .group_by(TicketRow.status)
    )
    by_status = {status: int(n) for status, n in (await session.execute(query)).all()}
    return {
        "issued": sum(by_status.values()),
        "finished": by_status.get(TicketStatus.FINISHED.value, 0),
        "no_show": by_status.get(TicketStatus.NO_SHOW.value, 0),
    }


def _day_start(ctx: HallContext, now: datetime) -> datetime:
    """Midnight of the hall's local day at ``now``, as an aware datetime."""
    return datetime.combine(ctx.day(now), time(0), tzinfo=ctx.zone)


async def own_counts(db: Database, hall_id: str, actor: str, now: datetime) -> dict[str, int]:
    """How many tickets this clerk called, finished and marked no-show today in the hall."""
    async with reading(db) as tx:
        session = tx.session
        ctx = await load_context(tx, hall_id)
        query = (
            select(EventRow.kind, func.count())
            .where(
                EventRow.hall_id == hall_id,
                EventRow.actor == actor,
                EventRow.at >= _day_start(ctx, now),
                EventRow.at <= now,
                EventRow.kind.in_(list(COUNTED_KINDS)),
            )
            .group_by(EventRow.kind)
        )
        counts = dict((await session.execute(query)).all())
    return {name: int(counts.get(kind, 0)) for kind, name in COUNTED_KINDS.items()}


async def ticket_history(db: Database, ticket_id: str) -> tuple[str, list[HistoryEntry]]:
    """A ticket's hall and its audit events in order (kind, at, actor, details); NotFound."""
    async with reading(db) as tx:
        session = tx.session
        row = await session.get(TicketRow, ticket_id)
        if row is None:
            raise NotFound("There is no ticket with this id.", "找不到该号票。")
        query = select(EventRow).where(
            EventRow.subject_type == "ticket", EventRow.subject_id == ticket_id
        )
        events = (await session.scalars(query.order_by(EventRow.id))).all()
    history = [
        HistoryEntry(
            e.kind,
            e.at,
            e.actor,
            {k: e.data[k] for k in HISTORY_FIELDS if e.data.get(k) not in (None, "")},
        )
        for e in events
    ]
    return row.hall_id, history


async def staff_window(db: Database, staff_id: int) -> StaffWindow | None:
    """The window a staff member is signed in at now (hall, number, status), or None."""
    async with reading(db) as tx:
        session = tx.session
        row = await session.scalar(
            select(WindowRow).where(WindowRow.staff_id == staff_id, WindowRow.active)
        )
    if row is None:
        return None
    return StaffWindow(row.hall_id, row.number, row.status)
