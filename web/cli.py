"""The ``tongban`` console script: composes every package's subcommands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from hall import cli as hall_cli
from hall.settings import SecretKeyRefused, Settings
from simulation import cli as simulation_cli

if TYPE_CHECKING:
    from starlette.applications import Starlette

CROSS_PROCESS_BACKENDS = ("postgres", "redis")
WORKER_HEALTHCHECK_SECONDS = 60


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="tongban", description="Tongban (通办): queue and appointments for service halls."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to listen on (default HALL_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default HALL_PORT)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (more than 1 needs PostgreSQL and "
        "HALL_DISPLAY_BACKEND=postgres or redis)",
    )
    serve.set_defaults(run=_serve)
    hall_cli.register(sub)
    simulation_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    settings = Settings.from_environ()
    configure_logging(settings)
    code: int = args.run(args, settings)
    return code


def server_app() -> Starlette:
    """The app of each process of ``tongban serve --workers N`` (uvicorn's factory)."""
    from web.app import create_app  # here, not at the top: other commands need no server

    settings = Settings.from_environ()
    configure_logging(settings)
    return create_app(settings, tune_gc=True)


def configure_logging(settings: Settings) -> None:
    """The log format and filters of every process (``serve --workers`` ones too)."""
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # chart internals, not ours
    logging.getLogger("uvicorn.access").addFilter(drop_query_strings)


def drop_query_strings(record: logging.LogRecord) -> bool:
    """Log request paths without their query strings (``?phone=...`` must not be logged).

    uvicorn's access records carry (client, method, path with query, version, status).
    """
    args = record.args
    if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
        record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
    return True


def workers_problem(workers: int, settings: Settings) -> str | None:
    """Why ``--workers`` cannot run with these settings (Chinese, then English), or None."""
    if workers < 1:
        return "--workers 必须至少为 1。\n--workers must be at least 1."
    if workers == 1:
        return None
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        return (
            "多个服务进程需要 PostgreSQL 数据库：请将 HALL_DATABASE_URL 设为 "
            "postgresql+asyncpg://…（SQLite 只能由一个进程写入）。\n"
            "Several server processes need PostgreSQL: set HALL_DATABASE_URL to "
            "postgresql+asyncpg://... (SQLite has one writing process)."
        )
    if settings.display_backend not in CROSS_PROCESS_BACKENDS:
        return (
            "多个服务进程需要跨进程的大屏通道：请将 HALL_DISPLAY_BACKEND 设为 postgres "
            "或 redis（memory 只在一个进程内送达）。\n"
            "Several server processes need a cross-process display backend: set "
            "HALL_DISPLAY_BACKEND to postgres or redis (memory reaches one process only)."
        )
    return None


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    host = args.host or settings.host
    port = args.port or settings.port
    try:
        settings.check_secret_key()
    except SecretKeyRefused as refused:
        print(f"Tongban cannot start: {refused.message}", file=sys.stderr)
        print(f"通办无法启动：{refused.message_zh}", file=sys.stderr)
        return 2
    problem = workers_problem(args.workers, settings)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    if settings.demo:
        print(
            "WARNING: demo mode (HALL_CONFIG is not set). Demo accounts admin, supervisor "
            "and clerk01…clerk24 share the password from HALL_DEMO_PASSWORD. "
            "Do not use in a real hall.",
            file=sys.stderr,
        )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        # The sans-I/O WebSocket protocol: no tasks of its own per socket (the classic
        # one keeps three), so thousands of screens cost the garbage collector less.
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
        "proxy_headers": False,
    }
    if args.workers == 1:
        from web.app import create_app

        print(f"Tongban is starting on http://{host}:{port}/", file=sys.stderr)
        uvicorn.run(create_app(settings, tune_gc=True), **options)
        return 0
    # Migrate and load the configuration once, before the workers race to do it.
    asyncio.run(_prepare(settings))
    print(
        f"Tongban is starting {args.workers} processes on http://{host}:{port}/",
        file=sys.stderr,
    )
    uvicorn.run(
        "web.cli:server_app",
        factory=True,
        workers=args.workers,
        # A worker imports the whole application before it answers the supervisor's
        # first ping; uvicorn's 5 s kills it in a loop on a busy machine.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **options,
    )
    return 0


async def _prepare(settings: Settings) -> None:
    from hall.bootstrap import prepare
    from hall.store.db import Database

    db = Database(settings.database_url)
    try:
        await prepare(db, settings)
    finally:
        await db.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
