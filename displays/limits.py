"""How many screen sockets one server process holds: per client address and in total.

Screens are anonymous, so without a limit anyone could hold thousands of sockets open.
A socket over the limit is accepted and closed at once with a code saying which limit it
hit (``CLOSE_PER_ADDRESS`` 4429, or 1013 "try again later" for the total), so a screen
and its operator can tell it from a network fault.
"""

from __future__ import annotations

from collections import Counter

CLOSE_PER_ADDRESS = 4429
CLOSE_TOTAL = 1013


class SocketLimits:
    """Counts open screen sockets; 0 for a limit means no limit."""

    def __init__(self, per_address: int, total: int) -> None:
        self.per_address, self.total = per_address, total
        self._open: Counter[str] = Counter()
        self._count = 0
        self.refused = 0  # since the process started

    def take(self, address: str) -> tuple[int, str] | None:
        """Count a new socket from ``address``; the close code and reason if refused."""
        if self.total and self._count >= self.total:
            self.refused += 1
            return CLOSE_TOTAL, "too many screens on this server; try again later"
        if self.per_address and self._open[address] >= self.per_address:
            self.refused += 1
            return CLOSE_PER_ADDRESS, "too many screens from this address"
        self._open[address] += 1
        self._count += 1
        return None

    def give_back(self, address: str) -> None:
        """A counted socket closed."""
        self._count -= 1
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def open_from(self, address: str) -> int:
        return self._open[address]

    @property
    def open(self) -> int:
        return self._count
