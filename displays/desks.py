"""Staff-side pages that follow a hall live: the windows' evaluators and the helpers'
desks. They register a listener per hall and are woken by the same committed events,
through the same backend, as the screens (so a finish in one server process wakes an
evaluator connected to another); what they show they read from the database. A listener
called with no events must re-read everything (the backend reconnected)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from displays.messages import ScreenEvent

log = logging.getLogger(__name__)

Listener = Callable[[list[ScreenEvent]], None]


class DeskListeners:
    """The listeners of each hall in this process."""

    def __init__(self) -> None:
        self._by_hall: dict[str, set[Listener]] = defaultdict(set)

    def add(self, hall_id: str, listener: Listener) -> None:
        self._by_hall[hall_id].add(listener)

    def remove(self, hall_id: str, listener: Listener) -> None:
        listeners = self._by_hall.get(hall_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._by_hall[hall_id]

    def count(self, hall_id: str) -> int:
        return len(self._by_hall.get(hall_id, ()))

    def deliver(self, hall_id: str, events: list[ScreenEvent]) -> None:
        for listener in list(self._by_hall.get(hall_id, ())):
            try:
                listener(events)
            except Exception:  # one broken page must not stop the others or the screens
                log.exception("A desk listener of hall %s failed", hall_id)

    def reset(self) -> None:
        for hall_id in list(self._by_hall):
            self.deliver(hall_id, [])
