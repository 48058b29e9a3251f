"""Every KPI of the service against the same KPI worked out from the raw audit events."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from hall.analytics.leaderboard import leaderboard, metric_of
from hall.analytics.periods import Bucket, DateRange
from hall.analytics.report import period_report
from hall.analytics.service import hall_kpis
from hall.calling.tickets import issue_ticket
from hall.cases.assist import request_help
from hall.cases.engine import take_step
from hall.errors import Forbidden
from hall.ratings.service import rate_ticket
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import TicketRow
from tests.conftest import fresh_postgres_database, load_demo
from tests.hall.analytics.day import (
    FRIDAY,
    NOW,
    OPENING,
    PUB,
    Day,
    add_clerks,
    friday,
    monday,
)
from tests.hall.analytics.truth import expected_kpis, read_history
from tests.hall.ratings.helpers import add_staff
from web.api.analytics_json import kpi_report_json, period_report_json

pytestmark = pytest.mark.asyncio

BOSS = StaffMember(0, "boss", "S9", Role.SUPERVISOR, ("district",))
MONDAY = date(2026, 11, 23)
FRIDAY_DAY = date(2026, 11, 20)


@pytest_asyncio.fixture
async def day(db: Database) -> Day:
    driven = Day(db, await add_clerks(db, 3))
    await friday(driven)
    await monday(driven)
    return driven


def rounded(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 4 if name.endswith(("rate", "success", "utilisation")) else 2)


async def test_today_matches_the_events_counting_waits_in_progress(day: Day) -> None:
    report = await hall_kpis(day.db, BOSS, "district", None, NOW)
    assert report.period == DateRange(MONDAY, MONDAY)
    history = await read_history(day.db, OPENING - timedelta(hours=1), NOW)
    truth = expected_kpis(history, day.due, NOW.timestamp(), day_over=False)
    for name, found in truth.items():
        if name == "walkin_p90_max":
            continue
        value, n = found  # type: ignore[misc]
        figure = report.figures[name]
        assert (figure.value, figure.n) == (rounded(name, value), n), name
    waits = truth["walkin_p90_max"]
    assert isinstance(waits, list)
    assert report.figures["walkin_wait"].p90 == round(waits[math.ceil(0.9 * len(waits)) - 1], 2)
    assert report.figures["walkin_wait"].maximum == round(waits[-1], 2)
    # Still waiting at 10:00: the walk-in of 09:45 and the appointment of the 09:55 slot.
    assert report.figures["walkin_wait"].in_progress == 1
    assert report.figures["appointment_wait_general"].in_progress == 1
    assert report.figures["first_visit_success"].target == 0.9


async def test_ratings_and_cases_feed_their_kpis(day: Day) -> None:
    """好评率, the bad-rating follow-up and the 帮办 response, from what the rooms of
    ratings and cases recorded, against the definitions written out here."""
    report = await hall_kpis(day.db, BOSS, "district", None, NOW)
    for name in ("help_response", "bad_rating_followup", "good_rating_rate"):
        figure = report.figures[name]
        assert (figure.value, figure.n) == (None, 0)  # nothing rated or asked yet: null
        assert figure.reason is not None
        assert figure.reason.code == "no_observations"
    overtime = report.figures["overtime"]
    assert overtime.value is None
    assert overtime.reason is not None
    assert overtime.reason.code == "not_closed_yet"
    async with day.db.read() as session:
        finished = (
            await session.scalars(
                select(TicketRow.id)
                .where(TicketRow.service_day == MONDAY, TicketRow.status == "finished")
                .order_by(TicketRow.finished_at)
            )
        ).all()
    assert len(finished) >= 2
    scores = {finished[0]: 5, finished[1]: 2}  # one good, one bad (which opens a case)
    for ticket_id, score in scores.items():
        reasons = ["long_wait"] if score <= 2 else []
        await rate_ticket(day.db, PUB, ticket_id, {"score": score, "reasons": reasons}, NOW)
    waiting = await issue_ticket(day.db, PUB, "district", "SI-REG", NOW - timedelta(minutes=6))
    asked = await request_help(day.db, PUB, waiting.id, NOW - timedelta(minutes=5))
    helper = await add_staff(day.db, "clerk22")  # a helper of the demo hall
    accepted_after = timedelta(seconds=40)
    await take_step(
        day.db, PUB, helper, asked.case.id, {"step": "accept"},
        NOW - timedelta(minutes=5) + accepted_after,
    )  # fmt: skip
    report = await hall_kpis(day.db, BOSS, "district", None, NOW)
    good = sum(1 for s in scores.values() if s >= 4) / len(scores)  # 4-5 over active
    assert (report.figures["good_rating_rate"].value, report.figures["good_rating_rate"].n) == (
        good,
        2,
    )
    followup = report.figures["bad_rating_followup"]
    assert (followup.value, followup.n, followup.met) == (0.0, 1, False)  # not yet re-visited
    response = report.figures["help_response"]
    expected = round(accepted_after.total_seconds() / 60, 2)
    assert (response.value, response.n, response.met) == (expected, 1, True)  # ≤ 1 minute
    board = await leaderboard(day.db, BOSS, "district", None, metric_of("most_helped"), NOW)
    assert [(r.staff, r.value) for r in board.rows] == [(helper.job_number, 1.0)]


async def test_a_past_day_counts_the_ticket_left_waiting_as_unserved(day: Day) -> None:
    report = await hall_kpis(day.db, BOSS, "district", DateRange(FRIDAY_DAY, FRIDAY_DAY), NOW)
    history = await read_history(day.db, FRIDAY - timedelta(hours=1), FRIDAY + timedelta(hours=12))
    truth = expected_kpis(history, day.due, NOW.timestamp(), day_over=True)
    assert report.outcomes == {"completed": 1, "unserved": 1}
    assert report.figures["abandonment_rate"].value == 0.0  # unserved is not abandonment
    assert report.figures["walkin_wait"].n == 2  # both were called (one then parked)
    assert report.figures["unserved_rate"].value == 0.5  # the hall's miss: one of two
    for name in (
        "walkin_wait", "handling_time", "arrivals", "served", "utilisation", "unserved_rate",
    ):  # fmt: skip
        value, n = truth[name]  # type: ignore[misc]
        assert (report.figures[name].value, report.figures[name].n) == (rounded(name, value), n)
    overtime = report.figures["overtime"]
    assert overtime.value == 0.0  # the last service ended at 09:25, long before 17:00
    assert overtime.n == 1


async def test_an_opening_day_without_tickets_has_no_overtime_observed(day: Day) -> None:
    """Wednesday 18 to Friday 20 November: open every day, tickets only on Friday; the
    two idle days are no observation (not zero minutes), so n is Friday alone."""
    week = await hall_kpis(
        day.db, BOSS, "district", DateRange(FRIDAY_DAY - timedelta(days=2), FRIDAY_DAY), NOW
    )
    assert (week.figures["overtime"].value, week.figures["overtime"].n) == (0.0, 1)
    idle = await hall_kpis(
        day.db,
        BOSS,
        "district",
        DateRange(FRIDAY_DAY - timedelta(days=2), FRIDAY_DAY - timedelta(days=1)),
        NOW,
    )
    overtime = idle.figures["overtime"]
    assert (overtime.value, overtime.n) == (None, 0)
    assert overtime.reason is not None
    assert overtime.reason.code == "no_observations"
    assert idle.figures["arrivals"].value == 0  # a count: a true zero


async def test_a_quiet_day_gives_null_with_reasons_and_true_zero_counts(db: Database) -> None:
    sunday = DateRange(date(2026, 11, 22), date(2026, 11, 22))
    report = await hall_kpis(db, BOSS, "district", sunday, NOW)
    for name in ("appointment_wait_general", "walkin_wait", "handling_time", "no_show_rate"):
        figure = report.figures[name]
        assert (figure.value, figure.n, figure.met, figure.status) == (None, 0, None, None)
        assert figure.reason is not None
        assert figure.reason.code == "no_observations"
    assert report.figures["utilisation"].reason.code == "no_signed_in_time"  # type: ignore[union-attr]
    assert report.figures["overtime"].reason.code == "no_opening"  # type: ignore[union-attr]
    assert (report.figures["arrivals"].value, report.figures["served"].value) == (0, 0)
    assert report.hourly == []
    assert report.windows == []
    assert report.recheck_seconds is None


async def test_only_supervisors_of_the_hall_see_the_kpis(db: Database) -> None:
    clerk = StaffMember(0, "c", "C1", Role.CLERK, ("*",))
    other = StaffMember(0, "s", "S2", Role.SUPERVISOR, ("street",))
    for who in (clerk, other):
        with pytest.raises(Forbidden):
            await hall_kpis(db, who, "district", None, NOW)


async def _driven(url: str) -> dict[str, object]:
    db = Database(url)
    try:
        await upgrade(db)
        await load_demo(db)
        day = Day(db, await add_clerks(db, 3))
        await friday(day)
        await monday(day)
        today = kpi_report_json(await hall_kpis(db, BOSS, "district", None, NOW))
        week = DateRange(FRIDAY_DAY, MONDAY)
        report = period_report_json(
            await period_report(db, BOSS, "district", week, Bucket.DAY, NOW)
        )
        return {"today": today, "report": report}
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_sqlite_and_postgresql_give_the_same_figures(tmp_path: Path) -> None:
    on_sqlite = await _driven(f"sqlite+aiosqlite:///{tmp_path / 'same.db'}")
    async with fresh_postgres_database() as url:
        on_postgres = await _driven(url)
    assert on_sqlite == on_postgres
    assert on_sqlite["today"]["kpis"]["served"]["value"] == 3  # type: ignore[index]
