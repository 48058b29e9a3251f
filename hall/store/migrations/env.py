"""Alembic environment: runs on the connection handed over by hall.store.migrate."""

from __future__ import annotations

from alembic import context

from hall.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a misconfigured alembic call
    raise RuntimeError("run migrations through `tongban db upgrade` (hall.store.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
