"""The JSON API under /api/v1: the case-format v1 contract over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

START = {
    "age": 34,
    "sex": "female",
    "evidence": [{"id": "calf_pain", "choice_id": "present", "source": "initial"}],
}


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

    req = {
        **START,
        "evidence": [*START["evidence"], {"id": "swelling_one_calf", "choice_id": "present"}],
    }
    out = client.post("/api/v1/triage", json=req).json()
    assert out == api.triage(req)
    assert out["triage_level"] == "consultation_24"


def test_unknown_finding_is_a_422_naming_the_field(client: TestClient) -> None:
    r = client.post(
        "/api/v1/diagnosis",
        json={
            **START,
            "evidence": [
                {"id": "calf_pain", "choice_id": "present"},
                {"id": "nope", "choice_id": "absent"},
            ],
        },
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "evidence[1].id"


def test_bad_types_are_422_naming_the_field(client: TestClient) -> None:
    for body, field in [
        ({"age": 300, "sex": "female"}, "age"),
        ({"age": 30}, "sex"),
        ({"age": 30, "sex": "female", "evidence": [{"id": "calf_pain"}]}, "evidence[0].choice_id"),
        ({"age": 30, "sex": "female", "colour": 1}, "colour"),
    ]:
        r = client.post("/api/v1/triage", json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["field"] == field


@pytest.mark.parametrize("age", [True, False, "40", "4_0", " 40", "²", 40.5, None, [40]])
@pytest.mark.parametrize("route", ["/api/v1/diagnosis", "/api/v1/triage"])
def test_an_age_that_is_not_a_number_is_a_422_naming_age(
    client: TestClient, route: str, age: object
) -> None:
    """As strict as the Python API: a bool is not an age, and text is not a number."""
    from calfcare import api
    from calfcare.errors import RequestError

    with pytest.raises(RequestError, match=r"^age:"):
        api.triage({**START, "age": age})
    for body in ({**START, "age": age}, {**START, "age": {"value": age}}):
        r = client.post(route, json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["field"] == "age"


def test_a_whole_float_age_is_accepted_as_by_the_python_api(client: TestClient) -> None:
    from calfcare import api

    assert client.post("/api/v1/triage", json={**START, "age": 34.0}).json() == api.triage(
        {**START, "age": 34.0}
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**START, "evidence": [{"id": "calf\x00pain", "choice_id": "present"}]}, "evidence[0].id"),
        (
            {**START, "evidence": [{"id": "calf_pain\x1b", "choice_id": "present"}]},
            "evidence[0].id",
        ),
        ({**START, "evidence": [{"id": 5, "choice_id": "present"}]}, "evidence[0].id"),
        ({**START, "extras": {"mode": "patient\x00"}}, "mode"),
    ],
)
def test_text_no_database_could_store_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    r = client.post("/api/v1/diagnosis", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == field


@pytest.mark.parametrize(
    "text",
    [
        '{"age": 40, "sex": "female", "evidence": [{"id": "\\ud800", "choice_id": "present"}]}',
        '{"age": 40, "sex": "\\udfff"}',
        '{"age": 40, "sex": "female", "\\ud800": 1}',
        '{"age": ' + "9" * 5000 + ', "sex": "female"}',
        '{"age": 40, "sex": "female", "extras": ' + "[" * 30_000 + "]" * 30_000 + "}",
        '{"age": NaN, "sex": "female"}',
    ],
)
def test_surrogates_huge_numbers_and_deep_nesting_are_422s(client: TestClient, text: str) -> None:
    r = client.post(
        "/api/v1/triage", content=text.encode(), headers={"content-type": "application/json"}
    )
    assert r.status_code in (413, 422)
    assert r.json()["detail"]


def test_the_rehab_api_is_as_strict(client: TestClient) -> None:
    body = {
        "programme": "calf_strain",
        "variant": "grade1_soleus",
        "phase": "protect",
        "phase_started": "2026-11-10",
        "as_of": "2026-11-12",
        "sessions": [{"day": "2026-11-11", "pain_during": 1}],
        "tests": [{"day": "2026-11-11", "kind": "walking", "pain": 1, "limp": False}],
    }
    assert client.post("/api/v1/rehab/progression", json=body).status_code == 200
    for change, field in [
        ({"sessions": [{"day": "2026-11-11", "pain_during": True}]}, "sessions[0].pain_during"),
        ({"sessions": [{"day": "2026-11-11", "pain_during": "1"}]}, "sessions[0].pain_during"),
        ({"tests": [{"day": "2026-11-11", "kind": "walking", "limp": 1}]}, "tests[0].limp"),
        ({"tests": [{"day": "2026-11-11", "kind": "hop", "injured": "9"}]}, "tests[0].injured"),
        ({"programme": 5}, "programme"),
        ({"phase": "protect\x00"}, "phase"),
        (
            {"sessions": [{"day": "2026-11-11", "pain_during": 1, "flags": ["\x00"]}]},
            "sessions[0].flags[0]",
        ),
    ]:
        r = client.post("/api/v1/rehab/progression", json={**body, **change})
        assert r.status_code == 422, change
        assert r.json()["detail"][0]["field"] == field


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conditions/nope",
        "/api/v1/conditions/%00",
        "/api/v1/rehab/exercises/nope",
        "/api/v1/rehab/exercises/nope/figure.svg",
        "/api/v1/rehab/programmes/nope",
        "/api/v1/nothing",
    ],
)
def test_api_404s_give_no_command_line_advice(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    detail = str(r.json()["detail"])
    assert "calfcare " not in detail
    assert "`" not in detail
    assert not re.search(r"\brun\b", detail, re.IGNORECASE)


def test_not_json_is_a_422(client: TestClient) -> None:
    r = client.post(
        "/api/v1/triage", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert "JSON" in r.json()["detail"][0]["msg"]


def test_large_bodies_are_refused(client: TestClient) -> None:
    r = client.post(
        "/api/v1/triage", content=b" " * 200_000, headers={"content-type": "application/json"}
    )
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


SWAGGER = Path(__file__).parents[2] / "src/calfcare/web/static/vendor/swagger-ui"


def test_openapi_and_docs_are_local(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/diagnosis" in spec["paths"]
    page = client.get("/docs")
    html = page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in {a.split("?")[0] for a in assets}
    assert "/static/js/api-docs.js" in {a.split("?")[0] for a in assets}
    for asset in assets:
        assert asset.startswith("/"), asset  # nothing from another server
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in html  # the CSP allows no inline script
    assert "style=" not in html  # nor an inline style
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


def test_the_explorer_is_swagger_ui_5_as_the_docs_say() -> None:
    """Swagger UI 4 cannot render OpenAPI 3.1; the version vendored is the one documented."""
    readme = (SWAGGER / "README.md").read_text(encoding="utf-8")
    version = re.search(r"Version: (\d+)\.(\d+)\.(\d+)", readme)
    assert version is not None
    assert int(version.group(1)) >= 5
    number = ".".join(version.groups())
    bundle = (SWAGGER / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert f'"{number}"' in bundle
    operations = (Path(__file__).parents[2] / "docs/operations.md").read_text(encoding="utf-8")
    assert f"**{number}**" in operations
    for name in ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css"):
        assert (SWAGGER / name).is_file(), name


def test_try_it_out_starts_from_a_request_that_works(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    examples = spec["components"]["schemas"]["V1Request"]["examples"]
    for route in ("/api/v1/diagnosis", "/api/v1/triage"):
        assert client.post(route, json=examples[0]).status_code == 200


V11 = [
    "pain_front_or_outer_shin",
    "tingling_around_mouth_or_hands",
    "racing_heart_heat_intolerance_weight_loss",
    "cord_extends_above_knee",
    "pulses_vanish_when_foot_pointed",
]


def test_every_v1_1_finding_is_accepted_over_http(client: TestClient) -> None:
    for finding in V11:
        for choice in ("present", "absent", "unknown"):
            req = {**START, "evidence": [*START["evidence"], {"id": finding, "choice_id": choice}]}
            for route in ("/api/v1/diagnosis", "/api/v1/triage"):
                r = client.post(route, json=req)
                assert r.status_code == 200, (finding, choice, route, r.text)
    ids = {f["id"] for f in client.get("/api/v1/findings").json()}
    assert set(V11) <= ids


def test_a_recheck_lists_a_finding_again_and_the_last_answer_counts(client: TestClient) -> None:
    unsure = {
        **START,
        "evidence": [
            *START["evidence"],
            {"id": "chest_pain_or_breathless", "choice_id": "unknown"},
        ],
    }
    first = client.post("/api/v1/triage", json=unsure).json()
    assert "chest_pain_or_breathless" in {w["id"] for w in first["extras"]["watch_for"]}
    again = {
        **unsure,
        "evidence": [
            *unsure["evidence"],
            {"id": "chest_pain_or_breathless", "choice_id": "present"},
        ],
    }
    assert client.post("/api/v1/triage", json=again).json()["triage_level"] == "emergency_ambulance"
