"""Backup and restore round-trip on both databases; a bad file changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from calfcare.storage.backup import BackupError, backup, restore
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade
from calfcare.storage.tables import Episode, User


def _seed(url: str) -> None:
    engine = make_engine(url)
    now = datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    with OrmSession(engine) as s, s.begin():
        s.add(User(id="u1", email="a@example.org", display_name="A", password_hash="x",
                   role="person", units="metric", created_at=now))
        s.flush()
        s.add(Episode(id="e1", user_id="u1", occurred_at=now, leg="left", muscle="calf",
                      duration_s=90, severity=6, activity="running", created_at=now,
                      temperature_c=28.5))
    engine.dispose()


def test_round_trip(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    _seed(database_url)
    engine = make_engine(database_url)
    counts = backup(engine, tmp_path / "b.json")
    assert counts["users"] == 1
    assert counts["episodes"] == 1
    with OrmSession(engine) as s, s.begin():
        s.query(User).delete()
    restore(engine, tmp_path / "b.json")
    with OrmSession(engine) as s:
        ep = s.scalars(select(Episode)).one()
        assert ep.temperature_c == 28.5
        assert ep.occurred_at.replace(tzinfo=UTC).hour == 7
    engine.dispose()


def test_deleting_a_user_removes_everything_it_owns(database_url: str) -> None:
    upgrade(database_url)
    _seed(database_url)
    engine = make_engine(database_url)
    with OrmSession(engine) as s, s.begin():
        s.delete(s.get(User, "u1"))
    with OrmSession(engine) as s:
        assert s.scalar(select(func.count()).select_from(Episode)) == 0
    engine.dispose()


def test_a_foreign_file_is_refused_and_nothing_changes(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    _seed(database_url)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    engine = make_engine(database_url)
    with pytest.raises(BackupError):
        restore(engine, bad)
    with OrmSession(engine) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
    engine.dispose()
