"""Every KPI of the service against the same KPI worked out from the raw audit events."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from hall.analytics.periods import Bucket, DateRange
from hall.analytics.report import period_report
from hall.analytics.service import hall_kpis
from hall.errors import Forbidden
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.migrate import upgrade
from tests.conftest import fresh_postgres_database
from tests.hall.analytics.day import FRIDAY, NOW, OPENING, Day, add_clerks, friday, monday
from tests.hall.analytics.truth import expected_kpis, read_history
from tests.hall.conftest import load_demo
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


async def test_ratings_and_cases_are_not_yet_recorded_never_zero(day: Day) -> None:
    report = await hall_kpis(day.db, BOSS, "district", None, NOW)
    for name in ("help_response", "bad_rating_followup", "good_rating_rate"):
        figure = report.figures[name]
        assert figure.value is None
        assert figure.reason is not None
        assert (figure.reason.en, figure.reason.zh) == ("not yet recorded", "尚未记录")
    overtime = report.figures["overtime"]
    assert overtime.value is None
    assert overtime.reason is not None
    assert overtime.reason.code == "not_closed_yet"


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
