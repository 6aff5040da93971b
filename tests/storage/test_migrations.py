"""Migrations upgrade from empty, downgrade again and upgrade once more, on both databases."""

from __future__ import annotations

from sqlalchemy import inspect

from calfcare.storage.db import make_engine
from calfcare.storage.migrate import current_revision, downgrade, head_revision, upgrade
from calfcare.storage.tables import Base


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(database_url)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    downgrade(database_url, "base")
    assert current_revision(engine) is None
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


REHAB_TABLES = {"rehab_plans", "rehab_adjustments", "rehab_sessions", "rehab_mornings",
                "rehab_tests", "rehab_phase_changes"}


def test_rehabilitation_tables_come_and_go_with_0004(database_url: str) -> None:
    """Down to 0003 drops only the rehabilitation tables; the accounts stay; up again works."""
    from datetime import UTC, date, datetime

    from sqlalchemy import insert, select

    from calfcare.storage import tables as t

    now = datetime(2026, 11, 25, tzinfo=UTC)
    engine = make_engine(database_url)
    upgrade(database_url, "0004")
    assert set(inspect(engine).get_table_names()) >= REHAB_TABLES
    with engine.begin() as conn:
        conn.execute(insert(t.User).values(id="u1", email="a@example.com", display_name="A",
                                           password_hash="x", role="person", units="metric",
                                           created_at=now))
        conn.execute(insert(t.RehabPlan).values(
            id="p1", user_id="u1", programme="calf_strain", variant="grade1_soleus",
            side="left", injury_day=date(2026, 11, 20), started_on=date(2026, 11, 21),
            phase="protect",
            phase_started=date(2026, 11, 21), status="active", notes="", created_at=now))
        conn.execute(insert(t.RehabMorning).values(plan_id="p1", day=date(2026, 11, 22),
                                                   pain=1))

    downgrade(database_url, "0003")
    assert current_revision(engine) == "0003"
    names = set(inspect(engine).get_table_names())
    assert not REHAB_TABLES & names
    assert "users" in names
    with engine.connect() as conn:
        assert conn.scalar(select(t.User.email)) == "a@example.com"

    upgrade(database_url)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= REHAB_TABLES
    with engine.connect() as conn:
        assert conn.scalar(select(t.User.email)) == "a@example.com"
        assert conn.scalar(select(t.RehabPlan.id)) is None  # the old rows went with the tables
    engine.dispose()
