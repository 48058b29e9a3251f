"""`tongban simulate`, `plan`, `compare` and `sweep`: the simulator's subcommands
(docs/simulator.md).

`web.cli` (the composition root) calls `register` to add them to the console script.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from queueing.errors import QueueingError
from simulation.calibration import cli as calibration_cli
from simulation.compare import compare_runs, format_comparison
from simulation.errors import ScenarioError, SimulationError
from simulation.executors import executor_for
from simulation.plan import find_plan
from simulation.plan_text import format_plan, plan_summary
from simulation.report import write_report
from simulation.results import summarise_runs
from simulation.runner import ReplicationPool, Runs
from simulation.scenario import load_scenario
from simulation.scenario_writer import dump_scenario
from simulation.sweep import parse_demand, parse_windows, run_sweep
from simulation.sweep_report import format_sweep, sweep_json, write_sweep_report
from simulation.text import format_results
from simulation.whatif import cli as whatif_cli

__all__ = ["ProgressBar", "compare", "plan", "register", "simulate", "sweep"]

Command = Callable[[argparse.Namespace, object], int]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `simulate`, `plan`, `compare` and `sweep` subcommands to the top-level parser."""
    sim = sub.add_parser("simulate", help="simulate a scenario and check the service targets")
    _common(sim, "scenario")
    _outputs(sim)
    sim.set_defaults(run=simulate)
    planner = sub.add_parser(
        "plan",
        help="find the cheapest roster (shifts with lunch breaks) that keeps every hour "
        "stable and meets every target on the required share of days",
    )
    _common(planner, "scenario")
    _outputs(planner)
    planner.add_argument(
        "--output", type=Path, metavar="OUT.toml", help="write the scenario with the plan filled in"
    )
    planner.add_argument("--max-windows", type=int, default=60, help="per hour (default 60)")
    planner.set_defaults(run=plan)
    comparer = sub.add_parser(
        "compare", help="compare scenario B with A on common random numbers (paired differences)"
    )
    comparer.add_argument("a", type=Path, help="scenario A (its seed and replications are used)")
    _common(comparer, "b")
    comparer.add_argument("--json", type=Path, metavar="OUT", help="write the comparison as JSON")
    comparer.set_defaults(run=compare)
    sweeper = sub.add_parser(
        "sweep", help="simulate a grid of comprehensive windows × demand; share of days met"
    )
    _common(sweeper, "scenario")
    _outputs(sweeper)
    sweeper.add_argument("--windows", required=True, help="comprehensive windows: 8..14 or 8,10")
    sweeper.add_argument("--demand", default="1.0", help="demand factors: 0.8,1.0,1.2")
    sweeper.set_defaults(run=sweep)
    calibration_cli.register(sub)
    whatif_cli.register(sub)


def _common(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument(name, type=Path, help="scenario TOML file")
    parser.add_argument("--replications", "-n", type=int, help="default: the scenario's [run]")
    parser.add_argument("--seed", type=int, help="default: the scenario's seed")
    parser.add_argument("--workers", "-j", type=int, default=1, help="processes (0 = one per CPU)")
    parser.add_argument(
        "--executor",
        metavar="SPEC",
        help="where replications run: local (default, --workers processes) or "
        "dask://HOST:8786 (a Dask scheduler; needs the extra 'cluster')",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    parser.add_argument("--report", type=Path, metavar="OUT.html", help="write an HTML report")


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


def _progress(args: argparse.Namespace) -> ProgressBar | None:
    return None if args.quiet else ProgressBar(sys.stderr)


def _pool(args: argparse.Namespace) -> ReplicationPool:
    return ReplicationPool(args.workers, executor_for(args.executor, args.workers))


def _write_json(path: Path | None, data: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _guarded(command: Command) -> Command:
    """Report bad scenarios, options and unstable inputs as one sentence each, exit 2."""

    def run(args: argparse.Namespace, settings: object) -> int:
        try:
            return command(args, settings)
        except ScenarioError as error:
            print("\n".join(error.lines()), file=sys.stderr)
        except (SimulationError, QueueingError, ValueError) as error:
            print(f"tongban {args.command}: {error}", file=sys.stderr)
        except MemoryError:
            print(f"tongban {args.command}: the scenario is too big to simulate.", file=sys.stderr)
        return 2

    run.__doc__ = command.__doc__
    return run


@_guarded
def simulate(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban simulate`; 0 on success, 2 for a bad scenario, option or steady state."""
    scenario = load_scenario(args.scenario)
    count = scenario.run.replications if args.replications is None else args.replications
    seed = scenario.seed if args.seed is None else args.seed
    with _pool(args) as pool:
        days = pool.run(scenario, count, seed, _progress(args))
    results = summarise_runs(Runs(scenario, seed, days))
    print(format_results(results))
    _write_json(args.json, results)
    if args.report is not None:
        write_report(results, args.report)
    return 0


@_guarded
def plan(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban plan`; 0 if a plan meets every target, 1 if none was found, 2 on errors."""
    scenario = load_scenario(args.scenario)
    say = None if args.quiet else (lambda text: print(text, file=sys.stderr))
    with _pool(args) as pool:
        found = find_plan(scenario, args.replications, args.seed, pool, args.max_windows, say)
    print(format_plan(scenario, found))
    print(format_results(found.results))
    if not found.met:
        print("没有找到满足全部目标的排班 No roster met every target within the limits.",
              file=sys.stderr)  # fmt: skip
    if args.output is not None:
        original = tomllib.loads(Path(args.scenario).read_text(encoding="utf-8"))
        args.output.write_text(dump_scenario(found.scenario, original), encoding="utf-8")
    results = {**found.results, "plan": plan_summary(scenario, found)}
    _write_json(args.json, results)
    if args.report is not None:
        write_report(results, args.report)
    return 0 if found.met else 1


@_guarded
def compare(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban compare A B`; 0 on success, 2 for a bad scenario or option."""
    a, b = load_scenario(args.a), load_scenario(args.b)
    count = a.run.replications if args.replications is None else args.replications
    seed = a.seed if args.seed is None else args.seed
    with _pool(args) as pool:
        days_a, days_b = pool.run_many([(a, count, seed), (b, count, seed)], _progress(args))
    level = a.targets.confidence
    comparison = compare_runs(Runs(a, seed, days_a), Runs(b, seed, days_b), level)
    print(format_comparison(comparison))
    _write_json(args.json, comparison)
    return 0


@_guarded
def sweep(args: argparse.Namespace, settings: object) -> int:
    """Run `tongban sweep`; 0 on success, 2 for a bad scenario or option."""
    scenario = load_scenario(args.scenario)
    windows, demand = parse_windows(args.windows), parse_demand(args.demand)
    with _pool(args) as pool:
        cells = run_sweep(
            scenario, windows, demand, args.replications, args.seed, pool, _progress(args)
        )
    print(format_sweep(scenario, cells))
    _write_json(args.json, sweep_json(scenario, cells))
    if args.report is not None:
        write_sweep_report(scenario, cells, args.report)
    return 0
