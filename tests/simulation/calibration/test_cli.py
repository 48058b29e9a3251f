"""`tongban calibrate` end to end: from the CSV export, and from the database (SQLite and
PostgreSQL) through `hall.analytics`, which must read the very same records."""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

import pytest

from hall.settings import Settings
from hall.store.db import Database
from simulation.calibration.calibrate import calibrate
from simulation.calibration.days import parse_day_type
from simulation.calibration.fitted import CalibrationInput
from simulation.calibration.records import read_records_csv
from simulation.scenario import load_scenario
from tests.conftest import make_settings
from tests.simulation.calibration.database import load_days
from tests.simulation.calibration.known import known_days, known_scenario, write_csv
from web.cli import build_parser


def run(argv: list[str], settings: Settings) -> int:
    args: argparse.Namespace = build_parser().parse_args(argv)
    code: int = args.run(args, settings)
    return code


def test_from_the_csv_a_scenario_a_back_test_and_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = write_csv(tmp_path / "tickets.csv", known_days())
    out, report = tmp_path / "calibrated.toml", tmp_path / "fit.html"
    argv = ["calibrate", "--csv", str(records), "-o", str(out), "--holdout", "5", "-n", "10",
            "--report", str(report)]  # fmt: skip
    assert run(argv, make_settings(tmp_path, "sqlite+aiosqlite:///unused.db")) == 0
    printed = capsys.readouterr().out
    assert "the model reproduces the held-out days" in printed
    scenario = load_scenario(out)
    assert len(scenario.walkin_per_hour) == 8
    page = report.read_text(encoding="utf-8")
    for part in ("回测 Back-test", "吻合 reproduced", "Kim &amp; Whitt", "<svg", "SI-REG"):
        assert part in page, part
    assert re.search(r"(src|href)=[\"']https?:", page) is None  # loads nothing


def test_bad_records_are_named_by_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path, "sqlite+aiosqlite:///unused.db")
    bad = tmp_path / "bad.csv"
    bad.write_text("ticket,hall,matter\n1,h,A\n", encoding="utf-8")
    assert run(["calibrate", "--csv", str(bad), "-o", str(tmp_path / "x.toml")], settings) == 2
    assert "line 1: is not the ticket record header" in capsys.readouterr().err
    good = write_csv(tmp_path / "good.csv", known_days()[:1]).read_text(encoding="utf-8-sig")
    lines = good.splitlines()
    lines[2] = lines[2].replace(lines[2].split(",")[8], "yesterday", 1)
    bad.write_text("\n".join(lines), encoding="utf-8")
    assert run(["calibrate", "--csv", str(bad), "-o", str(tmp_path / "x.toml")], settings) == 2
    assert "line 3: issued_at is not an ISO 8601 time: 'yesterday'" in capsys.readouterr().err
    missing = ["calibrate", "--csv", str(tmp_path / "none.csv"), "-o", str(tmp_path / "x.toml")]
    assert run(missing, settings) == 2
    assert "cannot be read" in capsys.readouterr().err
    saturday = ["calibrate", "--csv", str(good and tmp_path / "good.csv"), "-o", "x.toml",
                "--weekdays", "sat"]  # fmt: skip
    assert run(saturday, settings) == 2
    assert "no day of the day type 'sat'" in capsys.readouterr().err


FROM_DB_DAYS = 8


@pytest.mark.asyncio
async def test_from_the_database_the_same_records_and_the_sessions(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    days = known_days()[:FROM_DB_DAYS]
    await load_days(db, "district", days)
    out = tmp_path / "from-db.toml"
    first, last = days[0].day.isoformat(), days[-1].day.isoformat()
    argv = ["calibrate", "--hall", "district", "--from", first, "--to", last, "-o", str(out)]
    assert await asyncio.to_thread(run, argv, make_settings(tmp_path, db_url)) == 0
    from_db = load_scenario(out)
    records = read_records_csv(write_csv(tmp_path / "t.csv", days))
    from_csv = calibrate(CalibrationInput(records, None, None, "csv"), parse_day_type("mon-fri"))
    # The same records: the same rates, service times and no-shows to the last digit.
    assert from_db.walkin_per_hour == from_csv.scenario.walkin_per_hour
    assert from_db.appointments == from_csv.scenario.appointments
    services = {m.code: m.service for m in from_csv.scenario.matters}
    assert {m.code: m.service for m in from_db.matters if m.code in services} == services
    # The roster from the sessions is exactly the known one: every break in its place.
    truth = known_scenario().window_plans()
    assert len(from_db.windows) == len(truth)
    for group, plan in zip(from_db.windows, truth, strict=True):
        assert group.shifts is not None
        assert [(s.start, min(s.end, 480.0)) for s in group.shifts] == [
            (s.start, min(s.end, 480.0)) for s in plan.available
        ]
    assert "the windows' sessions" in out.read_text(encoding="utf-8")
