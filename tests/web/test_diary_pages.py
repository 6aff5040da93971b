"""The diary in the browser (TestClient, SQLite): episodes and sessions, errors that keep what
was typed, units, insights with accessible charts, export and import, saving a result."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from calfcare.engine.insights import compute_insights
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import diary
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.storage.tables import SavedAssessment
from calfcare.web.app import create_app
from calfcare.web.insights_views import summary_lines
from tests.web.diary_helpers import (
    EPISODE,
    NOW,
    SESSION,
    add_episode,
    add_session,
    error_summary,
    field_value,
    make_app,
    new_browser,
    sign_up,
    submit,
    user_id,
)
from tests.web.forms import csrf_token, hidden, walk_to_result


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data: Path = tmp_path_factory.mktemp("diary")
    return make_app(data)


@pytest.fixture
def person(app: FastAPI) -> TestClient:
    client = new_browser(app)
    sign_up(client)
    return client


def stored_episodes(app: FastAPI, client: TestClient) -> list[diary.EpisodeRecord]:
    html = client.get("/account").text
    email = re.search(r"<dd>([^<@]+@example\.com)</dd>", html)
    assert email
    with app.state.ctx.sessions() as db:
        return diary.list_episodes(db, owner_id=user_id(app, email.group(1)))


# --- episodes -------------------------------------------------------------------------------


def test_create_edit_and_delete_an_episode(app: FastAPI, person: TestClient) -> None:
    html = person.get("/diary").text
    assert "You have not logged an episode yet" in html
    assert 'href="/diary/episodes/new"' in html
    assert ">Log an episode<" in html
    assert ">Log a session<" in html

    eid = add_episode(person)
    html = person.get("/diary?done=episode_added").text
    assert "The episode has been added" in html
    assert "Fri 20 Nov 2026, 07:30 UTC" in html
    assert "1 min 30 s" in html
    assert "severity 6 out of 10" in html
    assert "drank 500\u00a0ml" in html  # shown in millilitres, as typed
    assert "hill reps" in html
    [stored] = stored_episodes(app, person)
    assert stored.duration_s == 90
    assert stored.temperature_c == 28
    assert stored.fluid_l == 0.5
    assert stored.session_load == "longer"
    assert not stored.woke_from_sleep

    form = person.get(f"/diary/episodes/{eid}/edit").text
    for name, value in {
        "occurred_at": "2026-11-20T07:30",
        "leg": "left",
        "duration": "1 min 30 s",
        "severity": "6",
        "activity": "running",
        "session_load": "longer",
        "woke_from_sleep": "no",
        "temperature": "28",
        "fluid": "500",
        "notes": "hill reps",
    }.items():
        assert field_value(form, name) == value, name
    r = submit(
        person,
        f"/diary/episodes/{eid}/edit",
        {
            **EPISODE,
            "severity": "8",
            "woke_from_sleep": "yes",
            "temperature": "",
            "activity": "sleeping",
            "session_load": "",
        },
        page=f"/diary/episodes/{eid}/edit",
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/diary?done=episode_saved"
    [stored] = stored_episodes(app, person)
    assert (stored.severity, stored.woke_from_sleep, stored.activity) == (8, True, "sleeping")
    assert stored.temperature_c is None
    assert stored.session_load is None

    confirm = person.get(f"/diary/episodes/{eid}/delete")
    assert confirm.status_code == 200
    assert "Delete this episode?" in confirm.text
    assert stored_episodes(app, person)  # asking is not deleting
    r = person.post(
        f"/diary/episodes/{eid}/delete",
        data={"csrf_token": csrf_token(confirm.text)},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/diary?done=episode_deleted"
    assert stored_episodes(app, person) == []
    assert person.get(f"/diary/episodes/{eid}/edit").status_code == 404


def test_create_edit_and_delete_a_training_session(person: TestClient) -> None:
    sid = add_session(person)
    html = person.get("/diary").text
    assert "Running" in html
    assert "1 h 15 min" in html
    assert "12.50\u00a0km" in html
    r = submit(
        person,
        f"/diary/sessions/{sid}/edit",
        {**SESSION, "duration_min": "90"},
        page=f"/diary/sessions/{sid}/edit",
    )
    assert r.status_code == 303
    assert "1 h 30 min" in person.get("/diary").text
    r = submit(person, f"/diary/sessions/{sid}/delete", page=f"/diary/sessions/{sid}/delete")
    assert r.headers["location"] == "/diary?done=session_deleted"
    assert "You have not logged a training session yet" in person.get("/diary").text


def test_the_diary_is_paged_50_at_a_time(app: FastAPI, person: TestClient) -> None:
    html = person.get("/account").text
    email = re.search(r"<dd>([^<@]+@example\.com)</dd>", html)
    assert email
    owner = user_id(app, email.group(1))
    with app.state.ctx.sessions() as db, db.begin():
        for i in range(51):
            diary.create_episode(
                db,
                owner_id=owner,
                values={
                    "occurred_at": f"2026-01-01T00:{i:02d}" if i < 60 else "",
                    "leg": "left",
                    "duration_s": 60,
                    "severity": 3,
                    "activity": "resting",
                },
            )
    first = person.get("/diary").text
    assert first.count('class="record"') == 50
    assert "Older episodes" in first
    assert "Newer episodes" not in first
    second = person.get("/diary?page=2").text
    assert second.count('class="record"') == 1
    assert "Newer episodes" in second
    assert "Older episodes" not in second


# --- bad input keeps what was typed and names the field ---------------------------------------

BAD_EPISODE = {
    **EPISODE,
    "occurred_at": "yesterday",
    "leg": "",
    "duration": "forever",
    "severity": "eleven",
    "activity": "",
    "temperature": "hot",
    "humidity": "120",
    "fluid": "20 buckets",
    "carbohydrate_g": "-5",
    "notes": "kept <b>as typed</b>",
}


def test_bad_episode_input_is_named_and_kept(app: FastAPI, person: TestClient) -> None:
    r = submit(person, "/diary/episodes/new", BAD_EPISODE, page="/diary/episodes/new")
    assert r.status_code == 422
    assert "<title>Error: Log an episode" in r.text
    fields = [f for f, _ in error_summary(r.text)]
    assert fields == [
        "occurred_at",
        "leg",
        "duration",
        "severity",
        "activity",
        "temperature",
        "humidity",
        "fluid",
        "carbohydrate_g",
    ]
    for name in fields:  # each one also beside its field, and the field points at it
        assert f'id="{name}-error"' in r.text, name
        assert re.search(rf'id="{name}"[^>]*aria-describedby="[^"]*{name}-error', r.text), name
    for name in (
        "occurred_at",
        "duration",
        "severity",
        "temperature",
        "humidity",
        "fluid",
        "carbohydrate_g",
        "muscle",
        "helped",
    ):
        assert field_value(r.text, name) == BAD_EPISODE[name], name
    assert field_value(r.text, "session_load") == "longer"
    assert field_value(r.text, "notes") == "kept &lt;b&gt;as typed&lt;/b&gt;"
    assert stored_episodes(app, person) == []


def test_bad_input_on_the_edit_form_changes_nothing(app: FastAPI, person: TestClient) -> None:
    eid = add_episode(person)
    r = submit(
        person,
        f"/diary/episodes/{eid}/edit",
        {**EPISODE, "severity": "99"},
        page=f"/diary/episodes/{eid}/edit",
    )
    assert r.status_code == 422
    assert error_summary(r.text) == [
        ("severity", "Must be a whole number from 0 to 10 (got &#39;99&#39;)")
    ]
    assert field_value(r.text, "severity") == "99"
    assert f'action="/diary/episodes/{eid}/edit"' in r.text
    assert stored_episodes(app, person)[0].severity == 6


def test_bad_session_input_is_named_and_kept(person: TestClient) -> None:
    bad = {
        "started_at": "",
        "activity": "sleeping",
        "duration_min": "1.5",
        "intensity": "0",
        "distance": "-3",
        "notes": "kept",
    }
    r = submit(person, "/diary/sessions/new", bad, page="/diary/sessions/new")
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == [
        "started_at",
        "activity",
        "duration_min",
        "intensity",
        "distance",
    ]
    assert (
        dict(error_summary(r.text))["started_at"] == "Enter the date and time the session started"
    )
    for name in ("duration_min", "intensity", "distance", "notes"):
        assert field_value(r.text, name) == bad[name], name
    assert "You have not logged a training session yet" in person.get("/diary").text


def test_bad_import_names_row_and_field_and_imports_nothing(
    app: FastAPI, person: TestClient
) -> None:
    add_episode(person)
    csv_text = (
        "occurred_at,leg,duration_s,severity,activity\n"
        "2026-11-01T07:00,left,60,3,running\n"
        "2026-11-02T07:00,sideways,60,12,running\n"
    )
    r = submit(
        person,
        "/diary/import",
        page="/diary/import",
        files={"file": ("episodes.csv", csv_text.encode(), "text/csv")},
    )
    assert r.status_code == 422
    assert "Nothing was imported" in r.text
    assert "episodes.csv row 3, leg: Must be left, right or both" in r.text
    assert "episodes.csv row 3, severity" in r.text
    assert len(stored_episodes(app, person)) == 1
    r = submit(
        person,
        "/diary/import",
        page="/diary/import",
        files={"file": ("x.json", b"{not json", "application/json")},
    )
    assert r.status_code == 422
    assert "Not valid JSON" in r.text
    r = submit(person, "/diary/import", page="/diary/import")
    assert r.status_code == 422
    assert "Choose a file to import" in r.text


def test_a_crafted_import_is_refused_and_exports_keep_working(
    app: FastAPI, person: TestClient
) -> None:
    """A lone surrogate in a saved result was once stored, and every export then failed."""
    doc = {
        "format": diary.FORMAT,
        "saved_assessments": [
            {
                "request": {
                    "age": 40,
                    "sex": "female",
                    "evidence": [{"id": "calf_pain", "choice_id": "present", "source": "\ud800"}],
                },
                "triage_level": "self_care",
                "top_condition": "calf_muscle_strain",
                "kb_version": "636bb5cc87a47d90",
            }
        ],
    }
    r = submit(
        person,
        "/diary/import",
        page="/diary/import",
        files={"file": ("diary.json", json.dumps(doc).encode(), "application/json")},
    )
    assert r.status_code == 422
    assert (
        "saved_assessments[0].request.evidence[0].source: Must not contain invalid "
        "characters" in r.text
    )
    for kind in ("json", "csv"):
        assert person.get(f"/diary/export?format={kind}").status_code == 200


def test_text_stored_before_it_was_refused_still_exports(app: FastAPI, person: TestClient) -> None:
    html = person.get("/account").text
    email = re.search(r"<dd>([^<@]+@example\.com)</dd>", html)
    assert email
    with app.state.ctx.sessions() as db, db.begin():
        db.add(
            SavedAssessment(
                id="f" * 32,
                user_id=user_id(app, email.group(1)),
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
                triage_level="self_care",
                top_condition="calf_muscle_strain",
                kb_version="x",
                request={"age": 40, "note": "\ud800"},
            )
        )
    r = person.get("/diary/export?format=json")
    assert r.status_code == 200
    assert json.loads(r.content)["saved_assessments"][0]["request"]["note"] == "\ud800"
    assert person.get("/diary/export?format=csv").status_code == 200


def test_an_import_over_its_own_limit_is_a_413_naming_the_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("limit"),
        environment="test",
        max_body_bytes=1024 * 1024,
        max_import_bytes=64 * 1024,
    )
    upgrade(settings.database_url)
    small = create_app(settings)
    client = new_browser(small)
    sign_up(client)
    r = submit(
        client,
        "/diary/import",
        page="/diary/import",
        files={"file": ("diary.json", b" " * (64 * 1024 + 1), "application/json")},
    )
    assert r.status_code == 413
    assert "The file is larger than 64 KiB" in r.text
    assert "Nothing was imported" in r.text


def test_an_export_over_the_body_limit_imports_again(app: FastAPI, person: TestClient) -> None:
    html = person.get("/account").text
    email = re.search(r"<dd>([^<@]+@example\.com)</dd>", html)
    assert email
    with app.state.ctx.sessions() as db, db.begin():
        for i in range(300):
            diary.create_episode(
                db,
                owner_id=user_id(app, email.group(1)),
                values={
                    "occurred_at": f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}",
                    "leg": "left",
                    "duration_s": 60 + i,
                    "severity": 3,
                    "activity": "resting",
                    "notes": "x" * 200,
                },
                now=NOW,
            )
    exported = person.get("/diary/export?format=json").content
    assert len(exported) > 64 * 1024
    other = new_browser(app)
    sign_up(other)
    r = submit(
        other,
        "/diary/import",
        page="/diary/import",
        files={"file": ("diary.json", exported, "application/json")},
    )
    assert r.status_code == 200, r.text[:300]
    assert "Imported 300 episodes" in r.text


# --- units ----------------------------------------------------------------------------------


def test_imperial_units_round_trip(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client, units="imperial")
    form = client.get("/diary/episodes/new").text
    assert "Air temperature (°F)" in form
    assert "(fl oz)" in form
    assert "In US fluid ounces" in form
    eid = add_episode(client, temperature="86", fluid="16.9")
    [stored] = stored_episodes(app, client)
    assert stored.temperature_c == pytest.approx(30.0)
    assert stored.fluid_l == pytest.approx(0.5, abs=1e-3)
    edit = client.get(f"/diary/episodes/{eid}/edit").text
    assert field_value(edit, "temperature") == "86"
    assert field_value(edit, "fluid") == "16.9"
    assert "86.0\u00a0°F" in client.get("/diary").text
    assert "drank 16.9\u00a0fl\u00a0oz" in client.get("/diary").text
    # A unit typed with the number wins over the setting.
    r = submit(
        client,
        f"/diary/episodes/{eid}/edit",
        {**EPISODE, "temperature": "30C", "fluid": "500 ml"},
        page=f"/diary/episodes/{eid}/edit",
    )
    assert r.status_code == 303
    [stored] = stored_episodes(app, client)
    assert stored.temperature_c == pytest.approx(30.0)
    assert stored.fluid_l == pytest.approx(0.5)
    # Out of range, said in the person's units.
    r = submit(
        client,
        f"/diary/episodes/{eid}/edit",
        {**EPISODE, "temperature": "200", "fluid": "16.9"},
        page=f"/diary/episodes/{eid}/edit",
    )
    assert error_summary(r.text) == [
        ("temperature", "Enter the air temperature from -22 °F to 131 °F")
    ]
    sid = add_session(client, distance="6.2")
    assert "6.20\u00a0mi" in client.get("/diary").text
    assert field_value(client.get(f"/diary/sessions/{sid}/edit").text, "distance") == "6.2"


def test_fluid_is_typed_and_shown_in_millilitres_and_stored_in_litres(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client)
    form = client.get("/diary/episodes/new").text
    assert "the 2 hours before (ml)" in form
    assert "In millilitres" in form
    eid = add_episode(client, fluid="750")
    [stored] = stored_episodes(app, client)
    assert stored.fluid_l == pytest.approx(0.75)
    assert field_value(client.get(f"/diary/episodes/{eid}/edit").text, "fluid") == "750"
    assert "drank 750\u00a0ml" in client.get("/diary").text
    # Litres where millilitres are expected: refused, saying what to type; nothing changes.
    page = f"/diary/episodes/{eid}/edit"
    r = submit(client, page, {**EPISODE, "fluid": "0.5"}, page=page)
    assert r.status_code == 422
    assert error_summary(r.text) == [
        (
            "fluid",
            "Enter how much you drank in millilitres: 0.5 ml is hardly a sip; "
            "for 0.5 litres type 500 (or 0.5 L)",
        )
    ]
    assert field_value(r.text, "fluid") == "0.5"
    assert stored_episodes(app, client)[0].fluid_l == pytest.approx(0.75)
    # A unit typed with the number is taken as typed.
    for typed, litres in (("0.5 L", 0.5), ("5 ml", 0.005), ("0", 0.0), ("1.5 litres", 1.5)):
        r = submit(client, page, {**EPISODE, "fluid": typed}, page=page)
        assert r.status_code == 303, typed
        assert stored_episodes(app, client)[0].fluid_l == pytest.approx(litres), typed
    # A small amount kept shows its unit, so that the form saved unchanged is not refused.
    submit(client, page, {**EPISODE, "fluid": "5 ml"}, page=page)
    assert field_value(client.get(page).text, "fluid") == "5 ml"
    r = submit(client, page, {**EPISODE, "fluid": "5 ml"}, page=page)
    assert r.status_code == 303
    r = submit(client, page, {**EPISODE, "fluid": "12000"}, page=page)
    assert error_summary(r.text) == [("fluid", "Enter how much you drank from 0 ml to 10000 ml")]


def test_imperial_fluid_in_millilitres_by_mistake_is_caught(app: FastAPI) -> None:
    client = new_browser(app)
    sign_up(client, units="imperial")
    r = submit(
        client, "/diary/episodes/new", {**EPISODE, "fluid": "500"}, page="/diary/episodes/new"
    )
    assert r.status_code == 422
    assert error_summary(r.text) == [
        (
            "fluid",
            "Enter how much you drank in US fluid ounces: 500 fl oz is more than 10 litres; "
            "if you meant millilitres, type 500 ml",
        )
    ]
    assert stored_episodes(app, client) == []


# --- dates and times --------------------------------------------------------------------------


def test_the_date_field_is_the_browsers_picker_with_a_hint_in_words(person: TestClient) -> None:
    for page, name in (
        ("/diary/episodes/new", "occurred_at"),
        ("/diary/sessions/new", "started_at"),
    ):
        form = person.get(page).text
        field = re.search(rf'<input[^>]* name="{name}"[^>]*>', form)
        assert field
        assert 'type="datetime-local"' in field.group(0)
        assert field_value(form, name) == "2026-11-25T12:00"  # now, in the person's zone
        hint = re.search(rf'<p class="hint" id="{name}-hint">([^<]*)</p>', form)
        assert hint
        assert hint.group(1) == "Choose the date and time it started, in your time zone (UTC)."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-11-20T07:30", "2026-11-20T07:30:00+00:00"),  # what the picker sends
        ("2026-11-20T07:30:15", "2026-11-20T07:30:15+00:00"),  # with seconds
        ("2026-11-20 07:30", "2026-11-20T07:30:00+00:00"),  # typed in a plain text box
        (" 2026-11-25T13:00 ", "2026-11-25T13:00:00+00:00"),  # within the hour ahead
    ],
)
def test_a_date_and_time_round_trips(
    app: FastAPI, person: TestClient, typed: str, stored: str
) -> None:
    eid = add_episode(person, occurred_at=typed)
    [episode] = stored_episodes(app, person)
    assert episode.occurred_at.isoformat() == stored
    shown = field_value(person.get(f"/diary/episodes/{eid}/edit").text, "occurred_at")
    assert shown == stored[:16]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the date and time the cramp started"),
        ("2026-02-30T07:30", "REAL"),
        ("25/11/2026 07:30", "REAL"),
        ("2026-11-20", "REAL"),
        ("yesterday", "REAL"),
        ("٢٠٢٦-11-20T07:30", "REAL"),
        ("0001-01-01T00:00", "Enter a date in 1900 or later for when the cramp started"),
        ("1899-12-31T23:59", "Enter a date in 1900 or later for when the cramp started"),
        ("2026-11-25T13:30", "Enter a date and time in the past for when the cramp started"),
    ],
)
def test_a_bad_date_is_named_and_kept(
    app: FastAPI, person: TestClient, typed: str, message: str
) -> None:
    if message == "REAL":
        message = (
            "Enter a real date and time for when the cramp started: pick it, or type it as "
            "year-month-day and hours:minutes, such as 2026-11-25 07:30"
        )
    r = submit(
        person, "/diary/episodes/new", {**EPISODE, "occurred_at": typed}, page="/diary/episodes/new"
    )
    assert r.status_code == 422
    assert error_summary(r.text) == [("occurred_at", message)]
    assert field_value(r.text, "occurred_at") == typed
    assert stored_episodes(app, person) == []


def test_a_bad_session_date_names_the_session(person: TestClient) -> None:
    sid = add_session(person, started_at="2026-11-20 06:45")
    edit = person.get(f"/diary/sessions/{sid}/edit").text
    assert field_value(edit, "started_at") == "2026-11-20T06:45"
    r = submit(
        person,
        f"/diary/sessions/{sid}/edit",
        {**SESSION, "started_at": "2026-13-01T07:00"},
        page=f"/diary/sessions/{sid}/edit",
    )
    assert r.status_code == 422
    [(field, message)] = error_summary(r.text)
    assert field == "started_at"
    assert message.startswith("Enter a real date and time for when the session started")
    assert field_value(person.get(f"/diary/sessions/{sid}/edit").text, "started_at") == (
        "2026-11-20T06:45"
    )


# --- insights -------------------------------------------------------------------------------


def chart_section(html: str, title: str) -> str:
    """The section of the insights page that holds the chart headed `title`."""
    m = re.search(
        rf'<section class="chart-block"[^>]*>\s*<h2[^>]*>{re.escape(title)}</h2>.*?</section>',
        html,
        re.S,
    )
    assert m, f"no chart headed {title!r}"
    return m.group(0)


def table_rows(html: str, title: str) -> list[tuple[str, str]]:
    """The rows of the table behind the chart headed `title`."""
    return re.findall(
        r'<tr><td>([^<]*)</td><td class="num">([^<]*)</td></tr>', chart_section(html, title)
    )


def test_insights_start_with_a_summary_then_charts_with_their_tables_folded(
    person: TestClient,
) -> None:
    add_episode(person)
    add_episode(
        person,
        occurred_at="2026-11-21T02:10",
        activity="sleeping",
        woke_from_sleep="yes",
        session_load="",
    )
    html = person.get("/diary/insights").text
    charts = re.findall(r'<svg class="chart".*?</svg>', html, re.S)
    assert len(charts) == 3
    for svg in charts:
        assert 'role="img"' in svg
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{chart_id}-desc">[^<]+</desc>', svg)
    # The summary comes first, in plain sentences; then the circumstances; then the charts.
    assert html.index('id="h-summary"') < html.index('id="h-circumstances"')
    assert html.index('id="h-circumstances"') < html.index('<svg class="chart"')
    for sentence in (
        "2 episodes in the last 12 months (since 1 December 2025).",
        "2 episodes in the last 4 weeks, up from 0 in the 4 weeks before.",
        "Half lasted 1 min 30 s or less",
        "In a longer or harder session than usual: 1 of 2 episodes (50%).",
        "In heat: 2 of 2 episodes (100%).",
    ):
        assert sentence in html, sentence
    assert "Without fuel:" not in html  # a circumstance that never came up is not listed
    assert "chart-shares" not in html  # their list says it all: no chart repeats it
    # Each chart's numbers are a table, folded under "Show as a table": no list repeats them.
    assert html.count('<details class="details chart-details"') == html.count("<table") == 3
    for section in re.findall(r'<section class="chart-block".*?</section>', html, re.S):
        assert re.search(r"<details[^>]*>\s*<summary>Show as a table.*<table", section, re.S)
    assert "chart-facts" not in html
    assert "<li>Night: 1</li>" not in html
    # Only the weeks and times with episodes have a row: no table of zeros.
    assert table_rows(html, "Episodes per week") == [("16 Nov", "2")]
    assert "No episodes in the other 11 weeks." in chart_section(html, "Episodes per week")
    assert table_rows(html, "By time of day") == [("Night (0–6 h)", "1"), ("Morning (6–12 h)", "1")]
    assert table_rows(html, "By activity") == [("Running", "1"), ("Sleeping", "1")]
    assert '<td class="num">0</td>' not in html
    desc = re.search(r'<desc id="chart-weeks-desc">([^<]+)</desc>', html)
    assert desc
    assert desc.group(1) == (
        "2 episodes in the last 12 weeks: week of 16 Nov: 2; no episodes in the other 11 weeks."
    )


def test_insights_name_the_reasons_to_see_a_doctor_in_the_summary(person: TestClient) -> None:
    add_episode(person, duration="12m")
    html = person.get("/diary/insights").text
    summary = re.search(r'<section class="insight-summary".*?</section>', html, re.S)
    assert summary
    assert re.search(
        r"<strong>A cramp that lasted longer than 10 minutes:</strong> "
        r'get seen by a doctor within 24 hours\. <a href="#prompt-cramp_longer_than_10_minutes">',
        summary.group(0),
    )
    # The card with the criterion and its source follows the summary, before the charts.
    card = html.index('id="prompt-cramp_longer_than_10_minutes"')
    assert html.index('id="h-summary"') < card < html.index('<svg class="chart"')
    assert html.count('id="prompt-cramp_longer_than_10_minutes"') == 1


def test_the_summary_says_what_recurs_and_the_trend(person: TestClient) -> None:
    # 4 episodes at night within a month: regular cramps; 1 in the 4 weeks before.
    for day in ("2026-10-20", "2026-11-02", "2026-11-10", "2026-11-18", "2026-11-24"):
        add_episode(person, occurred_at=f"{day}T03:00", activity="sleeping", session_load="")
    html = person.get("/diary/insights").text
    summary = re.search(r'<section class="insight-summary".*?</section>', html, re.S)
    assert summary
    lines = re.findall(r"<li[^>]*>(.*?)</li>", summary.group(0), re.S)
    assert lines[0].startswith(
        "<strong>Regular cramps:</strong> make an appointment with a GP or physiotherapist."
    )
    assert lines[1:] == [
        "5 episodes in the last 12 months (since 1 December 2025).",
        "4 episodes in the last 4 weeks, up from 1 in the 4 weeks before.",
        "Most often at night (5 of 5).",
        "Most often while sleeping (5 of 5).",
        "Half lasted 1 min 30 s or less, and half had a severity of 6 out of 10 or less.",
    ]


def test_the_summary_starts_the_period_on_the_local_first_of_the_month(kb: KnowledgeBase) -> None:
    """East of UTC the period starts the evening before in UTC: the date said is local."""
    ins = compute_insights([], [], rules=kb.diary_rules, now=NOW, utc_offset=timedelta(hours=1))
    assert ins.period_start.day == 30  # 30 November 2025, 23:00 UTC
    assert summary_lines(ins) == ["No episodes in the last 12 months (since 1 December 2025)."]


def test_insights_of_an_empty_or_quiet_diary_show_no_zeros(person: TestClient) -> None:
    html = person.get("/diary/insights").text
    assert "No episodes in the last 12 months (since 1 December 2025)." in html
    assert '<svg class="chart"' not in html
    assert "<table" not in html
    assert 'href="/diary/episodes/new">Log your episodes</a>' in html
    # One episode months ago: the year's charts, a sentence instead of 12 empty weeks.
    add_episode(person, occurred_at="2026-06-10T18:00")
    html = person.get("/diary/insights").text
    assert "1 episode in the last 12 months" in html
    assert "No episodes in the last 8 weeks." in html
    assert len(re.findall(r'<svg class="chart"', html)) == 2
    assert "No episodes in the last 12 weeks." in chart_section(html, "Episodes per week")
    assert table_rows(html, "By time of day") == [("Evening (18–24 h)", "1")]
    assert "No episodes at the other times of day." in html
    assert '<td class="num">0</td>' not in html
    assert "Most often" not in html  # one episode is no pattern


def test_doctor_prompts_show_the_criterion_and_source(person: TestClient) -> None:
    add_episode(person, duration="12m")
    for page in ("/diary", "/diary/insights"):
        html = person.get(page).text
        assert "A cramp that lasted longer than 10 minutes" in html, page
        assert "An episode longer than 10 minutes in the last 30 days" in html, page
        assert "The longest lasted 12 minutes" in html, page
        assert "Source: NHS" in html, page
        assert "care-card-urgent" in html, page


# --- export and import ----------------------------------------------------------------------


def test_export_then_import_json_and_csv(app: FastAPI, person: TestClient) -> None:
    add_episode(person)
    add_session(person)
    r = person.get("/diary/export?format=json")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-disposition"].startswith("attachment;")
    doc = json.loads(r.text)
    assert len(doc["episodes"]) == 1
    assert len(doc["training_sessions"]) == 1
    zipped = person.get("/diary/export?format=csv")
    assert zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
        assert sorted(zf.namelist()) == sorted(diary.CSV_FILES)
    assert person.get("/diary/export?format=xml").status_code == 404

    other = new_browser(app)
    sign_up(other)
    r = submit(
        other,
        "/diary/import",
        page="/diary/import",
        files={"file": ("diary.json", r.content, "application/json")},
    )
    assert r.status_code == 200
    assert "Imported 1 episode, 1 training session and 0 saved results" in r.text
    assert "hill reps" in other.get("/diary").text
    # The zip adds nothing new: every record is already there.
    r = submit(
        other,
        "/diary/import",
        page="/diary/import",
        files={"file": ("diary.zip", zipped.content, "application/zip")},
    )
    assert "Imported 0 episodes" in r.text
    assert "2 records were already in your diary" in r.text
    assert len(stored_episodes(app, other)) == 1


# --- saving an assessment result --------------------------------------------------------------


def _result_state(client: TestClient) -> tuple[str, str]:
    """Run the interview to the result page; return its HTML and state."""
    html = walk_to_result(client).text
    state = hidden(html, "state")
    assert state
    return html, state


def test_a_signed_in_person_can_save_a_result(app: FastAPI, person: TestClient) -> None:
    html, state = _result_state(person)
    assert ">Save this result to my diary</button>" in html
    assert "Sign in to save" not in html
    assert "Saved results" not in person.get("/diary").text  # nothing stored by itself
    r = person.post(
        "/diary/assessments",
        data={"state": state, "csrf_token": csrf_token(html)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert re.fullmatch(r"/diary/assessments/[0-9a-f]{32}\?done=saved", r.headers["location"])
    assert "The result has been saved" in person.get(r.headers["location"]).text
    assert "Saved results" in person.get("/diary").text
    doc = json.loads(person.get("/diary/export?format=json").text)
    [saved] = doc["saved_assessments"]
    assert saved["request"]["age"] == 35
    assert saved["kb_version"] == app.state.ctx.kb.content_hash
    r = person.post("/diary/assessments", data={"state": "garbage", "csrf_token": csrf_token(html)})
    assert r.status_code == 400
    diary_page = person.get("/diary").text
    action = re.search(r'action="(/diary/assessments/[0-9a-f]+/delete)"', diary_page)
    assert action
    r = person.post(
        action.group(1), data={"csrf_token": csrf_token(diary_page)}, follow_redirects=False
    )
    assert r.headers["location"] == "/diary?done=assessment_deleted"
    assert json.loads(person.get("/diary/export?format=json").text)["saved_assessments"] == []


def test_signed_out_people_are_only_told_to_sign_in(app: FastAPI) -> None:
    client = new_browser(app)
    html, _ = _result_state(client)
    assert "Sign in to save" in html
    assert 'action="/diary/assessments"' not in html


# --- time zones -----------------------------------------------------------------------------


def test_times_are_typed_shown_and_analysed_in_the_persons_time_zone(
    app: FastAPI, person: TestClient
) -> None:
    r = submit(person, "/account/time-zone", {"time_zone": "Mars/Olympus"}, page="/account")
    assert r.status_code == 422
    assert error_summary(r.text) == [
        ("time_zone", "Enter a time zone from the list, like Europe/London or America/New_York")
    ]
    assert field_value(r.text, "time_zone") == "Mars/Olympus"
    r = submit(person, "/account/time-zone", {"time_zone": "America/New_York"}, page="/account")
    assert r.status_code == 303
    assert "Your time zone has been saved" in person.get(r.headers["location"]).text

    form = person.get("/diary/episodes/new").text
    assert "in your time zone (America/New_York)" in form
    assert field_value(form, "occurred_at") == "2026-11-25T07:00"  # NOW (12:00 UTC) in New York
    eid = add_episode(person, occurred_at="2026-11-20T23:30")
    [stored] = stored_episodes(app, person)
    assert stored.occurred_at.isoformat() == "2026-11-21T04:30:00+00:00"  # EST is UTC-5

    html = person.get("/diary").text
    assert "Fri 20 Nov 2026, 23:30 EST" in html
    assert "04:30" not in html
    assert "America/New_York" in html
    assert (
        field_value(person.get(f"/diary/episodes/{eid}/edit").text, "occurred_at")
        == "2026-11-20T23:30"
    )

    html = person.get("/diary/insights").text
    assert "Episodes by time of day (America/New_York)" in html
    assert table_rows(html, "By time of day") == [("Evening (18–24 h)", "1")]
    assert "Night (0–6 h)" not in html  # 04:30 UTC would have been night
