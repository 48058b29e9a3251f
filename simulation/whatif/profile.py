"""Who is still to come today and how long they take: the arrival profile of a what-if.

A profile comes from a calibrated scenario (`tongban calibrate`: its walk-ins per hour, the
matters' shares, service times, no-shows and punctuality), or, for a hall with no
calibration and no history yet, from today itself: the walk-ins so far at their mean rate
since opening, in today's mix, with the catalogue's expected minutes as exponential
service times. Matters the profile does not know get the catalogue's expected minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hall.analytics.snapshot import HallSnapshot
from simulation.distributions import Exponential, ServiceTime
from simulation.scenario_model import Scenario

__all__ = ["Profile", "profile_from_scenario", "profile_from_today"]

DEFAULT_EARLY_MEAN = 5.0  # minutes, the simulator's default punctuality
DEFAULT_EARLY_SD = 5.0


@dataclass(frozen=True)
class Profile:
    """Walk-ins per clock hour from `open_minute` (minutes after midnight), their mix, the
    service times, and the behaviour of booked citizens."""

    source: str
    source_zh: str
    open_minute: int
    walkin_per_hour: tuple[float, ...]
    walkin_shares: dict[str, float]
    green_shares: dict[str, float]
    services: dict[str, ServiceTime]
    no_show: float = 0.0
    early_mean: float = DEFAULT_EARLY_MEAN
    early_sd: float = DEFAULT_EARLY_SD
    targets: Scenario | None = None  # whose targets to judge by (None: the defaults)

    def rate_at(self, minute_of_day: float) -> float:
        """Walk-ins per hour at a clock time (0 outside the profile's hours)."""
        hour = int((minute_of_day - self.open_minute) // 60)
        if len(self.walkin_per_hour) == 1:
            return self.walkin_per_hour[0]
        return self.walkin_per_hour[hour] if 0 <= hour < len(self.walkin_per_hour) else 0.0

    def service(self, code: str, expected_minutes: float) -> ServiceTime:
        """The service time of a matter (the catalogue's mean, exponential, if unknown)."""
        return self.services.get(code) or Exponential(max(expected_minutes, 0.1))


def profile_from_scenario(scenario: Scenario, source: str) -> Profile:
    """The profile of a (calibrated) scenario file."""
    book = scenario.appointments
    return Profile(
        source=f"the calibrated scenario {source}",
        source_zh=f"校准情景 {source}",
        open_minute=scenario.open_minute,
        walkin_per_hour=tuple(scenario.walkin_per_hour),
        walkin_shares={m.code: m.walkin_share for m in scenario.matters},
        green_shares={m.code: m.green_share for m in scenario.matters},
        services={m.code: m.service for m in scenario.matters},
        no_show=book.no_show,
        early_mean=book.early_mean,
        early_sd=book.early_sd,
        targets=scenario,
    )


def profile_from_today(snapshot: HallSnapshot) -> Profile:
    """Today's walk-ins so far, at their mean rate since opening, in today's mix."""
    opening = snapshot.periods[0][0] if snapshot.periods else snapshot.now
    walkins = [t for t in snapshot.tickets if t.source == "walk_in" and t.issued_at <= snapshot.now]
    open_seconds = sum(
        max(0.0, min(b, snapshot.now) - a) for a, b in snapshot.periods if a < snapshot.now
    )
    rate = len(walkins) / (open_seconds / 3600) if open_seconds >= 600 else 0.0
    counts: dict[str, int] = {}
    greens: dict[str, int] = {}
    for t in walkins:
        counts[t.matter] = counts.get(t.matter, 0) + 1
        greens[t.matter] = greens.get(t.matter, 0) + int(t.green)
    total = sum(counts.values())
    local = _minute_of_day(snapshot, opening)
    return Profile(
        source=f"today so far: {len(walkins)} walk-ins, {rate:.1f} an hour since opening "
        "(no calibrated scenario; service times: the catalogue's expected minutes)",
        source_zh=f"今日至今：现场取号 {len(walkins)} 人，开厅以来每小时 {rate:.1f} 人"
        "（无校准情景；办理时长取事项目录的预计分钟数）",
        open_minute=local,
        walkin_per_hour=(rate,),
        walkin_shares={c: n / total for c, n in counts.items()} if total else {},
        green_shares={c: greens[c] / n for c, n in counts.items()},
        services={},
    )


def _minute_of_day(snapshot: HallSnapshot, moment: float) -> int:
    local = datetime.fromtimestamp(moment, ZoneInfo(snapshot.timezone))
    return local.hour * 60 + local.minute
