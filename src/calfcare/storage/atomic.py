"""Single-statement writes that stay correct when requests run in parallel.

Checks done in Python ("is there a row? then insert one") let two requests both pass; these
let the database decide in one statement instead: an upsert for counters and per-day records,
on SQLite (3.24 and later) and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from calfcare.storage.tables import Base


def _counters() -> Table:
    return Base.metadata.tables["rate_counters"]


def _insert(db: Session, table: Table) -> Any:
    dialect = db.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def count_attempt(db: Session, key: str, now: datetime, window: timedelta) -> int:
    """Count one attempt for `key` and return the count in the current window.

    The window starts at the first attempt and lasts `window`; an attempt after it starts a new
    one. One INSERT ... ON CONFLICT DO UPDATE ... RETURNING: the database serialises parallel
    attempts on the key's row, so each sees the count including every attempt before it.
    """
    table = _counters()
    fresh = table.c.window_start > now - window
    stmt = _insert(db, table).values(key=key, window_start=now, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((fresh, table.c.count + 1), else_=1),
            "window_start": case((fresh, table.c.window_start), else_=now),
        },
    ).returning(table.c.count)
    return int(db.execute(stmt).scalar_one())


def give_back_attempt(db: Session, key: str) -> None:
    """Take back one counted attempt (it turned out to be a right one)."""
    table = _counters()
    db.execute(
        update(table).where(table.c.key == key, table.c.count > 0).values(count=table.c.count - 1)
    )


def clear_attempts(db: Session, keys: Sequence[str]) -> None:
    table = _counters()
    db.execute(delete(table).where(table.c.key.in_(list(keys))))


def forget_old_attempts(db: Session, now: datetime, window: timedelta) -> None:
    table = _counters()
    db.execute(delete(table).where(table.c.window_start <= now - window))


def upsert(
    db: Session,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert a row, or update `update_columns` of the row with the same `keys`."""
    stmt = _insert(db, table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: stmt.excluded[c] for c in update_columns},
    )
    db.execute(stmt)


def utc(moment: datetime) -> datetime:
    """A time read back from storage, in UTC (SQLite returns it without an offset)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
