"""The JSON API under /api/v1: the case-format v1 contract over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

START = {"age": 34, "sex": "female",
         "evidence": [{"id": "calf_pain", "choice_id": "present", "source": "initial"}]}


def test_healthz(client: TestClient) -> None:
    out = client.get("/healthz").json()
    assert out["status"] == "ok"
    assert out["database"] == "ok"
    assert out["kb_version"]


def test_diagnosis_matches_python_api(client: TestClient) -> None:
    from calfcare import api

    assert client.post("/api/v1/diagnosis", json=START).json() == api.diagnose(START)


def test_triage_matches_python_api(client: TestClient) -> None:
    from calfcare import api

    req = {**START, "evidence": [*START["evidence"],
                                 {"id": "swelling_one_calf", "choice_id": "present"}]}
    out = client.post("/api/v1/triage", json=req).json()
    assert out == api.triage(req)
    assert out["triage_level"] == "consultation_24"


def test_unknown_finding_is_a_422_naming_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/diagnosis", json={**START, "evidence": [
        {"id": "calf_pain", "choice_id": "present"}, {"id": "nope", "choice_id": "absent"}]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "evidence[1].id"


def test_bad_types_are_422_naming_the_field(client: TestClient) -> None:
    for body, field in [({"age": 300, "sex": "female"}, "age"),
                        ({"age": 30}, "sex"),
                        ({"age": 30, "sex": "female", "evidence": [{"id": "calf_pain"}]},
                         "evidence[0].choice_id"),
                        ({"age": 30, "sex": "female", "colour": 1}, "colour")]:
        r = client.post("/api/v1/triage", json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["field"] == field


def test_not_json_is_a_422(client: TestClient) -> None:
    r = client.post("/api/v1/triage", content=b"{not json",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "JSON" in r.json()["detail"][0]["msg"]


def test_large_bodies_are_refused(client: TestClient) -> None:
    r = client.post("/api/v1/triage", content=b" " * 200_000,
                    headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_knowledge_endpoints(client: TestClient) -> None:
    conditions = client.get("/api/v1/conditions").json()
    assert len(conditions) == 23
    one = client.get("/api/v1/conditions/deep_vein_thrombosis").json()
    assert one["usual_care"] == "consultation_24"
    assert all("title" in r for r in one["references"])
    assert client.get("/api/v1/conditions/nope").status_code == 404
    findings = client.get("/api/v1/findings").json()
    assert len(findings) >= 94


def test_openapi_and_docs_are_local(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/diagnosis" in spec["paths"]
    html = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
