"""Saving a result from the result page and opening it again, on SQLite and PostgreSQL.

A signed-out person signs in or creates an account from the result page and comes back to
the same result, now with the button that saves it; nothing is kept before they press it.
The result travels through the forms as interview state and is checked again on the server,
so a changed state is refused before anything happens. A saved result opens again as a
read-only result page, only for its owner and a clinician linked to them. Signing up without
a result lands on a "what next" page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from calfcare.errors import NotFoundError
from calfcare.services import diary
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from calfcare.web.interview import InterviewState
from tests.dbs import database_url
from tests.web.diary_helpers import NOW, PASSWORD, link, new_browser, sign_up, user_id
from tests.web.forms import csrf_token, hidden, walk_to_result

__all__ = ["database_url"]

SAVED = re.compile(r"^/diary/assessments/([0-9a-f]{32})\?done=saved$")
SAVE_BUTTON = ">Save this result to my diary</button>"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    upgrade(database_url)
    app = create_app(
        load_settings(data_dir=tmp_path, environment="test", database_url=database_url)
    )
    app.state.clock = lambda: NOW
    yield app
    app.state.ctx.engine.dispose()


def result_page(client: TestClient) -> httpx.Response:
    return walk_to_result(client)


def carried(client: TestClient, page: httpx.Response, then: str) -> httpx.Response:
    """Press "Sign in to save" (then="sign-in") or "Create an account" on a result page."""
    assert 'action="/account/save-result"' in page.text
    data = {"state": hidden(page.text, "state"), "then": then, "csrf_token": csrf_token(page.text)}
    return client.post("/account/save-result", data=data)


def save(client: TestClient, page: httpx.Response) -> httpx.Response:
    """Press "Save this result to my diary" on a result page."""
    assert SAVE_BUTTON in page.text
    data = {"state": hidden(page.text, "state"), "csrf_token": csrf_token(page.text)}
    return client.post("/diary/assessments", data=data, follow_redirects=False)


def stored(app: FastAPI, owner_id: str) -> list[diary.AssessmentRecord]:
    with app.state.ctx.sessions() as db:
        return diary.list_assessments(db, owner_id=owner_id)


def level_of(app: FastAPI, state: str) -> str:
    label: str = app.state.ctx.assessor.assess(InterviewState.decode(state).request())["label"]
    return label


# --- from the result page, through signing in or up -----------------------------------------


def test_signing_in_from_a_result_comes_back_to_it_to_save_it(app: FastAPI) -> None:
    owner = new_browser(app)
    email = sign_up(owner, name="Sam Saver")
    owner.post("/account/sign-out", data={"csrf_token": csrf_token(owner.get("/account").text)})
    client = new_browser(app)
    page = result_page(client)
    assert "Sign in to save results like this one" not in page.text
    assert ">Sign in to save</button>" in page.text
    assert ">Create an account</button>" in page.text
    state = hidden(page.text, "state")
    assert state

    r = carried(client, page, "sign-in")
    assert r.status_code == 200
    assert "<h1>Sign in</h1>" in r.text
    assert hidden(r.text, "result") == state
    assert 'action="/account/sign-in#save-result"' in r.text
    # A wrong password keeps the result in the form.
    wrong = {"email": email, "password": "not the password", "result": state}
    r = client.post("/account/sign-in", data={**wrong, "csrf_token": csrf_token(r.text)})
    assert r.status_code == 422
    assert hidden(r.text, "result") == state
    r = client.post(
        "/account/sign-in", data={**wrong, "password": PASSWORD, "csrf_token": csrf_token(r.text)}
    )
    # Back on the same result, signed in, and nothing saved before the person says so.
    assert r.status_code == 200
    assert "<h1>Your result</h1>" in r.text
    assert level_of(app, state) in r.text
    assert hidden(r.text, "state") == state
    assert "You are signed in as Sam Saver. Your result is still here." in r.text
    assert 'id="save-result"' in r.text
    assert "calfcare_session" in r.headers["set-cookie"]
    owner_id = user_id(app, email)
    assert stored(app, owner_id) == []

    saved_at = save(client, r)
    assert saved_at.status_code == 303
    m = SAVED.match(saved_at.headers["location"])
    assert m, saved_at.headers["location"]
    [saved] = stored(app, owner_id)
    assert saved.id == m.group(1)
    assert saved.request == InterviewState.decode(state).request()
    assert saved.kb_version == app.state.ctx.kb.content_hash
    opened = client.get(saved_at.headers["location"])
    assert opened.status_code == 200
    assert "The result has been saved to your diary." in opened.text
    assert "<h1>Saved result</h1>" in opened.text
    assert level_of(app, state) in opened.text
    assert "What to do now" in opened.text
    assert saved.kb_version in opened.text
    assert "(the one in use today)" in opened.text
    assert f'href="/diary/assessments/{saved.id}"' in client.get("/diary").text


def test_creating_an_account_from_a_result_comes_back_to_it(app: FastAPI) -> None:
    client = new_browser(app)
    page = result_page(client)
    state = hidden(page.text, "state")
    r = carried(client, page, "sign-up")
    assert "<h1>Create an account</h1>" in r.text
    assert hidden(r.text, "result") == state
    assert hidden(r.text, "role") == "person"  # a clinician's account keeps no diary
    form = {
        "display_name": "Robin",
        "email": "robin@example.com",
        "password": PASSWORD,
        "role": "person",
        "units": "metric",
        "time_zone": "UTC",
        "result": state,
    }
    # A mistake keeps the result and everything typed but the password.
    r = client.post(
        "/account/sign-up", data={**form, "email": "not an email", "csrf_token": csrf_token(r.text)}
    )
    assert r.status_code == 422
    assert hidden(r.text, "result") == state
    assert hidden(r.text, "password") is None
    r = client.post("/account/sign-up", data={**form, "csrf_token": csrf_token(r.text)})
    assert r.status_code == 200
    assert "<h1>Your result</h1>" in r.text
    assert hidden(r.text, "state") == state
    assert "Your account has been created and you are signed in." in r.text
    assert 'href="/account/welcome"' in r.text
    owner_id = user_id(app, "robin@example.com")
    assert stored(app, owner_id) == []
    assert SAVED.match(save(client, r).headers["location"])
    [saved] = stored(app, owner_id)
    assert saved.request == InterviewState.decode(state).request()
    assert "Welcome, Robin" in client.get("/account/welcome").text


def test_a_changed_result_is_refused_before_anything_happens(app: FastAPI) -> None:
    client = new_browser(app)
    page = result_page(client)
    token = csrf_token(page.text)
    state = InterviewState.decode(hidden(page.text, "state") or "")
    state.steps.append([{"id": "no_such_finding", "choice_id": "present"}])
    changed = state.encode()
    known = sign_up(new_browser(app))
    for path, data in (
        ("/account/save-result", {"state": changed, "then": "sign-up"}),
        ("/account/save-result", {"state": "not a state", "then": "sign-in"}),
        ("/account/save-result", {"state": InterviewState(age=40, sex="male").encode()}),
        ("/account/save-result", {}),
        (
            "/account/sign-up",
            {
                "display_name": "Sly",
                "email": "sly@example.com",
                "password": PASSWORD,
                "role": "person",
                "units": "metric",
                "result": changed,
            },
        ),
        ("/account/sign-in", {"email": known, "password": PASSWORD, "result": changed}),
        ("/account/sign-in", {"email": known, "password": PASSWORD, "result": "not a state"}),
    ):
        r = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 400, (path, data)
        assert "calfcare_session" not in r.headers.get("set-cookie", "")
    assert client.get("/account", follow_redirects=False).status_code == 303  # not signed in
    with app.state.ctx.sessions() as db, pytest.raises(NotFoundError):
        diary.person_by_email(db, email="sly@example.com")


def test_a_signed_in_person_saves_with_one_click(app: FastAPI) -> None:
    client = new_browser(app)
    email = sign_up(client)
    page = result_page(client)
    assert 'action="/account/save-result"' not in page.text
    assert "Your result is still here" not in page.text
    m = SAVED.match(save(client, page).headers["location"])
    assert m
    assert [a.id for a in stored(app, user_id(app, email))] == [m.group(1)]


def test_a_visitor_who_signed_in_elsewhere_gets_the_result_back(app: FastAPI) -> None:
    """Signed in in another tab meanwhile: the sign-in buttons bring back the save button."""
    client = new_browser(app)
    page = result_page(client)
    sign_up(client)
    r = client.post(
        "/account/save-result",
        data={
            "state": hidden(page.text, "state"),
            "then": "sign-in",
            "csrf_token": csrf_token(client.get("/account").text),
        },
    )
    assert r.status_code == 200
    assert SAVE_BUTTON in r.text
    assert hidden(r.text, "state") == hidden(page.text, "state")


def test_a_clinician_is_not_offered_to_save(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client, role="clinician")
    page = result_page(client).text
    assert "Keep this result" not in page
    assert 'action="/diary/assessments"' not in page


def test_a_clinician_signing_in_from_a_result_is_told_why_it_cannot_be_saved(app: FastAPI) -> None:
    doctor = new_browser(app)
    email = sign_up(doctor, role="clinician")
    doctor.post("/account/sign-out", data={"csrf_token": csrf_token(doctor.get("/account").text)})
    client = new_browser(app)
    r = carried(client, result_page(client), "sign-in")
    data = {"email": email, "password": PASSWORD, "result": hidden(r.text, "result")}
    r = client.post("/account/sign-in", data={**data, "csrf_token": csrf_token(r.text)})
    assert r.status_code == 200
    assert "<h1>Your result</h1>" in r.text
    assert "A clinician’s account has no diary" in r.text
    assert 'action="/diary/assessments"' not in r.text


# --- what next ------------------------------------------------------------------------------


def _buttons(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', page)


def test_signing_up_lands_on_what_next(app: FastAPI) -> None:
    client = new_browser(app)
    page = client.get("/account/sign-up")
    form = {
        "display_name": "Kim",
        "email": "kim@example.com",
        "password": PASSWORD,
        "role": "person",
        "units": "imperial",
        "time_zone": "Europe/London",
        "csrf_token": csrf_token(page.text),
    }
    r = client.post("/account/sign-up", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/account/welcome?done=created"
    page = client.get(r.headers["location"]).text
    assert "Your account has been created" in page
    assert "Welcome, Kim" in page
    assert _buttons(page) == [("/assess", "Check my calf")]
    for href in ("/diary/episodes/new", "/rehab", "/account#linked", "/account#units"):
        assert f'href="{href}"' in page, href
    assert "You use imperial (°F, fluid ounces, miles) and the time zone Europe/London." in page
    assert 'id="units"' in client.get("/account").text  # where "units" leads


def test_what_next_for_a_clinician_is_linking_a_patient(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client, role="clinician")
    page = client.get("/account/welcome").text
    assert _buttons(page) == [("/account#linked", "Link to a patient")]
    assert 'href="/clinician"' in page
    assert 'href="/diary/episodes/new"' not in page
    assert new_browser(app).get("/account/welcome", follow_redirects=False).status_code == 303


# --- opening a saved result again -----------------------------------------------------------


def test_a_saved_result_opens_only_for_its_owner_and_a_linked_clinician(app: FastAPI) -> None:
    owner = new_browser(app)
    owner_email = sign_up(owner, name="Owner Person")
    owner_id = user_id(app, owner_email)
    linked = new_browser(app)
    sign_up(linked, role="clinician", name="Dr Linked")
    link(app, owner, linked)
    unlinked = new_browser(app)
    sign_up(unlinked, role="clinician")
    other = new_browser(app)
    sign_up(other)
    with app.state.ctx.sessions() as db, db.begin():
        saved = diary.save_result(
            db,
            owner_id=owner_id,
            request={"age": 40, "sex": "male", "evidence": []},
            assessor=app.state.ctx.assessor,
            now=NOW,
        ).id
    mine = f"/diary/assessments/{saved}"
    assert owner.get(mine).status_code == 200
    nobody = other.get("/diary/assessments/" + "0" * 32)
    theirs = other.get(mine)
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.text == nobody.text
    # The linked clinician opens it from the person's diary, read-only.
    diary_page = linked.get(f"/clinician/persons/{owner_id}").text
    path = f"/clinician/persons/{owner_id}/assessments/{saved}"
    assert f'href="{path}"' in diary_page
    read = linked.get(path)
    assert read.status_code == 200
    assert "Saved by Owner Person" in read.text
    assert "<form" not in re.sub(r'<form class="nav-form".*?</form>', "", read.text, flags=re.S)
    assert linked.get(mine).status_code == 404  # a clinician has no diary of their own
    assert unlinked.get(path).status_code == 404
    assert other.get(path).status_code == 404
    assert new_browser(app).get(mine, follow_redirects=False).status_code == 303


def test_a_saved_result_says_when_todays_knowledge_gives_another_level(app: FastAPI) -> None:
    client = new_browser(app)
    owner_id = user_id(app, sign_up(client))
    pop = {
        "age": 44,
        "sex": "male",
        "evidence": [
            {"id": "felt_pop_or_kick", "choice_id": "present"},
            {"id": "calf_pain", "choice_id": "present"},
            {"id": "cannot_stand_on_tiptoe", "choice_id": "present"},
        ],
    }
    gone = {"age": 44, "sex": "male", "evidence": [{"id": "gone", "choice_id": "present"}]}
    with app.state.ctx.sessions() as db, db.begin():
        ids = [
            diary.save_assessment(
                db,
                owner_id=owner_id,
                request=request,
                triage_level="self_care",
                top_condition="nocturnal_leg_cramps",
                kb_version="0123456789abcdef",
                now=NOW,
            ).id
            for request in (pop, gone)
        ]
    changed = client.get(f"/diary/assessments/{ids[0]}").text
    assert "Today’s advice for these answers is different." in changed
    assert "which is more urgent" in changed
    assert "0123456789abcdef" in changed
    assert f'today’s is <span class="kb-version">{app.state.ctx.kb.content_hash}' in changed
    unreadable = client.get(f"/diary/assessments/{ids[1]}")
    assert unreadable.status_code == 200
    assert "This result can no longer be shown in full." in unreadable.text
    assert "Look after it at home" in unreadable.text  # the level it had when saved


def test_a_saved_result_reads_like_the_result_page_it_came_from(app: FastAPI) -> None:
    """The saved page shows the same result body as the live page: same headings, same top
    cause, same advice, only the words for whose answers they were change."""
    owner = new_browser(app)
    owner_id = user_id(app, sign_up(owner))
    request = {"age": 40, "sex": "male", "evidence": []}
    with app.state.ctx.sessions() as db, db.begin():
        saved = diary.save_result(
            db, owner_id=owner_id, request=request, assessor=app.state.ctx.assessor, now=NOW
        ).id
    page = owner.get(f"/diary/assessments/{saved}").text
    live = result_page(new_browser(app)).text

    def headings(text: str) -> list[str]:
        body = text[text.index('class="care-card') :]
        found = re.findall(r"<h2[^>]*>(.*?)</h2>", body, flags=re.S)
        return [re.sub(r"<[^>]+>", "", h).strip() for h in found]

    for heading in ("What to do now", "The most likely cause", "Steps that help now"):
        assert heading in headings(page)
        assert heading in headings(live)
    assert "When to get help" in headings(page)
