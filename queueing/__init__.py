"""queueing: the pure core of Tongban (tickets, lifecycle, dispatch, numbering, estimates, KPIs).

Pure means: standard library only, no clock reads, no I/O, no global random state. Every
function takes state, a command and an explicit `now` (float seconds on the caller's
timeline) and returns new state plus domain events. See docs/queueing.md.
"""

from __future__ import annotations

from queueing.calling import Call, apply_decision, call_chosen, call_next
from queueing.detours import cancel, park, resume, transfer
from queueing.dispatch import Decision, PriorityClass, Rule, choose_next, priority_class
from queueing.dispatch_queue import DispatchQueue
from queueing.errors import QueueingError
from queueing.lifecycle import (
    check_in,
    close_out,
    finish,
    issue,
    mark_no_show,
    recall,
    start,
)
from queueing.policy import Policy, policy_problems
from queueing.ticket import MatterClass, Outcome, Source, Ticket, TicketStatus
from queueing.window import Coverage, WindowKind, WindowState, coverage_of, release

__all__ = [
    "Call",
    "Coverage",
    "Decision",
    "DispatchQueue",
    "MatterClass",
    "Outcome",
    "Policy",
    "PriorityClass",
    "QueueingError",
    "Rule",
    "Source",
    "Ticket",
    "TicketStatus",
    "WindowKind",
    "WindowState",
    "apply_decision",
    "call_chosen",
    "call_next",
    "cancel",
    "check_in",
    "choose_next",
    "close_out",
    "coverage_of",
    "finish",
    "issue",
    "mark_no_show",
    "park",
    "policy_problems",
    "priority_class",
    "recall",
    "release",
    "resume",
    "start",
    "transfer",
]
