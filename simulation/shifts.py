"""The shift patterns `tongban plan` rosters people on when a scenario names none.

Every pattern is one person's day in one piece: it starts on an hour from opening, ends on
an hour or at closing, lasts at least the plan's shortest shift, and, when longer than
`lunch_after_hours`, has one lunch break inside the lunch window (starting on the window's
start or every half hour after it). A person never works two separate pieces, so a planned
window is never a fragment such as 10:00-13:00 plus 15:00-16:00. A pattern costs the hours
actually worked, so the cheapest roster is the one with the fewest paid hours.
"""

from __future__ import annotations

from simulation.scenario_model import Interval, PlanRules, Scenario, ShiftPattern

__all__ = ["LUNCH_STEP", "generated_patterns", "pattern_name"]

LUNCH_STEP = 30.0  # minutes between the lunch starts offered


def _ends(start: float, close: float, rules: PlanRules) -> list[float]:
    ends = []
    end = start + 60.0
    while end < close:
        ends.append(end)
        end += 60.0
    ends.append(close)
    return [e for e in ends if e - start >= rules.min_shift_minutes - 1e-9]


def _lunches(shift: Interval, rules: PlanRules) -> list[Interval | None]:
    """The lunch breaks a shift may take (None: a short shift without one)."""
    if rules.lunch_minutes <= 0 or shift.minutes <= rules.lunch_after_minutes + 1e-9:
        return [None]
    window = rules.lunch_window
    options: list[Interval | None] = []
    start = window.start
    while start + rules.lunch_minutes <= window.end + 1e-9:
        lunch = Interval(start, start + rules.lunch_minutes)
        if shift.start < lunch.start and lunch.end < shift.end:
            options.append(lunch)
        start += LUNCH_STEP
    return options


def pattern_name(scenario: Scenario, shift: Interval, lunch: Interval | None) -> str:
    """A readable name: "09:00-17:00 午休 lunch 12:00-12:45"."""
    name = f"{scenario.clock(shift.start)}-{scenario.clock(shift.end)}"
    if lunch is not None:
        name += f" 午休 lunch {scenario.clock(lunch.start)}-{scenario.clock(lunch.end)}"
    return name


def generated_patterns(scenario: Scenario) -> tuple[ShiftPattern, ...]:
    """Every one-piece shift the plan's rules allow, each with each lunch it may take.

    A shift too long for a lunch break that the lunch window cannot hold is left out.
    """
    rules = scenario.plan_rules
    close = scenario.arrival_minutes
    patterns = []
    start = 0.0
    while start < close:
        for end in _ends(start, close, rules):
            shift = Interval(start, end)
            for lunch in _lunches(shift, rules):
                breaks = () if lunch is None else (lunch,)
                worked = shift.minutes - (0.0 if lunch is None else lunch.minutes)
                name = pattern_name(scenario, shift, lunch)
                patterns.append(ShiftPattern(name, (shift,), breaks, worked / 60.0))
        start += 60.0
    return tuple(patterns)
