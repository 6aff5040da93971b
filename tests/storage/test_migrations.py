"""Migrations upgrade from empty, downgrade again and upgrade once more, on both databases,
and no step, up or down, loses a row of a table that exists before and after it."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from calfcare.kb.loader import KnowledgeBase
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import (
    MigrationError,
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from calfcare.storage.tables import Base
from tests.storage.everything import fill_empty_tables, fill_through_services, row_counts


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


REHAB_TABLES = {
    "rehab_plans",
    "rehab_adjustments",
    "rehab_sessions",
    "rehab_mornings",
    "rehab_tests",
    "rehab_phase_changes",
}


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
        conn.execute(
            insert(t.User).values(
                id="u1",
                email="a@example.com",
                display_name="A",
                password_hash="x",
                role="person",
                units="metric",
                created_at=now,
            )
        )
        conn.execute(
            insert(t.RehabPlan).values(
                id="p1",
                user_id="u1",
                programme="calf_strain",
                variant="grade1_soleus",
                side="left",
                injury_day=date(2026, 11, 20),
                started_on=date(2026, 11, 21),
                phase="protect",
                phase_started=date(2026, 11, 21),
                status="active",
                notes="",
                created_at=now,
            )
        )
        conn.execute(insert(t.RehabMorning).values(plan_id="p1", day=date(2026, 11, 22), pain=1))

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


def _revisions() -> list[str]:
    """Every revision from the first to the head, with "base" (no schema) in front."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return ["base", *reversed([r.revision for r in scripts.walk_revisions()])]


def _kept(before: dict[str, int], after: dict[str, int], step: str) -> None:
    both = sorted(set(before) & set(after))
    assert {t: after[t] for t in both} == {t: before[t] for t in both}, f"{step} lost rows"


def test_no_step_loses_a_row(database_url: str, kb: KnowledgeBase) -> None:
    """Down one revision at a time from a full database to none, then up again, filling
    every table that each revision has."""
    upgrade(database_url)
    fill_through_services(database_url, kb)
    engine = make_engine(database_url)
    steps = list(pairwise(_revisions()))
    for lower, upper in reversed(steps):
        fill_empty_tables(engine)  # a table that a downgrade brings back starts empty
        before = row_counts(engine)
        assert all(before.values()), f"{upper}: every table should hold rows"
        downgrade(database_url, lower)
        _kept(before, row_counts(engine), f"downgrade {upper} -> {lower}")
    for lower, upper in steps:
        fill_empty_tables(engine)
        before = row_counts(engine)
        assert all(before.values()), f"{lower}: every table should hold rows"
        upgrade(database_url, upper)
        _kept(before, row_counts(engine), f"upgrade {lower} -> {upper}")
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_broken_reference_stops_a_rebuild_and_changes_nothing(tmp_path: Path) -> None:
    """On SQLite, 0003's downgrade rebuilds `users` with foreign keys off; if a row then points
    nowhere, the rebuild is rolled back and the revision stays."""
    url = f"sqlite:///{tmp_path / 'calfcare.db'}"
    upgrade(url, "0003")
    engine = make_engine(url)
    fill_empty_tables(engine)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        raw.driver_connection.execute(  # type: ignore[union-attr]
            "UPDATE episodes SET user_id = 'nobody' WHERE rowid = 1"
        )
        raw.driver_connection.commit()  # type: ignore[union-attr]
    finally:
        raw.close()
    engine.dispose()
    before = row_counts(engine)
    with pytest.raises(MigrationError, match="episodes"):
        downgrade(url, "0002")
    assert current_revision(engine) == "0003"
    assert row_counts(engine) == before
    assert "time_zone" in {c["name"] for c in inspect(engine).get_columns("users")}
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_0006_gives_older_plans_an_unknown_version_and_its_downgrade_keeps_them(
    database_url: str,
) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import insert, select
    from sqlalchemy.exc import IntegrityError

    from calfcare.storage import tables as t

    now = datetime(2026, 12, 8, tzinfo=UTC)
    plan = {
        "user_id": "u1",
        "programme": "calf_strain",
        "variant": "grade1_soleus",
        "side": "left",
        "injury_day": date(2026, 12, 1),
        "started_on": date(2026, 12, 2),
        "phase": "protect",
        "phase_started": date(2026, 12, 1),
        "notes": "",
        "created_at": now,
    }
    engine = make_engine(database_url)
    upgrade(database_url, "0005")
    with engine.begin() as conn:
        conn.execute(
            insert(t.User).values(
                id="u1",
                email="a@example.com",
                display_name="A",
                password_hash="x",
                role="person",
                units="metric",
                created_at=now,
            )
        )
        conn.execute(
            text(
                "INSERT INTO rehab_plans (id, user_id, programme, variant, side, injury_day, "
                "started_on, phase, phase_started, status, notes, created_at) VALUES ('p1', "
                ":user_id, :programme, :variant, :side, :injury_day, :started_on, :phase, "
                ":phase_started, 'active', :notes, :created_at)"
            ),
            plan,
        )
        conn.execute(insert(t.RehabMorning).values(plan_id="p1", day=date(2026, 12, 2), pain=1))
    upgrade(database_url, "0006")
    with engine.connect() as conn:
        assert conn.scalar(select(t.RehabPlan.kb_version)) == "unknown"

    downgrade(database_url, "0005")
    assert "kb_version" not in {c["name"] for c in inspect(engine).get_columns("rehab_plans")}
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM rehab_plans")) == 1
        assert conn.scalar(text("SELECT count(*) FROM rehab_mornings")) == 1
    with pytest.raises(IntegrityError), engine.begin() as conn:  # still one active plan each
        conn.execute(
            text(
                "INSERT INTO rehab_plans (id, user_id, programme, variant, side, injury_day, "
                "started_on, phase, phase_started, status, notes, created_at) VALUES ('p2', "
                ":user_id, :programme, :variant, :side, :injury_day, :started_on, :phase, "
                ":phase_started, 'active', :notes, :created_at)"
            ),
            plan,
        )
    upgrade(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


PREVENTION_TABLES = {"sweat_tests", "prevention_plans"}


def test_prevention_tables_come_and_go_with_0007(database_url: str, kb: KnowledgeBase) -> None:
    """Down to 0006 drops the sweat tests and saved plans and keeps the accounts and diary;
    up again gives empty tables that the services write to."""
    from sqlalchemy.orm import Session

    from calfcare.services import prevention

    upgrade(database_url)
    fill_through_services(database_url, kb)
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) >= PREVENTION_TABLES
    before = row_counts(engine)
    assert before["sweat_tests"]
    assert before["prevention_plans"]

    downgrade(database_url, "0006")
    assert current_revision(engine) == "0006"
    assert not PREVENTION_TABLES & set(inspect(engine).get_table_names())
    after = row_counts(engine)
    assert {k: after[k] for k in after} == {k: before[k] for k in after}

    upgrade(database_url)
    with Session(engine) as db:
        person = db.execute(text("SELECT id FROM users WHERE role = 'person'")).scalar_one()
        assert prevention.list_sweat_tests(db, owner_id=person) == []
    engine.dispose()
