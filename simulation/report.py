"""A self-contained HTML report of simulation results: verdicts first, then hours and charts.

The input is the plain results dict of `tongban simulate --json` (docs/simulator.md). The
page loads nothing from the network, reads on a phone (the tables scroll sideways inside
their own box, the charts shrink to the screen), and states the confidence level it used.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from queueing.vocabulary import KPIS
from simulation.report_charts import (
    chart_html,
    hourly_wait_chart,
    load_chart,
    utilisation_chart,
)
from simulation.text import level_text

__all__ = ["STYLE", "page", "render_report", "write_report"]

VERDICT_TEXT = {"met": "达标 met", "not_met": "未达标 not met", "undecided": "待定 undecided"}

STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       margin: 0 auto; padding: 1rem; max-width: 64rem; color: #1d2733; line-height: 1.45; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5rem 0 1.5rem; }
table { border-collapse: collapse; min-width: 100%; }
th, td { border-bottom: 1px solid #d5dbe3; padding: .4rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: #0a6b2d; font-weight: 600; } .not_met { color: #b3261e; font-weight: 600; }
.undecided { color: #8a5a00; font-weight: 600; } .reason { color: #5b6673; font-size: .85em; }
.warn { border-left: 4px solid #b3261e; background: #fdf1f0; padding: .6rem .8rem; }
.summary { background: #f3f5f8; padding: .6rem .8rem; }
figure { margin: 1.5rem 0; } figcaption { color: #5b6673; }
.chart svg { max-width: 100%; height: auto; }
.legend { list-style: none; padding: 0; margin: .3rem 0; font-size: .9em; }
.legend li { display: flex; align-items: center; gap: .5rem; margin: .15rem 0; }
.swatch { flex: none; width: 1.6rem; height: 0; border-top: 3px solid var(--c); }
.swatch.dashed { border-top-style: dashed; } .swatch.bar { height: .8rem; border: 0;
                 background: var(--c); }
table.hourly th:first-child, table.hourly td:first-child { position: sticky; left: 0;
  background: #fff; }
@media (max-width: 40rem) { body { padding: .6rem; } th, td { padding: .35rem .4rem; }
  h1 { font-size: 1.2rem; }
  table.verdicts, table.verdicts tbody, table.verdicts tr, table.verdicts td { display: block; }
  table.verdicts thead { display: none; }
  table.verdicts tr { border-bottom: 2px solid #d5dbe3; padding: .3rem 0; }
  table.verdicts td { border: 0; padding: .1rem .2rem; text-align: left; }
  table.verdicts td:first-child { font-weight: 600; } table.verdicts td.empty { display: none; }
  table.verdicts td[data-label]::before { content: attr(data-label) "："; color: #5b6673;
    font-weight: 400; } }
"""


def _fmt(value: object, digits: int = 2) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if abs(value) < 0.5 * 10.0**-digits:
        value = 0.0  # never "-0.00"
    return f"{value:.{digits}f}"


def _interval(ci: object) -> str:
    if isinstance(ci, Sequence) and len(ci) == 2:
        return f"{_fmt(ci[0])} – {_fmt(ci[1])}"
    return "—"


def _verdict(met: object) -> str:
    if met is None:
        return "—"
    text = html.escape(VERDICT_TEXT.get(str(met), str(met)))
    return f'<span class="{html.escape(str(met))}">{text}</span>'


def _label(name: str) -> str:
    definition = KPIS.get(name)
    return html.escape(definition.label if definition else name)


def _cell(label: str, content: str, cls: str = "") -> str:
    """A table cell that carries its column's name, shown beside it on a narrow screen."""
    classes = " ".join(c for c in (cls, "empty" if content == "—" else "") if c)
    klass = f' class="{classes}"' if classes else ""
    return f'<td{klass} data-label="{html.escape(label)}">{content}</td>'


def _kpi_row(name: str, kpi: Mapping[str, Any], level: str) -> str:
    unit = str(kpi.get("unit", ""))
    target = kpi.get("target")
    symbol = "≤" if kpi.get("direction", "at most") == "at most" else "≥"
    target_text = f"{symbol} {_fmt(target)}" if target is not None else "—"
    share = kpi.get("share_met")
    share_text = f"{share:.0%}" if isinstance(share, int | float) else "—"
    notes = [str(kpi["reason"])] if kpi.get("reason") else []
    if kpi.get("p90_target") is not None:
        notes.append(f"P90 target ≤ {_fmt(kpi['p90_target'])}: {kpi.get('p90_met')}")
    if kpi.get("called_after_closing") is not None:
        notes.append(f"闭厅后叫号 called after closing: {_fmt(kpi['called_after_closing'], 1)}/day")
    reason = "".join(f'<div class="reason">{html.escape(n)}</div>' for n in notes)
    cells = [
        f"<td>{_label(name)} <span class='reason'>({html.escape(unit)})</span>{reason}</td>",
        _cell("均值 mean", _fmt(kpi.get("mean")), "num"),
        _cell("目标 target", target_text),
        _cell("结论 verdict", _verdict(kpi.get("met"))),
        _cell("达标天数 days met", share_text, "num"),
        _cell(f"{level} CI", _interval(kpi.get("ci")), "num"),
        _cell("P90", _fmt(kpi.get("p90")), "num"),
        _cell("最长 longest", _fmt(kpi.get("max")), "num"),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _table(head: Sequence[str], rows: Sequence[str], cls: str) -> str:
    header = "".join(f"<th>{cell}</th>" for cell in head)
    body = "".join(rows)
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _verdict_table(kpis: Mapping[str, Mapping[str, Any]], level: str) -> str:
    head = [
        "指标 KPI", "均值 mean", "目标 target", "结论 verdict", "达标天数 days met",
        f"{level} 置信区间 CI", "P90（群众等候 citizens' wait）", "最长 longest",
    ]  # fmt: skip
    return _table(head, [_kpi_row(n, k, level) for n, k in kpis.items()], "verdicts")


def _hourly_table(hourly: Sequence[Mapping[str, Any]], level: str) -> str:
    names = list(hourly[0]["kpis"]) if hourly else []
    head = ["时段 hour", "到达 arrivals", "负荷 ρ"] + [_label(n) for n in names]
    rows = []
    for row in hourly:
        rho = row.get("rho")
        rho_text = _fmt(rho) if rho is not None else "∞"
        cls = "" if row.get("stable", True) else ' class="not_met"'
        cells = [f"<td>{html.escape(str(row['hour']))}</td>",
                 f'<td class="num">{_fmt(row.get("arrivals"), 1)}</td>',
                 f'<td class="num"><span{cls}>{rho_text}</span></td>']  # fmt: skip
        for name in names:
            entry = row["kpis"][name]
            verdict = _verdict(entry.get("met")) if entry.get("mean") is not None else ""
            cells.append(
                f'<td class="num">{_fmt(entry.get("mean"))}<div class="reason">'
                f"{_interval(entry.get('ci'))}</div>{verdict}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table(head, rows, "hourly") + (
        f'<p class="reason">均值与 {level} 置信区间（分钟）；目标见上表。 '
        f"Mean waits in minutes with {level} intervals, by the hour citizens arrived.</p>"
    )


def _summary(results: Mapping[str, Any]) -> str:
    parts = []
    worst = results.get("worst_hour")
    if worst:
        parts.append(
            f'<p class="summary">最差时段 Worst hour: <b>{html.escape(str(worst["hour"]))}</b>, '
            f"{_label(worst['kpi'])} {_fmt(worst['mean'])} min "
            f"({_interval(worst.get('ci'))}), 目标 target ≤ {_fmt(worst['target'])}: "
            f"{_verdict(worst.get('met'))}</p>"
        )
    for note in results.get("warnings", []):
        parts.append(f'<p class="warn">⚠ {html.escape(str(note))}</p>')
    return "".join(parts)


def _plan(plan: Mapping[str, Any]) -> str:
    """The planned roster (people per shift) and the windows per hour, for `plan --report`."""
    rows = [
        f"<tr><td class='num'>{p['people']}</td><td>{html.escape(str(p['name']))}</td>"
        f"<td class='num'>{_fmt(p['cost'])}</td></tr>"
        for p in plan.get("patterns", [])
        if p.get("people")
    ]
    hours = [
        f"<tr><td>{html.escape(str(hour))}</td><td class='num'>{_fmt(floor)}</td>"
        f"<td class='num'>{_fmt(windows)}</td></tr>"
        for hour, floor, windows in zip(
            plan.get("hours", []), plan.get("stability_floor", []), plan.get("windows", []),
            strict=False,
        )
    ]  # fmt: skip
    return (
        f"<h2>排班 Roster: {plan.get('people')} 人 people, {_fmt(plan.get('cost'))} "
        "工时 paid hours</h2>"
        + _table(["人数 people", "班次 shift", "工时/人 hours each"], rows, "roster")
        + _table(
            ["时段 hour", "稳定下限 stability floor", "综合窗口 comprehensive windows"],
            hours,
            "plan-hours",
        )
    )


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML page (UTF-8, phone viewport, inline CSS)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


def render_report(results: Mapping[str, Any]) -> str:
    """Return the report as one self-contained HTML page (UTF-8, inline CSS and SVG)."""
    name = str(results.get("scenario", "scenario"))
    level = level_text(float(results.get("confidence", 0.95)))
    share = results.get("share_required")
    share_text = ""
    if share is not None:
        share_text = (
            f"；每项目标须在至少 {share:.0%} 的天数达标 each target must hold on at least "
            f"{share:.0%} of days"
        )
    parts = [
        f"<h1>仿真报告 Simulation report: {html.escape(name)}</h1>",
        f"<p>{html.escape(str(results.get('replications')))} 次重复 replications；区间为跨重复的 "
        f"Student-t {level} 置信区间 intervals are Student-t {level} confidence intervals "
        f"across replications{html.escape(share_text)}。P90 与最长值指群众个人等候 "
        "P90 and longest are of citizens' own waits.</p>",
        _summary(results),
        _verdict_table(results.get("kpis", {}), level),
    ]
    if isinstance(results.get("plan"), Mapping):
        parts.append(_plan(results["plan"]))
    hourly = results.get("hourly") or []
    if hourly:
        parts.append("<h2>分时段 By hour</h2>")
        parts.append(_hourly_table(hourly, level))
        parts.append(chart_html(hourly_wait_chart(hourly)))
        parts.append(chart_html(load_chart(hourly)))
    windows = results.get("windows") or []
    if windows:
        parts.append("<h2>窗口 Windows</h2>")
        parts.append(chart_html(utilisation_chart(windows)))
        rows = [
            f"<tr><td class='num'>{w.get('row', i + 1)}</td><td>{html.escape(str(w.get('name')))}"
            f"</td><td class='num'>{_fmt(w.get('utilisation'))}</td>"
            f"<td class='num'>{_fmt(w.get('served'), 1)}</td></tr>"
            for i, w in enumerate(windows)
        ]
        head = ["行 row", "窗口 window", "利用率 utilisation", "办理/天 served a day"]
        parts.append(_table(head, rows, "windows"))
    return page(name, "\n".join(parts))


def write_report(results: Mapping[str, Any], path: str | Path) -> None:
    """Write the HTML report to `path`."""
    Path(path).write_text(render_report(results), encoding="utf-8")
