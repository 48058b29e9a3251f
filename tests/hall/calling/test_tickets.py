"""The ticket services called directly: numbering, dispatch, every window action, refusals.

The expected values come from the rules of SPEC.md and docs/queueing.md, written out
here (the default policy: priority cap 3, ageing 30 min, green bound 10 min, early
margin 5 min, late grace 15 min, overflow 15 min, 2 recalls and 3 min before a no-show).
"""

from __future__ import annotations

from collections import Counter

import pytest
import pytest_asyncio

from hall.calling import tickets, windows
from hall.calling.tickets import TicketView
from hall.errors import Conflict, Forbidden, InvalidInput, NotFound
from hall.publish import RecordingPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from queueing import TicketStatus
from tests.hall.calling.helpers import (
    DAY,
    HALL,
    add_clerks,
    add_staff,
    appointment_ticket,
    at,
    audit,
    open_around_the_clock,
    prefix_of,
    published,
    ticket,
    window_row,
)

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def db(db: Database) -> Database:
    """The demo halls, the district one issuing tickets around the clock."""
    await open_around_the_clock(db)
    return db


RECALLS_BEFORE_NO_SHOW = 2  # docs/queueing.md, `recalls_before_no_show`
NO_SHOW_GRACE_MINUTES = 3  # docs/queueing.md, `no_show_grace_minutes`
OUTCOMES = ("completed", "materials_missing", "rejected", "referred")  # docs/queueing.md §1


def idof(view: TicketView | None) -> str | None:
    return None if view is None else view.id


def numbered(matters: list[str]) -> list[str]:
    """The numbers SPEC.md asks for: a sequence per prefix, from 1, three digits."""
    seen: Counter[str] = Counter()
    numbers = []
    for matter in matters:
        prefix = prefix_of(matter)
        seen[prefix] += 1
        numbers.append(f"{prefix}{seen[prefix]:03d}")
    return numbers


async def test_numbers_run_per_prefix_and_restart_every_hall_day(db: Database) -> None:
    pub = RecordingPublisher()
    matters = ["SI-REG", "RE-QUERY", "SI-CARD", "RE-QUERY", "DL-RENEW", "SI-REG"]
    views = [await tickets.issue_ticket(db, pub, HALL, m, at(i)) for i, m in enumerate(matters)]
    assert [v.number for v in views] == numbered(matters)
    assert [v.number for v in views] == ["D001", "B001", "D002", "B002", "H001", "D003"]
    assert {(v.status, v.source, v.green, v.window, v.hall) for v in views} == {
        ("waiting", "walk_in", False, None, HALL)
    }
    assert len({v.id for v in views}) == len(views)
    issued = published(pub, "ticket_issued")
    assert [(e.hall_id, e.data["number"]) for e in issued] == [(HALL, v.number) for v in views]
    assert len(published(pub, "ticket_checked_in")) == len(views)
    # The hall's day is Shanghai's: 23:58 and 00:02 are one UTC date but two hall days.
    late = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(14 * 60 + 58))
    assert late.number == "D004"
    midnight = at(15 * 60 + 2)
    assert midnight.date() == at(0).date()  # still Monday in UTC
    assert (await tickets.issue_ticket(db, pub, HALL, "SI-REG", midnight)).number == "D001"
    assert (await tickets.issue_ticket(db, pub, HALL, "RE-QUERY", midnight)).number == "B001"
    # Every hall counts on its own.
    street = await tickets.issue_ticket(db, pub, "street", "SI-CARD", at(30))
    assert street.number == f"{prefix_of('SI-CARD', 'street')}001"


async def test_position_and_wait_of_a_ticket_and_unknown_ids(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    first = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    second = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))
    assert (first.position, second.position) == (1, 2)
    # No window open: a position, but no minutes (docs/queueing.md §4).
    assert second.estimated_wait_minutes is None
    await windows.sign_in(db, pub, clerk, HALL, 1, at(2))
    shown = await tickets.get_ticket(db, second.id, at(3))
    # One open window; one SI-REG ahead, expected 8 minutes in the demo catalogue.
    assert (shown.position, shown.estimated_wait_minutes) == (2, 8)
    assert (await tickets.get_ticket(db, first.id, at(3))).estimated_wait_minutes == 0
    await tickets.call_next(db, pub, clerk, HALL, 1, at(4))
    called = await tickets.get_ticket(db, first.id, at(5))
    assert (called.status, called.window, called.position) == ("called", 1, None)
    assert (await tickets.get_ticket(db, second.id, at(5))).position == 1
    with pytest.raises(NotFound) as missing:
        await tickets.get_ticket(db, "no-such-ticket", at(5))
    assert missing.value.message_zh == "找不到该号票，请核对号票上的链接。"
    with pytest.raises(InvalidInput) as unknown:
        await tickets.issue_ticket(db, pub, HALL, "NOPE", at(6))
    assert unknown.value.fields == {"matter": "unknown matter"}
    with pytest.raises(NotFound):
        await tickets.issue_ticket(db, pub, "ghost", "SI-REG", at(6))


async def test_green_tickets_come_from_staff_only_and_are_called_first(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    outsider = await add_staff(db, "street1", "ST001", halls=("street",))
    walk_in = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    with pytest.raises(Forbidden) as kiosk:
        await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1), green=True)
    assert "导办台" in kiosk.value.message_zh
    with pytest.raises(Forbidden):
        await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1), green=True, staff=outsider)
    assert len(published(pub, "ticket_issued")) == 1  # the refusals issued nothing
    green = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(2), green=True, staff=clerk)
    assert green.green
    assert [e.actor for e in await audit(db, "ticket_issued")] == ["kiosk", clerk.username]
    await windows.sign_in(db, pub, clerk, HALL, 1, at(3))
    first = await tickets.call_next(db, pub, clerk, HALL, 1, at(4))
    assert idof(first) == green.id
    await tickets.act_on_held(db, pub, clerk, HALL, 1, at(5), "start")
    await tickets.act_on_held(db, pub, clerk, HALL, 1, at(6), "finish", outcome="completed")
    assert idof(await tickets.call_next(db, pub, clerk, HALL, 1, at(7))) == walk_in.id
    rules = [e.data["rule"] for e in published(pub, "ticket_called")]
    assert rules == ["green", "walk_in"]


async def serve(
    db: Database, pub: RecordingPublisher, clerk: StaffMember, number: int, t: float
) -> str:
    """Call the next ticket at a window, start and finish it; its id."""
    called = await tickets.call_next(db, pub, clerk, HALL, number, at(t))
    assert called is not None
    await tickets.act_on_held(db, pub, clerk, HALL, number, at(t), "start")
    await tickets.act_on_held(db, pub, clerk, HALL, number, at(t), "finish", outcome="completed")
    return called.id


async def test_call_next_follows_the_dispatch_rules(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    w1 = (await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))).id
    w2 = (await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))).id
    a1 = await appointment_ticket(db, at(2), "SI-REG", due=at(10))
    a2 = await appointment_ticket(db, at(3), "SI-REG", due=at(5))
    g1 = (await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(4), green=True, staff=clerk)).id
    a3 = await appointment_ticket(db, at(5), "SI-REG", due=at(8))
    a4 = await appointment_ticket(db, at(5.5), "SI-REG", due=at(60))  # early: a walk-in for now
    w3 = (await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(9))).id
    await windows.sign_in(db, pub, clerk, HALL, 1, at(9.5))
    expected = [
        (g1, "green"),  # green first
        (a2, "appointment"),  # on-time appointments by slot start: 09:05,
        (a3, "appointment"),  # 09:08,
        (w1, "priority_cap"),  # three priority calls in a row: the longest-waiting walk-in
        (a1, "appointment"),  # 09:10
        (w2, "walk_in"),  # walk-ins by arrival: 09:01,
        (a4, "walk_in"),  # the early appointment holder by arrival, 09:05:30,
        (w3, "walk_in"),  # 09:09
    ]
    streaks = [1, 2, 3, 0, 1, 0, 0, 0]  # priority calls in a row, stored per window
    got, stored = [], []
    for n in range(len(expected)):
        got.append(await serve(db, pub, clerk, 1, 10 + n))
        stored.append((await window_row(db, 1)).dispatch_state["priority_streak"])
    label = {w1: "w1", w2: "w2", w3: "w3", a1: "a1", a2: "a2", a3: "a3", a4: "a4", g1: "g1"}
    assert [label[i] for i in got] == [label[i] for i, _ in expected]
    rules = [e.data["rule"] for e in published(pub, "ticket_called")]
    assert rules == [rule for _, rule in expected]
    assert stored == streaks
    assert await tickets.call_next(db, pub, clerk, HALL, 1, at(20)) is None


async def test_a_comprehensive_window_leaves_an_open_specialists_work_until_it_overflows(
    db: Database,
) -> None:
    pub = RecordingPublisher()
    general, estate = await add_clerks(db, 2)
    query = (await tickets.issue_ticket(db, pub, HALL, "RE-QUERY", at(0))).id
    social = (await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))).id
    late_social = (await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(2))).id
    await windows.sign_in(db, pub, general, HALL, 1, at(3))
    await windows.sign_in(db, pub, estate, HALL, 13, at(3))  # real-estate specialist
    # The estate ticket waited longest, but the open window 13 is meant for it.
    assert await serve(db, pub, general, 1, 5) == social
    # Once it has waited the 15-minute overflow time, window 1 takes it.
    assert await serve(db, pub, general, 1, 15) == query
    assert await serve(db, pub, general, 1, 16) == late_social


async def test_closed_or_paused_windows_and_other_clerks_cannot_call(db: Database) -> None:
    pub = RecordingPublisher()
    clerk, other = await add_clerks(db, 2)
    boss = await add_staff(db, "boss", "S0099", Role.SUPERVISOR)
    outsider = await add_staff(db, "street1", "ST001", halls=("street",))
    street_boss = await add_staff(db, "street9", "ST009", Role.SUPERVISOR, halls=("street",))
    waiting = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    with pytest.raises(Forbidden) as not_there:  # nobody signed in at window 1
        await tickets.call_next(db, pub, clerk, HALL, 1, at(1))
    assert not_there.value.message_zh == "您未登录 1 号窗口。"
    with pytest.raises(Conflict) as closed:  # a supervisor may act, but the window is closed
        await tickets.call_next(db, pub, boss, HALL, 1, at(1))
    assert closed.value.message_zh == "1 号窗口当前不是服务状态，不能叫号。"
    await windows.sign_in(db, pub, clerk, HALL, 1, at(2))
    await windows.sign_in(db, pub, other, HALL, 2, at(2))
    for intruder in (other, outsider, street_boss):  # at another window; of another hall
        with pytest.raises(Forbidden):
            await tickets.call_next(db, pub, intruder, HALL, 1, at(3))
        with pytest.raises(Forbidden):
            await tickets.call_chosen(db, pub, intruder, HALL, 1, waiting.id, "演示", at(3))
    await windows.pause(db, pub, clerk, HALL, 1, at(4), "午休")
    with pytest.raises(Conflict):
        await tickets.call_next(db, pub, clerk, HALL, 1, at(5))
    with pytest.raises(Conflict):
        await tickets.call_chosen(db, pub, clerk, HALL, 1, waiting.id, "演示", at(5))
    with pytest.raises(NotFound):
        await tickets.call_next(db, pub, boss, HALL, 99, at(5))
    assert (await ticket(db, waiting.id)).status is TicketStatus.WAITING
    assert published(pub, "ticket_called") == []
    await windows.resume(db, pub, clerk, HALL, 1, at(6))
    called = await tickets.call_next(db, pub, clerk, HALL, 1, at(7))
    assert idof(called) == waiting.id


async def test_recalls_count_and_no_show_waits_for_the_rule(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    gone = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    after = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0.5))
    await windows.sign_in(db, pub, clerk, HALL, 6, at(1))
    await tickets.call_next(db, pub, clerk, HALL, 6, at(1))
    with pytest.raises(Conflict) as early:
        await tickets.act_on_held(db, pub, clerk, HALL, 6, at(10), "no_show")
    assert f"recall {RECALLS_BEFORE_NO_SHOW} more time(s)" in early.value.message
    assert early.value.message_zh.startswith(f"暂不能将 {gone.number} 记为过号")
    last_call = 11.0
    for n, t in enumerate((10.0, last_call), start=1):
        view = await tickets.act_on_held(db, pub, clerk, HALL, 6, at(t), "recall")
        assert (view.status, view.window) == ("called", 6)
        assert (await ticket(db, gone.id)).recalls == n
    assert [e.data["recalls"] for e in published(pub, "ticket_recalled")] == [1, 2]
    grace_ends = last_call + NO_SHOW_GRACE_MINUTES
    with pytest.raises(Conflict) as within_grace:
        await tickets.act_on_held(db, pub, clerk, HALL, 6, at(grace_ends - 1 / 60), "no_show")
    assert "wait 0:01 after the last call" in within_grace.value.message  # 1 s of the grace left
    assert within_grace.value.message_zh.startswith(f"暂不能将 {gone.number} 记为过号")
    view = await tickets.act_on_held(db, pub, clerk, HALL, 6, at(grace_ends), "no_show")
    assert view.status == TicketStatus.NO_SHOW.value
    assert (await window_row(db, 6)).dispatch_state["ticket_id"] is None
    assert len(published(pub, "ticket_marked_no_show")) == 1
    with pytest.raises(Conflict) as nothing_held:
        await tickets.act_on_held(db, pub, clerk, HALL, 6, at(15), "recall")
    assert nothing_held.value.message_zh == "6 号窗口当前没有叫到的号，请先叫号。"
    following = await tickets.call_next(db, pub, clerk, HALL, 6, at(15))
    assert idof(following) == after.id


async def test_start_and_finish_with_each_outcome_free_the_window(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    await windows.sign_in(db, pub, clerk, HALL, 5, at(0))
    ids = [(await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))).id for _ in OUTCOMES]
    for n, outcome in enumerate(OUTCOMES):
        t = 1 + 10 * n
        called = await tickets.call_next(db, pub, clerk, HALL, 5, at(t))
        assert idof(called) == ids[n]
        with pytest.raises(Conflict) as busy:
            await tickets.call_next(db, pub, clerk, HALL, 5, at(t))
        assert busy.value.message_zh == "该窗口仍有未办结的号，请先办结、转移或挂起。"
        with pytest.raises(Conflict) as not_started:
            await tickets.act_on_held(db, pub, clerk, HALL, 5, at(t), "finish", outcome=outcome)
        assert not_started.value.message_zh.startswith(f"无法对 {called.number} 执行“办结”")
        started = await tickets.act_on_held(db, pub, clerk, HALL, 5, at(t + 1), "start")
        assert started.status == "serving"
        with pytest.raises(Conflict):
            await tickets.act_on_held(db, pub, clerk, HALL, 5, at(t + 1), "start")
        for bad in ("great", None):
            with pytest.raises(InvalidInput) as refused:
                await tickets.act_on_held(db, pub, clerk, HALL, 5, at(t + 2), "finish", outcome=bad)
            assert set(refused.value.fields) == {"outcome"}
        done = await tickets.act_on_held(
            db, pub, clerk, HALL, 5, at(t + 9), "finish", outcome=outcome
        )
        assert (done.status, done.window) == ("finished", None)
        stored = await ticket(db, called.id)
        assert (stored.outcome and stored.outcome.value, stored.window) == (outcome, 5)
        assert (await window_row(db, 5)).dispatch_state["ticket_id"] is None
    finished = published(pub, "ticket_finished")
    assert [e.data["outcome"] for e in finished] == list(OUTCOMES)
    assert len(published(pub, "service_started")) == len(OUTCOMES)
    assert await tickets.call_next(db, pub, clerk, HALL, 5, at(60)) is None


async def test_transfer_to_a_matter_or_a_window_keeps_the_citizen_waiting(db: Database) -> None:
    pub = RecordingPublisher()
    first, estate, second = await add_clerks(db, 3)
    moved = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    other = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))
    query = await tickets.issue_ticket(db, pub, HALL, "RE-QUERY", at(2))
    await windows.sign_in(db, pub, first, HALL, 1, at(3))
    await tickets.call_next(db, pub, first, HALL, 1, at(4))
    await tickets.act_on_held(db, pub, first, HALL, 1, at(5), "start")
    bad_options: list[dict[str, object]] = [
        {},
        {"matter": "RE-QUERY", "window": 2},
        {"window": 1},  # its own window
        {"window": 777},
        {"window": "2"},
        {"window": True},
    ]
    for options in bad_options:
        with pytest.raises(InvalidInput):
            await tickets.act_on_held(db, pub, first, HALL, 1, at(6), "transfer", **options)
    with pytest.raises(InvalidInput) as unknown:
        await tickets.act_on_held(db, pub, first, HALL, 1, at(6), "transfer", matter="NOPE")
    assert unknown.value.fields == {"matter": "unknown matter"}
    assert (await ticket(db, moved.id)).status is TicketStatus.SERVING
    view = await tickets.act_on_held(db, pub, first, HALL, 1, at(7), "transfer", matter="RE-QUERY")
    assert (view.status, view.matter, view.window) == ("waiting", "RE-QUERY", None)
    stored = await ticket(db, moved.id)
    assert (stored.issued_at, stored.checked_in_at) == (at(0).timestamp(), at(0).timestamp())
    assert (await window_row(db, 1)).dispatch_state["ticket_id"] is None
    [event] = published(pub, "ticket_transferred")
    assert (event.data["from_matter"], event.data["to_matter"]) == ("SI-REG", "RE-QUERY")
    # The estate window calls it before the RE-QUERY ticket issued after it: same place.
    await windows.sign_in(db, pub, estate, HALL, 13, at(8))
    at_estate = await tickets.call_next(db, pub, estate, HALL, 13, at(9))
    assert idof(at_estate) == moved.id
    view = await tickets.act_on_held(
        db, pub, estate, HALL, 13, at(10), "transfer", window=2, confirm=True
    )
    assert view.status == "waiting"
    assert (await ticket(db, moved.id)).assigned_window == 2
    # Sent to window 2, only window 2 calls it, though it waited longest.
    called_at_1 = await tickets.call_next(db, pub, first, HALL, 1, at(11))
    assert idof(called_at_1) == other.id
    await windows.sign_in(db, pub, second, HALL, 2, at(12))
    at_two = await tickets.call_next(db, pub, second, HALL, 2, at(12))
    assert idof(at_two) == moved.id
    again = await tickets.call_next(db, pub, estate, HALL, 13, at(13))
    assert idof(again) == query.id


async def test_park_and_resume_the_same_day_only(db: Database) -> None:
    pub = RecordingPublisher()
    clerk, other = await add_clerks(db, 2)
    parked = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    later = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))
    await windows.sign_in(db, pub, clerk, HALL, 3, at(2))
    await windows.sign_in(db, pub, other, HALL, 4, at(2))
    await tickets.call_next(db, pub, clerk, HALL, 3, at(3))
    view = await tickets.act_on_held(db, pub, clerk, HALL, 3, at(4), "park", reason="复印身份证")
    assert (view.status, view.window) == ("parked", None)
    assert (await window_row(db, 3)).dispatch_state["ticket_id"] is None
    [event] = published(pub, "ticket_parked")
    assert (event.data["reason"], event.data["window"]) == ("复印身份证", 3)
    with pytest.raises(Conflict):  # only a parked ticket resumes
        await tickets.resume_ticket(db, pub, clerk, HALL, 3, later.id, at(5))
    with pytest.raises(InvalidInput) as unknown:
        await tickets.resume_ticket(db, pub, clerk, HALL, 3, "nope", at(5))
    assert unknown.value.fields == {"ticket": "unknown ticket"}
    with pytest.raises(Forbidden):  # window 3 is not the other clerk's
        await tickets.resume_ticket(db, pub, other, HALL, 3, parked.id, at(5))
    back = await tickets.resume_ticket(db, pub, clerk, HALL, 3, parked.id, at(20))
    assert back.status == "waiting"
    assert (await ticket(db, parked.id)).assigned_window == 3
    # Back at its old place (issued before `later`), for window 3 only.
    at_four = await tickets.call_next(db, pub, other, HALL, 4, at(21))
    assert idof(at_four) == later.id
    at_three = await tickets.call_next(db, pub, clerk, HALL, 3, at(21))
    assert idof(at_three) == parked.id
    # Parked on one day, it does not come back the next.
    await tickets.act_on_held(db, pub, clerk, HALL, 3, at(22), "park", reason="取材料")
    with pytest.raises(Conflict) as next_day:
        await tickets.resume_ticket(db, pub, clerk, HALL, 3, parked.id, at(22) + DAY)
    assert "same day only" in next_day.value.message
    assert next_day.value.message_zh.endswith("挂起的号只能当天恢复。")
    assert (await ticket(db, parked.id)).status is TicketStatus.PARKED
    street = await tickets.issue_ticket(db, pub, "street", "SI-CARD", at(23))
    with pytest.raises(InvalidInput):  # a ticket of another hall
        await tickets.resume_ticket(db, pub, clerk, HALL, 3, street.id, at(23))


async def test_call_chosen_records_the_reason_and_the_skipped_ticket(db: Database) -> None:
    pub = RecordingPublisher()
    clerk, estate = await add_clerks(db, 2)
    first = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0))
    chosen = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))
    await windows.sign_in(db, pub, clerk, HALL, 9, at(2))
    await windows.sign_in(db, pub, estate, HALL, 13, at(2))
    for reason in ("", "   "):
        with pytest.raises(InvalidInput):
            await tickets.call_chosen(db, pub, clerk, HALL, 9, chosen.id, reason, at(3))
    with pytest.raises(InvalidInput) as unknown:
        await tickets.call_chosen(db, pub, clerk, HALL, 9, "nope", "孕妇优先", at(3))
    assert unknown.value.fields == {"ticket": "unknown ticket"}
    with pytest.raises(Conflict) as not_served:  # window 13 does real estate only
        await tickets.call_chosen(db, pub, estate, HALL, 13, chosen.id, "孕妇优先", at(3))
    assert not_served.value.message_zh == "该窗口不能办理此号的事项。"
    view = await tickets.call_chosen(db, pub, clerk, HALL, 9, chosen.id, "孕妇优先", at(4))
    assert (view.id, view.status, view.window) == (chosen.id, "called", 9)
    [override] = await audit(db, "call_order_overridden")
    assert override.subject_id == chosen.id
    assert override.data["reason"] == "孕妇优先"
    assert override.data["expected_ticket_id"] == first.id
    [call] = published(pub, "ticket_called")
    assert call.data["rule"] == "chosen"
    assert len(published(pub, "call_order_overridden")) == 1
    with pytest.raises(Conflict):  # the window holds it now
        await tickets.call_chosen(db, pub, clerk, HALL, 9, first.id, "再叫一个", at(5))
    await tickets.act_on_held(db, pub, clerk, HALL, 9, at(5), "start")
    await tickets.act_on_held(db, pub, clerk, HALL, 9, at(6), "finish", outcome="completed")
    with pytest.raises(Conflict) as finished:  # not waiting any more
        await tickets.call_chosen(db, pub, clerk, HALL, 9, chosen.id, "再叫一次", at(7))
    assert finished.value.message_zh.startswith(f"无法对 {chosen.number} 执行“叫号”")
