"""Databases for the tests that need one: SQLite always, PostgreSQL when it can be reached.

`database_url` is imported by the conftest of each folder that uses it (tests/storage,
tests/services), so that every suite tests the same databases.

On CI (CI=true) PostgreSQL at 127.0.0.1:5432 must be there: its tests fail instead of
skipping. Each test gets a database of its own, dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get(
    "CALFCARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_or_skip() -> str:
    """Create a throw-away database on the test PostgreSQL server; return its URL."""
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"calfcare_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        reason = (
            f"PostgreSQL not reachable at {make_url(ADMIN_URL).render_as_string()} "
            f"({type(exc).__name__}); set CALFCARE_TEST_POSTGRES_URL to run these tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'calfcare.db'}"
        return
    url = _postgres_or_skip()
    try:
        yield url
    finally:
        _drop(url)
