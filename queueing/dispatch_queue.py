"""The dispatch policy, incremental version for the simulator: heaps per line and class.

It decides exactly as `dispatch.choose_next` (the reference, checked by a property test)
but in time independent of the queue length. A *line* is a matter, or a matter sent to one
window. Per line it keeps four heaps of `(time, key, generation)` entries:

- green: green tickets by arrival;
- walk: walk-in-like tickets (walk-ins, late and early appointments) by arrival;
- fresh / over: on-time appointments by slot start, split by whether they have waited
  the specialist overflow time.

Removal is lazy (stale entries are skipped by generation and tag), but every mutation
cleans the heaps it touched, so a heap's top is always live and a decision only reads
tops. Time-driven moves (an early appointment's slot begins, an appointment overflows)
are timers processed before each decision; ageing, the green bound and walk-in/green
overflow need no timers because they follow arrival order, which the heaps already keep.

Two faces share that machinery. `WaitingLines` holds only what dispatch reads (a key
chosen by the caller, the matter, arrival, slot start, green flag and assigned window), so
the simulator queues thousands of citizens a day without building a `Ticket` for each and
gets back the key and the rule. `DispatchQueue` keeps real `Ticket`s on top of it and
returns `Decision`s, as `choose_next` does. Keys break exact time ties, as ticket ids do in
the reference, so a caller's keys must sort as its ticket ids would.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from heapq import heappop, heappush
from typing import Any, Generic, TypeVar

from queueing.dispatch import Decision, Rule
from queueing.errors import DuplicateTicket, IllegalTransition, TimeWentBackwards, UnknownTicket
from queueing.policy import MINUTE, Policy
from queueing.ticket import Source, Ticket, TicketStatus, describe_state
from queueing.window import ANY_MATTER, NO_COVERAGE, Coverage, WindowKind, WindowState

__all__ = ["DispatchQueue", "WaitingLines"]

K = TypeVar("K", str, int)
_Entry = tuple[float, Any, int]  # (time, key, generation)
_Tops = tuple[_Entry | None, _Entry | None, _Entry | None]  # green, walk, appointment
_GREEN, _WALK, _FRESH, _OVER = range(4)
_PROMOTE, _OVERFLOW = range(2)
_INF = float("inf")
_COMPREHENSIVE = WindowKind.COMPREHENSIVE
_GREEN_WINDOW = WindowKind.GREEN
# The rules as module constants: reading an enum member off its class is a slow lookup.
_GREEN_BOUND, _PRIORITY_CAP, _GREEN_RULE = Rule.GREEN_BOUND, Rule.PRIORITY_CAP, Rule.GREEN
_APPOINTMENT, _AGEING, _WALK_IN = Rule.APPOINTMENT, Rule.AGEING, Rule.WALK_IN


class _Line:
    __slots__ = ("assigned", "coverage", "covered", "green_covered", "heaps", "matter", "size")

    def __init__(self, matter: str, assigned: int | None) -> None:
        self.matter = matter
        self.assigned = assigned
        self.size = 0
        self.coverage: Coverage | None = None  # what `covered` and `green_covered` are of
        self.covered = self.green_covered = False
        self.heaps: tuple[list[_Entry], list[_Entry], list[_Entry], list[_Entry]] = (
            [],
            [],
            [],
            [],
        )

    def cover(self, coverage: Coverage) -> None:
        """Note whether an open specialist (or green window, for green work) is meant for
        this line; a line sent to one window is nobody else's."""
        self.coverage = coverage
        special, greens = coverage.matters, coverage.green_matters
        self.covered = self.assigned is None and (ANY_MATTER in special or self.matter in special)
        self.green_covered = self.assigned is None and (
            self.covered or ANY_MATTER in greens or self.matter in greens
        )


# What is known of a queued citizen, as a list (cheaper to make than an object):
# [generation, tag (which heap of its line), line, arrived, due (inf if none)].
_Held = list[Any]
_GEN, _TAG, _LINE, _ARRIVED, _DUE = range(5)


class WaitingLines(Generic[K]):
    """The waiting citizens of one hall by key, kept ready for fast dispatch decisions."""

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

    def __init__(self, policy: Policy) -> None:
        cap = policy.priority_cap
        self._cap = _INF if cap is None else cap  # None: the cap is off
        self._ageing = policy.walkin_ageing_minutes * MINUTE
        self._green_bound = policy.green_max_wait_minutes * MINUTE
        self._early = policy.appointment_early_margin_minutes * MINUTE
        self._late = policy.appointment_late_grace_minutes * MINUTE
        self._overflow = policy.specialist_overflow_minutes * MINUTE
        self._held: dict[K, _Held] = {}
        self._lines: dict[tuple[str, int | None], _Line] = {}
        self._eligible: dict[tuple[int, frozenset[str], frozenset[str]], list[_Line]] = {}
        self._timers: list[tuple[float, int, K, int]] = []
        self._gen = 0
        self._now = -_INF

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, key: object) -> bool:
        return key in self._held

    def __iter__(self) -> Iterator[K]:
        return iter(self._held)

    def add(
        self,
        key: K,
        matter: str,
        arrived: float,
        green: bool = False,
        due: float | None = None,
        assigned: int | None = None,
    ) -> None:
        """Queue a citizen who joined at `arrived`; `due` is an appointment's slot start.

        `due` is None for walk-ins (and anyone the policy never treats as an appointment);
        `assigned` is the window a ticket was sent to. Raises DuplicateTicket if `key` is
        already queued.
        """
        held = self._held
        if key in held:
            raise DuplicateTicket(f"Cannot queue {key}: it is already queued.")
        self._gen = gen = self._gen + 1
        line = self._lines.get((matter, assigned))
        if line is None:
            line = self._line(matter, assigned)
        if green:
            tag = _GREEN
        else:
            tag = _WALK
            if due is not None and arrived <= due + self._late:
                heappush(self._timers, (due - self._early, _PROMOTE, key, gen))
        held[key] = [gen, tag, line, arrived, _INF if due is None else due]
        heappush(line.heaps[tag], (arrived, key, gen))
        line.size += 1

    def remove(self, key: K) -> None:
        """Take a citizen out (called, cancelled, or changed).

        Raises UnknownTicket if no such key is queued.
        """
        held = self._held.pop(key, None)
        if held is None:
            raise UnknownTicket(f"Cannot remove ticket {key}: it is not queued.")
        line = held[_LINE]
        line.size -= 1
        self._clean(line.heaps[held[_TAG]], held[_TAG])

    def choose(
        self, window: WindowState, now: float, coverage: Coverage = NO_COVERAGE
    ) -> tuple[K, Rule] | None:
        """The key a free window should call and the rule, exactly as `choose_next` decides.

        The priority flag of the decision is `rule.priority`. Raises TimeWentBackwards if
        `now` is earlier than the previous decision's.
        """
        return self.take(window, now, coverage, keep=True)

    def take(
        self,
        window: WindowState,
        now: float,
        coverage: Coverage = NO_COVERAGE,
        keep: bool = False,
    ) -> tuple[K, Rule] | None:
        """Choose as `choose` does and remove the chosen citizen (unless `keep`).

        Raises TimeWentBackwards if `now` is earlier than the previous decision's.
        """
        # One function for the simulator's hot path: every call saved is a few per cent.
        if now < self._now:
            raise TimeWentBackwards(
                f"Cannot decide at {now}: the queue already decided at {self._now}."
            )
        self._now = now
        timers = self._timers
        if timers and timers[0][0] <= now:
            self._advance(now)
        lines = self._eligible.get((window.number, window.skills, window.excluded))
        if lines is None:
            lines = self._eligible_lines(window)
        tops = None
        if window.kind is _COMPREHENSIVE and (coverage.matters or coverage.green_matters):
            tops = self._preferred_tops(lines, now, coverage)
        if tops is None:
            tops = _all_tops(lines)
            if tops is None:
                return None
        green, (p_green, walk, appointment) = tops
        if green is not None and green[0] + self._green_bound <= now:
            choice = (green[1], _GREEN_BOUND)  # the earliest green is overdue, if any is
        # The rest of the pool by the rules of `choose_next`, in its order.
        elif (
            walk is not None
            and window.priority_streak >= self._cap
            and window.kind is not _GREEN_WINDOW
        ):
            choice = (walk[1], _PRIORITY_CAP)
        elif p_green is not None:
            choice = (p_green[1], _GREEN_RULE)
        else:
            aged = walk if walk is not None and walk[0] + self._ageing <= now else None
            if appointment is not None and (aged is None or appointment < aged):
                choice = (appointment[1], _APPOINTMENT)
            elif aged is not None:
                choice = (aged[1], _AGEING)
            else:
                assert walk is not None  # the pool is never empty here
                choice = (walk[1], _WALK_IN)
        if not keep:
            held = self._held.pop(choice[0])
            line = held[_LINE]
            line.size -= 1
            tag = held[_TAG]
            heap = line.heaps[tag]
            heappop(heap)  # the chosen entry is the top of its heap
            if heap:
                self._clean(heap, tag)
        return choice

    def _preferred_tops(
        self, lines: list[_Line], now: float, coverage: Coverage
    ) -> tuple[_Entry | None, _Tops] | None:
        """The earliest green over the lines, and the tops of a comprehensive window's
        preferred pool: work no open specialist or green window is meant for, or that has
        waited the overflow time. None if that pool is empty (then the whole pool counts)."""
        overflow = self._overflow
        green = p_green = p_walk = p_appointment = None
        for line in lines:
            if not line.size:
                continue
            if line.coverage is not coverage:
                line.cover(coverage)
            covered = line.covered
            green_heap, walk_heap, fresh, over = line.heaps
            if green_heap:
                top = green_heap[0]
                if green is None or top < green:
                    green = top
                if (not line.green_covered or top[0] + overflow <= now) and (
                    p_green is None or top < p_green
                ):
                    p_green = top
            if walk_heap:
                top = walk_heap[0]
                if (not covered or top[0] + overflow <= now) and (p_walk is None or top < p_walk):
                    p_walk = top
            if fresh and not covered:
                top = fresh[0]
                if p_appointment is None or top < p_appointment:
                    p_appointment = top
            if over:
                top = over[0]
                if p_appointment is None or top < p_appointment:
                    p_appointment = top
        if p_green is None and p_walk is None and p_appointment is None:
            return None
        return green, (p_green, p_walk, p_appointment)

    def _advance(self, now: float) -> None:
        timers = self._timers
        held_by = self._held
        while timers and timers[0][0] <= now:
            _, kind, key, gen = heappop(timers)
            held = held_by.get(key)
            if held is None or held[_GEN] != gen:
                continue
            heaps = held[_LINE].heaps
            if kind == _PROMOTE:
                held[_TAG] = _FRESH
                heappush(heaps[_FRESH], (held[_DUE], key, gen))
                self._clean(heaps[_WALK], _WALK)
                heappush(timers, (held[_ARRIVED] + self._overflow, _OVERFLOW, key, gen))
            else:
                held[_TAG] = _OVER
                heappush(heaps[_OVER], (held[_DUE], key, gen))
                self._clean(heaps[_FRESH], _FRESH)

    def _clean(self, heap: list[_Entry], tag: int) -> None:
        held = self._held
        while heap:
            _, key, gen = heap[0]
            entry = held.get(key)
            if entry is not None and entry[_GEN] == gen and entry[_TAG] == tag:
                return
            heappop(heap)

    def _line(self, matter: str, assigned: int | None) -> _Line:
        line = self._lines[matter, assigned] = _Line(matter, assigned)
        self._eligible.clear()
        return line

    def _eligible_lines(self, window: WindowState) -> list[_Line]:
        number, takes = window.number, window.takes
        lines = self._eligible[number, window.skills, window.excluded] = [
            line
            for line in self._lines.values()
            if line.assigned == number or (line.assigned is None and takes(line.matter))
        ]
        return lines


def _all_tops(lines: list[_Line]) -> tuple[_Entry | None, _Tops] | None:
    """The earliest green, walk-in-like and on-time appointment entry over the lines
    (the green one twice, as in `_preferred_tops`); None if the lines are empty."""
    green = walk = appointment = None
    for line in lines:
        if not line.size:
            continue
        green_heap, walk_heap, fresh, over = line.heaps
        if green_heap and (green is None or green_heap[0] < green):
            green = green_heap[0]
        if walk_heap and (walk is None or walk_heap[0] < walk):
            walk = walk_heap[0]
        if fresh and (appointment is None or fresh[0] < appointment):
            appointment = fresh[0]
        if over and (appointment is None or over[0] < appointment):
            appointment = over[0]
    if green is None and walk is None and appointment is None:
        return None
    return green, (green, walk, appointment)


class DispatchQueue:
    """The waiting tickets of one hall, kept ready for fast dispatch decisions."""

    __slots__ = ("_lines", "_tickets")

    def __init__(self, policy: Policy, tickets: Iterable[Ticket] = ()) -> None:
        self._lines: WaitingLines[str] = WaitingLines(policy)
        self._tickets: dict[str, Ticket] = {}
        for ticket in tickets:
            self.add(ticket)

    def __len__(self) -> int:
        return len(self._tickets)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._tickets

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._tickets.values())

    def add(self, ticket: Ticket) -> None:
        """Add a waiting ticket (new, checked in, transferred or resumed).

        Raises DuplicateTicket if it is already here, IllegalTransition if it is not WAITING.
        """
        if ticket.id in self._tickets:
            raise DuplicateTicket(f"Cannot queue {ticket.number}: it is already queued.")
        arrived = ticket.checked_in_at
        if ticket.status is not TicketStatus.WAITING or arrived is None:
            raise IllegalTransition(ticket.number, "queue", describe_state(ticket))
        due = ticket.due_at if ticket.source is Source.APPOINTMENT else None
        self._lines.add(
            ticket.id, ticket.matter, arrived, ticket.green, due, ticket.assigned_window
        )
        self._tickets[ticket.id] = ticket

    def remove(self, ticket_id: str) -> Ticket:
        """Take a ticket out (called, cancelled, or changed); return it.

        Raises UnknownTicket if no such ticket is queued.
        """
        self._lines.remove(ticket_id)
        return self._tickets.pop(ticket_id)

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
        choice = self._lines.choose(window, now, coverage)
        if choice is None:
            return None
        ticket_id, rule = choice
        return Decision(self._tickets[ticket_id], rule, rule.priority)
