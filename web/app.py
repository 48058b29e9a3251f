"""The Starlette application factory: the composition root of the whole server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from importlib import resources

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from displays.hub import Hub
from displays.limits import SocketLimits
from hall.booking.checkin import sweep_no_shows
from hall.bootstrap import prepare
from hall.calling.close_out import sweep_close_outs
from hall.cases.sweep import escalate_overdue, every
from hall.publish import Publisher
from hall.ratings.defaults import record_default_ratings
from hall.settings import Settings
from hall.staff.throttle import forget_quiet
from hall.store.db import Database
from hall.store.models import utcnow
from hall.store.outage import wait_for_database
from web import desks, kiosk, screens
from web.api import booking as api_booking
from web.api.routes import routes as api_routes
from web.errors import EXCEPTION_HANDLERS
from web.pages.routes import routes as page_routes
from web.wiring import DatabaseOutbox, database_loader, make_hub

NO_SHOW_SWEEP_SECONDS = 60.0
CASE_SWEEP_SECONDS = 10.0  # an unanswered 帮办 request escalates within 10 s of its minute
RATING_SWEEP_SECONDS = 300.0
CLOSE_OUT_SWEEP_SECONDS = 60.0
THROTTLE_SWEEP_SECONDS = 600.0


# Young collections after 10,000 new container objects instead of 700 (temporaries of a
# fan-out die by reference counting before one runs); a full collection at most after
# 100 middle ones. Measured with benchmarks/bench_screens.py (docs/architecture.md).
SERVER_GC_THRESHOLDS = (10_000, 20, 100)


def case_sweepers(db: Database, app: Starlette) -> list[asyncio.Task[None]]:
    """Escalation of overdue cases, default ratings and forgetting quiet sign-in counters:
    database-driven, and safe to run in every server process at once (hall.cases.sweep,
    hall.ratings.defaults, hall.staff.throttle)."""

    def escalate() -> Awaitable[int]:
        return escalate_overdue(db, app.state.publisher, app.state.clock())

    def defaults() -> Awaitable[int]:
        return record_default_ratings(db, app.state.publisher, app.state.clock())

    def quiet_throttles() -> Awaitable[int]:
        return forget_quiet(db, app.state.clock())

    return [
        asyncio.create_task(every(CASE_SWEEP_SECONDS, escalate, "Escalated overdue cases")),
        asyncio.create_task(every(RATING_SWEEP_SECONDS, defaults, "Recorded default ratings")),
        asyncio.create_task(
            every(THROTTLE_SWEEP_SECONDS, quiet_throttles, "Forgot quiet sign-in counters")
        ),
    ]


def running_clock(start: datetime, anchor: float | None = None) -> Callable[[], datetime]:
    """A clock that shows ``start`` at the real time ``anchor`` (Unix seconds; default:
    now) and runs on in real time (HALL_CLOCK_START, HALL_CLOCK_ANCHOR). Processes given
    the same pair show the same time."""
    if anchor is None:
        began = time.monotonic()
        return lambda: start + timedelta(seconds=time.monotonic() - began)
    return lambda: start + timedelta(seconds=time.time() - anchor)


def create_app(
    settings: Settings | None = None,
    publisher: Publisher | None = None,
    *,
    tune_gc: bool = False,
) -> Starlette:
    """Build the app; the database is migrated and loaded when the app starts.

    ``tune_gc`` (the server process sets it, see ``web.cli``): once started, everything
    allocated so far (modules, SQLAlchemy's mappers and caches, the app) is moved out of
    the cyclic garbage collector's sight (``gc.freeze()``), and young collections run
    less often (``SERVER_GC_THRESHOLDS``). With thousands of screens, the default
    thresholds promoted the short-lived objects of every fan-out to the oldest
    generation, and a full collection, which stops the event loop for as long as it
    walks every screen's objects, ran every few seconds: screens saw it as a late
    call. Tests build many apps in one process and leave it off.
    """
    settings = settings or Settings.from_environ()
    # Outside demo mode the key must be given, and never kept in the data folder.
    settings.check_secret_key()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        try:
            # A database still starting (or a network not yet up) is waited for, with
            # back-off, for at most HALL_DB_STARTUP_WAIT seconds.
            await wait_for_database(db, settings.db_startup_wait)
            await prepare(db, settings)
            app.state.db = db
            hub: Hub | None = app.state.hub
            if hub is not None:
                await hub.start(database_loader(db, lambda: app.state.clock()), DatabaseOutbox(db))
            sweeper = asyncio.create_task(
                sweep_no_shows(db, lambda: app.state.clock(), NO_SHOW_SWEEP_SECONDS)
            )
            sweepers = case_sweepers(db, app)
            closer = asyncio.create_task(
                sweep_close_outs(
                    db, app.state.publisher, lambda: app.state.clock(), CLOSE_OUT_SWEEP_SECONDS
                )
            )
            if tune_gc:
                gc.collect()
                gc.freeze()
                gc.set_threshold(*SERVER_GC_THRESHOLDS)
            try:
                yield
            finally:
                for task in (sweeper, closer, *sweepers):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                if hub is not None:
                    await hub.stop()
        finally:
            await db.dispose()

    static = StaticFiles(directory=str(resources.files("web") / "static"))
    app = Starlette(
        routes=[
            *page_routes,
            *api_routes,
            *screens.routes,
            *desks.routes,
            Mount("/static", app=static, name="static"),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    if publisher is None:
        publisher = make_hub(settings)
    # Screens need a hub; a test may pass another publisher (then screens are off).
    app.state.hub = publisher if isinstance(publisher, Hub) else None
    app.state.publisher = publisher
    app.state.screen_limits = SocketLimits(
        settings.screen_sockets_per_address, settings.screen_sockets_total
    )
    app.state.clock = (
        utcnow
        if settings.clock_start is None
        else running_clock(settings.clock_start, settings.clock_anchor)
    )
    app.state.booking_ip_limiter, app.state.booking_phone_limiter = api_booking.limiters(
        settings.booking_rate_limit
    )
    app.state.ticket_limiter, app.state.kiosk_ticket_limiter = kiosk.ticket_limiters(
        settings.ticket_rate_limit, settings.kiosk_rate_limit
    )
    return app
