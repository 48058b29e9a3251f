"""A hall's case and rating rules, its calendar and time zone, read once per transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hall.cases.workdays import WorkCalendar, deadline
from hall.catalogue.cache import hall_config
from hall.catalogue.schema import CaseRules, Hall, RatingRules
from hall.store.db import Database
from hall.store.unit import Tx, reading


@dataclass(frozen=True, slots=True)
class HallRules:
    """What the case engine and the ratings need to know about a hall."""

    hall: Hall
    zone: ZoneInfo
    calendar: WorkCalendar

    @property
    def id(self) -> str:
        return self.hall.id

    @property
    def cases(self) -> CaseRules:
        return self.hall.cases

    @property
    def rating(self) -> RatingRules:
        return self.hall.rating

    def due(self, start: datetime, working_days: int) -> datetime:
        """The end of the ``working_days``-th working day after ``start`` (aware UTC)."""
        return deadline(start, working_days, self.calendar, self.zone).astimezone(UTC)

    def local_day_start(self, moment: datetime) -> datetime:
        """Midnight (local) of the day ``moment`` falls on, as aware UTC."""
        local = moment.astimezone(self.zone)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return start.astimezone(UTC)

    def seconds_later(self, start: datetime, seconds: int) -> datetime:
        return start + timedelta(seconds=seconds)


async def hall_rules(tx: Tx, hall_id: str) -> HallRules:
    """The hall's rules (the parsed configuration is kept per process); raises NotFound."""
    hall = await hall_config(tx, hall_id)
    calendar = WorkCalendar.of(hall.holidays, hall.makeup_workdays)
    return HallRules(hall, ZoneInfo(hall.timezone), calendar)


async def rules_of(db: Database, hall_id: str) -> HallRules:
    """The hall's rules, in a read transaction of their own; raises NotFound."""
    async with reading(db) as tx:
        return await hall_rules(tx, hall_id)
