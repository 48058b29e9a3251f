"""Start and stop real `tongban serve` processes on 127.0.0.1 for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """One server process; always stopped by its PID (never by name)."""

    def __init__(self, data_dir: Path, port: int | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = {
            **os.environ,
            "HALL_DATA_DIR": str(data_dir),
            "HALL_LOG_LEVEL": "warning",
            # Monday 09:00 in the demo halls, when they issue tickets (the clock runs on).
            "HALL_CLOCK_START": "2026-11-23T01:00:00+00:00",
            # ... from now: servers made together, or this one restarted, keep one clock.
            "HALL_CLOCK_ANCHOR": repr(time.time()),
            # Anonymous ticket limits off; a test of them passes its own values.
            "HALL_TICKET_RATE_LIMIT": "0",
            "HALL_KIOSK_RATE_LIMIT": "0",
        }
        self.env.pop("HALL_CONFIG", None)
        self.env.update(env)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> LiveServer:
        log_path = self.data_dir / f"server-{self.port}.log"
        with log_path.open("ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, exactly like a power cut of the process."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


async def wait_until_answering(base: str, attempts: int = 300) -> None:
    """Wait until an HTTP server at ``base`` answers anything at all (benchmarks' baselines)."""
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(attempts):
            try:
                await http.get("/")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not start")


@contextlib.contextmanager
def two_servers(tmp_path: Path, **env: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two server processes on one database (``env`` names it) keeping one clock; the
    first migrates and loads the demo halls before the second starts. Both are stopped
    by their PIDs."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    # One clock for both: HALL_CLOCK_START's time at one real moment.
    env = {"HALL_CLOCK_ANCHOR": repr(time.time()), **env}
    first = LiveServer(tmp_path / "a", **env)
    second = LiveServer(tmp_path / "b", **env)
    try:
        first.start()
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()
