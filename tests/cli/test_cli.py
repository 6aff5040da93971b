"""The command line, driven as a person would drive it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from calfcare.cli import app

runner = CliRunner()
DEV = Path(__file__).parents[1] / "vignettes" / "dev"


def test_help_lists_the_commands() -> None:
    out = runner.invoke(app, ["--help"])
    assert out.exit_code == 0
    for cmd in ("assess", "validate", "conditions", "explain", "kb"):
        assert cmd in out.output


def test_kb_check_passes() -> None:
    out = runner.invoke(app, ["kb", "check"])
    assert out.exit_code == 0, out.output
    assert "is whole" in out.output


def test_assess_case_json() -> None:
    out = runner.invoke(app, ["assess", "--case", str(DEV / "D012.json"), "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["triage_level"] == "emergency"
    assert result["conditions"][0]["id"] == "achilles_tendon_rupture"


def test_assess_case_text_shows_banner_and_why() -> None:
    out = runner.invoke(app, ["assess", "--case", str(DEV / "D045.json")])
    assert out.exit_code == 0, out.output
    assert "Level of care" in out.output
    assert "Points towards it" in out.output


def test_assess_bad_case_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"age": 500, "sex": "female", "evidence": []}')
    out = runner.invoke(app, ["assess", "--case", str(bad)])
    assert out.exit_code == 2
    assert "age" in out.output
    assert "Traceback" not in out.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    out = runner.invoke(app, ["assess", "--case", str(broken)])
    assert out.exit_code == 2
    assert "not valid JSON" in out.output


def test_validate_prints_the_figures() -> None:
    out = runner.invoke(app, ["validate", str(DEV), "--format", "json"])
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)
    assert figures["static"]["cases"] == 70
    assert figures["interview"]["under_triage"] == 0
    assert {"brier", "ece"} <= set(figures["static"])
    assert "unsure" not in figures


def test_validate_with_unsure_answers() -> None:
    out = runner.invoke(
        app, ["validate", str(DEV), "--unsure", "0.3", "--seed", "2", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)
    assert figures["unsure"]["under_triage"] == 0
    bad = runner.invoke(app, ["validate", str(DEV), "--unsure", "1.5"])
    assert bad.exit_code == 2
    assert "--unsure" in bad.output


def test_conditions_and_explain() -> None:
    out = runner.invoke(app, ["conditions"])
    assert out.exit_code == 0
    assert "deep_vein_thrombosis" in out.output
    out = runner.invoke(app, ["explain", "exercise_associated_muscle_cramp"])
    assert out.exit_code == 0
    assert "References" in out.output
    out = runner.invoke(app, ["explain", "no_such_thing"])
    assert out.exit_code == 2
    assert "calfcare conditions" in out.output


def test_interactive_interview_with_back_and_dont_know() -> None:
    # age, sex, start option 1 (cramp); then answer: none, back, none, then "?" and "0"s.
    answers = ["34", "1", "1", "n", "b", "n"] + ["n"] * 30
    out = runner.invoke(app, ["assess"], input="\n".join(answers) + "\n")
    assert out.exit_code == 0, out.output
    assert "Question 1" in out.output
    assert "Level of care" in out.output
    assert "What to do now" in out.output


def test_interactive_emergency_is_shown_at_once() -> None:
    # Chest pain ticked in the first (alarm) question; decline to continue.
    answers = ["58", "1", "3", "1", "n"]
    out = runner.invoke(app, ["assess"], input="\n".join(answers) + "\n")
    assert out.exit_code == 0, out.output
    assert "Call emergency services" in out.output or "emergency" in out.output.lower()


def test_interactive_rejects_bad_age_then_accepts() -> None:
    answers = ["abc", "300", "40", "2", "2"] + ["n"] * 30
    out = runner.invoke(app, ["assess"], input="\n".join(answers) + "\n")
    assert out.exit_code == 0, out.output
    assert "whole number" in out.output


def test_interactive_tick_wins_over_dont_know() -> None:
    # Chest pain ticked with "don't know" for the rest of the first (alarm) question.
    answers = ["58", "1", "2", "1?", "n"]
    out = runner.invoke(app, ["assess"], input="\n".join(answers) + "\n")
    assert out.exit_code == 0, out.output
    assert "Call emergency services right now" in out.output


def test_interactive_unsure_danger_sign_is_asked_again_and_watched() -> None:
    # Unsure about the whole first screen, "no" to the other two, still unsure when asked
    # again (the cold foot comes with the check a companion can do); then "no" throughout.
    answers = ["40", "2", "2", "?", "n", "n", "?"] + ["n"] * 30
    out = runner.invoke(app, ["assess"], input="\n".join(answers) + "\n")
    assert out.exit_code == 0, out.output
    assert "asked another way" in out.output
    assert "Comparing both feet" in out.output
    assert "You were not sure about these" in out.output


def test_serve_passes_workers_and_the_trusted_proxies_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kw: seen.update(kw))
    monkeypatch.setenv("CALFCARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CALFCARE_FORWARDED_ALLOW_IPS", "10.0.0.2")
    out = runner.invoke(app, ["serve", "--workers", "3", "--port", "8123"])
    assert out.exit_code == 0, out.output
    assert seen["workers"] == 3
    assert seen["forwarded_allow_ips"] == "10.0.0.2"
    assert seen["proxy_headers"] is True
    assert runner.invoke(app, ["serve", "--workers", "0"]).exit_code == 2
