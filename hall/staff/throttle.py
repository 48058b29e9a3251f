"""Sign-in throttling: failures counted per (name, address), per name and per address.

Each attempt *claims* its place before the password is checked: under row locks (``FOR
UPDATE`` on PostgreSQL; SQLite has one writer) the three counters go up by one and a
counter past its free failures sets a wait of 2, 4, 8 … seconds up to a cap. An attempt
that finds a wait running is refused (429) without a check, and with no write. So any
number of processes check at most the designed number of passwords, and no increment
is lost. A right password takes its count back off (see ``accounts.authenticate``).

- pair (name, address): 5 free failures, then waits up to 15 minutes: one address
  guessing one name is slowed hard;
- address (all names): 30 free failures, then waits up to 5 minutes: one address
  trying many names, known or not (a hall's clerks may share one address, hence loose);
- name (all addresses): 10 free failures, then waits up to 1 minute, applied only to
  addresses that have themselves failed twice for the name: many addresses guessing one
  name are slowed, while the account's owner signing in from their own desk is never
  held up by somebody else's failures.

Unknown names are counted exactly like known ones, so the answers tell nobody which
names exist. Counters start again after an hour without failures.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from hall.errors import TooManyAttempts
from hall.store.db import Database
from hall.store.models import SignInThrottleRow

QUIET = timedelta(hours=1)  # counters start again after this long without a failure
NAME_GATE_AFTER = 2  # the name's wait applies to addresses with this many failures for it


@dataclass(frozen=True, slots=True)
class Limit:
    """Free failures, then waits doubling from 2 s up to ``cap`` seconds."""

    free: int
    cap: int

    def wait(self, failures: int) -> int | None:
        """Seconds the next attempt must wait after ``failures`` failures (None: none)."""
        if failures < self.free:
            return None
        return int(min(self.cap, 2 ** (failures - self.free + 1)))


PAIR = Limit(free=5, cap=15 * 60)
ADDRESS = Limit(free=30, cap=5 * 60)
NAME = Limit(free=10, cap=60)
LIMITS = {"pair": PAIR, "address": ADDRESS, "name": NAME}


def name_key(username: str) -> str:
    """The name as counted: long made-up names are kept as their hash."""
    if len(username) <= 64:
        return username
    return "sha256:" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()


def keys(username: str, address: str) -> list[tuple[str, str]]:
    """The three counters an attempt touches, in locking order (sorted: no deadlocks)."""
    name = name_key(username)
    return sorted([("address", address[:64]), ("name", name), ("pair", f"{name}\n{address}"[:200])])


@dataclass(frozen=True, slots=True)
class Claim:
    """An attempt allowed to check a password, and the counts it raised."""

    failures: dict[str, int]  # scope -> failures counting this attempt
    started: tuple[str, ...]  # scopes whose waits this attempt started


def _current(row: SignInThrottleRow | None, now: datetime) -> int:
    if row is None or row.last_failed_at <= now - QUIET:
        return 0
    return row.failures


def wait_seconds(rows: dict[str, SignInThrottleRow], now: datetime) -> int:
    """How long an attempt with these counters must still wait (0: it may go ahead)."""
    gated = ["pair", "address"]
    if _current(rows.get("pair"), now) >= NAME_GATE_AFTER:
        gated.append("name")
    wait = 0.0
    for scope in gated:
        row = rows.get(scope)
        blocked = row.blocked_until if row is not None else None
        if blocked is not None and blocked > now and _current(row, now) > 0:
            wait = max(wait, (blocked - now).total_seconds())
    return math.ceil(wait)


def too_many(seconds: int) -> TooManyAttempts:
    minutes = max(1, math.ceil(seconds / 60))
    return TooManyAttempts(
        f"Too many failed sign-ins; try again in {seconds} s (about {minutes} min).",
        f"登录失败次数过多，请 {seconds} 秒（约 {minutes} 分钟）后再试。",
        retry_after=seconds,
    )


async def read_rows(
    session: AsyncSession, wanted: list[tuple[str, str]], *, lock: bool = False
) -> dict[str, SignInThrottleRow]:
    query = (
        select(SignInThrottleRow)
        .where(tuple_(SignInThrottleRow.scope, SignInThrottleRow.subject).in_(wanted))
        .order_by(SignInThrottleRow.scope, SignInThrottleRow.subject)
    )
    if lock:
        query = query.with_for_update()
    return {row.scope: row for row in (await session.scalars(query)).all()}


async def check(session: AsyncSession, username: str, address: str, now: datetime) -> None:
    """In a read transaction: raise TooManyAttempts while a wait runs (no write at all)."""
    wait = wait_seconds(await read_rows(session, keys(username, address)), now)
    if wait > 0:
        raise too_many(wait)


async def claim(session: AsyncSession, username: str, address: str, now: datetime) -> Claim:
    """In a write transaction: count this attempt as a failure, or raise TooManyAttempts."""
    wanted = keys(username, address)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(SignInThrottleRow)
        .values(
            [{"scope": s, "subject": k, "failures": 0, "last_failed_at": now} for s, k in wanted]
        )
        .on_conflict_do_nothing()
    )
    rows = await read_rows(session, wanted, lock=True)
    wait = wait_seconds(rows, now)
    if wait > 0:
        raise too_many(wait)
    failures: dict[str, int] = {}
    started: list[str] = []
    for scope, subject in wanted:
        count = _current(rows.get(scope), now) + 1
        limit = LIMITS[scope]
        pause = limit.wait(count)
        await session.execute(
            update(SignInThrottleRow)
            .where(SignInThrottleRow.scope == scope, SignInThrottleRow.subject == subject)
            .values(
                failures=count,
                last_failed_at=now,
                blocked_until=None if pause is None else now + timedelta(seconds=pause),
            )
        )
        failures[scope] = count
        if count == limit.free:
            started.append(scope)
    return Claim(failures, tuple(started))


async def succeeded(session: AsyncSession, username: str, address: str) -> None:
    """A right password: the pair starts again; the name and address take this attempt
    back off (it was counted as a failure when it was claimed)."""
    for scope, subject in keys(username, address):
        where = (SignInThrottleRow.scope == scope, SignInThrottleRow.subject == subject)
        if scope == "pair":
            values = {"failures": 0, "blocked_until": None}
            await session.execute(update(SignInThrottleRow).where(*where).values(**values))
        else:
            await session.execute(
                update(SignInThrottleRow)
                .where(*where, SignInThrottleRow.failures > 0)
                .values(failures=SignInThrottleRow.failures - 1)
            )


async def forget(session: AsyncSession, username: str) -> dict[str, int]:
    """Clear every counter of a name (an admin's unlock); the counts before."""
    rows = (
        await session.scalars(
            select(SignInThrottleRow).where(
                ((SignInThrottleRow.scope == "name") & (SignInThrottleRow.subject == username))
                | (
                    (SignInThrottleRow.scope == "pair")
                    & SignInThrottleRow.subject.startswith(username + "\n", autoescape=True)
                )
            )
        )
    ).all()
    before = {f"{r.scope}:{r.subject}": r.failures for r in rows if r.failures}
    for row in rows:
        row.failures, row.blocked_until = 0, None
    return before


@dataclass(frozen=True, slots=True)
class NameState:
    """A name's failures (within the quiet period) and the longest wait running on it."""

    failures: int
    throttled_until: datetime | None
    under_attack: bool


async def name_states(session: AsyncSession, now: datetime) -> dict[str, NameState]:
    """The throttle state of every name with recent failures (the admin's accounts list)."""
    rows = (
        await session.scalars(
            select(SignInThrottleRow).where(
                SignInThrottleRow.scope.in_(("name", "pair")),
                SignInThrottleRow.last_failed_at > now - QUIET,
                SignInThrottleRow.failures > 0,
            )
        )
    ).all()
    failures: dict[str, int] = {}
    until: dict[str, datetime] = {}
    attacked: set[str] = set()
    for row in rows:
        name = row.subject if row.scope == "name" else row.subject.split("\n", 1)[0]
        if row.scope == "name":
            failures[name] = row.failures
        if row.failures >= LIMITS[row.scope].free:
            attacked.add(name)
        if row.blocked_until is not None and row.blocked_until > now:
            until[name] = max(until.get(name, row.blocked_until), row.blocked_until)
    names = set(failures) | set(until) | attacked
    return {n: NameState(failures.get(n, 0), until.get(n), n in attacked) for n in sorted(names)}


async def forget_quiet(db: Database, now: datetime) -> int:
    """Delete counters quiet for longer than ``QUIET`` (they would count from 0 anyway);
    made-up names would otherwise pile up. Safe in every process at once."""
    async with db.write() as session:
        result = await session.execute(
            delete(SignInThrottleRow).where(SignInThrottleRow.last_failed_at <= now - QUIET)
        )
    return int(getattr(result, "rowcount", 0) or 0)
