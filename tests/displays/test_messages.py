"""Board patches: predicted from events at once, settled by the re-read board."""

from __future__ import annotations

from typing import Any

from displays.messages import ScreenEvent, apply_patch, board_patch, patch_board

AT = "2026-11-23T01:00:00+00:00"


def window(number: int, ticket: str | None = None, status: str = "open") -> dict[str, Any]:
    return {"number": number, "status": status, "ticket": ticket, "ticket_status": None}


def test_a_call_is_predicted_on_the_window_and_the_recent_calls() -> None:
    board = {"windows": [window(1, "A001"), window(2)], "recent_calls": [], "waiting": [1]}
    events = [
        ScreenEvent(7, "ticket_finished", AT, "A001", 1),
        ScreenEvent(8, "ticket_called", AT, "A002", 2),
        ScreenEvent(9, "window_pause", AT, None, 1, "paused"),
    ]
    after = patch_board(board, events)
    assert after["windows"] == [
        {**window(1, None, "paused")},
        {**window(2, "A002"), "ticket_status": "called"},
    ]
    assert after["recent_calls"][0] == {
        "seq": 8, "ticket": "A002", "window": 2, "at": AT, "recall": False,
    }  # fmt: skip
    assert board["windows"][0]["ticket"] == "A001"  # the old board is untouched


def test_a_patch_carries_only_what_changed_and_applies_back() -> None:
    old = {"seq": 1, "windows": [window(1), window(2)], "waiting": [0], "as_of": "t0"}
    new = {"seq": 2, "windows": [window(1), window(2, "A003")], "waiting": [1], "as_of": "t1"}
    patch = board_patch(old, new)
    assert patch == {"windows": [window(2, "A003")], "waiting": [1]}
    assert apply_patch(old, patch) == {**new, "seq": 1, "as_of": "t0"}
    assert apply_patch(new, patch) == new  # idempotent
    fewer = {"windows": [window(1)]}
    assert board_patch(old, fewer) == {"windows": [window(1)], "windows_replace": True}
    assert apply_patch(old, board_patch(old, fewer))["windows"] == [window(1)]
