"""The one exception tree of the queueing core: every error it raises is a `QueueingError`."""

from __future__ import annotations

from collections.abc import Sequence


class QueueingError(Exception):
    """Base class of every error raised by the queueing core."""

    code = "queueing_error"


class IllegalTransition(QueueingError):
    """A lifecycle action is not allowed in the ticket's current state."""

    code = "illegal_transition"

    def __init__(self, number: str, action: str, found: str, status: str = "") -> None:
        super().__init__(f"Cannot {action} {number}: {found}.")
        self.number = number
        self.action = action
        self.found = found
        self.status = status  # the ticket's status value, for translations


class NoShowTooEarly(IllegalTransition):
    """A no-show was recorded before the required recalls and grace time had passed."""

    code = "no_show_too_early"

    def __init__(
        self, number: str, action: str, found: str, *, recalls_missing: int, seconds_left: float
    ) -> None:
        super().__init__(number, action, found, "called")
        self.recalls_missing = recalls_missing  # recalls still to make first
        self.seconds_left = seconds_left  # of the grace after the last call (0: passed)


class WindowBusy(QueueingError):
    """A window was asked to call a ticket while it still holds another one."""

    code = "window_busy"


class WindowMismatch(QueueingError):
    """A window was asked to release a ticket it does not hold."""

    code = "window_mismatch"


class NotEligible(QueueingError):
    """A window was asked to call a ticket it may not serve."""

    code = "not_eligible"


class InvalidCommand(QueueingError):
    """A command's arguments contradict each other or the ticket."""

    code = "invalid_command"


class InvalidPolicy(QueueingError):
    """A policy mapping has unknown keys, wrong types or out-of-range values."""

    code = "invalid_policy"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        listed = "; ".join(f"{key}: {message}" for key, message in problems)
        super().__init__(f"Cannot use the policy: {listed}.")
        self.problems = list(problems)


class NumberingError(QueueingError):
    """A ticket number cannot be issued (bad prefix or a service day that went backwards)."""

    code = "numbering_error"


class UnknownTicket(QueueingError):
    """The dispatch queue holds no waiting ticket with this id."""

    code = "unknown_ticket"


class DuplicateTicket(QueueingError):
    """The dispatch queue already holds a waiting ticket with this id."""

    code = "duplicate_ticket"


class TimeWentBackwards(QueueingError):
    """A dispatch queue was asked to decide at an earlier time than its last decision."""

    code = "time_went_backwards"
