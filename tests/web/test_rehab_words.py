"""The rehab pages in plain words: which muscle and how to tell, "I'm not sure which muscle"
with why, counts that agree with their nouns on every page, and the printed plan dated with
the person's own day, their side and their phase."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from calfcare.engine.rehab import active_phases
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from tests.dbs import database_url  # noqa: F401  (a fixture)
from tests.rehab_words import agreement_errors, visible_text
from tests.web.diary_helpers import NOW, make_app, new_browser, sign_up, submit

KB: KnowledgeBase = load_kb()
STRAIN = KB.programmes["calf_strain"]
TODAY = NOW.date()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:  # noqa: F811
    settings = load_settings(data_dir=tmp_path, database_url=database_url, environment="test")
    upgrade(settings.database_url)
    application = create_app(settings)
    application.state.clock = lambda: NOW
    yield application
    application.state.ctx.engine.dispose()


@pytest.fixture
def person(app: FastAPI) -> TestClient:
    client = new_browser(app)
    sign_up(client, name="Robin Rehab")
    return client


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return new_browser(make_app(tmp_path_factory.mktemp("rehab-words")))


def start(client: TestClient, variant: str, **changes: str) -> str:
    values = {
        "programme": "calf_strain",
        "variant": variant,
        "side": "left",
        "injury_day": (TODAY - timedelta(days=1)).isoformat(),
        **changes,
    }
    r = submit(client, "/rehab/start", values, page="/rehab?programme=calf_strain")
    assert r.status_code == 303, r.text
    return r.headers["location"]


def _words(html: str) -> str:
    return visible_text(html)


# --- choosing the version -------------------------------------------------------------------


def test_the_start_page_says_how_to_tell_the_muscles_and_offers_not_sure(
    person: TestClient,
) -> None:
    html = person.get("/rehab?programme=calf_strain").text
    text = _words(html)
    assert "Which version is yours?" in text
    for m in STRAIN.muscles:
        assert m.name in text
        assert m.how_to_tell.text in text
    for g in STRAIN.grades:
        assert g.signs.text in text
    assert STRAIN.not_sure is not None
    for grade in (1, 2, 3):
        choice = f"grade{grade}_not_sure"
        radio = re.search(rf'<input id="variant-{choice}"[^>]*>', html)
        assert radio is not None, choice
        assert f'aria-describedby="variant-{choice}-hint"' in radio.group(0)
        hint = re.search(rf'<p class="hint" id="variant-{choice}-hint">(.*?)</p>', html, re.S)
        assert hint is not None
        said = visible_text(hint.group(1))
        safe = next(v for v in STRAIN.variants if (v.grade, v.site) == (grade, "soleus"))
        assert said.startswith(f"You will follow: {safe.label}. ")
        assert STRAIN.not_sure.why.text in said
    for v in STRAIN.variants:
        assert f'id="variant-{v.id}"' in html


def test_not_sure_starts_the_safe_version_and_says_so(person: TestClient) -> None:
    assert start(person, "grade2_not_sure") == "/rehab/today?done=started_not_sure"
    html = person.get("/rehab/today?done=started_not_sure").text
    assert "You were not sure which muscle you hurt" in html
    plan = _words(person.get("/rehab").text)
    soleus = next(v for v in STRAIN.variants if v.id == "grade2_soleus")
    assert soleus.label in plan


def test_a_version_chosen_by_name_starts_as_before(person: TestClient) -> None:
    assert start(person, "grade2_gastrocnemius") == "/rehab/today?done=started"


def test_the_programme_page_explains_the_versions(public: TestClient) -> None:
    text = _words(public.get("/rehab/programmes/calf_strain").text)
    assert "Which muscle is it?" in text
    assert "How bad is it?" in text
    assert STRAIN.not_sure is not None
    assert f"Not sure which muscle? {STRAIN.not_sure.why.text}" in text


# --- counts -----------------------------------------------------------------------------------


def test_plan_pages_say_1_day_and_2_days(person: TestClient) -> None:
    """The mild upper-calf version needs at least 1 day in its first phase and 2 in its third;
    the plan page says so, and no page a person reads has a count at odds with its noun."""
    start(person, "grade1_gastrocnemius")
    plan = _words(person.get("/rehab").text)
    assert "At least 1 day " in plan
    assert "At least 2 days " in plan
    for path in ("/rehab", "/rehab/today", "/rehab/tests", "/rehab/stop"):
        assert agreement_errors(_words(person.get(path).text)) == [], path


@pytest.mark.parametrize(
    "path",
    [
        "/rehab/programmes",
        "/rehab/exercises",
        *(f"/rehab/programmes/{p}" for p in sorted(KB.programmes)),
        *(f"/rehab/exercises/{e}" for e in sorted(KB.exercises)[:6]),
    ],
)
def test_public_pages_have_no_count_at_odds_with_its_noun(public: TestClient, path: str) -> None:
    r = public.get(path)
    assert r.status_code == 200
    assert agreement_errors(_words(r.text)) == []


# --- the printed plan -------------------------------------------------------------------------


def test_my_printed_plan_has_my_day_my_side_and_my_phase(person: TestClient) -> None:
    """A person far east of UTC is already on the next day: the handout says their day."""
    r = submit(person, "/account/time-zone", {"time_zone": "Pacific/Kiritimati"}, page="/account")
    assert r.status_code == 303, r.text
    assert NOW.hour == 12  # 02:00 the next day in Kiritimati (UTC+14)
    start(person, "grade1_not_sure", side="right")
    r = person.get("/rehab/handout.pdf")
    assert r.status_code == 200
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    )
    printed = TODAY + timedelta(days=1)
    assert f"Printed on: {printed.day} {printed:%B %Y}" in text
    assert "Injured side: right calf" in text
    soleus = next(v for v in STRAIN.variants if v.id == "grade1_soleus")
    phases = active_phases(STRAIN, soleus)
    assert f"Your phase now: phase 1 of {len(phases)}, {phases[0].name}" in text
    assert agreement_errors(text) == []
