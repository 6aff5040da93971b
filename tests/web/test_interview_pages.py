"""The interview's pages without a browser: Back keeps answers, long questions come in parts,
the emergency page lists what the person said, and younger children get no assessment."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.web.interview import InterviewState
from calfcare.web.question_parts import split_items
from tests.web.forms import csrf_token


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture
def post(client: TestClient) -> Any:
    token = csrf_token(client.get("/assess").text)

    def send(url: str, data: dict[str, Any]) -> Any:
        return client.post(url, data={**data, "csrf_token": token})

    return send


def _field(page: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert m, f"no {name} field"
    return m.group(1)


def _text(page: str) -> str:
    """The words a person sees in <main>, tags removed and entities read."""
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _answer(post: Any, page: str, present: set[str] | None = None, dont_know: bool = False) -> Any:
    present = present or set()
    items = _field(page, "items")
    data: dict[str, Any] = {"state": _field(page, "state"), "items": items}
    data["qtype"] = _field(page, "qtype")
    if data["qtype"] == "single":
        data["choice"] = "present" if items in present else "absent"
    else:
        data["present"] = [i for i in items.split(",") if i in present]
        data["dont_know"] = "1" if dont_know else ""
    return post("/assess/answer", data)


def _first_question(post: Any, age: int = 40, sex: str = "male", option: int = 1) -> Any:
    about = post("/assess/about", {"age": str(age), "sex": sex})
    return post("/assess/start", {"state": _field(about.text, "state"), "start": [str(option)]})


# --- Back keeps answers ---------------------------------------------------------------------


def test_about_you_has_a_back_link_home(client: TestClient) -> None:
    assert re.search(r'<a class="back-link" href="/">Back</a>', client.get("/assess").text)


def test_back_from_what_brings_you_here_fills_in_about_you(post: Any) -> None:
    start = post("/assess/about", {"age": "47", "sex": "female"})
    back = post("/assess/back", {"state": _field(start.text, "state")})
    assert "<h1>About you</h1>" in back.text
    assert 'value="47"' in back.text
    assert re.search(r'id="sex-female"[^>]*checked', back.text)
    assert not re.search(r'id="sex-male"[^>]*checked', back.text)


def test_back_from_the_first_question_ticks_the_options_again(post: Any, kb: KnowledgeBase) -> None:
    swollen = next(i for i, o in enumerate(kb.start_options) if "swelling_one_calf" in o.findings)
    first = _first_question(post, option=swollen)
    back = post("/assess/back", {"state": _field(first.text, "state")})
    ticked = {int(i) for i in re.findall(r'name="start" value="(\d+)" checked', back.text)}
    assert ticked == {swollen}  # "Pain in the calf" is part of it, and not ticked on its own


def test_back_from_a_question_shows_the_answers_given(post: Any) -> None:
    page = _first_question(post).text
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)  # type: ignore[union-attr]
    while re.search(r"<h1>(.*?)</h1>", page).group(1) == heading:  # type: ignore[union-attr]
        page = _answer(post, page, dont_know=True).text  # every part: "I don't know"
    back = post("/assess/back", {"state": _field(page, "state")}).text
    assert re.search(r"<h1>(.*?)</h1>", back).group(1) == heading  # type: ignore[union-attr]
    assert re.search(r'id="i-dont-know"[^>]*checked', back)
    assert not re.search(r'class="item-check" checked', back)


# --- long questions in parts ----------------------------------------------------------------


def test_a_long_question_is_split_into_parts_that_keep_every_item(kb: KnowledgeBase) -> None:
    for question in kb.questions:
        if question.type == "single":
            continue
        items = [
            {"id": i.finding, "question": kb.findings[i.finding].question} for i in question.items
        ]
        parts = split_items({"type": "group_multiple", "text": question.text, "items": items})
        assert [x for p in parts for x in p] == items, question.id
        sizes = [len(p) for p in parts]
        assert max(sizes) - min(sizes) <= 2, (question.id, sizes)  # no lone leftover


def test_the_parts_of_a_question_reach_the_assessment_as_one_answer(post: Any) -> None:
    page = _first_question(post).text
    assert re.search(r"Question 1, part 1 of (\d)", page), "the first question comes in parts"
    total = int(re.search(r"part 1 of (\d)", page).group(1))  # type: ignore[union-attr]
    asked: list[str] = []
    for part in range(1, total + 1):
        assert f"part {part} of {total}" in page
        asked += _field(page, "items").split(",")
        page = _answer(post, page).text
    state = InterviewState.decode(_field(page, "state"))
    assert [a["id"] for a in state.steps[1]] == asked  # one step, all its items
    assert state.pending == []
    assert "Question 2" in page


def test_back_from_a_later_part_shows_the_earlier_part_as_answered(post: Any) -> None:
    page = _first_question(post).text
    items = _field(page, "items").split(",")
    second = _answer(post, page, dont_know=True).text
    assert "part 2 of" in second
    back = post("/assess/back", {"state": _field(second, "state")}).text
    assert "part 1 of" in back
    assert _field(back, "items").split(",") == items
    assert re.search(r'id="i-dont-know"[^>]*checked', back)
    assert InterviewState.decode(_field(back, "state")).pending == []


def test_an_emergency_sign_in_an_early_part_goes_straight_to_the_emergency_page(post: Any) -> None:
    page = _first_question(post, age=58, sex="female").text
    assert "chest_pain_or_breathless" in _field(page, "items")
    r = _answer(post, page, {"chest_pain_or_breathless"})
    assert 'action="/assess/continue"' in r.text  # not part 2 first


# --- the emergency page ---------------------------------------------------------------------


def _emergency_page(post: Any, kb: KnowledgeBase, level: str) -> str:
    """The emergency page reached by answering Yes to the one finding of a rule at `level`."""
    for rule in kb.rules:
        if rule.min_level.value != level or rule.when.any or len(rule.when.all) != 1:
            continue
        [finding] = rule.when.all
        state = InterviewState(
            age=40,
            sex="male",
            steps=[[{"id": "calf_pain", "choice_id": "present", "source": "initial"}]],
        )
        data = {"state": state.encode(), "items": finding, "qtype": "single", "choice": "present"}
        page = post("/assess/answer", data).text
        if 'action="/assess/continue"' in page and kb.levels[level].label in page:
            return str(page)
    pytest.fail(f"no single-finding rule leads to the {level} page")


def test_the_emergency_page_lists_the_answers_in_the_words_the_person_read(
    post: Any, kb: KnowledgeBase
) -> None:
    page = _first_question(post, age=58, sex="female").text
    r = _answer(post, page, {"chest_pain_or_breathless"}).text
    words = _text(r)
    assert "What you told us" in words
    assert f"{kb.findings['chest_pain_or_breathless'].question} Yes" in words
    assert "chest_pain_or_breathless" not in words  # never an id
    assert "Keep this page open" not in words  # no promise the page cannot keep


def test_the_a_and_e_page_never_says_to_wait_for_an_ambulance(post: Any, kb: KnowledgeBase) -> None:
    words = _text(_emergency_page(post, kb, "emergency"))
    assert kb.levels["emergency"].act_now in words  # type: ignore[operator]
    assert kb.levels["emergency"].meanwhile_heading in words  # type: ignore[operator]
    assert "ambulance" not in words.lower()
    ambulance = _text(_emergency_page(post, kb, "emergency_ambulance"))
    assert "While you wait for the ambulance" in ambulance
    assert "emergency department (A&E) now" not in ambulance


def test_every_immediate_level_has_its_own_emergency_words(kb: KnowledgeBase) -> None:
    immediate = [lv for lv in kb.levels.values() if lv.family == "immediate"]
    assert len(immediate) == 2
    for level in immediate:
        assert level.act_now, level.id
        assert level.meanwhile_heading, level.id
        assert level.meanwhile, level.id
    assert not any(lv.act_now for lv in kb.levels.values() if lv.family != "immediate")


# --- younger than calfcare is made for ------------------------------------------------------


def test_an_age_under_the_minimum_gets_no_assessment(post: Any, kb: KnowledgeBase) -> None:
    young = kb.min_supported_age - 1
    r = post("/assess/about", {"age": str(young), "sex": "female"})
    assert r.status_code == 200
    words = _text(r.text)
    assert f"calfcare is for people aged {kb.min_supported_age} and over" in words
    assert f"You told us you are {young}" in words
    assert "parent" in words
    assert "GP" in words
    for number in ("999", "112", "911"):
        assert f'href="tel:{number}"' in r.text.split('<main id="main"', 1)[1]
    assert 'action="/assess/start"' not in r.text
    assert 'action="/assess/answer"' not in r.text


def test_the_minimum_age_itself_is_assessed(post: Any, kb: KnowledgeBase) -> None:
    r = post("/assess/about", {"age": str(kb.min_supported_age), "sex": "male"})
    assert 'action="/assess/start"' in r.text


def test_a_young_age_in_a_carried_state_is_never_assessed(post: Any, kb: KnowledgeBase) -> None:
    young = InterviewState(age=kb.min_supported_age - 4, sex="male")
    r = post("/assess/start", {"state": young.encode(), "start": ["1"]})
    assert "and over" in _text(r.text)
    assert 'action="/assess/answer"' not in r.text
    young.steps = [[{"id": "calf_pain", "choice_id": "present", "source": "initial"}]]
    summary = post("/assess/summary", {"state": young.encode()})
    assert "Calf assessment summary" not in summary.text


def test_change_the_age_returns_to_about_you_filled_in(post: Any, kb: KnowledgeBase) -> None:
    young = kb.min_supported_age - 1
    r = post("/assess/about", {"age": str(young), "sex": "female"})
    back = post("/assess/back", {"state": _field(r.text, "state")})
    assert "<h1>About you</h1>" in back.text
    assert f'value="{young}"' in back.text


# --- the result page ------------------------------------------------------------------------


def test_the_result_leads_with_care_what_to_do_and_the_top_cause(post: Any) -> None:
    page = _first_question(post, age=30, sex="female").text
    for _ in range(60):
        if 'action="/assess/summary"' in page:
            break
        if 'action="/assess/continue"' in page:
            page = post("/assess/continue", {"state": _field(page, "state")}).text
            continue
        page = _answer(post, page).text
    main = page.split('<main id="main"', 1)[1]
    order = [
        main.index("care-card"),
        main.index("<h2>What to do now</h2>"),
        main.index("<h2>The most likely cause</h2>"),
        main.index('<details class="result-section"'),
    ]
    assert order == sorted(order)
    assert "<strong>Why:</strong>" in main[order[2] : order[3]]
    sections = re.findall(r"<details class=\"result-section\"([^>]*)>", main)
    assert len(sections) >= 3
    assert not any("open" in attrs for attrs in sections)


def test_answers_carried_for_another_question_are_refused(post: Any) -> None:
    page = _first_question(post).text
    state = InterviewState.decode(_field(page, "state"))
    state.pending = [{"id": "pregnant", "choice_id": "absent"}]  # not part of this question
    r = post("/assess/answer", {"state": state.encode(), "items": _field(page, "items")})
    assert r.status_code == 400
    assert "could not read your answers" in r.text
    # A state with nothing pending is written exactly as before parts existed.
    token = InterviewState(age=40, sex="male").encode()
    assert json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))).keys() == {
        "a",
        "s",
        "t",
        "k",
    }
