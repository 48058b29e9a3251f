"""The KPIs worked out again from the raw audit events, by other code than the service's.

Written from SPEC.md's definitions: each ticket's story is rebuilt from its events
(issued, checked in, called, started, finished, no-show, cancelled, transferred), each
window's signed-in time from the window events, and every figure from those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from hall.catalogue.loader import demo_config_path, load_config
from hall.store.db import Database
from hall.store.models import EventRow

CLASSES = {
    m.code: m.matter_class.value for m in load_config(demo_config_path()).hall("district").matters
}  # type: ignore[union-attr]


@dataclass
class Story:
    issued: float
    source: str
    green: bool
    matter: str
    checked_in: float | None = None
    first_call: float | None = None
    started: float | None = None
    finished: float | None = None
    outcome: str | None = None
    window: int | None = None
    end: str | None = None  # finished / no_show / cancelled


@dataclass
class History:
    tickets: dict[str, Story] = field(default_factory=dict)
    signed_in: dict[int, list[tuple[float, float | None]]] = field(default_factory=dict)


async def read_history(db: Database, since: datetime, until: datetime) -> History:
    query = (
        select(EventRow)
        .where(EventRow.hall_id == "district", EventRow.at >= since, EventRow.at < until)
        .order_by(EventRow.id)
    )
    async with db.read() as session:
        rows = (await session.scalars(query)).all()
    found = History()
    for e in rows:
        t, data = e.at.timestamp(), e.data or {}
        if e.subject_type == "window":
            spans = found.signed_in.setdefault(int(e.subject_id), [])
            if e.kind == "window_signed_in":
                spans.append((t, None))
            elif e.kind == "window_signed_out":
                spans[-1] = (spans[-1][0], t)
            continue
        story = found.tickets.get(e.subject_id)
        if e.kind == "ticket_issued":
            found.tickets[e.subject_id] = Story(t, data["source"], data["green"], data["matter"])
            continue
        assert story is not None, (e.kind, e.subject_id, e.at, e.data)
        if e.kind == "ticket_checked_in":
            story.checked_in = t
        elif e.kind == "ticket_called":
            story.first_call = t if story.first_call is None else story.first_call
            story.window = data["window"]
        elif e.kind == "service_started":
            story.started = t
        elif e.kind == "ticket_finished":
            story.finished, story.outcome, story.end = t, data["outcome"], "finished"
        elif e.kind == "ticket_marked_no_show":
            story.end = "no_show"
        elif e.kind == "ticket_cancelled":
            story.end = "cancelled"
        elif e.kind in ("ticket_unserved", "ticket_expired"):  # the day's close-out
            story.end = "unserved"
        elif e.kind == "ticket_transferred":
            story.matter, story.started, story.window = data["to_matter"], None, None
    return found


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def expected_kpis(
    h: History, due: dict[str, datetime], now: float, day_over: bool
) -> dict[str, object]:
    """value (rounded as the API rounds) and n of every KPI computed from the history."""
    appt: dict[str, list[float]] = {"general": [], "complex": []}
    walk, green, handling = [], [], []
    called = no_show = finished = completed = left = 0
    for ticket_id, s in h.tickets.items():
        if s.first_call is not None:
            called += 1
            no_show += s.end == "no_show"
        open_today = s.end is None and not day_over
        if s.green:
            if s.first_call is not None:
                green.append((s.first_call - s.checked_in) / 60)
            elif open_today:
                green.append((now - s.checked_in) / 60)
        elif s.source == "walk_in":
            if s.first_call is not None:
                walk.append((s.first_call - s.issued) / 60)
            elif open_today:
                walk.append((now - s.issued) / 60)
        else:
            since = max(s.checked_in, due[ticket_id].timestamp())
            if s.first_call is not None:
                appt[CLASSES[s.matter]].append(max(0.0, s.first_call - since) / 60)
            elif open_today and since <= now:
                appt[CLASSES[s.matter]].append((now - since) / 60)
        if s.end == "finished":
            finished += 1
            completed += s.outcome == "completed"
            handling.append((s.finished - s.started) / 60)
        if s.end == "cancelled" and s.first_call is None:
            left += 1
    # The hall's abandonment: left open at the close-out, or (a past day never closed out)
    # never ended at all.
    unserved = sum(s.end == "unserved" or (day_over and s.end is None) for s in h.tickets.values())
    arrivals = len(h.tickets)
    busy = 0.0
    signed = 0.0
    for window, spans in h.signed_in.items():
        for start, end in spans:
            end = now if end is None else end
            signed += end - start
            for s in h.tickets.values():
                if s.window == window and s.started is not None:
                    stop = s.finished if s.finished is not None else now
                    busy += max(0.0, min(stop, end) - max(s.started, start))
    return {
        "appointment_wait_general": (mean(appt["general"]), len(appt["general"])),
        "appointment_wait_complex": (mean(appt["complex"]), len(appt["complex"])),
        "walkin_wait": (mean(walk), len(walk)),
        "green_wait": (mean(green), len(green)),
        "handling_time": (mean(handling), len(handling)),
        "first_visit_success": (completed / finished if finished else None, finished),
        "no_show_rate": (no_show / called if called else None, called),
        "abandonment_rate": (left / arrivals if arrivals else None, arrivals),
        "unserved_rate": (unserved / arrivals if arrivals else None, arrivals),
        "utilisation": (busy / signed if signed else None, len(h.signed_in)),
        "arrivals": (arrivals, arrivals),
        "served": (finished, finished),
        "walkin_p90_max": sorted(walk),
    }
