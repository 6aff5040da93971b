"""Every error message docs/api.md lists is the one the API really gives.

The requests are read from the tables of the doc itself and sent: to the Python API and to
both assessment endpoints for the case-format table, to every endpoint under /api/v1 that
takes a body for the table of unreadable bodies, and so on. A message reworded in the code or
in the doc, or a row whose request no longer fails that way, fails here.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from calfcare import api
from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.audience import refuse_younger
from calfcare.web.vocabulary import publish

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
CASES = ("/api/v1/diagnosis", "/api/v1/triage")
PROGRESSION = "/api/v1/rehab/progression"
NONE = "(none)"


def tables(header: str) -> list[list[list[str]]]:
    """Each table of docs/api.md that starts with `header`, as rows of cells (the doc's
    inline-code backticks around a whole cell taken off)."""
    lines = [line.strip() for line in API_MD.read_text(encoding="utf-8").splitlines()]
    found = []
    for i, line in enumerate(lines):
        if line != header:
            continue
        rows = []
        for row in lines[i + 2 :]:
            if not row.startswith("|"):
                break
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            rows.append([c[1:-1] if re.fullmatch(r"`[^`]*`", c) else c for c in cells])
        found.append(rows)
    assert found, f"docs/api.md has no table headed {header!r}"
    return found


def case_request(cell: str) -> Any:
    if cell == "501 evidence entries":
        item = {"id": "calf_pain", "choice_id": "present"}
        return {"age": 40, "sex": "male", "evidence": [item] * 501}
    return json.loads(cell)


PYTHON_ROWS = tables("| Request | `.field` | `.message` |")[0]
BODY_TABLES = tables("| Body | Content-Type | `msg` |")
YOUNGER_ROWS = tables("| Request | `field` | `msg` |")[0]


def only_problem(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert len(detail) == 1, detail
    problem: dict[str, Any] = detail[0]
    return problem


def body_routes(client: TestClient) -> list[str]:
    """Every operation under /api/v1 that takes a request body, from the published document."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        path
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        if method == "post" and "requestBody" in operation
    ]


def send(client: TestClient, route: str, body: str, media: str) -> Any:
    headers = {} if media == NONE else {"content-type": media}
    content = b"" if body == NONE else body.encode()
    return client.post(route, content=content, headers=headers)


def test_the_tables_were_read() -> None:
    assert len(PYTHON_ROWS) >= 18
    assert [len(t) for t in BODY_TABLES] == [5, 5]
    assert len(YOUNGER_ROWS) >= 2


@pytest.mark.parametrize(("request_cell", "field", "message"), PYTHON_ROWS)
def test_the_python_api_gives_each_documented_message(
    request_cell: str, field: str, message: str
) -> None:
    with pytest.raises(RequestError) as info:
        api.diagnose(case_request(request_cell))
    assert (info.value.field, info.value.message) == (field, message)


@pytest.mark.parametrize(("request_cell", "field", "message"), PYTHON_ROWS)
def test_the_http_api_gives_the_python_apis_words(
    client: TestClient, request_cell: str, field: str, message: str
) -> None:
    for route in CASES:
        problem = only_problem(client.post(route, json=case_request(request_cell)))
        expected_field = "(body)" if field == "(request)" else field
        assert (problem["field"], problem["msg"]) == (expected_field, message), route


@pytest.mark.parametrize(("body", "media", "message"), BODY_TABLES[0])
def test_every_body_endpoint_explains_an_unreadable_body(
    client: TestClient, body: str, media: str, message: str
) -> None:
    routes = body_routes(client)
    assert set(CASES) | {PROGRESSION} <= set(routes)
    for route in routes:
        problem = only_problem(send(client, route, body, media))
        assert (problem["field"], problem["msg"]) == ("(body)", message), route


@pytest.mark.parametrize(("body", "media", "message"), BODY_TABLES[1])
def test_json_that_is_not_an_object_is_named(
    client: TestClient, body: str, media: str, message: str
) -> None:
    problem = only_problem(send(client, PROGRESSION, body, media))
    assert (problem["field"], problem["msg"]) == ("(body)", message)
    for route in CASES:  # in the Python API's words, as its table says
        problem = only_problem(send(client, route, body, media))
        assert problem["msg"] == "must be a JSON object with age, sex and evidence"


def test_bytes_that_are_not_utf8_are_named(client: TestClient) -> None:
    text = API_MD.read_text(encoding="utf-8")
    said = re.search(r'the single byte `0xFF`, say\) gets "([^"]+)"', " ".join(text.split()))
    assert said is not None
    for route in body_routes(client):
        response = client.post(route, content=b"\xff", headers={"content-type": "application/json"})
        assert (only_problem(response)["field"], only_problem(response)["msg"]) == (
            "(body)",
            said.group(1),
        )


@pytest.mark.parametrize(("request_cell", "field", "message"), YOUNGER_ROWS)
def test_an_age_under_the_youngest_served_is_refused_over_http(
    client: TestClient, kb: KnowledgeBase, request_cell: str, field: str, message: str
) -> None:
    request = json.loads(request_cell)
    for route in CASES:
        problem = only_problem(client.post(route, json=request))
        assert (problem["field"], problem["msg"]) == (field, message), route
    assert f"children under {kb.min_supported_age}" in message
    assert "clinician" in message
    assert api.triage(request)["triage_level"]  # the Python contract still assesses it


def test_the_youngest_age_served_is_the_knowledge_bases(
    client: TestClient, kb: KnowledgeBase
) -> None:
    youngest = kb.min_supported_age
    evidence = [{"id": "calf_pain", "choice_id": "present", "source": "initial"}]
    for route in CASES:
        younger = {"age": youngest - 1, "sex": "female", "evidence": evidence}
        assert only_problem(client.post(route, json=younger))["field"] == "age"
        served = {"age": {"value": youngest}, "sex": "female", "evidence": evidence}
        assert client.post(route, json=served).status_code == 200
    # A refusal comes first, before what else is wrong with the request.
    worse = {"age": youngest - 1, "sex": "other", "evidence": "none", "colour": "red"}
    assert only_problem(client.post(CASES[0], json=worse))["field"] == "age"


def test_another_youngest_age_moves_the_refusal_and_the_published_minimum(
    client: TestClient, kb: KnowledgeBase
) -> None:
    older = replace(kb, contract=kb.contract.model_copy(update={"min_supported_age": 16}))
    with pytest.raises(RequestError, match="children under 16"):
        refuse_younger({"age": 15, "sex": "male"}, older)
    refuse_younger({"age": 16, "sex": "male"}, older)
    refuse_younger({"age": 0, "sex": "male"}, older)  # the contract's own message says why
    document = publish(client.get("/openapi.json").json(), older)  # a copy, not the app's
    models = document["components"]["schemas"]
    assert models["AgeObject"]["properties"]["value"]["minimum"] == 16
    integer = next(b for b in models["V1Request"]["properties"]["age"]["anyOf"] if "type" in b)
    assert integer["minimum"] == 16


def test_the_published_minimum_age_is_the_knowledge_bases(
    client: TestClient, kb: KnowledgeBase
) -> None:
    models = client.get("/openapi.json").json()["components"]["schemas"]
    assert models["AgeObject"]["properties"]["value"]["minimum"] == kb.min_supported_age
    age = models["V1Request"]["properties"]["age"]
    assert f"children under {kb.min_supported_age}" in age["description"]
