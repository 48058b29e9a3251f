"""The server's access log never holds a query string (phone numbers travel in them)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.live_server import LiveServer


def test_access_log_keeps_paths_and_drops_query_strings(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path,
        HALL_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'log.db'}",
        HALL_LOG_LEVEL="info",
    ).start()
    try:
        # An old client still sending the phone in a query string: 410, and not logged.
        answer = httpx.get(f"{server.url}/api/appointments/NOSUCHCODE?phone=13912345678")
        assert answer.status_code == 410
    finally:
        server.stop()
    log = "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
    assert "/api/appointments/NOSUCHCODE" in log  # the request was logged ...
    assert "13912345678" not in log  # ... without the phone number
