"""`tongban simulate` and `tongban plan`: the simulator's subcommands (see docs/simulator.md).

`web.cli` (the composition root) calls `register` to add them to the console script.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path
from typing import Any, TextIO

from simulation.errors import ScenarioError, SimulationError
from simulation.plan import Plan, RosterPlan, find_plan, find_roster_plan
from simulation.report import KPI_LABELS, write_report
from simulation.results import summarise_runs
from simulation.runner import run_replications
from simulation.scenario import Scenario, load_scenario
from simulation.scenario_writer import dump_scenario

__all__ = ["ProgressBar", "format_results", "plan", "register", "simulate"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `simulate` and `plan` subcommands to the top-level parser."""
    sim = sub.add_parser("simulate", help="simulate a scenario and check the service targets")
    _common(sim)
    sim.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    sim.add_argument("--report", type=Path, metavar="OUT.html", help="write an HTML report")
    sim.set_defaults(run=simulate)
    planner = sub.add_parser(
        "plan",
        help="find the fewest windows per hour (or the cheapest roster of the scenario's "
        "shift patterns) meeting every target",
    )
    _common(planner)
    planner.add_argument(
        "--output", type=Path, metavar="OUT.toml", help="write the scenario with the plan filled in"
    )
    planner.add_argument("--json", type=Path, metavar="OUT", help="write the final results as JSON")
    planner.add_argument("--max-windows", type=int, default=60, help="per hour (default 60)")
    planner.set_defaults(run=plan)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="scenario TOML file")
    parser.add_argument("--replications", "-n", type=int, help="default: the scenario's [run]")
    parser.add_argument("--seed", type=int, help="default: the scenario's seed")
    parser.add_argument("--workers", "-j", type=int, default=1, help="processes (0 = one per CPU)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


class ProgressBar:
    """A one-line progress bar on a terminal stream: `[#####.....] 15/30 replications`."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        elapsed = time.perf_counter() - self.started
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} replications, {elapsed:.1f} s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _fmt(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "—"


def format_results(results: dict[str, Any]) -> str:
    """The verdict table and the walk-in waits as plain text."""
    lines = [f"{results['scenario']}: {results['replications']} replications ({results['mode']})"]
    for key, kpi in results["kpis"].items():
        ci = kpi.get("ci95")
        interval = f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "[—]"
        label = KPI_LABELS.get(key, key)
        line = f"  {label}: mean {_fmt(kpi.get('mean'))} {interval}"
        if kpi.get("target") is not None:
            share = kpi.get("share_met")
            days = f", met on {share:.0%} of days" if isinstance(share, float) else ""
            line += f"  target {kpi['direction']} {_fmt(kpi['target'])}: {kpi.get('met')}{days}"
        if key == "walkin_wait":
            line += f"  p90 {_fmt(kpi.get('p90'))}, max {_fmt(kpi.get('max'))}"
        if kpi.get("reason"):
            line += f"  ({kpi['reason']})"
        lines.append(line)
    unserved = results["citizens"]["unserved"]
    if unserved:
        lines.append(f"  warning: {unserved:.1f} citizens a day were never served")
    return "\n".join(lines)


def _progress(args: argparse.Namespace) -> ProgressBar | None:
    return None if args.quiet else ProgressBar(sys.stderr)


def simulate(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban simulate`; 0 on success, 2 for a bad scenario or options."""
    try:
        scenario = load_scenario(args.scenario)
        runs = run_replications(
            scenario, args.replications, args.seed, args.workers, _progress(args)
        )
        results = summarise_runs(runs)
    except ScenarioError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return 2
    except (SimulationError, ValueError) as error:
        print(f"{args.scenario}: {error}", file=sys.stderr)
        return 2
    print(format_results(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.report is not None:
        write_report(results, args.report)
    return 0


def plan(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban plan`; 0 if a plan meets every target, 1 if none was found, 2 on errors.

    With `[plan] shift_patterns` in the scenario it searches the cheapest roster of those
    patterns; otherwise the fewest comprehensive windows per hour.
    """
    try:
        scenario = load_scenario(args.scenario)
        search = find_roster_plan if scenario.shift_patterns else find_plan
        found = search(
            scenario,
            args.replications,
            args.seed,
            args.workers,
            args.max_windows,
            log=None if args.quiet else (lambda text: print(text, file=sys.stderr)),
        )
    except ScenarioError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return 2
    except (SimulationError, ValueError) as error:
        print(f"{args.scenario}: {error}", file=sys.stderr)
        return 2
    if isinstance(found, RosterPlan):
        summary = _print_roster(scenario, found)
    else:
        summary = _print_hourly(scenario, found)
    print(f"{found.evaluations} rosters simulated.")
    print(format_results(found.results))
    if not found.met:
        print("No plan met every target within the limits.", file=sys.stderr)
    if args.output is not None:
        original = tomllib.loads(Path(args.scenario).read_text(encoding="utf-8"))
        args.output.write_text(dump_scenario(found.scenario, original), encoding="utf-8")
    if args.json is not None:
        text = json.dumps({**found.results, "plan": summary}, ensure_ascii=False, indent=2)
        args.json.write_text(text, encoding="utf-8")
    return 0 if found.met else 1


def _print_hourly(scenario: Scenario, found: Plan) -> dict[str, Any]:
    hours = [scenario.clock(60.0 * h) for h in range(len(found.counts))]
    print("Comprehensive windows per hour (analytic start → plan):")
    for hour, start, count in zip(hours, found.analytic, found.counts, strict=True):
        print(f"  {hour}  {start:3d} → {count:3d}")
    return {"mode": "hourly", "hours": hours, "analytic": found.analytic, "windows": found.counts}


def _print_roster(scenario: Scenario, found: RosterPlan) -> dict[str, Any]:
    patterns = scenario.shift_patterns
    proven = "" if found.roster.optimal else " (search stopped at its limit: not proven)"
    print(f"Cheapest roster of the shift patterns, cost {found.roster.cost:g}{proven}:")
    for pattern, count in zip(patterns, found.roster.counts, strict=True):
        spans = ", ".join(f"{scenario.clock(s.start)}-{scenario.clock(s.end)}"
                          for s in pattern.available())  # fmt: skip
        print(f"  {pattern.name}: {count} × cost {pattern.cost:g}  ({spans})")
    hours = [scenario.clock(60.0 * h) for h in range(len(found.required))]
    print("Comprehensive windows per hour (analytic start → required → staffed):")
    for h, hour in enumerate(hours):
        print(f"  {hour}  {found.analytic[h]:3d} → {found.required[h]:3d} → "
              f"{found.coverage[h]:5.2f}")  # fmt: skip
    return {
        "mode": "shift_patterns",
        "cost": found.roster.cost,
        "proven_cheapest": found.roster.optimal,
        "patterns": [
            {"name": p.name, "cost": p.cost, "people": n}
            for p, n in zip(patterns, found.roster.counts, strict=True)
        ],
        "hours": hours,
        "analytic": found.analytic,
        "required": found.required,
        "staffed": found.coverage,
    }
