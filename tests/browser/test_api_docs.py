"""The API explorer at /docs in a real Chromium: it renders the OpenAPI 3.1 document, and
"Try it out" runs a diagnosis, under the strict Content-Security-Policy, from this server only.

Swagger UI 4 showed "Unable to render this definition" for FastAPI's 3.1 document, and a test
that only fetched the HTML could not notice: this one reads what a visitor sees.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import expect

DIAGNOSIS = "/api/v1/diagnosis"


class PageWatch:
    """Console errors (a CSP violation is one) and requests to any other server."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.errors: list[str] = []
        self.elsewhere: list[str] = []
        own = urlsplit(base_url).netloc
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                urlsplit(r.url).scheme in ("http", "https")
                and urlsplit(r.url).netloc != own
                and self.elsewhere.append(r.url)
            ),
        )


def diagnosis_operation(page: Any) -> Any:
    return page.locator(".opblock-post").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{DIAGNOSIS}"]')
    )


def test_the_explorer_lists_the_diagnosis_operation(page: Any, base_url: str) -> None:
    watch = PageWatch(page, base_url)
    page.goto("/docs")
    expect(diagnosis_operation(page)).to_have_count(1)
    expect(page.locator(".information-container .title")).to_contain_text("calfcare")
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    assert watch.errors == []
    assert watch.elsewhere == []


def test_try_it_out_runs_the_example_diagnosis(page: Any, base_url: str) -> None:
    watch = PageWatch(page, base_url)
    page.goto("/docs")
    operation = diagnosis_operation(page)
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    body = operation.locator("textarea.body-param__text")
    expect(body).to_be_visible()
    published = httpx.get(f"{base_url}/openapi.json").json()["components"]["schemas"]
    assert json.loads(body.input_value()) == published["V1Request"]["examples"][0]
    with page.expect_response(lambda r: urlsplit(r.url).path == DIAGNOSIS) as answer:
        operation.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    status = operation.locator(".live-responses-table .response .response-col_status")
    expect(status.first).to_have_text("200")
    shown = operation.locator(".live-responses-table .response-col_description pre").first
    expect(shown).to_contain_text('"should_stop"')
    assert watch.errors == []
    assert watch.elsewhere == []
