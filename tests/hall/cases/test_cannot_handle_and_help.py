"""办不成事 from the window to the check, the 否定答复 report of a rejection, 帮办
requests from the phone and the window, and the desk's filters."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall.calling import tickets
from hall.cases.assist import help_desk, request_help, ticket_help
from hall.cases.engine import take_step
from hall.cases.errors import IllegalStep, NotAllowed
from hall.cases.listing import CaseFilter, list_cases
from hall.cases.opening import open_desk_case, report_refusal
from hall.cases.sweep import escalate_overdue
from hall.errors import Conflict, Forbidden, InvalidInput
from hall.publish import NullPublisher, RecordingPublisher
from hall.staff.roles import Role
from hall.store.db import Database
from tests.hall.ratings.helpers import FRIDAY, HALL, MONDAY, add_staff, serve_one, with_calendar

pytestmark = pytest.mark.asyncio
NULL = NullPublisher()
SH = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("category", "due"),
    [
        ("on_the_spot", local(2026, 11, 28)),  # the day itself
        ("complex", local(2026, 12, 6)),  # Mon 30, Wed 2, Thu 3, Fri 4, Sat 5 (makeup)
        ("special", local(2026, 12, 12)),  # … Mon 7, Tue 8, Wed 9, Thu 10, Fri 11
    ],
)
async def test_cannot_handle_runs_from_the_window_to_the_check(
    db: Database, category: str, due: datetime
) -> None:
    await with_calendar(db)
    clerk = await add_staff(db, "clerk24")  # at the 办不成事 window
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    ticket = await serve_one(db, clerk, 24, FRIDAY, matter="NOT-DONE")
    now = FRIDAY + timedelta(minutes=10)
    case = await open_desk_case(
        db, NULL, clerk, HALL, "cannot_handle", "外地户籍无法在本区办理居住证续签",  # type: ignore[arg-type]
        now, ticket_id=ticket, matter="RES-PERMIT",
    )  # fmt: skip
    assert (case.kind, case.origin, case.status, case.matter) == (
        "cannot_handle", "window", "open", "RES-PERMIT",
    )  # fmt: skip
    assert case.due_at == local(2026, 11, 28)  # classify the same day

    async def step(who: object, **body: object) -> str:
        return (await take_step(db, NULL, who, case.id, body, now)).status  # type: ignore[arg-type]

    assert await step(clerk, step="classify", category=category) == "classified"
    view = await take_step(
        db, NULL, clerk, case.id, {"step": "forward", "to": "区公安分局户政科"}, now
    )
    assert view.due_at == due
    assert view.forwarded_to == "区公安分局户政科"
    with pytest.raises(NotAllowed):  # clerks never close
        await step(clerk, step="close", note="已办结")
    assert await step(boss, step="close", note="协调户政科当场办结") == "resolved"
    assert await step(clerk, step="feedback", reached=True, note="电话告知群众") == "fed_back"
    assert await step(boss, step="check", result="redo", note="群众反映仍未拿到证件") == "forwarded"
    assert await step(boss, step="close", note="证件已邮寄") == "resolved"
    assert await step(clerk, step="feedback", reached=True, note="群众确认收到") == "fed_back"
    assert await step(boss, step="check", result="ok", note="核查无误") == "closed"


async def test_a_rejection_writes_a_refusal_report_in_the_same_transaction(db: Database) -> None:
    clerk = await add_staff(db, "clerk05")
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    ticket = await tickets.issue_ticket(db, NULL, HALL, "SI-CARD", MONDAY)
    from hall.calling import windows

    await windows.sign_in(db, NULL, clerk, HALL, 5, MONDAY)
    await tickets.call_next(db, NULL, clerk, HALL, 5, MONDAY + timedelta(minutes=1))
    await tickets.act_on_held(db, NULL, clerk, HALL, 5, MONDAY + timedelta(minutes=2), "start")

    async def refused(unit: object, row: object) -> None:
        await report_refusal(unit, row, clerk, "申请人不符合参保条件")  # type: ignore[arg-type]

    finished = await tickets.act_on_held(
        db, NULL, clerk, HALL, 5, MONDAY + timedelta(minutes=6), "finish",
        then=refused, outcome="rejected",
    )  # fmt: skip
    assert finished.status == "finished"
    now = MONDAY + timedelta(minutes=7)
    found = await list_cases(db, boss, HALL, CaseFilter(kind="cannot_handle"), now)  # type: ignore[arg-type]
    assert len(found) == 1
    report = found[0]
    assert (report.origin, report.ticket, report.staff, report.window) == (
        "refusal", finished.number, clerk.job_number, 5,
    )  # fmt: skip
    assert report.summary == "申请人不符合参保条件"
    assert report.id != ticket.id
    with pytest.raises(IllegalStep):  # "redo" needs a feedback first
        await take_step(
            db, NULL, boss, report.id, {"step": "check", "result": "redo", "note": "x"}, now
        )
    done = await take_step(
        db,
        NULL,
        boss,
        report.id,
        {"step": "check", "result": "ok", "note": "否定答复依据充分"},
        now,
    )
    assert done.status == "closed"


async def test_help_from_the_phone_is_pushed_accepted_and_escalated_when_unanswered(
    db: Database,
) -> None:
    helper = await add_staff(db, "clerk22")  # listed in [cases] helpers of the demo hall
    other = await add_staff(db, "clerk07")  # not a helper
    publisher = RecordingPublisher()
    first = await tickets.issue_ticket(db, NULL, HALL, "SI-CARD", MONDAY)
    asked = await request_help(db, publisher, first.id, MONDAY, note="我在 3 号等候区，行动不便")
    assert asked.created
    assert asked.case.status == "open"
    assert asked.case.origin == "citizen"
    assert [e.kind for e in publisher.events] == ["case_opened"]  # helpers hear of it
    again = await request_help(db, publisher, first.id, MONDAY + timedelta(seconds=10))
    assert not again.created
    assert again.case.id == asked.case.id
    assert asked.public_json()["helper"] is None

    with pytest.raises(Forbidden):
        await help_desk(db, other, HALL, MONDAY)
    assert [c.id for c in await help_desk(db, helper, HALL, MONDAY)] == [asked.case.id]

    # Unanswered for a minute: escalated (and pushed again), once.
    assert await escalate_overdue(db, publisher, MONDAY + timedelta(seconds=59)) == 0
    assert await escalate_overdue(db, publisher, MONDAY + timedelta(seconds=61)) == 1
    assert await escalate_overdue(db, publisher, MONDAY + timedelta(seconds=90)) == 0
    assert publisher.events[-1].kind == "case_escalated"

    accepted = await take_step(
        db, publisher, helper, asked.case.id, {"step": "accept"}, MONDAY + timedelta(seconds=75)
    )
    assert accepted.owner == helper.job_number
    assert accepted.response_seconds == 75.0
    assert (await ticket_help(db, first.id, MONDAY)).owner == helper.job_number  # type: ignore[union-attr]
    closed = await take_step(
        db, publisher, helper, asked.case.id, {"step": "close"}, MONDAY + timedelta(minutes=5)
    )
    assert closed.status == "closed"  # a helper closes the request they took
    assert await help_desk(db, helper, HALL, MONDAY + timedelta(minutes=6)) == []

    # A clerk asks for help at the window: the request names the window and the clerk.
    ticket = await serve_one(db, other, 7, MONDAY + timedelta(minutes=10))
    at_window = await request_help(
        db, publisher, ticket, MONDAY + timedelta(minutes=20), staff=other
    )
    assert (at_window.case.origin, at_window.case.window, at_window.case.staff) == (
        "clerk", 7, other.job_number,
    )  # fmt: skip


async def test_help_is_asked_for_on_the_day_and_notes_are_short(db: Database) -> None:
    ticket = await tickets.issue_ticket(db, NULL, HALL, "SI-CARD", MONDAY)
    with pytest.raises(InvalidInput):
        await request_help(db, NULL, ticket.id, MONDAY, note="长" * 201)
    with pytest.raises(Conflict):
        await request_help(db, NULL, ticket.id, MONDAY + timedelta(days=1))


async def test_the_desk_filters_by_kind_status_overdue_window_and_staff(db: Database) -> None:
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    five = await add_staff(db, "clerk05")
    six = await add_staff(db, "clerk06")
    t5 = await serve_one(db, five, 5, MONDAY)
    t6 = await serve_one(db, six, 6, MONDAY)
    now = MONDAY + timedelta(minutes=20)
    a = await open_desk_case(db, NULL, boss, HALL, "complaint", "窗口人员玩手机", now, ticket_id=t5)  # type: ignore[arg-type]
    b = await open_desk_case(
        db, NULL, six, HALL, "cannot_handle", "系统不支持跨省业务", now, ticket_id=t6
    )  # type: ignore[arg-type]
    help_case = (await request_help(db, NULL, t6, now)).case
    with pytest.raises(Forbidden):  # complaints are recorded by supervisors
        await open_desk_case(db, NULL, five, HALL, "complaint", "x", now)  # type: ignore[arg-type]

    async def ids(reader: object, when: datetime = now, **filters: object) -> list[int]:
        return [c.id for c in await list_cases(db, reader, HALL, CaseFilter(**filters), when)]  # type: ignore[arg-type]

    assert await ids(boss) == [help_case.id, b.id, a.id]
    assert await ids(boss, kind="complaint") == [a.id]
    assert await ids(boss, window=6) == [help_case.id, b.id]
    assert await ids(boss, staff=five.job_number) == [a.id]
    assert await ids(boss, status="open") == [help_case.id, b.id, a.id]
    assert await ids(boss, overdue=True) == []
    later = now + timedelta(days=1)  # the 办不成事 case was not classified the same day
    assert await ids(boss, later, overdue=True) == [help_case.id, b.id]
    assert await ids(boss, later, overdue=False) == [a.id]
    # Clerks: only cases about their own work, or that they opened.
    assert await ids(five) == [a.id]
    assert await ids(six) == [help_case.id, b.id]
    with pytest.raises(InvalidInput):
        CaseFilter(status="nonsense")
