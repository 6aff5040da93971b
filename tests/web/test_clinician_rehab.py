"""A clinician's rehabilitation pages for a linked person (TestClient, SQLite and PostgreSQL):
assign a programme, follow it, move the person to a phase, adjust a dose, print the PDF; 404
for anyone else; CSRF on every form."""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from calfcare.services import rehab
from calfcare.services.rehab import pdf_text
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from tests.dbs import _drop, _postgres_or_skip
from tests.web.diary_helpers import (
    NOW,
    error_summary,
    field_value,
    link,
    new_browser,
    sign_up,
    submit,
    user_id,
)
from tests.web.forms import csrf_token

TODAY = NOW.date()  # the persons here live in UTC
PLAN = {
    "programme": "calf_strain",
    "variant": "grade2_soleus",
    "side": "left",
    "injury_day": (TODAY - timedelta(days=5)).isoformat(),
    "notes": "Tender mid-calf.",
}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    data: Path = tmp_path_factory.mktemp("clinician-rehab")
    url = f"sqlite:///{data / 'calfcare.db'}" if request.param == "sqlite" else _postgres_or_skip()
    try:
        upgrade(url)
        built = create_app(load_settings(data_dir=data, environment="test", database_url=url))
        built.state.clock = lambda: NOW
        yield built
        built.state.ctx.engine.dispose()
    finally:
        if request.param != "sqlite":
            _drop(url)


@dataclass
class Pair:
    person: TestClient
    clinician: TestClient
    person_id: str
    name: str

    @property
    def base(self) -> str:
        return f"/clinician/persons/{self.person_id}/rehab"


def _pair(app: FastAPI, name: str = "Robin Hale") -> Pair:
    person = new_browser(app)
    email = sign_up(person, name=name)
    clinician = new_browser(app)
    sign_up(clinician, role="clinician", name="Dr Ada Grey")
    link(app, person, clinician)
    return Pair(person, clinician, user_id(app, email), name)


def _post(pair: Pair, path: str, data: dict[str, Any]) -> httpx.Response:
    return submit(pair.clinician, pair.base + path, data, page=pair.base)


def _log(app: FastAPI, owner_id: str, action: Any, **kwargs: Any) -> Any:
    """Log something as the person would (their own pages are tested elsewhere)."""
    if action in (rehab.log_session, rehab.log_test):
        kwargs["kb"] = app.state.ctx.kb
    with app.state.ctx.sessions() as db, db.begin():
        return action(db, owner_id=owner_id, today=TODAY, **kwargs)


def _plan(app: FastAPI, owner_id: str) -> rehab.PlanRecord | None:
    with app.state.ctx.sessions() as db:
        return rehab.active_plan(db, owner_id=owner_id)


def _today_items(app: FastAPI, pair: Pair) -> dict[str, rehab.DoseItem]:
    """Today's exercises as the person's page of today's session shows them."""
    with app.state.ctx.sessions() as db:
        session = rehab.today_session(db, owner_id=pair.person_id, today=TODAY, kb=app.state.ctx.kb)
    return {i.exercise.id: i for i in session.items}


def _pdf_text(content: bytes) -> str:
    return re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    )


# --- assign and follow ----------------------------------------------------------------------


def test_assign_view_adjust_move_and_print(app: FastAPI) -> None:
    pair = _pair(app)
    assert f'href="{pair.base}"' in pair.clinician.get(f"/clinician/persons/{pair.person_id}").text
    page = pair.clinician.get(pair.base)
    assert page.status_code == 200
    assert "Robin Hale’s rehabilitation" in page.text
    assert "does not follow a rehabilitation programme" in page.text
    assert f'action="{pair.base}/assign"' in page.text
    assert 'href="/clinician/persons/' in page.text
    assert "handout.pdf" not in page.text
    # Without a plan there is nothing to print.
    assert pair.clinician.get(pair.base + "/handout.pdf").status_code == 404

    # Errors name the field and keep what was typed.
    bad = _post(
        pair, "/assign", {**PLAN, "side": "", "injury_day": (TODAY + timedelta(days=2)).isoformat()}
    )
    assert bad.status_code == 422
    fields = dict(error_summary(bad.text))
    assert set(fields) == {"side", "injury_day"}
    assert fields["side"] == "Select which calf is injured"
    assert fields["injury_day"].startswith("Day of the injury: cannot be after")
    assert field_value(bad.text, "notes") == "Tender mid-calf."
    assert field_value(bad.text, "programme") == "calf_strain"
    assert field_value(bad.text, "variant") == "grade2_soleus"
    assert "<title>Error:" in bad.text
    assert _plan(app, pair.person_id) is None
    bad = _post(pair, "/assign", {**PLAN, "variant": "mild"})
    assert dict(error_summary(bad.text)).keys() == {"variant"}

    app.state.clock = lambda: NOW - timedelta(days=3)  # the programme started 3 days ago
    try:
        r = _post(pair, "/assign", PLAN)
    finally:
        app.state.clock = lambda: NOW
    assert r.status_code == 303, r.text
    assert r.headers["location"] == pair.base + "?done=assigned"
    plan = _plan(app, pair.person_id)
    assert plan is not None
    # The first phase counts from the day of the injury.
    assert (plan.programme, plan.variant, plan.side, plan.phase, plan.phase_started) == (
        "calf_strain",
        "grade2_soleus",
        "left",
        "protect",
        TODAY - timedelta(days=5),
    )
    assert plan.assigned_by == user_id(app, _email(pair.clinician))
    html = pair.clinician.get(r.headers["location"]).text
    assert "The programme has been started" in html
    assert "Calf strain rehabilitation" in html
    assert "Moderate (grade 2) strain of the lower, deeper calf (soleus)" in html
    assert "1 of 6: Protect and calm" in html
    assert "Tender mid-calf." in html
    assert "Started</dt><dd>" in html
    assert "by you" in html
    assert "Stay in this phase" in html
    assert "Log your first session" in html
    assert "Checks to finish this phase" in html
    assert "not measured yet" in html
    assert "Not yet" in html
    assert "Current phase" in html
    assert "Coming up" in html
    assert "<strong>0 of 4</strong> planned session days" in html
    assert "days (at least" in html  # days in the phase, counted from the injury
    assert 'id="chart-pain"' in html
    assert 'id="chart-lsi"' in html
    assert f'href="{pair.base}/handout.pdf"' in html
    assert "When to see a professional" in html
    assert 'id="ref-1"' in html
    # A second programme cannot start while this one runs.
    again = _post(pair, "/assign", PLAN)
    assert again.status_code == 422
    assert "Programme: Robin Hale already follows one" in again.text

    # What the person logs shows on the clinician's page.
    exercises = [
        {"exercise": "isometric_plantarflexion_band", "sets": "5", "amount": "30", "pain": "1"},
        {
            "exercise": "seated_soleus_raise",
            "sets": "3",
            "amount": "12",
            "load_kg": "8",
            "pain": "2",
        },
    ]
    _log(
        app,
        pair.person_id,
        rehab.log_session,
        values={
            "day": (TODAY - timedelta(days=2)).isoformat(),
            "pain_during": "1",
            "pain_after": "1",
            "notes": "felt fine",
        },
        exercises=exercises,
    )
    _log(
        app,
        pair.person_id,
        rehab.log_session,
        values={"day": (TODAY - timedelta(days=1)).isoformat(), "pain_during": "4"},
        exercises=[],
    )
    _log(
        app,
        pair.person_id,
        rehab.log_morning,
        values={"day": (TODAY - timedelta(days=1)).isoformat(), "pain": "1"},
    )
    _log(
        app,
        pair.person_id,
        rehab.log_test,
        values={"day": TODAY.isoformat(), "kind": "heel_raise", "injured": "16", "other": "20"},
    )
    html = pair.clinician.get(pair.base).text
    assert "<strong>2 of 4</strong> planned session days" in html
    assert "Seated soleus raise" in html or "seated soleus" in html.lower()
    assert "felt fine" in html
    assert "(above the limit of 2)" in html  # 4/10 in a phase whose limit is 2
    assert "80%" in html  # 16 of 20 heel raises
    assert "<td>16</td>" in html.replace(' class="num"', "")
    assert "pain reached 4/10" in html
    assert "Warning sign" not in html

    # Adjust a dose: the person's session shows it.
    assert "Change a dose" in html
    r = _post(
        pair,
        "/adjust",
        {
            "item": "protect:isometric_plantarflexion_band",
            "sets": "4",
            "amount": "45",
            "load": "light band",
            "note": "Push at half effort.",
        },
    )
    assert r.status_code == 303, r.text
    html = pair.clinician.get(r.headers["location"]).text
    assert "The dose has been saved" in html
    assert "4 × 45 seconds" in html
    assert "(adjusted)" in html
    items = _today_items(app, pair)
    band = items["isometric_plantarflexion_band"]
    assert (band.sets, band.amount, band.load, band.note, band.adjusted) == (
        4,
        45,
        "light band",
        "Push at half effort.",
        True,
    )
    today = pair.person.get("/rehab/today")
    if today.status_code != 404:  # the person's own page of today's session
        assert today.status_code == 200
        assert "Adjusted by your clinician." in today.text
        assert "light band" in today.text
        assert "Push at half effort." in today.text
    r = _post(pair, "/adjust", {"item": "protect:ankle_pumps", "removed": "yes"})
    assert r.status_code == 303, r.text
    assert "ankle_pumps" not in _today_items(app, pair)
    assert "(left out by a clinician)" in pair.clinician.get(pair.base).text

    # Bad adjustments name the field and keep the values.
    bad = _post(
        pair,
        "/adjust",
        {
            "item": "protect:isometric_plantarflexion_band",
            "sets": "0",
            "amount": "many",
            "load": "x" * 201,
        },
    )
    assert bad.status_code == 422
    fields = dict(error_summary(bad.text))
    assert fields.keys() == {"sets", "amount", "load"}
    assert fields["sets"].startswith("Sets: must be a whole number from 1 to 10")
    assert fields["load"].startswith("Load: must be at most 200 characters")
    assert field_value(bad.text, "amount") == "many"
    assert field_value(bad.text, "item") == "protect:isometric_plantarflexion_band"
    bad = _post(pair, "/adjust", {"item": "", "sets": "3"})
    assert dict(error_summary(bad.text)) == {"item": "Select the exercise to change"}
    bad = _post(pair, "/adjust", {"item": "protect:pogo_hops", "sets": "3"})
    assert (
        html_lib.unescape(dict(error_summary(bad.text))["item"])
        == "Exercise: must be one of this phase's exercises"
    )
    assert _today_items(app, pair)["isometric_plantarflexion_band"].sets == 4

    # Move to a chosen phase.
    bad = _post(pair, "/phase", {"phase": "nowhere"})
    assert bad.status_code == 422
    assert dict(error_summary(bad.text))["phase"].startswith("Phase: must be one of protect")
    r = _post(pair, "/phase", {"phase": "strength"})
    assert r.status_code == 303, r.text
    html = pair.clinician.get(r.headers["location"]).text
    assert "The phase has been changed" in html
    assert "3 of 6: Build strength" in html
    plan = _plan(app, pair.person_id)
    assert plan is not None
    assert (plan.phase, plan.phase_started) == ("strength", TODAY)

    # The printable programme: the person's name and the adjusted dose.
    r = pair.clinician.get(pair.base + "/handout.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert (
        r.headers["content-disposition"]
        == 'attachment; filename="calfcare-calf-strain-grade2-soleus.pdf"'
    )
    text = _pdf_text(r.content)
    assert "Prepared for: Robin Hale" in text
    assert "4 sets × 45 seconds" in text
    assert pdf_text.dose_text(band) in text
    assert "Load: light band" in text
    assert "Adjusted by your clinician." in text


def _email(client: TestClient) -> str:
    m = re.search(r"<dd>([^<@]+@example\.com)</dd>", client.get("/account").text)
    assert m
    return m.group(1)


def test_a_warning_sign_shows_as_see_a_professional(app: FastAPI) -> None:
    pair = _pair(app, "Jo Marsh")
    assert _post(pair, "/assign", {**PLAN, "variant": "grade1_gastrocnemius"}).status_code == 303
    _log(
        app,
        pair.person_id,
        rehab.log_session,
        values={
            "day": TODAY.isoformat(),
            "pain_during": "2",
            "flags": ["new_swelling_or_bruising"],
        },
        exercises=[],
    )
    html = pair.clinician.get(pair.base).text
    flag = app.state.ctx.kb.pain_model.flags["new_swelling_or_bruising"]
    level = app.state.ctx.kb.levels[app.state.ctx.kb.pain_model.flag_level]
    assert "Warning sign:" in html
    assert flag in html
    assert "Stop and see a professional" in html
    assert "care-card" in html
    assert level.label in html


def test_a_person_who_started_their_own_plan(app: FastAPI) -> None:
    pair = _pair(app, "Lee Park")
    with app.state.ctx.sessions() as db, db.begin():
        rehab.start_plan(db, owner_id=pair.person_id, values=PLAN, today=TODAY, kb=app.state.ctx.kb)
    html = pair.clinician.get(pair.base).text
    assert "by Lee Park" in html
    assert "Start a programme" not in html
    # Once they stop it, the clinician may start another; the old one is listed.
    with app.state.ctx.sessions() as db, db.begin():
        rehab.stop_plan(db, owner_id=pair.person_id, today=TODAY)
    html = pair.clinician.get(pair.base).text
    assert "Start a programme" in html
    assert "Earlier programmes" in html
    assert "Calf strain rehabilitation: stopped" in html
    assert pair.clinician.get(pair.base + "/handout.pdf").status_code == 404


# --- who may come here ----------------------------------------------------------------------


def test_only_the_linked_clinician_gets_in(app: FastAPI) -> None:
    pair = _pair(app, "Sky Lowe")
    assert _post(pair, "/assign", PLAN).status_code == 303
    stranger = new_browser(app)
    sign_up(stranger, role="clinician", name="Dr Nobody")
    other_person = new_browser(app)
    sign_up(other_person, name="Other Person")
    signed_out = new_browser(app)
    before = _plan(app, pair.person_id)
    for client in (stranger, other_person, pair.person):
        assert client.get(pair.base).status_code == 404
        assert client.get(pair.base + "/handout.pdf").status_code == 404
        for path, data in (
            ("/assign", PLAN),
            ("/phase", {"phase": "strength"}),
            ("/adjust", {"item": "protect:ankle_pumps", "removed": "yes"}),
        ):
            r = submit(client, pair.base + path, data, page="/account")
            assert r.status_code == 404, (path, r.status_code)
    # An unknown id looks exactly like an unlinked one.
    unknown = "/clinician/persons/0123456789abcdef0123456789abcdef/rehab"
    assert pair.clinician.get(unknown).status_code == 404
    assert pair.clinician.get(unknown + "/handout.pdf").status_code == 404
    r = signed_out.get(pair.base, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/account/sign-in?next={pair.base}"
    assert _plan(app, pair.person_id) == before
    assert "ankle_pumps" in _today_items(app, pair)


def test_every_form_needs_its_csrf_token(app: FastAPI) -> None:
    pair = _pair(app, "Ali Stone")
    for path, data in (
        ("/assign", PLAN),
        ("/phase", {"phase": "strength"}),
        ("/adjust", {"item": "protect:ankle_pumps", "removed": "yes"}),
    ):
        r = pair.clinician.post(pair.base + path, data=data, follow_redirects=False)
        assert r.status_code == 403, path
        r = pair.clinician.post(
            pair.base + path, data={**data, "csrf_token": "x" * 43}, follow_redirects=False
        )
        assert r.status_code == 403, path
    assert _plan(app, pair.person_id) is None
    page = pair.clinician.get(pair.base).text
    assert csrf_token(page)
    assert page.count('name="csrf_token"') >= 2  # sign out and the assign form


def test_a_phase_or_dose_change_without_a_plan_goes_back_to_the_page(app: FastAPI) -> None:
    pair = _pair(app, "Max Wren")
    for path, data in (
        ("/phase", {"phase": "strength"}),
        ("/adjust", {"item": "protect:ankle_pumps", "sets": "2"}),
    ):
        r = _post(pair, path, data)
        assert r.status_code == 303, path
        assert r.headers["location"] == pair.base
    assert _plan(app, pair.person_id) is None


def test_the_dates_are_the_person_s_own(app: FastAPI) -> None:
    """A person far east of UTC is already on the next day: their injury may be 'today'."""
    pair = _pair(app, "Kai Tane")
    page = pair.person.get("/account")
    r = pair.person.post(
        "/account/time-zone",
        data={"time_zone": "Pacific/Kiritimati", "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert NOW.hour == 12  # 02:00 the next day in Kiritimati (UTC+14)
    r = _post(pair, "/assign", {**PLAN, "injury_day": tomorrow})
    assert r.status_code == 303, r.text
    plan = _plan(app, pair.person_id)
    assert plan is not None
    assert plan.injury_day == date.fromisoformat(tomorrow)
    assert plan.phase_started == date.fromisoformat(tomorrow)
    # The printed plan carries the person's day, not the clinician's or the server's.
    printed = TODAY + timedelta(days=1)
    text = _pdf_text(pair.clinician.get(pair.base + "/handout.pdf").content)
    assert f"Printed on: {printed.day} {printed:%B %Y}" in text
    assert "Injured side: left calf" in text


def test_a_plan_whose_phase_is_gone_lets_the_clinician_choose_it(app: FastAPI) -> None:
    from sqlalchemy import update

    from calfcare.storage import tables as t

    pair = _pair(app, "Noa Vale")
    assert _post(pair, "/assign", PLAN).status_code == 303
    with app.state.ctx.sessions() as db, db.begin():
        db.execute(
            update(t.RehabPlan)
            .where(t.RehabPlan.user_id == pair.person_id)
            .values(phase="retired_phase")
        )
    html = pair.clinician.get(pair.base).text
    assert "The programme has changed" in html
    assert "retired_phase" in html
    assert '<option value="strength">3. Build strength</option>' in html
    assert "Start a programme" not in html  # the plan is there: nothing is reset
    r = _post(pair, "/phase", {"phase": "strength"})
    assert r.status_code == 303, r.text
    plan = _plan(app, pair.person_id)
    assert plan is not None
    assert (plan.phase, plan.phase_started) == ("strength", TODAY)
    assert "3 of 6: Build strength" in pair.clinician.get(pair.base).text
