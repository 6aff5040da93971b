"""Sending forms as a browser does: fetch a page, then post with its hidden `csrf_token`."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    m = _TOKEN.search(html)
    assert m, f"no csrf_token on the page: {html[:300]}"
    return m.group(1)


def post(
    client: TestClient,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    page: str | httpx.Response = "/assess",
    **kwargs: Any,
) -> httpx.Response:
    """Post `data` with the token of `page` (a path to fetch first, or a response in hand)."""
    html = page.text if isinstance(page, httpx.Response) else client.get(page).text
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(html)}, **kwargs)
