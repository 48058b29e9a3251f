"""The report's charts: inline SVG drawn by matplotlib, each with a legend in words.

Legends and captions are HTML beside the SVG (Chinese and English, readable on a phone and
by a screen reader); the SVG itself carries only axes and numbers, so no Chinese font is
needed where the report is made. Every chart draws its targets as dashed lines.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

# Figures are built with the object API on an Agg canvas: pyplot and its global state stay unused.
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from queueing.vocabulary import kpi

__all__ = ["Chart", "LegendItem", "chart_html", "hourly_wait_chart", "load_chart", "svg_of",
           "tick_positions", "utilisation_chart"]  # fmt: skip

COLOURS = {
    "walkin_wait": "#b3261e",
    "green_wait": "#0a6b2d",
    "appointment_wait_general": "#1f5fa8",
    "appointment_wait_complex": "#7b3fa0",
}
MAX_TICKS = 12


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a colour, whether the line is dashed (a target), and its words."""

    colour: str
    text: str
    dashed: bool = False
    bar: bool = False


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its legend and caption."""

    svg: str
    legend: tuple[LegendItem, ...]
    caption: str


def svg_of(figure: Figure) -> str:
    """The figure as an SVG element (deterministic: fixed ids, no date)."""
    FigureCanvasAgg(figure)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "tongban", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def tick_positions(count: int, limit: int = MAX_TICKS) -> list[int]:
    """At most `limit` evenly spaced positions out of `count`, so labels never overprint."""
    step = max(1, math.ceil(count / limit))
    return list(range(0, count, step))


def _hour_axis(axes: Axes, labels: Sequence[str]) -> None:
    ticks = tick_positions(len(labels))
    axes.set_xticks(ticks, [labels[t] for t in ticks])
    axes.grid(axis="y", color="#e3e7ec", linewidth=0.6)


def _numbers(rows: Sequence[Mapping[str, Any]], get: Any) -> list[float]:
    values = []
    for row in rows:
        value = get(row)
        values.append(float(value) if isinstance(value, int | float) else math.nan)
    return values


def hourly_wait_chart(hourly: Sequence[Mapping[str, Any]]) -> Chart:
    """Mean wait per hour of every wait class, with each class's target as a dashed line."""
    labels = [str(row["hour"]) for row in hourly]
    positions = list(range(len(hourly)))
    figure = Figure(figsize=(8.0, 3.4))
    axes = figure.add_subplot()
    legend: list[LegendItem] = []
    for name, colour in COLOURS.items():
        means = _numbers(hourly, lambda row, n=name: row["kpis"][n]["mean"])
        if all(math.isnan(m) for m in means):
            continue
        axes.plot(positions, means, marker="o", markersize=3, color=colour, linewidth=1.5)
        label = kpi(name).label
        legend.append(LegendItem(colour, f"{label}（均值 mean）"))
        target = hourly[0]["kpis"][name].get("target")
        if isinstance(target, int | float):
            axes.axhline(target, color=colour, linestyle="--", linewidth=1)
            legend.append(LegendItem(colour, f"目标 target: {label} ≤ {target:g} min", True))
    axes.set_ylabel("minutes")
    axes.set_ylim(bottom=0)
    _hour_axis(axes, labels)
    caption = "各时段平均等候（按到达时段） Mean wait by hour of arrival, per class"
    return Chart(svg_of(figure), tuple(legend), caption)


def load_chart(hourly: Sequence[Mapping[str, Any]]) -> Chart:
    """Offered load per hour (bars) against the windows staffed (the line ρ = 1)."""
    labels = [str(row["hour"]) for row in hourly]
    positions = list(range(len(hourly)))
    load = _numbers(hourly, lambda row: row.get("offered_load"))
    staffed = _numbers(hourly, lambda row: row.get("windows_open"))
    colours = ["#c9d6e8" if row.get("stable", True) else "#e8a09a" for row in hourly]
    figure = Figure(figsize=(8.0, 3.0))
    axes = figure.add_subplot()
    axes.bar(positions, load, color=colours)
    axes.hlines(  # each hour's windows as a dashed bar top: where ρ = 1 would be
        staffed,
        [x - 0.45 for x in positions],
        [x + 0.45 for x in positions],
        color="#1d2733",
        linestyle="--",
        linewidth=1.4,
    )
    axes.set_ylabel("Erlangs / windows")
    axes.set_ylim(bottom=0)
    _hour_axis(axes, labels)
    legend = (
        LegendItem("#c9d6e8", "负荷（到达率 × 平均办理时间） offered load, ρ < 1", bar=True),
        LegendItem(
            "#e8a09a", "负荷超过在岗窗口 offered load at or above the windows, ρ ≥ 1", bar=True
        ),
        LegendItem("#1d2733", "上限：在岗窗口数 limit: windows staffed (ρ = 1)", True),
    )
    caption = "各时段负荷与在岗窗口 Offered load and windows staffed by hour"
    return Chart(svg_of(figure), legend, caption)


def utilisation_chart(windows: Sequence[Mapping[str, Any]]) -> Chart:
    """Utilisation of each roster row (one bar per person at a window, never overlapping)."""
    positions = list(range(len(windows)))
    values = [v * 100 for v in _numbers(windows, lambda row: row.get("utilisation"))]
    figure = Figure(figsize=(8.0, 2.8))
    axes = figure.add_subplot()
    axes.bar(positions, values, color="#4a78b5")
    axes.axhline(100, color="#b3261e", linestyle="--", linewidth=1)
    axes.set_ylim(0, 105)
    ticks = tick_positions(len(windows), 24)
    axes.set_xticks(ticks, [f"{windows[t].get('row', t + 1)}" for t in ticks])
    axes.set_xlabel("roster row (see the table)")
    axes.set_ylabel("%")
    legend = (
        LegendItem("#4a78b5", "在岗时间中的办理比例 share of staffed time serving", bar=True),
        LegendItem("#b3261e", "满负荷 100 % full load", True),
    )
    caption = "每个窗口（每位人员一行）的利用率 Utilisation of each window, one bar per person"
    return Chart(svg_of(figure), legend, caption)


def chart_html(chart: Chart) -> str:
    """The chart as a <figure> with its legend list and caption."""
    items = "".join(
        f'<li><span class="swatch{" dashed" if item.dashed else ""}{" bar" if item.bar else ""}"'
        f' style="--c:{html.escape(item.colour)}"></span>{html.escape(item.text)}</li>'
        for item in chart.legend
    )
    return (
        f'<figure><div class="chart">{chart.svg}</div><ul class="legend">{items}</ul>'
        f"<figcaption>{html.escape(chart.caption)}</figcaption></figure>"
    )
