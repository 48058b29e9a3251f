"""The one settings object, read from ``HALL_*`` environment variables (Starlette Config).

Every setting has a default and a help line here; the README lists them all (a test
checks that the two agree).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from starlette.config import Config


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented environment variable."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("HALL_DATA_DIR", "data", "Folder for the SQLite file and the generated secret key."),
    Setting(
        "HALL_DATABASE_URL",
        "sqlite+aiosqlite:///<HALL_DATA_DIR>/tongban.db",
        "Database URL: sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB.",
    ),
    Setting(
        "HALL_CONFIG",
        "(unset: demo mode)",
        "Hall configuration TOML loaded into an empty database; unset = the demo halls.",
    ),
    Setting(
        "HALL_SECRET_KEY",
        "(generated into <HALL_DATA_DIR>/secret_key)",
        "Key for session cookies, CSRF tokens and the keyed hashes of ID numbers.",
    ),
    Setting("HALL_HOST", "127.0.0.1", "Address the server listens on."),
    Setting("HALL_PORT", "8000", "Port the server listens on (`tongban serve --port` overrides)."),
    Setting(
        "HALL_DEMO_PASSWORD",
        "tongban-demo",
        "Password of the demo accounts (admin, supervisor, clerk01…clerk24); demo mode only.",
    ),
    Setting("HALL_LOG_LEVEL", "info", "Log level: debug, info, warning or error."),
    Setting(
        "HALL_BOOKING_RATE_LIMIT",
        "30",
        "Booking requests per minute per client IP (0 turns it off, e.g. for load tests).",
    ),
    Setting(
        "HALL_DISPLAY_BACKEND",
        "memory",
        "How screen updates reach every server process: memory (one process), postgres "
        "(LISTEN/NOTIFY on HALL_DATABASE_URL) or redis (pub/sub on HALL_REDIS_URL).",
    ),
    Setting(
        "HALL_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL for the redis display backend."
    ),
    Setting(
        "HALL_ANNOUNCE_LANGUAGES",
        "zh",
        "Languages of spoken calls, in order: zh, en or zh,en.",
    ),
    Setting("HALL_ANNOUNCE_REPEAT", "2", "How many times a call (and a recall) is spoken."),
    Setting(
        "HALL_SCREEN_QUEUE",
        "64",
        "Messages queued per screen connection; a screen that falls further behind is "
        "dropped and resynchronises.",
    ),
    Setting(
        "HALL_SCREEN_HEARTBEAT_SECONDS",
        "10",
        "Heartbeat interval on screen sockets; a socket silent for three intervals is closed.",
    ),
    Setting(
        "HALL_SCREEN_SOCKETS_PER_ADDRESS",
        "200",
        "Screen sockets one client address may hold open in one server process; more are "
        "closed with code 4429 (0: no limit).",
    ),
    Setting(
        "HALL_SCREEN_SOCKETS_TOTAL",
        "20000",
        "Screen sockets one server process holds open; more are closed with code 1013, "
        "try again later (0: no limit).",
    ),
    Setting(
        "HALL_WHATIF_SCENARIOS",
        "(unset: calibrate from the hall's records)",
        "Folder of calibrated scenarios for the live what-if, <hall>-<weekday>.toml or "
        "<hall>.toml as `tongban calibrate` writes them; unset, the server calibrates from "
        "the hall's last eight weeks of records, else projects today's own arrival rate.",
    ),
    Setting(
        "HALL_WAIT_ESTIMATE",
        "queue",
        "Where a citizen's estimated wait comes from: queue (the tickets ahead and the "
        "windows open now) or projection (the what-if's projection of the rest of the day, "
        "which knows the roster and the bookings still to come).",
    ),
    Setting(
        "HALL_CLOCK_START",
        "(unset: the real time)",
        "Start the server's clock at this ISO time (it then runs on); for training and tests.",
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings for one server or CLI process."""

    data_dir: Path
    database_url: str
    config_path: Path | None
    secret_key: str
    host: str
    port: int
    demo_password: str
    log_level: str
    booking_rate_limit: int = 30
    display_backend: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    announce_languages: tuple[str, ...] = ("zh",)
    announce_repeat: int = 2
    screen_queue: int = 64
    screen_heartbeat_seconds: float = 10.0
    screen_sockets_per_address: int = 200
    screen_sockets_total: int = 20000
    whatif_scenarios: Path | None = None
    wait_estimate: str = "queue"
    clock_start: datetime | None = None

    @property
    def demo(self) -> bool:
        """Demo mode: no HALL_CONFIG given, so the shipped demo halls and accounts are used."""
        return self.config_path is None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment (os.environ by default)."""
        config = Config(environ=dict(os.environ if environ is None else environ))
        data_dir = Path(config("HALL_DATA_DIR", default="data"))
        database_url = config(
            "HALL_DATABASE_URL", default=f"sqlite+aiosqlite:///{data_dir / 'tongban.db'}"
        )
        config_file = config("HALL_CONFIG", default="")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            config_path=Path(config_file) if config_file else None,
            secret_key=config("HALL_SECRET_KEY", default="") or _stored_secret(data_dir),
            host=config("HALL_HOST", default="127.0.0.1"),
            port=config("HALL_PORT", cast=int, default=8000),
            demo_password=config("HALL_DEMO_PASSWORD", default="tongban-demo"),
            log_level=config("HALL_LOG_LEVEL", default="info").lower(),
            booking_rate_limit=config("HALL_BOOKING_RATE_LIMIT", cast=int, default=30),
            display_backend=config("HALL_DISPLAY_BACKEND", default="memory").lower(),
            redis_url=config("HALL_REDIS_URL", default="redis://127.0.0.1:6379/0"),
            announce_languages=tuple(
                part.strip().lower()
                for part in config("HALL_ANNOUNCE_LANGUAGES", default="zh").split(",")
                if part.strip()
            ),
            announce_repeat=config("HALL_ANNOUNCE_REPEAT", cast=int, default=2),
            screen_queue=config("HALL_SCREEN_QUEUE", cast=int, default=64),
            screen_heartbeat_seconds=config(
                "HALL_SCREEN_HEARTBEAT_SECONDS", cast=float, default=10.0
            ),
            screen_sockets_per_address=config(
                "HALL_SCREEN_SOCKETS_PER_ADDRESS", cast=int, default=200
            ),
            screen_sockets_total=config("HALL_SCREEN_SOCKETS_TOTAL", cast=int, default=20000),
            whatif_scenarios=_optional_path(config("HALL_WHATIF_SCENARIOS", default="")),
            wait_estimate=_wait_estimate(config("HALL_WAIT_ESTIMATE", default="queue")),
            clock_start=config("HALL_CLOCK_START", cast=_moment, default=None),
        )


def _optional_path(text: str) -> Path | None:
    return Path(text) if text else None


WAIT_ESTIMATES = ("queue", "projection")


def _wait_estimate(text: str) -> str:
    value = text.strip().lower()
    if value not in WAIT_ESTIMATES:
        raise ValueError(f"HALL_WAIT_ESTIMATE must be queue or projection, not {text!r}")
    return value


def _moment(value: str | None) -> datetime | None:
    """An ISO time as an aware datetime (UTC when no offset is given)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stored_secret(data_dir: Path) -> str:
    """Read the generated secret key, creating it (mode 0600) on first use."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
