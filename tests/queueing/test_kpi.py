"""KPI definitions: the numbers behind the hall's targets, and None when nothing to measure."""

from __future__ import annotations

import pytest

from queueing.kpi import (
    Summary,
    appointment_wait_by_class,
    appointment_waits,
    called_after_closing,
    first_visit_success_rate,
    green_waits,
    handling_times,
    mean,
    no_show_rate,
    overtime,
    summarise,
    walk_in_waits,
    window_utilisation,
)
from queueing.ticket import MatterClass, Outcome, TicketStatus
from tests.queueing.queueing_builders import at, booked, green, walk_in

FINISHED = TicketStatus.FINISHED


def test_nothing_to_measure_is_none_not_zero() -> None:
    assert summarise([]) is None
    assert mean([]) is None
    assert first_visit_success_rate([]) is None
    assert no_show_rate([walk_in("A1", 0)]) is None
    assert appointment_wait_by_class([]) == {MatterClass.GENERAL: None, MatterClass.COMPLEX: None}
    assert window_utilisation([], {1: [], 2: [(at(0), at(0))]}) == {1: None, 2: None}


def test_summary_mean_p90_max() -> None:
    assert summarise(range(1, 11)) == Summary(10, 5.5, 9, 10)
    assert summarise([4.0]) == Summary(1, 4.0, 4.0, 4.0)
    assert mean([1.0, 2.0]) == 1.5


def test_appointment_wait_from_the_later_of_check_in_and_slot_start() -> None:
    early = booked("P1", 10, 0, first_called_at=at(15))  # waits from the slot: 5 min
    late = booked("P2", 10, 12, first_called_at=at(20), matter_class=MatterClass.COMPLEX)
    before_slot = booked("P3", 10, 0, first_called_at=at(8))  # called early: 0, not -2
    never_called = booked("P4", 10, 0)
    records = [early, late, before_slot, never_called, walk_in("A1", 0, first_called_at=at(3))]
    assert appointment_waits(records) == [5.0, 8.0, 0.0]
    assert appointment_waits(records, MatterClass.COMPLEX) == [8.0]
    by_class = appointment_wait_by_class(records)
    assert by_class[MatterClass.GENERAL] == Summary(2, 2.5, 5.0, 5.0)
    assert walk_in_waits(records) == [3.0]


def test_appointment_not_checked_in_is_not_measured() -> None:
    expected = booked("P1", 10, 0, checked_in_at=None, first_called_at=at(12))
    assert appointment_waits([expected]) == []


def test_handling_time_start_to_finish() -> None:
    served = walk_in("A1", 0, status=FINISHED, started_at=at(5), finished_at=at(17))
    unfinished = walk_in("A2", 0, status=TicketStatus.SERVING, started_at=at(5))
    assert handling_times([served, unfinished]) == [12.0]


def test_first_visit_success_rate() -> None:
    def done(i: str, outcome: Outcome, first: bool = True) -> object:
        return walk_in(i, 0, status=FINISHED, outcome=outcome, first_visit=first)

    records = [
        done("1", Outcome.COMPLETED),
        done("2", Outcome.MATERIALS_MISSING),
        done("3", Outcome.COMPLETED),
        done("4", Outcome.REFERRED),
        done("5", Outcome.REJECTED, first=False),
    ]
    assert first_visit_success_rate(records) == 0.5


def test_no_show_rate_over_called_tickets() -> None:
    records = [
        walk_in("1", 0, status=TicketStatus.NO_SHOW, first_called_at=at(1)),
        walk_in("2", 0, status=FINISHED, first_called_at=at(1)),
        walk_in("3", 0, status=TicketStatus.CANCELLED),
    ]
    assert no_show_rate(records) == 0.5


def test_window_utilisation_counts_service_inside_open_time() -> None:
    records = [
        walk_in("1", 0, window=1, status=FINISHED, started_at=at(0), finished_at=at(30)),
        walk_in("2", 0, window=1, status=FINISHED, started_at=at(50), finished_at=at(70)),
        walk_in("3", 0, window=2, status=TicketStatus.SERVING, started_at=at(0)),
        walk_in("4", 0),
    ]
    hours = {1: [(at(0), at(60)), (at(120), at(180))], 2: [(at(0), at(60))], 3: [(at(0), at(60))]}
    result = window_utilisation(records, hours)
    assert result[1] == pytest.approx(40 / 120)
    assert result[2] == 0.0
    assert result[3] == 0.0


def test_green_tickets_have_their_own_wait_and_leave_the_walk_in_wait() -> None:
    records = [
        walk_in("A1", 0, first_called_at=at(4)),
        green("G1", 2, first_called_at=at(3)),  # from its check-in at 2: 1 min
        green("G2", 5, checked_in_at=None, first_called_at=at(11)),  # from issue: 6 min
        green("G3", 5),  # never called: no wait yet
    ]
    assert walk_in_waits(records) == [4.0]
    assert green_waits(records) == [1.0, 6.0]


def test_overtime_runs_from_closing_to_the_last_service_end() -> None:
    closing = at(60)
    early = walk_in("1", 0, first_called_at=at(50), finished_at=at(58))
    late = walk_in("2", 55, first_called_at=at(62), finished_at=at(75))
    waiting = walk_in("3", 59)
    assert overtime([early, waiting], closing) == 0.0
    assert overtime([early, late, waiting], closing) == 15.0
    assert overtime([], closing) == 0.0
    assert called_after_closing([early, late, waiting], closing) == 1
