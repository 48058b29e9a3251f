"""Windows: what a window may serve, what it holds, and which work open specialists cover."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from queueing.errors import WindowMismatch
from queueing.ticket import Ticket

ANY_MATTER = "*"


class WindowKind(enum.Enum):
    """A window's role in the hall's layout."""

    COMPREHENSIVE = "comprehensive"  # 综合窗口: any matter it is skilled for, absorbs the rest
    SPECIALISED = "specialised"  # 专窗 / 专区: its own matters (also pickup, 办不成事)
    GREEN = "green"  # 绿色通道窗口: green tickets first, no priority cap


@dataclass(frozen=True, slots=True)
class WindowState:
    """A window as dispatch sees it; every field is something the server stores."""

    number: int
    kind: WindowKind = WindowKind.COMPREHENSIVE
    skills: frozenset[str] = frozenset({ANY_MATTER})
    priority_streak: int = 0
    ticket_id: str | None = None
    # Matters "*" does not cover: those reserved to the hall's special windows (办不成事, 出件).
    excluded: frozenset[str] = frozenset()

    def takes(self, matter: str) -> bool:
        """Tell whether the window's skills cover the matter."""
        if matter in self.skills:
            return True
        return ANY_MATTER in self.skills and matter not in self.excluded


@dataclass(frozen=True, slots=True)
class Coverage:
    """Matters covered by the open specialised windows, and green work by open green windows."""

    matters: frozenset[str] = frozenset()
    green_matters: frozenset[str] = frozenset()

    def covers(self, ticket: Ticket) -> bool:
        """Tell whether an open specialised or green window is meant for this ticket."""
        if ticket.assigned_window is not None:
            return False
        if ticket.matter in self.matters or ANY_MATTER in self.matters:
            return True
        green = self.green_matters
        return ticket.green and (ticket.matter in green or ANY_MATTER in green)


NO_COVERAGE = Coverage()


def coverage_of(open_windows: Iterable[WindowState]) -> Coverage:
    """Build the coverage of the windows now open (signed in and not paused)."""
    matters: set[str] = set()
    green: set[str] = set()
    for window in open_windows:
        if window.kind is WindowKind.SPECIALISED:
            matters |= window.skills
        elif window.kind is WindowKind.GREEN:
            green |= window.skills
    return Coverage(frozenset(matters), frozenset(green))


def may_serve(window: WindowState, ticket: Ticket) -> bool:
    """Tell whether the window may call the ticket (a ticket sent to a window goes only there)."""
    if ticket.assigned_window is not None:
        return ticket.assigned_window == window.number
    return window.takes(ticket.matter)


def release(window: WindowState, ticket_id: str) -> WindowState:
    """Free the window after its ticket finished, left, was parked or transferred.

    Raises WindowMismatch if the window does not hold that ticket.
    """
    if window.ticket_id != ticket_id:
        held = "nothing" if window.ticket_id is None else f"ticket {window.ticket_id}"
        raise WindowMismatch(
            f"Cannot release ticket {ticket_id} from window {window.number}: it holds {held}."
        )
    return replace(window, ticket_id=None)
