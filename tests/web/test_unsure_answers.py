"""The web interview with unsure answers, re-checks and companion checks, without JavaScript.

A tick is always a yes, even with "I don't know" ticked too; an unsure danger sign is asked
again in plainer words; the calf squeeze check is offered with its drawing; the result says
what to watch for and which advice the person's own answers call for.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.forms import csrf_token


@pytest.fixture
def post(client: TestClient) -> Any:
    token = csrf_token(client.get("/assess").text)

    def send(url: str, data: dict[str, Any]) -> Any:
        return client.post(url, data={**data, "csrf_token": token})

    return send


def _field(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, html[:400]
    return m.group(1)


def _start(post: Any, age: int, sex: str, option: int) -> Any:
    state = _field(post("/assess/about", data={"age": str(age), "sex": sex}).text, "state")
    return post("/assess/start", data={"state": state, "start": [str(option)]})


def _answer(post: Any, page: Any, answers: dict[str, str]) -> Any:
    """Answer the question on `page`: listed findings as given, the rest "no"."""
    html = page.text
    items = _field(html, "items").split(",")
    qtype = _field(html, "qtype")
    data: dict[str, Any] = {
        "state": _field(html, "state"),
        "items": ",".join(items),
        "qtype": qtype,
    }
    if qtype == "single":
        data["choice"] = answers.get(items[0], "absent")
    else:
        data["present"] = [i for i in items if answers.get(i) == "present"]
        if any(answers.get(i) == "unknown" for i in items):
            data["dont_know"] = "1"
    return post("/assess/answer", data=data)


def _run(post: Any, page: Any, answers: dict[str, str], until: str) -> Any:
    """Answer questions until `until` shows; an emergency page is read, then passed."""
    for _ in range(30):
        if until in page.text or "Your result" in page.text:
            return page
        if 'action="/assess/continue"' in page.text:
            page = post("/assess/continue", data={"state": _field(page.text, "state")})
        else:
            page = _answer(post, page, answers)
        assert page.status_code == 200, page.text[:500]
    raise AssertionError("the interview did not end")


def test_a_tick_wins_over_i_dont_know(post: Any) -> None:
    first = _start(post, 58, "female", 1)
    r = _answer(
        post, first, {"chest_pain_or_breathless": "present", "confusion_or_collapse": "unknown"}
    )
    assert 'role="alert"' in r.text
    assert "Call emergency services right now" in r.text


def test_an_unsure_danger_sign_is_asked_again_in_plainer_words(post: Any) -> None:
    first = _start(post, 40, "male", 1)
    # Through every part of the first question, the foot's part answered "I don't know".
    r = _run(post, first, {"foot_cold_pale_or_blue": "unknown"}, until="asked another way")
    assert "asked another way" in r.text
    assert "Compare both feet" in r.text
    assert "Comparing both feet, done by someone with you" in r.text  # the companion check
    assert "<svg" in r.text
    result = _run(
        post, _answer(post, r, {"foot_cold_pale_or_blue": "unknown"}), {}, until="Your result"
    )
    assert "You were not sure about these" in result.text
    assert "Call emergency services right now" in result.text.split("You were not sure")[1]


def test_the_calf_squeeze_check_is_offered_after_a_pop(post: Any) -> None:
    first = _start(post, 45, "male", 3)  # a pop, snap or kick at the back of the leg
    story = {
        "sudden_sharp_pain_push_off": "present",
        "onset_during_exercise": "present",
        "limping_or_cannot_walk_normally": "present",
    }
    r = _run(post, first, story, until="calf squeeze check")
    assert "Kneel on a chair seat" in r.text
    assert "The foot on the sore side did not move" in r.text
    assert "No one is with me, or we could not tell" in r.text
    result = _run(
        post,
        _answer(post, r, {"calf_squeeze_no_foot_movement": "unknown"}),
        story,
        until="Your result",
    )
    assert "Your result" in result.text or 'role="alert"' in result.text


def test_a_medicine_brings_the_review_advice(post: Any) -> None:
    first = _start(post, 72, "female", 0)
    story = {
        "onset_at_rest_or_night": "present",
        "takes_statin": "present",
        "takes_diuretic": "present",
        "recurrent_episodes": "present",
        "relieved_by_stretching": "present",
        "resolved_within_10_minutes": "present",
    }
    result = _run(post, first, story, until="Your result")
    assert "Because of your answers" in result.text
    assert "Ask your GP or pharmacist to review your medicines" in result.text
    assert "takes a statin" in result.text
