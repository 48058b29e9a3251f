"""One scenario per dispatch rule, each named after the rule it pins."""

from __future__ import annotations

from queueing.dispatch import PriorityClass, Rule, choose_next, priority_class, sort_key
from queueing.policy import Policy
from queueing.ticket import Ticket, TicketStatus
from queueing.window import Coverage, WindowKind, WindowState, coverage_of
from tests.queueing.queueing_builders import at, booked, green, walk_in, window

POLICY = Policy()
SPECIALIST_B = window(9, WindowKind.SPECIALISED, {"B"})


def pick(
    tickets: list[Ticket],
    minute: float,
    *,
    w: WindowState | None = None,
    policy: Policy = POLICY,
    coverage: Coverage | None = None,
) -> tuple[str, Rule] | None:
    decision = choose_next(
        window() if w is None else w,
        tickets,
        at(minute),
        policy,
        Coverage() if coverage is None else coverage,
    )
    return None if decision is None else (decision.ticket.id, decision.rule)


def test_nothing_to_call_when_nobody_waits() -> None:
    assert pick([], 0) is None
    assert pick([walk_in("A1", 0, status=TicketStatus.CALLED, window=2)], 1) is None


def test_eligibility_only_matters_the_window_may_serve() -> None:
    tickets = [walk_in("A1", 0, "A"), walk_in("B1", 1, "B")]
    assert pick(tickets, 2, w=window(1, WindowKind.SPECIALISED, {"B"})) == ("B1", Rule.WALK_IN)
    assert pick(tickets, 2, w=window(1, WindowKind.SPECIALISED, {"C"})) is None


def test_eligibility_ticket_sent_to_a_window_goes_only_there() -> None:
    sent = walk_in("A1", 0, "A", assigned_window=7)
    later = walk_in("A2", 1, "A")
    assert pick([sent, later], 2, w=window(3)) == ("A2", Rule.WALK_IN)
    assert pick([sent, later], 2, w=window(7, WindowKind.SPECIALISED, {"X"})) == (
        "A1",
        Rule.WALK_IN,
    )


def test_green_channel_first() -> None:
    tickets = [walk_in("A1", 0), booked("P1", 0, 0), green("G1", 5)]
    assert pick(tickets, 6) == ("G1", Rule.GREEN)


def test_appointment_holders_before_walk_ins() -> None:
    assert pick([walk_in("A1", 0), booked("P1", 5, 1)], 5) == ("P1", Rule.APPOINTMENT)


def test_appointment_early_margin() -> None:
    # Slot at 09:20, margin 5 min: an early arrival waits as a walk-in until 09:15.
    tickets = [walk_in("A1", 1), booked("P1", 20, 0)]
    assert pick(tickets, 14) == ("P1", Rule.WALK_IN)  # arrived first among walk-ins
    assert pick([walk_in("A0", 0), booked("P1", 20, 1)], 14) == ("A0", Rule.WALK_IN)
    assert pick([walk_in("A0", 0), booked("P1", 20, 1)], 15) == ("P1", Rule.APPOINTMENT)


def test_appointments_earliest_slot_first() -> None:
    tickets = [booked("P2", 10, 0), booked("P1", 5, 8)]
    assert pick(tickets, 10) == ("P1", Rule.APPOINTMENT)


def test_walk_ins_first_come_first_served() -> None:
    tickets = [walk_in("A2", 3), walk_in("A1", 1), walk_in("A3", 2)]
    assert pick(tickets, 4) == ("A1", Rule.WALK_IN)


def test_late_appointment_becomes_walk_in() -> None:
    # Slot 09:00, grace 15 min: at 09:15 still an appointment, at 09:16 a walk-in.
    on_grace = booked("P1", 0, 15)
    late = booked("P2", 0, 16)
    assert priority_class(on_grace, at(16), POLICY) is PriorityClass.APPOINTMENT
    assert priority_class(late, at(16), POLICY) is PriorityClass.WALK_IN
    assert pick([walk_in("A1", 10), late], 17) == ("A1", Rule.WALK_IN)


def test_priority_cap_serves_a_walk_in_after_n_priority_calls() -> None:
    tickets = [walk_in("A1", 0), booked("P1", 1, 1), green("G1", 2)]
    assert pick(tickets, 3, w=window(streak=2)) == ("G1", Rule.GREEN)
    assert pick(tickets, 3, w=window(streak=3)) == ("A1", Rule.PRIORITY_CAP)


def test_priority_cap_does_not_apply_at_a_green_window() -> None:
    tickets = [walk_in("A1", 0), green("G1", 2)]
    assert pick(tickets, 3, w=window(5, WindowKind.GREEN, streak=9)) == ("G1", Rule.GREEN)


def test_priority_cap_zero_puts_walk_ins_first() -> None:
    policy = Policy(priority_cap=0)
    tickets = [walk_in("A1", 0), booked("P1", 1, 1)]
    assert pick(tickets, 3, policy=policy) == ("A1", Rule.PRIORITY_CAP)


def test_priority_cap_off_keeps_priority_first_however_long_the_streak() -> None:
    policy = Policy(priority_cap=None)
    tickets = [walk_in("A1", 0), booked("P1", 1, 1), green("G1", 2)]
    assert pick(tickets, 3, w=window(streak=100), policy=policy) == ("G1", Rule.GREEN)
    assert pick(tickets[:2], 3, w=window(streak=100), policy=policy) == ("P1", Rule.APPOINTMENT)


def test_priority_cap_without_walk_ins_keeps_calling_priority() -> None:
    assert pick([booked("P1", 1, 1)], 3, w=window(streak=5)) == ("P1", Rule.APPOINTMENT)


def test_ageing_promotes_a_long_waiting_walk_in() -> None:
    # Ageing 30 min: A1 (09:00) ranks with appointments by time from 09:30.
    tickets = [walk_in("A1", 0), booked("P1", 29, 29)]
    assert pick(tickets, 29.5) == ("P1", Rule.APPOINTMENT)
    assert pick(tickets, 30) == ("A1", Rule.AGEING)
    assert pick([walk_in("A1", 0), booked("P0", -5, 0)], 30) == ("P0", Rule.APPOINTMENT)
    assert priority_class(tickets[0], at(30), POLICY) is PriorityClass.AGED_WALK_IN
    assert sort_key(tickets[0], at(30), POLICY) == (1, at(0), "A1")


def test_green_bound_beats_the_priority_cap() -> None:
    tickets = [walk_in("A1", 0), green("G1", 1)]
    assert pick(tickets, 10, w=window(streak=3)) == ("A1", Rule.PRIORITY_CAP)
    assert pick(tickets, 11, w=window(streak=3)) == ("G1", Rule.GREEN_BOUND)


def test_green_bound_beats_specialisation() -> None:
    coverage = coverage_of([window(5, WindowKind.GREEN)])
    tickets = [walk_in("A1", 0), green("G1", 1)]
    assert pick(tickets, 5, coverage=coverage) == ("A1", Rule.WALK_IN)
    assert pick(tickets, 11, coverage=coverage) == ("G1", Rule.GREEN_BOUND)


def test_green_bound_calls_the_longest_waiting_green_first() -> None:
    tickets = [green("G2", 2), green("G1", 0, matter="B")]
    assert pick(tickets, 30) == ("G1", Rule.GREEN_BOUND)


def test_specialisation_comprehensive_window_prefers_uncovered_lines() -> None:
    coverage = coverage_of([SPECIALIST_B])
    tickets = [walk_in("B1", 0, "B"), walk_in("A1", 1, "A")]
    assert pick(tickets, 2, coverage=coverage) == ("A1", Rule.WALK_IN)
    assert pick(tickets, 2) == ("B1", Rule.WALK_IN)  # no specialist open


def test_specialisation_comprehensive_window_absorbs_covered_work_when_idle() -> None:
    coverage = coverage_of([SPECIALIST_B])
    assert pick([walk_in("B1", 0, "B")], 2, coverage=coverage) == ("B1", Rule.WALK_IN)


def test_specialisation_overflow_after_waiting_too_long() -> None:
    coverage = coverage_of([SPECIALIST_B])
    tickets = [booked("B1", 0, 0, "B"), walk_in("A1", 1, "A")]
    assert pick(tickets, 14, coverage=coverage) == ("A1", Rule.WALK_IN)
    assert pick(tickets, 15, coverage=coverage) == ("B1", Rule.APPOINTMENT)


def test_specialisation_specialised_window_takes_its_own_work_only() -> None:
    tickets = [walk_in("A1", 0, "A"), walk_in("B1", 5, "B")]
    assert pick(tickets, 6, w=SPECIALIST_B, coverage=coverage_of([SPECIALIST_B])) == (
        "B1",
        Rule.WALK_IN,
    )


def test_specialisation_green_window_takes_green_work_first() -> None:
    green_window = window(5, WindowKind.GREEN, {"A", "B"})
    coverage = coverage_of([green_window])
    tickets = [walk_in("A1", 0), booked("P1", 0, 0), green("G1", 4, "B")]
    assert pick(tickets, 5, w=green_window, coverage=coverage) == ("G1", Rule.GREEN)
    # A comprehensive window leaves that green ticket to the green window for now.
    assert pick(tickets, 5, coverage=coverage) == ("P1", Rule.APPOINTMENT)


def test_coverage_ignores_comprehensive_windows() -> None:
    assert coverage_of([window(1), window(2, WindowKind.GREEN, {"A"})]) == Coverage(
        frozenset(), frozenset({"A"})
    )
