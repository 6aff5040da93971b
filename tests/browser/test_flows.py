"""Whole interviews in a real Chromium, from the stories in tests/vignettes/dev."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import (
    answer_interview,
    begin_interview,
    common_name,
    level_label,
    level_labels_from,
    page_kind,
    present_findings,
    question_heading,
    run_story,
    start_options,
    start_picks,
    submit,
    vignette,
)

# D037, with the nine-hour drive made a long-haul flight (long_travel_recent covers both).
LONG_FLIGHT_SWOLLEN_CALF = {**vignette("D037")["evidence"], "long_travel_recent": "present"}


def care_card_title(page: Any) -> str:
    return str(page.locator(".care-card-heading").first.inner_text()).strip()


def top_cause(page: Any) -> str:
    return str(page.locator(".top-cause h3").inner_text()).strip()


def assert_result_page(page: Any) -> None:
    expect(page.get_by_role("heading", level=1, name="Your result")).to_be_visible()
    expect(page.get_by_role("heading", name="The most likely cause")).to_be_visible()
    expect(page.locator(".top-cause .likelihood")).to_be_visible()
    expect(page.locator(".top-cause .why")).to_contain_text("Why:")
    expect(page.get_by_role("heading", name="What to do now")).to_be_visible()
    expect(page.get_by_role("button", name="Printable summary for a doctor")).to_be_visible()


def test_end_of_match_cramp_that_settled_is_self_care(page: Any) -> None:
    # D023: both calves locked up in overtime of the third game; stretched out within minutes.
    case = vignette("D023")
    kind = run_story(page, case["age"], case["sex"], case["evidence"])
    assert kind == "result"
    assert_result_page(page)
    assert level_label("self_care") in care_card_title(page)
    assert top_cause(page) == common_name("exercise_associated_muscle_cramp")


def test_swollen_calf_after_a_long_flight_needs_a_doctor_within_24_hours(page: Any) -> None:
    kind = run_story(page, 44, "male", LONG_FLIGHT_SWOLLEN_CALF)
    assert kind == "result"
    assert_result_page(page)
    assert level_label("consultation_24") in care_card_title(page)
    assert top_cause(page) == common_name("deep_vein_thrombosis")


def test_suspected_achilles_rupture_is_an_emergency(page: Any) -> None:
    # D012: a "kick" above the heel at badminton, walks flat-footed, cannot go up on tiptoe.
    case = vignette("D012")
    begin_interview(page, case["age"], case["sex"], start_picks(present_findings(case["evidence"])))
    kind = answer_interview(page, case["evidence"])
    assert kind == "emergency"
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    title = str(alert.locator("h1").inner_text())
    assert any(label in title for label in level_labels_from("emergency")), title

    submit(page, "I have got help: continue")
    assert answer_interview(page, case["evidence"]) == "result"
    assert_result_page(page)
    card = care_card_title(page)
    assert any(label in card for label in level_labels_from("emergency")), card
    assert top_cause(page) == common_name("achilles_tendon_rupture")


def test_chest_pain_goes_straight_to_the_emergency_page(page: Any) -> None:
    # D007: a swollen calf, then sudden breathlessness and chest pain.
    begin_interview(page, 58, "female", ["Pain in the calf"])
    assert question_heading(page) == "Do you have any of these right now?"
    page.locator("#i-chest_pain_or_breathless").check()
    submit(page)

    assert page_kind(page) == "emergency"
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("heading", level=1)).to_contain_text(
        level_label("emergency_ambulance")
    )
    expect(alert).to_contain_text("Call emergency services now: 999, 112 or 911.")
    expect(page.get_by_role("button", name="I have got help: continue")).to_be_visible()
    # The emergency strip stays on every page.
    expect(page.get_by_role("region", name="Emergency")).to_be_visible()


# ----------------------------------------------------------------------------- keyboard only


def _focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.id : ''"))


def _focused_is_submit(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return !!e && e.tagName === 'BUTTON' && e.type === 'submit'"
            " && e.textContent.trim() === 'Continue'; }"
        )
    )


def tab_to(page: Any, element_id: str = "", *, continue_button: bool = False) -> None:
    """Press Tab until the element with this id (or the Continue button) has focus."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if (continue_button and _focused_is_submit(page)) or (
            element_id and _focused_id(page) == element_id
        ):
            return
    raise AssertionError(f"Tab never reached {element_id or 'the Continue button'}")


def press_enter_and_wait(page: Any) -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_a_whole_interview_with_the_keyboard_alone(page: Any) -> None:
    # D045: a half marathon, the calf seized at mile 11 and let go within five minutes.
    case = vignette("D045")
    present = present_findings(case["evidence"])
    page.goto("/")

    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Start now":
            break
    else:
        raise AssertionError("Tab never reached the Start now button")
    press_enter_and_wait(page)
    assert page_kind(page) == "about"

    tab_to(page, "age")
    page.keyboard.type(str(case["age"]))
    tab_to(page, f"sex-{case['sex']}")
    page.keyboard.press("Space")
    tab_to(page, continue_button=True)
    press_enter_and_wait(page)
    assert page_kind(page) == "start"

    labels = [o["label"] for o in start_options()]
    for label in start_picks(present):
        tab_to(page, f"start-{labels.index(label)}")
        page.keyboard.press("Space")
    tab_to(page, continue_button=True)
    press_enter_and_wait(page)

    for _ in range(40):
        if page_kind(page) != "question":
            break
        qtype = page.locator('input[name="qtype"]').input_value()
        items = [i for i in page.locator('input[name="items"]').input_value().split(",") if i]
        if qtype == "single":
            tab_to(page, "c-yes" if items[0] in present else "c-no")
            page.keyboard.press("Space")
        else:
            for fid in items:
                if fid in present:
                    tab_to(page, f"i-{fid}")
                    page.keyboard.press("Space")
                    assert page.locator(f"#i-{fid}").is_checked()
        tab_to(page, continue_button=True)
        press_enter_and_wait(page)

    assert page_kind(page) == "result"
    assert_result_page(page)
    assert level_label("self_care") in care_card_title(page)
    assert top_cause(page) == common_name("exercise_associated_muscle_cramp")


# ----------------------------------------------------------------------------- navigation, forms


def test_back_shows_the_previous_question_again(page: Any) -> None:
    begin_interview(page, 40, "male", ["Pain in the calf"])
    first = question_heading(page)
    expect(page.locator(".progress-text")).to_have_text(
        re.compile(r"^Question 1(, part 1 of \d)?$")
    )
    while question_heading(page) == first:  # a long question comes in parts
        submit(page)  # nothing ticked: none of these apply
    expect(page.locator(".progress-text")).to_have_text(re.compile(r"^Question 2\b"))

    # The chevron before "Back" comes from CSS and is not part of the name.
    submit(page, "Back")
    assert page_kind(page) == "question"
    expect(page.get_by_role("heading", level=1, name=first)).to_be_visible()
    expect(page.locator(".progress-text")).to_have_text(
        re.compile(r"^Question 1(, part 1 of \d)?$")
    )


def test_about_you_form_with_bad_age_shows_errors_and_keeps_input(page: Any) -> None:
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("forty")
    page.get_by_label("Female", exact=True).check()
    submit(page)

    assert page_kind(page) == "about"
    assert page.title().startswith("Error:")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter your age in years")).to_have_attribute(
        "href", "#age"
    )
    expect(summary).to_be_focused()
    expect(page.locator("#age-error")).to_contain_text("whole number from 1 to 120")
    expect(page.get_by_label("How old are you?")).to_have_value("forty")
    expect(page.get_by_label("Female", exact=True)).to_be_checked()
