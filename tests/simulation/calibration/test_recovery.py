"""Calibration recovers the parameters of a hall whose truth is known.

Four weeks of a known scenario are simulated and written in the export format; the
calibrated scenario must give back every hour's walk-in rate, each matter's service family
and mean, the no-show rate and the punctuality within their sampling error, computed here
from the truth and the number of observations (four standard errors: a check that can
fail, not one tuned to pass).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hall.analytics.export import TICKET_COLUMNS
from simulation.calibration.calibrate import calibrate
from simulation.calibration.days import parse_day_type
from simulation.calibration.fitted import Calibration, CalibrationInput
from simulation.calibration.records import read_records_csv, records_from_rows
from simulation.calibration.synthetic import simulate_days, workdays
from simulation.scenario import load_scenario
from tests.simulation.calibration.known import (
    DAYS,
    EARLY_MEAN,
    EARLY_SD,
    FIRST_DAY,
    NO_SHOW,
    RATES,
    SERVICES,
    known_days,
    write_csv,
)

Z = 4.0
EXAMPLES = Path(__file__).parents[3] / "simulation" / "examples"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    path = write_csv(tmp_path_factory.mktemp("records") / "tickets.csv", known_days()[:DAYS])
    records = read_records_csv(path)
    return calibrate(CalibrationInput(records, None, None, str(path)), parse_day_type("mon-fri"))


def test_every_hours_walkin_rate_is_within_its_sampling_error(fitted: Calibration) -> None:
    assert len(fitted.hours) == len(RATES)
    for fit, rate in zip(fitted.hours, RATES, strict=True):
        error = math.sqrt(rate / DAYS)  # Poisson counts: the mean of DAYS days
        assert abs(fit.rate - rate) <= Z * error, (fit.start, fit.rate, rate)
    assert fitted.opening.open_minute == 9 * 60
    assert fitted.opening.close_minute == 17 * 60


def test_the_poisson_test_accepts_poisson_hours(fitted: Calibration) -> None:
    p_values = [fit.ks_p for fit in fitted.hours]
    assert all(p is not None for p in p_values)
    # Under the truth the p-values are uniform: more than two of eight below 1 % is
    # practically impossible (probability < 6e-5).
    assert sum(p < 0.01 for p in p_values if p is not None) <= 2


def test_service_families_and_means_come_back(fitted: Calibration) -> None:
    by_code = {m.code: m for m in fitted.matters}
    for code, (family, mean, cv) in SERVICES.items():
        fit = by_code[code].service
        assert fit is not None
        error = cv * mean / math.sqrt(fit.n)
        assert abs(fit.chosen.mean - mean) <= Z * error, (code, fit.chosen.mean)
        if family == "exponential":  # a gamma of shape ≈ 1 is the same distribution
            assert fit.family == "exponential" or (
                fit.family == "gamma" and abs(fit.chosen.cv - 1.0) < Z / math.sqrt(fit.n)
            ), (code, fit.family, fit.chosen.cv)
        else:
            assert fit.family == family, (code, fit.family)
            assert abs(fit.chosen.cv - cv) <= Z * cv / math.sqrt(2 * fit.n) * 2, code


def test_no_show_rate_and_punctuality_come_back(fitted: Calibration) -> None:
    book = fitted.book
    error = math.sqrt(NO_SHOW * (1 - NO_SHOW) / book.bookings)
    assert abs(book.no_show_rate - NO_SHOW) <= Z * error
    assert book.bookings == 10 * 8 * DAYS  # 10 an hour, every slot of every day
    assert abs(book.early_mean - EARLY_MEAN) <= Z * EARLY_SD / math.sqrt(book.early_count)
    assert abs(book.early_sd - EARLY_SD) <= Z * EARLY_SD / math.sqrt(2 * book.early_count)
    assert book.slot_minutes == 30
    assert book.per_hour == pytest.approx([10.0] * 8)


def test_a_busy_halls_breaks_are_seen_in_its_tickets() -> None:
    """The CSV has no sessions: a window idle while a citizen it serves waits is on a
    break. In a busy hall (the demo weekday) that shows every staggered lunch break."""
    scenario = load_scenario(EXAMPLES / "demo_weekday.toml")
    days = simulate_days(scenario, workdays(FIRST_DAY, 5))
    records = records_from_rows(TICKET_COLUMNS, [row for day in days for row in day.rows])
    found = calibrate(CalibrationInput(records, None, None, "demo"), parse_day_type("mon-fri"))
    truth = scenario.window_plans()
    assert len(found.roster) == len(truth) == 20
    for fit, plan in zip(found.roster, truth, strict=True):
        expected = [(540 + s.start, min(540 + s.end, 1020)) for s in plan.available]
        assert len(fit.shifts) == len(expected), (fit.number, fit.shifts, expected)
        for (start, end), (true_start, true_end) in zip(fit.shifts, expected, strict=True):
            # Within a quarter hour: a window finishes the citizen it serves when its break
            # comes (its last service runs into the break), and a window idle while nobody
            # waits may be open or not: the tickets cannot tell (nor does anyone's wait).
            assert abs(start - true_start) <= 15, (fit.number, fit.shifts, expected)
            assert abs(end - true_end) <= 15, (fit.number, fit.shifts, expected)
        assert fit.kind is plan.kind
        assert fit.skills == plan.skills


def test_the_written_scenario_is_what_was_fitted(fitted: Calibration, tmp_path: Path) -> None:
    path = tmp_path / "calibrated.toml"
    path.write_text(fitted.text, encoding="utf-8")
    again = load_scenario(path)
    assert again.walkin_per_hour == pytest.approx([f.rate for f in fitted.hours], abs=1e-4)
    assert again.appointments.no_show == pytest.approx(fitted.book.no_show_rate, abs=1e-6)
    shares = np.asarray([m.walkin_share for m in again.matters])
    assert shares.sum() == pytest.approx(1.0, abs=1e-6)
    assert "Kim & Whitt" in fitted.text
    assert "AIC" in fitted.text
