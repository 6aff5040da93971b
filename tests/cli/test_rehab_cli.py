"""`calfcare rehab`, driven day by day with a clock file, on a SQLite database in a temporary
folder: start a programme, log, move on, step back, and stop at a warning sign."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from calfcare.cli import app
from calfcare.settings import load_settings
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade
from calfcare.storage.tables import User

runner = CliRunner()
EMAIL = "alex@example.org"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CALFCARE_DATA_DIR": str(tmp_path / "data"),
        "CALFCARE_DATABASE_URL": "",
        "CALFCARE_ENVIRONMENT": "test",
        "CALFCARE_USER": EMAIL,
        "CALFCARE_CLOCK_FILE": str(tmp_path / "clock"),
        "COLUMNS": "200",
    }


def add_user(env: dict[str, str], email: str = EMAIL, time_zone: str = "Europe/Paris") -> None:
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
                units="metric",
                time_zone=time_zone,
                created_at=datetime.now(UTC),
            )
        )
        s.commit()
    engine.dispose()


def at(env: dict[str, str], moment: str) -> None:
    """Set the clock: an ISO date-time with an offset, read as "now" by every command."""
    Path(env["CALFCARE_CLOCK_FILE"]).write_text(moment + "\n", encoding="utf-8")


def rehab(env: dict[str, str], *args: str, code: int = 0, stdin: str | None = None) -> Result:
    out = runner.invoke(app, ["rehab", *args], env=env, input=stdin)
    assert out.exit_code == code, out.output
    assert "Traceback" not in out.output
    return out


def as_json(env: dict[str, str], *args: str) -> object:
    return json.loads(rehab(env, *args, "--json").stdout)


START = [
    "start",
    "--programme",
    "calf_strain",
    "--variant",
    "grade2_soleus",
    "--side",
    "left",
    "--injury-day",
    "2026-11-20",
]
PROTECT = ["-e", "ankle_pumps:1x20", "-e", "isometric_plantarflexion_band:5x30~1"]


# --- help ---------------------------------------------------------------------------------


def test_rehab_is_listed_in_help_with_an_example_of_each_syntax() -> None:
    assert "rehab" in runner.invoke(app, ["--help"]).output
    out = runner.invoke(app, ["rehab", "--help"]).output
    for cmd in (
        "programmes",
        "exercises",
        "exercise",
        "start",
        "today",
        "log",
        "morning",
        "test",
        "status",
        "advance",
        "stop",
        "handout",
    ):
        assert cmd in out, cmd
    out = runner.invoke(app, ["rehab", "log", "--help"], env={"COLUMNS": "200"}).output
    assert "seated_soleus_raise:3x15@20kg" in out
    assert "--flag" in out
    out = runner.invoke(app, ["rehab", "test", "--help"], env={"COLUMNS": "200"}).output
    for kind in ("walking", "symptoms", "heel_raise", "hop", "lunge", "run", "training"):
        assert kind in out


def test_help_stays_fast_without_the_database_or_the_knowledge_base() -> None:
    code = (
        "import sys; import calfcare.cli; "
        "heavy = [m for m in ('sqlalchemy', 'calfcare.services.rehab', "
        "'calfcare.kb.loader', 'calfcare.engine.rehab') if m in sys.modules]; "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- programmes and exercises -------------------------------------------------------------


def test_programmes_and_the_exercise_library(env: dict[str, str]) -> None:
    out = rehab(env, "programmes")
    assert "calf_strain" in out.stdout
    assert "grade2_soleus" in out.stdout
    assert "21 to 42 days" in out.stdout
    doc = as_json(env, "programmes")
    assert isinstance(doc, list)
    strain = next(p for p in doc if p["id"] == "calf_strain")
    assert len(strain["variants"]) == 6
    soleus = next(v for v in strain["variants"] if v["id"] == "grade2_soleus")
    assert soleus["expected_days"] == {"low": 21, "high": 42}
    assert {p["id"] for p in doc} >= {
        "calf_strain",
        "calf_contusion",
        "return_to_running",
        "cramp_conditioning",
    }

    library = as_json(env, "exercises")
    assert isinstance(library, list)
    assert "seated_soleus_raise" in {e["id"] for e in library}
    stretches = as_json(env, "exercises", "--category", "stretch")
    assert isinstance(stretches, list)
    assert stretches
    assert {e["category"] for e in stretches} == {"stretch"}
    out = rehab(env, "exercises", "--category", "Strength")
    assert "seated_soleus_raise" in out.stdout
    out = rehab(env, "exercises", "--category", "yoga", code=2)
    assert "--category: Must be one of stretch" in out.stderr

    out = rehab(env, "exercise", "seated_soleus_raise")
    for heading in ("How to do it", "Usual dose", "Think of", "Common mistakes", "Why"):
        assert heading in out.stdout
    full = as_json(env, "exercise", "seated_soleus_raise")
    assert isinstance(full, dict)
    assert full["id"] == "seated_soleus_raise"
    assert len(full["instructions"]) >= 3
    assert full["why"]["references"]
    out = rehab(env, "exercise", "moonwalk", code=2)
    assert "No exercise called 'moonwalk'" in out.stderr


# --- a whole programme, day by day --------------------------------------------------------


def test_start_progress_step_back_and_a_warning_sign(env: dict[str, str]) -> None:
    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    out = rehab(env, "today", code=1)
    assert "calfcare rehab start" in out.stderr

    out = rehab(env, *START)
    assert "Started: Calf strain rehabilitation" in out.stdout
    assert "Phase 1 of 6" in out.stdout
    out = rehab(env, *START, code=1)
    assert "You already follow a programme" in out.stderr

    out = rehab(env, "today")
    assert "isometric_bent_knee_soleus_hold" in out.stdout  # the soleus exercise
    assert "Today's session: not logged yet" in out.stdout
    assert "sharp_pain_or_pop" in out.stdout  # the warning signs and their keys
    today = as_json(env, "today")
    assert isinstance(today, dict)
    assert (today["day"], today["phase"]["id"], today["logged_today"]) == (
        "2026-11-21",
        "protect",
        False,
    )
    assert "isometric_bent_knee_soleus_hold" in [i["exercise"] for i in today["items"]]

    # Three days of sessions, each followed by a morning check.
    for day in ("21", "22", "23"):
        at(env, f"2026-11-{day}T08:00+00:00")
        if day != "21":
            out = rehab(env, "morning", "--pain", "1")
            assert "Saved the morning check of" in out.stdout
        out = rehab(env, "log", "--pain", "1", "--pain-after", "1", *PROTECT)
        assert "2 exercises." in out.stdout
        assert "Decision: Stay in this phase." in out.stdout
    assert "Log how your calf feels on the morning after" in out.stdout
    out = rehab(env, "advance", code=1)
    assert "no phase change to apply" in out.stderr
    assert "Nothing was changed." in out.stderr

    at(env, "2026-11-24T08:00+00:00")
    rehab(env, "morning", "--pain", "1")
    out = rehab(env, "test", "walking", "--pain", "1")
    assert "Saved: Walking check of Tue 24 Nov 2026: pain 1/10." in out.stdout
    assert "Decision: Ready to move on to" in out.stdout
    assert "calfcare rehab advance" in out.stdout
    st = as_json(env, "status")
    assert isinstance(st, dict)
    assert st["decision"]["action"] == "progress"
    assert st["decision"]["target"]["id"] == "foundation"
    assert all(c["met"] for c in st["decision"]["criteria"])
    assert st["adherence"] == {"done": 3, "planned": 4, "days": 4}
    assert (st["expected"]["earliest"], st["expected"]["latest"]) == ("2026-12-11", "2027-01-01")

    out = rehab(env, "advance")
    assert "Moved on to phase 2 of 6" in out.stdout
    st = as_json(env, "status")
    assert isinstance(st, dict)
    assert (st["phase"]["id"], st["phase"]["number"], st["phase"]["started"]) == (
        "foundation",
        2,
        "2026-11-24",
    )
    assert [e["state"] for e in st["timeline"][:3]] == ["done", "current", "upcoming"]
    assert [h["action"] for h in st["history"]] == ["start", "progress"]

    # Pain over the new phase's limit twice: hold, then step back.
    out = rehab(env, "log", "--pain", "4", "-e", "seated_soleus_raise:3x15@10kg~4")
    assert "Decision: Stay in this phase." in out.stdout
    assert "the limit for this phase is 3/10" in out.stdout
    at(env, "2026-11-25T08:00+00:00")
    out = rehab(env, "log", "--pain", "4")
    assert "Decision: Step back a phase to" in out.stdout
    out = rehab(env, "advance")
    assert "Stepped back to phase 1 of 6" in out.stdout
    out = rehab(env, "status")
    assert "you are here" in out.stdout
    assert "Goals of this phase" in out.stdout
    st = as_json(env, "status")
    assert isinstance(st, dict)
    assert [h["action"] for h in st["history"]] == ["start", "progress", "step_back"]
    assert st["phase"]["id"] == "protect"

    # A warning sign stops everything: see a professional.
    at(env, "2026-11-26T08:00+00:00")
    out = rehab(env, "log", "--pain", "2", "--flag", "sharp_pain_or_pop")
    assert "Warning signs noted: A sudden sharp pain" in out.stdout
    assert "STOP: see a professional" in out.stdout
    assert "Get seen by a doctor within 24 hours" in out.stdout
    assert "call emergency services" in out.stdout
    for command in ("status", "today"):
        assert "STOP: see a professional" in rehab(env, command).stdout
    st = as_json(env, "status")
    assert isinstance(st, dict)
    assert st["decision"]["action"] == "see_professional"
    assert st["decision"]["level"]["id"] == "consultation_24"
    out = rehab(env, "advance", code=1)
    assert "paused until a professional" in out.stderr

    out = rehab(env, "stop", stdin="n\n", code=1)
    assert "Nothing was changed." in out.output
    out = rehab(env, "stop", "--yes")
    assert "Stopped Calf strain rehabilitation" in out.stdout
    rehab(env, "status", code=1)


def test_the_day_is_the_accounts_day(env: dict[str, str]) -> None:
    add_user(env, time_zone="Pacific/Kiritimati")  # UTC+14
    at(env, "2026-11-21T23:30+00:00")  # already 22 November there
    rehab(
        env,
        "start",
        "--programme",
        "calf_strain",
        "--variant",
        "grade1_soleus",
        "--side",
        "right",
        "--injury-day",
        "2026-11-22",
    )
    today = as_json(env, "today")
    assert isinstance(today, dict)
    assert today["day"] == "2026-11-22"
    out = rehab(env, "morning", "--pain", "0", "--day", "2026-11-23", code=2)
    assert "--day: Cannot be after 2026-11-22." in out.stderr


def test_a_completed_programme(env: dict[str, str]) -> None:
    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    rehab(
        env,
        "start",
        "--programme",
        "calf_contusion",
        "--variant",
        "mild",
        "--side",
        "left",
        "--injury-day",
        "2026-11-18",
        "--phase",
        "return",
    )
    rehab(env, "log", "--pain", "1")
    rehab(env, "morning", "--pain", "1")
    at(env, "2026-11-22T08:00+00:00")
    rehab(env, "morning", "--pain", "1")
    rehab(env, "test", "symptoms", "--pain", "0")
    rehab(env, "test", "heel_raise", "--injured", "25", "--other", "25")
    rehab(env, "test", "hop", "--injured", "95", "--other", "100")
    out = rehab(env, "test", "training", "--pain", "0")
    assert "Decision: You have met every goal of the programme." in out.stdout
    out = rehab(env, "status")
    assert "95% of the other side" in out.stdout
    out = rehab(env, "advance")
    assert "Well done: you have finished" in out.stdout
    rehab(env, "today", code=1)


# --- errors -------------------------------------------------------------------------------


def test_bad_input_names_the_option(env: dict[str, str]) -> None:
    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    out = rehab(
        env,
        "start",
        "--programme",
        "knee",
        "--side",
        "middle",
        "--injury-day",
        "2026-11-22",
        code=2,
    )
    for line in (
        "--programme: Must be one of calf_contusion",
        "--side: Must be left or right",
        "--injury-day: Cannot be after 2026-11-21.",
    ):
        assert line in out.stderr
    assert "Nothing was saved." in out.stderr
    out = rehab(
        env,
        "start",
        "--programme",
        "calf_strain",
        "--variant",
        "grade9",
        "--side",
        "left",
        "--injury-day",
        "2020-01-01",
        "--phase",
        "sprint",
        code=2,
    )
    assert "--variant: Must be one of grade1_gastrocnemius" in out.stderr
    assert "--injury-day: Cannot be before" in out.stderr
    out = rehab(
        env,
        "start",
        "--programme",
        "calf_strain",
        "--variant",
        "grade1_soleus",
        "--side",
        "left",
        "--injury-day",
        "2026-11-20",
        "--phase",
        "sprint",
        code=2,
    )
    assert "--phase: Must be one of protect" in out.stderr
    out = rehab(env, "log", "--pain", "1", code=1)  # no programme yet
    assert "No active rehabilitation plan" in out.stderr

    rehab(env, *START)
    out = rehab(
        env,
        "log",
        "--pain",
        "11",
        "--pain-after",
        "x",
        "--day",
        "2026-11-19",
        "--flag",
        "tired",
        "-e",
        "ankle_pumps:1x20@5lb~11",
        "-e",
        "moonwalk:3x10",
        "-e",
        "ankle_pumps:21x20",
        code=2,
    )
    for line in (
        "--pain: Must be a whole number from 0 to 10 (got '11').",
        "--pain-after: Must be a whole number from 0 to 10 (got 'x').",
        "--day: Cannot be before 2026-11-20.",
        "--flag: Must be any of sharp_pain_or_pop",
        "--exercise 'ankle_pumps:1x20@5lb~11' (PAIN): Must be a whole number",
        "--exercise 'moonwalk:3x10' (the exercise ID): Must be an exercise",
        "--exercise 'ankle_pumps:21x20' (SETS): Must be a whole number of sets",
    ):
        assert line in out.stderr, line
    out = rehab(env, "log", "--pain", "1", "-e", "ankle_pumps 3 sets", code=2)
    assert "--exercise 'ankle_pumps 3 sets': Must look like ID:SETSxAMOUNT" in out.stderr
    out = rehab(env, "log", code=2)
    assert "--pain: Required" in out.stderr
    out = rehab(env, "morning", "--pain", "-1", "--day", "21/11/2026", code=2)
    assert "--pain: Must be a whole number from 0 to 10" in out.stderr
    assert "--day: Must be a date such as 2026-11-25" in out.stderr
    out = rehab(env, "test", "sprint", code=2)
    assert "KIND: Must be one of walking, symptoms, heel_raise" in out.stderr
    out = rehab(env, "test", "heel_raise", "--injured", "many", code=2)
    assert "--injured: Must be a number of repetitions" in out.stderr
    assert "--other: Required" in out.stderr
    out = rehab(env, "test", "lunge", "--injured", "45", "--other", "10", code=2)
    assert "--injured: Must be a number of centimetres from 0 to 40" in out.stderr
    # Nothing of this was saved.
    st = as_json(env, "status")
    assert isinstance(st, dict)
    assert (st["sessions"], st["mornings"], st["tests"]) == ([], [], [])

    out = rehab(env, "log", "--pain", "1", "-e", "seated_soleus_raise:3x15@44lb")
    assert "1 exercise." in out.stdout


def test_a_bad_clock_file_or_an_unknown_account_is_explained(env: dict[str, str]) -> None:
    add_user(env)
    at(env, "tomorrow")
    out = rehab(env, "status", code=1)
    assert "CALFCARE_CLOCK_FILE" in out.stderr
    at(env, "2026-11-21T08:00")  # no offset
    out = rehab(env, "status", code=1)
    assert "CALFCARE_CLOCK_FILE" in out.stderr
    at(env, "2026-11-21T08:00+00:00")
    out = rehab(env, "status", "--user", "ghost@example.org", code=1)
    assert "No account with the email ghost@example.org" in out.stderr
    out = runner.invoke(app, ["rehab", "status"], env={**env, "CALFCARE_USER": ""})
    assert out.exit_code == 2
    assert "--user" in out.output


# --- handout ------------------------------------------------------------------------------


@pytest.mark.slow
def test_handout_of_a_programme_and_of_the_persons_plan(
    env: dict[str, str], tmp_path: Path
) -> None:
    pdf = tmp_path / "out" / "calf.pdf"
    out = rehab(
        env,
        "handout",
        "--programme",
        "calf_strain",
        "--variant",
        "grade2_soleus",
        "--output",
        str(pdf),
    )
    assert "Handout written to" in out.stdout
    assert pdf.read_bytes().startswith(b"%PDF")
    out = rehab(env, "handout", "--programme", "calf_strain", "--output", str(pdf), code=2)
    assert "--variant: Required: one of grade1_gastrocnemius" in out.stderr
    out = rehab(env, "handout", "--programme", "knee", "--output", str(pdf), code=2)
    assert "--programme: Must be one of" in out.stderr
    out = rehab(env, "handout", "--output", str(tmp_path), "--programme", "calf_strain", code=2)
    assert "--output" in out.stderr

    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    out = rehab(env, "handout", "--output", str(pdf), code=1)
    assert "No active rehabilitation plan" in out.stderr
    rehab(env, *START)
    mine = tmp_path / "mine.pdf"
    rehab(env, "handout", "--output", str(mine))
    assert mine.read_bytes().startswith(b"%PDF")
    out = runner.invoke(
        app, ["rehab", "handout", "--output", str(mine)], env={**env, "CALFCARE_USER": ""}
    )
    assert out.exit_code == 2
    assert "--programme: Required" in out.output
