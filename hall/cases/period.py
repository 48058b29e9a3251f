"""A period of service days, as the figures of ratings and cases take it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hall.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DayRange:
    """Service days from ``first`` to ``last``, both included (the hall's local days)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInput(
                f"The period ends ({self.last}) before it starts ({self.first}).",
                f"统计区间的结束日期（{self.last}）早于开始日期（{self.first}）。",
                fields={"to": "before from"},
            )

    @classmethod
    def week_of(cls, day: date) -> DayRange:
        """Monday to Sunday of the week ``day`` falls in."""
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]
