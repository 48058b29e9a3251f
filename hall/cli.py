"""The hall's command-line subcommands: database, configuration, staff accounts, the day.

``web.cli`` composes these with ``serve`` (and the simulator's commands) into the
``tongban`` console script.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import date
from pathlib import Path

from hall.calling.close_out import DayClosed, close_day
from hall.calling.context import load_context
from hall.catalogue import stored
from hall.catalogue.export import dump_config
from hall.catalogue.loader import load_config
from hall.errors import ConfigError, HallError
from hall.settings import Settings
from hall.staff.passwords import hash_password
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import utcnow
from hall.store.unit import reading, unit_of_work
from queueing.policy import policy_problems


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the db, config and staff subcommands to the top-level parser."""
    db = sub.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)

    config = sub.add_parser("config", help="hall configuration (TOML)").add_subparsers(
        dest="action", required=True
    )
    check = config.add_parser("check", help="validate a configuration file")
    check.add_argument("file", type=Path)
    check.set_defaults(run=_config_check)
    export = config.add_parser("export", help="write the database's configuration as TOML")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(run=_config_export)
    load = config.add_parser("load", help="apply a configuration file to the database")
    load.add_argument("file", type=Path)
    load.set_defaults(run=_config_load)

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    staff.add_parser("hash", help="print an argon2 hash for a password (for the TOML file)")
    staff.choices["hash"].set_defaults(run=_staff_hash)

    day = sub.add_parser("day", help="the hall's day").add_subparsers(dest="action", required=True)
    close = day.add_parser(
        "close", help="close out a hall's day now (windows signed out, open tickets ended)"
    )
    close.add_argument("--hall", required=True, help="hall id")
    close.add_argument(
        "--date", type=date.fromisoformat, help="the hall-local day YYYY-MM-DD (default: today)"
    )
    close.set_defaults(run=_day_close)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> None:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
        finally:
            await db.dispose()

    asyncio.run(run())
    print(f"Database is up to date: {settings.database_url}")
    return 0


def _config_check(args: argparse.Namespace, settings: Settings) -> int:
    try:
        config = load_config(args.file, policy_problems)
    except ConfigError as exc:
        print(f"{args.file}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    matters = sum(len(h.matters) for h in config.halls)
    windows = sum(len(h.windows) for h in config.halls)
    print(f"OK: {len(config.halls)} hall(s), {matters} matters, {windows} windows.")
    return 0


def _config_export(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> str:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            async with db.read() as session:
                return dump_config(await stored.read_config(session))
        finally:
            await db.dispose()

    text = asyncio.run(run())
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _config_load(args: argparse.Namespace, settings: Settings) -> int:
    try:
        config = load_config(args.file, policy_problems)
    except ConfigError as exc:
        print(f"{args.file}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1

    async def run() -> None:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            async with unit_of_work(db, None, "cli", None, utcnow()) as unit:
                await stored.apply_config(unit, config)
        finally:
            await db.dispose()

    asyncio.run(run())
    print(f"Applied {args.file} to {settings.database_url}")
    return 0


def _day_close(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> DayClosed:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            now = utcnow()
            day = args.date
            if day is None:
                async with reading(db) as tx:
                    ctx = await load_context(tx, args.hall)
                day = ctx.day(now)
            return await close_day(db, None, args.hall, day, now, actor="operator")
        finally:
            await db.dispose()

    try:
        done = asyncio.run(run())
    except HallError as exc:
        print(f"{exc.message_zh}\n{exc.message}", file=sys.stderr)
        return 1
    if done.already:
        print(f"{done.hall} {done.day}: already closed at {done.closed_at:%Y-%m-%d %H:%M} UTC.")
        return 0
    print(
        f"{done.hall} {done.day}: closed; {done.unserved} ticket(s) unserved, "
        f"{done.expired} parked ticket(s) expired, {done.windows_signed_out} window(s) signed out."
    )
    return 0


def _staff_hash(args: argparse.Namespace, settings: Settings) -> int:
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass()
    if len(password) < 8:
        print("A password needs at least 8 characters.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0
