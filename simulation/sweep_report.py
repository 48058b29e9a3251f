"""A sweep's grid as text, as JSON, and as an HTML page with a heat map of the days met."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from simulation.report import page
from simulation.report_charts import Chart, LegendItem, chart_html, svg_of
from simulation.scenario_model import Scenario
from simulation.sweep import SweepCell
from simulation.text import level_text

__all__ = ["format_sweep", "render_sweep_report", "sweep_json", "write_sweep_report"]


def _grid(cells: list[SweepCell]) -> tuple[list[int], list[float]]:
    windows = sorted({c.windows for c in cells})
    demand = sorted({c.demand for c in cells})
    return windows, demand


def _cell(cells: list[SweepCell], windows: int, demand: float) -> SweepCell:
    return next(c for c in cells if c.windows == windows and c.demand == demand)


def _mark(cell: SweepCell) -> str:
    """The share of days met, with "!" when some hour's load reaches its windows."""
    flag = "" if cell.results["stability"]["stable"] else "!"
    return f"{cell.share_of_days:.0%}{flag}"


def sweep_json(scenario: Scenario, cells: list[SweepCell]) -> dict[str, Any]:
    """The grid: axes, the replications and level, and one entry per cell in grid order."""
    windows, demand = _grid(cells)
    first = cells[0].results
    return {
        "scenario": scenario.name,
        "seed": first["seed"],
        "replications": first["replications"],
        "confidence": first["confidence"],
        "windows": windows,
        "demand": demand,
        "cells": [c.to_dict() for c in cells],
    }


def format_sweep(scenario: Scenario, cells: list[SweepCell]) -> str:
    """The share of days on which every target held, windows down and demand across."""
    windows, demand = _grid(cells)
    first = cells[0].results
    lines = [
        f"{scenario.name}: {first['replications']} replications a cell; share of days on which "
        "every target held (! = some hour's load reaches its windows, ρ ≥ 1)",
        "每格为全部目标同时达标的天数比例 share of days met; 行 rows: comprehensive windows, "
        "列 columns: demand",
        "windows " + "".join(f"{d:>9.2f}" for d in demand),
    ]
    for w in windows:
        lines.append(f"{w:7d} " + "".join(f"{_mark(_cell(cells, w, d)):>9}" for d in demand))
    return "\n".join(lines)


def heat_map(cells: list[SweepCell]) -> Chart:
    """The share of days met per cell as colours, with the percentage written in each cell."""
    windows, demand = _grid(cells)
    grid = [[_cell(cells, w, d).share_of_days * 100 for d in demand] for w in windows]
    figure = Figure(figsize=(1.2 + 0.9 * len(demand), 0.8 + 0.45 * len(windows)))
    axes = figure.add_subplot()
    axes.imshow(grid, cmap="RdYlGn", vmin=0, vmax=100, aspect="auto", origin="lower")
    for i, w in enumerate(windows):
        for j, d in enumerate(demand):
            axes.text(j, i, _mark(_cell(cells, w, d)), ha="center", va="center", fontsize=8)
    axes.set_xticks(range(len(demand)), [f"{d:g}×" for d in demand])
    axes.set_yticks(range(len(windows)), [str(w) for w in windows])
    axes.set_xlabel("demand")
    axes.set_ylabel("comprehensive windows")
    legend = (
        LegendItem("#1a9850", "绿：几乎每天全部达标 green: every target held on nearly every day",
                   bar=True),
        LegendItem("#fee08b", "黄：约一半天数达标 yellow: about half the days", bar=True),
        LegendItem("#d73027", "红：几乎没有一天达标 red: hardly a day", bar=True),
    )  # fmt: skip
    caption = (
        "全部目标同时达标的天数比例；“!” 表示某时段负荷 ρ ≥ 1。 Share of days on which every "
        "target held; “!” marks a cell where some hour's load reaches its windows (ρ ≥ 1)."
    )
    return Chart(svg_of(figure), legend, caption)


def render_sweep_report(scenario: Scenario, cells: list[SweepCell]) -> str:
    """The sweep as a self-contained HTML page: heat map first, then the table."""
    windows, demand = _grid(cells)
    first = cells[0].results
    level = level_text(float(first["confidence"]))
    head = "".join(f"<th>{d:g}×</th>" for d in demand)
    rows = "".join(
        f"<tr><th>{w}</th>"
        + "".join(f'<td class="num">{html.escape(_mark(_cell(cells, w, d)))}</td>' for d in demand)
        + "</tr>"
        for w in windows
    )
    body = (
        f"<h1>参数扫描 Sweep: {html.escape(scenario.name)}</h1>"
        f"<p>每格 {first['replications']} 次重复，同一随机种子；区间为 {level} 置信区间。 "
        f"{first['replications']} replications a cell on the same seed; intervals at {level}.</p>"
        + chart_html(heat_map(cells))
        + f'<div class="scroll"><table><thead><tr><th>窗口 windows \\ 需求 demand</th>{head}'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return page(f"Sweep: {scenario.name}", body)


def write_sweep_report(scenario: Scenario, cells: list[SweepCell], path: str | Path) -> None:
    """Write the sweep's HTML page to `path`."""
    Path(path).write_text(render_sweep_report(scenario, cells), encoding="utf-8")
