"""Hall snapshots built by hand for the what-if tests: a Monday, open 09:00–17:00."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hall.analytics.snapshot import (
    HallSnapshot,
    SnapshotMatter,
    SnapshotTicket,
    SnapshotWindow,
)
from simulation.distributions import ServiceTime
from simulation.whatif.profile import Profile

ZONE = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> float:
    return datetime(2026, 11, 23, hour, minute, tzinfo=ZONE).timestamp()


NOW = at(10)


def windows(open_now: int, total: int = 8) -> tuple[SnapshotWindow, ...]:
    """`total` comprehensive windows, the first `open_now` open since 09:00."""
    return tuple(
        SnapshotWindow(
            i + 1, "综合受理", "comprehensive", ("*",), "open" if i < open_now else "closed",
            0, ((at(9), NOW),) if i < open_now else (),
        )
        for i in range(total)
    )  # fmt: skip


def waiting(count: int, matter: str = "X") -> tuple[SnapshotTicket, ...]:
    """`count` walk-ins waiting, taken a second apart from 09:50 (first come first)."""
    return tuple(
        SnapshotTicket(f"t{k:03d}", f"A{k:03d}", matter, "general", "walk_in", False, "waiting",
                       at(9, 50) + k)
        for k in range(count)
    )  # fmt: skip


def state(
    hall_windows: tuple[SnapshotWindow, ...],
    tickets: tuple[SnapshotTicket, ...],
    now: float = NOW,
) -> HallSnapshot:
    return HallSnapshot(
        "h", "测试大厅", "Asia/Shanghai", now, "2026-11-23", ((at(9), at(17)),), {},
        (SnapshotMatter("X", "事项", "Matter", "general", 5.0),), hall_windows, tickets, (),
    )  # fmt: skip


def no_arrivals(service: ServiceTime) -> Profile:
    """Nobody else comes today; matter X takes `service`."""
    return Profile("test", "测试", 540, (0.0,), {"X": 1.0}, {}, {"X": service})
