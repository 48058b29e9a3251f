"""The live what-if in the server: the hall's state right now, a profile for the rest of
the day, and the projection run off the event loop.

The profile (who is still to come) is, in order: the calibrated scenario of the hall in
the folder ``HALL_WHATIF_SCENARIOS`` (``<hall>-<weekday>.toml``, else ``<hall>.toml``, as
``tongban calibrate`` writes them); else a calibration of the hall's own records of the last
eight weeks of today's day type (weekdays together, a weekend day alone), when there are at
least `MIN_HISTORY_DAYS` of them; else today so far (`profile.profile_from_today`). The
profile is worked out once per hall and day and kept (`Profiles`).

The citizen's wait estimate can come from the same projection (``HALL_WAIT_ESTIMATE =
projection``): `Projections` keeps each hall's baseline for `PROJECTION_SECONDS` and
answers a waiting ticket's expected minutes until its call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hall.analytics.calibration import calibration_source
from hall.analytics.snapshot import HallSnapshot, hall_snapshot, load_snapshot
from hall.errors import Conflict
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from simulation.calibration.calibrate import calibrate
from simulation.calibration.days import DayType, parse_day_type
from simulation.calibration.fitted import CalibrationInput
from simulation.calibration.records import records_from_rows
from simulation.calibration.roster import OpenSpan
from simulation.calibration.times import EPOCH_ORDINAL
from simulation.errors import ScenarioError, SimulationError
from simulation.scenario import load_scenario
from simulation.whatif.changes import Question, parse_question
from simulation.whatif.profile import Profile, profile_from_scenario, profile_from_today
from simulation.whatif.project import project

__all__ = ["Profiles", "Projections", "live_what_if", "projected_wait"]

log = logging.getLogger(__name__)

HISTORY_DAYS = 56
MIN_HISTORY_DAYS = 5
PROJECTION_SECONDS = 60.0
PROJECTION_REPLICATIONS = 20
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def day_type_of(day: date) -> DayType:
    """Weekdays are calibrated together, each weekend day alone."""
    return parse_day_type("mon-fri" if day.weekday() < 5 else WEEKDAYS[day.weekday()])


@dataclass
class Profiles:
    """Each hall's profile for the day, worked out on first use (a per-process memo)."""

    folder: Path | None = None
    kept: dict[tuple[str, str], Profile] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def profile(self, db: Database, snapshot: HallSnapshot, now: datetime) -> Profile:
        key = (snapshot.hall, snapshot.day)
        lock = self.locks.setdefault(snapshot.hall, asyncio.Lock())
        async with lock:
            found = self.kept.get(key)
            if found is None:
                found = await self._work_out(db, snapshot, now)
                self.kept = {k: v for k, v in self.kept.items() if k[1] == snapshot.day}
                self.kept[key] = found
        if found.source.startswith("today so far"):
            return profile_from_today(snapshot)  # today's own rate moves as the day goes on
        return found

    async def _work_out(self, db: Database, snapshot: HallSnapshot, now: datetime) -> Profile:
        day = date.fromisoformat(snapshot.day)
        if self.folder is not None:
            for name in (
                f"{snapshot.hall}-{WEEKDAYS[day.weekday()]}.toml",
                f"{snapshot.hall}.toml",
            ):
                path = self.folder / name
                if not path.exists():
                    continue
                try:
                    return profile_from_scenario(load_scenario(path), str(path))
                except ScenarioError as error:  # the operator's file: say so, go on without it
                    log.warning("Cannot use %s for the what-if: %s", path, error)
        try:
            history = await _from_history(db, snapshot, day, now)
        except SimulationError as error:
            log.info("No calibration from the history of hall %s: %s", snapshot.hall, error)
            history = None
        return history or profile_from_today(snapshot)


async def _from_history(
    db: Database, snapshot: HallSnapshot, day: date, now: datetime
) -> Profile | None:
    start, end = day - timedelta(days=HISTORY_DAYS), day - timedelta(days=1)
    found = await calibration_source(db, snapshot.hall, start, end, now)
    if not found.rows:
        return None
    kind = day_type_of(day)

    def work() -> Profile | None:
        records = records_from_rows(found.header, found.rows, f"hall {snapshot.hall}")
        days = [d for d in records.days() if (d + 3) % 7 in kind.weekdays]
        if len(days) < MIN_HISTORY_DAYS:
            return None
        spans = [OpenSpan(i.day.toordinal() - EPOCH_ORDINAL, i.window, i.start, i.end)
                 for i in found.open_intervals]  # fmt: skip
        cal = calibrate(CalibrationInput(records, spans, found.hall, "records"), kind)
        profile = profile_from_scenario(cal.scenario, "")
        source = (
            f"calibrated from the hall's records: {len(cal.training)} days ({kind.text}), "
            f"{start} to {end}"
        )
        zh = f"由本厅近期记录校准：{len(cal.training)} 天（{kind.text}），{start} 至 {end}"
        return Profile(**{**profile.__dict__, "source": source, "source_zh": zh})

    return await asyncio.to_thread(work)


async def live_what_if(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    now: datetime,
    body: Any,
    profiles: Profiles,
) -> dict[str, Any]:
    """Answer ``POST /api/halls/{hall}/whatif`` (supervisors and admins of the hall).

    Raises Unauthorized, Forbidden, NotFound, and InvalidInput for a bad question.
    """
    snapshot = await hall_snapshot(db, staff, hall_id, now)
    question = parse_question(body, snapshot)
    if not snapshot.periods:
        raise Conflict(
            f"Hall {hall_id} is closed today ({snapshot.day}): there is no rest of the day "
            "to project.",
            f"大厅 {hall_id} 今日（{snapshot.day}）不开放，无可推演的时段。",
        )
    profile = await profiles.profile(db, snapshot, now)
    started = time.perf_counter()
    answer = await asyncio.to_thread(project, snapshot, profile, question)
    answer["seconds"] = round(time.perf_counter() - started, 3)
    return answer


@dataclass
class Projections:
    """Each hall's baseline projection, kept for `PROJECTION_SECONDS`, for citizens' waits."""

    profiles: Profiles
    kept: dict[str, tuple[float, dict[str, float]]] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def waits(self, db: Database, hall_id: str, now: datetime) -> dict[str, float]:
        lock = self.locks.setdefault(hall_id, asyncio.Lock())
        async with lock:
            known = self.kept.get(hall_id)
            if known is not None and 0 <= now.timestamp() - known[0] < PROJECTION_SECONDS:
                return known[1]
            snapshot = await load_snapshot(db, hall_id, now)
            profile = await self.profiles.profile(db, snapshot, now)
            question = Question((), PROJECTION_REPLICATIONS, 1)
            answer = await asyncio.to_thread(project, snapshot, profile, question)
            waits = {t["ticket"]: t["wait_minutes"] for t in answer["baseline"]["tickets"]
                     if t["wait_minutes"] is not None}  # fmt: skip
            self.kept[hall_id] = (now.timestamp(), waits)
            return waits


async def projected_wait(
    projections: Projections, db: Database, hall_id: str, ticket_id: str, now: datetime
) -> float | None:
    """A waiting ticket's projected minutes until its call, or None (not in the projection:
    issued since, or the hall is closed today)."""
    try:
        waits = await projections.waits(db, hall_id, now)
    except SimulationError:  # closed today: no projection, the queue's estimate stands
        return None
    return waits.get(ticket_id)
