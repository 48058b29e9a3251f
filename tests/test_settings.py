"""Settings: defaults, overrides, a generated secret, and the README lists every one."""

from __future__ import annotations

import re
from pathlib import Path

from hall.settings import SETTINGS, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_in_the_readme_with_its_default() -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(HALL_[A-Z_]+)` \| `([^`]*)` \|", README.read_text(), re.M)
    }
    assert rows == {s.name: s.default for s in SETTINGS}


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_environ({"HALL_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'tongban.db'}"
    assert (settings.host, settings.port, settings.demo) == ("127.0.0.1", 8000, True)
    assert settings.demo_password == "tongban-demo"
    # The generated key is kept: a second start reads the same one.
    assert Settings.from_environ({"HALL_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key
    assert len(settings.secret_key) >= 40


def test_overrides(tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {
            "HALL_DATA_DIR": str(tmp_path),
            "HALL_DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "HALL_CONFIG": "halls.toml",
            "HALL_SECRET_KEY": "k" * 40,
            "HALL_PORT": "9001",
            "HALL_LOG_LEVEL": "WARNING",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.config_path == Path("halls.toml")
    assert not settings.demo
    assert (settings.secret_key, settings.port, settings.log_level) == ("k" * 40, 9001, "warning")
    assert not (tmp_path / "secret_key").exists()
