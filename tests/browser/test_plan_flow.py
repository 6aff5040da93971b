"""Prevention in a real Chromium, on a phone: a person does a sweat test, plans a session that
uses it, and prints the plan card; axe-core on the sweat-test page, the card and night cramps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NAV_TIMEOUT_MS, submit
from tests.browser.test_accessibility import (
    BLOCKING,
    axe_script,  # noqa: F401  (a fixture)
    describe,
    run_axe,
)
from tests.browser.test_accounts import sign_up

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    """A phone-sized page; CSP is bypassed only so that axe-core can be injected."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, bypass_csp=True)
    context.set_default_timeout(NAV_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _no_blocking(page: Any, script: Path, where: str) -> None:
    blocking = [v for v in run_axe(page, script) if v["impact"] in BLOCKING]
    assert not blocking, f"{where}:\n{describe(blocking)}"


def test_from_a_sweat_test_to_a_printed_plan_on_a_phone(phone: Any, axe_script: Path) -> None:  # noqa: F811
    page = phone
    sign_up(page)
    page.goto("/conditions/exercise_associated_muscle_cramp")
    page.get_by_role("link", name="Plan your next session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prevent cramps")
    _no_blocking(page, axe_script, "/plan")

    page.get_by_label("Body mass before (kg)").fill("70")
    page.get_by_label("Body mass after (kg)").fill("69")
    page.get_by_label("Fluid drunk during the session (litres)").fill("0.5")
    page.get_by_label("How long was the session, in minutes?").fill("60")
    page.get_by_label("Temperature (°C), if you know it").fill("26")
    submit(page, "Work out my sweat rate")
    expect(page.get_by_role("status")).to_contain_text("Sweat rate: 1.5 L an hour")

    page.get_by_role("link", name="Plan a session").click()
    _no_blocking(page, axe_script, "/plan/session")
    page.get_by_label("How long will it last, in minutes?").fill("150")
    page.get_by_label("How hard, from 1 to 10?").fill("6")
    page.get_by_label("Temperature (°C)", exact=True).fill("28")
    page.get_by_label("Humidity (%)", exact=True).fill("60")
    page.get_by_label("Your body mass (kg)").fill("70")
    submit(page, "Make my plan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your plan for 150 minutes")
    expect(page.get_by_text("your measure")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    _no_blocking(page, axe_script, "plan card")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("heading", name="Checklist")).to_be_visible()
    page.emulate_media(media="screen")

    page.goto("/plan/night")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Night cramps")
    _no_blocking(page, axe_script, "/plan/night")
