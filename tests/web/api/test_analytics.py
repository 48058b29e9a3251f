"""The analytics API over HTTP: shapes the issue fixes, CSV with BOM, errors and privacy."""

from __future__ import annotations

import csv
import io

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from hall.staff.passwords import hash_password
from hall.store.models import StaffRow
from queueing.vocabulary import KPIS
from tests.web.helpers import DEMO_PASSWORD, FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

H = "/api/halls/district"
TODAY = "2026-11-23"


async def busy_morning(app: Starlette, client: AsyncClient) -> FakeClock:
    """Two walk-ins; clerk01 serves one at window 1, the other still waits."""
    clock = use_clock(app, FakeClock())
    for _ in range(2):
        assert (await client.post(f"{H}/tickets", json={"matter": "SI-REG"})).status_code == 201
    clerk = await sign_in(client, "clerk01")
    for action, minutes in (("sign-in", 1), ("call-next", 1), ("start", 12), ("finish", 0)):
        body = {"outcome": "completed"} if action == "finish" else None
        response = await client.post(f"{H}/windows/1/{action}", headers=clerk, json=body)
        assert response.status_code == 200, response.text
        clock.advance(minutes=minutes)
    await sign_in(client, "supervisor")
    return clock


async def test_kpis_have_the_issue_shape_and_every_kpi_of_the_vocabulary(
    app: Starlette, client: AsyncClient
) -> None:
    await busy_morning(app, client)
    response = await client.get(f"{H}/kpis?from={TODAY}&to={TODAY}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"hall", "from", "to", "kpis", "hourly", "windows", "staff"} <= set(body)
    assert (body["hall"], body["from"], body["to"]) == ("district", TODAY, TODAY)
    assert list(body["kpis"]) == list(KPIS)
    for name, figure in body["kpis"].items():
        assert {"value", "n", "target", "met", "definition"} <= set(figure), name
        assert figure["definition"] == KPIS[name].definition_en
    assert body["kpis"]["handling_time"]["value"] == 12.0  # minutes: started 09:02, done 09:14
    assert body["kpis"]["handling_time"]["met"] is True
    walk = body["kpis"]["walkin_wait"]
    assert walk["in_progress"] == 1
    assert {"p90", "max"} <= set(walk)
    assert body["kpis"]["good_rating_rate"]["value"] is None
    assert body["kpis"]["good_rating_rate"]["reason_zh"] == "本期没有可计算的记录"
    assert body["windows"][0]["window"] == 1
    assert body["windows"][0]["staff"] == ["C0001"]
    assert body["staff"][0]["staff"] == "C0001"
    assert body["staff"][0]["served"] == 1
    assert body["as_of"].endswith("+08:00")
    default = (await client.get(f"{H}/kpis")).json()  # today by default
    assert (default["from"], default["kpis"]) == (TODAY, body["kpis"])


async def test_bad_queries_get_a_clear_422_and_the_wrong_people_401_403_404(
    client: AsyncClient,
) -> None:
    assert (await client.get(f"{H}/kpis")).status_code == 401
    await sign_in(client, "clerk01")
    assert (await client.get(f"{H}/kpis")).json()["error"]["code"] == "forbidden"
    await sign_in(client, "supervisor")
    for query, field in (
        ("from=2026-02-30", "from"),
        ("from=2026-11-05&to=2026-11-01", "to"),
        ("from=2024-01-01&to=2026-11-01", "from"),
    ):
        response = await client.get(f"{H}/kpis?{query}")
        assert response.status_code == 422, query
        error = response.json()["error"]
        assert field in error["fields"]
        assert error["message_zh"].endswith("。")
    assert (await client.get(f"{H}/report?by=year")).status_code == 422
    assert (await client.get(f"{H}/report.csv?table=nope")).status_code == 422
    assert (await client.get(f"{H}/leaderboard?metric=nicest")).status_code == 422
    assert (await client.get("/api/halls/nowhere/kpis")).status_code == 404


async def test_csv_exports_start_with_a_bom_and_keep_the_ticket_format(
    app: Starlette, client: AsyncClient
) -> None:
    await busy_morning(app, client)
    tickets = await client.get(f"{H}/tickets.csv?from={TODAY}&to={TODAY}")
    assert tickets.status_code == 200
    assert tickets.headers["content-type"].startswith("text/csv")
    assert "attachment" in tickets.headers["content-disposition"]
    assert tickets.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(tickets.content.decode("utf-8-sig"))))
    assert [r["outcome"] for r in rows] == ["completed", ""]
    assert rows[0]["staff"] == "C0001"
    assert rows[0]["called_at"].startswith(f"{TODAY}T09:0")
    table = await client.get(f"{H}/report.csv?from={TODAY}&to={TODAY}&table=kpis")
    assert table.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["kpi", "名称", "label"]
    assert [line[0] for line in lines[1:]] == list(KPIS)
    report = (await client.get(f"{H}/report?from={TODAY}&to={TODAY}")).json()
    assert report["kpis"]["served"]["value"] == 1
    assert report["days_met"]["handling_time"] == {"met": 1, "days": 1, "share": 1.0}
    assert report["previous"]["from"] == "2026-11-22"
    city = (await client.get(f"/api/kpis?from={TODAY}")).json()
    assert [h["hall"] for h in city["halls"]] == ["district", "street"]


async def test_leaderboard_shows_job_numbers_only_to_staff_of_the_hall(
    app: Starlette, client: AsyncClient
) -> None:
    await busy_morning(app, client)
    board = (await client.get(f"{H}/leaderboard")).json()
    assert (board["metric"], board["from"], board["to"]) == ("most_handled", "2026-11-01", TODAY)
    assert board["rows"] == [{"rank": 1, "staff": "C0001", "value": 1, "n": 1}]
    rated = (await client.get(f"{H}/leaderboard?metric=best_rated")).json()
    assert (rated["rows"], rated["reason_zh"]) == ([], "本期没有可计算的记录")
    async with app.state.db.write() as session:
        session.add(
            StaffRow(
                username="street01", job_number="J0101", role="clerk", halls=["street"],
                password_hash=hash_password(DEMO_PASSWORD),
            )
        )  # fmt: skip
    await sign_in(client, "street01")
    outsider = (await client.get(f"{H}/leaderboard")).json()
    assert outsider["rows"] == [{"rank": 1, "staff": None, "value": 1, "n": 1}]
    assert (await client.get(f"{H}/kpis")).status_code == 403
