"""Migration 0008 (activity files) up and down on both databases: the table comes and goes,
the database refuses the same file twice for one person, and the training sessions the files
became stay in the diary after a downgrade."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from calfcare.storage import tables as t
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import current_revision, downgrade, head_revision, upgrade

NOW = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


def _file(file_id: str, training_id: str) -> dict[str, object]:
    return {
        "id": file_id,
        "user_id": "u1",
        "training_id": training_id,
        "format": "fit",
        "file_name": "run.fit",
        "content_hash": "ab" * 32,
        "started_at": NOW,
        "duration_s": 1800,
        "created_at": NOW,
    }


def test_0008_adds_activity_files_and_its_downgrade_keeps_the_sessions(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(database_url, "0007")
    assert "activity_files" not in inspect(engine).get_table_names()
    upgrade(database_url, "0008")
    assert "activity_files" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            insert(t.User).values(
                id="u1", email="a@example.com", display_name="A", password_hash="x",
                role="person", units="metric", created_at=NOW,
            )
        )  # fmt: skip
        for sid in ("s1", "s2"):
            conn.execute(
                insert(t.TrainingSession).values(
                    id=sid, user_id="u1", started_at=NOW, activity="running", duration_min=30,
                    intensity=5, notes="",
                )
            )  # fmt: skip
        conn.execute(insert(t.ActivityFile).values(**_file("f1", "s1")))
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the same bytes again
        conn.execute(insert(t.ActivityFile).values(**_file("f2", "s2")))

    downgrade(database_url, "0007")
    assert "activity_files" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM training_sessions")) == 2
    upgrade(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
