"""Where the live what-if's citizens still to come come from, and the hall's state it reads
(SQLite and PostgreSQL): a calibrated scenario in the folder, else the hall's own history,
else today so far; today's bookings still to come are in the state."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hall.analytics.snapshot import load_snapshot
from hall.store.db import Database
from hall.store.models import AppointmentRow, BookingSlotRow
from simulation.whatif.live import MIN_HISTORY_DAYS, Profiles
from tests.simulation.calibration.database import load_days
from tests.simulation.calibration.known import KNOWN_TOML, RATES, known_days

pytestmark = pytest.mark.asyncio

HISTORY = 6  # weekdays 2026-09-07 … 2026-09-14
TUESDAY_1000 = datetime(2026, 9, 15, 2, 0, tzinfo=UTC)  # the next weekday, 10:00 in Shanghai


async def test_the_halls_own_weeks_give_the_profile(db: Database) -> None:
    assert HISTORY >= MIN_HISTORY_DAYS
    await load_days(db, "district", known_days()[:HISTORY])
    snapshot = await load_snapshot(db, "district", TUESDAY_1000)
    profile = await Profiles().profile(db, snapshot, TUESDAY_1000)
    assert profile.source.startswith(
        f"calibrated from the hall's records: {HISTORY} days (mon-fri)"
    )
    assert profile.open_minute == 9 * 60
    for rate, known in zip(profile.walkin_per_hour, RATES, strict=True):
        assert abs(rate - known) <= 4 * math.sqrt(known / HISTORY), (rate, known)
    assert set(profile.services) >= {"SI-REG", "RE-QUERY", "MI-RES"}


async def test_a_calibrated_scenario_in_the_folder_comes_first(
    db: Database, tmp_path: Path
) -> None:
    (tmp_path / "district.toml").write_text(KNOWN_TOML, encoding="utf-8")
    snapshot = await load_snapshot(db, "district", TUESDAY_1000)
    profile = await Profiles(tmp_path).profile(db, snapshot, TUESDAY_1000)
    assert profile.source == f"the calibrated scenario {tmp_path / 'district.toml'}"
    assert list(profile.walkin_per_hour) == RATES
    (tmp_path / "district-tue.toml").write_text("not = [toml", encoding="utf-8")
    fallback = await Profiles(tmp_path).profile(db, snapshot, TUESDAY_1000)
    assert fallback.source.startswith("the calibrated scenario")  # the broken file is skipped


async def test_with_no_history_today_so_far(db: Database) -> None:
    snapshot = await load_snapshot(db, "district", TUESDAY_1000)
    profile = await Profiles().profile(db, snapshot, TUESDAY_1000)
    assert profile.source.startswith("today so far: 0 walk-ins")
    assert profile.walkin_per_hour == (0.0,)


async def test_the_state_holds_the_bookings_still_to_come(db: Database) -> None:
    day = TUESDAY_1000.date()
    start = TUESDAY_1000 + timedelta(hours=1)
    async with db.write() as session:
        slot = BookingSlotRow(
            hall_id="district", group_code="social", service_day=day, starts_at=start,
            ends_at=start + timedelta(minutes=30), capacity=9,
        )  # fmt: skip
        session.add(slot)
        await session.flush()
        for k, status in enumerate(("booked", "cancelled", "checked_in")):
            session.add(
                AppointmentRow(
                    code=f"B{k}", hall_id="district", matter_code="SI-REG", slot_id=slot.id,
                    service_day=day, starts_at=start, ends_at=start + timedelta(minutes=30),
                    person_key=f"p{k}", phone_key=f"q{k}", name_masked="*", id_masked="*",
                    phone_masked="*", status=status,
                    checked_in_at=start if status == "checked_in" else None,
                )
            )  # fmt: skip
    snapshot = await load_snapshot(db, "district", TUESDAY_1000)
    assert [(b.slot_start, b.matter) for b in snapshot.bookings] == [(start.timestamp(), "SI-REG")]
    assert "p0" not in str(snapshot.to_json())  # no keyed hashes, no masked names
