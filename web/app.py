"""The Starlette application factory: the composition root of the whole server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib import resources

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hall.bootstrap import prepare
from hall.db import Database
from hall.settings import Settings
from web import api_catalogue, pages
from web.errors import EXCEPTION_HANDLERS


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the database is migrated and loaded when the app starts."""
    settings = settings or Settings.from_environ()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        try:
            await prepare(db, settings)
            app.state.db = db
            yield
        finally:
            await db.dispose()

    static = StaticFiles(directory=str(resources.files("web") / "static"))
    app = Starlette(
        routes=[
            *pages.routes,
            *api_catalogue.routes,
            Mount("/static", app=static, name="static"),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
