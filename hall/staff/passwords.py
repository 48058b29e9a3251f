"""Staff password hashing with argon2id, off the event loop in a small bounded pool.

argon2 is slow on purpose (tens of milliseconds and 64 MiB per check) and argon2-cffi
releases the GIL while it works, so checks run in a few worker threads: the event loop
keeps serving tickets and screens meanwhile. Checks beyond the workers wait in a short
queue; when that is full the check is refused at once with ``Busy`` (503 with
``Retry-After``) instead of piling up.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hall.errors import Busy

_hasher = PasswordHasher()

# argon2's own lanes use the cores too; one worker per two cores leaves the loop room.
WORKERS = max(1, (os.cpu_count() or 2) // 2)
QUEUE = 8  # checks waiting for a worker before new ones are refused
BUSY_RETRY_SECONDS = 2
# The lowest: the event loop's tickets and screens come first (at 10, the flood test
# still saw issuing slowed several times on a loaded machine); a check slows when the
# machine is busy, which a person signing in barely notices.
NICE = 19


def hash_password(password: str) -> str:
    """An argon2id hash of the password, salted."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches the hash; False for a missing or broken hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """A hash no password is checked against in earnest: unknown names cost the same."""
    return hash_password("timing-equaliser")


def _lowest_priority() -> None:
    """Run this worker thread (and the lane threads argon2 starts from it) at the lowest
    CPU priority: when the cores are busy, the event loop's tickets and screens go first
    (on Linux a thread's nice value is its own)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


class PasswordPool:
    """At most ``workers`` checks at once, ``queue`` more waiting, the rest refused."""

    def __init__(self, workers: int = WORKERS, queue: int = QUEUE) -> None:
        self.workers = workers
        self.limit = workers + queue
        self.pending = 0
        self._executor: ThreadPoolExecutor | None = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self.workers, thread_name_prefix="argon2", initializer=_lowest_priority
            )
        return self._executor

    @contextlib.contextmanager
    def reserve(self) -> Iterator[None]:
        """Hold a place for one check, or raise Busy at once when the queue is full.

        A sign-in reserves before its claim is written, so an attempt that was counted
        is always checked.
        """
        if self.pending >= self.limit:
            raise Busy(
                "The server is checking many sign-ins right now; please try again in a moment.",
                f"当前登录请求较多，请 {BUSY_RETRY_SECONDS} 秒后再试。",
                retry_after=BUSY_RETRY_SECONDS,
            )
        self.pending += 1
        try:
            yield
        finally:
            self.pending -= 1

    async def check(self, password_hash: str | None, password: str) -> bool:
        """``verify_password`` in a worker thread (inside ``reserve``); a missing hash is
        checked against the dummy one, so it costs the same, and is False."""
        loop = asyncio.get_running_loop()
        right = await loop.run_in_executor(  # the dummy hash too is made off the loop
            self._pool(), lambda: verify_password(password_hash or dummy_hash(), password)
        )
        return right and bool(password_hash)

    async def hash(self, password: str) -> str:
        """``hash_password`` in a worker thread (admin edits; never refused)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), hash_password, password)


# One pool per process: the number of cores is per process too.
pool = PasswordPool()
