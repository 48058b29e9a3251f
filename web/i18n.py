"""Chinese by default, English on request (``?lang=en``, remembered in a cookie)."""

from __future__ import annotations

from starlette.requests import Request

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app_name": ("通办", "Tongban"),
    "tagline": (
        "政务服务大厅排队叫号与预约系统",
        "Queue and appointments for government service halls",
    ),
    "halls": ("服务大厅", "Service halls"),
    "windows": ("窗口", "windows"),
    "matters": ("事项", "matters"),
    "level_district": ("区级中心", "District centre"),
    "level_sub": ("分中心", "Sub-centre"),
    "level_street": ("街道/乡镇中心", "Street/town centre"),
    "api": ("开放接口", "API"),
    "matters_json": ("事项清单（JSON）", "Matters (JSON)"),
    "windows_json": ("窗口列表（JSON）", "Windows (JSON)"),
    "switch_lang": ("English", "中文"),
    "footer": ("开源政务大厅排队预约系统", "Open-source queue and appointment system"),
    "no_halls": ("尚未配置任何大厅。", "No hall is configured yet."),
    "kiosk": ("自助取号", "Kiosk"),
    "book": ("网上预约", "Book an appointment"),
    "my_bookings": ("我的预约", "My bookings"),
    "overview": ("大厅总览（工作人员）", "Hall overview (staff)"),
    "staff_console": ("窗口工作台（工作人员登录）", "Staff console (sign in)"),
}


def lang_of(request: Request) -> str:
    """The language for this request: ?lang= wins, then the cookie, then Chinese."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def translator(lang: str) -> dict[str, str]:
    """All UI strings in one language, for templates."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in TEXT.items()}
