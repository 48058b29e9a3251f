"""Where a transferred ticket may go: a window that takes its matter, and one that is open.

A transfer to a window without the skill for the ticket's matter is refused: nobody there
could call it. A transfer to a closed or paused window (or to a matter no open window
takes) strands the citizen until someone opens it, so it is refused unless the clerk has
seen where the ticket will wait and confirms (``"confirm": true``).
"""

from __future__ import annotations

from hall.calling.context import HallContext
from hall.calling.core_rows import window_state
from hall.calling.queue import windows_now
from hall.errors import Conflict
from hall.store.models import WindowRow, WindowStatus
from hall.store.unit import Unit

_STATUS_ZH = {WindowStatus.CLOSED.value: "未开放", WindowStatus.PAUSED.value: "暂停服务"}
_STATUS_EN = {WindowStatus.CLOSED.value: "closed", WindowStatus.PAUSED.value: "paused"}


class WindowLacksSkill(Conflict):
    """The window named for a transfer does not handle the ticket's matter."""

    code = "window_lacks_skill"


class NobodyServesThere(Conflict):
    """The transfer would leave the ticket where nobody serves now; confirm to go ahead."""

    code = "nobody_serves_there"


def check_window(target: WindowRow, matter: str, matter_name: str, confirm: bool) -> None:
    """Refuse a transfer to ``target`` that could strand the ticket (see the module)."""
    if not window_state(target).takes(matter):
        raise WindowLacksSkill(
            f"Window {target.number} does not handle {matter}; choose a window that does, "
            "or transfer to the matter instead.",
            f"{target.number} 号窗口不办理“{matter_name}”，请选择能办理该事项的窗口，"
            "或改为按事项转移。",
            fields={"window": "lacks the skill"},
        )
    if target.status == WindowStatus.OPEN.value or confirm:
        return
    raise NobodyServesThere(
        f"Window {target.number} is {_STATUS_EN.get(target.status, target.status)}: the "
        "ticket would wait there until someone serves at it. Send confirm: true to transfer "
        "anyway.",
        f"{target.number} 号窗口当前{_STATUS_ZH.get(target.status, '无人服务')}，该号将在此窗口"
        "等候，直到有人在此窗口服务。如确认转入，请再次确认。",
        fields={"window": target.status, "confirm": "true to transfer anyway"},
    )


async def check_matter(unit: Unit, ctx: HallContext, matter: str, confirm: bool) -> None:
    """Refuse a transfer to a matter that no open window takes now, unless confirmed."""
    if confirm or any(w.takes(matter) for w in (await windows_now(unit, ctx)).open):
        return
    name = ctx.matters[matter].name
    raise NobodyServesThere(
        f"No open window handles {matter} now: the ticket would wait until one opens. "
        "Send confirm: true to transfer anyway.",
        f"当前没有开放的窗口办理“{name}”，该号将一直等候，直到有窗口开放。如确认转入，请再次确认。",
        fields={"matter": "no open window", "confirm": "true to transfer anyway"},
    )
