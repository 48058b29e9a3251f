"""The reports and the figures the dashboard reads: 办不成事 daily and weekly, frequent
bad-rating problems, case facts (follow-up rate, 帮办 response), the staff's rating list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hall.calling import tickets
from hall.cases.assist import request_help
from hall.cases.engine import take_step
from hall.cases.facts import case_facts, help_responses
from hall.cases.opening import open_desk_case
from hall.cases.period import DayRange
from hall.cases.reports import cannot_handle_daily, cannot_handle_weekly
from hall.errors import InvalidInput
from hall.publish import NullPublisher
from hall.ratings.listing import list_ratings
from hall.ratings.problems import frequent_problems
from hall.ratings.service import rate_ticket
from hall.staff.roles import Role
from hall.store.db import Database
from tests.hall.ratings.helpers import HALL, MONDAY, add_staff, serve_one

pytestmark = pytest.mark.asyncio
NULL = NullPublisher()
WEEK = DayRange(date(2026, 11, 23), date(2026, 11, 29))


async def test_frequent_problems_follow_up_and_the_ratings_list(db: Database) -> None:
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    five = await add_staff(db, "clerk05")
    six = await add_staff(db, "clerk06")
    given = [  # clerk, window, matter, score, reasons
        (five, 5, "SI-CARD", 1, ["long_wait", "attitude"]),
        (five, 5, "SI-CARD", 2, ["long_wait"]),
        (six, 6, "MI-RES", 1, ["materials"]),
        (six, 6, "MI-RES", 2, []),
        (six, 6, "MI-RES", 5, []),
    ]
    cases = []
    for n, (clerk, window, matter, score, reasons) in enumerate(given):
        start = MONDAY + timedelta(minutes=10 * n)
        ticket = await serve_one(db, clerk, window, start, matter=matter, sign_in=n in (0, 2))
        rated = await rate_ticket(
            db, NULL, ticket, {"score": score, "reasons": reasons}, start + timedelta(minutes=9)
        )
        if rated.case is not None:
            cases.append(rated.case.id)
    problems = await frequent_problems(db, HALL, WEEK)
    assert problems.bad == 4
    assert problems.by_reason[0] == ("long_wait", 2, 0.5)
    assert {r for r, _, _ in problems.by_reason} == {"long_wait", "attitude", "materials", "none"}
    assert problems.by_matter == [("MI-RES", 2, 0.5), ("SI-CARD", 2, 0.5)]
    assert problems.combinations[0] == (("long_wait", "SI-CARD", 5), 2, 0.5)

    later = MONDAY + timedelta(days=1)
    # Follow one case up; appeal another successfully (it leaves the follow-up count).
    first, second, *_ = cases
    for body in (
        {"step": "verify", "result": "true", "evidence": "属实"},
        {"step": "rectify", "note": "已整改"},
        {"step": "revisit", "reached": True, "satisfied": True},
    ):
        await take_step(db, NULL, boss, first, body, later)
    await take_step(
        db,
        NULL,
        boss,
        second,
        {"step": "verify", "result": "malicious", "evidence": "录音为证"},
        later,
    )
    await take_step(
        db, NULL, boss, second, {"step": "decide_appeal", "uphold": True, "note": "恶意"}, later
    )
    facts = await case_facts(db, HALL, WEEK, later)
    assert facts.opened == {"bad_rating": 4}
    assert (facts.bad_rating_cases, facts.bad_rating_followed_up) == (3, 1)
    assert facts.followup_rate == pytest.approx(1 / 3)
    assert facts.closed == {"bad_rating": 1}
    assert (await case_facts(db, HALL, WEEK, later, staff=six.job_number)).bad_rating_cases == 2
    assert (await frequent_problems(db, HALL, WEEK)).bad == 3  # the excluded one left

    everything = await list_ratings(db, boss, HALL, WEEK, later)
    assert len(everything) == 5
    assert {r.case for r in everything} - {None} == set(cases)
    mine = await list_ratings(db, five, HALL, WEEK, later)
    assert {r.rating.staff for r in mine} == {five.job_number}
    assert len(mine) == 2
    just_rated = MONDAY + timedelta(minutes=90)  # six was rated at +29, +39 and +49 min
    assert (
        len(await list_ratings(db, six, HALL, WEEK, just_rated)) == 1
    )  # only the one older than an hour


async def test_cannot_handle_daily_and_weekly(db: Database) -> None:
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    clerk = await add_staff(db, "clerk24")
    tuesday = MONDAY + timedelta(days=1)
    opened = []
    for n, (at, matter) in enumerate(
        ((MONDAY, "RES-PERMIT"), (MONDAY, "RES-PERMIT"), (tuesday, "SI-CARD"))
    ):
        case = await open_desk_case(
            db,
            NULL,
            clerk,
            HALL,
            "cannot_handle",
            f"第{n}件",
            at + timedelta(hours=n),
            matter=matter,
        )
        opened.append(case.id)
    now = tuesday + timedelta(hours=5)
    for body in (
        {"step": "classify", "category": "complex"},
        {"step": "forward", "to": "区人社局"},
    ):
        await take_step(db, NULL, clerk, opened[0], body, MONDAY + timedelta(hours=2))
    await take_step(
        db, NULL, boss, opened[0], {"step": "close", "note": "已办结"}, MONDAY + timedelta(hours=3)
    )

    daily = await cannot_handle_daily(db, HALL, MONDAY.date(), now)
    assert [c.id for c in daily.cases] == opened[:2]
    counts = daily.counts
    assert (counts.opened, counts.resolved, counts.closed, counts.open_now) == (2, 1, 0, 2)
    assert counts.overdue_now == 1  # the second was never classified on Monday
    assert counts.by_matter == [("RES-PERMIT", 2)]
    assert counts.by_category == [("complex", 1), ("unclassified", 1)]

    weekly = await cannot_handle_weekly(db, HALL, date(2026, 11, 26), now)
    assert (weekly.period.first, weekly.period.last) == (WEEK.first, WEEK.last)
    assert weekly.per_day[:3] == [
        (date(2026, 11, 23), 2, 1),
        (date(2026, 11, 24), 1, 0),
        (date(2026, 11, 25), 0, 0),
    ]
    assert weekly.counts.opened == 3
    assert (weekly.on_time, weekly.on_time_rate) == (1, 1.0)
    assert weekly.mean_days_to_resolve == pytest.approx(3 / 24)
    with pytest.raises(InvalidInput):
        DayRange(date(2026, 11, 2), date(2026, 11, 1))


async def test_help_responses_for_the_kpi(db: Database) -> None:
    helper = await add_staff(db, "clerk22")
    first = await tickets.issue_ticket(db, NULL, HALL, "SI-CARD", MONDAY)
    second = await tickets.issue_ticket(db, NULL, HALL, "MI-RES", MONDAY)
    a = (await request_help(db, NULL, first.id, MONDAY)).case.id
    b = (await request_help(db, NULL, second.id, MONDAY + timedelta(minutes=1))).case.id
    await take_step(db, NULL, helper, a, {"step": "accept"}, MONDAY + timedelta(seconds=40))
    await take_step(
        db, NULL, helper, b, {"step": "accept"}, MONDAY + timedelta(minutes=1, seconds=95)
    )
    found = await help_responses(db, HALL, WEEK)
    assert [(r.case, r.seconds, r.helper) for r in found] == [
        (a, 40.0, helper.job_number),
        (b, 95.0, helper.job_number),
    ]
    facts = await case_facts(db, HALL, WEEK, MONDAY + timedelta(hours=1))
    assert (facts.help_requests, facts.help_accepted, facts.help_within_target) == (2, 2, 1)
    assert facts.help_response_mean == pytest.approx(67.5)
    assert facts.help_response_p90 == 95.0
