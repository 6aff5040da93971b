"""Sending forms as a browser does: fetch a page, then post with its hidden `csrf_token`."""

from __future__ import annotations

import html as html_lib
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


def hidden(page: str, name: str) -> str | None:
    """The value of the hidden field `name` on a page, unescaped."""
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html_lib.unescape(m.group(1)) if m else None


def walk_to_result(client: TestClient, *, age: str = "35", sex: str = "female") -> httpx.Response:
    """Answer the interview as a browser would (the first start option, "no" to every
    question, every part of a long question) until the result page."""
    r = client.post(
        "/assess/about",
        data={"age": age, "sex": sex, "csrf_token": csrf_token(client.get("/assess").text)},
    )
    r = client.post(
        "/assess/start",
        data={"start": "0", "state": hidden(r.text, "state"), "csrf_token": csrf_token(r.text)},
    )
    for _ in range(100):  # far more pages than any interview has
        if 'action="/assess/summary"' in r.text:
            return r
        data = {"state": hidden(r.text, "state"), "csrf_token": csrf_token(r.text)}
        if 'action="/assess/continue"' in r.text:
            r = client.post("/assess/continue", data=data)
            continue
        qtype = hidden(r.text, "qtype")
        data.update(items=hidden(r.text, "items"), qtype=qtype)
        if qtype == "single":
            data["choice"] = "absent"
        r = client.post("/assess/answer", data=data)
    raise AssertionError("no result page after 100 pages")
