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
the screens still never lag a change by more than the hold.

Order across processes. Every event carries the hall's screen sequence number from the
outbox (``hall.store.outbox``): numbered without gaps under the hall row's lock. A feed
takes events strictly in that order (``received``); an event that does not follow the
last one means something is missing, and the feed reads the outbox from where it is
(retrying with back-off while the database is down) before going on. Only the *chained*
messages (calls and recalls with a hold; every screen event without one) advance the
message chain, so ``seq`` and ``prev`` of every message are a function of the outbox
alone and the same in every process: a board message, however timing folded events into
it, has ``seq == prev ==`` the last chained message. A screen that comes back with
``?since=`` to any process gets the chained messages after ``since`` from this feed's
memory or, failing that, rebuilt from the outbox, then the board as it is now.
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
    SCREEN_KINDS,
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
RESET = "reset"  # events may have been lost: catch up from the outbox (else a snapshot)
PAGE = 500  # outbox rows per read
REPLAY_LIMIT = 2000  # a screen further behind than this gets a snapshot
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 5.0  # seconds between outbox reads while they fail


class Outbox(Protocol):
    """The hall's numbered screen events, as the database keeps them."""

    async def after(self, hall_id: str, seq: int, limit: int) -> list[ScreenEvent]:
        """Up to ``limit`` events numbered after ``seq``, in order."""
        ...

    async def head(self, hall_id: str, upto: int, kinds: tuple[str, ...]) -> int:
        """The number of the latest event of ``kinds`` up to ``upto`` (0 if none)."""
        ...


class _Attach:
    """A screen waiting for the worker to replay from the outbox."""

    def __init__(self, conn: ScreenConnection, since: int) -> None:
        self.conn, self.since = conn, since
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


Job = list[ScreenEvent] | str | _Attach


class _Pruned(Exception):
    """The outbox no longer has the events after the feed's last one."""


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
        outbox: Outbox | None = None,
    ) -> None:
        self.hall_id = hall_id
        self._clock = clock or MonotonicClock()
        # After calls, the re-read board waits this long for the next call to ride on
        # (one message per call instead of two), then goes out on its own.
        self.board_hold_seconds = board_hold_seconds
        # The kinds whose messages advance the chain (the rest fold into boards).
        self.chained: tuple[str, ...] = tuple(
            kind
            for kind, kind_type in SCREEN_KINDS.items()
            if board_hold_seconds <= 0 or kind_type in CALL_TYPES
        )
        self._held: dict[str, Any] | None = None  # not yet sent to the screens
        self._held_until = 0.0
        self._loader = loader
        self._outbox = outbox
        self._voice = voice
        self.subscribers: set[ScreenConnection] = set()
        self.last_seq = 0  # the last chained message sent
        self.received = 0  # the last outbox number taken in (any kind)
        self.board: dict[str, Any] = {}
        self._history: deque[tuple[int, str]] = deque(maxlen=history)  # (prev, text)
        self._snapshot: str | None = None
        self._inbox: asyncio.Queue[Job] = asyncio.Queue()
        self._idle = False  # the worker waits for jobs (no batch in hand, no re-read)
        self._ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run(), name=f"feed:{hall_id}")
        self.idle_since = self._clock.now()

    # -- the hub's side -------------------------------------------------------------

    def submit(self, job: list[ScreenEvent] | str) -> None:
        """Queue events (or REFRESH / RESET) for the worker; never blocks.

        When the worker is idle (no batch in hand, nothing queued) and the events follow
        the last one taken in, they are announced here and now, as the worker would
        announce them, and only the board re-read is left to it: a call reaches the
        screens before its request has answered.
        """
        if not isinstance(job, str) and self._outbox is None:
            job = [e for e in job if e.kind in SCREEN_KINDS]
            if not job:
                return  # only staff-side pages hear of these
        if not isinstance(job, str) and self._idle and self._inbox.empty():
            fresh = self._in_order(job)
            if fresh is not None:
                screen = [e for e in fresh if e.kind in SCREEN_KINDS]
                if not screen:
                    return  # only staff-side pages hear of these
                self._announce(screen)
                job = _Announced(screen)
        self._inbox.put_nowait(job)

    def _in_order(self, events: list[ScreenEvent]) -> list[ScreenEvent] | None:
        """The events not yet taken in, now taken in; None if one is missing before them."""
        if self._outbox is None:  # one process and no database: nothing to check against
            return events
        fresh = [e for e in events if e.seq > self.received]
        for index, event in enumerate(fresh):
            if event.seq != self.received + index + 1:
                return None
        if fresh:
            self.received = fresh[-1].seq
        return fresh

    async def attach(self, conn: ScreenConnection, since: int | None = None) -> None:
        """Give a screen what it is missing (replay, else a snapshot) and subscribe it."""
        await asyncio.shield(self._ready)
        replay = self.replay_after(since) if since is not None else None
        if since is not None and replay is None and self._outbox is not None:
            attach = _Attach(conn, since)  # the worker reads the outbox for it
            self._inbox.put_nowait(attach)
            await asyncio.shield(attach.done)
            return
        if replay is None:
            conn.offer(self.snapshot_text())
        else:
            for text in replay:
                conn.offer(text)
            if replay:  # from another process, the screen's board may differ: settle it
                conn.offer(self._full_board_text())
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

    def _full_board_text(self) -> str:
        return dumps(board_message(self.last_seq, board_patch({}, self.board)))

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
        while not self._inbox.empty():
            job = self._inbox.get_nowait()
            if isinstance(job, _Attach) and not job.done.done():
                job.done.set_exception(UnknownHall(self.hall_id))
                job.done.exception()

    # -- the worker -----------------------------------------------------------------

    async def _run(self) -> None:
        try:
            board = await self._loader(self.hall_id)
            if board is not None:
                await self._start_chain(int(board["seq"]))
        except Exception as exc:
            log.exception("Loading the board of hall %s failed", self.hall_id)
            self._ready.set_exception(exc)
            return
        if board is None:
            self._ready.set_exception(UnknownHall(self.hall_id))
            return
        self._set_board(board)
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

    async def _start_chain(self, seq: int) -> None:
        """Join the hall's chain where the board read it: its last chained message."""
        self.received = self.last_seq = seq
        if self._outbox is not None:
            self.last_seq = await self._outbox.head(self.hall_id, seq, self.chained)

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
        if RESET in jobs and self._outbox is None:
            await self._apply_without_outbox()
            return
        catch_up = RESET in jobs or any(
            isinstance(j, _Attach) and j.since > self.last_seq for j in jobs
        )
        changed = any(isinstance(j, _Announced) and j for j in jobs)
        try:
            fresh = await self._take_in(jobs, catch_up=catch_up)
            if fresh:
                self._announce(fresh)
            board = await self._read_board()
            # The board may already show events this process has not heard of yet.
            behind = board is not None and int(board["seq"]) > self.received
            if behind and (later := await self._take_in([], catch_up=True)):
                self._announce(later)
                fresh.extend(later)
        except _Pruned:
            await self._resync()
            fresh, board = [], None
        if board is not None:
            if (fresh or changed) and self.board_hold_seconds > 0:
                # Held back to ride on the next call's message (one message per call).
                self._hold({k: v for k, v in board.items() if k != "seq"})
            else:
                self._send_held(board)
        replays: dict[int, list[str] | None] = {}  # screens back after a restart share one
        for job in jobs:
            if isinstance(job, _Attach):
                await self._attach_from_outbox(job, replays)

    async def _read_board(self) -> dict[str, Any] | None:
        """The board re-read; while reads fail, retried with back-off, then caught up."""
        failures = 0
        while True:
            try:
                return await self._loader(self.hall_id)
            except Exception:
                log.warning("Re-reading the board of hall %s failed; retrying", self.hall_id)
            await self._backoff(failures)
            failures += 1
            if self._outbox is None:
                self.submit(RESET)
                return None

    async def _resync(self) -> None:
        """Start the chain again from the board (the outbox lost what this feed missed)."""
        board = await self._read_board()
        if board is not None:
            await self._start_chain(int(board["seq"]))
            self._reset(board)

    async def _apply_without_outbox(self) -> None:
        """A reset with no outbox to catch up from: every screen gets a snapshot."""
        board = await self._read_board()
        if board is not None:
            self._reset(board)

    async def _take_in(self, jobs: list[Job], *, catch_up: bool) -> list[ScreenEvent]:
        """The screen events of ``jobs`` in outbox order (read from the outbox on a gap)."""
        fresh: list[ScreenEvent] = []
        for job in jobs:
            if isinstance(job, _Announced | str | _Attach):
                continue
            taken = self._in_order(job)
            if taken is None:
                catch_up = True
                break
            fresh.extend(taken)
        if catch_up and self._outbox is not None:
            fresh.extend(await self._read_outbox())
        return [e for e in fresh if e.kind in SCREEN_KINDS]

    async def _read_outbox(self) -> list[ScreenEvent]:
        """Everything after ``received`` the outbox holds; retried while reads fail."""
        assert self._outbox is not None
        found: list[ScreenEvent] = []
        failures = 0
        while True:
            try:
                page = await self._outbox.after(self.hall_id, self.received, PAGE)
            except Exception:
                log.warning("Reading the screen outbox of hall %s failed; retrying", self.hall_id)
                await self._backoff(failures)
                failures += 1
                continue
            failures = 0
            if page and page[0].seq != self.received + 1:
                log.warning(
                    "The screen outbox of hall %s no longer has %d", self.hall_id, self.received + 1
                )
                raise _Pruned(self.hall_id)
            taken = self._in_order(page) or []
            found.extend(taken)
            if len(page) < PAGE:
                return found

    async def _backoff(self, failures: int) -> None:
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2**failures)
        await self._clock.sleep_until(self._clock.now() + delay)

    async def _attach_from_outbox(
        self, attach: _Attach, replays: dict[int, list[str] | None]
    ) -> None:
        """Replay what a screen missed from the outbox (or a snapshot), then subscribe it."""
        conn, since = attach.conn, attach.since
        texts: list[str] | None = None
        if since in replays:
            texts = replays[since]
        elif since < self.last_seq:
            try:
                texts = replays[since] = await self._replay_from_outbox(since)
            except Exception:
                log.warning(
                    "Replaying the outbox of hall %s failed; sending a snapshot", self.hall_id
                )
        elif since == self.last_seq:
            texts = []
        if texts is None:
            conn.offer(self.snapshot_text())
        else:
            for text in texts:
                conn.offer(text)
            conn.offer(self._full_board_text())
            conn.offer(dumps(heartbeat_message(self.last_seq)))
        self.subscribers.add(conn)
        if not attach.done.done():
            attach.done.set_result(None)

    async def _replay_from_outbox(self, since: int) -> list[str] | None:
        """The chained messages after ``since`` up to ``last_seq``, from the outbox."""
        assert self._outbox is not None
        events: list[ScreenEvent] = []
        after = since
        while after < self.last_seq and len(events) <= REPLAY_LIMIT:
            page = await self._outbox.after(self.hall_id, after, PAGE)
            if not page or page[0].seq != after + 1:
                return None  # pruned, or ``since`` is not a number of this hall
            events.extend(e for e in page if e.seq <= self.last_seq)
            after = page[-1].seq
        if len(events) > REPLAY_LIMIT:
            return None
        texts, prev = [], since
        for event in events:
            if event.kind in self.chained:
                texts.append(dumps(event_message(event, prev, {}, self._voice)))
                prev = event.seq
        return texts if prev == self.last_seq else None

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
            self._hold(predicted)

    def _hold(self, board: dict[str, Any]) -> None:
        """Keep ``board`` back until the next call or the end of the hold, whichever is
        first; a hold that has begun is not prolonged by later events."""
        if self._held is None:
            self._held_until = self._clock.now() + self.board_hold_seconds
        self._held = board

    def _send_held(self, board: dict[str, Any] | None = None) -> None:
        """Send ``board`` (else the held one), with the events folded into it, if it
        changes anything a screen shows; it does not advance the chain."""
        board = self._held if board is None else board
        self._held = None
        if board is None:
            return
        if patch := board_patch(self.board, board):
            self._set_board(board)
            text = dumps(board_message(self.last_seq, patch))
            self._history.append((self.last_seq, text))
            self.broadcast(text)

    def _emit(self, events: list[ScreenEvent], board: dict[str, Any]) -> None:
        self._held = None  # all of it rides on these messages
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
        self._held = None
        self._set_board(board)
        self._history.clear()
        if self._outbox is None:
            self.last_seq = max(self.last_seq, int(board["seq"]))
        self.broadcast(self.snapshot_text())

    def _set_board(self, board: dict[str, Any]) -> None:
        self.board = {k: v for k, v in board.items() if k != "seq"}
        self._snapshot = None
