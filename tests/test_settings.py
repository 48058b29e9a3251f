"""Settings: defaults, overrides, a generated secret, and the README lists every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hall.settings import MIN_SECRET_LENGTH, SETTINGS, SecretKeyRefused, Settings

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


def non_demo(tmp_path: Path, **env: str) -> Settings:
    data = tmp_path / "data"
    return Settings.from_environ({"HALL_DATA_DIR": str(data), "HALL_CONFIG": "halls.toml", **env})


def refusal(settings: Settings) -> str:
    with pytest.raises(SecretKeyRefused) as refused:
        settings.check_secret_key()
    assert refused.value.message
    assert refused.value.message_zh
    assert "。" in refused.value.message_zh
    return refused.value.message


def test_outside_demo_mode_no_key_is_generated_and_start_is_refused(tmp_path: Path) -> None:
    settings = non_demo(tmp_path)
    assert settings.secret_key == ""
    assert not (tmp_path / "data" / "secret_key").exists()
    assert "HALL_SECRET_KEY_FILE" in refusal(settings)


def test_a_key_file_inside_the_data_folder_is_refused(tmp_path: Path) -> None:
    inside = tmp_path / "data" / "keys" / "secret"
    inside.parent.mkdir(parents=True)
    inside.write_text("s" * 48 + "\n", encoding="utf-8")
    settings = non_demo(tmp_path, HALL_SECRET_KEY_FILE=str(inside))
    assert settings.secret_key == "s" * 48
    assert "inside the data folder" in refusal(settings)


def test_a_key_file_outside_the_data_folder_is_used(tmp_path: Path) -> None:
    outside = tmp_path / "etc" / "tongban.key"
    outside.parent.mkdir()
    outside.write_text("o" * 48 + "\n", encoding="utf-8")
    settings = non_demo(tmp_path, HALL_SECRET_KEY_FILE=str(outside))
    assert settings.secret_key == "o" * 48
    settings.check_secret_key()
    missing = non_demo(tmp_path, HALL_SECRET_KEY_FILE=str(tmp_path / "nowhere"))
    assert "missing or empty" in refusal(missing)


def test_an_old_key_in_the_data_folder_is_named_in_the_refusal(tmp_path: Path) -> None:
    Settings.from_environ({"HALL_DATA_DIR": str(tmp_path / "data")})  # demo mode wrote one
    assert "move that file outside" in refusal(non_demo(tmp_path))


def test_a_short_key_is_refused_outside_demo_mode(tmp_path: Path) -> None:
    assert "too short" in refusal(non_demo(tmp_path, HALL_SECRET_KEY="short"))
    non_demo(tmp_path, HALL_SECRET_KEY="k" * MIN_SECRET_LENGTH).check_secret_key()


def test_demo_mode_keeps_its_generated_key(tmp_path: Path) -> None:
    settings = Settings.from_environ({"HALL_DATA_DIR": str(tmp_path)})
    settings.check_secret_key()
    assert (tmp_path / "secret_key").exists()
