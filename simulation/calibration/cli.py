"""`tongban calibrate`: a scenario from the hall's own records (docs/simulator.md).

From a CSV export (`--csv tickets.csv`) or from the database of HALL_DATABASE_URL
(`--hall H --from DATE --to DATE`, through `hall.analytics.calibration`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from hall.analytics.calibration import calibration_source
from hall.catalogue.loader import load_config
from hall.catalogue.schema import Hall
from hall.errors import ConfigError, HallError
from hall.settings import Settings
from hall.store.db import Database
from hall.store.models import utcnow
from queueing.policy import policy_problems
from simulation.calibration.backtest import Backtest, backtest
from simulation.calibration.calibrate import calibrate
from simulation.calibration.days import parse_day_type
from simulation.calibration.fitted import Calibration, CalibrationInput, day_text
from simulation.calibration.records import read_records_csv, records_from_rows
from simulation.calibration.report import write_fit_report
from simulation.calibration.roster import OpenSpan
from simulation.calibration.times import EPOCH_ORDINAL
from simulation.calibration.writer import clock
from simulation.errors import CalibrationError, InvalidInputError, ScenarioError
from simulation.runner import ReplicationPool

__all__ = ["register", "run_calibrate"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `tongban calibrate` to the top-level parser."""
    p = sub.add_parser("calibrate", help="calibrate a scenario from the hall's ticket records")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--csv", type=Path, help="the ticket records export (tickets.csv)")
    where.add_argument("--from", dest="start", help="first service day YYYY-MM-DD (database)")
    p.add_argument("--to", dest="end", help="last service day YYYY-MM-DD (database)")
    p.add_argument("--hall", help="the hall's id (database; with --csv, the hall in --hall-config)")
    p.add_argument(
        "--hall-config", type=Path, help="hall configuration TOML: opening hours, names, windows"
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="the scenario TOML to write")
    p.add_argument(
        "--weekdays", default="mon-fri", help="day type: mon-fri (default), sat, tue,thu …"
    )
    p.add_argument(
        "--holdout", type=int, default=0, help="hold out the last N days for a back-test"
    )
    p.add_argument("--replications", "-n", type=int, default=30, help="back-test replications (30)")
    p.add_argument("--seed", type=int, default=0, help="the scenario's seed (0)")
    p.add_argument("--workers", "-j", type=int, default=1, help="processes for the back-test")
    p.add_argument("--name", help="the scenario's name")
    p.add_argument("--report", type=Path, metavar="FIT.html", help="write the fit report")
    p.set_defaults(run=run_calibrate)


def _day(text: str | None, option: str) -> date:
    if text is None:
        raise InvalidInputError(f"{option} is required with the database (YYYY-MM-DD).")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{option} {text!r} is not a date YYYY-MM-DD.") from None


def _config_hall(path: Path, hall_id: str | None) -> Hall:
    config = load_config(path, policy_problems)
    if hall_id is None and len(config.halls) == 1:
        return config.halls[0]
    found = config.hall(hall_id or "")
    if found is None:
        known = ", ".join(h.id for h in config.halls)
        raise InvalidInputError(f"{path} has no hall {hall_id!r}; give --hall, one of {known}.")
    return found


def _from_csv(args: argparse.Namespace) -> CalibrationInput:
    records = read_records_csv(args.csv)
    hall = None
    if args.hall_config is not None:
        hall = _config_hall(args.hall_config, args.hall or records.hall or None)
    return CalibrationInput(records, None, hall, str(args.csv))


def _from_database(args: argparse.Namespace, settings: Settings) -> CalibrationInput:
    if not args.hall:
        raise InvalidInputError("--hall is required with --from/--to (the hall's id).")
    start, end = _day(args.start, "--from"), _day(args.end, "--to")

    async def read() -> CalibrationInput:
        db = Database(settings.database_url)
        try:
            found = await calibration_source(db, args.hall, start, end, utcnow())
        finally:
            await db.dispose()
        records = records_from_rows(found.header, found.rows, f"hall {args.hall}")
        spans = [
            OpenSpan(i.day.toordinal() - EPOCH_ORDINAL, i.window, i.start, i.end)
            for i in found.open_intervals
        ]
        hall = found.hall if args.hall_config is None else _config_hall(args.hall_config, args.hall)
        return CalibrationInput(
            records,
            spans,
            hall,
            f"{settings.database_url.split('://')[0]} database, {start} to {end}",
        )

    return asyncio.run(read())


def _print(cal: Calibration, result: Backtest | None, output: Path) -> None:
    print(f"{cal.name}: {len(cal.training)} days fitted "
          f"({day_text(cal.training[0])} – {day_text(cal.training[-1])}), "
          f"open {clock(cal.opening.open_minute)}–{clock(cal.opening.close_minute)}")  # fmt: skip
    failing = [clock(f.start) for f in cal.hours if f.poisson is False]
    rates = ", ".join(f"{clock(f.start)} {f.rate:.1f}" for f in cal.hours)
    print(f"  walk-ins per hour: {rates}")
    if failing:
        print(f"  Poisson within the hour rejected (p < 0.05) at {', '.join(failing)}")
    for m in cal.matters:
        fit = m.service
        what = (
            f"exponential ({m.fallback})"
            if fit is None
            else f"{fit.family}, mean {fit.chosen.mean:.2f} min, n = {fit.n}"
        )
        print(f"  {m.code}: {what}")
    print(f"  no-show {cal.book.no_show_rate:.1%} of {cal.book.bookings} bookings; "
          f"{len(cal.roster)} windows in the roster")  # fmt: skip
    if result is not None:
        verdict = (
            "reproduces the held-out days"
            if result.passed
            else f"misses {', '.join(result.missed)}"
        )
        print(f"  back-test on {result.days} held-out days: the model {verdict}")
    print(f"Wrote {output}")


def run_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Run `tongban calibrate`; 0 done, 1 the back-test missed a KPI, 2 on errors."""
    try:
        given = _from_csv(args) if args.csv is not None else _from_database(args, settings)
        cal = calibrate(given, parse_day_type(args.weekdays), args.holdout, args.seed, args.name)
        result = None
        if cal.held_out:
            held = list(given.records.by_day(cal.held_out).values())
            with ReplicationPool(args.workers) as pool:
                result = backtest(
                    cal.scenario, held, len(cal.training), args.replications, pool=pool
                )
        args.output.write_text(cal.text, encoding="utf-8")
        if args.report is not None:
            write_fit_report(cal, given.records, result, args.report)
    except ScenarioError as error:  # the records file, or (a bug) the scenario written
        print("\n".join(error.lines()), file=sys.stderr)
        return 2
    except (CalibrationError, InvalidInputError) as error:
        print(f"tongban calibrate: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        print("\n".join(f"{args.hall_config}: {p}" for p in error.problems), file=sys.stderr)
        return 2
    except HallError as error:
        print(f"tongban calibrate: {error.message}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as error:
        print(f"tongban calibrate: cannot read or write: {error}", file=sys.stderr)
        return 2
    _print(cal, result, args.output)
    return 0 if result is None or result.passed else 1
