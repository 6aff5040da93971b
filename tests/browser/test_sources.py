"""The Sources page on a phone: short with its topics folded, and a citation link opens one."""

from __future__ import annotations

from typing import Any

#: A 390 x 844 phone scrolled past some 42,000 px when every source was listed open.
MAX_PHONE_HEIGHT = 8_000


def _height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def test_the_sources_page_is_short_on_a_phone_with_its_topics_folded(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/references")
    folded = _height(page)
    assert folded < MAX_PHONE_HEIGHT, folded
    page.goto("/references?view=all")
    assert _height(page) > 3 * folded, "opening every topic shows every source"


def test_a_link_to_a_source_opens_its_topic(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/references#ref-fardet2017")
    entry = page.locator("#ref-fardet2017")
    assert entry.is_visible()
    assert page.locator("details.ref-topic[open]").count() == 1
    page.locator("summary").filter(has_text="Blood clots").click()
    assert page.locator("details.ref-topic[open]").count() == 2


def test_a_topic_link_opens_that_topic(page: Any) -> None:
    page.goto("/references")
    page.locator(".topic-list a").first.click()
    assert page.locator("details.ref-topic[open]").count() == 1
