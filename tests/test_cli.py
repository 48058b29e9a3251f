"""The tongban console script: config check/export/load and db upgrade, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from hall.catalogue.loader import demo_config_path, load_config, parse_config


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path / "data")}
    env.pop("HALL_DATABASE_URL", None)
    env.pop("HALL_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_config_check_accepts_the_demo(tmp_path: Path) -> None:
    result = run(tmp_path, "config", "check", str(demo_config_path()))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 2 hall(s)")


def test_config_check_lists_every_problem_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        """
[[halls]]
id = "h1"
name = "测试大厅"
name_en = "Test hall"
timezone = "Mars/Olympus"
colour = "red"

[[halls.groups]]
code = "g"
name = "组"
name_en = "Group"

[[halls.matters]]
code = "M1"
name = "事项"
name_en = "Matter"
class = "simple"
expected_minutes = 10
prefix = "A"
group = "g"

[[halls.windows]]
number = 1
kind = "comprehensive"
skills = ["X9"]
""",
        encoding="utf-8",
    )
    result = run(tmp_path, "config", "check", str(broken))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert lines == [
        f"{broken}: halls[0].colour: unknown key (allowed: id, name, name_en, level, timezone, "
        "address, opening_hours, holidays, makeup_workdays, extended_sessions, groups, matters, "
        "windows, booking, rating, cases, day, policy, notice)",
        f"{broken}: halls[0].timezone: unknown time zone 'Mars/Olympus' "
        "(use an IANA name like Asia/Shanghai)",
        f"{broken}: halls[0].matters[0].class: 'simple' is not one of: general, complex",
        f"{broken}: halls[0].windows[0].skills: unknown matter code 'X9'",
    ]


def test_config_check_reports_invalid_toml_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[halls]\nid = 1", encoding="utf-8")
    result = run(tmp_path, "config", "check", str(bad))
    assert result.returncode == 1
    assert "not valid TOML" in result.stderr
    result = run(tmp_path, "config", "check", str(tmp_path / "missing.toml"))
    assert result.returncode == 1
    assert "file not found" in result.stderr


def test_load_then_export_round_trips_through_the_database(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    loaded = run(tmp_path, "config", "load", str(demo_config_path()))
    assert loaded.returncode == 0, loaded.stderr
    out = tmp_path / "exported.toml"
    exported = run(tmp_path, "config", "export", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert parse_config(tomllib.loads(out.read_text(encoding="utf-8"))) == load_config(
        demo_config_path()
    )
    assert (tmp_path / "data" / "tongban.db").exists()
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_day_close_closes_a_day_once_and_explains_refusals(tmp_path: Path) -> None:
    assert run(tmp_path, "config", "load", str(demo_config_path())).returncode == 0
    first = run(tmp_path, "day", "close", "--hall", "district", "--date", "2026-11-23")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("district 2026-11-23: closed; 0 ticket(s) unserved")
    again = run(tmp_path, "day", "close", "--hall", "district", "--date", "2026-11-23")
    assert again.returncode == 0, again.stderr
    assert "already closed at" in again.stdout
    unknown = run(tmp_path, "day", "close", "--hall", "nowhere")
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr
    assert "没有编号为“nowhere”的大厅。" in unknown.stderr


def test_serve_refuses_to_start_without_a_secret_key_outside_demo_mode(tmp_path: Path) -> None:
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path / "data")}
    env.pop("HALL_SECRET_KEY", None)
    env.pop("HALL_SECRET_KEY_FILE", None)
    env["HALL_CONFIG"] = str(demo_config_path())
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "HALL_SECRET_KEY" in result.stderr
    assert "缺少密钥" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()
