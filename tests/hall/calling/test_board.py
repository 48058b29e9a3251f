"""The hall's board (what the screens show) and the supervisors' notice, called directly.

SPEC.md: the main screen shows the latest calls, every window's current number, waiting
counts per group and the current average wait; screens never show a name, and the board
names staff by job number only (never a username) and tickets by number (never the id
that is the phone page's address).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
import pytest_asyncio
from sqlalchemy import select

from hall.calling import board, tickets, windows
from hall.errors import Forbidden, InvalidInput, NotFound
from hall.publish import RecordingPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import ScreenOutboxRow
from tests.hall.calling.helpers import (
    DAY,
    HALL,
    add_clerks,
    add_staff,
    at,
    audit,
    demo_hall,
    group_of,
    open_around_the_clock,
    published,
)

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def db(db: Database) -> Database:
    """The demo halls, the district one issuing tickets around the clock."""
    await open_around_the_clock(db)
    return db


MATTERS = ["SI-REG", "RE-QUERY", "DL-RENEW", "SI-CARD", "RES-PERMIT", "ONE-BIRTH"]


class Script:
    """Drives the services and keeps its own log of what the board should show."""

    def __init__(self, db: Database, pub: RecordingPublisher) -> None:
        self.db, self.pub = db, pub
        self.calls: list[tuple[str, int, bool, datetime]] = []  # number, window, recall, at
        self.waits: list[tuple[datetime, float]] = []  # first call, minutes waited
        self.issued: dict[str, tuple[str, datetime]] = {}  # id -> matter, issued at
        self.number: dict[str, str] = {}

    async def issue(self, matter: str, now: datetime) -> None:
        view = await tickets.issue_ticket(self.db, self.pub, HALL, matter, now)
        self.issued[view.id] = (matter, now)
        self.number[view.id] = view.number

    async def call(self, clerk: StaffMember, window: int, now: datetime) -> str:
        view = await tickets.call_next(self.db, self.pub, clerk, HALL, window, now)
        assert view is not None
        self.calls.append((view.number, window, False, now))
        _, issued = self.issued.pop(view.id)
        self.waits.append((now, (now - issued).total_seconds() / 60))
        return view.id

    async def recall(self, clerk: StaffMember, window: int, now: datetime) -> None:
        view = await tickets.act_on_held(self.db, self.pub, clerk, HALL, window, now, "recall")
        self.calls.append((view.number, window, True, now))

    async def done(self, clerk: StaffMember, window: int, now: datetime) -> None:
        for action in ("start", "finish"):
            await tickets.act_on_held(
                self.db, self.pub, clerk, HALL, window, now, action, outcome="completed"
            )


async def test_the_board_after_calls(db: Database) -> None:
    pub = RecordingPublisher()
    two, five, estate = await add_clerks(db, 3)
    script = Script(db, pub)
    # Yesterday's call is not today's news.
    await windows.sign_in(db, pub, two, HALL, 2, at(0) - DAY)
    await script.issue("SI-REG", at(1) - DAY)
    await script.call(two, 2, at(2) - DAY)
    await script.done(two, 2, at(3) - DAY)
    script.calls.clear()
    script.waits.clear()
    # An early call, more than an hour before the board is read: out of the average.
    await windows.sign_in(db, pub, estate, HALL, 13, at(-75))
    await script.issue("RE-QUERY", at(-70))
    await script.call(estate, 13, at(-60))
    await script.done(estate, 13, at(-55))
    await windows.sign_in(db, pub, five, HALL, 5, at(0))
    for n in range(16):
        await script.issue(MATTERS[n % len(MATTERS)], at(n))
    t = 20.0
    for _ in range(4):
        for clerk, window in ((two, 2), (five, 5)):
            await script.call(clerk, window, at(t))
            await script.done(clerk, window, at(t + 1))
            t += 2
    await script.call(two, 2, at(t))
    await script.recall(two, 2, at(t + 1))
    held_five = await script.call(five, 5, at(t + 2))
    await tickets.act_on_held(db, pub, five, HALL, 5, at(t + 3), "start")
    now = at(t + 4)
    shown = await board.load_board(db, HALL, now)

    newest = list(reversed(script.calls))[: board.RECENT_CALLS]
    assert [(c["ticket"], c["window"], c["recall"]) for c in shown.recent_calls] == [
        (number, window, recall) for number, window, recall, _ in newest
    ]
    assert [c["at"] for c in shown.recent_calls] == [moment.isoformat() for *_, moment in newest]
    seqs = [c["seq"] for c in shown.recent_calls]
    assert seqs == sorted(seqs, reverse=True)
    async with db.read() as session:
        numbers = (
            await session.scalars(
                select(ScreenOutboxRow.seq)
                .where(ScreenOutboxRow.hall_id == HALL)
                .order_by(ScreenOutboxRow.seq)
            )
        ).all()
    # The hall's screen numbers have no gaps, and the board is as of the last one.
    assert list(numbers) == list(range(1, len(numbers) + 1))
    assert shown.seq == numbers[-1]
    # Recent calls carry the numbers their messages carried.
    call_numbers = {e.seq for e in pub.events if e.kind in board.CALL_KINDS and e.hall_id == HALL}
    assert set(seqs) <= call_numbers

    configured = demo_hall()["windows"]
    assert [w["number"] for w in shown.windows] == [w["number"] for w in configured]
    by_number = {w["number"]: w for w in shown.windows}
    last_at_two = next(number for number, window, *_ in reversed(script.calls) if window == 2)
    assert {k: by_number[2][k] for k in ("status", "staff", "ticket", "ticket_status")} == {
        "status": "open",
        "staff": two.job_number,
        "ticket": last_at_two,
        "ticket_status": "called",
    }
    assert (by_number[5]["ticket"], by_number[5]["ticket_status"]) == (
        script.number[held_five],
        "serving",
    )
    assert (by_number[13]["staff"], by_number[13]["ticket"]) == (estate.job_number, None)
    assert (by_number[7]["status"], by_number[7]["staff"], by_number[7]["ticket"]) == (
        "closed",
        None,
        None,
    )
    text = str(shown.to_json())
    for secret in [*script.number, *(c.username for c in (two, five, estate))]:
        assert secret not in text

    waiting = Counter(group_of(matter) for matter, _ in script.issued.values())
    groups = [g["code"] for g in demo_hall()["groups"]]
    assert [line["line"] for line in shown.waiting] == groups
    assert {line["line"]: line["waiting"] for line in shown.waiting} == {
        g: waiting.get(g, 0) for g in groups
    }
    idle = [line for line in shown.waiting if line["waiting"] == 0]
    assert idle
    assert {line["estimated_wait_minutes"] for line in idle} == {0}  # windows are open

    recent = [minutes for first, minutes in script.waits if (now - first).total_seconds() <= 3600]
    assert len(recent) == len(script.waits) - 1
    assert shown.average_wait_minutes == round(sum(recent) / len(recent), 1)
    assert (shown.hall["id"], shown.hall["notice"]) == (HALL, demo_hall()["notice"])
    assert shown.as_of == now.isoformat()
    with pytest.raises(NotFound):
        await board.load_board(db, "ghost", now)


async def test_a_new_hall_day_starts_with_a_clean_board(db: Database) -> None:
    """Yesterday's calls, waits and waiting tickets are not on today's board, even when
    the two moments share a UTC date (the hall's day is Shanghai's)."""
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    await windows.sign_in(db, pub, clerk, "street", 1, at(14 * 60))  # 23:00 Monday
    for minutes in (14 * 60 + 10, 14 * 60 + 12):
        await tickets.issue_ticket(db, pub, "street", "SI-CARD", at(minutes))
    await tickets.call_next(db, pub, clerk, "street", 1, at(14 * 60 + 30))  # 23:30
    await tickets.act_on_held(db, pub, clerk, "street", 1, at(14 * 60 + 31), "start")
    await windows.pause(db, pub, clerk, "street", 1, at(14 * 60 + 32))
    late = await board.load_board(db, "street", at(14 * 60 + 40))
    assert [(c["window"], c["recall"]) for c in late.recent_calls] == [(1, False)]
    assert late.average_wait_minutes == 20.0
    next_day = at(15 * 60 + 30)  # 00:30 Tuesday in Shanghai, still Monday in UTC
    assert next_day.date() == at(14 * 60).date()
    shown = await board.load_board(db, "street", next_day)
    assert (shown.recent_calls, shown.average_wait_minutes) == ([], None)
    assert {line["waiting"] for line in shown.waiting} == {0}
    # Nobody waits and no window is open: no estimate can be given.
    assert {line["estimated_wait_minutes"] for line in shown.waiting} == {None}


async def test_set_notice_tidies_checks_and_publishes(db: Database) -> None:
    pub = RecordingPublisher()
    boss = await add_staff(db, "boss", "S0099", Role.SUPERVISOR)
    street_boss = await add_staff(db, "street9", "ST009", Role.SUPERVISOR, halls=("street",))
    [clerk] = await add_clerks(db, 1)
    notice = await board.set_notice(db, pub, boss, HALL, "  今日\n16:00   停止取号 ", at(0))
    assert notice == board.Notice(HALL, "今日 16:00 停止取号")
    assert (await board.load_board(db, HALL, at(1))).hall["notice"] == "今日 16:00 停止取号"
    [event] = published(pub)
    assert (event.kind, event.hall_id, event.data["notice"]) == (
        "hall_notice_changed",
        HALL,
        "今日 16:00 停止取号",
    )
    [stored] = await audit(db, "hall_notice_changed")
    assert (stored.actor, stored.before) == (boss.username, {"notice": demo_hall()["notice"]})
    fits = "长" * 250 + " \n  " + "长" * 249  # 500 characters once the spaces are tidied
    assert len((await board.set_notice(db, pub, boss, HALL, fits, at(2))).notice) == 500
    with pytest.raises(InvalidInput) as too_long:
        await board.set_notice(db, pub, boss, HALL, "长" * 501, at(3))
    assert too_long.value.fields == {"notice": "at most 500 characters"}
    assert too_long.value.message_zh == "通知共 501 个字，屏幕最多显示 500 个字。"
    for somebody in (clerk, street_boss):
        with pytest.raises(Forbidden):
            await board.set_notice(db, pub, somebody, HALL, "闭厅", at(4))
    with pytest.raises(NotFound):
        await board.set_notice(db, pub, boss, "ghost", "闭厅", at(4))
    assert len(published(pub)) == 2  # the refusals changed nothing
    assert (await board.load_board(db, HALL, at(5))).hall["notice"] == fits.split()[0] + " " + (
        fits.split()[1]
    )
    cleared = await board.set_notice(db, pub, boss, HALL, "   ", at(6))
    assert cleared.notice == ""
    assert (await board.load_board(db, HALL, at(7))).hall["notice"] == ""
