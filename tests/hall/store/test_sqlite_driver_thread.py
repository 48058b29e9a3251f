"""The one-trip SQLite driver's thread outlives the event loop it answers to without
raising: aiosqlite's own thread raised "Event loop is closed" there."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from aiosqlite.core import _STOP_RUNNING_SENTINEL

from hall.store import sqlite_driver


def test_an_answer_due_to_a_closed_event_loop_is_dropped_not_raised(tmp_path: Path) -> None:
    # A connection dropped without being closed is stopped from the garbage collector,
    # with its stop's answer due to whatever event loop was current, and that loop may
    # close before the connection's thread answers. aiosqlite's own thread then raised
    # "Event loop is closed" in the thread (pytest reports it as an error of whichever
    # test runs next); the driver's thread drops the answer and still stops.
    errors: list[BaseException] = []
    previous_hook = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)  # type: ignore[assignment, return-value]
    try:
        loop = asyncio.new_event_loop()
        connection = loop.run_until_complete(sqlite_driver.connect(str(tmp_path / "x.db")))
        release = threading.Event()
        answer = loop.create_future()
        connection._tx.put_nowait((answer, release.wait))
        loop.close()
        release.set()  # the thread answers now, to a closed loop
        connection._tx.put_nowait((None, connection._conn.close))
        connection._running = False
        stopped = loop  # the stop's answer is due to the closed loop as well
        connection._tx.put_nowait((stopped.create_future(), lambda: _STOP_RUNNING_SENTINEL))
        connection._thread.join(timeout=10)
        assert not connection._thread.is_alive()
        connection._connection = None  # closed above, on its own thread
    finally:
        threading.excepthook = previous_hook
    assert errors == []
