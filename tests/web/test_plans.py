"""The prevention API and pages: the worked example over HTTP, 422s that name the field, a
person's sweat test kept and used by a later plan, the diary's risk, a printable saved card."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.diary_helpers import add_episode, add_session, make_app, new_browser, sign_up, submit

SWEAT = {
    "body_mass_before_kg": 70.0,
    "body_mass_after_kg": 69.0,
    "fluid_drunk_l": 0.5,
    "urine_l": 0.0,
    "duration_min": 60,
}
SESSION = {
    "duration_min": 180,
    "intensity": 6,
    "temperature_c": 28,
    "humidity_percent": 60,
    "body_mass_kg": 70,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data: Path = tmp_path_factory.mktemp("plans")
    return make_app(data)


def test_the_worked_example_over_http(client: TestClient) -> None:
    r = client.post("/api/v1/plans/sweat-test", json=SWEAT)
    assert r.status_code == 200, r.text
    assert r.json()["sweat_rate_l_per_h"] == 1.5
    assert r.json()["body_mass_change_percent"] == -1.43


def test_a_session_plan_gives_every_number_with_its_sources(client: TestClient) -> None:
    body = client.post("/api/v1/plans/session", json={**SESSION, "sweat_rate_l_per_h": 1.5}).json()
    for key in ("fluid_l_per_h", "sodium_mg_per_h", "carbohydrate_g_per_h"):
        assert body["sources"][key], key
    assert body["heat_risk"]["category"] == "moderate"
    assert body["fluid_l_per_h"] <= 1.5


@pytest.mark.parametrize(
    ("url", "change", "field"),
    [
        ("/api/v1/plans/sweat-test", {"body_mass_before_kg": -70}, "body_mass_before_kg"),
        ("/api/v1/plans/session", {"humidity_percent": 120}, "humidity_percent"),
        ("/api/v1/plans/session", {"duration_min": 40 * 60}, "duration_min"),
        ("/api/v1/plans/session", {"sweat_rate_l_per_h": 10}, "sweat_rate_l_per_h"),
        ("/api/v1/plans/session", {"sweat_sodium": "very"}, "sweat_sodium"),
        ("/api/v1/plans/session", {"body_mass_kg": None}, "body_mass_kg"),
    ],
)
def test_bad_input_is_a_422_that_names_the_field(
    client: TestClient, url: str, change: dict[str, object], field: str
) -> None:
    base = SWEAT if url.endswith("sweat-test") else SESSION
    r = client.post(url, json={**base, **change})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field


def test_signed_out_pages_work_on_what_is_typed(client: TestClient) -> None:
    page = client.get("/plan")
    assert page.status_code == 200
    r = submit(client, "/plan/sweat-test", {k: str(v) for k, v in SWEAT.items()}, page="/plan")
    assert "1.5 L an hour" in r.text
    assert client.get("/plan/night").status_code == 200


def test_a_person_s_sweat_test_is_kept_and_used_by_the_next_plan(app: FastAPI) -> None:
    person = new_browser(app)
    sign_up(person)
    add_session(person, duration_min="90", intensity="5")
    add_episode(person)
    form = {**{k: str(v) for k, v in SWEAT.items()}, "temperature_c": "27", "intensity": "6"}
    r = submit(person, "/plan/sweat-test", form, page="/plan")
    assert r.status_code == 200
    plan = {k: str(v) for k, v in SESSION.items()}
    r = submit(person, "/plan/session", plan, page="/plan/session")
    assert r.status_code == 200, r.text
    assert "1.5 L, your measure" in r.text
    assert "This session is 100.0 % longer" in r.text
    saved = re.search(r'href="/plan/saved/([0-9a-f]+)"', person.get("/plan").text)
    assert saved
    card = person.get(f"/plan/saved/{saved.group(1)}")
    assert "knowledge base" in card.text


def test_a_form_with_a_mistake_comes_back_naming_the_field(client: TestClient) -> None:
    r = submit(
        client, "/plan/session", {**SESSION, "humidity_percent": "120"}, page="/plan/session"
    )
    assert r.status_code == 422
    assert 'href="#humidity_percent"' in r.text
