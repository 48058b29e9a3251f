"""A screen's view of the feed, in Python: the reference for what screens/*.js does.

Tests, the benchmark and any Python screen (an LED controller, say) use it to apply
messages and to notice a gap: a message whose ``prev`` is not the last ``seq`` seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from displays.messages import apply_patch


class Gap(Exception):
    """A message does not follow the last one seen: reconnect with ``since``."""


@dataclass(slots=True)
class ScreenState:
    """The board a screen shows and the sequence number it is at."""

    seq: int | None = None
    board: dict[str, Any] = field(default_factory=dict)
    announcements: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, message: dict[str, Any]) -> None:
        """Apply one message; raises Gap when something was missed."""
        kind = message["type"]
        if kind == "snapshot":
            self.seq = message["seq"]
            self.board = {k: v for k, v in message.items() if k not in ("type", "seq")}
            return
        if kind == "heartbeat":
            if message["seq"] != self.seq:
                raise Gap(f"heartbeat at {message['seq']}, screen at {self.seq}")
            return
        if message.get("prev") != self.seq:
            raise Gap(f"message {message.get('seq')} follows {message.get('prev')}, not {self.seq}")
        self.seq = message["seq"]
        self.board = apply_patch(self.board, message.get("patch", {}))
        if message.get("announcement"):
            self.announcements.append(message["announcement"])

    def since(self) -> str:
        """The query string to reconnect with."""
        return "" if self.seq is None else f"?since={self.seq}"

    def window(self, number: int) -> dict[str, Any] | None:
        return next((w for w in self.board.get("windows", []) if w["number"] == number), None)
