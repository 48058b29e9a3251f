"""A stored time as POSIX seconds, computed by the database (one construct, both dialects).

The period queries read tens of thousands of rows; turning every time column into a
Python ``datetime`` (and back into seconds for the queueing core) cost more than the
query itself. The database hands back floats instead, rounded to the millisecond on
both databases: SQLite's ``julianday`` keeps milliseconds (and its double would put
09:00:00 a hair before nine without the rounding); it is the cheapest date function
SQLite has (about half the cost of ``strftime`` with the text's fraction).
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
    return f"CAST(ROUND(CAST(EXTRACT(EPOCH FROM {inner}) AS NUMERIC), 3) AS DOUBLE PRECISION)"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"ROUND((julianday({inner}) - 2440587.5) * 86400.0, 3)"
