"""One hall's feed in one server process: its board, its message chain and its screens.

A single worker task per feed applies batches in arrival order: re-read the board,
turn each event into a message chained to the one before (``prev``), keep it for
replay, and offer it to every screen. Screens attach between two steps of the worker,
so the snapshot a screen gets and the messages that follow it always join up.

With a hold (``board_hold_seconds`` > 0, as the server runs), only calls and recalls go
out at once. Every other change (a service started or finished, a ticket issued, a
window paused, the notice) is folded into the board the feed holds back and rides on
the next call's message, or goes out on its own as one board message when the hold
ends. A call then costs one message per screen, not three (start, finish, call), and
the screens still never lag a change by more than the hold. Messages stay chained by
``prev``; the sequence numbers of folded events are simply skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from displays.announce import Voice
from displays.connection import ScreenConnection
from displays.messages import (
    CALL_TYPES,
    ScreenEvent,
    board_message,
    board_patch,
    dumps,
    event_message,
    heartbeat_message,
    patch_board,
    snapshot_message,
)

log = logging.getLogger(__name__)

# Loads a hall's board (JSON-ready, with "seq"), or None for a hall that does not exist.
Loader = Callable[[str], Awaitable[dict[str, Any] | None]]

REFRESH = "refresh"  # re-read the board; send it if it changed (waits move with the clock)
RESET = "reset"  # events may have been lost: re-read and send every screen a snapshot
Job = list[ScreenEvent] | str


class _Announced(list[ScreenEvent]):
    """Events already announced by ``submit``: the worker only re-reads the board."""


class UnknownHall(LookupError):
    """The hall a screen asked for does not exist."""


class Clock(Protocol):
    """The feed's time for holds and idleness (injected so tests need not sleep)."""

    def now(self) -> float: ...

    async def sleep_until(self, moment: float) -> None: ...


class MonotonicClock:
    """The process's monotonic clock."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep_until(self, moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - time.monotonic()))


class HallFeed:
    """The screens of one hall connected to this process."""

    def __init__(
        self,
        hall_id: str,
        loader: Loader,
        voice: Voice,
        *,
        history: int = 256,
        board_hold_seconds: float = 0.0,
        clock: Clock | None = None,
    ) -> None:
        self.hall_id = hall_id
        self._clock = clock or MonotonicClock()
        # After calls, the re-read board waits this long for the next call to ride on
        # (one message per call instead of two), then goes out on its own.
        self.board_hold_seconds = board_hold_seconds
        self._held: dict[str, Any] | None = None  # not yet sent to the screens
        self._held_seq: int | None = None  # the latest event folded into it, if any
        self._held_until = 0.0
        self._loader = loader
        self._voice = voice
        self.subscribers: set[ScreenConnection] = set()
        self.last_seq = 0
        self.board: dict[str, Any] = {}
        self._history: deque[tuple[int, str]] = deque(maxlen=history)  # (prev, text)
        self._snapshot: str | None = None
        self._inbox: asyncio.Queue[Job] = asyncio.Queue()
        self._idle = False  # the worker waits for jobs (no batch in hand, no re-read)
        self._ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run(), name=f"feed:{hall_id}")
        self.idle_since = self._clock.now()

    # -- the hub's side -------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queue events (or REFRESH / RESET) for the worker; never blocks.

        When the worker is idle (no batch in hand, nothing queued), events are announced
        here and now, as the worker would announce them, and only the board re-read is
        left to it: a call reaches the screens before its request has answered.
        """
        if not isinstance(job, str) and self._idle and self._inbox.empty():
            self._announce(job)
            job = _Announced(job)
        self._inbox.put_nowait(job)

    async def attach(self, conn: ScreenConnection, since: int | None = None) -> None:
        """Give a screen what it is missing (replay, else a snapshot) and subscribe it."""
        await asyncio.shield(self._ready)
        replay = self.replay_after(since) if since is not None else None
        if replay is None:
            conn.offer(self.snapshot_text())
        else:
            for text in replay:
                conn.offer(text)
            conn.offer(dumps(heartbeat_message(self.last_seq)))
        self.subscribers.add(conn)

    def detach(self, conn: ScreenConnection) -> None:
        self.subscribers.discard(conn)
        if not self.subscribers:
            self.idle_since = self._clock.now()

    def replay_after(self, since: int) -> list[str] | None:
        """The messages after ``since``, or None when this feed no longer has them."""
        if since == self.last_seq:
            return []
        for index, (prev, _text) in enumerate(self._history):
            if prev == since:
                return [text for _prev, text in list(self._history)[index:]]
        return None

    def snapshot_text(self) -> str:
        if self._snapshot is None:
            self._snapshot = dumps(snapshot_message(self.last_seq, self.board))
        return self._snapshot

    def broadcast(self, text: str) -> None:
        for conn in list(self.subscribers):
            if not conn.offer(text):
                self.detach(conn)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if not self._ready.done():
            self._ready.set_exception(UnknownHall(self.hall_id))
            self._ready.exception()  # retrieved: nobody may be waiting

    # -- the worker -----------------------------------------------------------------

    async def _run(self) -> None:
        try:
            board = await self._loader(self.hall_id)
        except Exception as exc:
            log.exception("Loading the board of hall %s failed", self.hall_id)
            self._ready.set_exception(exc)
            return
        if board is None:
            self._ready.set_exception(UnknownHall(self.hall_id))
            return
        self._set_board(board)
        self.last_seq = int(board["seq"])
        self._ready.set_result(None)
        while True:
            self._idle = True
            try:
                first = await self._next_job()
            finally:
                self._idle = False
            if first is None:  # the hold ended before anything came
                self._send_held()
                continue
            jobs = [first]
            while not self._inbox.empty():  # coalesce a burst into one board read
                jobs.append(self._inbox.get_nowait())
            await self._apply(jobs)

    async def _next_job(self) -> Job | None:
        """The next job, or None when a held board's hold ends first."""
        if self._held is None:
            return await self._take()
        get = asyncio.ensure_future(self._take())
        timer = asyncio.ensure_future(self._clock.sleep_until(self._held_until))
        try:
            await asyncio.wait((get, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        if get.cancel():  # not done: the hold ended first (a cancelled get keeps its item)
            return None
        return get.result()

    async def _take(self) -> Job:
        job = await self._inbox.get()
        # Busy from the moment a job leaves the queue, not only once the worker resumes:
        # a call published in between must queue behind it, not be announced before it.
        self._idle = False
        return job

    async def _apply(self, jobs: list[Job]) -> None:
        events = [e for job in jobs if not isinstance(job, str) for e in job]
        fresh = [e for job in jobs if not isinstance(job, str | _Announced) for e in job]
        if fresh and RESET not in jobs:
            self._announce(fresh)
        try:
            board = await self._loader(self.hall_id)
        except Exception:
            log.exception(
                "Re-reading the board of hall %s failed; screens will resync", self.hall_id
            )
            self.submit(RESET)
            await asyncio.sleep(1.0)
            return
        if board is None:
            return
        if RESET in jobs:
            self._reset(board)
        elif events and self.board_hold_seconds > 0:
            # Held back to ride on the next call's message (one message per call).
            self._hold({k: v for k, v in board.items() if k != "seq"})
        else:
            self._send_held(board)

    def _announce(self, events: list[ScreenEvent]) -> None:
        """Calls go out at once on a predicted board (from the held one, if any); the
        re-read board follows. With a hold, other events are only folded in."""
        base = self.board if self._held is None else self._held
        predicted = patch_board(base, events)
        if self.board_hold_seconds <= 0:
            self._emit(events, predicted)
        elif calls := [e for e in events if e.type in CALL_TYPES]:
            self._emit(calls, predicted)
        else:
            self._hold(predicted, events[-1].seq)

    def _hold(self, board: dict[str, Any], seq: int | None = None) -> None:
        """Keep ``board`` back until the next call or the end of the hold, whichever is
        first; a hold that has begun is not prolonged by later events."""
        if self._held is None:
            self._held_until = self._clock.now() + self.board_hold_seconds
        self._held = board
        if seq is not None:
            self._held_seq = seq

    def _send_held(self, board: dict[str, Any] | None = None) -> None:
        """Send ``board`` (else the held one), with the events folded into it, if it
        changes anything a screen shows."""
        board = self._held if board is None else board
        seq = self.last_seq if self._held_seq is None else self._held_seq
        self._held, self._held_seq = None, None
        if board is None:
            return
        if patch := board_patch(self.board, board):
            self._set_board(board)
            text = dumps(board_message(seq, patch, prev=self.last_seq))
            self._history.append((self.last_seq, text))
            self.last_seq = seq
            self.broadcast(text)

    def _emit(self, events: list[ScreenEvent], board: dict[str, Any]) -> None:
        self._held, self._held_seq = None, None  # all of it rides on these messages
        patch = board_patch(self.board, board)
        self.board = board
        for index, event in enumerate(events):
            # The whole batch's patch rides on its first message.
            message = event_message(event, self.last_seq, patch if index == 0 else {}, self._voice)
            text = dumps(message)
            self._history.append((self.last_seq, text))
            self.last_seq = event.seq
            self.broadcast(text)
        self._snapshot = None

    def _reset(self, board: dict[str, Any]) -> None:
        self._held, self._held_seq = None, None
        self._set_board(board)
        self._history.clear()
        self.last_seq = max(self.last_seq, int(board["seq"]))
        self.broadcast(self.snapshot_text())

    def _set_board(self, board: dict[str, Any]) -> None:
        self.board = {k: v for k, v in board.items() if k != "seq"}
        self._snapshot = None
