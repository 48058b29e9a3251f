"""Wait estimates: each waiting ticket's position and expected wait, for screens and kiosk.

A ticket competes with the tickets that rank before it (class, then due time; see
`dispatch.sort_key`) and that share at least one open window with it. Each such ticket
puts its expected handling time on the ticket's windows in proportion to the windows
they share, and the ticket's windows work in parallel. The fairness rules (cap, ageing,
specialisation) are left out: the estimate is for people, not for audits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from queueing.dispatch import PriorityClass, arrival, sort_key
from queueing.policy import MINUTE, Policy
from queueing.ticket import Ticket, TicketStatus
from queueing.window import WindowState, may_serve

DEFAULT_HANDLING_MINUTES = 15.0


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    """A ticket's place: 1 means next; `minutes` is None when no open window serves it."""

    ticket_id: str
    position: int
    minutes: float | None
    windows: int


def estimate_waits(
    waiting: Iterable[Ticket],
    open_windows: Iterable[WindowState],
    now: float,
    policy: Policy,
    handling_minutes: Mapping[str, float],
    default_handling_minutes: float = DEFAULT_HANDLING_MINUTES,
) -> dict[str, WaitEstimate]:
    """Estimate position and wait for every WAITING ticket, keyed by ticket id.

    `handling_minutes` maps a matter to its recent mean handling time (see
    `recent_handling_minutes`); other matters use the default. Raises nothing.
    """
    windows = list(open_windows)
    queue = sorted(
        (t for t in waiting if t.status is TicketStatus.WAITING),
        key=lambda t: sort_key(t, now, policy),
    )
    count: dict[frozenset[int], int] = {}
    work: dict[frozenset[int], float] = {}
    estimates: dict[str, WaitEstimate] = {}
    for ticket in queue:
        mine = frozenset(w.number for w in windows if may_serve(w, ticket))
        ahead, load = 0, 0.0
        for group, n in count.items():
            shared = len(group & mine)
            if shared:
                ahead += n
                load += work[group] * shared / len(group)
        minutes = load / len(mine) if mine else None
        estimates[ticket.id] = WaitEstimate(ticket.id, ahead + 1, minutes, len(mine))
        count[mine] = count.get(mine, 0) + 1
        handling = handling_minutes.get(ticket.matter, default_handling_minutes)
        work[mine] = work.get(mine, 0.0) + handling
    return estimates


@dataclass(frozen=True, slots=True)
class Line:
    """The waiting tickets of one line: a matter, or a matter sent to one window.

    `tickets` (by id) holds WAITING tickets only, at least one; `latest_arrival` is at
    least the arrival of each of them (an upper bound will do: it only lets a late
    walk-in count the whole line as ahead without looking at each ticket).
    """

    matter: str
    assigned_window: int | None
    tickets: Mapping[str, Ticket]
    latest_arrival: float


def lines_of(waiting: Iterable[Ticket]) -> list[Line]:
    """Group the WAITING tickets among `waiting` into lines. Raises nothing."""
    grouped: dict[tuple[str, int | None], dict[str, Ticket]] = {}
    for ticket in waiting:
        if ticket.status is TicketStatus.WAITING:
            grouped.setdefault((ticket.matter, ticket.assigned_window), {})[ticket.id] = ticket
    return [
        Line(matter, window, tickets, max(arrival(t) for t in tickets.values()))
        for (matter, window), tickets in grouped.items()
    ]


def estimate_one(
    ticket: Ticket,
    waiting: Iterable[Ticket],
    open_windows: Iterable[WindowState],
    now: float,
    policy: Policy,
    handling_minutes: Mapping[str, float],
    default_handling_minutes: float = DEFAULT_HANDLING_MINUTES,
    *,
    position_windows: Iterable[WindowState] | None = None,
) -> WaitEstimate | None:
    """One ticket's estimate, as `estimate_waits` would give it, without sorting.

    The minutes come from `open_windows`; the position counts the tickets ahead that share
    a window among `position_windows` (default: the open windows), so a kiosk can tell a
    position before the windows open. None if the ticket is not waiting. Raises nothing.
    """
    return estimate_in_lines(
        ticket,
        lines_of(waiting),
        open_windows,
        now,
        policy,
        handling_minutes,
        default_handling_minutes,
        position_windows=position_windows,
    )


def estimate_in_lines(
    ticket: Ticket,
    lines: Iterable[Line],
    open_windows: Iterable[WindowState],
    now: float,
    policy: Policy,
    handling_minutes: Mapping[str, float],
    default_handling_minutes: float = DEFAULT_HANDLING_MINUTES,
    *,
    position_windows: Iterable[WindowState] | None = None,
) -> WaitEstimate | None:
    """`estimate_one` over the queue already grouped into lines (see `lines_of`).

    A plain walk-in ranks last of all classes, so when it arrived after everyone in a
    line, the whole line is ahead of it and its tickets need not be looked at: a new
    ticket's estimate then costs a step per line, not per ticket. Raises nothing.
    """
    if ticket.status is not TicketStatus.WAITING:
        return None
    opened = list(open_windows)
    counted = opened if position_windows is None else list(position_windows)
    mine = frozenset(w.number for w in opened if may_serve(w, ticket))
    mine_counted = frozenset(w.number for w in counted if may_serve(w, ticket))
    key = sort_key(ticket, now, policy)
    last = key[0] == PriorityClass.WALK_IN.rank
    joined = arrival(ticket)
    ahead, load = 0, 0.0
    for line in lines:
        tickets = line.tickets
        sample = next(iter(tickets.values()))
        theirs = frozenset(w.number for w in opened if may_serve(w, sample))
        shared = len(theirs & mine)
        in_position = any(may_serve(w, sample) for w in counted if w.number in mine_counted)
        if not shared and not in_position:
            continue
        if last and line.latest_arrival < joined:
            before = len(tickets) - (ticket.id in tickets)
        else:
            before = sum(
                1
                for other in tickets.values()
                if other.id != ticket.id and sort_key(other, now, policy) < key
            )
        if in_position:
            ahead += before
        if shared:
            handling = handling_minutes.get(line.matter, default_handling_minutes)
            load += before * handling * shared / len(theirs)
    minutes = load / len(mine) if mine else None
    return WaitEstimate(ticket.id, ahead + 1, minutes, len(mine))


class Handled(Protocol):
    """What `recent_handling_minutes` reads of a finished ticket (a `Ticket` will do)."""

    @property
    def matter(self) -> str: ...

    @property
    def started_at(self) -> float | None: ...

    @property
    def finished_at(self) -> float | None: ...


def recent_handling_minutes(
    records: Iterable[Handled], now: float, horizon_minutes: float = 60.0, minimum: int = 3
) -> dict[str, float]:
    """Mean handling minutes per matter over tickets finished in the last `horizon_minutes`.

    Matters with fewer than `minimum` recent observations are left out, so the caller's
    default (the catalogue's expected time) applies. Raises nothing.
    """
    since = now - horizon_minutes * MINUTE
    totals: dict[str, list[float]] = {}
    for ticket in records:
        started, finished = ticket.started_at, ticket.finished_at
        if started is None or finished is None or not since <= finished <= now:
            continue
        totals.setdefault(ticket.matter, []).append((finished - started) / MINUTE)
    return {m: sum(v) / len(v) for m, v in totals.items() if len(v) >= max(minimum, 1)}
