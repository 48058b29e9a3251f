"""The period report's tables as CSV (UTF-8 with BOM, so that Excel reads Chinese)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hall.analytics.breakdown import WorkRow
from hall.analytics.export import csv_text
from hall.analytics.figures import Figure
from hall.analytics.report import PeriodReport, Slice
from hall.analytics.service import HallFigures
from hall.errors import InvalidInput
from queueing.vocabulary import KPIS

TABLES = ("kpis", "series", "groups", "matters", "windows", "staff")
_SLICE_KPIS = (
    "arrivals", "served", "appointment_wait_general", "appointment_wait_complex",
    "walkin_wait", "green_wait", "handling_time", "first_visit_success", "no_show_rate",
    "abandonment_rate", "utilisation",
)  # fmt: skip


def table_name(raw: str | None) -> str:
    """``table=`` (default kpis); raises InvalidInput."""
    name = raw or "kpis"
    if name not in TABLES:
        listed = ", ".join(TABLES)
        raise InvalidInput(
            f"'table' must be one of {listed}, not {raw!r}.",
            f"参数“table”须为以下之一：{listed}。",
            fields={"table": f"one of {listed}"},
        )
    return name


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _kpi_rows(report: PeriodReport) -> list[list[str]]:
    rows = []
    for name, f in report.figures.items():
        kpi, met = KPIS[name], report.days_met[name]
        previous, year = report.previous.figures[name], report.year_before.figures[name]
        reason = "" if f.reason is None else f"{f.reason.zh} {f.reason.en}"
        rows.append(
            [_cell(v) for v in (
                name, kpi.label_zh, kpi.label_en, kpi.unit.value, f.value, f.n, f.target,
                f.met, met.share, previous.value, year.value, reason, kpi.definition_zh,
                kpi.definition_en,
            )]
        )  # fmt: skip
    return rows


KPI_HEADER = (
    "kpi", "名称", "label", "unit", "value", "n", "target", "met", "share_of_days_met",
    "previous_period", "same_period_last_year", "reason", "定义", "definition",
)  # fmt: skip


def _slice_rows(slices: Sequence[Slice]) -> list[list[str]]:
    return [
        [s.key, s.name, s.name_en, *(_value(s.figures[n]) for n in _SLICE_KPIS)] for s in slices
    ]


def _value(f: Figure) -> str:
    return _cell(f.value)


def _work_rows(rows: Sequence[WorkRow]) -> list[list[str]]:
    return [
        [_cell(v) for v in (
            r.key, r.served, r.handling_time, r.utilisation, r.signed_in_minutes,
            r.serving_minutes, r.matters, " ".join(r.staff),
        )]
        for r in rows
    ]  # fmt: skip


WORK_HEADER = (
    "served", "handling_time", "utilisation", "signed_in_minutes", "serving_minutes",
    "matters",
)  # fmt: skip


def report_csv(report: PeriodReport, table: str) -> str:
    """One of the report's tables as CSV text with a BOM."""
    if table == "kpis":
        return csv_text(KPI_HEADER, _kpi_rows(report))
    if table in ("series", "groups", "matters"):
        slices = getattr(report, table)
        return csv_text(("key", "名称", "name", *_SLICE_KPIS), _slice_rows(slices))
    key = "window" if table == "windows" else "staff"
    rows = _work_rows(report.windows if key == "window" else report.staff)
    return csv_text((key, *WORK_HEADER, "staff_at_window"), rows)


def _city_statistics(name: str) -> tuple[str, ...]:
    """The columns of a KPI in the city table besides its value: as in its JSON figure."""
    extra = ("p90", "max") if len(KPIS[name].statistics) > 1 and name != "overtime" else ()
    return ("n", "met", *extra)


def city_header() -> tuple[str, ...]:
    """``hall,名称,name,from,to``, then for each KPI of the vocabulary its value (the KPI's
    name), ``_n``, ``_met`` and, for the waits with them, ``_p90`` and ``_max``."""
    columns = [
        column
        for name in KPIS
        for column in (name, *(f"{name}_{s}" for s in _city_statistics(name)))
    ]
    return ("hall", "名称", "name", "from", "to", *columns)


def _city_cells(f: Figure) -> list[str]:
    found = {"n": f.n, "met": f.met, "p90": f.p90, "max": f.maximum}
    return [_cell(f.value), *(_cell(found[s]) for s in _city_statistics(f.name))]


def city_csv(rows: Sequence[HallFigures]) -> str:
    """The city view (``GET /api/kpis``) as CSV text with a BOM: one row per hall."""
    return csv_text(
        city_header(),
        [
            [h.hall, h.name, h.name_en, h.period.start.isoformat(), h.period.end.isoformat(),
             *(cell for name in KPIS for cell in _city_cells(h.figures[name]))]
            for h in rows
        ],
    )  # fmt: skip
