"""`calfcare db`: backup and restore with every kind of row, and a downgrade that asks first,
backs up first, and refuses to go on without a backup."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from calfcare.cli import app
from calfcare.kb.loader import KnowledgeBase
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import current_revision, head_revision, upgrade
from calfcare.storage.tables import Episode, User
from tests.storage.everything import fill_through_services, read_everything

runner = CliRunner()
WRITTEN = re.compile(r"written to (\S+\.json)")


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@pytest.fixture
def full(
    database_url: str, kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A database in which every feature has written rows, used by the `calfcare` command."""
    monkeypatch.setenv("CALFCARE_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    upgrade(database_url)
    fill_through_services(database_url, kb)
    return database_url


def test_backup_and_restore_with_rehabilitation_plans(full: str, tmp_path: Path) -> None:
    before = read_everything(full)
    out = runner.invoke(app, ["db", "backup", str(tmp_path / "b.json")])
    assert out.exit_code == 0, out.output
    assert f"written to {tmp_path / 'b.json'}" in out.output
    engine = make_engine(full)
    with engine.begin() as conn:
        conn.execute(update(User).values(display_name="changed"))
    engine.dispose()
    out = runner.invoke(app, ["db", "restore", str(tmp_path / "b.json"), "--yes"])
    assert out.exit_code == 0, out.output
    assert read_everything(full) == before


def test_restore_names_what_is_wrong(full: str, tmp_path: Path) -> None:
    runner.invoke(app, ["db", "backup", str(tmp_path / "b.json")])
    text = (tmp_path / "b.json").read_text()
    (tmp_path / "b.json").write_text(text.replace('"Dr Lee"', '"Dr \\u0000Lee"'))
    out = runner.invoke(app, ["db", "restore", str(tmp_path / "b.json"), "--yes"])
    assert out.exit_code == 2
    assert "table users, row" in out.output
    assert "column display_name: contains a NUL character" in out.output


def test_downgrade_asks_first(full: str, tmp_path: Path) -> None:
    out = runner.invoke(app, ["db", "downgrade", "0002"], input="n\n")
    assert out.exit_code == 1
    assert "Go on?" in out.output
    assert _revision(full) == head_revision()
    assert not list(tmp_path.rglob("calfcare-backup-*.json"))


def test_downgrade_backs_up_first_and_the_backup_brings_everything_back(
    full: str, tmp_path: Path
) -> None:
    before = read_everything(full)
    head = head_revision()
    out = runner.invoke(app, ["db", "downgrade", "0002"], input="y\n")
    assert out.exit_code == 0, out.output
    assert _revision(full) == "0002"
    found = WRITTEN.search(out.output)
    assert found, out.output
    path = Path(found.group(1))
    # Next to the SQLite file, which is in tmp_path; PostgreSQL: the current folder, tmp_path.
    assert path.parent == tmp_path
    assert re.fullmatch(rf"calfcare-backup-{head}-\d{{8}}T\d{{6}}Z\.json", path.name)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    out = runner.invoke(app, ["db", "restore", str(path), "--yes"])
    assert out.exit_code == 0, out.output
    assert read_everything(full) == before


def test_downgrade_without_a_restorable_backup_does_not_happen(full: str) -> None:
    """SQLite keeps a NUL in a name and PostgreSQL a NaN in a float; neither would restore."""
    engine = make_engine(full)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(update(User).values(display_name="Ann\0"))
        else:
            conn.execute(update(Episode).values(temperature_c=float("nan")))
    engine.dispose()
    out = runner.invoke(app, ["db", "downgrade", "base", "--yes"])
    assert out.exit_code == 2, out.output
    assert "contains a NUL character" in out.output or "nan is not a finite" in out.output
    assert "not downgraded" in out.output
    assert _revision(full) == head_revision()


def test_downgrade_does_not_happen_when_the_backup_cannot_be_written(
    full: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    out = runner.invoke(app, ["db", "downgrade", "0003", "--yes"])
    assert out.exit_code == 2, out.output
    assert "No space left on device" in out.output
    assert "The backup failed, so the database was not downgraded." in out.output
    assert _revision(full) == head_revision()
    assert not list(tmp_path.rglob("*calfcare-backup-*"))


def test_downgrade_to_an_unknown_revision_changes_nothing(full: str, tmp_path: Path) -> None:
    out = runner.invoke(app, ["db", "downgrade", "0999", "--yes"])
    assert out.exit_code == 2
    assert "Cannot downgrade" in out.output
    assert _revision(full) == head_revision()
    assert not list(tmp_path.rglob("calfcare-backup-*.json"))


def test_upgrade_moves_plans_to_the_knowledge_base_and_names_a_lost_phase(
    full: str, kb: KnowledgeBase
) -> None:
    from calfcare.storage.tables import RehabPlan

    engine = make_engine(full)
    with engine.begin() as conn:
        conn.execute(update(RehabPlan).values(phase="retired_phase", kb_version="unknown"))
    engine.dispose()
    out = runner.invoke(app, ["db", "upgrade"])
    assert out.exit_code == 0, out.output
    assert "phase 'retired_phase' of 'calf_strain' no longer exists" in out.output
    assert "choose the phase" in out.output
    engine = make_engine(full)
    with engine.connect() as conn:  # reported, never reset to the first phase
        assert conn.scalar(select(RehabPlan.phase)) == "retired_phase"
    engine.dispose()
