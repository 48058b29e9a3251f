"""Synthesise the two-tone chime played before every spoken call (no downloaded asset).

``python -m displays.chime web/static/chime.wav`` regenerates the file.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
NOTES = ((659.25, 0.45), (523.25, 0.75))  # E5 then C5: the familiar "ding-dong"


def samples() -> list[int]:
    """16-bit mono samples of the chime: soft attack, bell-like decay, a few overtones."""
    out: list[int] = []
    for freq, seconds in NOTES:
        count = int(RATE * seconds)
        for i in range(count):
            t = i / RATE
            envelope = min(1.0, t / 0.01) * math.exp(-3.5 * t)
            tone = (
                math.sin(2 * math.pi * freq * t)
                + 0.35 * math.sin(2 * math.pi * 2 * freq * t)
                + 0.15 * math.sin(2 * math.pi * 3 * freq * t)
            )
            out.append(int(max(-1.0, min(1.0, 0.5 * envelope * tone)) * 32767))
    return out


def write(path: Path) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(b"".join(struct.pack("<h", s) for s in samples()))


if __name__ == "__main__":  # pragma: no cover
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "web/static/chime.wav"))
