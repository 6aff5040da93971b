"""Accounts in a real Chromium: sign up, out and in, link a clinician, cookie flags, a form
posted from another site, and axe on the account pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import submit
from tests.browser.test_accessibility import (
    axe_page,  # noqa: F401  (a fixture)
    axe_script,  # noqa: F401  (a fixture)
    blocking_at_every_width,
)

PASSWORD = "correct horse battery"


def new_email() -> str:
    return f"b-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(
    page: Any, *, name: str = "Pat Person", role: str = "Me: I want", email: str = ""
) -> str:
    email = email or new_email()
    page.goto("/")
    menu = page.locator("summary.menu-button")
    if menu.is_visible():  # a phone: the links sit behind the Menu button
        menu.click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label(role, exact=False).check()
    page.get_by_label("Metric", exact=False).check()
    submit(page, "Create account")
    # A new account lands on "what next"; the tests go on from the account settings.
    expect(page.get_by_role("heading", level=1, name=f"Welcome, {name}")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your account has been created")
    page.goto("/account")
    expect(page.get_by_role("heading", level=1, name="My account")).to_be_visible()
    return email


def test_sign_up_sign_out_and_sign_in(page: Any) -> None:
    email = sign_up(page)
    expect(page.get_by_role("link", name="My account", exact=True)).to_be_visible()

    submit(page, "Sign out")
    expect(page.get_by_role("status")).to_contain_text("You have signed out")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("wrong password")
    submit(page, "Sign in")
    expect(page.locator(".error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    expect(page.get_by_label("Email address")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    expect(page.get_by_role("heading", level=1, name="My account")).to_be_visible()

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["calfcare_session"]["httpOnly"]
    assert cookies["calfcare_session"]["sameSite"] == "Lax"
    assert cookies["calfcare_csrf"]["httpOnly"]
    assert cookies["calfcare_csrf"]["sameSite"] == "Strict"


def test_the_assessment_works_signed_in(page: Any) -> None:
    sign_up(page)
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("40")
    page.get_by_label("Male", exact=True).check()
    submit(page)
    expect(page.get_by_role("heading", name="What brings you here?")).to_be_visible()


def test_a_person_links_and_unlinks_a_clinician(browser: Any, base_url: str) -> None:
    person_ctx = browser.new_context(base_url=base_url)
    doctor_ctx = browser.new_context(base_url=base_url)
    try:
        person, doctor = person_ctx.new_page(), doctor_ctx.new_page()
        sign_up(person, name="Pat Person")
        sign_up(doctor, name="Dr Lee", role="A clinician")

        submit(person, "Get a code for my clinician")
        code = person.locator("#link-code").inner_text().strip()
        assert len(code) == 8

        doctor.get_by_label("Code from the person").fill(code.lower())
        submit(doctor, "Link to this person")
        expect(doctor.get_by_role("status")).to_contain_text("The accounts are now linked")
        expect(doctor.locator(".linked-list")).to_contain_text("Pat Person")

        person.goto("/account")
        expect(person.locator(".linked-list")).to_contain_text("Dr Lee")
        submit(person, "Unlink Dr Lee")
        expect(person.get_by_role("status")).to_contain_text("The link has been removed")
        doctor.reload()
        expect(doctor.locator(".linked-list")).to_have_count(0)
    finally:
        person_ctx.close()
        doctor_ctx.close()


def test_a_form_on_another_site_cannot_change_the_account(page: Any, base_url: str) -> None:
    sign_up(page)
    # A page from another origin posts a form to calfcare in the same browser.
    page.goto("about:blank")
    page.set_content(
        f'<form id="f" action="{base_url}/account/units" method="post">'
        '<input name="units" value="imperial"><input name="csrf_token" '
        'value="guess"></form>'
    )
    with page.expect_navigation():
        page.evaluate("() => document.getElementById('f').submit()")
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    page.goto("/account")
    expect(page.get_by_label("Metric", exact=False)).to_be_checked()


# ----------------------------------------------------------------------------- axe


def _signed_in_page(path: str, role: str = "Me: I want") -> Callable[[Any], None]:
    def go(page: Any) -> None:
        sign_up(page, role=role)
        page.goto(path)

    return go


def _sign_up_errors(page: Any) -> None:
    page.goto("/account/sign-up")
    page.get_by_label("Email address").fill("not-an-email")
    submit(page, "Create account")
    assert page.locator(".error-summary").is_visible()


def _with_code(page: Any) -> None:
    sign_up(page)
    submit(page, "Get a code for my clinician")


def _expired_form(page: Any) -> None:
    page.goto("/assess")
    page.context.clear_cookies()
    page.get_by_label("How old are you?").fill("40")
    submit(page)


PAGES: dict[str, Callable[[Any], None]] = {
    "sign-in": lambda page: page.goto("/account/sign-in"),
    "sign-up": lambda page: page.goto("/account/sign-up"),
    "sign-up-errors": _sign_up_errors,
    "reset": lambda page: page.goto("/account/reset"),
    "account-person-with-code": _with_code,
    "account-clinician": _signed_in_page("/account", role="A clinician"),
    "delete-confirm": _signed_in_page("/account/delete"),
    "form-expired": _expired_form,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_account_pages_have_no_serious_accessibility_violations(
    axe_script: Path,  # noqa: F811
    axe_page: Any,  # noqa: F811
    name: str,
) -> None:
    PAGES[name](axe_page)
    blocking = blocking_at_every_width(axe_page, axe_script, name)
    assert not blocking, "\n".join(blocking)
