"""UI strings of the dashboard's what-if panel (zh, en); KPI names come from the vocabulary
through the API's answer."""

from __future__ import annotations

from web.i18n import LANGS

TEXT: dict[str, tuple[str, str]] = {
    "wi_title": ("预案推演：如果现在调整窗口", "What-if: change the windows now"),
    "wi_hint": (
        "点选窗口切换开/关，设定生效时间，按当前排队情况推演今日剩余时段。",
        "Click windows to open or close them, pick when, and project the rest of today "
        "from the queue as it is now.",
    ),
    "wi_windows": ("窗口", "Windows"),
    "wi_at": ("生效时间", "From"),
    "wi_now": ("留空为现在", "empty: now"),
    "wi_demand": ("后续客流", "Demand to come"),
    "wi_run": ("开始推演", "Project"),
    "wi_running": ("正在推演…", "Projecting…"),
    "wi_done": ("推演完成：{n} 次仿真，用时 {s} 秒", "Done: {n} simulated days in {s} s"),
    "wi_failed": ("推演失败", "Could not project"),
    "wi_open": ("开", "open"),
    "wi_closed": ("关", "closed"),
    "wi_to_open": ("将开启", "to open"),
    "wi_to_close": ("将关闭", "to close"),
    "wi_kpi": ("指标", "KPI"),
    "wi_target": ("目标", "Target"),
    "wi_before": ("维持现状", "As it is"),
    "wi_after": ("调整后", "With the changes"),
    "wi_p": ("今日达标概率", "P(met today)"),
    "wi_clear": ("预计清空时间", "Hall empty at"),
    "wi_queue": ("各时段平均排队人数", "Mean queue by hour"),
    "wi_tickets": ("等候号票预计叫号", "Expected calls of waiting tickets"),
    "wi_ticket": ("号票", "Ticket"),
    "wi_no_changes": ("未做调整：两列为同一推演。", "No changes: both columns are the same run."),
    "wi_source": ("后续到达依据", "Arrivals still to come"),
    "wi_min": ("分钟", "min"),
    "wi_next_day": ("（次日）", "(next day)"),
}


def whatif_text(lang: str) -> dict[str, str]:
    """The panel's strings in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in TEXT.items()}
