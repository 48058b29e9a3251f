"""The figures against a count written separately, over random ratings of several days,
windows, staff members and matters (both databases)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from hall.cases.period import DayRange
from hall.ratings.figures import By, rating_breakdown, rating_figures
from hall.store.db import Database
from hall.store.models import RatingRow, TicketRow
from tests.hall.ratings.helpers import HALL, MONDAY

pytestmark = pytest.mark.asyncio
DAYS = [date(2026, 11, 23) + timedelta(days=n) for n in range(4)]
CHANNELS = ("evaluator", "phone", "api", "default")


def expected(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The definitions of docs/architecture.md, counted by hand."""
    counted = [r for r in rows if not r["excluded"]]
    active = [r for r in counted if r["channel"] != "default"]
    good = sum(1 for r in active if r["score"] >= 4)
    return {
        "total": len(counted),
        "active": len(active),
        "default": len(counted) - len(active),
        "excluded": len(rows) - len(counted),
        "good": good,
        "bad": sum(1 for r in active if r["score"] <= 2),
        "good_rate": good / len(active) if active else None,
        "active_good_rate": good / len(counted) if counted else None,
        "unrated_rate": (len(counted) - len(active)) / len(counted) if counted else None,
        "mean_score": sum(r["score"] for r in active) / len(active) if active else None,
    }


def observed(figures: Any) -> dict[str, Any]:
    data = figures.to_json()
    return {key: data[key] for key in expected([])}


async def test_figures_per_hall_window_staff_matter_and_day(db: Database) -> None:
    rng = random.Random(16)
    rows: list[dict[str, Any]] = []
    async with db.write() as session:
        for n in range(240):
            day = rng.choice(DAYS)
            ticket = f"t{n:05d}"
            at = MONDAY + timedelta(days=(day - DAYS[0]).days, minutes=n)
            session.add(
                TicketRow(
                    id=ticket, hall_id=HALL, service_day=day, number=f"A{n:03d}",
                    matter_code="SI-CARD", matter_class="general", source="walk_in",
                    status="finished", issued_at=at, finished_at=at, state={},
                )
            )  # fmt: skip
            await session.flush()  # the ticket before its rating (foreign key)
            channel = rng.choice(CHANNELS)
            row = {
                "ticket_id": ticket,
                "service_day": day,
                "window_number": rng.choice((1, 2, 5)),
                "staff_job": rng.choice(("C0001", "C0002", "C0005")),
                "matter_code": rng.choice(("SI-CARD", "MI-RES", "RE-QUERY")),
                "score": 3 if channel == "default" else rng.randint(1, 5),
                "channel": channel,
                "excluded": rng.random() < 0.1,
                "efficiency": rng.choice((None, 1, 2, 3, 4, 5)),
            }
            rows.append(row)
            session.add(
                RatingRow(
                    hall_id=HALL, ticket_number=f"A{n:03d}", finished_at=at, rated_at=at,
                    reasons=[], comment="", changes=0, excluded_reason="", **row,
                )
            )  # fmt: skip

    period = DayRange(DAYS[0], DAYS[-1])
    assert observed(await rating_figures(db, HALL, period)) == pytest.approx(expected(rows))
    two_days = DayRange(DAYS[1], DAYS[2])
    in_two = [r for r in rows if DAYS[1] <= r["service_day"] <= DAYS[2]]
    assert observed(await rating_figures(db, HALL, two_days)) == pytest.approx(expected(in_two))
    subset = [r for r in rows if r["window_number"] == 5 and r["staff_job"] == "C0005"]
    figures = await rating_figures(db, HALL, period, window=5, staff="C0005")
    assert observed(figures) == pytest.approx(expected(subset))
    active_eff = [
        r["efficiency"]
        for r in subset
        if not r["excluded"] and r["channel"] != "default" and r["efficiency"] is not None
    ]
    assert figures.aspect_means()["efficiency"] == pytest.approx(sum(active_eff) / len(active_eff))

    for by, field in (
        (By.WINDOW, "window_number"),
        (By.STAFF, "staff_job"),
        (By.MATTER, "matter_code"),
        (By.DAY, "service_day"),
    ):
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[str(r[field])].append(r)
        found = await rating_breakdown(db, HALL, period, by)
        assert [g.key for g in found] == sorted(
            groups, key=lambda k: (len(k), k) if by is By.WINDOW else k
        )
        for group in found:
            assert observed(group.figures) == pytest.approx(expected(groups[group.key]))


async def test_a_period_without_ratings_has_no_rates(db: Database) -> None:
    figures = await rating_figures(db, HALL, DayRange(date(2020, 1, 1), date(2020, 1, 31)))
    assert figures.total == 0
    assert figures.good_rate is None
    assert figures.unrated_rate is None
    assert figures.awaiting == 0
