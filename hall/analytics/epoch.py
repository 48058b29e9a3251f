"""A stored time as POSIX seconds, computed by the database (one construct, both dialects).

The period queries read tens of thousands of rows; turning every time column into a
Python ``datetime`` (and back into seconds for the queueing core) cost more than the
query itself. The database hands back floats instead, to the microsecond on both:
SQLite keeps ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLAlchemy's format), so whole seconds come
from ``strftime('%s')`` and the fraction from the text (``julianday`` would round to
milliseconds and put 09:00:00 a hair before nine).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class epoch(FunctionElement[float]):
    """``epoch(column)``: the time in the column as float seconds since 1970-01-01 UTC."""

    type = Float()
    inherit_cache = True
    name = "epoch"


@compiles(epoch)
def _epoch_default(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {inner}) AS DOUBLE PRECISION)"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%s', {inner}) AS INTEGER) + CAST(substr({inner}, 20) AS REAL))"
