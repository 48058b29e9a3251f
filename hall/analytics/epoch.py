"""A stored time as POSIX seconds, computed by the database (one construct, both dialects).

The period queries read tens of thousands of rows; turning every time column into a
Python ``datetime`` (and back into seconds for the queueing core) cost more than the
query itself. The database hands back floats instead. Precision is tens of
microseconds on SQLite (``julianday`` is a double), far below what a KPI shows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_UNIX_EPOCH_JULIAN_DAY = 2440587.5


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
    return f"((julianday({inner}) - {_UNIX_EPOCH_JULIAN_DAY}) * 86400.0)"
