"""HTML report: verdicts first, inline SVG charts, no network, missing KPIs with reasons."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from simulation.report import render_report, write_report
from simulation.stats import Target, evaluate


def results() -> dict[str, Any]:
    return {
        "scenario": "Demo <hall> & co",
        "replications": 30,
        "kpis": {
            "appointment_wait_general": evaluate([6.0, 7.0, 8.0, 6.5], Target(10.0)).to_dict(),
            "appointment_wait_complex": evaluate([None, None], Target(30.0)).to_dict(),
            "handling_time": evaluate([19.0, 22.0, 21.0], Target(20.0)).to_dict(),
        },
        "windows": [{"number": n, "name": "综窗", "utilisation": 0.7} for n in range(1, 6)],
        "hourly": [
            {"hour": f"{9 + h:02d}:00", "arrivals": 200, "walkin_wait": h} for h in range(8)
        ],
    }


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in {"src", "href", "xlink:href"}]


def test_report_puts_verdicts_first_and_is_self_contained() -> None:
    page = render_report(results())
    parser = Collector()
    parser.feed(page)
    assert parser.tags.index("table") < parser.tags.index("svg")
    assert parser.tags.count("svg") == 2
    assert not [u for u in parser.urls if re.match(r"(https?:)?//", u)]
    assert "Demo &lt;hall&gt; &amp; co" in page
    assert "达标 met" in page
    assert "no observations in any replication" in page


def test_report_is_deterministic_and_written(tmp_path: Path) -> None:
    assert render_report(results()) == render_report(results())
    out = tmp_path / "report.html"
    write_report(results(), out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_without_charts() -> None:
    page = render_report({"scenario": "x", "kpis": {}})
    assert "<svg" not in page
