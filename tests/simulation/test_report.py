"""HTML report: verdicts first, the real confidence level, one meaning per column, charts
with legends in words, readable hour labels, one bar per person, no network, a phone view."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from simulation.report import render_report, write_report
from simulation.report_charts import tick_positions
from simulation.results import summarise_runs
from simulation.runner import run_replications
from simulation.scenario import load_scenario, parse_scenario

EXAMPLES = Path(__file__).parents[2] / "simulation" / "examples"


def small(**targets: Any) -> dict[str, Any]:
    return {
        "name": "Demo <hall> & co",
        "open": "09:00",
        "close": "12:00",
        "matters": [
            {"code": "A", "service": {"dist": "exponential", "mean": 4.0},
             "walkin_share": 1.0, "green_share": 0.1, "appointment_share": 1.0},
        ],
        "windows": [{"count": 3}],
        "walkins": {"per_hour": [30.0, 40.0, 20.0]},
        "appointments": {"per_hour": [4.0]},
        "targets": targets,
    }  # fmt: skip


def results_of(data: dict[str, Any], replications: int = 4) -> dict[str, Any]:
    return summarise_runs(run_replications(parse_scenario(data), replications))


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.headers: list[str] = []
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in {"src", "href", "xlink:href"}]
        self._in_th = tag == "th"

    def handle_data(self, data: str) -> None:
        if self._in_th:
            self.headers.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_th = False


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    return collector


def test_report_puts_verdicts_first_and_is_self_contained() -> None:
    page = render_report(results_of(small()))
    parsed = parse(page)
    assert parsed.tags.index("table") < parsed.tags.index("svg")
    assert parsed.tags.count("svg") == 3  # hourly waits, load, utilisation
    assert not [u for u in parsed.urls if re.match(r"(https?:)?//", u)]
    assert "Demo &lt;hall&gt; &amp; co" in page
    assert "达标 met" in page
    assert 'name="viewport"' in page  # laid out for a phone's width


def test_the_report_states_the_confidence_level_it_used() -> None:
    page = render_report(results_of(small(confidence=0.9)))
    assert "90 %" in page
    assert "95 %" not in page
    assert "90 % 置信区间 CI" in parse(page).headers


def test_p90_and_longest_mean_citizens_waits_only() -> None:
    results = results_of(small())
    page = render_report(results)
    assert any("P90（群众等候 citizens' wait）" in h for h in parse(page).headers)
    for name, kpi in results["kpis"].items():
        assert ("p90" in kpi) == (name in {"walkin_wait", "green_wait"})
    walkin = results["kpis"]["walkin_wait"]
    assert walkin["max"] == max(walkin["max_values"])
    assert walkin["max"] >= walkin["p90"]


def test_every_chart_has_a_legend_in_words_and_target_lines() -> None:
    page = render_report(results_of(small()))
    legends = re.findall(r'<ul class="legend">(.*?)</ul>', page)
    assert len(legends) == 3
    assert "目标 target: 现场取号等候 Walk-in wait ≤ 15 min" in legends[0]
    assert "绿色通道等候 Green-channel wait" in legends[0]
    assert "ρ = 1" in legends[1]
    assert "满负荷 100 % full load" in legends[2]
    assert page.count("stroke-dasharray") >= 3  # the dashed target lines drawn in the SVG


def test_two_people_at_one_window_get_a_bar_each() -> None:
    results = summarise_runs(
        run_replications(load_scenario(EXAMPLES / "street_centre_staff.toml"), 2)
    )
    numbers = [w["number"] for w in results["windows"]]
    assert len(numbers) > len(set(numbers))  # someone shares a window with another person
    assert [w["row"] for w in results["windows"]] == list(range(1, len(numbers) + 1))
    page = render_report(results)
    rows = re.findall(r"<tr><td class='num'>(\d+)</td>", page)
    assert rows == [str(r) for r in range(1, len(numbers) + 1)]


def test_long_steady_runs_get_few_readable_hour_labels() -> None:
    data = small()
    data["run"] = {"mode": "steady", "warmup_minutes": 60.0, "horizon_minutes": 60.0 * 40}
    data["walkins"] = {"per_hour": [30.0]}
    data["appointments"] = {"per_hour": [0.0]}
    results = results_of(data, 2)
    labels = [row["hour"] for row in results["hourly"]]
    assert labels[:3] == ["0 h", "1 h", "2 h"]
    assert len(labels) == 40
    assert len(tick_positions(len(labels))) <= 12
    assert tick_positions(334) == list(range(0, 334, 28))
    assert ":" not in "".join(labels)


def test_report_is_deterministic_and_written(tmp_path: Path) -> None:
    results = results_of(small())
    assert render_report(results) == render_report(results)
    out = tmp_path / "report.html"
    write_report(results, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_without_charts() -> None:
    page = render_report({"scenario": "x", "kpis": {}})
    assert "<svg" not in page
