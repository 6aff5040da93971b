"""The two answers every page handler gives: a rendered page, or a redirect after a POST.

One definition for all routes, so that every form is answered the same way: 303 See Other
after a successful POST (the browser then GETs the target, and reloading it does not post
again), and a page with the status that says what happened (422 for a form to correct).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from calfcare.web.context import WebContext


def redirect(url: str) -> RedirectResponse:
    """See Other: the browser follows with a GET."""
    return RedirectResponse(url, status_code=303)


def page(
    ctx: WebContext, request: Request, name: str, data: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The template `name` rendered with `data`."""
    return HTMLResponse(ctx.render(request, name, data), status_code=status)
