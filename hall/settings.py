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
        "(unset: HALL_SECRET_KEY_FILE; demo mode: generated into <HALL_DATA_DIR>/secret_key)",
        "Key for session cookies, CSRF tokens, kiosk pairing and the keyed hashes of ID "
        "and phone numbers. Outside demo mode the server refuses to start without it or "
        "HALL_SECRET_KEY_FILE.",
    ),
    Setting(
        "HALL_SECRET_KEY_FILE",
        "(unset)",
        "File whose first line is the secret key (used when HALL_SECRET_KEY is unset); "
        "outside demo mode it must lie outside HALL_DATA_DIR, away from the database and "
        "its backups.",
    ),
    Setting(
        "HALL_COOKIE_SECURE",
        "0",
        "1: session cookies are always marked Secure (set it behind a reverse proxy that "
        "ends HTTPS); requests that arrive over HTTPS get Secure cookies anyway.",
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
        "HALL_TICKET_RATE_LIMIT",
        "6",
        "Anonymous tickets per minute per client address (a phone or an unregistered kiosk; "
        "0 turns it off). Staff-issued tickets are not counted.",
    ),
    Setting(
        "HALL_KIOSK_RATE_LIMIT",
        "20",
        "Tickets per minute per registered kiosk (device token; 0 turns it off).",
    ),
    Setting(
        "HALL_DB_STARTUP_WAIT",
        "60",
        "Seconds the server keeps retrying an unreachable database at start (with back-off) "
        "before it gives up; 0 tries once.",
    ),
    Setting(
        "HALL_MAX_JSON_BYTES",
        "65536",
        "Largest JSON request body in bytes (64 KiB); a larger one gets 413 before it is "
        "read. The configuration upload has its own 2 MB.",
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
    Setting(
        "HALL_CLOCK_ANCHOR",
        "(unset: the process's start)",
        "The real time (Unix seconds) at which the clock of HALL_CLOCK_START shows that time; "
        "several processes given the same pair keep one clock.",
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
    ticket_rate_limit: int = 6
    kiosk_rate_limit: int = 20
    db_startup_wait: float = 60.0
    max_json_bytes: int = 64 * 1024
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
    clock_anchor: float | None = None
    secret_key_file: Path | None = None
    cookie_secure: bool = False

    @property
    def demo(self) -> bool:
        """Demo mode: no HALL_CONFIG given, so the shipped demo halls and accounts are used."""
        return self.config_path is None

    def check_secret_key(self) -> None:
        """Raise SecretKeyRefused unless the key is usable for this mode (see the module)."""
        problem = secret_key_problem(self)
        if problem is not None:
            raise SecretKeyRefused(*problem)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment (os.environ by default)."""
        config = Config(environ=dict(os.environ if environ is None else environ))
        data_dir = Path(config("HALL_DATA_DIR", default="data"))
        database_url = config(
            "HALL_DATABASE_URL", default=f"sqlite+aiosqlite:///{data_dir / 'tongban.db'}"
        )
        config_file = config("HALL_CONFIG", default="")
        env_key = config("HALL_SECRET_KEY", default="")
        # The file counts only when it is where the key comes from.
        key_file = None if env_key else _optional_path(config("HALL_SECRET_KEY_FILE", default=""))
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            config_path=Path(config_file) if config_file else None,
            secret_key=_secret_key(env_key, key_file, data_dir, demo=not config_file),
            secret_key_file=key_file,
            host=config("HALL_HOST", default="127.0.0.1"),
            port=config("HALL_PORT", cast=int, default=8000),
            demo_password=config("HALL_DEMO_PASSWORD", default="tongban-demo"),
            log_level=config("HALL_LOG_LEVEL", default="info").lower(),
            booking_rate_limit=config("HALL_BOOKING_RATE_LIMIT", cast=int, default=30),
            ticket_rate_limit=config("HALL_TICKET_RATE_LIMIT", cast=int, default=6),
            kiosk_rate_limit=config("HALL_KIOSK_RATE_LIMIT", cast=int, default=20),
            db_startup_wait=config("HALL_DB_STARTUP_WAIT", cast=float, default=60.0),
            max_json_bytes=_positive(config("HALL_MAX_JSON_BYTES", cast=int, default=65536)),
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
            clock_anchor=config("HALL_CLOCK_ANCHOR", cast=float, default=None),
            cookie_secure=config("HALL_COOKIE_SECURE", cast=bool, default=False),
        )


def _optional_path(text: str) -> Path | None:
    return Path(text) if text else None


def _positive(value: int) -> int:
    if value < 1:
        raise ValueError(f"HALL_MAX_JSON_BYTES must be at least 1, not {value}")
    return value


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


class SecretKeyRefused(ValueError):
    """The secret key is missing, unreadable or kept beside the data it protects."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(f"{message}\n{message_zh}")
        self.message = message
        self.message_zh = message_zh


def _secret_key(from_env: str, key_file: Path | None, data_dir: Path, *, demo: bool) -> str:
    """The key from HALL_SECRET_KEY, else HALL_SECRET_KEY_FILE, else (demo mode only) the
    one generated into the data folder; "" when there is none (refused at start)."""
    if from_env:
        return from_env
    if key_file is not None:
        try:
            lines = key_file.read_text(encoding="utf-8").splitlines()
        except OSError:
            return ""
        return lines[0].strip() if lines else ""
    return _stored_secret(data_dir) if demo else ""


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


MIN_SECRET_LENGTH = 32


def secret_key_problem(settings: Settings) -> tuple[str, str] | None:
    """Why the server must not start with this secret key (English, Chinese), or None.

    Outside demo mode a copy of the data folder (the database and its backups) must not
    also hold the key that turns its keyed hashes back into ID and phone numbers.
    """
    if settings.demo:
        return None
    file = settings.secret_key_file
    if not settings.secret_key:
        where = f" (HALL_SECRET_KEY_FILE {file} is missing or empty)" if file else ""
        where_zh = f"（密钥文件 {file} 不存在或为空）" if file else ""
        old = settings.data_dir / "secret_key"
        hint = (
            f" An earlier version kept the key in {old}: move that file outside the data "
            "folder and point HALL_SECRET_KEY_FILE at it."
            if old.exists()
            else ""
        )
        hint_zh = (
            f"旧版本将密钥保存在 {old}：请将该文件移到数据目录之外，"
            "并用 HALL_SECRET_KEY_FILE 指向它。"
            if old.exists()
            else ""
        )
        return (
            "No secret key: outside demo mode, set HALL_SECRET_KEY or HALL_SECRET_KEY_FILE "
            f"(a file outside the data folder){where}.{hint} See docs/operations.md.",
            "缺少密钥：非演示模式下必须设置 HALL_SECRET_KEY，或用 HALL_SECRET_KEY_FILE "
            f"指向数据目录之外的密钥文件{where_zh}。{hint_zh}详见 docs/operations.md。",
        )
    if file is not None and _inside(file, settings.data_dir):
        return (
            f"HALL_SECRET_KEY_FILE ({file}) is inside the data folder ({settings.data_dir}); "
            "move the key file outside it, where database backups do not copy it.",
            f"密钥文件 HALL_SECRET_KEY_FILE（{file}）位于数据目录（{settings.data_dir}）内，"
            "请将其移到数据目录之外，避免随数据库备份一同被复制。",
        )
    if len(settings.secret_key) < MIN_SECRET_LENGTH:
        return (
            f"The secret key is too short: use at least {MIN_SECRET_LENGTH} random "
            "characters (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))').",
            f"密钥过短：请使用至少 {MIN_SECRET_LENGTH} 个随机字符"
            "（例如 python3 -c 'import secrets; print(secrets.token_urlsafe(48))'）。",
        )
    return None


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
