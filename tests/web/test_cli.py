"""``tongban serve --workers N``: refused without PostgreSQL and a cross-process display
backend; with them, N processes share the port and a call reaches screens on all of them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.displays.test_cross_process import make_database
from tests.live_server import free_port


def serve(tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    full = {**os.environ, "HALL_DATA_DIR": str(tmp_path / "data"), "HALL_LOG_LEVEL": "warning"}
    for name in ("HALL_DATABASE_URL", "HALL_CONFIG", "HALL_DISPLAY_BACKEND"):
        full.pop(name, None)
    full["HALL_CLOCK_START"] = "2026-11-23T01:00:00+00:00"  # Monday 09:00: the halls issue
    full.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def refused(process: subprocess.Popen[str]) -> str:
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 2, err
    return err


def test_workers_refuse_sqlite_with_a_bilingual_message(tmp_path: Path) -> None:
    err = refused(serve(tmp_path, "--workers", "2", "--port", str(free_port())))
    assert "多个服务进程需要 PostgreSQL 数据库" in err
    assert "Several server processes need PostgreSQL" in err
    assert not (tmp_path / "data" / "tongban.db").exists()  # nothing was started


@pytest.mark.postgres
def test_workers_refuse_the_in_process_display_backend(tmp_path: Path) -> None:
    url, drop = make_database()
    try:
        err = refused(
            serve(tmp_path, "--workers", "2", "--port", str(free_port()), HALL_DATABASE_URL=url)
        )
    finally:
        drop()
    assert "HALL_DISPLAY_BACKEND" in err
    assert "跨进程的大屏通道" in err
    assert "cross-process display backend" in err


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


@pytest.mark.postgres
def test_workers_share_the_port_and_every_screen_gets_the_call(tmp_path: Path) -> None:
    url, drop = make_database()
    port = free_port()
    server = serve(
        tmp_path,
        "--workers",
        "2",
        "--port",
        str(port),
        HALL_DATABASE_URL=url,
        HALL_DISPLAY_BACKEND="postgres",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, server.communicate()[1]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        workers = children(server.pid)
        assert len([w for w in workers if Path(f"/proc/{w}").exists()]) >= 2
        url_ws = f"ws://127.0.0.1:{port}/ws/halls/district/screens"
        with contextlib.ExitStack() as stack:
            # Spread by the kernel over both processes.
            screens = [stack.enter_context(connect(url_ws)) for _ in range(6)]
            for ws in screens:
                assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"
            with httpx.Client(base_url=base, timeout=30) as http:
                login = http.post(
                    "/api/session", json={"username": "clerk01", "password": "tongban-demo"}
                )
                headers = {"X-CSRF-Token": login.json()["csrf_token"]}
                hall = "/api/halls/district"
                http.post(f"{hall}/windows/1/sign-in", headers=headers)
                ticket = http.post(f"{hall}/tickets", json={"matter": "SI-REG"}).json()
                http.post(f"{hall}/windows/1/call-next", headers=headers)
            for ws in screens:
                for _ in range(20):
                    message = json.loads(ws.recv(timeout=30))
                    if message["type"] == "called":
                        assert message["ticket"] == ticket["number"]
                        break
                else:
                    raise AssertionError("a screen did not get the call")
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
        server.communicate(timeout=60)
        drop()
