"""On a 390 x 844 phone: every question's Continue is on the first screen, the emergency
numbers are one tap away, the result leads with what matters; at 1280 px the signed-in menu
stays on one row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.browser.conftest import (
    KB_DATA,
    NAV_TIMEOUT_MS,
    answer_question,
    begin_interview,
    level_label,
    page_kind,
    present_findings,
    start_picks,
    submit,
    vignette,
)
from tests.browser.test_accounts import sign_up

PHONE = {"width": 390, "height": 844}
#: Stories that between them reach most questions: a cramp, a calf strain, a clot, a torn
#: Achilles tendon (through its emergency page), a cramp in pregnancy and two more.
STORIES = ["D023", "D012", "D001", "D030", "D006", "D028"]


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    context.set_default_timeout(NAV_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def _in_first_screen(page: Any, locator: Any) -> bool:
    """Whether the element lies wholly within the first screen, the page not scrolled."""
    assert page.evaluate("() => window.scrollY") == 0
    box = locator.bounding_box()
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def _starts_in_first_screen(page: Any, locator: Any) -> bool:
    assert page.evaluate("() => window.scrollY") == 0
    box = locator.bounding_box()
    return bool(box) and 0 <= box["y"] < PHONE["height"] - 20


def _run(page: Any, case_id: str) -> list[str]:
    """A whole story, checking Continue on every question page; the page kinds seen."""
    case = vignette(case_id)
    present = present_findings(case["evidence"])
    begin_interview(page, case["age"], case["sex"], start_picks(present))
    seen: list[str] = []
    for _ in range(60):
        kind = page_kind(page)
        seen.append(kind)
        if kind == "emergency":
            submit(page, "I have got help: continue")
            continue
        if kind != "question":
            return seen
        heading = page.locator("legend h1").inner_text()
        continue_button = page.get_by_role("button", name="Continue", exact=True)
        assert _in_first_screen(page, continue_button), (
            f"{case_id}: Continue below the fold on {heading!r}"
        )
        answer_question(page, present)
    pytest.fail(f"{case_id}: the interview did not end")


@pytest.mark.parametrize("case_id", STORIES)
def test_continue_is_on_the_first_screen_of_every_question(phone: Any, case_id: str) -> None:
    seen = _run(phone, case_id)
    assert seen.count("question") >= 4
    assert seen[-1] == "result"


def test_about_you_and_what_brings_you_here_fit_and_go_back(phone: Any) -> None:
    phone.goto("/assess")
    assert _in_first_screen(phone, phone.get_by_role("button", name="Continue", exact=True))
    phone.get_by_label("How old are you?").fill("52")
    phone.get_by_label("Male", exact=True).check()
    submit(phone)
    assert _in_first_screen(phone, phone.get_by_role("button", name="Continue", exact=True))
    submit(phone, "Back")
    assert phone.get_by_label("How old are you?").input_value() == "52"
    assert phone.get_by_label("Male", exact=True).is_checked()


def test_a_compact_banner_keeps_the_numbers_one_tap_away(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        for path in ("/", "/assess", "/conditions"):
            page.goto(path)
            strip = page.get_by_role("region", name="Emergency")
            assert strip.bounding_box()["height"] <= 60, path
            for number in ("999", "112", "911"):
                link = strip.get_by_role("link", name=number, exact=True)
                assert link.get_attribute("href") == f"tel:{number}"
                assert _in_first_screen(page, link)
            header = page.locator(".site-header").bounding_box()
            assert header["y"] + header["height"] <= 120, path
            # The menu opens without JavaScript (a <details> disclosure).
            assert not page.get_by_role("link", name="Conditions", exact=True).is_visible()
            page.locator("summary.menu-button").click()
            assert page.get_by_role("link", name="Conditions", exact=True).is_visible()
    finally:
        context.close()


def test_the_result_leads_with_care_what_to_do_and_the_top_cause(phone: Any) -> None:
    _run(phone, "D023")
    assert page_kind(phone) == "result"
    phone.evaluate("() => window.scrollTo(0, 0)")
    card = phone.locator(".care-card-heading")
    assert level_label("self_care") in card.inner_text()
    assert _in_first_screen(phone, card)
    assert _starts_in_first_screen(phone, phone.get_by_role("heading", name="What to do now"))
    assert _starts_in_first_screen(phone, phone.locator(".level-advice"))
    top = phone.locator(".top-cause h3")
    assert top.inner_text() == _common_name("exercise_associated_muscle_cramp")
    assert _in_first_screen(phone, top)
    assert _starts_in_first_screen(phone, phone.locator(".top-cause .why"))
    sections = phone.locator("details.result-section")
    assert sections.count() >= 3
    for i in range(sections.count()):
        assert sections.nth(i).get_attribute("open") is None
    assert (
        not phone.get_by_role("heading", name="Other possible causes")
        .locator("xpath=../following-sibling::*")
        .first.is_visible()
    )
    phone.emulate_media(media="print")
    assert sections.first.locator("xpath=./*[not(self::summary)]").first.is_visible()


def _common_name(condition_id: str) -> str:
    with (KB_DATA / "conditions" / f"{condition_id}.yaml").open(encoding="utf-8") as fh:
        return str(yaml.safe_load(fh)["common_name"])


def test_the_emergency_page_lists_the_answers(phone: Any) -> None:
    begin_interview(phone, 58, "female", ["Pain in the calf"])
    phone.locator("#i-chest_pain_or_breathless").check()
    submit(phone)
    assert page_kind(phone) == "emergency"
    told = phone.locator("dl.told-us")
    assert "Do you have chest pain" in told.inner_text()
    assert "Yes" in told.inner_text()
    assert "chest_pain_or_breathless" not in phone.locator("main").inner_text()
    assert _in_first_screen(phone, phone.locator(".care-card-heading"))
    call = phone.locator(".call-now")
    assert _starts_in_first_screen(phone, call)
    assert call.get_by_role("link", name="999").get_attribute("href") == "tel:999"


def test_under_the_minimum_age_there_is_no_assessment(phone: Any) -> None:
    phone.goto("/assess")
    phone.get_by_label("How old are you?").fill("9")
    phone.get_by_label("Female", exact=True).check()
    submit(phone)
    assert "aged 12 and over" in phone.get_by_role("heading", level=1).inner_text()
    main = phone.locator("main")
    assert main.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    assert "parent" in main.inner_text()
    assert page_kind(phone) == "other"
    submit(phone, "Change the age")
    assert phone.get_by_label("How old are you?").input_value() == "9"


def test_the_signed_in_menu_stays_on_one_row_at_1280(page: Any) -> None:
    sign_up(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/diary")
    items = page.locator("nav.nav-wide .nav-list > li")
    assert items.count() >= 8
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(tops) == 1, tops
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert not page.locator("details.menu").is_visible()
