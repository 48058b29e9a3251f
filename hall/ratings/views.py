"""What a rating looks like to the citizen, the evaluator and staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hall.catalogue.schema import RatingRules
from hall.ratings.scale import Channel, level
from hall.store.models import RatingRow


@dataclass(frozen=True, slots=True)
class RatingView:
    """One rating; never who gave it (ratings are anonymous to staff)."""

    id: int
    ticket: str
    score: int
    level: str
    aspects: dict[str, int] | None
    reasons: tuple[str, ...]
    comment: str
    channel: str
    rated_at: datetime
    changed_at: datetime | None
    change_until: datetime | None  # a change (追评) is allowed until then
    default: bool
    excluded: bool
    service_day: str
    window: int | None
    staff: str | None
    matter: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket": self.ticket,
            "score": self.score,
            "level": self.level,
            "aspects": self.aspects,
            "reasons": list(self.reasons),
            "comment": self.comment,
            "channel": self.channel,
            "rated_at": self.rated_at.isoformat(),
            "changed": self.changed_at is not None,
            "changed_at": None if self.changed_at is None else self.changed_at.isoformat(),
            "change_until": None if self.change_until is None else self.change_until.isoformat(),
            "default": self.default,
            "excluded": self.excluded,
        }

    def staff_json(self) -> dict[str, Any]:
        """The staff's view adds where and by whom the service was given."""
        return {
            **self.to_json(),
            "service_day": self.service_day,
            "window": self.window,
            "staff": self.staff,
            "matter": self.matter,
        }


def change_until(row: RatingRow, rules: RatingRules) -> datetime | None:
    """Until when the one change is allowed (None: no change possible any more)."""
    if row.channel == Channel.DEFAULT or row.changes > 0 or rules.change_hours == 0:
        return None
    return row.rated_at + timedelta(hours=rules.change_hours)


def rating_view(row: RatingRow, rules: RatingRules, now: datetime | None = None) -> RatingView:
    until = change_until(row, rules)
    if until is not None and now is not None and now > until:
        until = None
    aspects = {
        name: value
        for name, value in (
            ("efficiency", row.efficiency),
            ("quality", row.quality),
            ("attitude", row.attitude),
        )
        if value is not None
    }
    return RatingView(
        id=row.id,
        ticket=row.ticket_number,
        score=row.score,
        level=level(row.score),
        aspects=aspects or None,
        reasons=tuple(row.reasons),
        comment=row.comment,
        channel=row.channel,
        rated_at=row.rated_at,
        changed_at=row.changed_at,
        change_until=until,
        default=row.channel == Channel.DEFAULT,
        excluded=row.excluded,
        service_day=row.service_day.isoformat(),
        window=row.window_number,
        staff=row.staff_job,
        matter=row.matter_code,
    )
