"""高频差评问题清单: what the period's bad ratings were about, by reason, matter and
window, with the most frequent combinations first. Only active bad ratings (1–2) that no
upheld appeal excluded count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hall.cases.period import DayRange
from hall.ratings.scale import BAD_MAX, Channel
from hall.store.db import Database
from hall.store.models import RatingRow

NO_REASON = "none"  # a bad rating given without a reason


def _ranked(counter: Counter[Any], total: int) -> list[tuple[Any, int, float]]:
    items = sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))
    return [(key, count, count / total) for key, count in items]


@dataclass(frozen=True, slots=True)
class ProblemList:
    """The period's bad ratings: ``(key, count, share of the bad ratings)`` per list."""

    hall: str
    period: DayRange
    bad: int
    by_reason: list[tuple[str, int, float]]
    by_matter: list[tuple[str, int, float]]
    by_window: list[tuple[int | None, int, float]]
    combinations: list[tuple[tuple[str, str, int | None], int, float]]  # reason, matter, window

    def to_json(self) -> dict[str, Any]:
        def rows(items: list[tuple[Any, int, float]], name: str) -> list[dict[str, Any]]:
            return [{name: key, "count": count, "share": share} for key, count, share in items]

        return {
            "hall": self.hall,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "bad": self.bad,
            "by_reason": rows(self.by_reason, "reason"),
            "by_matter": rows(self.by_matter, "matter"),
            "by_window": rows(self.by_window, "window"),
            "combinations": [
                {"reason": r, "matter": m, "window": w, "count": count, "share": share}
                for (r, m, w), count, share in self.combinations
            ],
        }


async def frequent_problems(db: Database, hall_id: str, period: DayRange) -> ProblemList:
    """The frequent bad-rating problems of a hall over a period."""
    query = select(RatingRow.reasons, RatingRow.matter_code, RatingRow.window_number).where(
        RatingRow.hall_id == hall_id,
        RatingRow.service_day >= period.first,
        RatingRow.service_day <= period.last,
        RatingRow.score <= BAD_MAX,
        RatingRow.channel != Channel.DEFAULT.value,
        RatingRow.excluded.is_(False),
    )
    async with db.read() as session:
        rows = (await session.execute(query)).all()
    reasons: Counter[str] = Counter()
    combos: Counter[tuple[str, str, int | None]] = Counter()
    for given, matter, window in rows:
        for reason in given or [NO_REASON]:
            reasons[reason] += 1
            combos[(reason, matter, window)] += 1
    bad = len(rows)
    total = max(bad, 1)
    return ProblemList(
        hall_id,
        period,
        bad,
        _ranked(reasons, total),
        _ranked(Counter(m for _, m, _ in rows), total),
        _ranked(Counter(w for _, _, w in rows), total),
        _ranked(combos, total),
    )
