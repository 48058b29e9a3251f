"""The words a screen shows and speaks for a call: built here, tested, sent with the message.

Ticket numbers are spelled one character at a time ("A012" → "A 零 一 二") so a speech
engine never reads them as a quantity ("A 十二"). Only the ticket number and the window
number are ever spoken: never a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = ("zh", "en")
SPEECH_LANG = {"zh": "zh-CN", "en": "en-US"}
_ZH_DIGITS = "零一二三四五六七八九"
_NUMBER = re.compile(r"^[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True, slots=True)
class Voice:
    """How calls are announced: languages in speaking order, and how many times."""

    languages: tuple[str, ...] = ("zh",)
    repeat: int = 2

    def __post_init__(self) -> None:
        unknown = [lang for lang in self.languages if lang not in LANGUAGES]
        if unknown or not self.languages:
            raise ValueError(f"announcement languages must be some of {LANGUAGES}, not {unknown}")
        if not 1 <= self.repeat <= 5:
            raise ValueError(f"announcements repeat 1 to 5 times, not {self.repeat}")


def spell(number: str, lang: str) -> str:
    """A ticket number read one character at a time."""
    if lang == "zh":
        return " ".join(_ZH_DIGITS[int(c)] if c.isdigit() else c.upper() for c in number)
    return " ".join(c.upper() for c in number)


def display_text(number: str, window: int, lang: str = "zh") -> str:
    """The line shown under a call: '请 A012 号 到 5 号窗口 办理'."""
    if lang == "zh":
        return f"请 {number} 号 到 {window} 号窗口 办理"
    return f"Number {number}, please go to window {window}"


def speech_text(number: str, window: int, lang: str) -> str:
    """What the speech engine says, the number spelled out."""
    if lang == "zh":
        return f"请 {spell(number, 'zh')} 号，到 {window} 号窗口办理"
    return f"Number {', '.join(spell(number, 'en').split())}, please go to window {window}."


def announcement(
    number: str | None, window: int | None, voice: Voice, *, recall: bool = False
) -> dict[str, object] | None:
    """The announcement of a call or recall, or None if there is nothing safe to say."""
    if number is None or window is None or not _NUMBER.match(number):
        return None
    number = number.upper()
    return {
        "text": display_text(number, window, voice.languages[0]),
        "texts": {lang: display_text(number, window, lang) for lang in voice.languages},
        "speech": [
            {"lang": SPEECH_LANG[lang], "text": speech_text(number, window, lang)}
            for lang in voice.languages
        ],
        "repeat": voice.repeat,
        "chime": True,
        "recall": recall,
    }
