"""Logical backup and restore: every table as JSON, portable between SQLite and PostgreSQL.

A backup file is one JSON document: the schema revision it was taken at and the rows of
every table in dependency order. Restoring needs a database at the same revision; it
replaces all rows in one transaction, so a failed restore leaves the database as it was.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.sql.sqltypes import DateTime

from calfcare.storage.migrate import current_revision
from calfcare.storage.tables import Base

FORMAT = "calfcare-backup/1"


class BackupError(Exception):
    """The backup file cannot be restored into this database."""


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row to `path`; returns the row count per table."""
    tables = Base.metadata.sorted_tables
    data: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in tables:
            rows = conn.execute(select(table)).mappings()
            data[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    doc = {"format": FORMAT, "revision": current_revision(engine), "tables": data}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    tmp.replace(path)
    return {name: len(rows) for name, rows in data.items()}


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Replace every row with those of the backup at `path`."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: cannot read the backup ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupError(f"{path}: not a calfcare backup (format {FORMAT})")
    revision = current_revision(engine)
    if doc.get("revision") != revision:
        raise BackupError(f"{path}: taken at schema revision {doc.get('revision')}, but the "
                          f"database is at {revision}; run `calfcare db upgrade` first")
    tables = Base.metadata.sorted_tables
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(delete(table))
        for table in tables:
            rows = doc["tables"].get(table.name, [])
            dt_cols = [c.name for c in table.columns if isinstance(c.type, DateTime)]
            for row in rows:
                for col in dt_cols:
                    if row.get(col) is not None:
                        row[col] = datetime.fromisoformat(row[col])
            if rows:
                conn.execute(insert(table), rows)
            counts[table.name] = len(rows)
    return counts
