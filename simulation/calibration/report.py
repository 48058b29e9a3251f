"""The fit report of `tongban calibrate --report`: one self-contained HTML page.

Arrivals observed against fitted (with the Poisson test per hour), a Q-Q plot and the
likelihoods per matter, the appointment book, the roster that ran, and the back-test with
a verdict per KPI. Like the simulation report it loads nothing from the network and reads
on a phone (tables scroll inside their box, the Q-Q plots wrap).
"""

from __future__ import annotations

import html
from pathlib import Path

from queueing.vocabulary import kpi
from simulation.calibration.arrivals import SIGNIFICANCE
from simulation.calibration.backtest import Backtest
from simulation.calibration.fitted import Calibration, day_text
from simulation.calibration.records import Records
from simulation.calibration.report_charts import (
    arrivals_chart,
    qq_chart,
    roster_chart,
    service_sample,
)
from simulation.calibration.writer import clock
from simulation.report import page
from simulation.report_charts import chart_html

__all__ = ["render_fit_report", "write_fit_report"]

EXTRA_STYLE = """<style>
.qq { display: flex; flex-wrap: wrap; gap: .8rem; } .qq figure { margin: 0; flex: 1 1 15rem;
  max-width: 20rem; } .ok { color: #0a6b2d; font-weight: 600; } .bad { color: #b3261e;
  font-weight: 600; } .verdict { font-size: 1.05rem; padding: .6rem .8rem; }
</style>"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table in its scrolling box; with a class, each cell but the first carries its
    column's name (`verdicts` turns rows into cards on a phone, report.STYLE)."""
    header = "".join(f"<th>{h}</th>" for h in head)
    labels = [f' data-label="{html.escape(h)}"' if cls else "" for h in head]
    body = "".join(
        "<tr>"
        + "".join(f"<td{labels[k] if k else ''}>{c}</td>" for k, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll"><table{klass}><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _n(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _summary(cal: Calibration) -> str:
    held = ""
    if cal.held_out:
        held = (f"；留出 held out {len(cal.held_out)} 天 days（{day_text(cal.held_out[0])} – "
                f"{day_text(cal.held_out[-1])}）")  # fmt: skip
    return (
        f"<p class='summary'>来源 Source: {_e(cal.source)}；大厅 hall {_e(cal.hall)}；日类型 day "
        f"type {_e(cal.day_type.text)}；拟合 fitted on {len(cal.training)} 天 days"
        f"（{day_text(cal.training[0])} – {day_text(cal.training[-1])}）{_e(held)}。"
        f"营业 Opening {clock(cal.opening.open_minute)}–{clock(cal.opening.close_minute)}"
        f"（{_e(cal.opening.source)}）。</p>"
    )


def _arrivals(cal: Calibration, records: Records) -> str:
    rows = []
    for fit in cal.hours:
        verdict = "—"
        if fit.poisson is not None:
            verdict = (
                "<span class='ok'>泊松 Poisson</span>"
                if fit.poisson
                else "<span class='bad'>非泊松 not Poisson</span>"
            )
        rows.append([clock(fit.start), _n(fit.rate), _n(fit.mean_count), _n(fit.dispersion),
                     _n(fit.ks_statistic, 4), _n(fit.ks_p, 3), verdict])  # fmt: skip
    head = ["时段 hour", "到达率 rate /h", "每天 a day", "离散指数 dispersion", "KS D", "p",
            f"条件均匀检验 test (α = {SIGNIFICANCE})"]  # fmt: skip
    return (
        "<h2>到达 Arrivals</h2>"
        + chart_html(arrivals_chart(cal, records))
        + _table(head, rows)
        + "<p class='reason'>Kim &amp; Whitt 条件均匀 KS 检验：同一小时内的到达时刻应均匀分布；"
        "离散指数为各天到达数的方差与均值之比（泊松为 1）。 Kim &amp; Whitt's conditional-uniform "
        "KS test: within an hour Poisson arrival times are uniform; the dispersion index is the "
        "variance over the mean of the daily counts (1 for Poisson).</p>"
    )


def _services(cal: Calibration, records: Records) -> str:
    rows, charts = [], []
    for index, matter in enumerate(cal.matters):
        fit = matter.service
        if fit is None:
            rows.append(
                [_e(matter.code), "0", "—", "—", "—", "—", _e(f"exponential, {matter.fallback}")]
            )
            continue
        aic = " · ".join(f"{c.family} {c.aic:.0f}" for c in fit.candidates) or "—"
        chosen = fit.chosen
        rows.append([_e(f"{matter.code} {matter.name}"), str(fit.n), _n(fit.sample_mean),
                     _n(fit.sample_cv), _e(aic), _n(fit.ks_statistic, 4),
                     _e(f"{fit.family} (mean {chosen.mean:.2f}, cv {chosen.cv:.2f}): "
                        f"{fit.reason}")])  # fmt: skip
        if index < len(records.codes):
            chart = qq_chart(matter, service_sample(cal, records, index))
            if chart is not None:
                charts.append(chart_html(chart))
    head = ["事项 matter", "笔数 n", "均值 mean", "变异系数 cv", "AIC", "KS D", "采用 chosen"]
    return ("<h2>办理时长 Service times</h2>" + _table(head, rows)
            + f"<div class='qq'>{''.join(charts)}</div>")  # fmt: skip


def _book(cal: Calibration) -> str:
    book = cal.book
    rows = [
        [clock(cal.opening.open_minute + k * book.slot_minutes), _n(n)]
        for k, n in enumerate(book.per_slot)
    ]
    return (
        "<h2>预约 Appointments</h2>"
        f"<p>爽约率 no-show rate {book.no_show_rate:.1%} ± {book.no_show_error:.1%}"
        f"（{book.no_shows} / {book.bookings}）；提前签到 minutes early at check-in: "
        f"Normal({book.early_mean:.1f}, {book.early_sd:.1f})，{book.early_count} 次 check-ins。</p>"
        + _table(["时段 slot", "每天预约 bookings a day"], rows)
    )


def _backtest(result: Backtest | None) -> str:
    if result is None:
        return ("<h2>回测 Back-test</h2><p>未留出数据（--holdout 0）。 No days were held out "
                "(--holdout 0).</p>")  # fmt: skip
    rows = []
    for check in result.checks:
        definition = kpi(check.name)
        verdict = (
            "—"
            if check.reproduced is None
            else (
                "<span class='ok'>吻合 reproduced</span>"
                if check.reproduced
                else "<span class='bad'>偏离 missed</span>"
            )
        )
        interval = "—" if check.low is None else f"{check.low:.2f} – {check.high:.2f}"
        rows.append(
            [_e(definition.label), _n(check.observed_mean), _n(check.model_mean), interval, verdict]
        )
    if result.passed:
        words = (
            "<p class='verdict ok'>模型复现了留出日。 The model reproduces the held-out days.</p>"
        )
    else:
        missed = "、".join(kpi(n).label for n in result.missed)
        words = (
            f"<p class='verdict bad'>模型未能复现：{_e(missed)}。 The model misses these KPIs "
            "on the held-out days.</p>"
        )
    return (
        f"<h2>回测 Back-test</h2>{words}"
        + _table(
            [
                "指标 KPI",
                "留出日均值 held-out mean",
                "模型均值 model mean",
                f"允许范围 range ({result.level:.1%})",
                "结论 verdict",
            ],
            rows,
            "verdicts",
        )
        + f"<p class='reason'>{result.days} 个留出日，{result.replications} 次重复仿真，"
        f"{result.training_days} 个拟合日；范围 = 模型均值 ± t·s·√(1/N + 1/R + 1/T)。 "
        f"{result.days} held-out days, {result.replications} replications, "
        f"{result.training_days} fitted days; range = model mean ± t·s·√(1/N + 1/R + 1/T).</p>"
    )


def render_fit_report(cal: Calibration, records: Records, result: Backtest | None) -> str:
    """The whole report as one HTML page."""
    body = [
        EXTRA_STYLE,
        f"<h1>校准报告 Calibration report: {_e(cal.hall)} {_e(cal.day_type.text)}</h1>",
        _summary(cal),
        _backtest(result),
        _arrivals(cal, records),
        _services(cal, records),
        _book(cal),
        f"<h2>窗口 Windows</h2><p>{_e(cal.roster_source)}</p>" + chart_html(roster_chart(cal)),
    ]
    return page(f"Calibration {cal.hall}", "\n".join(body))


def write_fit_report(
    cal: Calibration, records: Records, result: Backtest | None, path: str | Path
) -> None:
    """Write the report to `path`."""
    Path(path).write_text(render_fit_report(cal, records, result), encoding="utf-8")
