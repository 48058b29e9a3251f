"""A case's deadlines: set when it opens or a step moves it, and which one it waits for.

Deadlines are kept by name in the row (``deadlines``: name → ISO time); ``due_at`` is
the one the case's current status waits for, so "overdue" is one indexed comparison.

- bad rating, complaint: ``contact`` (verify), ``rectify``, ``close``, counted from the
  opening in working days (1 / 5 / 15 by default);
- 办不成事: ``classify`` by the end of the opening day, then ``close`` by category
  (0 / 5 / 10 working days from the opening), ``feedback`` and ``check`` each
  ``contact_days`` after the step before;
- 帮办: ``respond`` ``help_response_seconds`` after the request; none once accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hall.cases.kinds import FOLLOW_UP, CaseKind, CaseStatus, Category
from hall.cases.rules import HallRules
from hall.cases.workdays import extend
from hall.store.models import CaseRow

S = CaseStatus
WAITS_FOR: dict[CaseKind, dict[CaseStatus, str]] = {
    CaseKind.CANNOT_HANDLE: {
        S.OPEN: "classify",
        S.CLASSIFIED: "close",
        S.FORWARDED: "close",
        S.RESOLVED: "feedback",
        S.FED_BACK: "check",
    },
    CaseKind.HELP: {S.OPEN: "respond"},
}
for _kind in FOLLOW_UP:
    WAITS_FOR[_kind] = {
        S.OPEN: "contact",
        S.RECTIFYING: "rectify",
        S.REVISITING: "close",
        S.REVISITED: "close",
        S.APPEALED: "close",
    }
ORDER = ("contact", "classify", "respond", "rectify", "close", "feedback", "check")


def initial_deadlines(rules: HallRules, kind: CaseKind, opened: datetime) -> dict[str, str]:
    """The deadlines a new case starts with."""
    c = rules.cases
    if kind in FOLLOW_UP:
        found = {
            "contact": rules.due(opened, c.contact_days),
            "rectify": rules.due(opened, c.rectify_days),
            "close": rules.due(opened, c.close_days),
        }
    elif kind is CaseKind.CANNOT_HANDLE:
        found = {"classify": rules.due(opened, 0)}
    else:
        found = {"respond": rules.seconds_later(opened, c.help_response_seconds)}
    return {name: when.astimezone(UTC).isoformat() for name, when in found.items()}


def category_days(rules: HallRules, category: Category) -> int:
    c = rules.cases
    return {
        Category.ON_THE_SPOT: c.on_the_spot_days,
        Category.COMPLEX: c.complex_days,
        Category.SPECIAL: c.special_days,
    }[category]


def set_deadline(row: CaseRow, name: str, when: datetime) -> None:
    row.deadlines = {**row.deadlines, name: when.astimezone(UTC).isoformat()}


def deadline_of(row: CaseRow, name: str) -> datetime | None:
    value = row.deadlines.get(name)
    return None if value is None else datetime.fromisoformat(value)


def waits_for(row: CaseRow) -> str | None:
    """The name of the deadline the case's status waits for (None when closed)."""
    return WAITS_FOR.get(CaseKind(row.kind), {}).get(CaseStatus(row.status))


def refresh_due(row: CaseRow) -> None:
    name = waits_for(row)
    row.due_at = None if name is None else deadline_of(row, name)


def extend_deadlines(row: CaseRow, rules: HallRules, days: int) -> list[str]:
    """Move the current deadline and every later one on by ``days`` working days."""
    current = waits_for(row)
    if current is None:
        return []
    later = ORDER[ORDER.index(current) :]
    moved = []
    for name in later:
        when = deadline_of(row, name)
        if when is not None:
            set_deadline(row, name, extend(when, days, rules.calendar, rules.zone))
            moved.append(name)
    return moved
