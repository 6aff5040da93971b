"""Database fixtures for the service tests: both kinds of database, with the schema in place.

`database_url` is the storage tests' fixture (SQLite, and PostgreSQL when reachable), imported
rather than copied so that both suites test the same databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

try:  # the fixture may move to a shared module
    from tests.dbs import database_url
except ImportError:
    from tests.storage.conftest import database_url

from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade

__all__ = ["database_url", "db"]


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """A session on a migrated, empty database of each kind."""
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()
