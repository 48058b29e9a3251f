"""Write a scenario back to TOML, e.g. with a staffing plan filled in.

The original file's tables are kept as written (comments are lost: TOML writers do not
keep them); only `[[windows]]` (and `[[staff]]`, with a roster) is rewritten from the scenario.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from simulation.scenario_model import ALL_MATTERS, Interval, Scenario, Staff, WindowGroup

__all__ = ["dump_scenario", "staff_entry", "window_entry"]


def _clock(scenario: Scenario, minute: float) -> str:
    total = round(scenario.open_minute + minute)
    return f"{total // 60:02d}:{total % 60:02d}"


def _spans(scenario: Scenario, spans: tuple[Interval, ...]) -> list[list[str]]:
    return [[_clock(scenario, s.start), _clock(scenario, s.end)] for s in spans]


def window_entry(scenario: Scenario, group: WindowGroup) -> dict[str, Any]:
    """One `[[windows]]` table for a window group, clock times as "HH:MM"."""
    entry: dict[str, Any] = {}
    if group.name:
        entry["name"] = group.name
    entry["count"] = group.count
    entry["kind"] = group.kind.value
    entry["skills"] = [ALL_MATTERS] if ALL_MATTERS in group.skills else sorted(group.skills)
    if group.shifts is not None:
        entry["shifts"] = _spans(scenario, group.shifts)
    if group.breaks:
        entry["breaks"] = _spans(scenario, group.breaks)
    return entry


def staff_entry(scenario: Scenario, person: Staff) -> dict[str, Any]:
    """One `[[staff]]` table, clock times as "HH:MM"."""
    entry: dict[str, Any] = {"name": person.name, "window": person.window}
    entry["skills"] = [ALL_MATTERS] if ALL_MATTERS in person.skills else sorted(person.skills)
    if person.shifts is not None:
        entry["shifts"] = _spans(scenario, person.shifts)
    if person.breaks:
        entry["breaks"] = _spans(scenario, person.breaks)
    return entry


def dump_scenario(scenario: Scenario, original: Mapping[str, Any] | None = None) -> str:
    """Render the scenario as TOML: `original` (the parsed source file) with new windows.

    Without `original`, the scenario's source file is read again. Raises OSError if it
    cannot be read.
    """
    if original is None:
        original = tomllib.loads(Path(scenario.source).read_text(encoding="utf-8"))
    document = dict(original)
    document.pop("windows", None)
    document.pop("staff", None)
    document["windows"] = [window_entry(scenario, g) for g in scenario.windows]
    if scenario.staff:
        document["staff"] = [staff_entry(scenario, p) for p in scenario.staff]
    if scenario.hall_source is not None and document.get("hall_config") != "demo":
        document["hall_config"] = scenario.hall_source.path  # absolute: the file may move
    header = f"# {scenario.name}: scenario written by `tongban plan` (docs/simulator.md)\n"
    return header + tomli_w.dumps(document)
