"""`calfcare users`: make an account, print a reset code, and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from calfcare.cli import app
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("CALFCARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CALFCARE_DATABASE_URL", raising=False)
    upgrade(load_settings().database_url)
    return {"CALFCARE_DATA_DIR": str(tmp_path)}


def test_create_then_reset_token(env: dict[str, str]) -> None:
    out = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "Dr@Example.com",
            "--name",
            "Dr Lee",
            "--role",
            "clinician",
            "--password-stdin",
        ],
        input="a long enough password\n",
        env=env,
    )
    assert out.exit_code == 0, out.output
    assert "Created the clinician account dr@example.com (Dr Lee)" in out.output

    out = runner.invoke(
        app,
        ["users", "reset-token", "DR@example.com", "--base-url", "https://calf.example/"],
        env=env,
    )
    assert out.exit_code == 0, out.output
    m = re.search(r"https://calf\.example/account/reset\?token=([\w-]+)", out.output)
    assert m, out.output
    assert m.group(1) in out.output.splitlines()[1]
    assert "works once" in out.output


def test_unknown_email_and_bad_values_are_clear_errors(env: dict[str, str]) -> None:
    out = runner.invoke(app, ["users", "reset-token", "nobody@example.com"], env=env)
    assert out.exit_code == 2
    assert "No account has the email address 'nobody@example.com'" in out.output

    out = runner.invoke(
        app,
        ["users", "create", "--email", "x", "--name", "X", "--role", "admin", "--password-stdin"],
        input="short\n",
        env=env,
    )
    assert out.exit_code == 2
    for words in ("email:", "password: Your password must be at least 10", "role:"):
        assert words in out.output
