"""Server-rendered pages work without JavaScript, with clear errors and no lost answers.

Every form carries a CSRF token, so each test first fetches a page, as a browser would, and
posts with the token it holds (`post`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.forms import csrf_token

HTML = {"accept": "text/html"}


@pytest.fixture
def post(client: TestClient) -> Any:
    """client.post with the CSRF token of the about-you page, fetched first."""
    token = csrf_token(client.get("/assess").text)

    def send(url: str, data: dict[str, Any]) -> Any:
        return client.post(url, data={**data, "csrf_token": token})

    return send


def _state(html: str) -> str:
    m = re.search(r'name="state" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def _heading(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert m
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_every_page_has_the_emergency_strip(client: TestClient) -> None:
    for path in ("/", "/assess", "/conditions", "/conditions/cellulitis", "/references"):
        html = client.get(path).text
        assert "Call emergency services now" in html, path
        assert 'href="tel:112"' in html


def test_no_asset_comes_from_another_host(client: TestClient) -> None:
    for path in ("/", "/assess", "/conditions/calf_muscle_strain"):
        html = client.get(path).text
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http://", "https://", "//")) or "/static/" not in url
        assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html)
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]


def test_age_error_names_the_field_and_keeps_the_answer(post: Any) -> None:
    r = post("/assess/about", data={"age": "forty", "sex": "female"})
    assert r.status_code == 422
    assert "There is a problem" in r.text
    assert 'href="#age"' in r.text
    assert 'value="forty"' in r.text
    assert 'value="female" checked' in r.text


def test_start_needs_a_choice(post: Any) -> None:
    state = _state(post("/assess/about", data={"age": "40", "sex": "male"}).text)
    r = post("/assess/start", data={"state": state})
    assert r.status_code == 422
    assert "Select at least one" in r.text


def test_a_full_interview_without_javascript(post: Any) -> None:
    state = _state(post("/assess/about", data={"age": "34", "sex": "female"}).text)
    r = post("/assess/start", data={"state": state, "start": ["0"]})
    present = {
        "onset_during_exercise",
        "onset_late_in_long_session",
        "relieved_by_stretching",
        "resolved_within_10_minutes",
        "session_longer_or_harder_than_usual",
    }
    for _ in range(30):
        if "Your result" in r.text:
            break
        html = r.text
        items = re.search(r'name="items" value="([^"]*)"', html).group(1).split(",")
        qtype = re.search(r'name="qtype" value="([^"]+)"', html).group(1)
        data: dict[str, object] = {"state": _state(html), "items": ",".join(items), "qtype": qtype}
        if qtype == "single":
            data["choice"] = "present" if items[0] in present else "absent"
        else:
            data["present"] = [i for i in items if i in present]
        r = post("/assess/answer", data=data)
        assert r.status_code == 200
    assert "Your result" in r.text
    assert "Look after it at home" in r.text
    assert "/conditions/exercise_associated_muscle_cramp" in r.text
    summary = post("/assess/summary", data={"state": _state(r.text)})
    assert "Answers given" in summary.text


def test_an_emergency_answer_goes_straight_to_emergency_advice(post: Any) -> None:
    state = _state(post("/assess/about", data={"age": "58", "sex": "female"}).text)
    r = post("/assess/start", data={"state": state, "start": ["2"]})
    assert _heading(r.text) == "Do you have any of these right now?"
    r = post(
        "/assess/answer",
        data={
            "state": _state(r.text),
            "qtype": "group_multiple",
            "items": re.search(r'name="items" value="([^"]*)"', r.text).group(1),
            "present": ["chest_pain_or_breathless"],
        },
    )
    from calfcare.kb.loader import load_kb

    assert 'role="alert"' in r.text
    assert load_kb().levels["emergency_ambulance"].label in _heading(r.text)
    r = post("/assess/continue", data={"state": _state(r.text)})
    assert r.status_code == 200
    assert 'role="alert"' not in r.text or "Your result" in r.text


def test_back_returns_to_the_previous_question(post: Any) -> None:
    state = _state(post("/assess/about", data={"age": "40", "sex": "male"}).text)
    first = post("/assess/start", data={"state": state, "start": ["1"]})
    second = first
    while _heading(second.text) == _heading(first.text):  # a long question comes in parts
        items = re.search(r'name="items" value="([^"]*)"', second.text).group(1)
        second = post(
            "/assess/answer",
            data={"state": _state(second.text), "items": items, "qtype": "group_multiple"},
        )
    back = post("/assess/back", data={"state": _state(second.text)})
    assert _heading(back.text) == _heading(first.text)


def test_a_tampered_state_gets_a_clear_page(post: Any) -> None:
    r = post(
        "/assess/answer",
        data={"state": "not-a-state", "items": "calf_pain", "qtype": "single", "choice": "present"},
    )
    assert r.status_code == 400
    assert "could not read your answers" in r.text


def test_a_single_question_needs_an_answer(post: Any) -> None:
    state = _state(post("/assess/about", data={"age": "40", "sex": "male"}).text)
    r = post("/assess/start", data={"state": state, "start": ["1"]})
    r = post(
        "/assess/answer", data={"state": _state(r.text), "items": "calf_pain", "qtype": "single"}
    )
    assert r.status_code == 422
    assert "Choose Yes, No or I don" in r.text


def test_guides_index_search_and_page(client: TestClient) -> None:
    html = client.get("/conditions").text
    assert html.count("<li data-search=") == 23
    found = client.get("/conditions", params={"q": "Achilles"}).text
    assert "/conditions/achilles_tendon_rupture" in found
    assert "/conditions/cellulitis" not in found
    guide = client.get("/conditions/exercise_associated_muscle_cramp").text
    for section in (
        "Symptoms",
        "Causes",
        "What to do now",
        "When to get help",
        "References",
        "Popular remedies",
    ):
        assert section in guide
    assert "doi.org/" in guide


def test_references_page_links_doi_or_pubmed(client: TestClient) -> None:
    html = client.get("/references").text
    assert html.count('<li id="ref-') >= 150
    assert "https://doi.org/" in html
    assert "pubmed.ncbi.nlm.nih.gov" in html


def test_unknown_pages_are_friendly_404s(client: TestClient) -> None:
    r = client.get("/conditions/nope", headers=HTML)
    assert r.status_code == 404
    assert "Page not found" in r.text


def test_home_leads_to_the_rehabilitation_programmes(client: TestClient) -> None:
    html = client.get("/").text
    for href in ("/rehab/programmes", "/rehab/exercises", "/rehab"):
        assert f'href="{href}"' in html
        assert client.get(href, follow_redirects=False).status_code in (200, 303)
