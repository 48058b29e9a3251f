"""The dashboard's KPIs against a bare SQL aggregate over the same rows, in the same run.

Usage: .venv/bin/python benchmarks/bench_dashboard.py [--days 90] [--tickets 2000]
       [--city-halls 20] [--city-days 30] [--city-tickets 500] [--rounds 5]
       [--database sqlite|postgres] [--growth 7,30,90]

A generated history (``dashboard_history.py``): ``--days`` opening days of the demo
district hall with ``--tickets`` tickets each (today up to 11:00 still running), and for
the city view ``--city-halls`` copies of it with a smaller history each. Measured, each
as the median of ``--rounds`` runs, the service called directly (no HTTP):

- 30-day KPIs (``hall_kpis``: every KPI, hourly, windows, clerks) and today's (also
  right after each of a series of new tickets: a live hall's look), each against the
  bare aggregate: one ``GROUP BY`` statement over the same ticket rows giving
  counts, mean waits and mean handling per source, class and status. Goal: ≤ 3×. The
  medians are of a running server's calls (the past days' summaries kept in its memo,
  ``hall.analytics.daily``); "cold" is the first call of a fresh process (a new
  ``Database``, nothing kept), which reads and summarises every day.
- the 30-day period report (series, groups, matters read from the records; the
  comparisons from the days' summaries);
- how the KPIs' cost grows with the period (``--growth``: 7, 30 and 90 calendar days
  ending yesterday; ``--days 255 --growth 7,30,90,365`` for a year);
- the city view (every hall, 30 days);
- first paint: the dashboard page's HTML against the 30-day report it loads afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard_history import Plan, load_history, open_days  # noqa: E402
from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hall.analytics.epoch import epoch  # noqa: E402
from hall.analytics.periods import Bucket, DateRange  # noqa: E402
from hall.analytics.report import period_report  # noqa: E402
from hall.analytics.service import city_kpis, hall_kpis  # noqa: E402
from hall.calling.tickets import issue_ticket  # noqa: E402
from hall.catalogue import stored  # noqa: E402
from hall.catalogue.loader import demo_config_path, load_config  # noqa: E402
from hall.catalogue.schema import Hall, HallConfig  # noqa: E402
from hall.publish import NullPublisher  # noqa: E402
from hall.settings import Settings  # noqa: E402
from hall.staff.accounts import StaffMember  # noqa: E402
from hall.staff.roles import Role  # noqa: E402
from hall.store.db import Database  # noqa: E402
from hall.store.migrate import upgrade  # noqa: E402
from hall.store.models import TicketRow  # noqa: E402
from hall.store.unit import unit_of_work  # noqa: E402

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
BOSS = StaffMember(0, "boss", "S0", Role.ADMIN, ("*",))


def bare_query(hall_id: str, period: DateRange) -> Any:
    t = TicketRow
    return (
        select(
            t.source, t.matter_class, t.status, func.count(),
            func.avg(epoch(t.first_called_at) - epoch(t.issued_at)),
            func.avg(epoch(t.finished_at) - epoch(t.started_at)),
            func.max(epoch(t.first_called_at) - epoch(t.issued_at)),
        )
        .where(t.hall_id == hall_id, t.service_day >= period.start, t.service_day <= period.end)
        .group_by(t.source, t.matter_class, t.status)
    )  # fmt: skip


async def median_ms(job: Callable[[], Awaitable[object]], rounds: int) -> float:
    await job()  # warm: caches, statements, the hall's configuration
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await job()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def city(hall: Hall, count: int) -> HallConfig:
    copies = tuple(
        replace(hall, id=f"city{i:02d}", name=f"{hall.name}{i:02d}", name_en=f"{hall.name_en} {i}")
        for i in range(1, count + 1)
    )
    return HallConfig(copies)


async def build(db: Database, args: argparse.Namespace) -> tuple[Hall, int, int]:
    await upgrade(db)
    config = load_config(demo_config_path())
    hall = config.hall("district")
    assert hall is not None
    if args.city_halls:  # one file with every hall: halls missing from a file are retired
        config = HallConfig(config.halls + city(hall, args.city_halls).halls)
    async with unit_of_work(db, None, "system", None, NOW) as unit:
        await stored.apply_config(unit, config)
    plan = Plan(tickets_per_day=args.tickets, windows=70)
    days = open_days(hall, TODAY, args.days)
    rows = await load_history(db, hall, days, plan, NOW.timestamp())
    city_rows = 0
    small = Plan(tickets_per_day=args.city_tickets, windows=20)
    for i in range(1, args.city_halls + 1):
        copy = replace(hall, id=f"city{i:02d}")
        city_days = open_days(copy, TODAY, args.city_days)
        city_rows += await load_history(db, copy, city_days, small, NOW.timestamp(), seed=i)
    return hall, rows, city_rows


def span(days: int) -> DateRange:
    """The ``days`` calendar days ending yesterday."""
    return DateRange(TODAY - timedelta(days=days), TODAY - timedelta(days=1))


async def cold_ms(url: str, period: DateRange) -> float:
    """One call from a fresh ``Database`` (an empty memo: nothing kept yet)."""
    fresh = Database(url)
    try:
        async with fresh.read() as session:  # the connection, outside the measure
            (await session.execute(select(func.count()).select_from(TicketRow))).all()
        started = time.perf_counter()
        await hall_kpis(fresh, BOSS, "district", period, NOW)
        return (time.perf_counter() - started) * 1000
    finally:
        await fresh.dispose()


async def after_a_change_ms(db: Database, rounds: int) -> float:
    """Today's KPIs right after a kiosk issued a ticket (a real unit of work: the kept day
    reads the rows written since its last look), the median of ``rounds`` such looks."""
    times = []
    for i in range(rounds + 1):
        await issue_ticket(db, NullPublisher(), "district", "SI-REG", NOW)
        started = time.perf_counter()
        await hall_kpis(db, BOSS, "district", None, NOW)
        if i:  # the first is a warm-up
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def bare(db: Database, period: DateRange) -> None:
    async with db.read() as session:
        (await session.execute(bare_query("district", period))).all()


async def first_paint(db_url: str, data_dir: Path, rounds: int) -> tuple[float, float]:
    from web.app import create_app

    settings = Settings(
        data_dir=data_dir, database_url=db_url, config_path=None, secret_key="bench",
        host="127.0.0.1", port=0, demo_password="tongban-demo", log_level="warning",
    )  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.clock = lambda: NOW
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://b") as http:
            login = {"username": "supervisor", "password": "tongban-demo"}
            assert (await http.post("/api/session", json=login)).status_code == 200
            last = span(30)
            report = f"/api/halls/district/report?from={last.start}&to={last.end}"

            async def page() -> None:
                response = await http.get("/halls/district/dashboard")
                assert response.status_code == 200
                assert "tiles" in response.text

            async def period() -> None:
                assert (await http.get(report)).status_code == 200

            return await median_ms(page, rounds), await median_ms(period, rounds)


def line(label: str, value: float, base: float | None = None, goal: str = "") -> None:
    ratio = "" if base is None else f"   {value / base:5.2f}× bare {goal}"
    print(f"  {label:<44} {value:9.1f} ms{ratio}")


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    if args.database == "postgres":
        url = os.environ.get(
            "HALL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1/test"
        )
        from tests.conftest import fresh_postgres_database

        async with fresh_postgres_database() as fresh:
            await run(fresh, folder, args)
        del url
        return
    try:
        await run(f"sqlite+aiosqlite:///{folder / 'bench.db'}", folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def run(url: str, folder: Path, args: argparse.Namespace) -> None:
    db = Database(url)
    started = time.perf_counter()
    _, rows, city_rows = await build(db, args)
    print(
        f"history: {rows:,} tickets over {args.days} opening days (district) + {city_rows:,} "
        f"in {args.city_halls} city halls, generated in {time.perf_counter() - started:.0f} s "
        f"({args.database})"
    )
    r = args.rounds
    today = DateRange(TODAY, TODAY)
    month = span(30)
    bare_month = await median_ms(lambda: bare(db, month), r)
    bare_today = await median_ms(lambda: bare(db, today), r)
    print("KPIs against the bare GROUP BY over the same rows (medians):")
    line("bare aggregate, 30 days", bare_month)
    line(
        "hall_kpis, 30 days",
        await median_ms(lambda: hall_kpis(db, BOSS, "district", month, NOW), r),
        bare_month,
        "(goal ≤ 3×)",
    )
    line("hall_kpis, 30 days, cold (nothing kept)", await cold_ms(url, month), bare_month)
    line("bare aggregate, today", bare_today)
    line(
        "hall_kpis, today (waits in progress)",
        await median_ms(lambda: hall_kpis(db, BOSS, "district", None, NOW), r),
        bare_today,
        "(goal ≤ 3×)",
    )
    line(
        "hall_kpis, today, each after a new ticket",
        await after_a_change_ms(db, r * 5),
        bare_today,
        "(goal ≤ 3×)",
    )
    line(
        "period_report, 30 days (comparisons kept)",
        await median_ms(lambda: period_report(db, BOSS, "district", month, Bucket.DAY, NOW), r),
        bare_month,
    )
    print("growth with the period (hall_kpis):")
    for days in sorted({int(d) for d in args.growth.split(",")}):
        period = span(days)
        cost = await median_ms(lambda p=period: hall_kpis(db, BOSS, "district", p, NOW), r)  # type: ignore[misc]
        base = await median_ms(lambda p=period: bare(db, p), r)  # type: ignore[misc]
        first = await cold_ms(url, period)
        print(
            f"  {days:>3} days: {cost:8.1f} ms ({cost / days:5.1f} ms/day), bare {base:7.1f} ms, "
            f"ratio {cost / base:4.2f}; cold {first:8.1f} ms ({first / days:5.1f} ms/day, "
            f"ratio {first / base:4.2f})"
        )
    if args.city_halls:
        cost = await median_ms(lambda: city_kpis(db, BOSS, span(30), NOW), max(1, r // 2))
        print(f"city view, {args.city_halls + 2} halls, 30 days: {cost:.0f} ms")
    await db.dispose()
    page, period = await first_paint(url, folder, r)
    print("first paint (in-process HTTP, medians):")
    print(
        f"  dashboard page HTML {page:7.1f} ms; the 30-day report it loads after {period:7.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--city-halls", type=int, default=20)
    parser.add_argument("--city-days", type=int, default=30)
    parser.add_argument("--city-tickets", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--growth", default="7,30,90", help="periods (calendar days) to time")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    asyncio.run(main(parser.parse_args()))
