"""`tongban whatif` against a running demo with a driven queue, and offline from the state
it saved: the same question gives the same answer both ways."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from hall.settings import Settings
from tests.conftest import make_settings
from tests.web.browser import LiveServer, run_server
from tests.web.helpers import DEMO_PASSWORD, FakeClock
from web.app import create_app
from web.cli import build_parser

MONDAY_1000 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def run(argv: list[str], settings: Settings) -> int:
    args: argparse.Namespace = build_parser().parse_args(argv)
    code: int = args.run(args, settings)
    return code


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo hall at 10:00 with 20 walk-ins; windows 1–3 serving since 09:00."""
    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"))
    with run_server(tmp_path, app) as server:
        app.state.clock = FakeClock(MONDAY_1000)
        with httpx.Client(base_url=server.url(), timeout=10) as kiosk:
            for _ in range(20):
                taken = kiosk.post("/api/halls/district/tickets", json={"matter": "SI-CARD"})
                assert taken.is_success
        for window in (1, 2, 3):
            with httpx.Client(base_url=server.url(), timeout=10) as http:
                name = f"clerk{window:02d}"
                login = http.post(
                    "/api/session", json={"username": name, "password": DEMO_PASSWORD}
                )
                headers = {"X-CSRF-Token": login.json()["csrf_token"]}
                for action in ("sign-in", "call-next", "start"):
                    done = http.post(
                        f"/api/halls/district/windows/{window}/{action}", headers=headers
                    )
                    assert done.is_success, done.text
        yield server


def test_a_supervisor_asks_the_server_then_the_saved_state_gives_the_same_answer(
    demo: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("TONGBAN_PASSWORD", DEMO_PASSWORD)
    settings = make_settings(tmp_path, "sqlite+aiosqlite:///unused.db")
    online, offline, state = (
        tmp_path / "online.json",
        tmp_path / "offline.json",
        tmp_path / "state.json",
    )
    question = ["--open", "7,8@10:30", "--close", "3@15:00", "-n", "12", "--seed", "4"]
    argv = ["whatif", "--server", demo.url(), "--hall", "district", *question,
            "--json", str(online), "--save-state", str(state)]  # fmt: skip
    assert run(argv, settings) == 0
    printed = capsys.readouterr().out
    assert "清空时间 hall empty at" in printed
    assert "现场取号等候 Walk-in wait" in printed
    answer = json.loads(online.read_text(encoding="utf-8"))
    assert answer["changes"] == [{"open": [7, 8], "at": "10:30"}, {"close": [3], "at": "15:00"}]
    assert len(answer["baseline"]["tickets"]) == 17  # 20 taken, 3 at windows
    assert run(["whatif", "--state", str(state), *question, "--json", str(offline)], settings) == 0
    again = json.loads(offline.read_text(encoding="utf-8"))
    answer.pop("seconds")
    assert again == answer  # the same state, profile, question and seed: the same answer


def test_bad_inputs_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, "sqlite+aiosqlite:///unused.db")
    junk = tmp_path / "junk.json"
    junk.write_text('{"hall": "x"}', encoding="utf-8")
    assert run(["whatif", "--state", str(junk)], settings) == 2
    assert "not a saved hall snapshot" in capsys.readouterr().err
    assert run(["whatif", "--state", str(tmp_path / "none.json")], settings) == 2
    assert "cannot read a saved state" in capsys.readouterr().err
    monkeypatch.setenv("TONGBAN_PASSWORD", "x")
    nowhere = ["whatif", "--server", "http://127.0.0.1:9", "--hall", "district"]
    assert run(nowhere, settings) == 2
    assert "Cannot reach http://127.0.0.1:9" in capsys.readouterr().err
