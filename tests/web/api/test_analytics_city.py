"""The city view as CSV (``GET /api/kpis.csv``): one row per hall, the same KPI names and
figures as the JSON view, and figures that match the tickets' own rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from starlette.applications import Starlette

from hall.store.models import TicketRow
from queueing.vocabulary import KPIS
from tests.web.api.test_analytics import TODAY, busy_morning

pytestmark = pytest.mark.asyncio

YESTERDAY = "2026-11-22"  # a Sunday: closed, nothing recorded
RANGE = f"from={YESTERDAY}&to={TODAY}"


def extra_columns(name: str) -> Iterator[str]:
    yield from ("n", "met")
    if len(KPIS[name].statistics) > 1 and name != "overtime":
        yield from ("p90", "max")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def independent(app: Starlette, hall: str, now: datetime) -> dict[str, Any]:
    """Arrivals, served, handling and walk-in waits straight from the hall's ticket rows."""
    async with app.state.db.read() as session:
        rows = (await session.scalars(select(TicketRow).where(TicketRow.hall_id == hall))).all()

    def minutes(a: datetime, b: datetime) -> float:
        return (b.replace(tzinfo=UTC) - a.replace(tzinfo=UTC)).total_seconds() / 60

    done = [r for r in rows if r.status == "finished"]
    handling = [
        minutes(r.started_at, r.finished_at) for r in done if r.started_at and r.finished_at
    ]
    walk_ins = [r for r in rows if r.source == "walk_in" and not r.green]
    waits = [minutes(r.issued_at, r.first_called_at or now.replace(tzinfo=None)) for r in walk_ins]
    return {
        "arrivals": len(rows),
        "served": len(done),
        "handling_time": round(sum(handling) / len(handling), 2) if handling else None,
        "handling_time_n": len(handling),
        "walkin_wait": round(sum(waits) / len(waits), 2) if waits else None,
        "walkin_wait_n": len(waits),
        "walkin_wait_max": round(max(waits), 2) if waits else None,
    }


async def test_the_city_csv_is_the_json_view_by_hall(app: Starlette, client: AsyncClient) -> None:
    clock = await busy_morning(app, client)  # district: one served, one waiting
    for _ in range(3):  # the street centre: three walk-ins waiting
        response = await client.post("/api/halls/street/tickets", json={"matter": "MI-RES"})
        assert response.status_code == 201, response.text
        clock.advance(minutes=4)
    response = await client.get(f"/api/kpis.csv?{RANGE}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="city-kpis-{YESTERDAY}-{TODAY}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    columns = [c for name in KPIS for c in (name, *(f"{name}_{s}" for s in extra_columns(name)))]
    assert lines[0] == ["hall", "名称", "name", "from", "to", *columns]
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    city = (await client.get(f"/api/kpis?{RANGE}")).json()["halls"]
    assert [r["hall"] for r in rows] == [h["hall"] for h in city] == ["district", "street"]
    for row, hall in zip(rows, city, strict=True):
        assert (row["名称"], row["name"]) == (hall["name"], hall["name_en"])
        assert (row["from"], row["to"]) == (YESTERDAY, TODAY)
        for name, figure in hall["kpis"].items():
            assert row[name] == cell(figure["value"]), (hall["hall"], name)
            for s in extra_columns(name):
                assert row[f"{name}_{s}"] == cell(figure[s]), (hall["hall"], name, s)
        truth = await independent(app, hall["hall"], clock.now)
        for key, value in truth.items():
            found = row[key]
            assert (float(found) if found else None) == value, (hall["hall"], key)
    assert rows[1]["walkin_wait_n"] == "3"
    assert rows[1]["served"] == "0"
    assert rows[1]["handling_time"] == ""  # no observations: empty, never 0


async def test_the_city_csv_is_for_supervisors_and_checks_its_dates(client: AsyncClient) -> None:
    assert (await client.get("/api/kpis.csv")).status_code == 401
    await client.post("/api/session", json={"username": "clerk01", "password": "tongban-demo"})
    assert (await client.get("/api/kpis.csv")).json()["error"]["code"] == "forbidden"
    await client.post("/api/session", json={"username": "supervisor", "password": "tongban-demo"})
    response = await client.get("/api/kpis.csv?from=2026-11-05&to=2026-11-01")
    assert response.status_code == 422
    assert "to" in response.json()["error"]["fields"]
    today = await client.get("/api/kpis.csv")  # today by default
    assert today.status_code == 200
    assert f"{TODAY},{TODAY}" in today.content.decode("utf-8-sig").splitlines()[1]
