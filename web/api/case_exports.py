"""CSV exports of the case desk and the reports: UTF-8 with a byte-order mark, so that
Excel opens the Chinese correctly; headers and labels in the request's language (zh by
default, ``?lang=en``); times in the hall's local time.

| path | who |
| --- | --- |
| ``GET /api/halls/{hall}/cases.csv`` | as ``GET /api/halls/{hall}/cases`` |
| ``GET /api/halls/{hall}/reports/cannot-handle/daily[.csv]?day=`` | supervisors, admins |
| ``GET /api/halls/{hall}/reports/cannot-handle/weekly[.csv]?day=`` | supervisors, admins |
| ``GET /api/halls/{hall}/reports/bad-rating-problems.csv`` | supervisors, admins |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hall.cases import listing, reports
from hall.cases.views import CaseView
from hall.ratings import problems
from web.api import params
from web.api.cases import case_filter
from web.api.ratings import hall_timezone, supervisor
from web.auth import current_staff
from web.deps import clock, database
from web.i18n import lang_of
from web.pages.case_text import labels

BOM = "\ufeff"


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


CASE_COLUMNS = (
    ("id", "编号"), ("kind", "类型"), ("origin", "来源"), ("status", "状态"),
    ("ticket", "票号"), ("service_day", "业务日期"), ("window", "窗口"), ("staff", "工号"),
    ("matter", "事项"), ("summary", "概述"), ("category", "分类"), ("owner", "承办人"),
    ("forwarded_to", "转办至"), ("opened_at", "立案时间"), ("due_at", "当前时限"),
    ("overdue", "是否超期"), ("escalations", "催办次数"), ("closed_at", "关闭时间"),
    ("score", "评分"), ("reasons", "差评原因"), ("steps", "办理步骤"),
)  # fmt: skip


def case_rows(cases: Sequence[CaseView], lang: str, zone: ZoneInfo) -> list[list[Any]]:
    t = labels(lang)
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    header = [zh if lang == "zh" else en for en, zh in CASE_COLUMNS]
    rows: list[list[Any]] = [header]
    for c in cases:
        rating = c.rating
        steps = "；".join(
            f"{local_time(s.at, zone)} {t.get('step_' + s.step, s.step)} {s.by}"
            + (f"：{s.note}" if s.note else "")
            for s in c.steps
        )
        rows.append(
            [
                c.id, t[f"kind_{c.kind}"], t[f"origin_{c.origin}"], t[f"status_{c.status}"],
                c.ticket or "", c.service_day, "" if c.window is None else c.window,
                c.staff or "", c.matter or "", c.summary,
                "" if c.category is None else t[f"category_{c.category}"], c.owner or "",
                c.forwarded_to, local_time(c.opened_at, zone), local_time(c.due_at, zone),
                yes if c.overdue else no, c.escalations, local_time(c.closed_at, zone),
                "" if rating is None else rating.score,
                "" if rating is None else "、".join(t[f"reason_{r}"] for r in rating.reasons),
                steps,
            ]
        )  # fmt: skip
    return rows


async def cases_csv(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    found = await listing.list_cases(
        database(request),
        await current_staff(request),
        hall_id,
        case_filter(request),
        clock(request)(),
    )
    zone = ZoneInfo(await hall_timezone(request, hall_id))
    return csv_response(case_rows(found, lang_of(request), zone), f"cases-{hall_id}.csv")


async def _daily(request: Request) -> reports.DailySummary:
    hall_id = request.path_params["hall"]
    await supervisor(request, hall_id)
    now = clock(request)()
    day = params.day(request, "day") or params.today(now, await hall_timezone(request, hall_id))
    assert day is not None
    return await reports.cannot_handle_daily(database(request), hall_id, day, now)


async def daily(request: Request) -> Response:
    return JSONResponse((await _daily(request)).to_json())


def _count_rows(counts: reports.CannotHandleCounts, lang: str) -> list[list[Any]]:
    t = labels(lang)
    rows: list[list[Any]] = [
        [t["report_opened"], counts.opened],
        [t["report_refusals"], counts.refusals],
        [t["report_resolved"], counts.resolved],
        [t["report_closed"], counts.closed],
        [t["report_open"], counts.open_now],
        [t["report_overdue"], counts.overdue_now],
    ]
    for title, items, prefix in (
        (t["report_by_category"], counts.by_category, "category_"),
        (t["report_by_matter"], counts.by_matter, ""),
        (t["report_by_window"], counts.by_window, ""),
    ):
        rows.append([])
        rows.append([title, t["report_count"]])
        rows += [[t.get(prefix + key, key) if prefix else key, n] for key, n in items]
    return rows


async def daily_csv(request: Request) -> Response:
    summary = await _daily(request)
    lang = lang_of(request)
    zone = ZoneInfo(await hall_timezone(request, summary.hall))
    rows = [
        [labels(lang)["report_daily"], summary.day.isoformat()],
        *_count_rows(summary.counts, lang),
        [],
    ]
    rows += case_rows(summary.cases, lang, zone)
    return csv_response(rows, f"cannot-handle-{summary.hall}-{summary.day}.csv")


async def _weekly(request: Request) -> reports.WeeklyAnalysis:
    hall_id = request.path_params["hall"]
    await supervisor(request, hall_id)
    now = clock(request)()
    day = params.day(request, "day") or params.today(now, await hall_timezone(request, hall_id))
    assert day is not None
    return await reports.cannot_handle_weekly(database(request), hall_id, day, now)


async def weekly(request: Request) -> Response:
    return JSONResponse((await _weekly(request)).to_json())


async def weekly_csv(request: Request) -> Response:
    week = await _weekly(request)
    lang = lang_of(request)
    t = labels(lang)
    rows: list[list[Any]] = [
        [t["report_weekly"], week.period.first.isoformat(), week.period.last.isoformat()],
        *_count_rows(week.counts, lang),
        [],
        [t["report_on_time"], "" if week.on_time_rate is None else f"{week.on_time_rate:.1%}"],
        [
            t["report_mean_days"],
            "" if week.mean_days_to_resolve is None else f"{week.mean_days_to_resolve:.1f}",
        ],
        [],
        [t["report_day"], t["report_opened"], t["report_resolved"]],
        *[[d.isoformat(), o, r] for d, o, r in week.per_day],
    ]
    return csv_response(rows, f"cannot-handle-week-{week.hall}-{week.period.first}.csv")


async def problems_csv(request: Request) -> Response:
    hall_id = request.path_params["hall"]
    await supervisor(request, hall_id)
    period = params.period(request, clock(request)(), await hall_timezone(request, hall_id))
    found = await problems.frequent_problems(database(request), hall_id, period)
    lang = lang_of(request)
    t = labels(lang)
    head = [t["report_count"], t["report_share"]]
    rows: list[list[Any]] = [
        [t["report_problems"], period.first.isoformat(), period.last.isoformat()],
        [t["report_bad"], found.bad],
        [],
        [t["report_by_reason"], *head],
        *[[t[f"reason_{r}"], n, f"{s:.1%}"] for r, n, s in found.by_reason],
        [],
        [t["report_by_matter"], *head],
        *[[m, n, f"{s:.1%}"] for m, n, s in found.by_matter],
        [],
        [t["report_by_window"], *head],
        *[["" if w is None else w, n, f"{s:.1%}"] for w, n, s in found.by_window],
        [],
        [t["report_by_reason"], t["report_by_matter"], t["report_by_window"], *head],
        *[
            [t[f"reason_{r}"], m, "" if w is None else w, n, f"{s:.1%}"]
            for (r, m, w), n, s in found.combinations
        ],
    ]
    return csv_response(rows, f"bad-rating-problems-{hall_id}-{period.first}-{period.last}.csv")


R = "/api/halls/{hall}/reports"
routes = [
    Route("/api/halls/{hall}/cases.csv", cases_csv, methods=["GET"]),
    Route(f"{R}/cannot-handle/daily", daily, methods=["GET"]),
    Route(f"{R}/cannot-handle/daily.csv", daily_csv, methods=["GET"]),
    Route(f"{R}/cannot-handle/weekly", weekly, methods=["GET"]),
    Route(f"{R}/cannot-handle/weekly.csv", weekly_csv, methods=["GET"]),
    Route(f"{R}/bad-rating-problems.csv", problems_csv, methods=["GET"]),
]
