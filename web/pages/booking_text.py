"""UI strings of the booking pages (zh, en): templates get all of them in ``t``, the
booking script gets the ``bk_`` keys."""

from __future__ import annotations

from typing import Any

from web.i18n import LANGS
from web.pages.hall_text import page_text

TEXT: dict[str, tuple[str, str]] = {
    "bk_title": ("网上预约", "Book an appointment"),
    "bk_my": ("我的预约", "My bookings"),
    "bk_large": ("大字模式", "Large text"),
    "bk_choose_hall": ("请选择办事大厅", "Choose a service hall"),
    "bk_choose_matter": ("请选择要办理的事项", "What do you need to do?"),
    "bk_no_bookable": ("该大厅暂无可预约事项。", "This hall has no bookable matters."),
    "bk_steps": ("事项|时间|信息|完成", "Matter|Time|Details|Done"),
    "bk_materials": ("请备齐以下材料（一次性告知）", "Please bring (the full list, told once)"),
    "bk_materials_none": ("无需额外材料，请携带本人有效证件。", "Just bring your own ID."),
    "bk_materials_note": (
        "材料齐全可一次办结；如有疑问，请到大厅导办台咨询。",
        "With everything on this list the matter can be done in one visit; ask at the guide "
        "desk if in doubt.",
    ),
    "bk_minutes_each": ("约 {n} 分钟", "about {n} min"),
    "bk_choose_day": ("选择日期", "Choose a day"),
    "bk_choose_slot": ("选择时段", "Choose a time"),
    "bk_no_days": (
        "近期没有可预约的日期，请直接到大厅取号。",
        "No days are open for booking; please take a ticket at the hall.",
    ),
    "bk_no_slots": (
        "当天已无可预约时段，请选择其他日期。",
        "No times left that day; choose another day.",
    ),
    "bk_day_full": ("约满", "full"),
    "bk_day_none": ("无号源", "no times"),
    "bk_left": ("余 {n}", "{n} left"),
    "bk_full": ("已约满", "Full"),
    "bk_chosen": ("您选择的时间", "Your time"),
    "bk_change_time": ("更改时间", "Change time"),
    "bk_details": ("填写预约人信息", "Your details"),
    "bk_details_note": (
        "实名预约：请填写前来办理的本人信息，签到时将核验身份证件。信息仅以加密和打码形式保存。",
        "Real-name booking: give the details of the person who will come; their ID is checked "
        "at check-in. We keep only a keyed hash and a masked form.",
    ),
    "bk_name": ("姓名", "Full name"),
    "bk_id_kind": ("证件类型", "ID document"),
    "bk_id_number": ("证件号码", "ID number"),
    "bk_phone": ("手机号码", "Mobile phone"),
    "bk_phone_note": ("用于查询、取消或改约", "Used to look up, cancel or move the booking"),
    "bk_proxy": ("我为家人代约（如老人）", "I am booking for a relative (e.g. an elderly parent)"),
    "bk_proxy_note": (
        "上面填写前来办理的家人信息；下面填写代约人（您本人）的信息。",
        "Above: the relative who will come. Below: you, the person booking.",
    ),
    "bk_proxy_name": ("代约人姓名", "Your name"),
    "bk_proxy_id_number": ("代约人证件号码", "Your ID number"),
    "bk_submit": ("提交预约", "Book this time"),
    "bk_submitting": ("正在提交…", "Booking…"),
    "bk_move_banner": (
        "正在为预约 {code} 改约，请选择新的时间。",
        "Moving booking {code}: choose a new time.",
    ),
    "bk_move_confirm": ("确认改到此时间", "Move to this time"),
    "bk_done": ("预约成功", "Booked"),
    "bk_moved": ("改约成功", "Moved"),
    "bk_cancelled": ("预约已取消", "Booking cancelled"),
    "bk_code": ("预约码", "Booking code"),
    "bk_qr_note": (
        "到大厅后，在自助机“预约签到”处扫描此二维码或输入预约码。",
        "At the hall, scan this QR code or type the booking code at the kiosk's “Check in” screen.",
    ),
    "bk_checkin_window": (
        "签到时间 {from}–{to}，超时将按现场取号顺序办理。",
        "Check in between {from} and {to}; later you are served as a walk-in.",
    ),
    "bk_when": ("时间", "When"),
    "bk_where": ("地点", "Where"),
    "bk_matter": ("事项", "Matter"),
    "bk_who": ("预约人", "Booked for"),
    "bk_by_proxy": ("代约人", "Booked by"),
    "bk_status": ("状态", "Status"),
    "bk_status_booked": ("已预约", "Booked"),
    "bk_status_checked_in": ("已签到", "Checked in"),
    "bk_status_cancelled": ("已取消", "Cancelled"),
    "bk_status_no_show": ("爽约", "Missed"),
    "bk_calendar": ("添加到日历", "Add to calendar"),
    "bk_move": ("改约", "Move"),
    "bk_cancel": ("取消预约", "Cancel booking"),
    "bk_cancel_confirm": ("确定取消预约 {code} 吗？", "Cancel booking {code}?"),
    "bk_ticket": ("查看我的号票", "See my ticket"),
    "bk_lookup": ("查询预约", "Find a booking"),
    "bk_lookup_note": (
        "请输入预约码和预约时填写的手机号码。",
        "Enter the booking code and the phone number you booked with.",
    ),
    "bk_lookup_submit": ("查询", "Find"),
    "bk_book_another": ("预约其他事项", "Book something else"),
    "bk_keep_code": (
        "请记下预约码或截图保存本页。",
        "Write down the code or keep a screenshot of this page.",
    ),
    "bk_error": ("未能完成", "That did not work"),
    "bk_wait_seconds": ("请 {n} 秒后再试。", "Please try again in {n} s."),
    "bk_err_name": ("请填写证件上的姓名。", "Enter the name as on the ID."),
    "bk_err_id_number": ("证件号码有误，请核对。", "This ID number is not valid; please check it."),
    "bk_err_phone": ("请填写 11 位手机号码。", "Enter an 11-digit mobile number."),
    "bk_err_code": ("预约码为 8 位字母和数字。", "The booking code has 8 letters and digits."),
    "bk_err_start": (
        "该时间已不可预约，请重新选择。",
        "This time can no longer be booked; choose another.",
    ),
    "bk_pick_again": ("重新选择时间", "Choose another time"),
    "id_resident_id": ("居民身份证", "Resident ID card"),
    "id_passport": ("护照", "Passport"),
    "id_hk_macao_permit": ("港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
    "id_taiwan_permit": ("台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
    "id_hmt_residence_permit": ("港澳台居民居住证", "Residence permit (HK/Macao/Taiwan)"),
    "id_foreign_permanent_resident": ("外国人永久居留身份证", "Foreign permanent resident ID"),
    "weekday_0": ("周一", "Mon"),
    "weekday_1": ("周二", "Tue"),
    "weekday_2": ("周三", "Wed"),
    "weekday_3": ("周四", "Thu"),
    "weekday_4": ("周五", "Fri"),
    "weekday_5": ("周六", "Sat"),
    "weekday_6": ("周日", "Sun"),
    "bk_today": ("今天", "Today"),
}


def booking_text(lang: str) -> dict[str, str]:
    """Every string a booking template needs (the shared page strings included)."""
    index = LANGS.index(lang)
    return {**page_text(lang), **{key: pair[index] for key, pair in TEXT.items()}}


def booking_script_text(lang: str) -> dict[str, Any]:
    """The strings the booking script shows."""
    index = LANGS.index(lang)
    keep = ("bk_", "id_", "weekday_")
    return {k: pair[index] for k, pair in TEXT.items() if k.startswith(keep)} | {
        "network_error": page_text(lang)["network_error"]
    }
