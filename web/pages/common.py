"""Shared helpers of the hall pages: rendering with the pages' strings, error pages."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from hall.store.plain import plain
from web.i18n import lang_of
from web.pages.hall_text import page_text, script_text
from web.templating import render


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    script: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    """Render a page with every string in ``t`` and its script's data in ``page_data``."""
    lang = lang_of(request)
    data = {"lang": lang, "text": script_text(lang, script), **context.pop("script_data", {})}
    full = {"t": page_text(lang), "page_data": as_json(data), **context}
    return render(request, name, full, status=status)


def as_json(value: Any) -> Markup:
    """JSON safe to embed in a ``<script type="application/json">`` element."""
    # No "<" at all, so neither "</script>" nor "<!--" can end or confuse the element.
    return Markup(json.dumps(plain(value), ensure_ascii=False).replace("<", "\\u003c"))


def error_page(request: Request, status: int, title_key: str, message: str) -> Response:
    """A plain page for 403/404 and similar, in the request's language."""
    return render_page(
        request, "page_error.html", {"title_key": title_key, "message": message}, status=status
    )
