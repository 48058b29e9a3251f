"""UI strings of the kiosk, ticket, staff console and overview pages (zh, en).

Templates get them merged into ``t``; the pages' scripts get the ``js_*`` keys (and the
ones they name) as JSON, so one table holds every word a person reads.
"""

from __future__ import annotations

from typing import Any

from web.i18n import LANGS, translator

TEXT: dict[str, tuple[str, str]] = {
    # kiosk
    "kiosk_title": ("自助取号", "Take a ticket"),
    "kiosk_choose_group": ("请选择办理事项", "What would you like to do?"),
    "kiosk_choose_matter": ("请选择具体事项", "Choose your matter"),
    "kiosk_waiting_n": ("{n} 人等候", "{n} waiting"),
    "kiosk_back": ("返回", "Back"),
    "kiosk_minutes_each": ("约 {n} 分钟/件", "about {n} min each"),
    "kiosk_your_number": ("您的号码", "Your number"),
    "kiosk_ahead": ("前面还有", "People ahead"),
    "kiosk_people": ("人", ""),
    "kiosk_wait": ("预计等候", "Estimated wait"),
    "kiosk_minutes": ("分钟", "min"),
    "kiosk_about": ("约", "about"),
    "kiosk_soon": ("即将叫号", "You are next"),
    "kiosk_no_window": ("窗口开放后开始叫号", "Calling starts when a window opens"),
    "kiosk_scan": ("扫码在手机上查看排队进度", "Scan to follow your place on your phone"),
    "kiosk_print": ("打印号票", "Print ticket"),
    "kiosk_done": ("完成", "Done"),
    "kiosk_returning": ("{n} 秒后返回首页", "Back to start in {n} s"),
    "kiosk_taking": ("正在取号…", "Taking a ticket…"),
    "kiosk_listen": (
        "请留意大厅叫号屏幕和语音提示，过号需重新取号或联系工作人员。",
        "Watch the hall screens and listen for your number.",
    ),
    "kiosk_issued_at": ("取号时间", "Issued"),
    "kiosk_materials": ("请备齐材料", "Please bring"),
    "kiosk_help": (
        "需要帮助？请到导办台咨询。老年人、残疾人等可走绿色通道。",
        "Need help? Ask at the guide desk. Elderly and disabled visitors may use the green "
        "channel.",
    ),
    "kiosk_error": ("取号失败", "Could not take a ticket"),
    "kiosk_checkin": ("预约签到", "Check in for an appointment"),
    "kiosk_checkin_hint": (
        "请扫描预约二维码，或输入预约码、身份证号码",
        "Scan your booking QR code, or type the booking code or your ID card number",
    ),
    "kiosk_checkin_submit": ("签到", "Check in"),
    "kiosk_checkin_clear": ("清空", "Clear"),
    "kiosk_checkin_error": ("签到失败", "Could not check in"),
    "kiosk_checkin_empty": (
        "请输入预约码或身份证号码。",
        "Type the booking code or your ID card number.",
    ),
    # ticket page
    "ticket_title": ("我的排队", "My ticket"),
    "ticket_number": ("号码", "Number"),
    "ticket_matter": ("办理事项", "Matter"),
    "ticket_position": ("当前排在第", "Your place in line"),
    "ticket_position_unit": ("位", ""),
    "ticket_go_to": ("请到 {n} 号窗口办理", "Please go to window {n}"),
    "ticket_serving": ("正在 {n} 号窗口办理", "Being served at window {n}"),
    "ticket_updated": ("更新于", "Updated"),
    "ticket_offline": ("网络中断，正在重试…", "Connection lost, retrying…"),
    "ticket_not_found": (
        "找不到该号票，请核对号票上的链接。",
        "There is no such ticket; check the link on your slip.",
    ),
    "status_waiting": ("排队等候中", "Waiting"),
    "status_called": ("已叫号", "Called"),
    "status_serving": ("办理中", "Being served"),
    "status_parked": ("暂时挂起，请按工作人员指引", "On hold: follow the clerk's instructions"),
    "status_finished": ("已办结，感谢您的耐心", "Finished, thank you"),
    "status_no_show": ("已过号，请联系工作人员", "Missed: please ask a member of staff"),
    "status_cancelled": ("已取消", "Cancelled"),
    "status_expected": ("待签到", "Not checked in yet"),
    # staff console
    "staff_title": ("窗口工作台", "Staff console"),
    "staff_sign_in": ("工作人员登录", "Staff sign-in"),
    "staff_username": ("用户名", "User name"),
    "staff_password": ("密码", "Password"),
    "staff_submit": ("登录", "Sign in"),
    "staff_sign_out": ("退出登录", "Sign out"),
    "staff_choose_window": ("选择窗口", "Choose a window"),
    "staff_hall": ("大厅", "Hall"),
    "staff_window_free": ("可登录", "available"),
    "staff_window_open": ("服务中", "open"),
    "staff_window_paused": ("暂停", "paused"),
    "staff_window_closed": ("未开放", "closed"),
    "staff_window_n": ("{n} 号窗口", "Window {n}"),
    "staff_sign_in_window": ("在此窗口登录", "Sign in here"),
    "staff_leave_window": ("签退窗口", "Leave window"),
    "staff_pause": ("暂停服务", "Pause"),
    "staff_resume": ("恢复服务", "Resume"),
    "staff_current": ("当前号", "Current ticket"),
    "staff_none": ("当前没有叫号，按 N 或空格叫下一位", "No ticket: press N or Space to call"),
    "staff_call_next": ("叫下一位", "Call next"),
    "staff_recall": ("重呼", "Recall"),
    "staff_no_show": ("过号", "No-show"),
    "staff_start": ("开始办理", "Start"),
    "staff_finish": ("办结", "Finish"),
    "staff_transfer": ("转移", "Transfer"),
    "staff_park": ("挂起", "Park"),
    "staff_resume_ticket": ("恢复排队", "Resume"),
    "staff_history": ("本号记录", "History"),
    "staff_queue": ("本窗口可办队列", "Queue for this window"),
    "staff_queue_empty": ("暂无等候", "Nobody is waiting"),
    "staff_parked": ("挂起的号", "Parked tickets"),
    "staff_today": ("我的今日", "My day"),
    "staff_called": ("叫号", "called"),
    "staff_finished": ("办结", "finished"),
    "staff_no_shows": ("过号", "no-shows"),
    "staff_col_pos": ("序", "#"),
    "staff_col_number": ("号码", "Number"),
    "staff_col_matter": ("事项", "Matter"),
    "staff_col_waited": ("已等", "Waited"),
    "staff_col_est": ("预计", "Est."),
    "staff_outcome": ("办理结果", "Outcome"),
    "outcome_completed": ("办结", "Completed"),
    "outcome_materials_missing": ("材料不全", "Materials missing"),
    "outcome_rejected": ("不予受理", "Rejected"),
    "outcome_referred": ("转办", "Referred"),
    "staff_transfer_matter": ("转到事项", "To matter"),
    "staff_transfer_window": ("转到窗口", "To window"),
    "staff_park_reason": ("挂起原因（可选）", "Reason (optional)"),
    "staff_confirm": ("确定", "OK"),
    "staff_cancel": ("取消", "Cancel"),
    "staff_keys": (
        "快捷键：N/空格 叫号 · R 重呼 · X 过号 · S 开始 · F 办结(1–4) · T 转移 · P 挂起",
        "Keys: N/Space call · R recall · X no-show · S start · F finish (1–4) · T transfer · "
        "P park",
    ),
    "staff_nobody": ("当前无人等候", "Nobody is waiting"),
    "staff_called_msg": ("已呼叫 {n}", "Called {n}"),
    "staff_done_msg": ("已完成", "Done"),
    "staff_green": ("绿色通道", "green"),
    "staff_appointment": ("预约", "appt."),
    "staff_for_you": ("转入本窗口", "sent here"),
    "staff_overview": ("大厅总览", "Hall overview"),
    "staff_signed_in_as": ("工号", "Job no."),
    "staff_min": ("分", "min"),
    "staff_window_lacks": ("不办理此事项", "does not handle this matter"),
    "staff_transfer_nobody": (
        "{where}当前无人服务：转入后该号将在此等候，直到有人服务。确认转入吗？",
        "Nobody serves at {where} now: the ticket will wait there until someone does. "
        "Transfer anyway?",
    ),
    "staff_transfer_no_window": ("没有开放窗口办理的事项", "a matter no open window handles"),
    "staff_transfer_anyway": ("确认转入", "Transfer anyway"),
    "staff_no_show_in": ("{s} 后可过号", "no-show in {s}"),
    "staff_no_show_recalls": ("还需重呼 {n} 次", "recall {n} more"),
    "staff_live": ("实时更新", "live"),
    "staff_offline": ("连接中断，正在重连", "reconnecting"),
    # ticket event kinds in the console's history
    "event_ticket_issued": ("取号", "issued"),
    "event_ticket_checked_in": ("入队", "joined the queue"),
    "event_ticket_called": ("叫号", "called"),
    "event_call_order_overridden": ("插队叫号", "called out of order"),
    "event_ticket_recalled": ("重呼", "recalled"),
    "event_ticket_marked_no_show": ("过号", "no-show"),
    "event_service_started": ("开始办理", "service started"),
    "event_ticket_finished": ("办结", "finished"),
    "event_ticket_transferred": ("转移", "transferred"),
    "event_ticket_parked": ("挂起", "parked"),
    "event_ticket_resumed": ("恢复排队", "resumed"),
    "event_ticket_cancelled": ("取消", "cancelled"),
    # overview
    "overview_title": ("大厅总览", "Hall overview"),
    "overview_windows": ("窗口状态", "Windows"),
    "overview_groups": ("各类事项等候", "Waiting by group"),
    "overview_waiting": ("等候人数", "Waiting"),
    "overview_longest": ("最长等候", "Longest wait"),
    "overview_issued": ("今日取号", "Issued today"),
    "overview_finished": ("今日办结", "Finished today"),
    "overview_no_show": ("今日过号", "No-shows today"),
    "overview_col_window": ("窗口", "Window"),
    "overview_col_state": ("状态", "State"),
    "overview_col_staff": ("工号", "Staff"),
    "overview_col_ticket": ("当前号", "Ticket"),
    "overview_col_group": ("事项分组", "Group"),
    "overview_none": ("—", "—"),
    # errors
    "error_title": ("出错了", "Something went wrong"),
    "forbidden_title": ("无权访问", "Not allowed"),
    "forbidden_text": (
        "此页面仅限大厅管理员和系统管理员访问。",
        "This page is for hall supervisors and administrators only.",
    ),
    "not_found_title": ("页面不存在", "Page not found"),
    "back_home": ("返回首页", "Back to the start page"),
    "network_error": ("网络错误，请重试。", "Network error, please try again."),
}


def page_text(lang: str) -> dict[str, str]:
    """The base strings plus the pages' strings, in one language."""
    index = LANGS.index(lang)
    return {**translator(lang), **{key: pair[index] for key, pair in TEXT.items()}}


def script_text(lang: str, prefixes: tuple[str, ...]) -> dict[str, Any]:
    """The strings a page's script needs (keys starting with any of the prefixes)."""
    index = LANGS.index(lang)
    return {k: pair[index] for k, pair in TEXT.items() if k.startswith(prefixes)}
