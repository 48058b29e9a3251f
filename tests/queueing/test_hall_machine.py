"""A Hypothesis state machine plays a hall: random staff and citizen actions on 4 windows.

Invariants: no ticket lost, none held by two windows, no window holding two, the queue
mirror agrees with the reference, and at every call: the green bound, the priority cap
and FIFO inside a class hold (checked by simple rules written here, not by the policy).
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from queueing.calling import apply_decision
from queueing.detours import cancel, park, resume, transfer
from queueing.dispatch import Decision, Rule, arrival, choose_next
from queueing.dispatch_queue import DispatchQueue
from queueing.errors import IllegalTransition, NoShowTooEarly
from queueing.lifecycle import check_in, finish, issue, mark_no_show, recall, start
from queueing.numbering import DayCounters, next_number
from queueing.policy import MINUTE, Policy
from queueing.ticket import HELD, MatterClass, Outcome, Source, Ticket, TicketStatus
from queueing.window import WindowKind, WindowState, coverage_of, may_serve, release

POLICY = Policy(
    priority_cap=2,
    walkin_ageing_minutes=12,
    green_max_wait_minutes=8,
    appointment_early_margin_minutes=5,
    appointment_late_grace_minutes=10,
    specialist_overflow_minutes=10,
    recalls_before_no_show=1,
    no_show_grace_minutes=2,
)
MATTERS = ("A", "B", "C")
DAY = datetime.date(2025, 3, 3)
S = TicketStatus


def oldest(tickets: list[Ticket]) -> tuple[float, str]:
    return min((arrival(t), t.id) for t in tickets)


class Hall(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 8 * 3600.0
        self.tickets: dict[str, Ticket] = {}
        self.issued: list[str] = []
        self.numbers: DayCounters | None = None
        self.queue = DispatchQueue(POLICY)
        self.windows = {
            1: WindowState(1),
            2: WindowState(2),
            3: WindowState(3, WindowKind.SPECIALISED, frozenset({"B"})),
            4: WindowState(4, WindowKind.GREEN, frozenset({"A", "B"})),
        }
        self.coverage = coverage_of(self.windows.values())

    # -- helpers -------------------------------------------------------------------------
    def with_status(self, *statuses: TicketStatus) -> list[str]:
        return sorted(i for i, t in self.tickets.items() if t.status in statuses)

    def put(self, ticket: Ticket) -> None:
        before = self.tickets.get(ticket.id)
        if before is not None and before.status is S.WAITING:
            self.queue.remove(ticket.id)
        if ticket.status is S.WAITING:
            self.queue.add(ticket)
        if before is not None and before.status in HELD and ticket.status not in HELD:
            assert before.window is not None
            self.windows[before.window] = release(self.windows[before.window], ticket.id)
        self.tickets[ticket.id] = ticket

    # -- citizens ------------------------------------------------------------------------
    @rule(minutes=st.floats(0, 6))
    def time_passes(self, minutes: float) -> None:
        self.now += minutes * MINUTE

    @rule(
        matter=st.sampled_from(MATTERS),
        green=st.integers(0, 3).map(lambda n: n == 0),
        booked=st.booleans(),
        slot=st.integers(-20, 40),
    )
    def take_ticket(self, matter: str, green: bool, booked: bool, slot: int) -> None:
        ticket_id = f"t{len(self.issued):04d}"
        prefix = "Y" if booked else matter
        number, self.numbers = next_number(self.numbers, prefix, DAY)
        source = Source.APPOINTMENT if booked else Source.WALK_IN
        due = self.now + slot * MINUTE if booked else None
        ticket, _ = issue(
            ticket_id,
            number,
            matter,
            MatterClass.GENERAL,
            self.now,
            source=source,
            green=green,
            due_at=due,
            checked_in=not booked,
        )
        self.issued.append(ticket_id)
        self.put(ticket)

    @precondition(lambda self: self.with_status(S.EXPECTED))
    @rule(data=st.data())
    def check_in(self, data: st.DataObject) -> None:
        ticket_id = data.draw(st.sampled_from(self.with_status(S.EXPECTED)))
        self.put(check_in(self.tickets[ticket_id], self.now)[0])

    @precondition(lambda self: self.with_status(S.EXPECTED, S.WAITING, S.CALLED, S.PARKED))
    @rule(data=st.data())
    def leave(self, data: st.DataObject) -> None:
        choices = self.with_status(S.EXPECTED, S.WAITING, S.CALLED, S.PARKED)
        ticket_id = data.draw(st.sampled_from(choices))
        self.put(cancel(self.tickets[ticket_id], self.now, "left")[0])

    # -- windows -------------------------------------------------------------------------
    @rule(number=st.sampled_from([1, 2, 3, 4]))
    def call_next(self, number: int) -> None:
        window = self.windows[number]
        if window.ticket_id is not None:
            return
        waiting = list(self.tickets.values())
        decision = choose_next(window, waiting, self.now, POLICY, self.coverage)
        assert self.queue.choose(window, self.now, self.coverage) == decision
        if decision is None:
            assert not [t for t in waiting if t.status is S.WAITING and may_serve(window, t)]
            return
        event(f"call by {decision.rule.value}")
        self.check_fairness(window, decision)
        call = apply_decision(window, decision, self.now)
        self.queue.remove(call.ticket.id)
        self.tickets[call.ticket.id] = call.ticket
        self.windows[number] = call.window

    @precondition(lambda self: self.with_status(S.CALLED))
    @rule(data=st.data(), action=st.sampled_from(["recall", "no_show", "start", "park"]))
    def handle_called(self, data: st.DataObject, action: str) -> None:
        ticket = self.tickets[data.draw(st.sampled_from(self.with_status(S.CALLED)))]
        if action == "recall":
            self.put(recall(ticket, self.now)[0])
        elif action == "start":
            self.put(start(ticket, self.now)[0])
        elif action == "park":
            self.put(park(ticket, self.now, "papers")[0])
        else:
            try:
                self.put(mark_no_show(ticket, self.now, POLICY)[0])
            except NoShowTooEarly:
                assert ticket.recalls < 1 or ticket.called_at + 2 * MINUTE > self.now  # type: ignore[operator]

    @precondition(lambda self: self.with_status(S.SERVING))
    @rule(data=st.data(), outcome=st.sampled_from(Outcome))
    def finish(self, data: st.DataObject, outcome: Outcome) -> None:
        ticket_id = data.draw(st.sampled_from(self.with_status(S.SERVING)))
        self.put(finish(self.tickets[ticket_id], self.now, outcome)[0])

    @precondition(lambda self: self.with_status(S.WAITING, S.CALLED, S.SERVING))
    @rule(data=st.data(), matter=st.sampled_from(MATTERS), to_window=st.sampled_from([None, 1, 3]))
    def transfer(self, data: st.DataObject, matter: str, to_window: int | None) -> None:
        ticket_id = data.draw(st.sampled_from(self.with_status(S.WAITING, S.CALLED, S.SERVING)))
        before = self.tickets[ticket_id]
        moved = transfer(before, self.now, matter=matter, to_window=to_window)[0]
        assert (moved.issued_at, moved.checked_in_at) == (before.issued_at, before.checked_in_at)
        self.put(moved)

    @precondition(lambda self: self.with_status(S.PARKED))
    @rule(data=st.data(), to_window=st.sampled_from([None, 2]))
    def resume(self, data: st.DataObject, to_window: int | None) -> None:
        ticket_id = data.draw(st.sampled_from(self.with_status(S.PARKED)))
        self.put(resume(self.tickets[ticket_id], self.now, to_window=to_window)[0])

    @precondition(lambda self: self.with_status(S.CALLED, S.SERVING))
    @rule(data=st.data())
    def calling_a_held_ticket_is_refused(self, data: st.DataObject) -> None:
        ticket = self.tickets[data.draw(st.sampled_from(self.with_status(S.CALLED, S.SERVING)))]
        with pytest.raises(IllegalTransition, match=f"Cannot call {ticket.number}: it "):
            apply_decision(WindowState(9), Decision(ticket, Rule.CHOSEN, False), self.now)

    # -- the rules at the moment of a call -----------------------------------------------
    def check_fairness(self, window: WindowState, decision: Decision) -> None:
        chosen, now = decision.ticket, self.now
        eligible = [
            t for t in self.tickets.values() if t.status is S.WAITING and may_serve(window, t)
        ]
        overdue = [t for t in eligible if t.green and arrival(t) + 8 * MINUTE <= now]
        if overdue:  # the green bound
            assert oldest([chosen]) == oldest(overdue)
            return
        pool = self.pool(window, eligible)
        assert chosen in pool
        walkers = [t for t in pool if not t.green and not self.on_time(t)]
        if window.kind is not WindowKind.GREEN and window.priority_streak >= 2 and walkers:
            assert not decision.priority  # the priority cap
        if chosen.green:  # FIFO among green tickets
            assert oldest([chosen]) == oldest([t for t in pool if t.green])
        elif self.on_time(chosen):  # earliest slot first among on-time appointments
            on_time = [t for t in pool if not t.green and self.on_time(t)]
            assert min((t.due_at, t.id) for t in on_time) == (chosen.due_at, chosen.id)
        else:  # FIFO among walk-ins (and early or late appointments)
            assert oldest([chosen]) == oldest(walkers)

    def on_time(self, t: Ticket) -> bool:
        due = t.due_at
        return (
            t.source is Source.APPOINTMENT
            and due is not None
            and arrival(t) <= due + 10 * MINUTE
            and due - 5 * MINUTE <= self.now
        )

    def pool(self, window: WindowState, eligible: list[Ticket]) -> list[Ticket]:
        if window.kind is not WindowKind.COMPREHENSIVE:
            return eligible

        def covered(t: Ticket) -> bool:
            return t.assigned_window is None and (t.matter == "B" or (t.green and t.matter == "A"))

        mine = [t for t in eligible if not covered(t) or arrival(t) + 10 * MINUTE <= self.now]
        return mine or eligible

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def no_ticket_lost(self) -> None:
        assert sorted(self.tickets) == sorted(self.issued)
        assert sorted(t.id for t in self.queue) == self.with_status(S.WAITING)
        numbers = [t.number for t in self.tickets.values()]
        assert len(set(numbers)) == len(numbers)

    @invariant()
    def each_held_ticket_at_exactly_one_window(self) -> None:
        holders = {w.ticket_id: n for n, w in self.windows.items() if w.ticket_id is not None}
        held = {t.id: t.window for t in self.tickets.values() if t.status in HELD}
        assert holders == held


Hall.TestCase.settings = settings(max_examples=200, stateful_step_count=80, deadline=None)
test_hall = Hall.TestCase
