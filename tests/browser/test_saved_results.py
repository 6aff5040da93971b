"""Keeping a result in a real Chromium: from the result, create an account, come back to the
same result, save it, and open it again from the diary; axe on the pages on the way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import level_label, run_story, submit, vignette
from tests.browser.test_accessibility import (
    axe_page,  # noqa: F401  (a fixture)
    axe_script,  # noqa: F401  (a fixture)
    blocking_at_every_width,
)
from tests.browser.test_accounts import PASSWORD, new_email, sign_up


def care_card_title(page: Any) -> str:
    return str(page.locator(".care-card-heading").first.inner_text()).strip()


def settled_cramp_result(page: Any) -> str:
    """D023, a cramp at the end of a match that settled, to its result; the care card title."""
    case = vignette("D023")
    assert run_story(page, case["age"], case["sex"], case["evidence"]) == "result"
    title = care_card_title(page)
    assert level_label("self_care") in title
    return title


def create_account_from_the_result(page: Any, name: str) -> None:
    submit(page, "Create an account")
    expect(page.get_by_role("heading", level=1, name="Create an account")).to_be_visible()
    expect(page.locator(".carried-result")).to_contain_text("you come back to the result")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(new_email())
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Metric", exact=False).check()
    submit(page, "Create account")


def test_sign_up_from_a_result_then_save_it_and_open_it_from_the_diary(page: Any) -> None:
    title = settled_cramp_result(page)
    keep = page.locator("#save-result")
    expect(keep.get_by_role("heading", name="Keep this result")).to_be_visible()
    expect(keep.get_by_role("button", name="Sign in to save")).to_be_visible()

    create_account_from_the_result(page, "Robin Result")
    # Back on the same result, signed in, at the box that saves it.
    expect(page.get_by_role("heading", level=1, name="Your result")).to_be_visible()
    assert care_card_title(page) == title
    assert page.url.endswith("#save-result")
    expect(keep.get_by_role("status")).to_contain_text("Your account has been created")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My diary")).to_be_visible()
    submit(page, "Save this result to my diary")

    expect(page.get_by_role("status")).to_contain_text("The result has been saved to your diary")
    expect(page.get_by_role("heading", level=1, name="Saved result")).to_be_visible()
    nav.get_by_role("link", name="My diary").click()
    saved = page.locator(".record-list").filter(has_text="most likely").locator(".record")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text(level_label("self_care"))
    saved.get_by_role("link", name="Open").click()

    expect(page.get_by_role("heading", level=1, name="Saved result")).to_be_visible()
    expect(page.locator(".saved-meta")).to_contain_text("You saved this result on")
    expect(page.locator(".saved-facts")).to_contain_text("(the one in use today)")
    assert care_card_title(page) == title
    expect(page.get_by_role("heading", name="What to do now")).to_be_visible()
    expect(page.get_by_role("button", name="Save this result to my diary")).to_have_count(0)


def test_sign_in_from_a_result_comes_back_to_it(page: Any) -> None:
    email = sign_up(page, name="Sasha Signin")
    submit(page, "Sign out")
    title = settled_cramp_result(page)
    submit(page, "Sign in to save")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    assert care_card_title(page) == title
    expect(page.locator("#save-result").get_by_role("status")).to_contain_text(
        "You are signed in as Sasha Signin"
    )
    expect(page.get_by_role("button", name="Save this result to my diary")).to_be_visible()


# ----------------------------------------------------------------------------- axe


def _sign_in_with_a_result(page: Any) -> None:
    settled_cramp_result(page)
    submit(page, "Sign in to save")


def _back_on_the_result(page: Any) -> None:
    settled_cramp_result(page)
    create_account_from_the_result(page, "Axe Result")


def _saved_result(page: Any) -> None:
    _back_on_the_result(page)
    submit(page, "Save this result to my diary")


def _welcome(page: Any) -> None:
    sign_up(page)
    page.goto("/account/welcome")


PAGES: dict[str, Callable[[Any], None]] = {
    "sign-in-with-a-result": _sign_in_with_a_result,
    "back-on-the-result": _back_on_the_result,
    "saved-result": _saved_result,
    "what-next": _welcome,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_saved_result_pages_have_no_serious_accessibility_violations(
    axe_script: Path,  # noqa: F811
    axe_page: Any,  # noqa: F811
    name: str,
) -> None:
    PAGES[name](axe_page)
    blocking = blocking_at_every_width(axe_page, axe_script, name)
    assert not blocking, "\n".join(blocking)
