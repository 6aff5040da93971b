"""Security and caching headers on every response, errors included; HSTS in production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from tests.web.forms import csrf_token

SECURITY = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data: Path = tmp_path_factory.mktemp("prod")
    settings = load_settings(data_dir=data, environment="production")
    upgrade(settings.database_url)
    app = create_app(settings)

    @app.get("/raise-for-test", include_in_schema=False)
    def _fail() -> Any:
        raise RuntimeError("an unexpected failure")

    with TestClient(app, raise_server_exceptions=False, base_url="https://testserver") as c:
        yield c


@pytest.mark.parametrize(
    "path",
    ["/assess", "/diary", "/rehab/plan", "/account", "/api/v1/rehab/plan", "/diary/export.json"],
)
def test_private_pages_are_never_stored(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.headers["cache-control"] == "no-store", (path, r.status_code)


def test_a_posted_result_is_never_stored(client: TestClient) -> None:
    token = csrf_token(client.get("/assess").text)
    r = client.post("/assess/about", data={"age": "40", "sex": "male", "csrf_token": token})
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/", "/conditions", "/static/css/calfcare.css", "/api/v1/conditions"]
)
def test_public_knowledge_may_be_cached(client: TestClient, path: str) -> None:
    assert client.get(path).headers.get("cache-control") != "no-store"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/no-such-page", 404),
        ("get", "/raise-for-test", 500),
        ("post", "/api/v1/diagnosis", 413),
    ],
)
def test_error_responses_carry_the_security_headers(
    production: TestClient, method: str, path: str, status: int
) -> None:
    body = {"content": b"x" * 200_000} if status == 413 else {}
    r = getattr(production, method)(path, **body)
    assert r.status_code == status
    for header in (*SECURITY, "strict-transport-security"):
        assert header in r.headers, (header, path)
    assert r.headers["cache-control"] == "no-store"


def test_hsts_only_in_production(client: TestClient, production: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/").headers
    assert production.get("/").headers["strict-transport-security"].startswith("max-age=")
