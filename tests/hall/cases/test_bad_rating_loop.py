"""A bad rating followed to the end, with working-day deadlines from the hall's calendar.

The calendar used (tests/hall/ratings/helpers.with_calendar): the demo hall plus a
holiday on Tuesday 1 December 2026 and a makeup workday on Saturday 5 December.
Deadlines counted by hand from a rating on Friday 27 November (local):
  contact  1 wd: Mon 30 Nov                      → due 1 Dec 00:00
  rectify  5 wd: Mon 30, Wed 2, Thu 3, Fri 4, Sat 5 (makeup) → due 6 Dec 00:00
  close   15 wd: … Mon 7, Tue 8, Wed 9, Thu 10, Fri 11, Mon 14, Tue 15, Wed 16, Thu 17,
                 Fri 18                          → due 19 Dec 00:00
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall.cases.engine import get_case, take_step
from hall.cases.errors import IllegalStep, NotAllowed
from hall.cases.listing import CaseFilter, list_cases
from hall.cases.sweep import escalate_overdue
from hall.errors import NotFound
from hall.publish import NullPublisher, RecordingPublisher
from hall.ratings.scale import Channel
from hall.ratings.service import rate_ticket
from hall.staff.roles import Role
from hall.store.db import Database
from tests.hall.ratings.helpers import FRIDAY, HALL, add_staff, serve_one, with_calendar

pytestmark = pytest.mark.asyncio
SH = ZoneInfo("Asia/Shanghai")
NULL = NullPublisher()


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)  # type: ignore[misc]


async def bad_case(db: Database) -> tuple[int, object, object]:
    await with_calendar(db)
    clerk = await add_staff(db, "clerk05")
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    ticket = await serve_one(db, clerk, 5, FRIDAY)
    rated = await rate_ticket(
        db,
        NULL,
        ticket,
        {"score": 1, "reasons": ["long_wait", "attitude"], "comment": "等了一个多小时"},
        FRIDAY + timedelta(minutes=9),
        Channel.EVALUATOR,
    )
    assert rated.case is not None
    return rated.case.id, clerk, boss


async def test_the_whole_loop_from_rating_to_close(db: Database) -> None:
    case_id, clerk, boss = await bad_case(db)
    now = FRIDAY + timedelta(minutes=10)
    case = await get_case(db, boss, case_id, now)  # type: ignore[arg-type]
    assert (case.kind, case.status, case.origin) == ("bad_rating", "open", "rating")
    assert (case.window, case.staff, case.matter) == (5, clerk.job_number, "SI-CARD")  # type: ignore[attr-defined]
    assert case.rating is not None
    assert case.rating.score == 1
    assert case.rating.reasons == ("long_wait", "attitude")
    deadlines = {k: datetime.fromisoformat(v) for k, v in case.deadlines.items()}
    assert deadlines == {
        "contact": local(2026, 12, 1),
        "rectify": local(2026, 12, 6),
        "close": local(2026, 12, 19),
    }
    assert case.due_at == local(2026, 12, 1)

    async def step(who: object, at: datetime, **body: object) -> str:
        view = await take_step(db, NULL, who, case_id, body, at)  # type: ignore[arg-type]
        return view.status

    t = local(2026, 11, 30, 10)
    assert (
        await step(boss, t, step="verify", result="true", evidence="调取监控，属实") == "rectifying"
    )
    assert await step(clerk, t, step="rectify", note="已向群众致歉，调整叫号顺序") == "revisiting"
    # The citizen is not satisfied: rectification opens again with a fresh deadline.
    t = local(2026, 12, 2, 9)
    assert await step(boss, t, step="revisit", reached=True, satisfied=False) == "rectifying"
    case = await get_case(db, boss, case_id, t)  # type: ignore[arg-type]
    # 5 working days from Wed 2 Dec: Thu 3, Fri 4, Sat 5 (makeup), Mon 7, Tue 8.
    assert case.due_at == local(2026, 12, 9)
    assert await step(clerk, t, step="rectify", note="增派窗口，缩短等候") == "revisiting"
    assert await step(boss, t, step="revisit", reached=True, satisfied=True) == "revisited"
    assert await step(boss, t, step="close", note="整改完成，群众满意") == "closed"

    case = await get_case(db, boss, case_id, t)  # type: ignore[arg-type]
    assert [s.step for s in case.steps] == [
        "opened", "verify", "rectify", "revisit", "rectify", "revisit", "close",
    ]  # fmt: skip
    assert [s.by for s in case.steps][1:3] == ["boss", "clerk05"]
    assert case.steps[1].details == {"result": "true", "evidence": "调取监控，属实"}
    assert case.closed_at == t
    assert case.due_at is None
    assert not case.overdue


async def test_a_clerk_cannot_close_and_sees_the_case_only_after_the_citizen_left(
    db: Database,
) -> None:
    case_id, clerk, boss = await bad_case(db)
    rated_at = FRIDAY + timedelta(minutes=9)
    soon = rated_at + timedelta(minutes=5)  # the citizen may still be at the window
    with pytest.raises(NotFound):
        await get_case(db, clerk, case_id, soon)  # type: ignore[arg-type]
    assert await list_cases(db, clerk, HALL, CaseFilter(), soon) == []  # type: ignore[arg-type]

    later = rated_at + timedelta(minutes=61)  # [rating] reveal_after_minutes = 60
    assert [c.id for c in await list_cases(db, clerk, HALL, CaseFilter(), later)] == [case_id]  # type: ignore[arg-type]
    await take_step(
        db,
        NULL,
        boss,
        case_id,
        {"step": "verify", "result": "untrue", "evidence": "录像显示正常"},
        later,
    )  # type: ignore[arg-type]
    await take_step(
        db, NULL, boss, case_id, {"step": "revisit", "reached": True, "satisfied": True}, later
    )  # type: ignore[arg-type]
    with pytest.raises(NotAllowed) as refused:
        await take_step(db, NULL, clerk, case_id, {"step": "close", "note": "我来关"}, later)  # type: ignore[arg-type]
    assert refused.value.status == 403
    assert (await get_case(db, boss, case_id, later)).status == "revisited"  # type: ignore[arg-type]


async def test_an_illegal_step_names_the_state(db: Database) -> None:
    case_id, _clerk, boss = await bad_case(db)
    with pytest.raises(IllegalStep) as caught:
        await take_step(
            db, NULL, boss, case_id, {"step": "close", "note": "x"}, FRIDAY + timedelta(hours=1)
        )  # type: ignore[arg-type]
    assert caught.value.status == 409
    assert caught.value.code == "illegal_step"
    assert "it is open" in caught.value.message
    assert "待处理" in caught.value.message_zh


async def test_overdue_across_the_weekend_and_the_holiday_escalates_once(db: Database) -> None:
    case_id, _clerk, boss = await bad_case(db)
    overdue = CaseFilter(overdue=True)
    recorder = RecordingPublisher()

    before = local(2026, 11, 30, 23, 59)  # Monday: the contact deadline's last minute
    assert await list_cases(db, boss, HALL, overdue, before) == []  # type: ignore[arg-type]
    assert await escalate_overdue(db, recorder, before) == 0

    after = local(2026, 12, 1, 0, 0, 1)  # Tuesday, the holiday
    assert [c.id for c in await list_cases(db, boss, HALL, overdue, after)] == [case_id]  # type: ignore[arg-type]
    assert await escalate_overdue(db, recorder, after) == 1
    assert await escalate_overdue(db, recorder, after + timedelta(hours=5)) == 0  # once
    case = await get_case(db, boss, case_id, after)  # type: ignore[arg-type]
    assert case.escalations == 1
    assert case.steps[-1].step == "escalated"

    # Verified late; now it waits for rectification, due at the end of the makeup Saturday.
    await take_step(
        db, NULL, boss, case_id, {"step": "verify", "result": "true", "evidence": "属实"}, after
    )  # type: ignore[arg-type]
    saturday = local(2026, 12, 5, 20)
    assert await list_cases(db, boss, HALL, overdue, saturday) == []  # type: ignore[arg-type]
    sunday = local(2026, 12, 6, 0, 0, 1)
    assert [c.id for c in await list_cases(db, boss, HALL, overdue, sunday)] == [case_id]  # type: ignore[arg-type]
    assert await escalate_overdue(db, recorder, sunday) == 1
    assert (await get_case(db, boss, case_id, sunday)).escalations == 2  # type: ignore[arg-type]
    assert recorder.events == []  # bad-rating steps are not pushed to any page


async def test_an_extension_asked_before_the_deadline_and_approved(db: Database) -> None:
    case_id, clerk, boss = await bad_case(db)
    asked = local(2026, 11, 30, 15)  # Monday, before the contact deadline
    view = await take_step(
        db,
        NULL,
        clerk,
        case_id,
        {"step": "extend", "days": 2, "reason": "当事人出差，周三后方可联系"},
        asked,
    )  # type: ignore[arg-type]
    assert view.extension is not None
    assert view.extension["days"] == 2
    with pytest.raises(IllegalStep, match="waits already"):  # one request at a time
        await take_step(
            db, NULL, clerk, case_id, {"step": "extend", "days": 1, "reason": "再延"}, asked
        )  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):  # a clerk may not approve
        await take_step(
            db, NULL, clerk, case_id, {"step": "decide_extension", "approve": True}, asked
        )  # type: ignore[arg-type]
    view = await take_step(
        db,
        NULL,
        boss,
        case_id,
        {"step": "decide_extension", "approve": True, "note": "同意"},
        asked,
    )  # type: ignore[arg-type]
    deadlines = {k: datetime.fromisoformat(v) for k, v in view.deadlines.items()}
    # +2 working days each: Tue 1 Dec is a holiday, Sat 5 Dec a workday.
    assert deadlines == {
        "contact": local(2026, 12, 4),  # Wed 2, Thu 3
        "rectify": local(2026, 12, 9),  # Mon 7, Tue 8
        "close": local(2026, 12, 23),  # Mon 21, Tue 22
    }
    assert view.due_at == local(2026, 12, 4)
    assert view.extension is None

    late = local(2026, 12, 4, 0, 1)  # past the new deadline
    with pytest.raises(IllegalStep) as caught:
        await take_step(
            db, NULL, clerk, case_id, {"step": "extend", "days": 1, "reason": "再延"}, late
        )  # type: ignore[arg-type]
    assert "before the deadline" in caught.value.message
