"""A self-contained HTML report of simulation results: verdict table first, then inline SVG charts.

The input is the plain results dict of the CLI's `--json` output::

    {"scenario": "name", "replications": 30,
     "kpis": {"appointment_wait_general": {"mean", "ci95": [lo, hi], "target", "direction",
                                           "met", "share_met", "p90", "reason"}, ...},
     "windows": [{"number", "name", "kind", "utilisation", "served"}, ...],
     "hourly": [{"hour": "09:00", "arrivals", "walkin_wait", "appointment_wait"}, ...]}

Every key but "kpis" is optional. The page loads nothing from the network.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

# Figures are built with the object API on an Agg canvas: pyplot and its global state stay unused.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["KPI_LABELS", "render_report", "write_report"]

KPI_LABELS: dict[str, str] = {
    "appointment_wait_general": "预约等候（一般事项） Appointment wait, general matters",
    "appointment_wait_complex": "预约等候（复杂事项） Appointment wait, complex matters",
    "handling_time": "窗口平均办理时间 Window handling time",
    "walkin_wait": "现场取号等候 Walk-in wait",
    "walkin_wait_mean": "现场取号等候 Walk-in wait (mean)",
    "walkin_wait_p90": "现场取号等候 P90 Walk-in wait (90th percentile)",
    "utilisation": "窗口利用率 Window utilisation",
}

_VERDICT_TEXT = {"met": "达标 met", "not_met": "未达标 not met", "undecided": "待定 undecided"}

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       margin: 2rem auto; max-width: 60rem; color: #1d2733; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; }
th, td { border-bottom: 1px solid #d5dbe3; padding: .45rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #0a6b2d; font-weight: 600; } .not_met { color: #b3261e; font-weight: 600; }
.undecided { color: #8a5a00; font-weight: 600; } .reason { color: #5b6673; font-size: .9em; }
figure { margin: 1.5rem 0; } figcaption { color: #5b6673; }
"""


def _fmt(value: object, digits: int = 2) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}f}"


def _kpi_row(name: str, kpi: Mapping[str, Any]) -> str:
    label = html.escape(KPI_LABELS.get(name, name))
    ci = kpi.get("ci95")
    ci_text = f"{_fmt(ci[0])} – {_fmt(ci[1])}" if isinstance(ci, Sequence) and len(ci) == 2 else "—"
    target = kpi.get("target")
    direction = html.escape(str(kpi.get("direction", "at most")))
    target_text = f"{direction} {_fmt(target)}" if target is not None else "—"
    met = kpi.get("met")
    verdict = "—"
    if met is not None:
        text = html.escape(_VERDICT_TEXT.get(str(met), str(met)))
        verdict = f'<span class="{html.escape(str(met))}">{text}</span>'

    share = kpi.get("share_met")
    share_text = f"{share:.0%}" if isinstance(share, int | float) else "—"
    reason = kpi.get("reason")
    reason_html = f'<div class="reason">{html.escape(str(reason))}</div>' if reason else ""
    cells = [
        f"<td>{label}{reason_html}</td>",
        f'<td class="num">{_fmt(kpi.get("mean"))}</td>',
        f'<td class="num">{ci_text}</td>',
        f'<td class="num">{_fmt(kpi.get("p90"))}</td>',
        f"<td>{target_text}</td>",
        f"<td>{verdict}</td>",
        f'<td class="num">{share_text}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _verdict_table(kpis: Mapping[str, Mapping[str, Any]]) -> str:
    head = (
        "<tr><th>指标 KPI (minutes)</th><th>均值 mean</th><th>95% CI</th><th>P90</th>"
        "<th>目标 target</th><th>结论 verdict</th><th>达标天数 days met</th></tr>"
    )
    rows = "".join(_kpi_row(name, kpi) for name, kpi in kpis.items())
    return f'<table class="verdicts"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def _svg(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "tongban", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _number_list(rows: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    values = []
    for row in rows:
        value = row.get(key)
        values.append(float(value) if isinstance(value, int | float) else math.nan)
    return values


def _hourly_chart(hourly: Sequence[Mapping[str, Any]]) -> str:
    labels = [str(row.get("hour", i)) for i, row in enumerate(hourly)]
    positions = list(range(len(hourly)))
    figure = Figure(figsize=(8.0, 3.6))
    axes = figure.add_subplot()
    axes.bar(positions, _number_list(hourly, "arrivals"), color="#c9d6e8", label="arrivals")
    axes.set_ylabel("arrivals per hour")
    axes.set_xticks(positions, labels)
    waits = axes.twinx()
    for key, colour in (("walkin_wait", "#b3261e"), ("appointment_wait", "#0a6b2d")):
        waits.plot(positions, _number_list(hourly, key), marker="o", color=colour, label=key)
    waits.set_ylabel("mean wait (min)")
    waits.legend(loc="upper right", frameon=False)
    return _svg(figure)


def _utilisation_chart(windows: Sequence[Mapping[str, Any]]) -> str:
    labels = [str(row.get("number", i + 1)) for i, row in enumerate(windows)]
    figure = Figure(figsize=(8.0, 3.0))
    axes = figure.add_subplot()
    axes.bar(labels, [v * 100 for v in _number_list(windows, "utilisation")], color="#4a78b5")
    axes.set_ylim(0, 100)
    axes.set_xlabel("window")
    axes.set_ylabel("utilisation (%)")
    return _svg(figure)


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


def render_report(results: Mapping[str, Any]) -> str:
    """Return the report as one self-contained HTML page (UTF-8, inline CSS and SVG)."""
    name = html.escape(str(results.get("scenario", "scenario")))
    replications = results.get("replications")
    parts = [
        f"<h1>仿真报告 Simulation report: {name}</h1>",
        f"<p>{html.escape(str(replications))} replications; "
        "intervals are Student-t 95 % confidence intervals across replications.</p>",
        _verdict_table(results.get("kpis", {})),
    ]
    hourly = results.get("hourly") or []
    if hourly:
        parts.append(_figure(_hourly_chart(hourly), "Arrivals and mean waits by hour"))
    windows = results.get("windows") or []
    if windows:
        parts.append(_figure(_utilisation_chart(windows), "Utilisation of each window"))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{name}</title><style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def write_report(results: Mapping[str, Any], path: str | Path) -> None:
    """Write the HTML report to `path`."""
    Path(path).write_text(render_report(results), encoding="utf-8")
