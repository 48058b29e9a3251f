"""The dispatch policy, incremental version for the simulator: heaps per line and class.

It decides exactly as `dispatch.choose_next` (the reference, checked by a property test)
but in time independent of the queue length. A *line* is a matter, or a matter sent to one
window. Per line it keeps four heaps of `(time, id, generation)` entries:

- green: green tickets by arrival;
- walk: walk-in-like tickets (walk-ins, late and early appointments) by arrival;
- fresh / over: on-time appointments by slot start, split by whether they have waited
  the specialist overflow time.

Removal is lazy (stale entries are skipped by generation and tag), but every mutation
cleans the heaps it touched, so a heap's top is always live and a decision only reads
tops. Time-driven moves (an early appointment's slot begins, an appointment overflows)
are timers processed before each decision; ageing, the green bound and walk-in/green
overflow need no timers because they follow arrival order, which the heaps already keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from heapq import heappop, heappush

from queueing.dispatch import Decision, Rule
from queueing.errors import DuplicateTicket, IllegalTransition, TimeWentBackwards, UnknownTicket
from queueing.policy import MINUTE, Policy
from queueing.ticket import Source, Ticket, TicketStatus, describe_state
from queueing.window import ANY_MATTER, NO_COVERAGE, Coverage, WindowKind, WindowState

_Entry = tuple[float, str, int]
_GREEN, _WALK, _FRESH, _OVER = range(4)
_PROMOTE, _OVERFLOW = range(2)
_INF = float("inf")


class _Line:
    __slots__ = ("assigned", "heaps", "matter", "size")

    def __init__(self, matter: str, assigned: int | None) -> None:
        self.matter = matter
        self.assigned = assigned
        self.size = 0
        self.heaps: tuple[list[_Entry], ...] = ([], [], [], [])


class _Held:
    __slots__ = ("gen", "line", "tag", "ticket")

    def __init__(self, ticket: Ticket, gen: int, tag: int, line: _Line) -> None:
        self.ticket = ticket
        self.gen = gen
        self.tag = tag
        self.line = line


class DispatchQueue:
    """The waiting tickets of one hall, kept ready for fast dispatch decisions."""

    __slots__ = (
        "_ageing",
        "_cap",
        "_early",
        "_eligible",
        "_gen",
        "_green_bound",
        "_held",
        "_late",
        "_lines",
        "_now",
        "_overflow",
        "_timers",
    )

    def __init__(self, policy: Policy, tickets: Iterable[Ticket] = ()) -> None:
        self._cap = policy.priority_cap
        self._ageing = policy.walkin_ageing_minutes * MINUTE
        self._green_bound = policy.green_max_wait_minutes * MINUTE
        self._early = policy.appointment_early_margin_minutes * MINUTE
        self._late = policy.appointment_late_grace_minutes * MINUTE
        self._overflow = policy.specialist_overflow_minutes * MINUTE
        self._held: dict[str, _Held] = {}
        self._lines: dict[tuple[str, int | None], _Line] = {}
        self._eligible: dict[tuple[int, frozenset[str]], list[_Line]] = {}
        self._timers: list[tuple[float, int, str, int]] = []
        self._gen = 0
        self._now = -_INF
        for ticket in tickets:
            self.add(ticket)

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._held

    def __iter__(self) -> Iterator[Ticket]:
        return (held.ticket for held in self._held.values())

    def add(self, ticket: Ticket) -> None:
        """Add a waiting ticket (new, checked in, transferred or resumed).

        Raises DuplicateTicket if it is already here, IllegalTransition if it is not WAITING.
        """
        if ticket.id in self._held:
            raise DuplicateTicket(f"Cannot queue {ticket.number}: it is already queued.")
        if ticket.status is not TicketStatus.WAITING or ticket.checked_in_at is None:
            raise IllegalTransition(ticket.number, "queue", describe_state(ticket))
        self._gen += 1
        line = self._line(ticket.matter, ticket.assigned_window)
        arrived = ticket.checked_in_at
        due = ticket.due_at
        if ticket.green:
            tag = _GREEN
        else:
            tag = _WALK
            if (
                ticket.source is Source.APPOINTMENT
                and due is not None
                and arrived <= due + self._late
            ):
                heappush(self._timers, (due - self._early, _PROMOTE, ticket.id, self._gen))
        self._held[ticket.id] = _Held(ticket, self._gen, tag, line)
        heappush(line.heaps[tag], (arrived, ticket.id, self._gen))
        line.size += 1

    def remove(self, ticket_id: str) -> Ticket:
        """Take a ticket out (called, cancelled, or changed); return it.

        Raises UnknownTicket if no such ticket is queued.
        """
        held = self._held.pop(ticket_id, None)
        if held is None:
            raise UnknownTicket(f"Cannot remove ticket {ticket_id}: it is not queued.")
        held.line.size -= 1
        self._clean(held.line.heaps[held.tag], held.tag)
        return held.ticket

    def take(
        self, window: WindowState, now: float, coverage: Coverage = NO_COVERAGE
    ) -> Decision | None:
        """Choose as `choose` does and remove the chosen ticket.

        Raises TimeWentBackwards if `now` is earlier than the previous decision's.
        """
        decision = self.choose(window, now, coverage)
        if decision is not None:
            self.remove(decision.ticket.id)
        return decision

    def choose(
        self, window: WindowState, now: float, coverage: Coverage = NO_COVERAGE
    ) -> Decision | None:
        """Choose the ticket a free window should call, exactly as `choose_next` would.

        Raises TimeWentBackwards if `now` is earlier than the previous decision's.
        """
        if now < self._now:
            raise TimeWentBackwards(
                f"Cannot decide at {now}: the queue already decided at {self._now}."
            )
        self._now = now
        self._advance(now)
        lines = [line for line in self._eligible_lines(window) if line.size]
        if not lines:
            return None
        overdue = self._overdue_green(lines, now)
        if overdue is not None:
            return Decision(self._held[overdue[1]].ticket, Rule.GREEN_BOUND, True)
        tops = None
        if window.kind is WindowKind.COMPREHENSIVE:
            tops = self._preferred_tops(lines, now, coverage)
        if tops is None:
            tops = _all_tops(lines)
        return self._pick(window, now, *tops)

    def _pick(
        self,
        window: WindowState,
        now: float,
        green: _Entry | None,
        walk: _Entry | None,
        appointment: _Entry | None,
    ) -> Decision:
        held = self._held
        capped = window.kind is not WindowKind.GREEN and window.priority_streak >= self._cap
        if capped and walk is not None:
            return Decision(held[walk[1]].ticket, Rule.PRIORITY_CAP, False)
        if green is not None:
            return Decision(held[green[1]].ticket, Rule.GREEN, True)
        aged = walk if walk is not None and walk[0] + self._ageing <= now else None
        if appointment is not None and (aged is None or appointment < aged):
            return Decision(held[appointment[1]].ticket, Rule.APPOINTMENT, True)
        if aged is not None:
            return Decision(held[aged[1]].ticket, Rule.AGEING, False)
        assert walk is not None  # the pool is never empty here
        return Decision(held[walk[1]].ticket, Rule.WALK_IN, False)

    def _overdue_green(self, lines: list[_Line], now: float) -> _Entry | None:
        best = None
        bound = self._green_bound
        for line in lines:
            heap = line.heaps[_GREEN]
            if heap:
                top = heap[0]
                if top[0] + bound <= now and (best is None or top < best):
                    best = top
        return best

    def _preferred_tops(
        self, lines: list[_Line], now: float, coverage: Coverage
    ) -> tuple[_Entry | None, _Entry | None, _Entry | None] | None:
        special = coverage.matters
        greens = coverage.green_matters
        any_special = ANY_MATTER in special
        any_green = ANY_MATTER in greens
        overflow = self._overflow
        green = walk = appointment = None
        for line in lines:
            covered = green_covered = False
            if line.assigned is None:
                covered = any_special or line.matter in special
                green_covered = covered or any_green or line.matter in greens
            green_heap, walk_heap, fresh, over = line.heaps
            if green_heap:
                top = green_heap[0]
                if (not green_covered or top[0] + overflow <= now) and (
                    green is None or top < green
                ):
                    green = top
            if walk_heap:
                top = walk_heap[0]
                if (not covered or top[0] + overflow <= now) and (walk is None or top < walk):
                    walk = top
            if fresh and not covered and (appointment is None or fresh[0] < appointment):
                appointment = fresh[0]
            if over and (appointment is None or over[0] < appointment):
                appointment = over[0]
        if green is None and walk is None and appointment is None:
            return None
        return green, walk, appointment

    def _advance(self, now: float) -> None:
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, kind, ticket_id, gen = heappop(timers)
            held = self._held.get(ticket_id)
            if held is None or held.gen != gen:
                continue
            ticket = held.ticket
            heaps = held.line.heaps
            assert ticket.due_at is not None
            assert ticket.checked_in_at is not None
            if kind == _PROMOTE:
                held.tag = _FRESH
                heappush(heaps[_FRESH], (ticket.due_at, ticket_id, gen))
                self._clean(heaps[_WALK], _WALK)
                due = ticket.checked_in_at + self._overflow
                heappush(timers, (due, _OVERFLOW, ticket_id, gen))
            else:
                held.tag = _OVER
                heappush(heaps[_OVER], (ticket.due_at, ticket_id, gen))
                self._clean(heaps[_FRESH], _FRESH)

    def _clean(self, heap: list[_Entry], tag: int) -> None:
        held = self._held
        while heap:
            _, ticket_id, gen = heap[0]
            entry = held.get(ticket_id)
            if entry is not None and entry.gen == gen and entry.tag == tag:
                return
            heappop(heap)

    def _line(self, matter: str, assigned: int | None) -> _Line:
        line = self._lines.get((matter, assigned))
        if line is None:
            line = self._lines[matter, assigned] = _Line(matter, assigned)
            self._eligible.clear()
        return line

    def _eligible_lines(self, window: WindowState) -> list[_Line]:
        key = (window.number, window.skills)
        lines = self._eligible.get(key)
        if lines is None:
            number, skills = key
            every = ANY_MATTER in skills
            lines = self._eligible[key] = [
                line
                for line in self._lines.values()
                if line.assigned == number
                or (line.assigned is None and (every or line.matter in skills))
            ]
        return lines


def _all_tops(lines: list[_Line]) -> tuple[_Entry | None, _Entry | None, _Entry | None]:
    green = walk = appointment = None
    for line in lines:
        green_heap, walk_heap, fresh, over = line.heaps
        if green_heap and (green is None or green_heap[0] < green):
            green = green_heap[0]
        if walk_heap and (walk is None or walk_heap[0] < walk):
            walk = walk_heap[0]
        if fresh and (appointment is None or fresh[0] < appointment):
            appointment = fresh[0]
        if over and (appointment is None or over[0] < appointment):
            appointment = over[0]
    return green, walk, appointment
