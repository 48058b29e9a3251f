"""UI strings of the supervisor's dashboard and the printable period report (zh, en).

The KPI names, labels and definitions are not here: they come from the one vocabulary
(``queueing.vocabulary``) through the API.
"""

from __future__ import annotations

from web.i18n import LANGS

TEXT: dict[str, tuple[str, str]] = {
    "dash_title": ("数据看板", "Dashboard"),
    "dash_today": ("今日实时", "Today, live"),
    "dash_live": ("实时连接", "Live"),
    "dash_offline": ("连接中断，正在重连…", "Connection lost, reconnecting…"),
    "dash_as_of": ("数据时间", "As of"),
    "dash_target": ("目标", "Target"),
    "dash_n": ("样本", "n"),
    "dash_running": ("其中仍在等候", "still waiting"),
    "dash_min": ("分钟", "min"),
    "dash_no_target": ("未设目标", "no target"),
    "dash_met": ("达标", "met"),
    "dash_at_risk": ("接近目标", "at risk"),
    "dash_missed": ("未达标", "missed"),
    "dash_hourly": ("分时段到达与排队", "Arrivals and queue by hour"),
    "dash_waits": ("分时段等候（对照目标线）", "Waits by hour against the targets"),
    "dash_windows_chart": ("开放窗口与所需窗口", "Windows open and needed"),
    "dash_arrivals": ("到达", "Arrivals"),
    "dash_served": ("办结", "Served"),
    "dash_queue": ("排队（整点）", "Queue (end of hour)"),
    "dash_open": ("开放窗口", "Windows open"),
    "dash_needed": ("所需窗口（Erlang C，一般事项 10 分钟）", "Needed (Erlang C, 10 min)"),
    "dash_calls": ("最新叫号", "Latest calls"),
    "dash_no_calls": ("今日尚无叫号", "No calls yet today"),
    "dash_window": ("窗口", "Window"),
    "dash_staff": ("工号", "Staff"),
    "dash_ticket": ("当前号", "Ticket"),
    "dash_state": ("状态", "State"),
    "dash_status_open": ("服务中", "open"),
    "dash_status_paused": ("暂停服务", "paused"),
    "dash_status_closed": ("未开放", "closed"),
    "dash_period": ("时段分析", "Period analysis"),
    "dash_from": ("开始", "From"),
    "dash_to": ("结束", "To"),
    "dash_by": ("汇总方式", "By"),
    "dash_by_day": ("按日", "Day"),
    "dash_by_week": ("按周", "Week"),
    "dash_by_month": ("按月", "Month"),
    "dash_load": ("查询", "Show"),
    "dash_loading": ("正在统计…", "Computing…"),
    "dash_kpi": ("指标", "KPI"),
    "dash_value": ("本期", "This period"),
    "dash_previous": ("环比（上一期）", "Previous period"),
    "dash_year": ("同比（去年同期）", "Same period last year"),
    "dash_days_met": ("达标天数占比", "Share of days met"),
    "dash_series": ("趋势", "Trend"),
    "dash_groups": ("按事项分组", "By matter group"),
    "dash_matters": ("按事项", "By matter"),
    "dash_windows": ("按窗口", "By window"),
    "dash_by_staff": ("按工作人员", "By staff"),
    "dash_utilisation": ("利用率", "Utilisation"),
    "dash_signed_in": ("在岗分钟", "Signed-in min"),
    "dash_handling": ("平均办理", "Mean handling"),
    "dash_matter_count": ("事项数", "Matters"),
    "dash_csv": ("导出 CSV", "Export CSV"),
    "dash_tickets_csv": ("导出号票明细（规划校准用）", "Export ticket records (for calibration)"),
    "dash_city_csv": ("导出各厅对比 CSV", "Export all halls side by side (CSV)"),
    "dash_print": ("打印月报", "Printable report"),
    "dash_leaderboard": ("双月之星排行榜", "Bi-monthly stars leaderboard"),
    "dash_metric": ("评选指标", "Metric"),
    "dash_rank": ("名次", "Rank"),
    "dash_count": ("件数", "Count"),
    "dash_min_count": ("参评最少件数", "Minimum count"),
    "dash_empty": ("本期无人达到参评条件", "Nobody qualifies in this period"),
    "dash_error": ("统计失败", "Could not compute"),
    "report_title": ("政务服务大厅运行月报", "Hall performance report"),
    "report_period": ("统计时段", "Period"),
    "report_generated": ("生成时间", "Generated"),
    "report_definitions": ("指标定义", "Definitions"),
    "report_daily": ("每日到达与等候", "Arrivals and waits by day"),
    "report_notes": (
        "说明：今日数据含仍在等候的群众；以往日期中至闭厅仍未办理的号票计为“未办理”，"
        "不计入弃号率。评价与帮办数据待好差评模块上线后接入。",
        "Notes: today's figures include citizens still waiting; tickets of past days never "
        "served by closing count as unserved, not as abandonment. Ratings and 帮办 are "
        "added once the ratings module is live.",
    ),
}


def dashboard_text(lang: str) -> dict[str, str]:
    """The dashboard's strings in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in TEXT.items()}
