"""A period's KPIs from per-day summaries equal those worked out from all its records at
once, P90 and maxima included; kept summaries of past days follow changes to their rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select, update

from benchmarks.dashboard_history import Plan, load_history, open_days
from hall.analytics.breakdown import (
    HourRow,
    WorkRow,
    hour_parts,
    hour_rows,
    work_parts,
    work_table,
)
from hall.analytics.daily import KeptDays
from hall.analytics.figures import Figure
from hall.analytics.kpis import figure_parts, figures_from
from hall.analytics.periods import Bucket, DateRange
from hall.analytics.ratings import RatingsData
from hall.analytics.records import HallInfo, Record, load_hall_info
from hall.analytics.report import period_report
from hall.analytics.service import KpiReport, hall_kpis, read_period
from hall.analytics.sessions import WindowSession
from hall.catalogue.loader import demo_config_path, load_config
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import RatingRow, TicketRow
from hall.store.unit import reading

pytestmark = pytest.mark.asyncio

BOSS = StaffMember(0, "boss", "S9", Role.SUPERVISOR, ("district",))
TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai: today is running
PERIOD = DateRange(TODAY - timedelta(days=9), TODAY)  # a weekend (closed) in it


@pytest_asyncio.fixture
async def history(db: Database) -> Database:
    hall = load_config(demo_config_path()).hall("district")
    assert hall is not None
    days = open_days(hall, TODAY, 7)
    assert days[0] > PERIOD.start  # the period starts on days with nothing recorded
    await load_history(db, hall, days, Plan(tickets_per_day=240, windows=6), NOW.timestamp())
    return db


# The figures from records read all at once, without summaries: the parts functions'
# one-step compositions, the reference the summaries are held to.
def all_figures(
    records: Sequence[Record], sessions: Sequence[WindowSession], ratings: RatingsData,
    days: Sequence[date], now: float, info: HallInfo,
) -> dict[str, Figure]:  # fmt: skip
    return figures_from(figure_parts(records, sessions, days, now, info), ratings, info)


def hourly(
    records: Sequence[Record], sessions: Sequence[WindowSession], now: float, info: HallInfo
) -> list[HourRow]:
    return hour_rows(hour_parts(records, sessions, now, info), now, info)


def work_rows(
    records: Sequence[Record], sessions: Sequence[WindowSession], now: float, *, by_staff: bool
) -> list[WorkRow]:
    return work_table(work_parts(records, sessions, now, by_staff=by_staff))


def outcome_counts(records: Sequence[Record]) -> dict[str, int]:
    return dict(sorted(Counter(r.outcome or "open" for r in records).items()))


async def from_records(db: Database, period: DateRange, now: datetime) -> KpiReport:
    """The report worked out from all the period's records at once (no summaries)."""
    async with reading(db) as tx:
        info = await load_hall_info(tx, "district")
        data = await read_period(tx.session, info, period, now)
    days = period.each_day()
    t = data.now
    return KpiReport(
        hall="district",
        period=period,
        as_of=now.astimezone(info.zone),
        figures=all_figures(data.records, data.sessions, data.ratings, days, t, info),
        hourly=hourly(data.records, data.sessions, t, info),
        windows=work_rows(data.records, data.sessions, t, by_staff=False),
        staff=work_rows(data.records, data.sessions, t, by_staff=True),
        outcomes=outcome_counts(data.records),
        recheck_seconds=None,
    )


def same(found: KpiReport, expected: KpiReport) -> None:
    for name, figure in expected.figures.items():
        assert found.figures[name] == figure, name
    assert found.hourly == expected.hourly
    assert found.windows == expected.windows
    assert found.staff == expected.staff
    assert found.outcomes == expected.outcomes


def kept_days(db: Database) -> list[date]:
    shelf = db.memo.kept(KeptDays)
    return [day for day in PERIOD.each_day() if ("district", day) in shelf]


async def test_summaries_of_days_add_up_to_the_figures_of_the_records(history: Database) -> None:
    expected = await from_records(history, PERIOD, NOW)
    assert expected.figures["walkin_wait"].p90 is not None
    assert expected.figures["walkin_wait"].in_progress > 0  # today's waits in progress
    assert expected.figures["overtime"].n > 0
    first = await hall_kpis(history, BOSS, "district", PERIOD, NOW)  # past days read
    same(first, expected)
    assert kept_days(history) == PERIOD.each_day()[:-1]  # every past day; never today
    again = await hall_kpis(history, BOSS, "district", PERIOD, NOW)  # past days kept
    same(again, expected)
    later = NOW + timedelta(minutes=40)  # the waits in progress have grown
    same(await hall_kpis(history, BOSS, "district", PERIOD, later), await from_records(
        history, PERIOD, later))  # fmt: skip


async def test_a_kept_day_whose_rows_change_is_read_again(history: Database) -> None:
    await hall_kpis(history, BOSS, "district", PERIOD, NOW)
    past = TODAY - timedelta(days=1)
    while past.weekday() >= 5:
        past -= timedelta(days=1)
    async with history.read() as session:
        ticket = (
            await session.scalars(
                select(TicketRow.id)
                .where(TicketRow.service_day == past, TicketRow.status == "finished")
                .order_by(TicketRow.id)
                .limit(1)
            )
        ).one()
    async with history.write() as session:
        row = await session.get(TicketRow, ticket)
        assert row is not None
        assert row.finished_at is not None
        await session.execute(
            update(TicketRow)
            .where(TicketRow.id == ticket)
            .values(finished_at=row.finished_at + timedelta(hours=3), outcome="rejected")
        )
    found = await hall_kpis(history, BOSS, "district", PERIOD, NOW)
    same(found, await from_records(history, PERIOD, NOW))
    one_day = await hall_kpis(history, BOSS, "district", DateRange(past, past), NOW)
    assert one_day.figures["handling_time"].maximum is None  # a mean-only KPI
    assert one_day.outcomes["rejected"] >= 1
    same(one_day, await from_records(history, DateRange(past, past), NOW))


async def test_the_report_compares_with_figures_from_summaries(history: Database) -> None:
    period = DateRange(TODAY - timedelta(days=3), TODAY)
    report = await period_report(history, BOSS, "district", period, Bucket.DAY, NOW)
    before = await from_records(history, period.previous(), NOW)
    assert before.figures["served"].value  # the previous days have a history
    assert report.previous.period == period.previous()
    assert report.previous.figures == before.figures
    assert report.figures == (await from_records(history, period, NOW)).figures


async def rate_some(db: Database) -> None:
    """Active ratings for every seventh finished ticket (scores 1–5 in turn), one default
    rating (not active), and the last finished ticket of the first day rated on the next
    day (in a period that starts then, the rating is, its ticket is not)."""
    async with db.write() as session:
        rows = (
            await session.execute(
                select(TicketRow.id, TicketRow.service_day, TicketRow.number,
                       TicketRow.matter_code, TicketRow.finished_at)
                .where(TicketRow.status == "finished")
                .order_by(TicketRow.id)
            )
        ).all()  # fmt: skip
        for i, (ticket, day, number, matter, finished) in enumerate(rows[::7]):
            session.add(
                RatingRow(
                    ticket_id=ticket, hall_id="district",
                    service_day=day,
                    ticket_number=number, matter_code=matter, finished_at=finished,
                    rated_at=finished, score=1 + i % 5, channel="default" if i == 5 else "phone",
                )
            )  # fmt: skip
        first_day = min(day for _, day, *_ in rows)
        ticket, day, number, matter, finished = [r for r in rows if r[1] == first_day][-1]
        session.add(
            RatingRow(
                ticket_id=ticket, hall_id="district", service_day=day + timedelta(days=1),
                ticket_number=number, matter_code=matter, finished_at=finished,
                rated_at=finished, score=1, channel="phone",
            )
        )  # fmt: skip


async def report_from_records(db: Database, period: DateRange, by: Bucket) -> dict[str, Any]:
    """The report's figures worked out from the period's records, slice by slice, with
    ``all_figures`` (no summaries): each day or bucket its records, sessions and the
    ratings of its tickets; each matter (group) its tickets, without sessions."""
    async with reading(db) as tx:
        info = await load_hall_info(tx, "district")
        data = await read_period(tx.session, info, period, NOW)

    def ratings_of(records: list[Record]) -> RatingsData:
        ids = {r.ticket.id for r in records}
        scores = {t: s for t, s in data.ratings.scores.items() if t in ids}
        return RatingsData(scores)

    def days_slice(days: list[date]) -> dict[str, Figure]:
        records = [r for r in data.records if r.day in days]
        sessions = [s for s in data.sessions if info.day_of(s.start) in days]
        return all_figures(records, sessions, ratings_of(records), days, data.now, info)

    def matter_slice(matters: set[str]) -> dict[str, Figure]:
        records = [r for r in data.records if r.ticket.matter in matters]
        return all_figures(records, [], ratings_of(records), [], data.now, info)

    hall = info.hall
    return {
        "figures": all_figures(
            data.records, data.sessions, data.ratings, period.each_day(), data.now, info
        ),
        "series": [days_slice(b.each_day()) for b in period.buckets(by)],
        "groups": [
            matter_slice({m.code for m in hall.matters if m.group == g.code}) for g in hall.groups
        ],
        "matters": [matter_slice({m.code}) for m in hall.matters],
        "windows": work_rows(data.records, data.sessions, data.now, by_staff=False),
        "staff": work_rows(data.records, data.sessions, data.now, by_staff=True),
    }


@pytest.mark.parametrize("by", list(Bucket))
async def test_the_report_from_summaries_equals_the_one_from_records(
    history: Database, by: Bucket
) -> None:
    await rate_some(history)
    async with history.read() as session:
        first_day = await session.scalar(select(func.min(TicketRow.service_day)))
    assert isinstance(first_day, date)
    for period in (PERIOD, DateRange(first_day + timedelta(days=1), TODAY)):
        await same_report(history, period, by)


async def same_report(db: Database, period: DateRange, by: Bucket) -> None:
    expected = await report_from_records(db, period, by)
    assert any(f["good_rating_rate"].n for f in expected["matters"])
    for _ in range(2):  # the days read, then the days kept
        report = await period_report(db, BOSS, "district", period, by, NOW)
        assert report.figures == expected["figures"]
        assert [s.figures for s in report.series] == expected["series"]
        assert [s.figures for s in report.groups] == expected["groups"]
        assert [s.figures for s in report.matters] == expected["matters"]
        assert report.windows == expected["windows"]
        assert report.staff == expected["staff"]
