"""The fit report's charts (inline SVG by matplotlib, legends in words beside them)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from simulation.calibration.arrivals import walkin_mask
from simulation.calibration.fitted import Calibration, MatterFit
from simulation.calibration.fitting import frozen
from simulation.calibration.records import Records
from simulation.calibration.roster import windows_per_hour
from simulation.calibration.writer import clock
from simulation.report_charts import Chart, LegendItem, svg_of, tick_positions

__all__ = ["arrivals_chart", "qq_chart", "roster_chart", "service_sample"]

FloatArray = NDArray[np.float64]
QUARTER = 15
OBSERVED, FITTED, HELD = "#9db4d3", "#b3261e", "#1d2733"


def _quarters(records: Records, days: list[int], cal: Calibration) -> FloatArray:
    """Walk-ins per quarter hour from opening, mean a day, as an hourly rate."""
    count = math.ceil(cal.opening.minutes / QUARTER)
    mine = walkin_mask(records) & np.isin(records.day, days)
    index = np.floor((records.issued[mine] - cal.opening.open_minute) / QUARTER).astype(np.int64)
    index = index[(index >= 0) & (index < count)]
    return np.bincount(index, minlength=count) / max(len(days), 1) * (60 / QUARTER)


def arrivals_chart(cal: Calibration, records: Records) -> Chart:
    """Observed walk-ins per quarter hour (bars) against the fitted hourly rates (steps)."""
    observed = _quarters(records, cal.training, cal)
    x = np.arange(observed.size)
    figure = Figure(figsize=(8.0, 3.2))
    axes = figure.add_subplot()
    axes.bar(x, observed, width=0.9, color=OBSERVED)
    fitted = np.repeat([fit.rate for fit in cal.hours], 60 // QUARTER)[: observed.size]
    axes.step(np.arange(fitted.size + 1) - 0.5, np.append(fitted, fitted[-1:]), where="post",
              color=FITTED, linewidth=1.8)  # fmt: skip
    legend = [
        LegendItem(
            OBSERVED,
            "拟合期每刻钟到达（折算为每小时） walk-ins per quarter hour, fitted days, as a rate "
            "per hour",
            bar=True,
        ),
        LegendItem(FITTED, "拟合的每小时到达率 fitted rate per hour (constant within the hour)"),
    ]  # fmt: skip
    if cal.held_out:
        held = _quarters(records, cal.held_out, cal)
        axes.plot(x, held, color=HELD, linestyle=":", linewidth=1.4)
        legend.append(LegendItem(HELD, "留出日每刻钟到达 held-out days, per quarter hour", True))
    labels = [clock(cal.opening.open_minute + QUARTER * q) for q in range(observed.size)]
    ticks = [t for t in range(0, observed.size, 60 // QUARTER)]
    axes.set_xticks(ticks, [labels[t] for t in ticks])
    axes.set_ylabel("walk-ins per hour")
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", color="#e3e7ec", linewidth=0.6)
    caption = "现场取号到达：观测与拟合 Walk-in arrivals, observed against fitted"
    return Chart(svg_of(figure), tuple(legend), caption)


def service_sample(cal: Calibration, records: Records, index: int) -> FloatArray:
    """The fitted days' service times of matter `index` (minutes)."""
    mine = np.isin(records.day, cal.training) & ~records.ticketless & (records.matter == index)
    x = (records.finished - records.started)[mine]
    return np.sort(x[np.isfinite(x) & (x > 0)])


def qq_chart(matter: MatterFit, sample: FloatArray) -> Chart | None:
    """Q-Q plot of one matter's service times against its best parametric fit."""
    fit = matter.service
    if fit is None or not fit.candidates or sample.size < 2:
        return None
    best = min(fit.candidates, key=lambda c: c.aic)
    dist = frozen(best.dist)
    assert dist is not None
    points = min(sample.size, 200)
    levels = (np.arange(points) + 0.5) / points
    observed = np.quantile(sample, levels)
    theory = dist.ppf(levels)
    figure = Figure(figsize=(3.3, 3.1))
    axes = figure.add_subplot()
    axes.plot(theory, observed, "o", markersize=2.5, color="#1f5fa8")
    top = float(max(theory.max(), observed.max()))
    axes.plot([0, top], [0, top], color=FITTED, linestyle="--", linewidth=1)
    axes.set_xlabel(f"{best.family} (min)")
    axes.set_ylabel("observed (min)")
    axes.set_title(matter.code, fontsize=10)
    legend = (
        LegendItem("#1f5fa8", "观测分位数 observed quantiles"),
        LegendItem(FITTED, "完全吻合 perfect fit", True),
    )
    used = "经验分布 empirical" if fit.family == "empirical" else fit.family
    caption = f"{matter.code} {matter.name}：{fit.n} 笔，采用 used {used}"
    return Chart(svg_of(figure), legend, caption)


def roster_chart(cal: Calibration) -> Chart:
    """Windows open per hour in the calibrated roster."""
    hours = windows_per_hour(cal.roster, cal.opening)
    figure = Figure(figsize=(8.0, 2.6))
    axes = figure.add_subplot()
    axes.bar(range(len(hours)), hours, color="#4a78b5")
    labels = [clock(fit.start) for fit in cal.hours]
    ticks = tick_positions(len(labels))
    axes.set_xticks(ticks, [labels[t] for t in ticks])
    axes.set_ylabel("windows")
    axes.grid(axis="y", color="#e3e7ec", linewidth=0.6)
    legend = (LegendItem("#4a78b5", "开放窗口（平均） windows open, mean over the hour", bar=True),)
    return Chart(svg_of(figure), legend, "实际开放的窗口 The roster that ran, per hour")
