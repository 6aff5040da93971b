"""Databases for the storage tests: `database_url` (SQLite, and PostgreSQL), from tests/dbs.py."""

from __future__ import annotations

from tests.dbs import database_url

__all__ = ["database_url"]
