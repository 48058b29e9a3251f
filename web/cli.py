"""The ``tongban`` console script: composes every package's subcommands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from hall import cli as hall_cli
from hall.settings import SecretKeyRefused, Settings
from simulation import cli as simulation_cli


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="tongban", description="Tongban (通办): queue and appointments for service halls."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to listen on (default HALL_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default HALL_PORT)")
    serve.set_defaults(run=_serve)
    hall_cli.register(sub)
    simulation_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    settings = Settings.from_environ()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # chart internals, not ours
    logging.getLogger("uvicorn.access").addFilter(drop_query_strings)
    code: int = args.run(args, settings)
    return code


def drop_query_strings(record: logging.LogRecord) -> bool:
    """Log request paths without their query strings (``?phone=...`` must not be logged).

    uvicorn's access records carry (client, method, path with query, version, status).
    """
    args = record.args
    if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
        record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
    return True


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from web.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    try:
        settings.check_secret_key()
    except SecretKeyRefused as refused:
        print(f"Tongban cannot start: {refused.message}", file=sys.stderr)
        print(f"通办无法启动：{refused.message_zh}", file=sys.stderr)
        return 2
    if settings.demo:
        print(
            "WARNING: demo mode (HALL_CONFIG is not set). Demo accounts admin, supervisor "
            "and clerk01…clerk24 share the password from HALL_DEMO_PASSWORD. "
            "Do not use in a real hall.",
            file=sys.stderr,
        )
    print(f"Tongban is starting on http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(
        create_app(settings, tune_gc=True),
        host=host,
        port=port,
        log_level=settings.log_level,
        # The sans-I/O WebSocket protocol: no tasks of its own per socket (the classic
        # one keeps three), so thousands of screens cost the garbage collector less.
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        proxy_headers=False,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
