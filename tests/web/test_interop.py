"""FHIR and CDS Hooks over HTTP, and activity files through the diary's pages: the Bundle holds
the signed-in person's own records only and is never cached; a QuestionnaireResponse is
assessed; CDS Hooks answers the sample requests of the specification's shape; an upload of
several files imports the good ones and names the bad; a session shows beside the episode of
its day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from calfcare.services import interop
from calfcare.services.interop.coding import LEVEL_EXTENSION
from tests import activity_samples as samples
from tests.web.diary_helpers import NOW, add_episode, make_app, new_browser, sign_up
from tests.web.forms import csrf_token

MARK = "owner-secret-episode-note"
#: A runner's cramp, as the interview would record it.
CRAMP = {
    "age": 34,
    "sex": "female",
    "evidence": [
        {"id": "muscle_locked_or_knotted", "choice_id": "present", "source": "initial"},
        {"id": "onset_during_exercise", "choice_id": "present"},
        {"id": "relieved_by_stretching", "choice_id": "present"},
        {"id": "resolved_within_10_minutes", "choice_id": "present"},
        {"id": "calf_pain", "choice_id": "absent"},
    ],
}
#: Signs that need an ambulance (a cold, pale foot with sudden weakness).
ALARM = {
    "age": 70,
    "sex": "male",
    "evidence": [
        {"id": "foot_cold_pale_or_blue", "choice_id": "present", "source": "initial"},
        {"id": "sudden_leg_weakness_or_paralysis", "choice_id": "present"},
        {"id": "calf_pain", "choice_id": "present"},
    ],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = make_app(tmp_path_factory.mktemp("interop"))
    yield app
    app.state.ctx.engine.dispose()


def _qr(app: FastAPI, request: dict[str, Any]) -> dict[str, Any]:
    return interop.response(app.state.ctx.kb, request, subject="Patient/p1", authored=NOW)


def _upload(client: TestClient, files: list[tuple[str, bytes]], intensity: str = "6") -> Any:
    token = csrf_token(client.get("/diary/activities").text)
    return client.post(
        "/diary/activities",
        data={"intensity": intensity, "csrf_token": token},
        files=[("files", (n, d, "application/octet-stream")) for n, d in files],
    )


# --- FHIR -----------------------------------------------------------------------------------


def test_the_bundle_is_the_signed_in_persons_own_and_never_cached(app: FastAPI) -> None:
    owner, other, out = new_browser(app), new_browser(app), new_browser(app)
    sign_up(owner, name="Owner Person")
    sign_up(other, name="Other Person")
    add_episode(owner, notes=MARK)
    assert _upload(owner, [("run.fit", samples.fit())]).status_code == 200

    r = owner.get("/api/v1/fhir/Bundle")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/fhir+json")
    assert r.headers["cache-control"] == "no-store"
    bundle = r.json()
    kinds = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds == ["Observation", "Observation", "Patient"]
    assert MARK in r.text
    assert bundle["entry"][0]["resource"]["name"][0]["text"] == "Owner Person"

    theirs = other.get("/api/v1/fhir/Bundle")
    assert theirs.status_code == 200
    assert MARK not in theirs.text
    assert "Owner Person" not in theirs.text
    assert [e["resource"]["resourceType"] for e in theirs.json()["entry"]] == ["Patient"]
    assert out.get("/api/v1/fhir/Bundle").status_code == 401


def test_the_bundle_download_is_linked_from_the_diary(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client)
    assert 'href="/api/v1/fhir/Bundle"' in client.get("/diary").text


def test_a_questionnaire_response_is_assessed_into_a_risk_assessment(app: FastAPI) -> None:
    client = new_browser(app)
    r = client.post("/api/v1/fhir/QuestionnaireResponse/$assess", json=_qr(app, CRAMP))
    assert r.status_code == 200, r.text
    ra = r.json()
    assert ra["resourceType"] == "RiskAssessment"
    direct = app.state.ctx.assessor.assess(CRAMP)
    assert [p["outcome"]["coding"][0]["code"] for p in ra["prediction"]] == [
        c["id"] for c in direct["conditions"]
    ]
    level = next(e for e in ra["extension"] if e["url"] == LEVEL_EXTENSION)
    assert level["valueCodeableConcept"]["coding"][0]["code"] == direct["triage_level"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resourceType": "Patient"}, "resourceType"),
        ({"resourceType": "QuestionnaireResponse", "status": "completed"}, "questionnaire"),
        (
            {"resourceType": "QuestionnaireResponse", "status": "no-such-status-shape", "item": 3},
            "item",
        ),
        (
            {
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "questionnaire": interop.QUESTIONNAIRE_URL,
                "item": [{"linkId": "age", "answer": [{"valueString": "old"}]}],
            },
            "item[0].answer",
        ),
    ],
)
def test_anything_else_is_a_422_naming_the_element(
    app: FastAPI, body: dict[str, Any], field: str
) -> None:
    r = new_browser(app).post("/api/v1/fhir/QuestionnaireResponse/$assess", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == field


def test_an_unknown_finding_is_named(app: FastAPI) -> None:
    qr = _qr(app, CRAMP)
    qr["item"][3]["linkId"] = "no_such_finding"
    r = new_browser(app).post("/api/v1/fhir/QuestionnaireResponse/$assess", json=qr)
    assert r.status_code == 422
    assert "no_such_finding" in r.json()["detail"][0]["msg"]


def test_the_questionnaire_asks_every_finding(app: FastAPI) -> None:
    q = new_browser(app).get("/api/v1/fhir/Questionnaire").json()
    links = {i["linkId"] for i in q["item"]}
    assert links == {"age", "sex", *app.state.ctx.kb.findings}
    assert q["url"] == interop.QUESTIONNAIRE_URL


# --- CDS Hooks ------------------------------------------------------------------------------


def test_discovery_lists_the_service(app: FastAPI) -> None:
    (service,) = new_browser(app).get("/cds-services").json()["services"]
    assert {"id", "hook", "title", "description"} <= set(service)
    assert service["hook"] == "patient-view"


def _hook(prefetch: Any = None, context: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example.org/fhir",
        "context": {"userId": "Practitioner/example", "patientId": "p1", **(context or {})},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


@pytest.mark.parametrize(
    ("case", "indicator"), [(CRAMP, "info"), (ALARM, "critical")], ids=["cramp", "alarm"]
)
def test_the_card_carries_the_level_as_its_indicator(
    app: FastAPI, case: dict[str, Any], indicator: str
) -> None:
    client = new_browser(app)
    r = client.post(
        "/cds-services/calfcare-calf-assessment",
        json=_hook(prefetch={"calfcareResponse": _qr(app, case)}),
    )
    assert r.status_code == 200, r.text
    (card,) = r.json()["cards"]
    assert card["indicator"] == indicator
    assert len(card["summary"]) <= 140
    assert card["source"]["label"] == "calfcare"
    top = app.state.ctx.assessor.assess(case)["conditions"][0]["id"]
    assert card["links"][0]["url"].endswith(f"/conditions/{top}")
    assert client.get(card["links"][0]["url"]).status_code == 200


def test_findings_in_a_search_bundle_or_in_the_context_give_the_same_card(app: FastAPI) -> None:
    client = new_browser(app)
    searchset = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": _qr(app, ALARM)}],
    }
    cards = [
        client.post(
            "/cds-services/calfcare-calf-assessment", json=_hook(prefetch=body, context=ctx)
        ).json()["cards"][0]
        for body, ctx in (({"calfcareResponse": searchset}, None), (None, {"calfcareCase": ALARM}))
    ]
    assert [c["indicator"] for c in cards] == ["critical", "critical"]
    assert cards[0]["detail"] == cards[1]["detail"]


def test_no_findings_give_no_card_and_a_bad_request_names_its_field(app: FastAPI) -> None:
    client = new_browser(app)
    url = "/cds-services/calfcare-calf-assessment"
    assert client.post(url, json=_hook()).json() == {"cards": []}
    bad = client.post(url, json={**_hook(), "hook": "order-sign"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "hook"
    missing = client.post(url, json={"hook": "patient-view", "context": {}})
    assert missing.json()["detail"][0]["field"] == "hookInstance"
    wrong = client.post(url, json=_hook(context={"calfcareCase": {"age": 500, "sex": "male"}}))
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["field"] == "findings.age"
    assert client.post("/cds-services/no-such-service", json=_hook()).status_code == 404


# --- activity files through the pages ------------------------------------------------------


def test_an_upload_of_several_files_imports_the_good_and_names_the_bad(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client)
    r = _upload(
        client,
        [
            ("morning.gpx", samples.gpx()),
            ("broken.fit", samples.fit()[:100]),
            ("evening.tcx", samples.tcx(samples.START + timedelta(hours=9))),
        ],
    )
    assert r.status_code == 200
    assert "Imported 2 training sessions" in r.text
    assert "broken.fit: is cut short" in r.text
    again = _upload(client, [("morning.gpx", samples.gpx())])
    assert "Imported 0 training sessions" in again.text
    assert "already in your diary" in again.text


def test_an_upload_without_effort_or_files_is_a_form_error(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client)
    r = _upload(client, [("a.fit", samples.fit())], intensity="")
    assert r.status_code == 422
    assert "1 (very easy) to 10" in r.text
    token = csrf_token(client.get("/diary/activities").text)
    r = client.post("/diary/activities", data={"intensity": "5", "csrf_token": token})
    assert r.status_code == 422
    assert "Choose at least one" in r.text


def test_a_session_shows_beside_the_episode_of_its_day(app: FastAPI, tmp_path: Path) -> None:
    client = new_browser(app)
    sign_up(client)
    day = NOW - timedelta(days=1)
    _upload(client, [("long.fit", samples.fit(day.replace(hour=7), minutes=95))])
    add_episode(client, occurred_at=day.replace(hour=9).strftime("%Y-%m-%dT%H:%M"))
    add_episode(client, occurred_at=(day - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page = client.get("/diary").text
    assert page.count("Training that day:") == 1
    assert "1 h 35 min" in page or "95 min" in page
