"""Databases for the storage tests: `database_url` (SQLite, and PostgreSQL), from tests/dbs.py,
and `postgres_url` for the tests that move a backup from one kind of database to the other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.dbs import _drop, _postgres_or_skip, database_url

__all__ = ["database_url", "postgres_url"]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A second, empty PostgreSQL database (fails instead of skipping when CI=true)."""
    url = _postgres_or_skip()
    try:
        yield url
    finally:
        _drop(url)
