"""The read views behind the kiosk, the staff console and the overview, called directly.

The desk's queue is checked twice: against an order written out by hand from the rules
of docs/queueing.md, and against the order in which `queueing.dispatch.choose_next`
(the reference policy) would call the same waiting tickets one after another.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import pytest_asyncio
from sqlalchemy import select

from hall.calling import tickets, views, windows
from hall.calling.core_rows import seconds, ticket_of
from hall.errors import NotFound
from hall.publish import RecordingPublisher
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.models import TicketRow
from queueing import Policy, Ticket, TicketStatus
from queueing.dispatch import choose_next
from queueing.window import WindowKind, WindowState
from tests.hall.calling.helpers import (
    DAY,
    HALL,
    add_clerks,
    appointment_ticket,
    at,
    demo_hall,
    open_around_the_clock,
    window_row,
)

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def db(db: Database) -> Database:
    """The demo halls, the district one issuing tickets around the clock."""
    await open_around_the_clock(db)
    return db


async def waiting_today(db: Database, now: datetime) -> list[Ticket]:
    """The hall's waiting tickets of the day, read directly."""
    async with db.read() as session:
        rows = (await session.scalars(select(TicketRow).where(TicketRow.status == "waiting"))).all()
    day = now.date()  # every scene below stays inside one Shanghai and UTC date
    return [ticket_of(r) for r in rows if r.hall_id == HALL and r.service_day == day]


def reference_order(window: WindowState, waiting: list[Ticket], now: datetime) -> list[str]:
    """The ids a free window would call one after another, as the reference decides."""
    left, order = list(waiting), []
    while (decision := choose_next(window, left, seconds(now), Policy())) is not None:
        order.append(decision.ticket.id)
        left.remove(decision.ticket)
    return order


async def test_groups_list_their_matters_and_who_waits(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0) - DAY)  # yesterday's
    for n, matter in enumerate(("SI-REG", "SI-CARD", "RE-QUERY", "UI-CLAIM")):
        await tickets.issue_ticket(db, pub, HALL, matter, at(n))
    await windows.sign_in(db, pub, clerk, HALL, 1, at(5))
    await tickets.call_next(db, pub, clerk, HALL, 1, at(6))  # the SI-REG: no longer waiting
    groups = await views.hall_groups(db, HALL, at(7))
    configured = demo_hall()["groups"]
    assert [g.code for g in groups] == [g["code"] for g in configured]
    for group, wanted in zip(groups, configured, strict=True):
        assert (group.name, group.name_en, group.icon) == (
            wanted["name"],
            wanted["name_en"],
            wanted["icon"],
        )
        assert (group.description, group.description_en) == (
            wanted["description"],
            wanted["description_en"],
        )
        mine = [m["code"] for m in demo_hall()["matters"] if m["group"] == group.code]
        assert [m.code for m in group.matters] == mine
    assert {g.code: g.waiting for g in groups if g.waiting} == {"social": 2, "estate": 1}
    with pytest.raises(NotFound):
        await views.hall_groups(db, "ghost", at(7))


class Scene:
    """A queue in every state the desk shows, made through the services.

    09:00 R  RE-QUERY walk-in            09:12 X  SI-REG walk-in
    09:01 T  SI-REG, sent to window 3     09:15 W  SI-REG walk-in
    09:02 H  SI-REG, held at window 1     09:20 A  appointment, slot 09:30
    09:03 P  SI-REG, parked at window 2   09:25 E  appointment, slot 10:30 (early)
                                          09:35 G  green
    """

    ids: dict[str, str]
    numbers: dict[str, str]

    @classmethod
    async def make(cls, db: Database) -> tuple[Scene, list[StaffMember]]:
        pub = RecordingPublisher()
        clerks = await add_clerks(db, 3)
        one, two, _ = clerks
        scene = cls()
        scene.ids, scene.numbers = {}, {}
        walk_ins = (("R", "RE-QUERY", 0), ("T", "SI-REG", 1), ("H", "SI-REG", 2))
        walk_ins += (("P", "SI-REG", 3), ("X", "SI-REG", 12), ("W", "SI-REG", 15))
        for name, matter, minutes in walk_ins:
            view = await tickets.issue_ticket(db, pub, HALL, matter, at(minutes))
            scene.ids[name], scene.numbers[name] = view.id, view.number
        scene.ids["A"] = await appointment_ticket(db, at(20), "SI-REG", due=at(30))
        scene.ids["E"] = await appointment_ticket(db, at(25), "SI-REG", due=at(90))
        green = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(35), green=True, staff=one)
        scene.ids["G"] = green.id
        await windows.sign_in(db, pub, two, HALL, 2, at(4))
        await tickets.call_chosen(db, pub, two, HALL, 2, scene.ids["T"], "转窗口", at(4))
        await tickets.act_on_held(db, pub, two, HALL, 2, at(4), "transfer", window=3, confirm=True)
        await tickets.call_chosen(db, pub, two, HALL, 2, scene.ids["P"], "缺材料", at(5))
        await tickets.act_on_held(db, pub, two, HALL, 2, at(5), "park", reason="复印身份证")
        await windows.sign_in(db, pub, one, HALL, 1, at(36))
        await tickets.call_chosen(db, pub, one, HALL, 1, scene.ids["H"], "预约改期", at(38))
        await tickets.act_on_held(db, pub, one, HALL, 1, at(39), "recall")
        return scene, clerks

    def named(self, ids: list[str]) -> list[str]:
        names = {ticket_id: name for name, ticket_id in self.ids.items()}
        return [names[i] for i in ids]


async def test_the_desk_queue_is_the_dispatch_order(db: Database) -> None:
    scene, _ = await Scene.make(db)
    # By hand, docs/queueing.md §2 at 09:40: the green ticket; then, ranked together,
    # R (aged: waited 40 ≥ 30 min, by arrival 09:00) and A (on time, by slot 09:30);
    # then walk-ins by arrival: X, W and E (early for its slot, so a walk-in). T is
    # window 3's only, H is held and P parked.
    expected = {
        (1, 40): ["G", "R", "A", "X", "W", "E"],
        # At 09:50 X and W have aged too, and rank by arrival before A's slot start.
        (1, 50): ["G", "R", "X", "W", "A", "E"],
        (3, 40): ["G", "R", "T", "A", "X", "W", "E"],
        (13, 40): ["R"],  # real estate only
    }
    for (number, minutes), names in expected.items():
        now = at(minutes)
        desk = await views.window_desk(db, HALL, number, now)
        got = [item.id for item in desk.queue]
        assert scene.named(got) == names, (number, minutes)
        state = WindowState(number, kind=WindowKind.COMPREHENSIVE, skills=frozenset({"*"}))
        if number == 13:
            row = await window_row(db, 13)
            state = WindowState(13, WindowKind.SPECIALISED, frozenset(row.skills))
        assert got == reference_order(state, await waiting_today(db, now), now)
        assert [item.position for item in desk.queue] == list(range(1, len(names) + 1))
    desk = await views.window_desk(db, HALL, 1, at(40))
    by_name = dict(zip(scene.named([i.id for i in desk.queue]), desk.queue, strict=True))
    assert {name: item.waited_minutes for name, item in by_name.items()} == {
        "G": 5,
        "R": 40,
        "A": 20,
        "X": 28,
        "W": 25,
        "E": 15,
    }
    assert (by_name["G"].green, by_name["A"].source, by_name["E"].source) == (
        True,
        "appointment",
        "appointment",
    )
    assert all(item.hall_position is not None for item in desk.queue)
    three = await views.window_desk(db, HALL, 3, at(40))
    assert [i.assigned_window for i in three.queue if i.id == scene.ids["T"]] == [3]


async def test_the_desk_shows_the_window_its_ticket_and_the_parked(db: Database) -> None:
    scene, (one, two, _) = await Scene.make(db)
    desk = await views.window_desk(db, HALL, 1, at(40.5))
    assert (desk.window.number, desk.window.status, desk.window.staff) == (
        1,
        "open",
        one.job_number,
    )
    current = desk.current
    assert current is not None
    assert (current.id, current.number, current.status) == (
        scene.ids["H"],
        scene.numbers["H"],
        "called",
    )
    assert (current.recalls, current.called_at, current.started_at) == (1, at(39), None)
    assert current.minutes == 1  # since the last call, the recall at 09:39
    [parked] = desk.parked
    assert (parked.id, parked.number, parked.window, parked.reason) == (
        scene.ids["P"],
        scene.numbers["P"],
        2,
        "复印身份证",
    )
    assert parked.parked_minutes == 35
    other = await views.window_desk(db, HALL, 2, at(41))
    assert (other.current, other.window.staff) == (None, two.job_number)
    parked_later = [(p.id, p.window, p.reason, p.parked_minutes) for p in other.parked]
    assert parked_later == [(scene.ids["P"], 2, "复印身份证", 36)]  # every desk lists it
    closed = await views.window_desk(db, HALL, 7, at(41))
    assert (closed.window.status, closed.window.staff, closed.current) == ("closed", None, None)
    with pytest.raises(NotFound):
        await views.window_desk(db, HALL, 99, at(41))
    with pytest.raises(NotFound):
        await views.window_desk(db, "ghost", 1, at(41))


async def test_the_overview_counts_windows_groups_and_the_day(db: Database) -> None:
    pub = RecordingPublisher()
    three, four = await add_clerks(db, 2)
    await windows.sign_in(db, pub, three, HALL, 3, at(-10) - DAY)
    await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(0) - DAY)  # yesterday's
    await tickets.call_next(db, pub, three, HALL, 3, at(1) - DAY)
    await tickets.act_on_held(db, pub, three, HALL, 3, at(2) - DAY, "start")
    await tickets.act_on_held(db, pub, three, HALL, 3, at(3) - DAY, "finish", outcome="completed")
    issued = []
    for minutes, matter in ((0, "RE-QUERY"), (2, "SI-REG"), (3, "SI-REG"), (4, "DL-RENEW")):
        issued.append(await tickets.issue_ticket(db, pub, HALL, matter, at(minutes)))
    issued.append(await tickets.issue_ticket(db, pub, HALL, "SI-CARD", at(5)))
    issued.append(await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(6)))
    await tickets.call_next(db, pub, three, HALL, 3, at(10))  # RE-QUERY, the first
    await tickets.act_on_held(db, pub, three, HALL, 3, at(11), "start")
    await tickets.act_on_held(db, pub, three, HALL, 3, at(15), "finish", outcome="completed")
    await tickets.call_next(db, pub, three, HALL, 3, at(16))  # SI-REG of 09:02
    for minutes in (17, 18):
        await tickets.act_on_held(db, pub, three, HALL, 3, at(minutes), "recall")
    await tickets.act_on_held(db, pub, three, HALL, 3, at(21), "no_show")
    held = await tickets.call_next(db, pub, three, HALL, 3, at(22))  # SI-REG of 09:03
    assert held is not None
    await tickets.act_on_held(db, pub, three, HALL, 3, at(23), "start")
    await windows.sign_in(db, pub, four, HALL, 4, at(24))
    await windows.pause(db, pub, four, HALL, 4, at(25))
    overview = await views.hall_overview(db, HALL, at(30))
    assert (overview.hall.id, overview.hall.name, overview.at) == (
        HALL,
        demo_hall()["name"],
        at(30),
    )
    assert overview.today == {"issued": 6, "finished": 1, "no_show": 1}
    assert overview.waiting == 3  # DL-RENEW, SI-CARD and the last SI-REG
    longest = overview.longest_wait
    assert longest is not None
    assert (longest.number, longest.matter, longest.minutes) == (issued[3].number, "DL-RENEW", 26)
    lines = {g.code: (g.waiting, g.longest_wait_minutes) for g in overview.groups}
    assert lines == {
        g["code"]: {"traffic": (1, 26), "social": (2, 25)}.get(g["code"], (0, None))
        for g in demo_hall()["groups"]
    }
    windows_by_number = {w.number: w for w in overview.windows}
    assert sorted(windows_by_number) == [w["number"] for w in demo_hall()["windows"]]
    at_three = windows_by_number[3]
    assert (at_three.status, at_three.staff) == ("open", three.job_number)
    assert at_three.ticket is not None
    assert (at_three.ticket.number, at_three.ticket.status, at_three.ticket.minutes) == (
        held.number,
        "serving",
        7,  # since the start at 09:23
    )
    at_four = windows_by_number[4]
    assert (at_four.status, at_four.staff, at_four.ticket) == ("paused", four.job_number, None)
    others = [w for n, w in windows_by_number.items() if n not in (3, 4)]
    assert {(w.status, w.staff, w.ticket) for w in others} == {("closed", None, None)}
    with pytest.raises(NotFound):
        await views.hall_overview(db, "ghost", at(30))


async def test_my_window_and_my_day_count_only_my_own_actions(db: Database) -> None:
    pub = RecordingPublisher()
    mine, theirs = await add_clerks(db, 2)
    assert await views.staff_window(db, mine.id) is None
    for minutes in range(4):
        await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(minutes))
    await windows.sign_in(db, pub, mine, HALL, 4, at(5))
    await windows.sign_in(db, pub, theirs, HALL, 5, at(5))
    assert await views.staff_window(db, mine.id) == views.StaffWindow(HALL, 4, "open")
    await tickets.call_next(db, pub, mine, HALL, 4, at(6))
    await tickets.act_on_held(db, pub, mine, HALL, 4, at(7), "start")
    await tickets.act_on_held(db, pub, mine, HALL, 4, at(8), "finish", outcome="completed")
    await tickets.call_next(db, pub, theirs, HALL, 5, at(9))
    waiting = [t.id for t in await waiting_today(db, at(9))]
    await tickets.call_chosen(db, pub, mine, HALL, 4, waiting[-1], "老人优先", at(10))
    for minutes in (11, 12):
        await tickets.act_on_held(db, pub, mine, HALL, 4, at(minutes), "recall")
    await tickets.act_on_held(db, pub, mine, HALL, 4, at(16), "no_show")
    counted = {"called": 2, "finished": 1, "no_show": 1}
    assert await views.own_counts(db, HALL, mine.username, at(20)) == counted
    assert await views.own_counts(db, HALL, theirs.username, at(20)) == {
        "called": 1,
        "finished": 0,
        "no_show": 0,
    }
    # What happened later than the moment asked about is not counted yet.
    assert await views.own_counts(db, HALL, mine.username, at(9)) == {
        "called": 1,
        "finished": 1,
        "no_show": 0,
    }
    assert await views.own_counts(db, HALL, mine.username, at(20) + DAY) == dict.fromkeys(
        counted, 0
    )
    assert await views.own_counts(db, "street", mine.username, at(20)) == dict.fromkeys(counted, 0)
    await windows.pause(db, pub, mine, HALL, 4, at(21))
    assert await views.staff_window(db, mine.id) == views.StaffWindow(HALL, 4, "paused")
    await windows.sign_out(db, pub, mine, HALL, 4, at(22))
    assert await views.staff_window(db, mine.id) is None
    assert await views.staff_window(db, theirs.id) == views.StaffWindow(HALL, 5, "open")


async def test_a_tickets_history_in_order(db: Database) -> None:
    pub = RecordingPublisher()
    general, estate = await add_clerks(db, 2)
    await windows.sign_in(db, pub, general, HALL, 4, at(0))
    await windows.sign_in(db, pub, estate, HALL, 13, at(0))
    view = await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(1))
    await tickets.issue_ticket(db, pub, HALL, "SI-REG", at(2))  # another ticket's events
    g, e = general, estate
    steps: list[tuple[StaffMember, int, float, str, dict[str, object]]] = [
        (g, 4, 3, "call", {}),
        (g, 4, 4, "recall", {}),
        (g, 4, 5, "start", {}),
        (g, 4, 6, "transfer", {"matter": "RE-QUERY"}),
        (e, 13, 7, "call", {}),
        (e, 13, 8, "start", {}),
        (e, 13, 9, "park", {"reason": "取材料"}),
        (e, 13, 20, "resume", {}),
        (e, 13, 21, "call", {}),
        (e, 13, 22, "start", {}),
        (e, 13, 30, "finish", {"outcome": "referred"}),
    ]
    for clerk, number, minutes, action, options in steps:
        if action == "call":
            called = await tickets.call_next(db, pub, clerk, HALL, number, at(minutes))
            assert called is not None
            assert called.id == view.id
        elif action == "resume":
            await tickets.resume_ticket(db, pub, clerk, HALL, number, view.id, at(minutes))
        else:
            await tickets.act_on_held(db, pub, clerk, HALL, number, at(minutes), action, **options)
    hall_id, history = await views.ticket_history(db, view.id)
    assert hall_id == HALL
    k, gu, eu = "kiosk", g.username, e.username
    expected = [
        ("ticket_issued", 1, k, {}),
        ("ticket_checked_in", 1, k, {}),
        ("ticket_called", 3, gu, {"window": 4}),
        ("ticket_recalled", 4, gu, {"window": 4, "recalls": 1}),
        ("service_started", 5, gu, {"window": 4}),
        ("ticket_transferred", 6, gu, {"from_matter": "SI-REG", "to_matter": "RE-QUERY"}),
        ("ticket_called", 7, eu, {"window": 13}),
        ("service_started", 8, eu, {"window": 13}),
        ("ticket_parked", 9, eu, {"window": 13, "reason": "取材料"}),
        ("ticket_resumed", 20, eu, {"to_window": 13}),
        ("ticket_called", 21, eu, {"window": 13}),
        ("service_started", 22, eu, {"window": 13}),
        ("ticket_finished", 30, eu, {"window": 13, "outcome": "referred"}),
    ]
    assert [(h.kind, h.at, h.actor, h.details) for h in history] == [
        (kind, at(minutes), actor, details) for kind, minutes, actor, details in expected
    ]
    assert (await tickets.get_ticket(db, view.id, at(31))).status == TicketStatus.FINISHED.value
    with pytest.raises(NotFound):
        await views.ticket_history(db, "no-such-ticket")
