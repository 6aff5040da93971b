"""Settings come from CALFCARE_ environment variables; SQLite in the data directory by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from calfcare.cli import app
from calfcare.settings import load_settings


def test_defaults_to_sqlite_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALFCARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CALFCARE_DATABASE_URL", raising=False)
    s = load_settings()
    assert s.data_dir == tmp_path
    assert s.database_url == f"sqlite:///{tmp_path / 'calfcare.db'}"


def test_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALFCARE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    assert load_settings().database_url.startswith("postgresql+psycopg://")


def test_serve_is_a_command() -> None:
    out = CliRunner().invoke(app, ["serve", "--help"])
    assert out.exit_code == 0
    assert "--port" in out.output


def test_clock_file_sets_the_time_while_it_exists(tmp_path: Path) -> None:
    clock = tmp_path / "now.txt"
    settings = load_settings(data_dir=tmp_path, clock_file=clock)
    real = settings.now()
    assert real.tzinfo is not None  # no file yet: the real time
    clock.write_text("2026-03-01T08:30:00+01:00\n")
    assert settings.now().isoformat() == "2026-03-01T07:30:00+00:00"
    clock.write_text("")
    assert settings.now() >= real


def test_clock_file_needs_an_offset(tmp_path: Path) -> None:
    clock = tmp_path / "now.txt"
    clock.write_text("2026-03-01T08:30:00")
    with pytest.raises(ValueError, match="offset"):
        load_settings(data_dir=tmp_path, clock_file=clock).now()


def test_clock_file_is_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not production"):
        load_settings(data_dir=tmp_path, clock_file=tmp_path / "x", environment="production")
