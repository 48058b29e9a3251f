"""The administrators' page (``/admin``): matters, windows, staff and the configuration file.

The page is rendered on the server with one edit form per row; ``admin.js`` sends the
forms to the admin API (``web/admin.py``) and shows every problem it reports.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hall.admin import accounts, kiosks
from hall.admin.problems import FIELD_LABELS
from hall.catalogue import reads
from hall.catalogue.schema import MatterClass, WindowKind, Zone
from hall.staff.roles import Role
from hall.store.plain import plain
from web.auth import current_staff
from web.deps import clock, database
from web.i18n import LANGS, lang_of
from web.pages.common import as_json
from web.templating import render

TEXT: dict[str, tuple[str, str]] = {
    "title": ("系统管理", "Administration"),
    "signed_in_as": ("当前账号", "Signed in as"),
    "tab_matters": ("事项", "Matters"),
    "tab_windows": ("窗口", "Windows"),
    "tab_staff": ("工作人员", "Staff"),
    "tab_config": ("配置文件", "Configuration"),
    "tab_kiosks": ("取号机", "Kiosks"),
    "kiosks_intro": (
        "登记大厅的取号机后，取号机可使用更高的取号频率上限。登记时生成的设备令牌只显示一次；"
        "在取号机上打开随附的设置链接一次即可。取号机丢失或更换时请撤销其令牌。",
        "A registered kiosk gets a higher ticket limit than an anonymous address. Its device "
        "token is shown once, when you add it: open the set-up link on the kiosk once. "
        "Revoke the token when a kiosk is lost or replaced.",
    ),
    "add_kiosk": ("登记取号机", "Register a kiosk"),
    "kiosk_name": ("取号机名称", "Kiosk name"),
    "kiosk_created": ("登记时间", "Registered"),
    "kiosk_revoked": ("已撤销", "Revoked"),
    "kiosk_revoke": ("撤销令牌", "Revoke token"),
    "code": FIELD_LABELS["code"],
    "name": FIELD_LABELS["name"],
    "name_en": FIELD_LABELS["name_en"],
    "class": FIELD_LABELS["class"],
    "expected_minutes": FIELD_LABELS["expected_minutes"],
    "prefix": FIELD_LABELS["prefix"],
    "zone": FIELD_LABELS["zone"],
    "group": FIELD_LABELS["group"],
    "materials": FIELD_LABELS["materials"],
    "materials_en": FIELD_LABELS["materials_en"],
    "bookable": FIELD_LABELS["bookable"],
    "actions": ("操作", "Actions"),
    "edit": ("编辑", "Edit"),
    "save": ("保存", "Save"),
    "cancel": ("取消", "Cancel"),
    "deactivate": ("停用", "Deactivate"),
    "add_matter": ("添加事项", "Add a matter"),
    "add_window": ("添加窗口", "Add a window"),
    "add_staff": ("添加工作人员", "Add a staff member"),
    "add": ("添加", "Add"),
    "number": FIELD_LABELS["number"],
    "kind": FIELD_LABELS["kind"],
    "skills": FIELD_LABELS["skills"],
    "all_matters": ("全部事项（无差别受理）", "Every matter (*)"),
    "status": ("状态", "Status"),
    "username": FIELD_LABELS["username"],
    "job_number": FIELD_LABELS["job_number"],
    "role": FIELD_LABELS["role"],
    "halls": FIELD_LABELS["halls"],
    "all_halls": ("全部大厅", "Every hall (*)"),
    "active": ("启用", "Active"),
    "inactive": ("已停用", "Deactivated"),
    "locked": ("登录需等待至", "Sign-ins wait until"),
    "under_attack": ("疑似遭到密码猜测", "Under password guessing"),
    "failures": ("近一小时失败次数", "failures in the last hour:"),
    "password": ("密码（至少 8 位）", "Password (8+ characters)"),
    "new_password": ("新密码（至少 8 位）", "New password (8+ characters)"),
    "reset_password": ("重置密码", "Reset password"),
    "unlock": ("清除登录失败记录", "Clear sign-in failures"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "config_intro": (
        "配置文件包含全部大厅、事项、窗口和工作人员账号（不含密码）。下载后可修改再上传；"
        "上传时整份文件一次校验，有任何问题都不会生效。",
        "The file holds every hall, matter, window and staff account (no passwords). Download "
        "it, edit it and upload it again; the whole file is checked and nothing is applied if "
        "anything is wrong.",
    ),
    "download": ("下载配置文件（TOML）", "Download the configuration (TOML)"),
    "upload": ("上传并应用", "Upload and apply"),
    "choose_file": ("选择 TOML 文件", "Choose a TOML file"),
    "format_help": ("格式说明", "Format reference"),
    "window_closed": ("未开放", "closed"),
    "window_open": ("服务中", "open"),
    "window_paused": ("暂停", "paused"),
    "role_clerk": ("窗口工作人员", "Clerk"),
    "role_supervisor": ("大厅管理员", "Supervisor"),
    "role_admin": ("系统管理员", "Administrator"),
    "class_general": ("一般事项", "General"),
    "class_complex": ("复杂事项", "Complex"),
    "zone_comprehensive": ("高频事项综窗办", "Comprehensive window"),
    "zone_joint": ("联办事项专区办", "Joint-matters zone"),
    "zone_cross_region": ("跨域事项专窗办", "Cross-region window"),
    "zone_green": ("特殊事项绿窗办", "Green window"),
    "kind_comprehensive": ("综合窗口", "Comprehensive"),
    "kind_specialised": ("专业窗口", "Specialised"),
    "kind_green": ("绿色通道窗口", "Green channel"),
    "kind_pickup": ("统一出件窗口", "Result pickup"),
    "kind_could_not_get_it_done": ("办不成事反映窗口", "Could not get it done"),
    "forbidden": ("无权访问", "Not allowed"),
    "forbidden_text": (
        "此页面仅限系统管理员访问。",
        "This page is for administrators only.",
    ),
    "sign_in_title": ("请先登录", "Please sign in"),
    "sign_in_text": (
        "请使用系统管理员账号登录后再打开此页面。",
        "Sign in with an administrator account, then open this page again.",
    ),
    "back_home": ("返回首页", "Back to the start page"),
    # for admin.js
    "js_saved": ("已保存", "Saved"),
    "js_kiosk_token": (
        "设备令牌（仅显示这一次，请妥善保存）",
        "Device token (shown this once only; keep it safe)",
    ),
    "js_kiosk_link": (
        "在取号机上打开此链接一次完成设置：",
        "Open this link on the kiosk once to set it up:",
    ),
    "js_deactivated": ("已停用", "Deactivated"),
    "js_unlocked": ("已解除锁定", "Unlocked"),
    "js_password_set": ("密码已重置", "Password reset"),
    "js_working": ("正在提交…", "Sending…"),
    "js_problems": ("发现以下问题", "Problems found"),
    "js_network": ("网络错误，请重试。", "Network error, please try again."),
    "js_no_file": ("请先选择文件。", "Choose a file first."),
    "js_confirm_deactivate": (
        "确定停用“{name}”？历史记录会保留。",
        "Deactivate {name}? Its history is kept.",
    ),
    "js_applied": ("配置已应用。", "The configuration was applied."),
    "js_no_change": (
        "配置与当前完全一致，没有任何改动。",
        "Nothing changed: the file matches the current configuration.",
    ),
    "js_hall": ("大厅", "Hall"),
    "js_hall_status": ("大厅设置", "Hall settings"),
    "js_added": ("新增", "added"),
    "js_changed": ("修改", "changed"),
    "js_removed": ("停用", "deactivated"),
    "js_unchanged": ("未变", "unchanged"),
    "js_staff": ("工作人员", "Staff"),
    "js_reload": ("刷新页面查看", "Reload the page to see it"),
}


def text(lang: str) -> dict[str, str]:
    """Every string of the page in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in TEXT.items()}


def _has_route(request: Request, path: str) -> bool:
    return any(getattr(route, "path", None) == path for route in request.app.routes)


def _refusal(request: Request, a: dict[str, str], status: int) -> Response:
    heading, message = (
        ("sign_in_title", "sign_in_text") if status == 401 else ("forbidden", "forbidden_text")
    )
    context = {"a": a, "heading": a[heading], "message": a[message]}
    return render(request, "admin_error.html", context, status=status)


async def admin_page(request: Request) -> Response:
    staff = await current_staff(request)
    lang = lang_of(request)
    a = text(lang)
    if staff is None and _has_route(request, "/staff"):
        return RedirectResponse("/staff?next=/admin", status_code=303)
    if staff is None or not staff.at_least(Role.ADMIN):
        return _refusal(request, a, 401 if staff is None else 403)
    halls = await _halls(request)
    data = {"lang": lang, "text": a}
    context: dict[str, Any] = {
        "a": a,
        "staff": staff,
        "halls": halls,
        "accounts": await accounts.list_staff(database(request), staff, clock(request)()),
        "kiosks": {
            h["id"]: plain(await kiosks.list_kiosks(database(request), staff, h["id"]))
            for h in halls
        },
        "classes": [c.value for c in MatterClass],
        "zones": [z.value for z in Zone],
        "kinds": [k.value for k in WindowKind],
        "roles": [r.value for r in Role],
        "page_data": as_json(data),
    }
    return render(request, "admin.html", context)


async def _halls(request: Request) -> list[dict[str, Any]]:
    return [
        {
            "id": c.hall.id,
            "name": c.hall.name,
            "name_en": c.hall.name_en,
            "groups": [
                {"code": g.code, "name": g.name, "name_en": g.name_en} for g in c.hall.groups
            ],
            "matters": plain(c.hall.matters),
            "windows": plain(c.windows),
        }
        for c in await reads.catalogues(database(request))
    ]


routes: list[BaseRoute] = [
    Route("/admin", admin_page, methods=["GET"]),
]
