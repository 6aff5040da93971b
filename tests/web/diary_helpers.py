"""Shared by the diary web tests: an app on a fresh SQLite file, browsers, accounts, forms."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from calfcare.services import accounts
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from tests.web.forms import csrf_token

PASSWORD = "correct horse battery"
_addresses = itertools.count(1)

EPISODE = {
    "occurred_at": "2026-11-20T07:30",
    "leg": "left",
    "muscle": "calf",
    "duration": "1m30s",
    "severity": "6",
    "activity": "running",
    "session_load": "longer",
    "woke_from_sleep": "no",
    "temperature": "28",
    "humidity": "60",
    "fluid": "500",
    "carbohydrate_g": "20",
    "helped": "stretching",
    "notes": "hill reps",
}
SESSION = {
    "started_at": "2026-11-20T06:45",
    "activity": "running",
    "duration_min": "75",
    "intensity": "7",
    "distance": "12.5",
    "notes": "long run",
}


#: The web layer's clock in these tests, so that the dates in the forms stay "recent".
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_app(data: Path) -> FastAPI:
    settings = load_settings(data_dir=data, environment="test")
    upgrade(settings.database_url)
    app = create_app(settings)
    app.state.clock = lambda: NOW
    return app


def new_browser(app: FastAPI) -> TestClient:
    n = next(_addresses)
    return TestClient(app, client=(f"10.9.{n % 250}.{n // 250 + 1}", 50000))


def sign_up(
    client: TestClient, *, role: str = "person", units: str = "metric", name: str = "Alex Smith"
) -> str:
    email = f"d-{uuid.uuid4().hex[:10]}@example.com"
    page = client.get("/account/sign-up")
    r = client.post(
        "/account/sign-up",
        data={
            "display_name": name,
            "email": email,
            "password": PASSWORD,
            "role": role,
            "units": units,
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return email


def user_id(app: FastAPI, email: str) -> str:
    with app.state.ctx.sessions() as db:
        return accounts.account_by_email(db, email=email).id


def link(app: FastAPI, person: TestClient, clinician: TestClient) -> None:
    """Link a clinician to a person through the account pages, as they would."""
    page = person.get("/account")
    r = person.post("/account/link-code", data={"csrf_token": csrf_token(page.text)})
    code = re.search(r'id="link-code">([^<]+)<', r.text)
    assert code, r.text
    page = clinician.get("/account")
    r = clinician.post(
        "/account/link",
        data={"code": code.group(1), "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def submit(
    client: TestClient, url: str, data: dict[str, Any] | None = None, *, page: str, **kwargs: Any
) -> httpx.Response:
    """Post a form with the CSRF token of `page` (fetched first)."""
    html = client.get(page).text
    return client.post(
        url, data={**(data or {}), "csrf_token": csrf_token(html)}, follow_redirects=False, **kwargs
    )


def add_episode(client: TestClient, **changes: str) -> str:
    """Log an episode through the form; return its id (the newest on the diary page)."""
    r = submit(client, "/diary/episodes/new", {**EPISODE, **changes}, page="/diary/episodes/new")
    assert r.status_code == 303, r.text
    return newest_id(client, "episodes")


def add_session(client: TestClient, **changes: str) -> str:
    r = submit(client, "/diary/sessions/new", {**SESSION, **changes}, page="/diary/sessions/new")
    assert r.status_code == 303, r.text
    return newest_id(client, "sessions")


def newest_id(client: TestClient, kind: str) -> str:
    m = re.search(rf'href="/diary/{kind}/([0-9a-f]+)/edit"', client.get("/diary").text)
    assert m, f"no {kind} on the diary page"
    return m.group(1)


def error_summary(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(0))


def field_value(html: str, name: str) -> str | None:
    """The value a form shows for a field (input, textarea, checked radio, selected option)."""
    m = re.search(rf'<input[^>]* name="{name}"[^>]*value="([^"]*)"', html)
    if m and 'type="radio"' not in m.group(0):
        return m.group(1)
    m = re.search(rf'<input[^>]*type="radio" name="{name}" value="([^"]*)" checked', html)
    if m:
        return m.group(1)
    m = re.search(rf'<textarea[^>]* name="{name}"[^>]*>([^<]*)</textarea>', html)
    if m:
        return m.group(1)
    m = re.search(rf'<select id="{name}" name="{name}".*?</select>', html, re.S)
    if m:
        sel = re.search(r'<option value="([^"]*)" selected>', m.group(0))
        return sel.group(1) if sel else None
    return None
