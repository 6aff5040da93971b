"""`calfcare diary`, driven as a self-hoster would, on a SQLite database in a temporary folder."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from calfcare.cli import app
from calfcare.settings import load_settings
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import downgrade, upgrade
from calfcare.storage.tables import User

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CALFCARE_DATA_DIR": str(tmp_path / "data"),
        "CALFCARE_DATABASE_URL": "",
        "CALFCARE_USER": "",
    }


def add_user(env: dict[str, str], email: str, units: str = "metric") -> None:
    url = load_settings(data_dir=Path(env["CALFCARE_DATA_DIR"])).database_url
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s:
        s.add(
            User(
                id=uuid.uuid4().hex,
                email=email,
                display_name=email.split("@")[0].title(),
                password_hash="x",
                role="person",
                units=units,
                created_at=datetime.now(UTC),
            )
        )
        s.commit()
    engine.dispose()


def ago(**kw: float) -> str:
    return (datetime.now(UTC) - timedelta(**kw)).isoformat()


def test_diary_is_listed_in_help() -> None:
    out = runner.invoke(app, ["--help"])
    assert "diary" in out.output
    out = runner.invoke(app, ["diary", "--help"])
    for cmd in ("add", "list", "insights", "export", "import"):
        assert cmd in out.output


def test_an_empty_database_gets_the_schema_and_an_unknown_user_is_explained(
    env: dict[str, str],
) -> None:
    out = runner.invoke(app, ["diary", "list", "--user", "ghost@example.org"], env=env)
    assert out.exit_code == 1
    assert "Created the database schema" in out.output
    assert "No account with the email ghost@example.org" in out.output
    assert "Traceback" not in out.output
    out = runner.invoke(app, ["diary", "list"], env=env)
    assert out.exit_code == 2
    assert "--user" in out.output


def test_an_old_schema_asks_for_db_upgrade(env: dict[str, str]) -> None:
    add_user(env, "alex@example.org")
    url = load_settings(data_dir=Path(env["CALFCARE_DATA_DIR"])).database_url
    downgrade(url, "base")
    out = runner.invoke(app, ["diary", "list", "--user", "alex@example.org"], env=env)
    assert out.exit_code == 1
    assert "calfcare db upgrade" in out.output


def test_add_names_each_bad_option(env: dict[str, str]) -> None:
    add_user(env, "alex@example.org")
    env = {**env, "CALFCARE_USER": "alex@example.org"}
    out = runner.invoke(
        app,
        [
            "diary",
            "add",
            "--when",
            "yesterday",
            "--leg",
            "middle",
            "--duration",
            "2x",
            "--severity",
            "11",
            "--activity",
            "chess",
            "--load",
            "huge",
            "--temp",
            "300K",
            "--humidity",
            "120",
            "--fluid",
            "a lot",
            "--carbs",
            "600",
        ],
        env=env,
    )
    assert out.exit_code == 2
    for option in (
        "--when",
        "--leg",
        "--duration",
        "--severity",
        "--activity",
        "--load",
        "--temp",
        "--humidity",
        "--fluid",
        "--carbs",
    ):
        assert f"{option}: " in out.output, option
    assert "Nothing was saved." in out.output
    out = runner.invoke(app, ["diary", "add", "--duration", "2m"], env=env)
    assert out.exit_code == 2
    assert "Missing option '--leg'" in out.output  # required, and marked so in --help
    out = runner.invoke(
        app,
        [
            "diary",
            "add",
            "--leg",
            "left",
            "--duration",
            "90",
            "--severity",
            "3",
            "--activity",
            "running",
            "--when",
            ago(hours=-3),
        ],
        env=env,
    )
    assert out.exit_code == 2
    assert "--when: Cannot be more than 1 hour in the future." in out.output
    out = runner.invoke(app, ["diary", "list"], env=env)
    assert "The diary is empty" in out.output


def test_add_list_insights_export_import(env: dict[str, str], tmp_path: Path) -> None:
    add_user(env, "alex@example.org", units="imperial")
    add_user(env, "sam@example.org")
    user = ["--user", "alex@example.org"]
    out = runner.invoke(
        app,
        [
            "diary",
            "add",
            *user,
            "--leg",
            "left",
            "--duration",
            "2m",
            "--severity",
            "6",
            "--activity",
            "running",
            "--load",
            "harder",
            "--temp",
            "86",
            "--humidity",
            "60%",
            "--fluid",
            "16oz",
            "--carbs",
            "0g",
            "--helped",
            "stretching",
            "--notes",
            "last 5 km",
            "--when",
            ago(hours=2),
        ],
        env=env,
    )
    assert out.exit_code == 0, out.output
    assert "Saved:" in out.output
    assert "2 min" in out.output
    for days in (1, 3, 5):
        out = runner.invoke(
            app,
            [
                "diary",
                "add",
                *user,
                "--leg",
                "right",
                "--duration",
                "12m",
                "--severity",
                "8",
                "--activity",
                "sleeping",
                "--woke",
                "--when",
                ago(days=days),
            ],
            env=env,
        )
        assert out.exit_code == 0, out.output
    assert "Worth seeing a doctor: Regular cramps" in out.output

    out = runner.invoke(app, ["diary", "list", *user], env=env)
    assert out.exit_code == 0, out.output
    assert "86 °F" in out.output  # shown in the person's units
    assert "last 5 km" in out.output
    out = runner.invoke(app, ["diary", "list", *user, "--format", "json"], env=env)
    episodes = json.loads(out.output)
    assert len(episodes) == 4
    stored = next(e for e in episodes if e["leg"] == "left")
    assert stored["temperature_c"] == pytest.approx(30.0)  # stored in SI
    assert stored["fluid_l"] == pytest.approx(0.473176)

    out = runner.invoke(app, ["diary", "insights", *user, "--utc-offset", "+00:00"], env=env)
    assert out.exit_code == 0, out.output
    text = out.output
    for expected in (
        "Episodes per week",
        "█",
        "Night (00-06)",
        "By activity",
        "sleeping",
        "In a longer or harder session than usual: 1 of 4 (25%)",
        "In heat: 1 of 4 (25%)",
        "Regular cramps",
        "Criterion: 4 or more episodes in the last 30 days",
        "Cramps that disturb your sleep",
        "A cramp that lasted longer than 10 minutes",
        "Source: NHS. Leg cramps. NHS website (nhs.uk). 2025.",
        "Median duration 12 min",
    ):
        assert expected in text, expected
    out = runner.invoke(app, ["diary", "insights", *user, "--format", "json"], env=env)
    doc = json.loads(out.output)
    assert doc["total"] == 4
    assert {p["id"] for p in doc["prompts"]} == {
        "regular_cramps",
        "cramps_disturb_sleep",
        "cramp_longer_than_10_minutes",
    }
    out = runner.invoke(app, ["diary", "insights", *user, "--utc-offset", "+25:00"], env=env)
    assert out.exit_code == 2
    assert "--utc-offset" in out.output

    # Export both ways, then import into another account: everything, and only once.
    json_path = tmp_path / "out" / "diary.json"
    out = runner.invoke(
        app, ["diary", "export", *user, "--format", "json", "--out", str(json_path)], env=env
    )
    assert out.exit_code == 0, out.output
    assert len(json.loads(json_path.read_text())["episodes"]) == 4
    csv_dir = tmp_path / "csv"
    out = runner.invoke(
        app, ["diary", "export", *user, "--format", "csv", "--out", str(csv_dir)], env=env
    )
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in csv_dir.iterdir()) == [
        "episodes.csv",
        "saved_assessments.csv",
        "training_sessions.csv",
    ]
    assert (csv_dir / "episodes.csv").read_text().count("\n") == 5  # header + 4 rows

    sam = {**env, "CALFCARE_USER": "sam@example.org"}
    out = runner.invoke(app, ["diary", "import", str(csv_dir)], env=sam)
    assert out.exit_code == 0, out.output
    assert "Imported 4 episode(s)" in out.output
    out = runner.invoke(app, ["diary", "import", str(json_path)], env=sam)
    assert out.exit_code == 0, out.output
    assert "Imported 0 episode(s)" in out.output
    assert "4 already in the diary" in out.output
    out = runner.invoke(
        app, ["diary", "export", "--format", "xml", "--out", str(tmp_path / "x")], env=sam
    )
    assert out.exit_code == 2
    assert "--format" in out.output


def test_a_bad_import_names_the_row_and_imports_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_user(env, "alex@example.org")
    env = {**env, "CALFCARE_USER": "alex@example.org"}
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "episodes.csv").write_text(
        "occurred_at,leg,duration_s,severity,activity\n"
        f"{ago(days=1)},left,60,5,running\n"
        f"{ago(days=2)},left,60,eleven,running\n"
    )
    out = runner.invoke(app, ["diary", "import", str(folder)], env=env)
    assert out.exit_code == 2
    assert "episodes.csv row 3, severity: Must be a whole number from 0 to 10" in out.output
    assert "Nothing was imported." in out.output
    out = runner.invoke(app, ["diary", "list"], env=env)
    assert "The diary is empty" in out.output


def test_fluid_is_in_millilitres_for_metric_and_a_litres_slip_is_refused(
    env: dict[str, str],
) -> None:
    add_user(env, "kim@example.org")
    base = ["diary", "add", "--user", "kim@example.org", "--leg", "left", "--duration", "90"]
    base += ["--severity", "4", "--activity", "running"]
    out = runner.invoke(app, [*base, "--fluid", "0.5"], env=env)
    assert out.exit_code == 2
    assert "--fluid: A bare number is in millilitres: 0.5 ml is hardly a sip" in out.output
    assert "type 500 (or 0.5 L)" in out.output
    assert "Nothing was saved." in out.output
    for typed in ("500", "0.5L", "500 ml"):
        out = runner.invoke(app, [*base, "--fluid", typed, "--when", ago(hours=1)], env=env)
        assert out.exit_code == 0, out.output
    out = runner.invoke(
        app, ["diary", "list", "--user", "kim@example.org", "--format", "json"], env=env
    )
    assert [e["fluid_l"] for e in json.loads(out.output)] == pytest.approx([0.5, 0.5, 0.5])
    help_text = runner.invoke(app, ["diary", "add", "--help"], env={**env, "COLUMNS": "200"})
    assert "millilitres" in help_text.output
