"""The back-test: a right model reproduces the held-out days, a wrong one does not."""

from __future__ import annotations

import dataclasses

import pytest

from hall.analytics.export import TICKET_COLUMNS
from simulation.calibration.backtest import BACKTEST_KPIS, backtest, observed_kpis
from simulation.calibration.calibrate import calibrate
from simulation.calibration.days import parse_day_type
from simulation.calibration.fitted import Calibration, CalibrationInput
from simulation.calibration.records import Records, records_from_rows
from simulation.distributions import Exponential, Gamma, Lognormal, ServiceTime
from simulation.scenario_model import Scenario
from tests.simulation.calibration.known import DAYS, HELD_OUT, known_days

REPLICATIONS = 20


@pytest.fixture(scope="module")
def fitted() -> tuple[Calibration, list[Records]]:
    rows = [row for day in known_days() for row in day.rows]
    records = records_from_rows(TICKET_COLUMNS, rows)
    given = CalibrationInput(records, None, None, "known")
    cal = calibrate(given, parse_day_type("mon-fri"), holdout=HELD_OUT)
    return cal, list(records.by_day(cal.held_out).values())


def doubled(service: ServiceTime) -> ServiceTime:
    if isinstance(service, Exponential):
        return Exponential(2 * service.mean)
    assert isinstance(service, Lognormal | Gamma)
    return type(service)(2 * service.mean, service.cv)


def test_the_held_out_days_are_the_last_ones(fitted: tuple[Calibration, list[Records]]) -> None:
    cal, held = fitted
    assert (len(cal.training), len(cal.held_out)) == (DAYS, HELD_OUT)
    assert max(cal.training) < min(cal.held_out)
    assert [int(r.day[0]) for r in held] == cal.held_out


def test_the_calibrated_model_reproduces_the_held_out_days(
    fitted: tuple[Calibration, list[Records]],
) -> None:
    cal, held = fitted
    result = backtest(cal.scenario, held, len(cal.training), REPLICATIONS)
    assert result.passed, [(c.name, c.observed_mean, c.low, c.high) for c in result.checks]
    checked = {c.name for c in result.checks if c.reproduced is not None}
    assert {"walkin_wait", "handling_time", "arrivals", "appointment_wait_general"} <= checked
    assert result.level == pytest.approx(1 - 0.05 / len(BACKTEST_KPIS))


def test_service_times_doubled_fail_the_back_test(
    fitted: tuple[Calibration, list[Records]],
) -> None:
    cal, held = fitted
    wrong: Scenario = dataclasses.replace(
        cal.scenario,
        matters=tuple(
            dataclasses.replace(m, service=doubled(m.service)) for m in cal.scenario.matters
        ),
    )
    result = backtest(wrong, held, len(cal.training), REPLICATIONS)
    assert not result.passed
    assert "handling_time" in result.missed
    arrivals = next(c for c in result.checks if c.name == "arrivals")
    assert arrivals.reproduced  # the arrivals were right; only the services were not


def test_the_observed_kpis_are_the_vocabularys(fitted: tuple[Calibration, list[Records]]) -> None:
    """One held-out day's handling time, recomputed here from its rows."""
    _, held = fitted
    day = held[0]
    kpis = observed_kpis(day)
    done = ~day.ticketless & (day.outcome == 1)
    expected = float((day.finished[done] - day.started[done]).mean())
    assert kpis["handling_time"] == pytest.approx(expected)
    assert kpis["arrivals"] == float((~day.ticketless).sum())
