"""Window sessions called directly: sign in, pause, resume, sign out, and every refusal.

SPEC.md: staff sign in to a window, pause, resume, sign out; one clerk per window and one
window per clerk; a supervisor may act for any window. The transitions are written out
here as a table and every cell is tried.
"""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from hall.calling import tickets, views, windows
from hall.errors import Conflict, Forbidden, NotFound
from hall.publish import RecordingPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from tests.hall.calling.helpers import (
    HALL,
    add_clerks,
    add_staff,
    at,
    audit,
    demo_hall,
    open_around_the_clock,
    published,
    window_row,
)

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def db(db: Database) -> Database:
    """The demo halls, the district one issuing tickets around the clock."""
    await open_around_the_clock(db)
    return db


# (state, action) -> the state after, or None: refused with a bilingual Conflict.
TRANSITIONS = {
    ("closed", "pause"): None,
    ("closed", "resume"): None,
    ("closed", "sign_out"): None,
    ("open", "pause"): "paused",
    ("open", "resume"): None,
    ("open", "sign_out"): "closed",
    ("paused", "pause"): None,
    ("paused", "resume"): "open",
    ("paused", "sign_out"): "closed",
}
STATUS_ZH = {"closed": "未开放", "open": "服务中", "paused": "暂停服务"}
VERB = {
    "pause": ("pause", "暂停"),
    "resume": ("resume", "恢复"),
    "sign_out": ("sign out of", "签退"),
}
EVENT = {"pause": "window_pause", "resume": "window_resume", "sign_out": "window_signed_out"}


async def test_sign_in_opens_the_window_under_the_clerks_job_number(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    view = await windows.sign_in(db, pub, clerk, HALL, 13, at(-5))
    configured = next(w for w in demo_hall()["windows"] if w["number"] == 13)
    assert (view.number, view.name, view.name_en, view.kind) == (
        13,
        configured["name"],
        configured["name_en"],
        configured["kind"],
    )
    assert (view.skills, view.status, view.staff) == (
        tuple(configured["skills"]),
        "open",
        clerk.job_number,
    )
    row = await window_row(db, 13)
    assert (row.status, row.staff_id) == ("open", clerk.id)
    [event] = published(pub)
    assert (event.kind, event.hall_id, event.data["window"]) == ("window_signed_in", HALL, 13)
    assert (event.data["status"], event.data["staff"]) == ("open", clerk.job_number)
    assert clerk.username not in str(event.data)
    [stored] = await audit(db, "window_signed_in")
    assert (stored.actor, stored.before) == (clerk.username, {"status": "closed"})
    again = await windows.sign_in(db, pub, clerk, HALL, 13, at(-4))  # a reloaded console
    assert (again.status, again.staff) == ("open", clerk.job_number)
    assert await views.staff_window(db, clerk.id) == views.StaffWindow(HALL, 13, "open")


async def test_sign_in_is_refused_at_a_taken_window_and_while_signed_in_elsewhere(
    db: Database,
) -> None:
    pub = RecordingPublisher()
    first, second = await add_clerks(db, 2)
    outsider = await add_staff(db, "street1", "ST001", halls=("street",))
    await windows.sign_in(db, pub, first, HALL, 3, at(0))
    with pytest.raises(Conflict) as taken:
        await windows.sign_in(db, pub, second, HALL, 3, at(1))
    assert taken.value.message == ("Cannot sign in at window 3: somebody else is signed in there.")
    assert taken.value.message_zh == "无法登录 3 号窗口：已有其他工作人员在此窗口登录。"
    for hall_id, number in ((HALL, 4), ("street", 1)):  # another window, another hall
        with pytest.raises(Conflict) as elsewhere:
            await windows.sign_in(db, pub, first, hall_id, number, at(1))
        assert f"still signed in at window 3 of hall '{HALL}'" in elsewhere.value.message
        assert f"您仍在大厅“{HALL}”的 3 号窗口登录" in elsewhere.value.message_zh
    with pytest.raises(Forbidden):
        await windows.sign_in(db, pub, outsider, HALL, 5, at(1))
    with pytest.raises(NotFound):
        await windows.sign_in(db, pub, second, HALL, 99, at(1))
    with pytest.raises(NotFound):
        await windows.sign_in(db, pub, second, "ghost", 1, at(1))
    assert len(published(pub)) == 1  # the refusals changed nothing
    assert (await window_row(db, 4)).status == "closed"
    assert (await window_row(db, 1, "street")).status == "closed"
    await windows.sign_out(db, pub, first, HALL, 3, at(2))
    moved = await windows.sign_in(db, pub, first, "street", 1, at(3))
    assert (moved.status, moved.staff) == ("open", first.job_number)
    assert await views.staff_window(db, first.id) == views.StaffWindow("street", 1, "open")


async def into(
    db: Database, pub: RecordingPublisher, state: str, clerk: StaffMember, n: int
) -> None:
    """Bring window ``n`` into ``state`` with ``clerk`` at it (closed: nobody)."""
    if state in ("open", "paused"):
        await windows.sign_in(db, pub, clerk, HALL, n, at(0))
    if state == "paused":
        await windows.pause(db, pub, clerk, HALL, n, at(1))


async def test_every_transition_of_the_table(db: Database) -> None:
    pub = RecordingPublisher()
    clerks = await add_clerks(db, len(TRANSITIONS))
    boss = await add_staff(db, "boss", "S0099", Role.SUPERVISOR)
    for n, ((state, action), after) in enumerate(TRANSITIONS.items(), start=1):
        clerk = clerks[n - 1]
        await into(db, pub, state, clerk, n)
        actor = clerk if state != "closed" else boss  # nobody holds a closed window
        before = len(published(pub))
        change = getattr(windows, action)
        if after is None:
            with pytest.raises(Conflict) as refused:
                await change(db, pub, actor, HALL, n, at(2))
            verb, verb_zh = VERB[action]
            assert refused.value.message == f"Cannot {verb} window {n}: it is {state}."
            assert refused.value.message_zh == (
                f"无法{verb_zh} {n} 号窗口：该窗口当前为“{STATUS_ZH[state]}”状态。"
            )
            assert (await window_row(db, n)).status == state
            assert len(published(pub)) == before
            continue
        view = await change(db, pub, actor, HALL, n, at(2))
        row = await window_row(db, n)
        assert (view.status, row.status) == (after, after), (state, action)
        signed_in = after != "closed"
        assert row.staff_id == (clerk.id if signed_in else None)
        assert view.staff == (clerk.job_number if signed_in else None)
        [event] = published(pub)[before:]
        assert (event.kind, event.data["status"]) == (EVENT[action], after)


async def test_pause_records_its_reason(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    await windows.sign_in(db, pub, clerk, HALL, 2, at(0))
    await windows.pause(db, pub, clerk, HALL, 2, at(180), "午休")
    [event] = published(pub, "window_pause")
    assert (event.data["reason"], event.at) == ("午休", at(180))
    assert await views.staff_window(db, clerk.id) == views.StaffWindow(HALL, 2, "paused")


async def test_only_the_clerk_at_the_window_or_a_supervisor_changes_it(db: Database) -> None:
    pub = RecordingPublisher()
    clerk, other = await add_clerks(db, 2)
    boss = await add_staff(db, "boss", "S0099", Role.SUPERVISOR)
    street_boss = await add_staff(db, "street9", "ST009", Role.SUPERVISOR, halls=("street",))
    await windows.sign_in(db, pub, clerk, HALL, 5, at(0))
    for action in ("pause", "resume", "sign_out"):
        with pytest.raises(Forbidden) as refused:
            await getattr(windows, action)(db, pub, other, HALL, 5, at(1))
        assert refused.value.message_zh == "您未登录 5 号窗口。"
        with pytest.raises(Forbidden):
            await getattr(windows, action)(db, pub, street_boss, HALL, 5, at(1))
    assert (await window_row(db, 5)).status == "open"
    paused = await windows.pause(db, pub, boss, HALL, 5, at(2), "设备故障")
    assert paused.status == "paused"
    assert (await window_row(db, 5)).staff_id == clerk.id  # still the clerk's window
    assert (await windows.resume(db, pub, boss, HALL, 5, at(2))).status == "open"
    closed = await windows.sign_out(db, pub, boss, HALL, 5, at(3))
    assert (closed.status, closed.staff) == ("closed", None)
    assert await views.staff_window(db, clerk.id) is None
    with pytest.raises(Forbidden):  # signed out, the clerk no longer holds window 5
        await windows.sign_out(db, pub, clerk, HALL, 5, at(4))


async def test_sign_out_is_refused_while_the_window_holds_a_ticket(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    await windows.sign_in(db, pub, clerk, HALL, 7, at(0))
    issued = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))
    await tickets.call_next(db, pub, clerk, HALL, 7, at(2))
    for step, t in (("called", 3), ("serving", 4)):
        if step == "serving":
            await tickets.act_on_held(db, pub, clerk, HALL, 7, at(t), "start")
        for action in ("pause", "sign_out"):
            if action == "pause":
                await windows.pause(db, pub, clerk, HALL, 7, at(t))  # pausing is allowed
                continue
            with pytest.raises(Conflict) as busy:
                await windows.sign_out(db, pub, clerk, HALL, 7, at(t))
            assert f"ticket {issued.number} is still called or being served" in busy.value.message
            assert busy.value.message_zh == (
                f"无法签退 7 号窗口：{issued.number} 号仍在叫号或办理中，请先办结、转移或挂起。"
            )
            assert (await window_row(db, 7)).status == "paused"
            await windows.resume(db, pub, clerk, HALL, 7, at(t))
    await tickets.act_on_held(db, pub, clerk, HALL, 7, at(5), "finish", outcome="completed")
    out = await windows.sign_out(db, pub, clerk, HALL, 7, at(6))
    assert (out.status, out.staff) == ("closed", None)


async def test_a_supervisors_pause_still_names_the_clerk_at_the_window(db: Database) -> None:
    """A supervisor pausing a clerk's window leaves the clerk signed in there, so the
    answer and the event name the clerk's job number, as the desk and overview do."""
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    boss = await add_staff(db, "boss", "S0099", Role.SUPERVISOR)
    await windows.sign_in(db, pub, clerk, HALL, 5, at(0))
    paused = await windows.pause(db, pub, boss, HALL, 5, at(1), "设备故障")
    desk = await views.window_desk(db, HALL, 5, at(1))
    assert (desk.window.status, desk.window.staff) == ("paused", clerk.job_number)
    [event] = published(pub, "window_pause")
    assert (paused.staff, event.data["staff"]) == (clerk.job_number, clerk.job_number)


async def test_a_clerk_racing_for_two_windows_from_two_processes_gets_one(
    db: Database, db_url: str
) -> None:
    """Two ``Database`` objects are two processes: each one's own check cannot see the
    other's uncommitted sign-in, so the database's unique index decides."""
    other = Database(db_url)
    try:
        clerks = await add_clerks(db, 10)
        for clerk in clerks:
            outcomes = await asyncio.gather(
                windows.sign_in(db, RecordingPublisher(), clerk, HALL, 1, at(1)),
                windows.sign_in(other, RecordingPublisher(), clerk, HALL, 2, at(1)),
                return_exceptions=True,
            )
            won = [o for o in outcomes if isinstance(o, windows.WindowView)]
            lost = [o for o in outcomes if isinstance(o, Conflict)]
            assert (len(won), len(lost)) == (1, 1), outcomes
            assert "签退" in lost[0].message_zh
            await windows.sign_out(db, RecordingPublisher(), clerk, HALL, won[0].number, at(2))
    finally:
        await other.dispose()
