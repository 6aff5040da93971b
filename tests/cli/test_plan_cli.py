"""`calfcare plan`, driven as a person would: the worked example, a clean message for a bad
value, a kept sweat test used by the next plan, the risk profile and the night routine."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from calfcare.cli import app
from tests.cli.test_diary_cli import add_user, env

runner = CliRunner()
SWEAT = ["--before", "70", "--after", "69", "--drunk", "0.5", "--minutes", "60"]
SESSION = [
    "--minutes",
    "180",
    "--effort",
    "6",
    "--temperature",
    "28",
    "--humidity",
    "60",
    "--mass",
    "70",
]

__all__ = ["env"]


def test_the_worked_example_in_json() -> None:
    out = runner.invoke(app, ["plan", "sweat-test", *SWEAT, "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert (body["sweat_rate_l_per_h"], body["body_mass_change_percent"]) == (1.5, -1.43)


def test_a_bad_value_is_a_message_naming_it() -> None:
    out = runner.invoke(app, ["plan", "session", *SESSION[:-2], "--mass", "-70"])
    assert out.exit_code == 2
    assert "body_mass_kg" in out.output
    assert "Traceback" not in out.output


def test_a_kept_test_is_used_by_the_next_plan(env: dict[str, str]) -> None:
    add_user(env, "sam@example.org")
    user = ["--user", "sam@example.org"]
    out = runner.invoke(app, ["plan", "sweat-test", *SWEAT, "--temperature", "27", *user], env=env)
    assert "Kept in your sweat-test history." in out.output, out.output
    out = runner.invoke(app, ["plan", "session", *SESSION, *user, "--json"], env=env)
    body = json.loads(out.output)
    assert body["sweat_rate_source"] == "measured"
    assert body["sweat_rate_l_per_h"] == 1.5
    assert body["risk"]["sessions"] == 0
    out = runner.invoke(app, ["plan", "profile", *SESSION, *user, "--json"], env=env)
    ids = {a["id"] for a in json.loads(out.output)["touches"]}
    assert "nothing_to_compare" in ids
    out = runner.invoke(app, ["plan", "night", *user, "--json"], env=env)
    assert json.loads(out.output)["check"]["verdict"] == "not_enough"


def test_night_without_an_account_gives_the_routine_and_the_evidence() -> None:
    out = runner.invoke(app, ["plan", "night"])
    assert out.exit_code == 0
    assert "quinine" in out.output.lower()
    assert "magnesium" in out.output.lower()
