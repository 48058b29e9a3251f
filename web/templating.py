"""Jinja2 templates with the language helpers every page needs."""

from __future__ import annotations

from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from web.i18n import lang_of, translator

templates = Jinja2Templates(directory=str(resources.files("web") / "templates"))


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render a page in the request's language, remembering an explicit ?lang= choice."""
    lang = lang_of(request)
    full = {"lang": lang, "t": translator(lang), **context}
    response = templates.TemplateResponse(request, name, full, status_code=status)
    if "lang" in request.query_params:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response
