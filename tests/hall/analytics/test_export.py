"""The ticket records export parses back into exactly the tickets' times and outcomes."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import pytest_asyncio
from sqlalchemy import select

from hall.analytics import export
from hall.analytics.export import ticket_export
from hall.analytics.periods import DateRange
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import EventRow, TicketRow
from tests.hall.analytics.day import NOW, Day, add_clerks, friday, monday

pytestmark = pytest.mark.asyncio

BOSS = StaffMember(0, "boss", "S9", Role.SUPERVISOR, ("*",))
HEADER = (
    "ticket,hall,number,matter,matter_class,group,source,green,issued_at,checked_in_at,"
    "slot_start,called_at,started_at,finished_at,outcome,window,staff,transferred_from,rating"
)
TIMES = {
    "issued_at": "issued_at",
    "checked_in_at": "checked_in_at",
    "slot_start": "due_at",
    "called_at": "first_called_at",
    "started_at": "started_at",
    "finished_at": "finished_at",
}


@pytest_asyncio.fixture
async def day(db: Database) -> Day:
    driven = Day(db, await add_clerks(db, 3))
    await friday(driven)
    await monday(driven)
    return driven


async def exported(db: Database, period: DateRange) -> str:
    found = await ticket_export(db, BOSS, "district", period, NOW)
    return "".join([chunk async for chunk in found.chunks()])


def expected_outcome(row: TicketRow, today: date) -> str:
    if row.status == "finished":
        return str(row.outcome)
    if row.status in ("no_show", "cancelled"):
        return row.status
    return "unserved" if row.service_day < today else ""


async def test_the_export_round_trips_times_and_outcomes(
    day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "CHUNK_DAYS", 2)  # several chunks, joined seamlessly
    text = await exported(day.db, DateRange(date(2026, 11, 20), date(2026, 11, 23)))
    assert text.startswith("\ufeff" + HEADER + "\r\n")
    parsed = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    async with day.db.read() as session:
        rows = {r.id: r for r in (await session.scalars(select(TicketRow))).all()}
        moves = (
            await session.execute(
                select(EventRow.subject_id, EventRow.data).where(
                    EventRow.kind == "ticket_transferred"
                )
            )
        ).all()
    assert sorted(p["ticket"] for p in parsed) == sorted(rows)
    for line in parsed:
        row = rows[line["ticket"]]
        for column, attribute in TIMES.items():
            stored = getattr(row, attribute)
            if stored is None:
                assert line[column] == "", column
            else:
                assert line[column].endswith("+08:00"), line[column]
                assert datetime.fromisoformat(line[column]) == stored, column
        assert line["outcome"] == expected_outcome(row, date(2026, 11, 23))
        assert line["green"] == ("true" if row.green else "false")
        assert line["source"] in ("walk_in", "appointment")
        assert line["source"] == row.source
        assert (line["hall"], line["number"], line["matter"]) == (
            "district",
            row.number,
            row.matter_code,
        )
        assert line["window"] == ("" if row.window_number is None else str(row.window_number))
        assert line["rating"] == ""  # ratings are not recorded yet
        if row.started_at is not None:
            assert line["staff"] == f"T{row.window_number:03d}"  # each clerk kept one window
    outcomes = sorted(p["outcome"] for p in parsed)
    assert outcomes.count("unserved") == 1
    assert outcomes.count("no_show") == 1
    assert outcomes.count("cancelled") == 1
    assert outcomes.count("") >= 3
    (moved, data), *_ = moves
    line = next(p for p in parsed if p["ticket"] == moved)
    assert (line["transferred_from"], line["matter"]) == (data["from_matter"], "HF-WITHDRAW")
    assert "张" not in text
    assert "身份证" not in text


async def test_an_empty_period_is_the_header_alone(db: Database) -> None:
    text = await exported(db, DateRange(date(2026, 11, 22), date(2026, 11, 22)))
    assert text == "\ufeff" + HEADER + "\r\n"
