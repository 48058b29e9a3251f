"""Dispatch decisions per second: the simulator's DispatchQueue against the stateless reference.

Workload: a hall of 20 windows (10 comprehensive, 8 specialised, 2 green), 10 matter lines
and 500 waiting tickets (10 % green, 30 % appointments, 60 % walk-ins). Each decision
takes the chosen ticket off the queue, updates the window's priority streak, and a new
arrival replaces it, so the queue stays at 500. Both contenders run the same seeded
workload; the figure that matters is the ratio, measured in the same run.

Run: .venv/bin/python benchmarks/bench_dispatch.py   (about 10 s)
"""

from __future__ import annotations

import platform
import random
import time
from collections.abc import Callable

from queueing.dispatch import Decision, choose_next
from queueing.dispatch_queue import DispatchQueue
from queueing.policy import Policy
from queueing.ticket import MatterClass, Source, Ticket
from queueing.window import ANY_MATTER, Coverage, WindowKind, WindowState, coverage_of

MATTERS = [f"M{i:02d}" for i in range(10)]
WAITING = 500
SECONDS_PER_DECISION = 1.0  # simulated time between decisions
POLICY = Policy()


def hall() -> list[WindowState]:
    """20 windows: 10 comprehensive, 8 specialised (one or two matters), 2 green."""
    windows = [WindowState(n) for n in range(1, 11)]
    for i in range(8):
        skills = frozenset({MATTERS[i], MATTERS[(i + 3) % 10]} if i % 2 else {MATTERS[i]})
        windows.append(WindowState(11 + i, WindowKind.SPECIALISED, skills))
    green = frozenset({ANY_MATTER})
    windows += [WindowState(19, WindowKind.GREEN, green), WindowState(20, WindowKind.GREEN, green)]
    return windows


class Arrivals:
    """A seeded stream of tickets arriving at the hall."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def next(self, now: float) -> Ticket:
        rng = self.rng
        self.serial += 1
        kind = rng.random()
        appointment = 0.1 <= kind < 0.4
        arrived = now - rng.uniform(0, 1800)
        return Ticket(
            id=f"T{self.serial:07d}",
            number=f"A{self.serial:03d}",
            matter=rng.choice(MATTERS),
            matter_class=MatterClass.GENERAL,
            source=Source.APPOINTMENT if appointment else Source.WALK_IN,
            issued_at=arrived,
            checked_in_at=arrived,
            green=kind < 0.1,
            due_at=arrived + rng.uniform(-900, 1800) if appointment else None,
        )


Chooser = Callable[[WindowState, float, Coverage], Decision | None]


def run(make: Callable[[list[Ticket]], tuple[Chooser, Callable[[Ticket], None]]], n: int) -> float:
    """Make n decisions on the seeded workload; return decisions per second."""
    arrivals = Arrivals(seed=7)
    now = 10 * 3600.0
    choose, add = make([arrivals.next(now) for _ in range(WAITING)])
    # Arrivals are drawn before the clock starts: ticket creation is the caller's cost.
    later = [arrivals.next(now + (i + 1) * SECONDS_PER_DECISION) for i in range(n)]
    windows = hall()
    coverage = coverage_of(windows)
    started = time.perf_counter()
    for i in range(n):
        now += SECONDS_PER_DECISION
        slot = i % len(windows)
        w = windows[slot]
        decision = choose(w, now, coverage)
        if decision is not None:
            streak = w.priority_streak + 1 if decision.priority else 0
            windows[slot] = WindowState(w.number, w.kind, w.skills, streak)
            add(later[i])
    return n / (time.perf_counter() - started)


def incremental(tickets: list[Ticket]) -> tuple[Chooser, Callable[[Ticket], None]]:
    queue = DispatchQueue(POLICY, tickets)
    return queue.take, queue.add


def reference(tickets: list[Ticket]) -> tuple[Chooser, Callable[[Ticket], None]]:
    waiting = {t.id: t for t in tickets}

    def take(window: WindowState, now: float, coverage: Coverage) -> Decision | None:
        decision = choose_next(window, waiting.values(), now, POLICY, coverage)
        if decision is not None:
            del waiting[decision.ticket.id]
        return decision

    def add(ticket: Ticket) -> None:
        waiting[ticket.id] = ticket

    return take, add


def main() -> None:
    run(incremental, 2_000)  # warm-up
    # Best of several short runs each, interleaved: robust to a busy machine.
    base, fast = 0.0, 0.0
    for _ in range(5):
        base = max(base, run(reference, 1_000))
        fast = max(fast, run(incremental, 50_000))
    print(
        f"machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}"
    )
    print(f"workload: 20 windows, {len(MATTERS)} matter lines, {WAITING} waiting tickets")
    print(f"reference choose_next: {base:12,.0f} decisions/s")
    print(f"DispatchQueue.take:    {fast:12,.0f} decisions/s")
    print(f"ratio: {fast / base:.1f}x")


if __name__ == "__main__":
    main()
