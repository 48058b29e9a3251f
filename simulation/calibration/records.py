"""The hall's ticket records (the export format of docs/api.md) as arrays, for calibration.

Rows come from the CSV file (`read_records_csv`) or, unchanged, from the database through
`hall.analytics.calibration` (`records_from_rows`): both are the same tuples of strings in
`TICKET_COLUMNS` order. A row with no ticket is a booking that never checked in (a
no-show): it carries the slot start and the matter. Times become minutes after the local
midnight of the row's service day (the day of `issued_at`, or of the slot for a no-show).
"""

from __future__ import annotations

import csv
import gc
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import islice, repeat
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hall.analytics.export import TICKET_COLUMNS
from queueing import MatterClass
from simulation.calibration.times import parse_times, weekday_of
from simulation.errors import Problem, RecordsError

__all__ = ["OUTCOMES", "Records", "read_records_csv", "records_from_rows"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

OUTCOMES = (
    "", "completed", "materials_missing", "rejected", "referred", "no_show", "cancelled",
    "unserved",
)  # fmt: skip
_OUTCOME_INDEX = {name: i for i, name in enumerate(OUTCOMES)}
_SOURCE_INDEX = {"walk_in": 0, "appointment": 1}
_CLASSES = {c.value: c for c in MatterClass}
_TIMES = ("issued_at", "checked_in_at", "slot_start", "called_at", "started_at", "finished_at")
CHUNK_ROWS = 5_000  # rows parsed at a time: a chunk stays in the processor's caches
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Records:
    """Struct of arrays, one entry per row; times in minutes after the day's midnight."""

    hall: str
    codes: tuple[str, ...]  # matter codes, in the order first seen
    classes: tuple[MatterClass, ...]  # per matter code
    day: IntArray  # service day, days since 1970-01-01
    matter: IntArray
    appointment: BoolArray
    green: BoolArray
    ticketless: BoolArray  # a booking that never became a ticket (no-show)
    issued: FloatArray
    checked_in: FloatArray
    slot: FloatArray
    called: FloatArray
    started: FloatArray
    finished: FloatArray
    outcome: IntArray  # index into OUTCOMES
    window: IntArray  # 0: none

    def __len__(self) -> int:
        return int(self.day.size)

    @property
    def weekday(self) -> IntArray:
        return weekday_of(self.day)

    def days(self) -> list[int]:
        """The service days present, in order."""
        return sorted(set(np.unique(self.day).tolist()))

    def select(self, mask: BoolArray | IntArray) -> Records:
        """The rows where `mask` holds, or at the indices `mask` (matters keep their indices)."""
        arrays = {
            f.name: getattr(self, f.name)[mask]
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }
        return Records(hall=self.hall, codes=self.codes, classes=self.classes, **arrays)

    def by_day(self, days: Iterable[int]) -> dict[int, Records]:
        """Each of `days`' rows (sorting once: selecting a day at a time would scan them all)."""
        order = np.argsort(self.day, kind="stable")
        ordered = self.day[order]
        found = {}
        for day in days:
            low, high = np.searchsorted(ordered, [day, day + 1])
            found[day] = self.select(order[low:high])
        return found


class _Builder:
    """Collects parsed chunks and the problems found, then builds `Records`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.codes: dict[str, int] = {}
        self.classes: dict[str, MatterClass] = {}
        self.halls: set[str] = set()
        self.parts: dict[str, list[np.ndarray]] = {}

    def problem(self, line: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(f"line {line}", message))

    def add(self, index: dict[str, int], rows: list[Sequence[str]], first_line: int) -> None:
        width = max(index.values()) + 1
        good = rows
        if min(map(len, rows)) < width:  # blank lines are skipped, short ones are problems
            good = [row for row in rows if len(row) >= width]
            for offset, row in enumerate(rows):
                if 0 < len(row) < width:
                    self.problem(first_line + offset, f"has {len(row)} fields, not {width}")
        if not good:
            return
        transposed = list(zip(*good, strict=False))  # one pass in C: a column per field
        columns: dict[str, Sequence[str]] = {name: transposed[i] for name, i in index.items()}
        self._add_columns(columns, first_line)

    def _add_columns(self, columns: dict[str, Sequence[str]], first_line: int) -> None:
        parsed: dict[str, tuple[IntArray, FloatArray]] = {}
        for name in _TIMES:
            days, minutes, bad = parse_times(columns[name])
            for row in bad[:3]:
                self.problem(
                    first_line + row, f"{name} is not an ISO 8601 time: {columns[name][row]!r}"
                )
            parsed[name] = (days, minutes)
        ticketless = np.array(list(map(operator.not_, columns["ticket"])), dtype=np.bool_)
        base_day = np.where(ticketless, parsed["slot_start"][0], parsed["issued_at"][0])
        for row in np.flatnonzero(
            np.isnan(np.where(ticketless, parsed["slot_start"][1], parsed["issued_at"][1]))
        )[:3].tolist():
            self.problem(first_line + row, "has no issued_at (nor, for a booking, slot_start)")
        self._append("day", base_day)
        for name in _TIMES:
            days, minutes = parsed[name]
            self._append(name, minutes + (days - base_day) * 1440.0)
        self._append("ticketless", ticketless)
        self._categories(columns, first_line)

    def _category(
        self, column: Sequence[str], first_line: int, known: dict[str, int], what: str
    ) -> IntArray:
        """A column of few distinct values as indices; a value `known` lacks is a problem
        at its first row (and -1). `map` over a dict's own methods runs in C: faster here
        than numpy's unique on strings, or a Python loop."""
        found = np.array(list(map(known.get, column, repeat(-1))), dtype=np.int64)
        for row in np.flatnonzero(found < 0)[:1].tolist():
            self.problem(first_line + row, f"{what} {column[row]!r}")
        return found

    def _categories(self, columns: dict[str, Sequence[str]], first_line: int) -> None:
        for code in sorted(set(columns["matter"]) - set(self.codes)):
            self.codes[code] = len(self.codes)
        matter = np.array(list(map(self.codes.__getitem__, columns["matter"])), dtype=np.int64)
        for code, klass in set(zip(columns["matter"], columns["matter_class"], strict=True)):
            if code in self.classes:
                continue
            if code and klass in _CLASSES:
                self.classes[code] = _CLASSES[klass]
            else:
                row = columns["matter"].index(code)
                self.problem(
                    first_line + row, f"matter {code!r} has no valid matter_class ({klass!r})"
                )
        sources = self._category(columns["source"], first_line, _SOURCE_INDEX,
                                 "source must be walk_in or appointment, not")  # fmt: skip
        outcomes = self._category(columns["outcome"], first_line, _OUTCOME_INDEX, "unknown outcome")
        numbers = {w: int(w) if w.isdigit() else 0 for w in set(columns["window"])}
        self._append("matter", matter)
        self._append("appointment", sources == 1)
        self._append("green", np.array(list(map("true".__eq__, columns["green"])), dtype=np.bool_))
        self._append("outcome", outcomes)
        self._append("window", np.array(list(map(numbers.__getitem__, columns["window"]))))
        self.halls.update(set(columns["hall"]))

    def _append(self, name: str, values: np.ndarray) -> None:
        self.parts.setdefault(name, []).append(values)

    def build(self) -> Records:
        if not self.parts and not self.problems:
            self.problems.append(Problem("", "holds no ticket records"))
        if len(self.halls - {""}) > 1:
            self.problems.append(Problem("", f"mixes halls {sorted(self.halls)}; export one hall"))
        if self.problems:
            raise RecordsError(self.problems, self.source)
        joined = {name: np.concatenate(parts) for name, parts in self.parts.items()}
        renamed = {name.removesuffix("_at").removesuffix("_start"): v for name, v in joined.items()}
        codes = tuple(self.codes)
        return Records(
            hall=next(iter(self.halls), ""),
            codes=codes,
            classes=tuple(self.classes.get(c, MatterClass.GENERAL) for c in codes),
            day=renamed["day"],
            matter=renamed["matter"],
            appointment=renamed["appointment"],
            green=renamed["green"],
            ticketless=renamed["ticketless"],
            issued=renamed["issued"],
            checked_in=renamed["checked_in"],
            slot=renamed["slot"],
            called=renamed["called"],
            started=renamed["started"],
            finished=renamed["finished"],
            outcome=renamed["outcome"],
            window=renamed["window"],
        )


def _index(header: Sequence[str], builder: _Builder) -> dict[str, int] | None:
    found = {name.strip(): i for i, name in enumerate(header)}
    missing = [name for name in TICKET_COLUMNS if name not in found]
    if missing:
        builder.problems.append(
            Problem(
                "line 1",
                f"is not the ticket record header (docs/api.md): missing {', '.join(missing)}",
            )
        )
        return None
    return {name: found[name] for name in TICKET_COLUMNS}


def _chunks(rows: Iterator[Sequence[str]]) -> Iterator[tuple[int, list[Sequence[str]]]]:
    """CHUNK_ROWS rows at a time, with the line number of the first (taken by islice, in C)."""
    line = 2
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield line, chunk
        line += len(chunk)


def records_from_rows(
    header: Sequence[str], rows: Iterable[Sequence[str]], source: str = "<records>"
) -> Records:
    """Records from rows of strings under `header`; raises RecordsError listing problems."""
    builder = _Builder(source)
    index = _index(header, builder)
    if index is not None:
        # Each row is a fresh list, so the cyclic garbage collector would walk every row
        # kept in a chunk again and again (it was most of the reading time); the rows hold
        # no cycles and are freed by reference counting anyway.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for line, chunk in _chunks(iter(rows)):
                builder.add(index, chunk, line)
        finally:
            if collecting:
                gc.enable()
    return builder.build()


def read_records_csv(path: str | Path) -> Records:
    """Read a ticket records CSV (UTF-8, with or without the BOM); raises RecordsError."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise RecordsError([Problem("", "is empty")], str(path))
            return records_from_rows(header, reader, str(path))
    except OSError as error:
        raise RecordsError([Problem("", f"cannot be read: {error.strerror}")], str(path)) from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise RecordsError([Problem("", f"is not a UTF-8 CSV file: {error}")], str(path)) from error
