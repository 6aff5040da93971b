"""Rehabilitation in the browser (TestClient, SQLite and PostgreSQL): the public library and
programmes, starting a plan, today's session, logging, tests, the decision and applying it,
errors that keep what was typed, warning signs, stopping, the printable programme."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services import rehab
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from calfcare.web.routes.rehab import figure
from tests.dbs import database_url  # noqa: F401  (a fixture)
from tests.web.diary_helpers import NOW, link, make_app, new_browser, sign_up, submit, user_id

KB: KnowledgeBase = load_kb()
STRAIN = KB.programmes["calf_strain"]
MILD = next(v for v in STRAIN.variants if v.id == "grade1_gastrocnemius")
FIRST, SECOND = STRAIN.phases[0], STRAIN.phases[1]
TODAY = NOW.date()  # the accounts' time zone is UTC


class Clock:
    """The web layer's clock, moved forward a day at a time."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def day(self, n: int) -> date:
        self.now = NOW + timedelta(days=n)
        return self.now.date()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:  # noqa: F811
    settings = load_settings(data_dir=tmp_path, database_url=database_url, environment="test")
    upgrade(settings.database_url)
    application = create_app(settings)
    application.state.clock = Clock()
    yield application
    application.state.ctx.engine.dispose()


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return new_browser(make_app(tmp_path_factory.mktemp("rehab-public")))


@pytest.fixture
def person(app: FastAPI) -> TestClient:
    client = new_browser(app)
    sign_up(client, name="Robin Rehab")
    return client


# --- helpers --------------------------------------------------------------------------------


def start(client: TestClient, **changes: str) -> httpx.Response:
    values = {
        "programme": "calf_strain",
        "variant": MILD.id,
        "side": "left",
        "injury_day": (TODAY - timedelta(days=1)).isoformat(),
        **changes,
    }
    return submit(client, "/rehab/start", values, page=f"/rehab?programme={values['programme']}")


def inputs(html: str, action: str) -> dict[str, str]:
    """The values a form sends as it is shown (text, date and hidden inputs)."""
    form = html[html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    out: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag and name.group(1) != "csrf_token":
            out[name.group(1)] = value.group(1) if value else ""
    return out


def log_session(client: TestClient, **changes: Any) -> httpx.Response:
    values: dict[str, Any] = {
        **inputs(client.get("/rehab/today").text, "/rehab/sessions"),
        "pain_during": "1",
        **changes,
    }
    return submit(client, "/rehab/sessions", values, page="/rehab/today")


def log_morning(client: TestClient, day: date, pain: str = "1") -> httpx.Response:
    return submit(client, "/rehab/mornings", {"day": day.isoformat(), "pain": pain}, page="/rehab")


def log_test(client: TestClient, kind: str, day: date, **values: str) -> httpx.Response:
    return submit(
        client,
        "/rehab/tests",
        {"kind": kind, "day": day.isoformat(), **values},
        page="/rehab/tests",
    )


def heading(html: str) -> str:
    m = re.search(r'id="decision-heading">(.*?)</h2>', html, re.S)
    assert m, "no decision on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split())


def summary(html: str) -> dict[str, str]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box, "no error summary"
    return dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(0)))


def value_of(html: str, field_id: str) -> str | None:
    m = re.search(rf'<input[^>]* id="{re.escape(field_id)}"[^>]*value="([^"]*)"', html)
    if m:
        return m.group(1)
    m = re.search(rf'<textarea id="{re.escape(field_id)}"[^>]*>([^<]*)</textarea>', html)
    return m.group(1) if m else None


def through_first_phase(app: FastAPI, client: TestClient) -> None:
    """Start a mild strain, log three easy days with their mornings and a walking check."""
    clock: Clock = app.state.clock
    assert start(client).status_code == 303
    for n in range(4):
        day = clock.day(n)
        if n:
            assert log_morning(client, day).status_code == 303
        if n < 3:
            assert log_session(client).status_code == 303
    assert log_test(client, "walking", clock.day(3), pain="1").status_code == 303


# --- the public pages -------------------------------------------------------------------------


def test_the_library_lists_every_exercise_with_its_drawing(public: TestClient) -> None:
    html = public.get("/rehab/exercises").text
    for ex in KB.exercises.values():
        assert f'href="/rehab/exercises/{ex.id}"' in html, ex.id
    drawings = re.findall(
        r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="[^"]+" '
        r'class="exercise-figure" role="img" aria-label="([^"]+)"',
        html,
    )
    assert len(drawings) == len(KB.figures)
    assert "<script" not in html.split("</header>", 1)[1]


@pytest.mark.parametrize("exercise_id", sorted(KB.exercises))
def test_every_exercise_page(public: TestClient, exercise_id: str) -> None:
    ex = KB.exercises[exercise_id]
    r = public.get(f"/rehab/exercises/{exercise_id}")
    assert r.status_code == 200
    html = r.text
    assert f"<h1>{ex.name}</h1>".replace("'", "&#39;") in html
    assert 'role="img" aria-label="' in html
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S)
    assert steps
    assert steps.group(1).count("<li>") == len(ex.instructions)
    assert "Usual dose" in html
    assert "Why this exercise" in html
    assert 'class="evidence evidence-' in html
    for rid in ex.why.references:
        assert f'id="ref-{rid}"' in html
    for var in (ex.easier, ex.harder):
        if var is not None and var.exercise:
            assert f'href="/rehab/exercises/{var.exercise}"' in html


@pytest.mark.parametrize("programme_id", sorted(KB.programmes))
def test_every_programme_page(public: TestClient, programme_id: str) -> None:
    prog = KB.programmes[programme_id]
    html = public.get(f"/rehab/programmes/{programme_id}").text
    for v in prog.variants:
        assert f"Usually {v.expected_days.low} to {v.expected_days.high} days" in html
        assert f"handout.pdf?variant={v.id}" in html
    if any(v.estimate for v in prog.variants) or any(
        c.estimate for ph in prog.phases for c in ph.exit
    ):
        assert 'class="estimate-mark"' in html
    for ph in prog.phases:
        assert f'id="phase-{ph.id}"' in html
        assert f"Pain limit during exercise: {ph.pain_ceiling} out of 10" in html
        for rx in ph.exercises:
            assert f'href="/rehab/exercises/{rx.exercise}"' in html
    for sp in prog.see_professional:
        assert KB.levels[sp.level].label in html
    for st in KB.pain_model.statements:
        assert st.text[:40] in html
    assert "https://" not in re.sub(r'<ol class="references">.*?</ol>', "", html, flags=re.S)


def test_the_programme_list_and_unknown_ids(public: TestClient) -> None:
    html = public.get("/rehab/programmes").text
    for prog in KB.programmes.values():
        assert f'href="/rehab/programmes/{prog.id}"' in html
    for path in (
        "/rehab/exercises/nope",
        "/rehab/programmes/nope",
        "/rehab/programmes/nope/handout.pdf",
        "/rehab/programmes/calf_strain/handout.pdf?variant=nope",
    ):
        assert public.get(path).status_code == 404, path


def test_a_public_printable_programme(public: TestClient) -> None:
    r = public.get(f"/rehab/programmes/calf_strain/handout.pdf?variant={MILD.id}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert (
        r.headers["content-disposition"]
        == f'attachment; filename="calfcare-calf_strain-{MILD.id}.pdf"'
    )
    assert r.content.startswith(b"%PDF-")


def test_signed_out_visitors_are_sent_to_sign_in(public: TestClient) -> None:
    for path in ("/rehab", "/rehab/today", "/rehab/tests", "/rehab/stop", "/rehab/handout.pdf"):
        r = public.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"] == f"/account/sign-in?next={path}"


# --- starting ---------------------------------------------------------------------------------


def test_starting_a_programme_step_by_step(person: TestClient) -> None:
    html = person.get("/rehab").text
    assert "Choose a programme" in html
    for prog in KB.programmes.values():
        assert f'value="{prog.id}"' in html
    html = person.get("/rehab?programme=calf_strain").text
    for v in STRAIN.variants:
        assert f'id="variant-{v.id}"' in html
    for sp in STRAIN.see_professional:
        assert sp.when[:40] in html
    r = start(person)
    assert r.status_code == 303
    assert r.headers["location"] == "/rehab/today?done=started"
    html = person.get("/rehab/today?done=started").text
    assert "Your programme has started" in html
    assert f"Pain limit: {FIRST.pain_ceiling} out of 10" in html
    shown = re.findall(r'<h2><a href="/rehab/exercises/([a-z_]+)">', html)
    assert shown == [
        rx.exercise for rx in FIRST.exercises if not rx.sites or "gastrocnemius" in rx.sites
    ]
    assert "isometric_bent_knee_soleus_hold" not in shown  # a soleus-only exercise
    assert html.count('class="exercise-figure"') == len(shown)
    # A second programme is refused while one is active.
    again = start(person)
    assert again.status_code == 422
    assert (
        summary(again.text)["programme"] == "Programme: you already follow a programme. "
        "Stop it before starting another"
    )
    assert person.get("/rehab").text.count('id="decision"') == 1


def test_start_errors_name_the_field_and_keep_what_was_typed(person: TestClient) -> None:
    future = (TODAY + timedelta(days=3)).isoformat()
    r = start(person, side="", variant="", injury_day=future)
    assert r.status_code == 422
    errors = summary(r.text)
    assert errors["side"].startswith("Which leg: this is required")
    assert errors["variant"].startswith("Which kind of injury: this is required")
    assert errors["injury_day"] == f"Day of the injury: cannot be after {TODAY.isoformat()}"
    assert value_of(r.text, "injury_day") == future
    assert "<title>Error: " in r.text
    r = start(person, programme="nope")
    assert r.status_code == 422
    assert summary(r.text)["programme"].startswith("Programme: must be one of")


def test_clinicians_have_no_plan_of_their_own(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client, role="clinician")
    r = client.get("/rehab", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/clinician")
    assert client.get("/rehab/today").status_code == 404
    # The public pages are for everyone.
    assert client.get("/rehab/exercises").status_code == 200


# --- a whole phase, and the next ------------------------------------------------------------


def test_start_log_check_test_then_move_on(app: FastAPI, person: TestClient) -> None:
    clock: Clock = app.state.clock
    assert start(person).status_code == 303
    r = log_session(person)
    assert (r.status_code, r.headers["location"]) == (303, "/rehab?done=session_logged")
    html = person.get("/rehab?done=session_logged").text
    assert "Your session has been logged" in html
    assert heading(html) == f"Stay in this phase for now: {FIRST.name}"
    assert "Log how your calf feels on the morning after your last session" in html

    for n in (1, 2):
        assert log_morning(person, clock.day(n)).status_code == 303
        assert log_session(person).status_code == 303
    assert log_morning(person, clock.day(3), "0").status_code == 303
    html = person.get("/rehab").text
    assert heading(html) == f"Stay in this phase for now: {FIRST.name}"
    assert "Not yet: " in html  # the walking check is missing
    assert "not measured yet" in html

    r = log_test(person, "walking", clock.day(3), pain="1")
    assert (r.status_code, r.headers["location"]) == (303, "/rehab/tests?done=test_logged")
    tests = person.get("/rehab/tests?done=test_logged").text
    assert "Your test result has been logged" in tests
    assert "Your plan now: You are ready to move on to the next phase" in tests

    html = person.get("/rehab").text
    assert heading(html) == f"You are ready to move on to the next phase: {SECOND.name}"
    assert f">Move on to {SECOND.name}</button>" in html
    assert html.count("<strong>Met</strong>") == len(FIRST.exit)
    assert "<strong>Not yet</strong>" not in html
    assert re.search(r"<strong>3 of 4</strong> planned session days done in the last 4 days", html)
    assert 'id="chart-pain"' in html
    assert 'role="img"' in html
    assert re.search(r"<td>26 Nov</td><td class=\"num\">1</td><td class=\"num\">1</td>", html)
    assert f"Limit now: {FIRST.pain_ceiling}" in html
    assert 'aria-current="step"' in html
    finish = TODAY - timedelta(days=1) + timedelta(days=MILD.expected_days.low)
    assert finish.strftime("%d %b %Y") in html

    r = submit(person, "/rehab/apply", {"action": "progress"}, page="/rehab")
    assert (r.status_code, r.headers["location"]) == (303, "/rehab?done=progress")
    html = person.get("/rehab?done=progress").text
    assert "You have moved on to the next phase" in html
    assert heading(html) == f"Stay in this phase for now: {SECOND.name}"
    current = re.search(
        r'<li class="timeline-current" aria-current="step">.*?<h3>(.*?)</h3>', html, re.S
    )
    assert current
    assert current.group(1) == f"2. {SECOND.name}"
    assert re.search(
        r'<li class="timeline-done">\s*<p class="timeline-state">Done</p>\s*'
        rf"<h3>1. {re.escape(FIRST.name)}</h3>",
        html,
    )
    today = person.get("/rehab/today").text
    assert f"Pain limit: {SECOND.pain_ceiling} out of 10" in today
    with app.state.ctx.sessions() as db:
        owner = rehab.active_plan(db, owner_id=_owner(app, person))
        assert owner is not None
        assert owner.phase == SECOND.id


def _owner(app: FastAPI, client: TestClient) -> str:
    email = re.search(r"<dd>([^<@]+@example\.com)</dd>", client.get("/account").text)
    assert email
    return user_id(app, email.group(1))


def test_the_heel_raise_test_shows_the_symmetry(app: FastAPI, person: TestClient) -> None:
    clock: Clock = app.state.clock
    assert start(person).status_code == 303
    html = person.get("/rehab/tests").text
    for kind in ("heel_raise", "hop", "lunge", "walking", "symptoms", "run", "training"):
        assert f'<h2 id="{kind}">' in html
        assert f'<input type="hidden" name="kind" value="{kind}">' in html
    assert "60 beats a minute" in html
    assert "limb symmetry index" in html
    assert 'id="ref-green2022"' in html
    assert 'id="ref-hebertlosier2017"' in html
    assert log_test(person, "heel_raise", clock.day(0), injured="27", other="30").status_code == 303
    assert log_test(person, "heel_raise", clock.day(2), injured="30", other="30").status_code == 303
    html = person.get("/rehab/tests").text
    row = re.search(r"<td>Single-leg heel-raise test</td>.*?</tr>", html, re.S)
    assert row
    assert "27 Nov 2026" in row.group(0)
    assert "100%" in row.group(0)
    plan = person.get("/rehab").text
    assert 'id="chart-heel-raises"' in plan
    assert '<td class="num">27</td><td class="num">30</td><td class="num">90%</td>' in plan


# --- errors -----------------------------------------------------------------------------------


def test_session_errors_name_the_field_and_keep_the_values(person: TestClient) -> None:
    assert start(person).status_code == 303
    r = log_session(
        person,
        pain_during="11",
        notes="felt tight",
        **{"exercises[0].sets": "x", "exercises[1].pain": "2"},
        flags=["sharp_pain_or_pop"],
    )
    assert r.status_code == 422
    errors = summary(r.text)
    first = KB.exercises[FIRST.exercises[0].exercise].name
    assert (
        errors["pain_during"] == "Highest pain during the session: must be a whole number "
        "from 0 to 10 (got &#39;11&#39;)"
    )
    assert errors["exercises[0].sets"].startswith(f"{first}, sets done: must be a whole number")
    assert value_of(r.text, "pain_during") == "11"
    assert value_of(r.text, "exercises[0].sets") == "x"
    assert value_of(r.text, "exercises[1].pain") == "2"
    assert value_of(r.text, "notes") == "felt tight"
    assert 'value="sharp_pain_or_pop" checked' in r.text
    # A day in the future is refused too.
    later = (TODAY + timedelta(days=1)).isoformat()
    r = log_session(person, day=later)
    assert r.status_code == 422
    assert summary(r.text)["day"] == f"Day: cannot be after {TODAY.isoformat()}"


def test_morning_and_test_errors(person: TestClient) -> None:
    assert start(person).status_code == 303
    r = log_morning(person, TODAY, "eleven")
    assert r.status_code == 422
    assert summary(r.text)["morning-pain"].startswith("Pain on getting up: must be a whole")
    assert value_of(r.text, "morning-pain") == "eleven"
    r = log_test(person, "heel_raise", TODAY, other="30")
    assert r.status_code == 422
    assert summary(r.text)["heel_raise-injured"].startswith(
        "Injured leg: number of raises: this is required"
    )
    assert value_of(r.text, "heel_raise-other") == "30"
    r = log_test(person, "walking", TODAY + timedelta(days=2), pain="1")
    assert summary(r.text)["walking-day"].startswith("Day of the test: cannot be after")


def test_nothing_to_apply_and_changed_advice(person: TestClient) -> None:
    assert start(person).status_code == 303
    r = submit(person, "/rehab/apply", {"action": "hold"}, page="/rehab")
    assert r.status_code == 409
    assert summary(r.text)["decision"].startswith("Decision: there is no phase change")
    r = submit(person, "/rehab/apply", {"action": "progress"}, page="/rehab")
    assert r.status_code == 409
    assert "The advice has changed since you opened the page" in r.text


# --- safety -----------------------------------------------------------------------------------


def test_a_warning_sign_shows_a_care_card(person: TestClient) -> None:
    assert start(person).status_code == 303
    today = person.get("/rehab/today").text
    for text in KB.pain_model.flags.values():
        assert text in today
    assert "Any one of them means: stop the programme and have your calf checked" in today
    assert log_session(person, flags=["new_swelling_or_bruising"]).status_code == 303
    html = person.get("/rehab").text
    level = KB.levels[KB.pain_model.flag_level]
    assert heading(html) == f"Urgent advice: ! {level.label}"
    assert f'class="care-card care-card-{level.family.replace("_", "-")}"' in html
    assert "You noted a warning sign" in html
    assert KB.pain_model.flags["new_swelling_or_bruising"] in html
    assert level.description in html
    assert 'action="/rehab/apply"' not in html
    assert "Warning sign: " in html  # highlighted in the list of sessions
    assert level.label in person.get("/rehab/today").text


# --- stopping and the printable programme -----------------------------------------------------


def test_stopping_asks_first(person: TestClient) -> None:
    assert start(person).status_code == 303
    page = person.get("/rehab/stop").text
    assert "Stop the programme?" in page
    assert STRAIN.name in page
    r = submit(person, "/rehab/stop", {}, page="/rehab/stop")
    assert (r.status_code, r.headers["location"]) == (303, "/rehab?done=stopped")
    html = person.get("/rehab?done=stopped").text
    assert "The programme has been stopped" in html
    assert "Your earlier programmes" in html
    assert f"{STRAIN.name}: started" in html
    assert person.get("/rehab/today", follow_redirects=False).headers["location"] == "/rehab"
    assert person.get("/rehab/stop", follow_redirects=False).headers["location"] == "/rehab"


def test_my_printable_programme(person: TestClient) -> None:
    from pypdf import PdfReader

    assert start(person).status_code == 303
    r = person.get("/rehab/handout.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert (
        r.headers["content-disposition"]
        == f'attachment; filename="calfcare-calf_strain-{MILD.id}.pdf"'
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "Robin Rehab" in text
    assert STRAIN.name in text


def test_a_clinician_s_dose_shows_on_today_s_session(app: FastAPI, person: TestClient) -> None:
    clinician = new_browser(app)
    sign_up(clinician, role="clinician", name="Dr Dose")
    link(app, person, clinician)
    assert start(person).status_code == 303
    exercise = FIRST.exercises[0].exercise
    with app.state.ctx.sessions() as db, db.begin():
        rehab.clinician_adjust(
            db,
            clinician_id=_owner(app, clinician),
            person_id=_owner(app, person),
            kb=KB,
            values={
                "phase": FIRST.id,
                "exercise": exercise,
                "sets": 2,
                "amount": 15,
                "note": "Slowly, in bed",
            },
        )
    html = person.get("/rehab/today").text
    card = html[html.index(f'<h2><a href="/rehab/exercises/{exercise}">') :]
    card = card[: card.index("</li>")]
    measure = KB.exercises[exercise].dose.measure
    assert f"<strong>2 × 15 {measure}" in card
    assert "Slowly, in bed" in card
    assert "Adjusted by your clinician." in card
    assert value_of(html, "exercises[0].sets") == "2"
    assert value_of(html, "exercises[0].amount") == "15"


def test_only_safe_drawings_are_put_in_a_page() -> None:
    ex = KB.exercises["pogo_hops"]
    assert figure(KB, ex) is not None
    unsafe = KB.figures["pogo_hops"].replace("<circle ", '<circle onclick="alert(1)" ', 1)
    assert figure(replace(KB, figures={**KB.figures, "pogo_hops": unsafe}), ex) is None
    scripted = KB.figures["pogo_hops"].replace("</svg>", "<script>alert(1)</script></svg>")
    assert figure(replace(KB, figures={**KB.figures, "pogo_hops": scripted}), ex) is None
    assert figure(replace(KB, figures={}), ex) is None


# --- the programme changed under the plan -----------------------------------------------------


def test_a_plan_whose_phase_is_gone_asks_for_the_phase_never_resets(
    app: FastAPI, person: TestClient
) -> None:
    from sqlalchemy import update

    from calfcare.storage import tables as t

    assert start(person).status_code == 303
    owner = _owner(app, person)
    with app.state.ctx.sessions() as db, db.begin():
        db.execute(
            update(t.RehabPlan).where(t.RehabPlan.user_id == owner).values(phase="retired_phase")
        )
    html = person.get("/rehab").text
    assert "Your programme has changed" in html
    assert "phase &#39;retired_phase&#39; no longer exists" in html
    assert f'<option value="{SECOND.id}">2. {SECOND.name}</option>' in html
    assert 'id="decision"' not in html  # no advice on a phase nobody chose
    assert person.get("/rehab/today", follow_redirects=False).headers["location"] == "/rehab"
    assert person.get("/api/v1/rehab/plan").status_code == 409

    r = submit(person, "/rehab/phase", {"phase": ""}, page="/rehab")
    assert r.status_code == 422
    assert summary(r.text)["phase"].startswith("Phase: this is required")
    r = submit(person, "/rehab/phase", {"phase": SECOND.id}, page="/rehab")
    assert (r.status_code, r.headers["location"]) == (303, "/rehab?done=chosen")
    html = person.get("/rehab?done=chosen").text
    assert heading(html) == f"Stay in this phase for now: {SECOND.name}"
    # Once the phase exists again, it moves by the progression rules only.
    r = submit(person, "/rehab/phase", {"phase": FIRST.id}, page="/rehab")
    assert r.status_code == 422
