"""Sliding-window rate limits kept in the server process (per IP, per phone, per kiosk)."""

from __future__ import annotations

import math
from collections import deque

from hall.errors import TooManyAttempts

WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most ``per_minute`` hits per key in any 60 s; 0 turns the limit off."""

    def __init__(
        self,
        per_minute: int,
        max_keys: int = 100_000,
        what: tuple[str, str] = ("booking requests", "预约请求"),
    ) -> None:
        self.per_minute = per_minute
        self.what = what
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float) -> None:
        """Count one hit; raises TooManyAttempts (429 with Retry-After) past the limit."""
        if self.per_minute <= 0:
            return
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self.per_minute:
            wait = math.ceil(hits[0] + WINDOW_SECONDS - now)
            raise TooManyAttempts(
                f"Too many {self.what[0]}; please wait {wait} s and try again.",
                f"{self.what[1]}过于频繁，请 {wait} 秒后再试。",
                retry_after=wait,
            )
        hits.append(now)
        if len(self._hits) > self.max_keys:
            self._prune(now)

    def _prune(self, now: float) -> None:
        stale = [k for k, h in self._hits.items() if not h or h[-1] <= now - WINDOW_SECONDS]
        for key in stale:
            del self._hits[key]
