"""Accounts in the browser (TestClient, SQLite): sign-up, sign-in and its rate limit, sessions
and their cookies, CSRF on every form, passwords, resets, deleting an account, clinician links,
and clear errors that keep what was typed."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, or_, select

from calfcare.services import accounts, activity, prevention, rehab
from calfcare.settings import load_settings
from calfcare.storage import tables as t
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from tests import activity_samples
from tests.web.forms import csrf_token, post

PASSWORD = "correct horse battery"
EXPIRED = "This form has expired. Go back and try again."
_addresses = itertools.count(1)


class Clock:
    """The web layer's clock, moved by the tests."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data: Path = tmp_path_factory.mktemp("accounts")
    settings = load_settings(data_dir=data, environment="test")
    upgrade(settings.database_url)
    return create_app(settings)


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:
    app.state.clock = Clock()
    yield app.state.clock
    del app.state.clock


@pytest.fixture
def browser(app: FastAPI, clock: Clock) -> Callable[[], TestClient]:
    """A new browser (own cookies, own address) each time it is called."""

    def new() -> TestClient:
        n = next(_addresses)
        return TestClient(app, client=(f"10.{n // 250}.{n % 250}.1", 50000))

    return new


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(
    client: TestClient,
    email: str | None = None,
    *,
    role: str = "person",
    name: str = "Alex Smith",
    password: str = PASSWORD,
) -> str:
    email = email or new_email()
    r = post(
        client,
        "/account/sign-up",
        {
            "display_name": name,
            "email": email,
            "password": password,
            "role": role,
            "units": "metric",
        },
        page="/account/sign-up",
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/account/welcome?done=created"
    return email


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, **kwargs: Any
) -> httpx.Response:
    return post(
        client,
        "/account/sign-in",
        {"email": email, "password": password, **kwargs},
        page="/account/sign-in",
        follow_redirects=False,
    )


def account_page(client: TestClient) -> httpx.Response:
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 200, r.headers.get("location")
    return r


def signed_in(client: TestClient) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """The Set-Cookie headers of a response, by cookie name."""
    out: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        out[header.split("=", 1)[0]] = header
    return out


def cookie_attributes(header: str) -> dict[str, str]:
    morsel = next(iter(SimpleCookie(header).values()))
    return {k: str(v) for k, v in morsel.items() if v}


def error_summary(html: str) -> list[tuple[str, str]]:
    """(field, message) pairs of the error summary at the top of a page."""
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(0))


def user_id(app: FastAPI, email: str) -> str:
    with app.state.ctx.sessions() as db:
        return accounts.account_by_email(db, email=email).id


# --- sign-up, sign-in, sign-out -------------------------------------------------------------


def test_sign_up_signs_in_and_shows_the_account(browser: Callable[[], TestClient]) -> None:
    client = browser()
    email = sign_up(client, name="Alex Smith")
    assert "Your account has been created" in client.get("/account/welcome?done=created").text
    html = client.get("/account").text
    assert "Alex Smith" in html
    assert email in html
    assert "Personal" in html
    assert 'value="metric" checked' in html


def test_the_header_knows_who_is_signed_in_on_every_page(browser: Callable[[], TestClient]) -> None:
    client = browser()
    for path in ("/", "/assess", "/conditions", "/references"):
        html = client.get(path).text
        assert 'href="/account/sign-in"' in html
        assert "Sign out" not in html
    sign_up(client)
    for path in ("/", "/assess", "/conditions", "/references", "/account", "/no-such-page"):
        html = client.get(path, headers={"accept": "text/html"}).text
        assert ">My account<" in html, path
        assert re.search(
            r'action="/account/sign-out" method="post">'
            r'<input type="hidden" name="csrf_token"',
            html,
        ), path


def test_sign_in_and_sign_out(browser: Callable[[], TestClient]) -> None:
    email = sign_up(browser())
    client = browser()
    assert not signed_in(client)
    r = sign_in(client, email.upper())
    assert r.status_code == 303
    assert r.headers["location"] == "/account"
    assert signed_in(client)

    token = csrf_token(account_page(client).text)
    old_session = client.cookies["calfcare_session"]
    r = client.post("/account/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/account/sign-in?done=signed_out"
    cleared = cookie_attributes(set_cookies(r)["calfcare_session"])
    assert cleared["max-age"] == "0"
    assert "calfcare_session" not in client.cookies
    assert "You have signed out" in client.get(r.headers["location"]).text
    assert not signed_in(client)
    # The old cookie is dead on the server too, not just forgotten by this browser.
    thief = browser()
    thief.cookies.set("calfcare_session", old_session)
    assert not signed_in(thief)


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(
    browser: Callable[[], TestClient],
) -> None:
    email = sign_up(browser())
    client = browser()
    r = client.get("/account/delete", follow_redirects=False)
    assert r.headers["location"] == "/account/sign-in?next=/account/delete"
    assert 'name="next" value="/account/delete"' in client.get(r.headers["location"]).text
    assert sign_in(client, email, next="/account/delete").headers["location"] == "/account/delete"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        other = browser()
        assert sign_in(other, email, next=evil).headers["location"] == "/account"


def test_a_wrong_password_and_an_unknown_email_look_the_same(
    browser: Callable[[], TestClient],
) -> None:
    email = sign_up(browser())
    client = browser()
    wrong = sign_in(client, email, password="not the password")
    unknown = sign_in(browser(), new_email(), password="not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert (
        error_summary(wrong.text)
        == error_summary(unknown.text)
        == [("email", accounts.WRONG_SIGN_IN)]
    )
    assert f'value="{email}"' in wrong.text  # the email is kept, the password is not
    assert "not the password" not in wrong.text
    assert "calfcare_session" not in client.cookies


def test_the_sign_in_rate_limit_refuses_even_the_right_password(
    browser: Callable[[], TestClient], clock: Clock
) -> None:
    email = sign_up(browser())
    client = browser()
    for _ in range(accounts.MAX_FAILURES):
        assert sign_in(client, email, password="wrong password").status_code == 422
    r = sign_in(client, email)
    assert r.status_code == 429
    assert "Too many attempts" in r.text
    assert "wait 15 minutes" in r.text
    assert not signed_in(client)
    # Another browser cannot get round it for this email either...
    assert sign_in(browser(), email).status_code == 429
    # ...and it lifts by itself once the window has passed.
    clock.advance(minutes=16)
    assert sign_in(client, email).status_code == 303


def test_sign_up_names_every_bad_field_and_keeps_what_was_typed(
    browser: Callable[[], TestClient],
) -> None:
    client = browser()
    r = post(
        client,
        "/account/sign-up",
        {
            "display_name": "Sam Jones",
            "email": "sam@nowhere",
            "password": "short",
            "role": "clinician",
            "units": "imperial",
        },
        page="/account/sign-up",
    )
    assert r.status_code == 422
    assert r.text.count("There is a problem") == 1
    assert [f for f, _ in error_summary(r.text)] == ["email", "password"]
    assert 'id="email-error"' in r.text
    assert 'id="password-error"' in r.text
    assert 'value="Sam Jones"' in r.text
    assert 'value="sam@nowhere"' in r.text
    assert 'value="clinician" checked' in r.text
    assert 'value="imperial" checked' in r.text
    assert 'value="short"' not in r.text
    assert r.text.count("<title>Error:") == 1

    r = post(client, "/account/sign-up", {}, page="/account/sign-up")
    assert {f for f, _ in error_summary(r.text)} == {
        "display_name",
        "email",
        "password",
        "role",
        "units",
    }


def test_an_email_can_be_registered_only_once(browser: Callable[[], TestClient]) -> None:
    email = sign_up(browser())
    client = browser()
    r = post(
        client,
        "/account/sign-up",
        {
            "display_name": "B",
            "email": email.upper(),
            "password": PASSWORD,
            "role": "person",
            "units": "metric",
        },
        page="/account/sign-up",
    )
    assert r.status_code == 422
    assert (
        "email",
        "An account with this email address already exists. Sign in instead",
    ) in error_summary(r.text)


def test_sign_in_names_the_empty_fields(browser: Callable[[], TestClient]) -> None:
    r = sign_in(browser(), "", password="")
    assert r.status_code == 422
    assert error_summary(r.text) == [
        ("email", "Enter your email address"),
        ("password", "Enter your password"),
    ]


# --- cookies and sessions -------------------------------------------------------------------


def test_cookie_flags(browser: Callable[[], TestClient]) -> None:
    client = browser()
    csrf = cookie_attributes(set_cookies(client.get("/account/sign-up"))["calfcare_csrf"])
    assert csrf["httponly"]
    assert csrf["samesite"].lower() == "strict"
    assert csrf["path"] == "/"
    assert "secure" not in csrf  # only in production, below
    r = post(
        client,
        "/account/sign-up",
        {
            "display_name": "A",
            "email": new_email(),
            "password": PASSWORD,
            "role": "person",
            "units": "metric",
        },
        page="/account/sign-up",
        follow_redirects=False,
    )
    session = cookie_attributes(set_cookies(r)["calfcare_session"])
    assert session["httponly"]
    assert session["samesite"].lower() == "lax"
    assert session["path"] == "/"
    assert session["max-age"] == str(14 * 24 * 3600)
    assert "secure" not in session


def test_cookies_are_secure_in_production(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, environment="production")
    upgrade(settings.database_url)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        page = client.get("/account/sign-up")
        assert cookie_attributes(set_cookies(page)["calfcare_csrf"])["secure"]
        r = client.post(
            "/account/sign-up",
            data={
                "display_name": "A",
                "email": new_email(),
                "password": PASSWORD,
                "role": "person",
                "units": "metric",
                "csrf_token": csrf_token(page.text),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert cookie_attributes(set_cookies(r)["calfcare_session"])["secure"]


def test_a_planted_session_cookie_is_never_signed_in(browser: Callable[[], TestClient]) -> None:
    email = sign_up(browser())
    victim = browser()
    planted = "planted-by-an-attacker-0123456789abcdefghijk"
    victim.cookies.set("calfcare_session", planted)
    r = victim.get("/account/sign-in")
    assert cookie_attributes(set_cookies(r)["calfcare_session"])["max-age"] == "0"
    victim.cookies.set("calfcare_session", planted)  # the attacker plants it again
    r = sign_in(victim, email)
    assert r.status_code == 303
    issued = next(iter(SimpleCookie(set_cookies(r)["calfcare_session"]).values())).value
    assert issued != planted
    attacker = browser()
    attacker.cookies.set("calfcare_session", planted)
    assert not signed_in(attacker)


def test_signing_in_again_replaces_the_session(browser: Callable[[], TestClient]) -> None:
    client = browser()
    email = sign_up(client)
    before = client.cookies["calfcare_session"]
    token = csrf_token(account_page(client).text)
    r = client.post(
        "/account/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = client.cookies["calfcare_session"]
    assert after != before
    old = browser()
    old.cookies.set("calfcare_session", before)
    assert not signed_in(old)
    assert signed_in(client)


def test_a_session_ends_after_14_days(browser: Callable[[], TestClient], clock: Clock) -> None:
    client = browser()
    sign_up(client)
    clock.advance(days=13, hours=23)
    assert signed_in(client)
    clock.advance(hours=2)
    assert not signed_in(client)


# --- CSRF -----------------------------------------------------------------------------------


def test_every_form_carries_a_csrf_token(browser: Callable[[], TestClient]) -> None:
    client = browser()
    pages = [
        client.get("/assess").text,
        client.get("/account/sign-in").text,
        client.get("/account/sign-up").text,
        client.get("/account/reset").text,
    ]
    r = post(client, "/assess/about", {"age": "34", "sex": "female"})
    pages.append(r.text)
    sign_up(client)
    pages += [account_page(client).text, client.get("/account/delete").text, client.get("/").text]
    for html in pages:
        forms = re.findall(r'<form [^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
        assert forms
        for form in forms:
            assert 'name="csrf_token"' in form, form[:200]


@pytest.mark.parametrize("token", [None, "", "wrong-token-0123456789abcdefghijklmnopq"])
def test_an_assessment_form_without_the_right_token_is_refused(
    browser: Callable[[], TestClient], token: str | None
) -> None:
    client = browser()
    client.get("/assess")  # the browser has its CSRF cookie
    data = {"age": "40", "sex": "male"} | ({"csrf_token": token} if token is not None else {})
    r = client.post("/assess/about", data=data)
    assert r.status_code == 403
    assert EXPIRED in r.text
    assert "Call emergency services now" in r.text  # a normal page, with the emergency strip
    # Nothing else is lost: the same browser can carry on with the token it holds.
    assert post(client, "/assess/about", {"age": "40", "sex": "male"}).status_code == 200


def test_a_token_from_another_browser_is_refused(browser: Callable[[], TestClient]) -> None:
    theirs = csrf_token(browser().get("/assess").text)
    client = browser()
    client.get("/assess")
    r = client.post("/assess/about", data={"age": "40", "sex": "male", "csrf_token": theirs})
    assert r.status_code == 403
    # Without the cookie at all (cookies blocked, or a cross-site form), a token is useless.
    no_cookie = browser()
    r = no_cookie.post("/assess/about", data={"age": "40", "sex": "male", "csrf_token": theirs})
    assert r.status_code == 403
    assert "allows cookies" in r.text


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdefghijklmnopq"])
def test_an_account_form_without_the_right_token_is_refused(
    browser: Callable[[], TestClient], token: str | None
) -> None:
    client = browser()
    sign_up(client)
    data = {"units": "imperial"} | ({"csrf_token": token} if token is not None else {})
    r = client.post("/account/units", data=data)
    assert r.status_code == 403
    assert EXPIRED in r.text
    assert signed_in(client)  # still signed in...
    assert 'value="metric" checked' in account_page(client).text  # ...and nothing changed


def test_signed_in_forms_need_the_session_token_not_the_cookie_one(
    browser: Callable[[], TestClient],
) -> None:
    client = browser()
    anonymous_token = csrf_token(client.get("/assess").text)
    sign_up(client)
    r = client.post(
        "/assess/about", data={"age": "40", "sex": "male", "csrf_token": anonymous_token}
    )
    assert r.status_code == 403
    session_token = csrf_token(account_page(client).text)
    assert session_token != anonymous_token
    r = client.post("/assess/about", data={"age": "40", "sex": "male", "csrf_token": session_token})
    assert r.status_code == 200
    assert "What brings you here?" in r.text


def test_sign_up_and_sign_in_forms_are_protected_too(browser: Callable[[], TestClient]) -> None:
    email = sign_up(browser())
    client = browser()
    client.get("/account/sign-in")
    r = client.post(
        "/account/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 403
    assert "calfcare_session" not in client.cookies
    r = client.post(
        "/account/sign-up",
        data={
            "display_name": "A",
            "email": new_email(),
            "password": PASSWORD,
            "role": "person",
            "units": "metric",
        },
    )
    assert r.status_code == 403


# --- pages that need an account -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/account"),
        ("GET", "/account/delete"),
        ("POST", "/account/units"),
        ("POST", "/account/password"),
        ("POST", "/account/link-code"),
        ("POST", "/account/link"),
        ("POST", "/account/unlink"),
        ("POST", "/account/delete"),
    ],
)
def test_account_pages_send_a_signed_out_visitor_to_sign_in(
    browser: Callable[[], TestClient], method: str, path: str
) -> None:
    client = browser()
    if method == "GET":
        r = client.get(path, follow_redirects=False)
        expected = f"/account/sign-in?next={path}"
    else:
        r = post(
            client,
            path,
            {"units": "metric", "code": "ABCDEFGH", "other_id": "x", "password": PASSWORD},
            follow_redirects=False,
        )
        expected = "/account/sign-in?next=/account"
    assert r.status_code == 303
    assert r.headers["location"] == expected


def test_the_assessment_needs_no_account(browser: Callable[[], TestClient]) -> None:
    client = browser()
    r = post(client, "/assess/about", {"age": "40", "sex": "male"})
    assert r.status_code == 200
    assert "What brings you here?" in r.text
    assert "calfcare_session" not in client.cookies


# --- settings and passwords -----------------------------------------------------------------


def test_units_are_saved_and_a_bad_value_is_named(browser: Callable[[], TestClient]) -> None:
    client = browser()
    sign_up(client)
    r = post(
        client, "/account/units", {"units": "imperial"}, page="/account", follow_redirects=False
    )
    assert r.headers["location"] == "/account?done=units"
    html = client.get(r.headers["location"]).text
    assert "Your units have been saved" in html
    assert 'value="imperial" checked' in html
    r = post(client, "/account/units", {"units": "cubits"}, page="/account")
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["units"]
    assert 'id="units-error"' in r.text


def test_changing_the_password_ends_the_other_sessions(browser: Callable[[], TestClient]) -> None:
    phone = browser()
    email = sign_up(phone)
    laptop = browser()
    assert sign_in(laptop, email).status_code == 303

    r = post(
        phone,
        "/account/password",
        {"current_password": "wrong password", "new_password": "a new password"},
        page="/account",
    )
    assert r.status_code == 422
    assert error_summary(r.text) == [("current_password", "Your current password is not right")]
    r = post(
        phone,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short"},
        page="/account",
    )
    assert error_summary(r.text) == [
        ("new_password", "Your password must be at least 10 characters long")
    ]
    assert signed_in(laptop)

    r = post(
        phone,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a new password"},
        page="/account",
        follow_redirects=False,
    )
    assert r.headers["location"] == "/account?done=password"
    assert signed_in(phone)
    assert not signed_in(laptop)
    assert sign_in(browser(), email).status_code == 422
    assert sign_in(browser(), email, password="a new password").status_code == 303


def test_a_reset_code_sets_a_new_password_once(
    app: FastAPI, browser: Callable[[], TestClient], clock: Clock
) -> None:
    signed = browser()
    email = sign_up(signed)
    with app.state.ctx.sessions() as db, db.begin():
        token = accounts.create_reset_token(db, email=email, now=clock()).value
    client = browser()
    page = client.get(f"/account/reset?token={token}")
    assert f'value="{token}"' in page.text
    r = post(client, "/account/reset", {"token": token, "new_password": "short"}, page=page)
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["new_password"]
    assert f'value="{token}"' in r.text

    r = post(
        client,
        "/account/reset",
        {"token": token, "new_password": "my reset password"},
        page=page,
        follow_redirects=False,
    )
    assert r.headers["location"] == "/account/sign-in?done=reset"
    assert "Sign in with your new password" in client.get(r.headers["location"]).text
    assert not signed_in(signed)  # every session ended
    assert sign_in(client, email, password="my reset password").status_code == 303

    again = browser()
    r = post(
        again,
        "/account/reset",
        {"token": token, "new_password": "another password"},
        page="/account/reset",
    )
    assert r.status_code == 422
    [(field, message)] = error_summary(r.text)
    assert field == "token"
    assert "used" in message
    assert sign_in(again, email, password="another password").status_code == 422


def test_an_expired_reset_code_is_refused(
    app: FastAPI, browser: Callable[[], TestClient], clock: Clock
) -> None:
    email = sign_up(browser())
    with app.state.ctx.sessions() as db, db.begin():
        token = accounts.create_reset_token(db, email=email, now=clock()).value
    clock.advance(hours=1, seconds=1)
    r = post(
        browser(),
        "/account/reset",
        {"token": token, "new_password": "a new password"},
        page="/account/reset",
    )
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["token"]


# --- deleting an account --------------------------------------------------------------------


def _rows_of(app: FastAPI, uid: str) -> dict[str, int]:
    """Rows in every table that name this account (or one of its plans), by table."""
    out: dict[str, int] = {}
    plans = select(t.RehabPlan.id).where(t.RehabPlan.user_id == uid).scalar_subquery()
    with app.state.ctx.sessions() as db:
        for name, table in t.Base.metadata.tables.items():
            cols = [
                table.c[c]
                for c in ("id", "user_id", "person_id", "clinician_id")
                if c in table.c and (c != "id" or name == "users")
            ]
            if "plan_id" in table.c:
                out[name] = (
                    db.scalar(
                        select(func.count()).select_from(table).where(table.c.plan_id.in_(plans))
                    )
                    or 0
                )
            elif cols:
                out[name] = (
                    db.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(or_(*[c == uid for c in cols]))
                    )
                    or 0
                )
    return out


def test_deleting_the_account_removes_everything(
    app: FastAPI, browser: Callable[[], TestClient], clock: Clock
) -> None:
    client = browser()
    email = sign_up(client)
    uid = user_id(app, email)
    doctor = browser()
    sign_up(doctor, role="clinician", name="Dr Lee")
    code = re.search(
        r'id="link-code">(\w+)<', post(client, "/account/link-code", page="/account").text
    ).group(1)
    post(doctor, "/account/link", {"code": code}, page="/account")
    sign_in(browser(), email)  # a second session
    post(client, "/account/link-code", page="/account")  # an unused code
    with app.state.ctx.sessions() as db, db.begin():
        accounts.create_reset_token(db, email=email, now=clock())
        db.add_all(
            [
                t.Episode(
                    id=uuid.uuid4().hex,
                    user_id=uid,
                    occurred_at=clock(),
                    leg="left",
                    duration_s=60,
                    severity=5,
                    activity="running",
                    created_at=clock(),
                ),
                t.TrainingSession(
                    id=uuid.uuid4().hex,
                    user_id=uid,
                    started_at=clock(),
                    activity="running",
                    duration_min=30,
                    intensity=5,
                ),
                t.SavedAssessment(
                    id=uuid.uuid4().hex,
                    user_id=uid,
                    created_at=clock(),
                    triage_level="self_care",
                    top_condition="nocturnal_leg_cramps",
                    kb_version="x",
                    request={"age": 40, "sex": "male"},
                ),
            ]
        )
        today = clock().date()
        kb = app.state.ctx.kb
        rehab.start_plan(
            db,
            owner_id=uid,
            today=today,
            kb=kb,
            values={
                "programme": "calf_strain",
                "variant": "grade2_gastrocnemius",
                "side": "left",
                "injury_day": today.isoformat(),
            },
        )
        rehab.log_session(
            db,
            owner_id=uid,
            today=today,
            kb=kb,
            values={"day": today.isoformat(), "pain_during": 2},
            exercises=[{"exercise": "ankle_pumps", "sets": 2, "amount": 20}],
        )
        rehab.log_morning(
            db, owner_id=uid, today=today, values={"day": today.isoformat(), "pain": 1}
        )
        activity.import_activities(
            db,
            owner_id=uid,
            files=[
                activity.ActivityFile("run.fit", activity_samples.fit(clock() - timedelta(days=1)))
            ],
            intensity=5,
            now=clock(),
        )
        rehab.log_test(
            db,
            owner_id=uid,
            today=today,
            kb=kb,
            values={"day": today.isoformat(), "kind": "walking", "pain": 2},
        )
        doctor_id = db.scalar(select(t.User.id).where(t.User.role == "clinician"))
        rehab.clinician_adjust(
            db,
            clinician_id=doctor_id,
            person_id=uid,
            kb=kb,
            values={"phase": "protect", "exercise": "ankle_pumps", "sets": 3},
        )
        sweat = {
            "body_mass_before_kg": 70,
            "body_mass_after_kg": 69,
            "fluid_drunk_l": 0.5,
            "urine_l": 0,
            "duration_min": 60,
        }
        prevention.record_sweat_test(db, kb, owner_id=uid, data=sweat, now=clock())
        planned = {
            "duration_min": 120,
            "intensity": 6,
            "temperature_c": 20,
            "humidity_percent": 50,
            "body_mass_kg": 70,
        }
        prevention.plan_session(kb, planned, session=db, owner_id=uid, now=clock(), save=True)
    before = _rows_of(app, uid)
    assert all(before.values()), before

    confirm = client.get("/account/delete")
    assert "This cannot be undone" in confirm.text
    r = post(client, "/account/delete", {"password": "not my password"}, page=confirm)
    assert r.status_code == 422
    assert error_summary(r.text) == [("password", "Your password is not right")]
    assert _rows_of(app, uid)["users"] == 1

    r = post(client, "/account/delete", {"password": PASSWORD}, page=confirm)
    assert r.status_code == 200
    assert "Your account has been deleted" in r.text
    assert ">My account<" not in r.text
    assert cookie_attributes(set_cookies(r)["calfcare_session"])["max-age"] == "0"
    assert set(_rows_of(app, uid).values()) == {0}
    assert set(_rows_of(app, uid)) == set(t.Base.metadata.tables) - {"rate_counters"}
    assert not signed_in(client)
    assert "No one is linked" in account_page(doctor).text
    assert sign_in(browser(), email).status_code == 422


# --- clinician links ------------------------------------------------------------------------


def _new_code(client: TestClient) -> str:
    r = post(client, "/account/link-code", page="/account")
    assert r.status_code == 200
    assert "You will not see it again" in r.text
    m = re.search(r'id="link-code">([A-Z0-9]{8})<', r.text)
    assert m
    assert m.group(1) not in account_page(client).text  # shown once
    return m.group(1)


def test_link_and_unlink_with_a_code(browser: Callable[[], TestClient]) -> None:
    person = browser()
    sign_up(person, name="Pat Person")
    doctor = browser()
    sign_up(doctor, role="clinician", name="Dr Lee")
    assert "Get a code for my clinician" in account_page(person).text
    assert "Code from the person" in account_page(doctor).text

    code = _new_code(person)
    typed = f"{code[:4].lower()} {code[4:].lower()}"
    r = post(doctor, "/account/link", {"code": typed}, page="/account", follow_redirects=False)
    assert r.headers["location"] == "/account?done=linked"
    assert "Pat Person" in account_page(doctor).text
    html = account_page(person).text
    assert "Dr Lee" in html
    other_id = re.search(r'name="other_id" value="(\w+)"', html).group(1)
    assert re.search(r"Unlink<span class=\"visually-hidden\"> Dr Lee</span>", html)

    r = post(
        person, "/account/unlink", {"other_id": other_id}, page="/account", follow_redirects=False
    )
    assert r.headers["location"] == "/account?done=unlinked"
    assert "Dr Lee" not in account_page(person).text
    assert "Pat Person" not in account_page(doctor).text
    r = post(person, "/account/unlink", {"other_id": other_id}, page="/account")
    assert r.status_code == 404
    assert error_summary(r.text) == [("linked", "That link had already been removed")]

    # The clinician may end the link too.
    post(doctor, "/account/link", {"code": _new_code(person)}, page="/account")
    person_id = re.search(r'name="other_id" value="(\w+)"', account_page(doctor).text).group(1)
    post(doctor, "/account/unlink", {"other_id": person_id}, page="/account")
    assert "Dr Lee" not in account_page(person).text


def test_a_link_code_is_refused_for_the_wrong_role_when_used_or_expired(
    browser: Callable[[], TestClient], clock: Clock
) -> None:
    person = browser()
    sign_up(person, name="Pat Person")
    other_person = browser()
    sign_up(other_person)
    doctor, second_doctor = browser(), browser()
    sign_up(doctor, role="clinician", name="Dr Lee")
    sign_up(second_doctor, role="clinician", name="Dr Kay")

    code = _new_code(person)
    r = post(other_person, "/account/link", {"code": code}, page="/account")
    assert r.status_code == 422
    assert "Only a clinician account" in error_summary(r.text)[0][1]
    r = post(doctor, "/account/link-code", page="/account")
    assert r.status_code == 422
    assert "Only a personal account" in r.text

    post(doctor, "/account/link", {"code": code}, page="/account")
    r = post(second_doctor, "/account/link", {"code": code}, page="/account")  # used
    assert r.status_code == 422
    assert error_summary(r.text) == [("code", accounts.BAD_CODE)]
    assert f'value="{code}"' in r.text  # what was typed is kept

    late = _new_code(person)
    clock.advance(hours=48, seconds=1)
    r = post(second_doctor, "/account/link", {"code": late}, page="/account")  # expired
    assert r.status_code == 422
    assert error_summary(r.text) == [("code", accounts.BAD_CODE)]
    assert "Pat Person" not in account_page(second_doctor).text


def test_every_post_form_in_every_template_renders_the_csrf_input() -> None:
    """So that a new form (anywhere on the site) cannot forget its token."""
    templates = Path(__file__).parents[2] / "src" / "calfcare" / "web" / "templates"
    checked = 0
    for path in sorted(templates.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        for form in re.findall(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', html, re.S | re.I):
            assert "{{ csrf_input() }}" in form, f"{path.name}: a POST form without csrf_input()"
            checked += 1
    assert checked >= 15


def test_the_expired_page_links_back_only_to_a_page_that_can_be_fetched(
    browser: Callable[[], TestClient],
) -> None:
    client = browser()
    client.get("/account/sign-in")
    r = client.post(
        "/account/sign-in",
        data={"email": "a@example.com"},
        headers={"referer": "http://testserver/account/sign-in?next=/account"},
    )
    assert r.status_code == 403
    assert 'href="/account/sign-in?next=/account">Go back</a>' in r.text
    r = client.post(
        "/assess/answer", data={"state": "x"}, headers={"referer": "http://testserver/assess/about"}
    )
    assert r.status_code == 403
    assert ">Go back</a>" not in r.text  # /assess/about answers a form: no GET
    r = client.post("/assess/about", data={}, headers={"referer": "https://evil.example/"})
    assert ">Go back</a>" not in r.text


def test_signing_out_of_an_ended_session_just_signs_out(
    browser: Callable[[], TestClient], clock: Clock
) -> None:
    client = browser()
    sign_up(client)
    stale_token = csrf_token(account_page(client).text)
    clock.advance(days=15)
    r = client.post("/account/sign-out", data={"csrf_token": stale_token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/account/sign-in?done=signed_out"
