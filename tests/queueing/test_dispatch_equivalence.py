"""DispatchQueue (incremental) decides exactly as choose_next (the stateless reference)."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from queueing.dispatch import choose_next
from queueing.dispatch_queue import DispatchQueue
from queueing.errors import TimeWentBackwards
from queueing.policy import MINUTE, Policy
from queueing.ticket import MatterClass, Source, Ticket
from queueing.window import ANY_MATTER, Coverage, WindowKind, WindowState

MATTERS = ("A", "B", "C")

policies = st.builds(
    Policy,
    priority_cap=st.none() | st.integers(0, 4),
    walkin_ageing_minutes=st.integers(0, 12),
    green_max_wait_minutes=st.integers(0, 12),
    appointment_early_margin_minutes=st.integers(0, 4),
    appointment_late_grace_minutes=st.integers(0, 4),
    specialist_overflow_minutes=st.integers(0, 12),
)
skills = st.one_of(
    st.just(frozenset({ANY_MATTER})),
    st.frozensets(st.sampled_from(MATTERS), min_size=1),
)
windows = st.builds(
    WindowState,
    number=st.integers(1, 3),
    kind=st.sampled_from(WindowKind),
    skills=skills,
    priority_streak=st.integers(0, 5),
    excluded=st.frozensets(st.sampled_from(MATTERS), max_size=1),
)
coverages = st.builds(
    Coverage,
    matters=st.frozensets(st.sampled_from((*MATTERS, ANY_MATTER)), max_size=2),
    green_matters=st.frozensets(st.sampled_from((*MATTERS, ANY_MATTER)), max_size=2),
)
# Whole minutes make ties and exact threshold hits common; fractions probe rounding.
offsets = st.one_of(
    st.integers(-4, 4).map(float), st.integers(-12, 12).map(float), st.floats(-40, 40)
)


@st.composite
def tickets(draw: st.DrawFn, ticket_id: str, now: float) -> Ticket:
    appointment = draw(st.booleans())
    arrived = now - abs(draw(offsets)) * MINUTE
    return Ticket(
        id=ticket_id,
        number=ticket_id,
        matter=draw(st.sampled_from(MATTERS)),
        matter_class=MatterClass.GENERAL,
        source=Source.APPOINTMENT if appointment else Source.WALK_IN,
        issued_at=arrived,
        checked_in_at=arrived,
        green=draw(st.integers(0, 4)) == 0,
        due_at=now + draw(offsets) * MINUTE if appointment else None,
        assigned_window=draw(st.one_of(st.none(), st.none(), st.integers(1, 3))),
    )


@settings(max_examples=600, deadline=None)
@given(policy=policies, data=st.data())
def test_incremental_queue_decides_as_reference(policy: Policy, data: st.DataObject) -> None:
    queue = DispatchQueue(policy)
    now = 1000.0
    serial = 0
    for _ in range(data.draw(st.integers(1, 60), label="steps")):
        step = data.draw(st.sampled_from(("add", "add", "remove", "choose", "take")))
        if step == "add":
            serial += 1
            queue.add(data.draw(tickets(f"t{serial:03d}", now)))
        elif step == "remove" and len(queue):
            queue.remove(data.draw(st.sampled_from(sorted(t.id for t in queue))))
        elif step in {"choose", "take"}:
            now += data.draw(offsets.map(abs)) * MINUTE
            window = data.draw(windows)
            coverage = data.draw(coverages)
            expected = choose_next(window, list(queue), now, policy, coverage)
            if step == "take":
                got = queue.take(window, now, coverage)
                assert got is None or got.ticket.id not in queue
            else:
                got = queue.choose(window, now, coverage)
            event(f"rule={'none' if expected is None else expected.rule.value}")
            assert got == expected


def test_queue_refuses_to_go_back_in_time() -> None:
    queue = DispatchQueue(Policy())
    queue.choose(WindowState(1), 100.0)
    with pytest.raises(TimeWentBackwards, match=r"already decided at 100\.0"):
        queue.choose(WindowState(1), 99.0)
