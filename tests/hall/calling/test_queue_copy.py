"""The per-process copy of waiting tickets always equals what the database says.

Two ``Database`` objects on one database play two server processes: each keeps its own
copy, and each writes tickets the other does not hear about. After every step, in read
and in write transactions of both, the waiting tickets served from the copy equal a
direct read of the rows (the independent truth), and the copy is really used.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

import queueing
from hall.admin import config_edits
from hall.calling import tickets
from hall.calling.context import load_context
from hall.calling.core_rows import seconds, store_ticket, ticket_of, window_state
from hall.calling.queue import (
    _read_waiting,
    dispatch_queue,
    waiting_queue,
    waiting_tickets,
    window_rows,
    windows_now,
)
from hall.calling.queue_copy import HallWindows, QueueCache, Waiting, queue_version
from hall.calling.rows import read_ticket, read_window
from hall.calling.writer import QueueWriter
from hall.errors import HallError
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import TicketRow
from hall.store.unit import Tx, reading, unit_of_work
from queueing import Outcome, Policy, Ticket, lifecycle
from queueing.dispatch import choose_next
from queueing.dispatch_queue import DispatchQueue
from queueing.estimates import lines_of
from queueing.window import coverage_of
from tests.conftest import load_demo

pytestmark = pytest.mark.asyncio

HALL = "district"
START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai
MATTERS = ("SI-REG", "RE-TRANSFER", "DL-RENEW", "ONE-BIRTH")


class Rollback(Exception):
    pass


@pytest_asyncio.fixture
async def pair(db_url: str) -> AsyncIterator[tuple[Database, Database]]:
    first = Database(db_url)
    await upgrade(first)
    await load_demo(first)
    second = Database(db_url)
    try:
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


def key(waiting: list[Ticket]) -> dict[str, Ticket]:
    return {t.id: t for t in waiting}


def same_lines(served: Waiting, truth: list[Ticket]) -> None:
    """The copy's lines group exactly the true tickets, with arrival bounds that hold."""
    lines = {(line.matter, line.assigned_window): line for line in served.lines}
    assert len(lines) == len(list(served.lines))
    exact = {(line.matter, line.assigned_window): line for line in lines_of(truth)}
    assert lines.keys() == exact.keys()
    for name, line in lines.items():
        assert dict(line.tickets) == dict(exact[name].tickets)
        assert line.latest_arrival >= exact[name].latest_arrival


DECIDED: dict[Database, int] = {}  # checks in which a queue copy decided, per process


def same_decisions(
    queue: DispatchQueue, truth: list[Ticket], windows: HallWindows, at: float, policy: Policy
) -> None:
    coverage = coverage_of(windows.open)
    for window in windows.active:
        got = queue.choose(window, at, coverage)
        want = choose_next(window, truth, at, policy, coverage)
        assert (got and (got.ticket, got.rule)) == (want and (want.ticket, want.rule))


def transactions(db: Database, now: datetime) -> tuple[AbstractAsyncContextManager[Tx], ...]:
    """A read and a write transaction (a unit of work that writes nothing)."""
    return reading(db), unit_of_work(db, None, "test", HALL, now)


async def check(db: Database, now: datetime) -> None:
    for transaction in transactions(db, now):
        async with transaction as tx:
            ctx = await load_context(tx, HALL)
            served = await waiting_queue(tx, ctx, now)
            truth = await _read_waiting(tx.session, HALL, ctx.day(now))
            windows = await windows_now(tx, ctx)
            rows = await window_rows(tx.session, HALL)
            queue = await dispatch_queue(tx, ctx, now)
            if queue is not None:  # the copy's decisions are those of the reference
                same_decisions(queue, truth, windows, seconds(now), ctx.policy)
                DECIDED[db] = DECIDED.get(db, 0) + 1
        assert key(served.tickets) == key(truth)
        same_lines(served, truth)
        by_number = {w.number: w for w in windows.active}
        assert by_number == {r.number: window_state(r) for r in rows}
        assert {w.number for w in windows.open} == {r.number for r in rows if r.status == "open"}
        assert all(by_number[w.number] == w for w in windows.open)


async def change_window(db: Database, rng: random.Random, *, fail: bool) -> None:
    """Open, pause or close a window, or move its fairness state on; the transaction may
    fail."""
    async with unit_of_work(db, None, "test", HALL, START) as unit:
        numbers = [r.number for r in await window_rows(unit.session, HALL)]
        row = await read_window(unit.session, HALL, rng.choice(numbers))
        assert row is not None
        row.status = rng.choice(("open", "open", "paused", "closed"))
        row.dispatch_state = {"priority_streak": rng.randint(0, 3), "ticket_id": None}
        await unit.part(QueueWriter).write_window(row)
        if fail:
            raise Rollback


async def change_one(db: Database, rng: random.Random, now: datetime, *, fail: bool) -> None:
    """Move one waiting ticket on (call, park, cancel, send elsewhere), in a transaction
    that may fail."""
    async with unit_of_work(db, None, "test", HALL, now) as unit:
        session = unit.session
        ids = list(await session.scalars(select(TicketRow.id).where(TicketRow.status == "waiting")))
        if not ids:
            return
        row = await read_ticket(session, rng.choice(sorted(ids)))
        assert row is not None
        ticket, at = ticket_of(row), seconds(now)
        step = rng.choice(("call", "park", "cancel", "transfer"))
        if step == "call":
            called, _ = lifecycle.call(ticket, 1, at)
            started, _ = queueing.start(called, at)
            changed, _ = queueing.finish(started, at, Outcome.COMPLETED)
        elif step == "park":
            called, _ = lifecycle.call(ticket, 2, at)
            changed, _ = queueing.park(called, at, "went to copy a document")
        elif step == "transfer":  # it waits on, in another line
            changed, _ = queueing.transfer(
                ticket, at, matter=rng.choice(MATTERS), to_window=rng.choice((None, 1, 2))
            )
        else:
            changed, _ = queueing.cancel(ticket, at, "left")
        store_ticket(row, changed)
        await unit.part(QueueWriter).write_ticket(row, "waiting")
        if fail:
            raise Rollback


async def resume_one(db: Database, rng: random.Random, now: datetime) -> None:
    async with unit_of_work(db, None, "test", HALL, now) as unit:
        session = unit.session
        ids = list(await session.scalars(select(TicketRow.id).where(TicketRow.status == "parked")))
        if not ids:
            return
        row = await read_ticket(session, rng.choice(sorted(ids)))
        assert row is not None
        window = rng.choice((None, 3))
        changed, _ = queueing.resume(ticket_of(row), seconds(now), to_window=window)
        store_ticket(row, changed)
        await unit.part(QueueWriter).write_ticket(row, "parked")


def copy_of(db: Database) -> QueueCache:
    return db.memo.kept(QueueCache)


async def open_every_window(db: Database) -> None:
    async with unit_of_work(db, None, "test", HALL, START) as unit:
        for number in [r.number for r in await window_rows(unit.session, HALL)]:
            row = await read_window(unit.session, HALL, number)
            assert row is not None
            row.status = "open"
            await unit.part(QueueWriter).write_window(row)


# A supervisor may act for any window (no sign-in needed).
BOSS = StaffMember(1, "boss", "S001", Role.SUPERVISOR, (HALL,))


async def serve(db: Database, rng: random.Random, now: datetime) -> None:
    """A window calls the next ticket through the service, then maybe starts, finishes,
    recalls or parks it (rows written by hall.calling.writer; a start moves no version)."""
    async with db.read() as session:
        open_windows = [r.number for r in await window_rows(session, HALL) if r.status == "open"]
    number = rng.choice(open_windows or [1])
    with contextlib.suppress(HallError):  # a closed window, nobody waiting, a held ticket
        if await tickets.call_next(db, NullPublisher(), BOSS, HALL, number, now) is not None:
            SERVED["called"] += 1
    steps = rng.choice(
        ((), ("start",), ("start", "finish"), ("start", "finish"), ("recall", "start"), ("park",))
    )
    for step in steps:
        with contextlib.suppress(HallError):
            await tickets.act_on_held(
                db, NullPublisher(), BOSS, HALL, number, now, step, outcome="completed"
            )
            SERVED[step] += 1


SERVED: Counter[str] = Counter()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_copies_in_two_processes_follow_every_change(
    pair: tuple[Database, Database], seed: int
) -> None:
    rng = random.Random(seed)
    now = START
    for _step in range(60):
        now += timedelta(seconds=rng.randint(1, 90))
        db = rng.choice(pair)
        action = rng.choice(
            (
                *("issue", "issue", "issue", "change", "change", "fail", "resume"),
                *("window", "w-fail", "serve", "serve"),
            )
        )
        if action == "issue":
            await tickets.issue_ticket(db, NullPublisher(), HALL, rng.choice(MATTERS), now)
        elif action == "resume":
            await resume_one(db, rng, now)
        elif action == "serve":
            await serve(db, rng, now)
        elif action in ("window", "w-fail"):
            with contextlib.suppress(Rollback):
                await change_window(db, rng, fail=action == "w-fail")
        else:
            with contextlib.suppress(Rollback):
                await change_one(db, rng, now, fail=action == "fail")
        # Check one side at random, so that a copy often lags several commits behind.
        await check(rng.choice(pair), now)
    for each in pair:
        await check(each, now)
    assert all(copy_of(db).hits > 0 for db in pair)
    assert all(copy_of(db).window_hits > 0 for db in pair)
    assert all(DECIDED.get(db, 0) > 0 for db in pair)
    assert min(SERVED["called"], SERVED["start"], SERVED["finish"]) > 0


async def add_uncommitted_then_fail(db: Database) -> None:
    async with unit_of_work(db, None, "test", HALL, START) as unit:
        ctx = await load_context(unit, HALL)
        ticket, _ = queueing.issue(
            "zz-uncommitted", "Z999", "SI-REG", queueing.MatterClass.GENERAL, seconds(START)
        )
        row = TicketRow(
            id=ticket.id,
            hall_id=HALL,
            service_day=ctx.day(START),
            number=ticket.number,
            source=ticket.source.value,
        )
        store_ticket(row, ticket)
        await unit.part(QueueWriter).insert_ticket(row)
        # Seen inside the transaction that made it ...
        assert "zz-uncommitted" in key(await waiting_tickets(unit, ctx, START))
        raise Rollback


async def test_own_uncommitted_changes_are_seen_and_never_cached(
    pair: tuple[Database, Database],
) -> None:
    db, other = pair
    await tickets.issue_ticket(db, NullPublisher(), HALL, "SI-REG", START)
    await check(db, START)  # the copy now holds the one waiting ticket
    await tickets.issue_ticket(other, NullPublisher(), HALL, "SI-REG", START)  # now it lags
    with pytest.raises(Rollback):
        await add_uncommitted_then_fail(db)
    # ... and nowhere after the rollback, the copy included.
    await check(db, START)
    async with reading(db) as tx:
        ctx = await load_context(tx, HALL)
        waiting = key(await waiting_tickets(tx, ctx, START))
    assert "zz-uncommitted" not in waiting
    assert len(waiting) == 2


async def test_only_changes_to_waiting_tickets_or_windows_move_the_version(
    pair: tuple[Database, Database],
) -> None:
    """The copy holds waiting tickets and windows: a service started changes neither, so
    it moves no version and every copy stays good; a call and a finish do move it."""
    db, other = pair
    await open_every_window(db)
    for n in range(2):
        await tickets.issue_ticket(db, NullPublisher(), HALL, "SI-REG", START + timedelta(n))
    await check(other, START)  # the other process's copy is current

    async def version() -> int:
        async with db.read() as session:
            return await queue_version(session, HALL)

    async def act(step: str) -> None:
        await tickets.act_on_held(
            db, NullPublisher(), BOSS, HALL, 1, START, step, outcome="completed"
        )

    before = await version()
    assert await tickets.call_next(db, NullPublisher(), BOSS, HALL, 1, START) is not None
    assert await version() == before + 1  # a waiting ticket was called
    await check(other, START)
    hits = copy_of(other).hits
    await act("start")
    assert await version() == before + 1  # nothing waiting or any window changed
    await check(other, START)
    assert copy_of(other).hits > hits  # so the other copy is still used, and right
    await act("finish")
    assert await version() == before + 2  # the window is free again
    await check(other, START)


async def test_a_catalogue_edit_of_the_windows_makes_every_copy_read_again(
    pair: tuple[Database, Database],
) -> None:
    """An admin's edit writes windows through the catalogue, not the writer: it moves the
    version, so neither process serves its old copy of the windows."""
    db, other = pair
    await check(db, START)
    await check(other, START)  # both copies current, window 24 among the active ones
    admin = StaffMember(2, "root", "A0001", Role.ADMIN, ("*",))
    subject = config_edits.Subject("windows", 24, "window_deactivated")
    await config_edits.edit_hall(
        db, NullPublisher(), admin, HALL, subject, config_edits.remove_window(24), START
    )
    for each in pair:
        await check(each, START)  # windows served from the copy equal the rows
        async with reading(each) as tx:
            ctx = await load_context(tx, HALL)
            active = {w.number for w in (await windows_now(tx, ctx)).active}
        assert 24 not in active
        assert 23 in active
