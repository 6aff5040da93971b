"""Who may use which diary, clinician, rehabilitation and prevention route: a matrix over EVERY
/diary, /clinician, /rehab and /plan route.

Actors: signed out; another person; a clinician not linked to the owner; a linked clinician.
The records used belong to the owner, a person. A new /diary, /clinician, /rehab or /plan route
fails
`test_every_route_is_in_the_matrix` until it is added to ROUTES below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from calfcare.kb.loader import load_kb
from calfcare.services import diary, prevention, rehab
from tests.web.diary_helpers import (
    EPISODE,
    NOW,
    SESSION,
    add_episode,
    add_session,
    link,
    make_app,
    new_browser,
    sign_up,
    user_id,
)
from tests.web.forms import csrf_token

MARK = "owner-secret-note"

#: (method, path) -> what the route works on:
#:   own: the signed-in person's own diary (no id in the path)
#:   record: one record of a diary, by id (episode or training session)
#:   clinician: the clinician's own list
#:   person: one linked person's diary, read-only
#:   person_plan: a linked person's rehabilitation plan, which their clinician may change or
#:     print (a form error, a redirect or 404 without a plan); 404 for everyone else
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/diary"): "own",
    ("GET", "/diary/insights"): "own",
    ("GET", "/diary/export"): "own",
    ("GET", "/diary/import"): "own",
    ("POST", "/diary/import"): "own",
    ("GET", "/diary/activities"): "own",
    ("POST", "/diary/activities"): "own",
    ("POST", "/diary/assessments"): "own",
    ("GET", "/diary/assessments/{assessment_id}"): "record",
    ("POST", "/diary/assessments/{assessment_id}/delete"): "record",
    ("GET", "/diary/episodes/new"): "own",
    ("POST", "/diary/episodes/new"): "own",
    ("GET", "/diary/episodes/{episode_id}/edit"): "record",
    ("POST", "/diary/episodes/{episode_id}/edit"): "record",
    ("GET", "/diary/episodes/{episode_id}/delete"): "record",
    ("POST", "/diary/episodes/{episode_id}/delete"): "record",
    ("GET", "/diary/sessions/new"): "own",
    ("POST", "/diary/sessions/new"): "own",
    ("GET", "/diary/sessions/{training_id}/edit"): "record",
    ("POST", "/diary/sessions/{training_id}/edit"): "record",
    ("GET", "/diary/sessions/{training_id}/delete"): "record",
    ("POST", "/diary/sessions/{training_id}/delete"): "record",
    ("GET", "/clinician"): "clinician",
    ("GET", "/clinician/persons/{person_id}"): "person",
    ("GET", "/clinician/persons/{person_id}/assessments/{assessment_id}"): "person",
    ("GET", "/clinician/persons/{person_id}/rehab"): "person",
    ("POST", "/clinician/persons/{person_id}/rehab/assign"): "person_plan",
    ("POST", "/clinician/persons/{person_id}/rehab/phase"): "person_plan",
    ("POST", "/clinician/persons/{person_id}/rehab/adjust"): "person_plan",
    ("GET", "/clinician/persons/{person_id}/rehab/handout.pdf"): "person_plan",
    ("GET", "/rehab"): "own",
    ("POST", "/rehab/start"): "own",
    ("POST", "/rehab/apply"): "own",
    ("POST", "/rehab/phase"): "own",
    ("GET", "/rehab/stop"): "own",
    ("POST", "/rehab/stop"): "own",
    ("POST", "/rehab/mornings"): "own",
    ("GET", "/rehab/today"): "own",
    ("POST", "/rehab/sessions"): "own",
    ("GET", "/rehab/tests"): "own",
    ("POST", "/rehab/tests"): "own",
    ("GET", "/rehab/handout.pdf"): "own",
    ("GET", "/rehab/exercises"): "public",
    ("GET", "/rehab/exercises/{exercise_id}"): "public",
    ("GET", "/rehab/programmes"): "public",
    ("GET", "/rehab/programmes/{programme_id}"): "public",
    ("GET", "/rehab/programmes/{programme_id}/handout.pdf"): "public",
    ("GET", "/plan"): "public",
    ("POST", "/plan/sweat-test"): "public",
    ("GET", "/plan/session"): "public",
    ("POST", "/plan/session"): "public",
    ("GET", "/plan/night"): "public",
    ("GET", "/plan/saved/{plan_id}"): "record",
    ("POST", "/plan/sweat-tests/{test_id}/delete"): "record",
}
PLAN_SWEAT = {
    "body_mass_before_kg": "70",
    "body_mass_after_kg": "69",
    "fluid_drunk_l": "0.5",
    "urine_l": "0",
    "duration_min": "60",
}
PLAN_SESSION = {
    "duration_min": "120",
    "intensity": "6",
    "temperature_c": "20",
    "humidity_percent": "50",
    "body_mass_kg": "70",
}
#: The owner's rehabilitation plan, as the forms start and log it (the clock is NOW).
REHAB_START = {
    "programme": "calf_strain",
    "variant": "grade1_gastrocnemius",
    "side": "left",
    "injury_day": "2026-11-24",
}
REHAB_SESSION = {
    "day": "2026-11-25",
    "pain_during": "1",
    "exercises[0].exercise": "ankle_pumps",
    "exercises[0].sets": "1",
    "exercises[0].amount": "20",
}
#: What each POST sends: a complete, valid form, so that a missing check would write.
POST_DATA: dict[str, dict[str, str]] = {
    "/diary/episodes/new": EPISODE,
    "/diary/episodes/{episode_id}/edit": {**EPISODE, "notes": "overwritten"},
    "/diary/sessions/new": SESSION,
    "/diary/sessions/{training_id}/edit": {**SESSION, "notes": "overwritten"},
    "/rehab/start": REHAB_START,
    "/rehab/sessions": {**REHAB_SESSION, "notes": "overwritten"},
    "/rehab/mornings": {"day": "2026-11-25", "pain": "1"},
    "/rehab/tests": {"kind": "walking", "day": "2026-11-25", "pain": "1"},
    "/rehab/apply": {"action": "progress"},
    "/rehab/phase": {"phase": "foundation"},
    "/plan/sweat-test": PLAN_SWEAT,
    "/plan/session": PLAN_SESSION,
}
SWEAT_VALUES = {k: float(v) for k, v in PLAN_SWEAT.items()}
SESSION_VALUES = {k: int(v) for k, v in PLAN_SESSION.items()}
ACTORS = ("signed_out", "other_person", "unlinked_clinician", "linked_clinician")


def diary_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) of app.routes under /diary, /clinician, /rehab or /plan."""
    out: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):  # flattens included routers
        if route.path.startswith(("/diary", "/clinician", "/rehab", "/plan")):
            assert isinstance(route.original_route, APIRoute)
            for method in route.methods or ():
                out.add((method, route.path))
    assert out, "no diary routes found: has FastAPI changed how app.routes is built?"
    return out


@dataclass
class World:
    app: FastAPI
    owner_id: str
    episode_id: str
    training_id: str
    assessment_id: str
    clients: dict[str, TestClient]
    test_id: str = ""
    plan_id: str = ""

    def url(self, path: str) -> str:
        return path.format(
            episode_id=self.episode_id,
            training_id=self.training_id,
            assessment_id=self.assessment_id,
            person_id=self.owner_id,
            exercise_id="pogo_hops",
            programme_id="calf_strain",
            test_id=self.test_id,
            plan_id=self.plan_id,
        )

    def snapshot(self) -> tuple[Any, ...]:
        with self.app.state.ctx.sessions() as db:
            return (
                tuple(diary.list_episodes(db, owner_id=self.owner_id)),
                tuple(diary.list_training(db, owner_id=self.owner_id)),
                tuple(a.id for a in diary.list_assessments(db, owner_id=self.owner_id)),
                rehab_snapshot(db, self.owner_id),
                tuple(prevention.list_sweat_tests(db, owner_id=self.owner_id)),
                tuple(prevention.list_plans(db, owner_id=self.owner_id)),
            )


def rehab_snapshot(db: Session, owner_id: str) -> tuple[Any, ...]:
    """The owner's plans and everything logged in the active one."""
    plans = tuple(rehab.list_plans(db, owner_id=owner_id))
    if rehab.active_plan(db, owner_id=owner_id) is None:
        return plans
    st = rehab.status(db, owner_id=owner_id, today=NOW.date(), kb=load_kb())
    return plans, st.sessions, st.mornings, st.tests, st.history


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    data: Path = tmp_path_factory.mktemp("ownership")
    app = make_app(data)
    owner = new_browser(app)
    owner_email = sign_up(owner, name="Owner Person")
    episode_id = add_episode(owner, notes=MARK)
    training_id = add_session(owner, notes=MARK)
    other = new_browser(app)
    sign_up(other, name="Other Person")
    unlinked = new_browser(app)
    sign_up(unlinked, role="clinician", name="Dr Unlinked")
    linked = new_browser(app)
    sign_up(linked, role="clinician", name="Dr Linked")
    link(app, owner, linked)
    r = owner.post(
        "/rehab/start",
        data={
            **REHAB_START,
            "csrf_token": csrf_token(owner.get("/rehab?programme=calf_strain").text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = owner.post(
        "/rehab/sessions",
        data={
            **REHAB_SESSION,
            "notes": MARK,
            "csrf_token": csrf_token(owner.get("/rehab/today").text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    signed_out = new_browser(app)
    owner_id = user_id(app, owner_email)
    with app.state.ctx.sessions() as db, db.begin():
        assessment_id = diary.save_assessment(
            db,
            owner_id=owner_id,
            request={
                "age": 40,
                "sex": "female",
                "evidence": [{"id": "calf_pain", "choice_id": "present"}],
            },
            triage_level="self_care",
            top_condition="exercise_associated_muscle_cramp",
            kb_version="test",
            now=datetime.now(UTC),
        ).id
        kb = load_kb()
        test_id = prevention.record_sweat_test(
            db, kb, owner_id=owner_id, data={**SWEAT_VALUES, "sport": MARK}
        ).id
        plan_id = prevention.plan_session(
            kb, {**SESSION_VALUES, "sport": MARK}, session=db, owner_id=owner_id, save=True
        ).id
    return World(
        app=app,
        owner_id=owner_id,
        episode_id=episode_id,
        training_id=training_id,
        assessment_id=assessment_id,
        clients={
            "signed_out": signed_out,
            "other_person": other,
            "unlinked_clinician": unlinked,
            "linked_clinician": linked,
        },
        test_id=test_id or "",
        plan_id=plan_id or "",
    )


def test_every_route_is_in_the_matrix(world: World) -> None:
    found = diary_routes(world.app)
    assert found - set(ROUTES) == set(), "add these routes to ROUTES in test_ownership.py"
    assert set(ROUTES) - found == set(), "these routes no longer exist"


def _call(world: World, client: TestClient, method: str, path: str) -> Any:
    url = world.url(path)
    if method == "GET":
        return client.get(url, follow_redirects=False)
    token = csrf_token(client.get("/account/sign-in").text)
    return client.post(
        url, data={**POST_DATA.get(path, {}), "csrf_token": token}, follow_redirects=False
    )


def _expected(actor: str, method: str, path: str, kind: str) -> tuple[int, str | None]:
    """(status, redirect location or None)."""
    if kind == "public":
        return 200, None  # the exercise library and the programmes, for everyone
    if actor == "signed_out":
        next_path = path if method == "GET" else "/account"
        return 303, f"/account/sign-in?next={next_path}"
    clinician = actor.endswith("clinician")
    if kind == "record":
        return 404, None  # someone else's record, or a clinician writing: never found
    if kind == "clinician":
        return (200, None) if clinician else (404, None)
    if kind == "person":
        return (200, None) if actor == "linked_clinician" else (404, None)
    if kind == "person_plan":
        return (0, None) if actor == "linked_clinician" else (404, None)
    # The caller's own diary.
    if clinician:
        return (
            (303, "/clinician")
            if (method, path) in {("GET", "/diary"), ("GET", "/rehab")}
            else (404, None)
        )
    return 0, None  # a person's own diary: any answer, but never the owner's data


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_the_ownership_matrix(world: World, actor: str, method: str, path: str) -> None:
    client = world.clients[actor]
    before = world.snapshot()
    r = _call(world, client, method, path)
    status, location = _expected(actor, method, world.url(path), ROUTES[(method, path)])
    if status:
        assert r.status_code == status, (actor, method, path, r.status_code, r.text[:300])
    if location:
        assert r.headers["location"] == location
    if actor != "linked_clinician":
        assert MARK not in r.text, (actor, method, path)
    assert world.snapshot() == before, f"{actor} changed the owner's diary with {method} {path}"


def test_a_linked_clinician_reads_the_diary(world: World) -> None:
    client = world.clients["linked_clinician"]
    overview = client.get("/clinician").text
    assert "Owner Person" in overview
    assert f'href="/clinician/persons/{world.owner_id}"' in overview
    page = client.get(f"/clinician/persons/{world.owner_id}").text
    assert MARK in page
    assert "Read-only" in page
    assert "/edit" not in page
    assert "/delete" not in page
    assert "<form" not in re.sub(r'<form class="nav-form".*?</form>', "", page, flags=re.S)
    assert '<svg class="chart"' in page
    # An unknown id looks exactly like an unlinked one.
    assert client.get("/clinician/persons/0123456789abcdef").status_code == 404
    assert "Owner Person" not in world.clients["unlinked_clinician"].get("/clinician").text


def test_another_person_never_sees_the_owner_s_records(world: World) -> None:
    client = world.clients["other_person"]
    for path in (
        "/diary",
        "/diary/insights",
        "/diary/export?format=json",
        "/diary/export?format=csv",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        assert MARK.encode() not in r.content, path


def test_another_person_s_saved_result_is_not_found(world: World) -> None:
    """Someone else's saved result answers exactly as an id that does not exist."""
    mine = f"/diary/assessments/{world.assessment_id}"
    unknown = "/diary/assessments/" + "0" * 32
    other = world.clients["other_person"]
    theirs = other.get(mine)
    assert theirs.status_code == 404
    assert theirs.text == other.get(unknown).text
    path = f"/clinician/persons/{world.owner_id}/assessments/{world.assessment_id}"
    read = world.clients["linked_clinician"].get(path)
    assert read.status_code == 200  # it exists: the 404s above are about who asks
    assert "Saved by Owner Person" in read.text
    for actor in ("other_person", "unlinked_clinician"):
        r = world.clients[actor].get(path)
        assert r.status_code == 404, actor
        assert "Owner Person" not in r.text, actor


def test_another_person_never_sees_the_owner_s_plan(world: World) -> None:
    owner_plan = world.snapshot()[3]
    assert owner_plan[1][0].notes == MARK  # the owner's session, as logged
    client = world.clients["other_person"]
    for path in (
        "/rehab",
        "/rehab/today",
        "/rehab/tests",
        "/rehab/handout.pdf",
        "/api/v1/rehab/plan",
    ):
        r = client.get(path)
        assert MARK.encode() not in r.content, path
        assert b"Owner Person" not in r.content, path
    assert client.get("/api/v1/rehab/plan").json().get("id") is None
