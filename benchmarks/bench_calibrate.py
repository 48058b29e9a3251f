"""Calibration speed: a year of one hall's ticket records, against reading the CSV alone.

Run by hand: `.venv/bin/python benchmarks/bench_calibrate.py [--days N] [--rounds R]`.

The records are a year of the demo weekday (`simulation/examples/demo_weekday.toml`, about
1,950 citizens a day, 250 weekdays: ~490,000 tickets plus the bookings nobody came to),
simulated once and written in the export format (docs/api.md) to a temporary file.

- **baseline**: read the file with the standard `csv` module (every row, nothing else).
- **calibrate**: what `tongban calibrate --csv FILE -o OUT` does without a back-test: read
  the records into arrays (ISO times parsed), fit the arrivals with their Poisson tests,
  the service times, the book and the roster, write the commented scenario and read it
  back with the simulator's loader.

The two alternate, R rounds; the ratio of the medians is the figure. Then the back-test of
the last 10 days (30 replications on this process) is timed once, for information.

Goal (issue 19): calibrate < 5 × baseline.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from hall.analytics.export import TICKET_COLUMNS
from simulation.calibration.backtest import backtest
from simulation.calibration.calibrate import calibrate
from simulation.calibration.days import parse_day_type
from simulation.calibration.fitted import CalibrationInput
from simulation.calibration.records import read_records_csv
from simulation.calibration.synthetic import simulate_days, workdays
from simulation.scenario import load_scenario

SCENARIO = Path(__file__).parents[1] / "simulation" / "examples" / "demo_weekday.toml"
GOAL = 5.0


def write_year(path: Path, days: int) -> int:
    """Simulate `days` weekdays of the demo hall into `path`; returns the rows written."""
    scenario = load_scenario(SCENARIO)
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TICKET_COLUMNS)
        for day in simulate_days(scenario, workdays(date(2025, 1, 6), days)):
            writer.writerows(day.rows)
            rows += len(day.rows)
    return rows


def read_only(path: Path) -> int:
    """The baseline: every row through the standard csv module."""
    count = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for _ in csv.reader(handle):
            count += 1
    return count


def calibrate_file(path: Path) -> object:
    records = read_records_csv(path)
    return calibrate(CalibrationInput(records, None, None, str(path)), parse_day_type("mon-fri"))


def timed(action: object, *args: object) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process) of one call."""
    started, cpu = time.perf_counter(), time.process_time()
    action(*args)  # type: ignore[operator]
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=250, help="weekdays of records (250)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--csv", type=Path, help="use these records instead of simulating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.csv or Path(folder) / "tickets.csv"
        started = time.perf_counter()
        rows = read_only(path) - 1 if args.csv else write_year(path, args.days)
        size = path.stat().st_size / 1e6
        how = "read" if args.csv else "simulated and written"
        print(f"records: {rows:,} rows, {size:.0f} MB "
              f"({how} in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        baseline, ours = [], []
        for _ in range(args.rounds):
            baseline.append(timed(read_only, path))
            ours.append(timed(calibrate_file, path))
        for kind, k in (("wall", 0), ("CPU", 1)):
            base = statistics.median(b[k] for b in baseline)
            cal = statistics.median(c[k] for c in ours)
            rounds = ", ".join(
                f"{b[k]:.2f}/{c[k]:.2f}" for b, c in zip(baseline, ours, strict=True)
            )
            print(f"{kind:>4}: read with csv {base:5.2f} s, calibrate {cal:5.2f} s: "
                  f"{cal / base:.2f}× (rounds csv/calibrate: {rounds})")  # fmt: skip
        ratio = statistics.median(c[0] for c in ours) / statistics.median(b[0] for b in baseline)
        met = "met" if ratio < GOAL else "NOT met"
        print(f"goal: calibrate < {GOAL:g}× the csv read (wall clock, medians): {met}")
        records = read_records_csv(path)
        cal_held = calibrate(
            CalibrationInput(records, None, None, "bench"), parse_day_type("mon-fri"), 10
        )
        held = list(records.by_day(cal_held.held_out).values())
        started = time.perf_counter()
        result = backtest(cal_held.scenario, held, len(cal_held.training), 30)
        verdict = "reproduces" if result.passed else f"misses {result.missed}"
        seconds = time.perf_counter() - started
        print(f"back-test of 10 held-out days, 30 replications: {seconds:.1f} s; "
              f"the model {verdict} them")  # fmt: skip
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ratio < GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
