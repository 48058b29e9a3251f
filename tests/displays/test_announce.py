"""Announcement text: Chinese by default, numbers spelled out, English optional."""

from __future__ import annotations

import pytest

from displays.announce import Voice, announcement, display_text, speech_text, spell


def test_chinese_call_reads_letters_and_digits_one_by_one() -> None:
    made = announcement("A012", 5, Voice())
    assert made is not None
    assert made["text"] == "请 A012 号 到 5 号窗口 办理"
    assert made["speech"] == [{"lang": "zh-CN", "text": "请 A 零 一 二 号，到 5 号窗口办理"}]
    assert (made["repeat"], made["chime"], made["recall"]) == (2, True, False)


def test_spelling() -> None:
    assert spell("B120", "zh") == "B 一 二 零"
    assert spell("b120", "en") == "B 1 2 0"
    assert display_text("A012", 12, "en") == "Number A012, please go to window 12"
    assert speech_text("A012", 12, "en") == "Number A, 0, 1, 2, please go to window 12."


def test_english_after_chinese_and_repeat_setting() -> None:
    made = announcement("c007", 3, Voice(("zh", "en"), 3), recall=True)
    assert made is not None
    assert [s["lang"] for s in made["speech"]] == ["zh-CN", "en-US"]
    assert made["speech"][1]["text"] == "Number C, 0, 0, 7, please go to window 3."
    assert made["texts"] == {
        "zh": "请 C007 号 到 3 号窗口 办理",
        "en": "Number C007, please go to window 3",
    }
    assert (made["repeat"], made["recall"]) == (3, True)


@pytest.mark.parametrize(
    ("number", "window"), [(None, 1), ("A001", None), ("张三", 1), ("A 01", 2), ("A0123456789", 1)]
)
def test_nothing_is_said_without_a_plain_number_and_window(
    number: str | None, window: int | None
) -> None:
    assert announcement(number, window, Voice()) is None


@pytest.mark.parametrize(
    ("languages", "repeat"), [((), 1), (("fr",), 1), (("zh",), 0), (("zh",), 6)]
)
def test_voice_settings_are_checked(languages: tuple[str, ...], repeat: int) -> None:
    with pytest.raises(ValueError, match=r"announcement|repeat"):
        Voice(languages, repeat)
