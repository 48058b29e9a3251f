"""From committed hall events to screen messages, and the wire format between processes.

Every message carries ``seq`` (the hall's screen sequence number of the event it stands
for, from the outbox in the database, so every server process numbers alike) and
``prev`` (the ``seq`` of the chained message before it in the hall's feed). A screen
whose last ``seq`` is not the next message's ``prev`` has missed something and
resynchronises. Messages carry a ``patch`` of the board:
the top-level parts that changed, with absolute values (``windows`` lists only the
windows that changed, by number), so applying it twice does no harm. A ``board``
message follows the events with what the database says after them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from displays.announce import Voice, announcement
from hall.publish import HallEvent

# kind of hall event → type of screen message; events not listed change nothing on a screen.
SCREEN_KINDS: dict[str, str] = {
    "ticket_called": "called",
    "ticket_recalled": "recalled",
    "ticket_issued": "update",
    "ticket_checked_in": "update",
    "service_started": "update",
    "ticket_finished": "update",
    "ticket_marked_no_show": "update",
    "ticket_transferred": "update",
    "ticket_parked": "update",
    "ticket_resumed": "update",
    "ticket_cancelled": "update",
    "ticket_unserved": "update",
    "ticket_expired": "update",
    "day_closed": "update",
    "window_signed_in": "window",
    "window_pause": "window",
    "window_resume": "window",
    "window_signed_out": "window",
    "hall_notice_changed": "notice",
}


CALL_TYPES = ("called", "recalled")  # announced: they go out at once, never held back

# Kinds that only staff-side pages hear of (displays.desks), never the screens: ratings
# (the window's evaluator goes back to idle) and the steps of 帮办 requests ("case_…",
# which hall.cases publishes for 帮办 requests only).
DESK_KINDS = frozenset({"rating_given", "rating_changed"})


def for_desks(kind: str) -> bool:
    """Whether the staff-side pages hear of an event of this kind."""
    return kind in SCREEN_KINDS or kind in DESK_KINDS or kind.startswith("case_")


@dataclass(frozen=True, slots=True)
class ScreenEvent:
    """The part of a hall event a screen may see: numbers only."""

    seq: int
    kind: str
    at: str
    ticket: str | None = None
    window: int | None = None
    status: str | None = None

    @property
    def type(self) -> str:
        return SCREEN_KINDS[self.kind]

    def to_wire(self) -> list[Any]:
        return [self.seq, self.kind, self.at, self.ticket, self.window, self.status]

    @classmethod
    def from_wire(cls, item: Sequence[Any]) -> ScreenEvent:
        seq, kind, at, ticket, window, status = item
        return cls(int(seq), str(kind), str(at), ticket, window, status)


def screen_events(events: Iterable[HallEvent]) -> list[ScreenEvent]:
    """The events that change a screen or wake a staff-side page, stripped to numbers."""
    found = []
    for event in events:
        if not for_desks(event.kind):
            continue
        data = event.data
        ticket = data.get("number") if event.kind.startswith(("ticket_", "service_")) else None
        window = data.get("window")
        status = data.get("status")
        found.append(
            ScreenEvent(
                seq=event.event_id if event.seq is None else event.seq,
                kind=event.kind,
                at=event.at.isoformat(),
                ticket=ticket if isinstance(ticket, str) else None,
                window=window if isinstance(window, int) else None,
                status=status if isinstance(status, str) else None,
            )
        )
    return found


def encode_batch(hall_id: str, events: Sequence[ScreenEvent]) -> str:
    """One hall's events as compact JSON for NOTIFY / PUBLISH."""
    return json.dumps({"h": hall_id, "e": [e.to_wire() for e in events]}, separators=(",", ":"))


def decode_batch(payload: str | bytes) -> tuple[str, list[ScreenEvent]]:
    """The hall id and events of a batch; raises ValueError on a malformed payload."""
    try:
        data = json.loads(payload)
        return str(data["h"]), [ScreenEvent.from_wire(item) for item in data["e"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed screen batch: {exc}") from None


_NOT_PATCHED = ("seq", "as_of")


def board_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: top-level values, and windows by number."""
    patch: dict[str, Any] = {}
    for key, value in new.items():
        if key in _NOT_PATCHED or old.get(key) == value:
            continue
        if key == "windows":
            before = {w["number"]: w for w in old.get("windows", [])}
            if set(before) != {w["number"] for w in value}:
                patch["windows"], patch["windows_replace"] = value, True
            else:
                patch["windows"] = [w for w in value if before[w["number"]] != w]
        else:
            patch[key] = value
    return patch


def apply_patch(board: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The board with a patch applied (the same merge as screens/*.js)."""
    merged = {**board, **{k: v for k, v in patch.items() if k != "windows_replace"}}
    if "windows" in patch and not patch.get("windows_replace"):
        changed = {w["number"]: w for w in patch["windows"]}
        merged["windows"] = [changed.get(w["number"], w) for w in board.get("windows", [])]
    return merged


def event_message(
    event: ScreenEvent, prev: int, patch: dict[str, Any], voice: Voice
) -> dict[str, Any]:
    """The screen message for one event."""
    message: dict[str, Any] = {
        "type": event.type,
        "seq": event.seq,
        "prev": prev,
        "kind": event.kind,
        "at": event.at,
        "ticket": event.ticket,
        "window": event.window,
    }
    if event.type in ("called", "recalled"):
        message["announcement"] = announcement(
            event.ticket, event.window, voice, recall=event.type == "recalled"
        )
    message["patch"] = patch
    return message


RECENT_CALLS = 8
_RELEASED = (
    "ticket_finished",
    "ticket_marked_no_show",
    "ticket_parked",
    "ticket_transferred",
    "ticket_unserved",
)


def patch_board(board: dict[str, Any], events: Sequence[ScreenEvent]) -> dict[str, Any]:
    """The board as the events leave it, predicted without a database read.

    Screens get a call at once; the re-read board follows a moment later and settles
    everything the events do not say (waiting counts, waits, staff numbers).
    """
    windows = [dict(w) for w in board.get("windows", [])]
    calls = list(board.get("recent_calls", []))
    by_number = {w["number"]: w for w in windows}
    for event in events:
        window = by_number.get(event.window) if event.window is not None else None
        if event.type in ("called", "recalled") and window is not None:
            for other in windows:
                if other["ticket"] == event.ticket:
                    other["ticket"] = other["ticket_status"] = None
            window["ticket"], window["ticket_status"] = event.ticket, "called"
            call = {"seq": event.seq, "ticket": event.ticket, "window": event.window}
            calls.insert(0, {**call, "at": event.at, "recall": event.type == "recalled"})
        elif event.type == "window" and window is not None and event.status:
            window["status"] = event.status
        elif event.kind == "service_started" and window is not None:
            window["ticket_status"] = "serving"
        elif event.kind in _RELEASED:
            for other in windows:
                if other["ticket"] == event.ticket:
                    other["ticket"] = other["ticket_status"] = None
    return {**board, "windows": windows, "recent_calls": calls[:RECENT_CALLS]}


def snapshot_message(seq: int, board: dict[str, Any]) -> dict[str, Any]:
    """The full state, first on every connection and after every resync."""
    return {**board, "type": "snapshot", "seq": seq}


def board_message(seq: int, patch: dict[str, Any], *, prev: int | None = None) -> dict[str, Any]:
    """The board as re-read after events, or as the clock moved waits, and the events
    folded into it (then ``seq`` is the latest of them and ``prev`` the one before)."""
    return {"type": "board", "seq": seq, "prev": seq if prev is None else prev, "patch": patch}


def heartbeat_message(seq: int) -> dict[str, Any]:
    return {"type": "heartbeat", "seq": seq}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
