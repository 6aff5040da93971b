"""The rehabilitation JSON API: the library, the programmes, the stateless progression
decision for health IT (and its 422s naming the field), and the signed-in person's plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from calfcare.engine.rehab import active_phases, threshold
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.kb.rehab_schema import CriterionKind as K
from calfcare.kb.rehab_schema import Programme, Variant
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from tests.dbs import database_url  # noqa: F401  (a fixture)
from tests.web.diary_helpers import NOW, make_app, new_browser, sign_up, submit, user_id

KB: KnowledgeBase = load_kb()
START = date(2026, 1, 5)
URL = "/api/v1/rehab/progression"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return new_browser(make_app(tmp_path_factory.mktemp("rehab-api")))


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def passing(prog: Programme, var: Variant, phase_id: str) -> dict[str, Any]:
    """A request that meets every exit criterion of the phase, with no pain at all."""
    phase = next(p for p in active_phases(prog, var) if p.id == phase_id)
    need = {c.kind: threshold(c, phase, var) for c in phase.exit}
    sessions = max(1, int(need.get(K.sessions_in_phase_min, 1)))
    trainings = int(need.get(K.full_training_min, 0))
    days = max(int(need.get(K.days_in_phase_min, 0)), sessions, trainings)
    raises = max(1.0, need.get(K.heel_raise_count_min, 1.0))
    tests: list[dict[str, Any]] = [
        {"day": _day(days), "kind": "heel_raise", "injured": raises, "other": raises},
        {"day": _day(days), "kind": "hop", "injured": 150, "other": 150},
        {"day": _day(days), "kind": "lunge", "injured": 11, "other": 11},
        {"day": _day(days), "kind": "walking", "pain": 0, "limp": False},
        {"day": _day(days), "kind": "symptoms", "pain": 0},
        {"day": _day(days), "kind": "run", "injured": need.get(K.run_minutes_min, 10), "pain": 0},
        *({"day": _day(i), "kind": "training", "pain": 0} for i in range(trainings)),
    ]
    return {
        "programme": prog.id,
        "variant": var.id,
        "phase": phase.id,
        "phase_started": _day(0),
        "as_of": _day(days),
        "sessions": [{"day": _day(i), "pain_during": 0} for i in range(sessions)],
        "mornings": [{"day": _day(i + 1), "pain": 0} for i in range(sessions)],
        "tests": tests,
    }


def strain() -> tuple[Programme, Variant]:
    prog = KB.programmes["calf_strain"]
    return prog, next(v for v in prog.variants if v.id == "grade1_gastrocnemius")


# --- the library ------------------------------------------------------------------------------


def test_the_exercise_list(api: TestClient) -> None:
    out = api.get("/api/v1/rehab/exercises").json()
    assert {e["id"] for e in out} == set(KB.exercises)
    pogo = next(e for e in out if e["id"] == "pogo_hops")
    assert pogo["category"] == "plyometric"
    assert pogo["figure_url"] == "/api/v1/rehab/exercises/pogo_hops/figure.svg"
    assert set(pogo) == {"id", "name", "category", "targets", "summary", "equipment", "figure_url"}


def test_one_exercise_with_its_sources(api: TestClient) -> None:
    ex = KB.exercises["pogo_hops"]
    out = api.get("/api/v1/rehab/exercises/pogo_hops").json()
    assert out["name"] == ex.name
    assert out["instructions"] == list(ex.instructions)
    assert out["dose"]["measure"] == ex.dose.measure
    assert out["why"]["references"] == list(ex.why.references)
    assert [r["id"] for r in out["references"]] == list(ex.why.references)
    assert all(r["title"] and r["year"] for r in out["references"])


def test_the_drawing_is_served_as_svg(api: TestClient) -> None:
    r = api.get("/api/v1/rehab/exercises/pogo_hops/figure.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["cache-control"] == "public, max-age=86400"
    assert r.headers["etag"]
    assert r.text == KB.figures["pogo_hops"]
    assert r.text.lstrip().startswith("<svg")


def test_unknown_ids_are_404_with_a_message(api: TestClient) -> None:
    for path in (
        "/api/v1/rehab/exercises/nope",
        "/api/v1/rehab/exercises/nope/figure.svg",
        "/api/v1/rehab/programmes/nope",
    ):
        r = api.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/json"
        assert "nope" in r.json()["detail"]


def test_the_programmes(api: TestClient) -> None:
    out = api.get("/api/v1/rehab/programmes").json()
    assert [p["id"] for p in out] == sorted(KB.programmes)
    strain_out = next(p for p in out if p["id"] == "calf_strain")
    assert {v["id"] for v in strain_out["variants"]} == {
        v.id for v in KB.programmes["calf_strain"].variants
    }
    assert all(
        v["expected_days"]["low"] <= v["expected_days"]["high"] for v in strain_out["variants"]
    )
    # The versions in plain words: each muscle with how to tell it, each grade, and "not sure".
    assert {m["site"] for m in strain_out["muscles"]} == {"gastrocnemius", "soleus"}
    assert all(m["how_to_tell"]["references"] for m in strain_out["muscles"])
    assert [g["grade"] for g in strain_out["grades"]] == [1, 2, 3]
    assert strain_out["not_sure"]["site"] == "soleus"
    assert strain_out["not_sure"]["why"]["evidence"] == "expert_opinion"
    assert next(p for p in out if p["id"] == "cramp_conditioning")["not_sure"] is None
    detail = api.get("/api/v1/rehab/programmes/calf_strain").json()
    prog = KB.programmes["calf_strain"]
    assert [p["id"] for p in detail["phases"]] == [p.id for p in prog.phases]
    assert detail["phases"][0]["exit"][0]["kind"] == prog.phases[0].exit[0].kind.value
    cited = {r for ph in prog.phases for c in ph.exit for r in c.references} | {
        r for sp in prog.see_professional for r in sp.references
    }
    resolved = {r["id"] for r in detail["references"]}
    assert cited <= resolved
    assert all("authors" in r for r in detail["references"])


# --- the progression decision -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme_id", "phase_id"),
    [
        (p.id, ph.id)
        for p in sorted(KB.programmes.values(), key=lambda p: p.id)
        for ph in active_phases(p, p.variants[0])
    ],
)
def test_meeting_every_criterion_moves_on(
    api: TestClient, programme_id: str, phase_id: str
) -> None:
    prog = KB.programmes[programme_id]
    var = prog.variants[0]
    phases = active_phases(prog, var)
    r = api.post(URL, json=passing(prog, var, phase_id))
    assert r.status_code == 200, r.text
    out = r.json()
    index = [p.id for p in phases].index(phase_id)
    if index == len(phases) - 1:
        assert out["action"] == "complete"
        assert out["target"] is None
    else:
        assert out["action"] == "progress"
        assert out["target"]["id"] == phases[index + 1].id
    assert out["phase"] == {
        "id": phase_id,
        "name": phases[index].name,
        "pain_ceiling": phases[index].pain_ceiling,
    }
    assert all(c["met"] for c in out["criteria"])
    assert len(out["criteria"]) == len(phases[index].exit)
    assert out["level"] is None
    assert out["pain_breaks"] == []
    assert {r for c in out["criteria"] for r in c["references"]} <= {
        ref["id"] for ref in out["references"]
    }


def test_progress_in_detail(api: TestClient) -> None:
    prog, var = strain()
    out = api.post(URL, json=passing(prog, var, "protect")).json()
    assert out["action"] == "progress"
    days = next(c for c in out["criteria"] if c["kind"] == "days_in_phase_min")
    assert days["threshold"] == var.min_days["protect"]  # the variant's fewest days win
    assert days["met"]
    assert str(var.min_days["protect"] + 2) in days["observed"]  # the days since phase start
    assert all(r["text"].startswith("Done: ") for r in out["reasons"])
    assert {
        "estimate",
        "evidence",
        "references",
        "observed",
        "met",
        "threshold",
        "text",
        "kind",
    } == set(days)


def test_hold_while_a_criterion_is_missing(api: TestClient) -> None:
    prog, var = strain()
    body = passing(prog, var, "protect")
    body["tests"] = [t for t in body["tests"] if t["kind"] != "walking"]
    out = api.post(URL, json=body).json()
    assert out["action"] == "hold"
    assert out["target"] is None
    walking = next(c for c in out["criteria"] if c["kind"] == "walking_pain_max")
    assert (walking["met"], walking["observed"]) == (False, "not measured yet")
    assert [r["code"] for r in out["reasons"]] == ["criterion_walking_pain_max"]


def test_hold_until_the_next_morning(api: TestClient) -> None:
    prog, var = strain()
    body = passing(prog, var, "protect")
    body["mornings"] = body["mornings"][:-1]
    out = api.post(URL, json=body).json()
    assert out["action"] == "hold"
    assert [r["code"] for r in out["reasons"]] == ["awaiting_morning"]
    assert out["reasons"][0]["references"]


def test_pain_over_the_limit_twice_steps_back(api: TestClient) -> None:
    prog, var = strain()
    second = active_phases(prog, var)[1]
    body = passing(prog, var, second.id)
    body["sessions"][-1]["pain_during"] = second.pain_ceiling + 1
    body["sessions"][-2]["pain_during"] = second.pain_ceiling + 2
    out = api.post(URL, json=body).json()
    assert out["action"] == "step_back"
    assert out["target"]["id"] == active_phases(prog, var)[0].id
    assert {b["kind"] for b in out["pain_breaks"]} == {"over_ceiling"}
    assert len(out["pain_breaks"]) == 2


def test_a_warning_sign_means_see_a_professional(api: TestClient) -> None:
    prog, var = strain()
    body = passing(prog, var, "protect")
    body["sessions"][-1]["flags"] = ["sharp_pain_or_pop"]
    out = api.post(URL, json=body).json()
    assert out["action"] == "see_professional"
    level = KB.levels[KB.pain_model.flag_level]
    assert out["level"] == {
        "id": level.id.value,
        "label": level.label,
        "family": level.family,
        "description": level.description,
    }
    assert "warning sign" in out["reasons"][0]["text"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"programme": "nope"}, "programme"),
        ({"variant": "mild"}, "variant"),  # a variant of another programme
        ({"phase": "walk4_run1"}, "phase"),
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"as_of": "1850-01-01"}, "as_of"),
        ({"phase_started": 20260101}, "phase_started"),
        ({"sessions": [{"day": "2026-01-05", "pain_during": 11}]}, "sessions[0].pain_during"),
        ({"sessions": [{"day": "2026-01-05", "pain_during": "3"}]}, "sessions[0].pain_during"),
        ({"sessions": [{"day": "2026-01-05", "pain_during": 2.5}]}, "sessions[0].pain_during"),
        (
            {"sessions": [{"day": "2026-01-05", "pain_during": 1, "flags": ["itchy"]}]},
            "sessions[0].flags[0]",
        ),
        ({"sessions": [{"day": "2026-01-05", "pain_during": 1}] * 367}, "sessions"),
        ({"mornings": [{"day": "2026-01-05T07:00", "pain": 1}]}, "mornings[0].day"),
        ({"tests": [{"day": "2026-01-05", "kind": "jump"}]}, "tests[0].kind"),
        ({"tests": [{"day": "2026-01-05", "kind": "hop", "injured": -1}]}, "tests[0].injured"),
        ({"tests": [{"day": "2026-01-05", "kind": "walking", "limp": "yes"}]}, "tests[0].limp"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    api: TestClient, change: dict[str, Any], field: str
) -> None:
    prog, var = strain()
    r = api.post(URL, json={**passing(prog, var, "protect"), **change})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field


def test_a_missing_field_is_named(api: TestClient) -> None:
    prog, var = strain()
    body = passing(prog, var, "protect")
    del body["as_of"]
    r = api.post(URL, json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "as_of"


def test_the_published_schema_lists_valid_combinations(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()["components"]["schemas"]["ProgressionIn"]
    assert schema["properties"]["programme"]["enum"] == sorted(KB.programmes)
    branches = {
        (b["properties"]["programme"]["const"], b["properties"]["variant"]["const"])
        for b in schema["oneOf"]
    }
    assert branches == {(p.id, v.id) for p in KB.programmes.values() for v in p.variants}


# --- the signed-in person's plan --------------------------------------------------------------


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:  # noqa: F811
    settings = load_settings(data_dir=tmp_path, database_url=database_url, environment="test")
    upgrade(settings.database_url)
    application = create_app(settings)
    application.state.clock = lambda: NOW
    yield application
    application.state.ctx.engine.dispose()


def test_my_plan_needs_my_session_cookie(app: FastAPI) -> None:
    signed_out = new_browser(app)
    r = signed_out.get("/api/v1/rehab/plan")
    assert r.status_code == 401
    assert "Sign in" in r.json()["detail"]
    forged = new_browser(app)
    forged.cookies.set("calfcare_session", "x" * 43)
    assert forged.get("/api/v1/rehab/plan").status_code == 401

    owner = new_browser(app)
    sign_up(owner)
    r = owner.get("/api/v1/rehab/plan")
    assert r.status_code == 404
    assert "No active rehabilitation plan" in r.json()["detail"]

    today = NOW.date()
    r = submit(
        owner,
        "/rehab/start",
        {
            "programme": "calf_strain",
            "variant": "grade2_soleus",
            "side": "right",
            "injury_day": (today - timedelta(days=2)).isoformat(),
        },
        page="/rehab?programme=calf_strain",
    )
    assert r.status_code == 303
    out = owner.get("/api/v1/rehab/plan").json()
    prog = KB.programmes["calf_strain"]
    var = next(v for v in prog.variants if v.id == "grade2_soleus")
    assert out["programme"] == {"id": "calf_strain", "name": prog.name}
    assert out["variant"] == {"id": var.id, "name": var.label}
    assert (out["side"], out["status"], out["as_of"]) == ("right", "active", today.isoformat())
    assert out["phase"]["id"] == prog.phases[0].id
    assert out["decision"]["action"] == "hold"
    assert out["decision"]["reasons"][0]["code"] == "no_sessions"
    assert [e["state"] for e in out["timeline"]][:2] == ["current", "upcoming"]
    assert (
        out["expected"]["earliest"]
        == (today - timedelta(days=2 - var.expected_days.low)).isoformat()
    )
    assert out["expected"]["estimate"] is var.estimate
    assert out["adherence"] == {"done": 0, "planned": 1, "days": 1}
    assert out["sessions"] == []
    assert out["tests"] == []

    other = new_browser(app)
    sign_up(other)
    assert other.get("/api/v1/rehab/plan").status_code == 404


# --- one shape everywhere ---------------------------------------------------------------------


def _keys(value: Any) -> Any:
    """The keys of a JSON document, all the way down (a list: the keys of its items)."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            shape = _keys(item)
            if isinstance(shape, dict):
                merged.update(shape)
        return merged
    return None


def test_the_cli_the_api_and_both_pages_show_one_plan_status(
    app: FastAPI,
    database_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from calfcare.cli import app as cli
    from calfcare.web.context import WebContext
    from tests.web.diary_helpers import link

    person, clinician = new_browser(app), new_browser(app)
    email = sign_up(person)
    sign_up(clinician, role="clinician")
    link(app, person, clinician)
    today = NOW.date()
    assert (
        submit(
            person,
            "/rehab/start",
            {
                "programme": "calf_strain",
                "variant": "grade1_gastrocnemius",
                "side": "left",
                "injury_day": (today - timedelta(days=3)).isoformat(),
            },
            page="/rehab?programme=calf_strain",
        ).status_code
        == 303
    )
    assert (
        submit(
            person,
            "/rehab/sessions",
            {"day": today.isoformat(), "pain_during": "1", "flags": "sharp_pain_or_pop"},
            page="/rehab/today",
        ).status_code
        == 303
    )
    assert (
        submit(
            person,
            "/rehab/tests",
            {"kind": "heel_raise", "day": today.isoformat(), "injured": "18", "other": "24"},
            page="/rehab/tests",
        ).status_code
        == 303
    )

    shown: dict[str, Any] = {}
    render = WebContext.render

    def capture(self: WebContext, request: Any, name: str, data: dict[str, Any]) -> str:
        shown[name] = data
        return render(self, request, name, data)

    monkeypatch.setattr(WebContext, "render", capture)
    person.get("/rehab")
    person_id = user_id(app, email)
    clinician.get(f"/clinician/persons/{person_id}/rehab")

    api = person.get("/api/v1/rehab/plan").json()
    clock = tmp_path / "clock"
    clock.write_text(NOW.isoformat(), encoding="utf-8")
    out = CliRunner().invoke(
        cli,
        ["rehab", "status", "--json"],
        env={
            "CALFCARE_DATA_DIR": str(tmp_path),
            "CALFCARE_DATABASE_URL": database_url,
            "CALFCARE_ENVIRONMENT": "test",
            "CALFCARE_USER": email,
            "CALFCARE_CLOCK_FILE": str(clock),
        },
    )
    assert out.exit_code == 0, out.output
    cli_doc = json.loads(out.stdout)
    pages = [
        shown[name]["status"].model_dump(mode="json")
        for name in ("rehab_plan.html", "clinician_rehab.html")
    ]

    assert _keys(api) == _keys(cli_doc) == _keys(pages[0]) == _keys(pages[1])
    assert api == cli_doc == pages[0] == pages[1]  # the same plan on the same day
    assert {"pain_breaks", "weekly_change", "criteria", "level"} <= set(api["decision"])
    assert {"earliest", "latest"} <= set(api["expected"])
    assert api["decision"]["action"] == "see_professional"
    assert api["tests"][0]["lsi"] == 75.0
    assert api["adherence"] == {"done": 1, "planned": 1, "days": 1}
