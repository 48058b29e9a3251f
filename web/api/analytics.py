"""The supervisor's analytics: KPIs, the period report, leaderboards and CSV exports.

| path | who |
| --- | --- |
| ``GET /api/halls/{hall}/kpis`` | supervisors and admins of the hall |
| ``GET /api/halls/{hall}/report`` and ``report.csv`` | supervisors and admins of the hall |
| ``GET /api/halls/{hall}/tickets.csv`` | supervisors and admins of the hall |
| ``GET /api/halls/{hall}/leaderboard`` | signed-in staff (job numbers: staff of the hall) |
| ``GET /api/kpis`` and ``kpis.csv`` | supervisors and admins: every hall they work in |
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hall.analytics.export import ticket_export
from hall.analytics.leaderboard import leaderboard, metric_of
from hall.analytics.periods import DateRange, parse_bucket, parse_range
from hall.analytics.report import period_report
from hall.analytics.service import city_kpis, hall_kpis
from web.api.analytics_csv import city_csv, report_csv, table_name
from web.api.analytics_json import (
    city_json,
    kpi_report_json,
    leaderboard_json,
    period_report_json,
)
from web.auth import current_staff
from web.deps import clock, database

CSV = "text/csv; charset=utf-8"


def _period(request: Request) -> DateRange | None:
    query = request.query_params
    return parse_range(query.get("from"), query.get("to"))


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


async def kpis(request: Request) -> Response:
    report = await hall_kpis(
        database(request), await current_staff(request), request.path_params["hall"],
        _period(request), clock(request)(),
    )  # fmt: skip
    return JSONResponse(kpi_report_json(report))


async def report(request: Request) -> Response:
    found = await period_report(
        database(request), await current_staff(request), request.path_params["hall"],
        _period(request), parse_bucket(request.query_params.get("by")), clock(request)(),
    )  # fmt: skip
    return JSONResponse(period_report_json(found))


async def report_table(request: Request) -> Response:
    table = table_name(request.query_params.get("table"))
    found = await period_report(
        database(request), await current_staff(request), request.path_params["hall"],
        _period(request), parse_bucket(request.query_params.get("by")), clock(request)(),
    )  # fmt: skip
    name = f"{table}-{found.hall}-{found.period.start}-{found.period.end}.csv"
    return Response(report_csv(found, table), media_type=CSV, headers=_attachment(name))


async def tickets_csv(request: Request) -> Response:
    export = await ticket_export(
        database(request), await current_staff(request), request.path_params["hall"],
        _period(request), clock(request)(),
    )  # fmt: skip
    return StreamingResponse(export.chunks(), media_type=CSV, headers=_attachment(export.filename))


async def staff_leaderboard(request: Request) -> Response:
    metric = metric_of(request.query_params.get("metric"))
    board = await leaderboard(
        database(request), await current_staff(request), request.path_params["hall"],
        _period(request), metric, clock(request)(),
    )  # fmt: skip
    return JSONResponse(leaderboard_json(board))


async def city(request: Request) -> Response:
    rows = await city_kpis(
        database(request), await current_staff(request), _period(request), clock(request)()
    )
    return JSONResponse(city_json(rows))


async def city_table(request: Request) -> Response:
    period = _period(request)
    rows = await city_kpis(
        database(request), await current_staff(request), period, clock(request)()
    )
    days = f"{rows[0].period.start}-{rows[0].period.end}" if rows else "none"
    return Response(city_csv(rows), media_type=CSV, headers=_attachment(f"city-kpis-{days}.csv"))


routes = [
    Route("/api/halls/{hall}/kpis", kpis, methods=["GET"]),
    Route("/api/halls/{hall}/report", report, methods=["GET"]),
    Route("/api/halls/{hall}/report.csv", report_table, methods=["GET"]),
    Route("/api/halls/{hall}/tickets.csv", tickets_csv, methods=["GET"]),
    Route("/api/halls/{hall}/leaderboard", staff_leaderboard, methods=["GET"]),
    Route("/api/kpis", city, methods=["GET"]),
    Route("/api/kpis.csv", city_table, methods=["GET"]),
]
