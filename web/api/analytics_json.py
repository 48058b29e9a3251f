"""The analytics' dataclasses as JSON (durations in minutes, rates as fractions)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hall.analytics.breakdown import HourRow, WorkRow
from hall.analytics.figures import Figure
from hall.analytics.leaderboard import Leaderboard
from hall.analytics.report import Comparison, PeriodReport, Slice
from hall.analytics.service import HallFigures, KpiReport
from queueing.vocabulary import KPIS


def figure_json(f: Figure) -> dict[str, Any]:
    """One KPI: the issue's five keys first, then its labels, verdict and reason."""
    kpi = KPIS[f.name]
    found: dict[str, Any] = {
        "value": f.value,
        "n": f.n,
        "target": f.target,
        "met": f.met,
        "definition": kpi.definition_en,
        "definition_zh": kpi.definition_zh,
        "label": kpi.label_en,
        "label_zh": kpi.label_zh,
        "unit": kpi.unit.value,
        "direction": None if kpi.direction is None else kpi.direction.value,
        "status": f.status,
        "reason": None if f.reason is None else f.reason.en,
        "reason_zh": None if f.reason is None else f.reason.zh,
        "in_progress": f.in_progress,
    }
    if len(kpi.statistics) > 1 and f.name != "overtime":
        found.update(p90=f.p90, max=f.maximum)
    if f.name == "overtime":
        found["called_after_closing"] = f.called_after_closing
    return found


def figures_json(figures: dict[str, Figure]) -> dict[str, Any]:
    return {name: figure_json(f) for name, f in figures.items()}


def hour_json(row: HourRow) -> dict[str, Any]:
    return asdict(row)


def work_json(row: WorkRow, key: str) -> dict[str, Any]:
    """A window's row (with the clerks who worked there) or a clerk's row."""
    found = asdict(row)
    del found["key"]
    if key == "window":
        found["staff"] = list(row.staff)
        return {"window": int(row.key), **found}
    del found["staff"]
    return {"staff": row.key, **found}


def kpi_report_json(report: KpiReport) -> dict[str, Any]:
    """``GET /api/halls/{hall}/kpis``."""
    return {
        "hall": report.hall,
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "kpis": figures_json(report.figures),
        "hourly": [hour_json(h) for h in report.hourly],
        "windows": [work_json(w, "window") for w in report.windows],
        "staff": [work_json(s, "staff") for s in report.staff],
        "outcomes": report.outcomes,
        "as_of": report.as_of.isoformat(),
        "recheck_seconds": report.recheck_seconds,
    }


def _slice(s: Slice) -> dict[str, Any]:
    return {"key": s.key, "name": s.name, "name_en": s.name_en, "kpis": figures_json(s.figures)}


def _comparison(c: Comparison) -> dict[str, Any]:
    return {
        "from": c.period.start.isoformat(),
        "to": c.period.end.isoformat(),
        "kpis": figures_json(c.figures),
    }


def period_report_json(report: PeriodReport) -> dict[str, Any]:
    """``GET /api/halls/{hall}/report``."""
    return {
        "hall": report.hall,
        "name": report.name,
        "name_en": report.name_en,
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "by": report.by.value,
        "as_of": report.as_of.isoformat(),
        "kpis": figures_json(report.figures),
        "days_met": {
            n: {"met": d.met, "days": d.days, "share": d.share} for n, d in report.days_met.items()
        },
        "series": [_slice(s) for s in report.series],
        "groups": [_slice(s) for s in report.groups],
        "matters": [_slice(s) for s in report.matters],
        "windows": [work_json(w, "window") for w in report.windows],
        "staff": [work_json(s, "staff") for s in report.staff],
        "previous": _comparison(report.previous),
        "year_before": _comparison(report.year_before),
    }


def leaderboard_json(board: Leaderboard) -> dict[str, Any]:
    """``GET /api/halls/{hall}/leaderboard``."""
    m = board.metric
    return {
        "hall": board.hall,
        "from": board.period.start.isoformat(),
        "to": board.period.end.isoformat(),
        "metric": m.name,
        "label": m.label_en,
        "label_zh": m.label_zh,
        "definition": m.definition_en,
        "definition_zh": m.definition_zh,
        "star_zh": m.star_zh,
        "unit": m.unit,
        "higher_is_better": m.higher_is_better,
        "min_count": m.min_count,
        "reason": None if board.reason is None else board.reason.en,
        "reason_zh": None if board.reason is None else board.reason.zh,
        "rows": [
            {"rank": r.rank, "staff": r.staff, "value": r.value, "n": r.n} for r in board.rows
        ],
    }


def city_json(rows: list[HallFigures]) -> dict[str, Any]:
    """``GET /api/kpis``: every hall the caller works in, side by side."""
    return {
        "halls": [
            {
                "hall": h.hall,
                "name": h.name,
                "name_en": h.name_en,
                "from": h.period.start.isoformat(),
                "to": h.period.end.isoformat(),
                "kpis": figures_json(h.figures),
            }
            for h in rows
        ],
    }
