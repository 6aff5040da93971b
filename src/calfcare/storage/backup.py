"""Logical backup and restore: every table as JSON, portable between SQLite and PostgreSQL.

A backup file (format `calfcare-backup/2`) is one JSON document: the schema revision it was
taken at and, for every table in dependency order, its column names and its rows as lists of
values. How a value is written follows its SQLAlchemy column type (`backup_types`), so a new
column is carried without a change here, and a column type that cannot be carried faithfully
stops the backup instead of producing a file that restores wrongly.

A backup is one consistent snapshot, never rows read at different moments:

- SQLite: the sqlite3 online backup API copies the whole database in one step, under one read
  transaction, into a temporary file, and the rows are read from that copy. Writers can go on
  (write-ahead log); nothing they commit after the copy began is in it.
- PostgreSQL: every table is read in one REPEATABLE READ, READ ONLY transaction, which sees
  the database as it was at its first query.

Restoring checks the whole file first (`backup_check`) and then replaces all rows in one
transaction, so a restore either completes or leaves the database exactly as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    delete,
    insert,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from calfcare.storage.backup_check import FORMAT, check_header, check_rows
from calfcare.storage.backup_types import BackupError, codec_for
from calfcare.storage.migrate import head_revision
from calfcare.storage.tables import Base

__all__ = ["FORMAT", "BackupError", "BackupReport", "backup", "restore", "safety_backup_path"]

CHUNK = 1000  # rows per INSERT statement on restore


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote. `problems` lists values that a restore would refuse."""

    path: Path
    revision: str
    counts: dict[str, int]
    problems: tuple[str, ...]


# --- the schema at a revision ---------------------------------------------------------------


def schema_tables(conn: Connection, revision: str | None) -> list[Table]:
    """The tables at `revision`, in dependency order.

    At the code's head revision these are the models. At any other revision (a database
    between two downgrades) they are read from the database; SQLite does not remember that a
    time column keeps its time zone, so that is taken from the models where they agree.
    """
    if revision == head_revision():
        return list(Base.metadata.sorted_tables)
    reflected = MetaData()
    reflected.reflect(conn)
    tables = [t for t in reflected.sorted_tables if t.name != "alembic_version"]
    for table in tables:
        model = Base.metadata.tables.get(table.name)
        for column in table.columns:
            known = model.c.get(column.name) if model is not None else None
            if (
                isinstance(column.type, DateTime)
                and known is not None
                and isinstance(known.type, DateTime)
                and known.type.timezone
            ):
                column.type = DateTime(timezone=True)
    return tables


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


# --- reading one snapshot -------------------------------------------------------------------


def _read_table(conn: Connection, table: Table) -> dict[str, Any]:
    codecs = [
        (codec_for(c.type, f"table {table.name}, column {c.name}"), c.type) for c in table.columns
    ]
    rows = conn.execute(select(*table.columns).order_by(*table.primary_key.columns))
    return {
        "columns": [c.name for c in table.columns],
        "rows": [
            [
                codec.encode(v, t) if v is not None else None
                for (codec, t), v in zip(codecs, row, strict=True)
            ]
            for row in rows
        ],
    }


def _read_all(conn: Connection) -> tuple[str, list[Table], dict[str, Any]]:
    revision = _revision(conn)
    if revision is None:
        raise BackupError("the database has no calfcare schema; run `calfcare db upgrade` first")
    tables = schema_tables(conn, revision)
    return revision, tables, {t.name: _read_table(conn, t) for t in tables}


@contextmanager
def _sqlite_snapshot(engine: Engine, scratch: Path) -> Iterator[Connection]:
    """A connection to a private copy of a SQLite database, made by the online backup API.

    The copy goes in a private folder inside `scratch`, the backup's own folder, which has
    room for a copy of the data, as a small temporary file system might not.
    """
    with tempfile.TemporaryDirectory(prefix=".calfcare-snapshot-", dir=scratch) as folder:
        copy = Path(folder) / "snapshot.db"
        target = sqlite3.connect(copy)
        source = engine.raw_connection()
        try:
            source.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            source.close()
            target.close()
        snapshot = create_engine(f"sqlite:///{copy}")
        try:
            with snapshot.connect() as conn:
                yield conn
        finally:
            snapshot.dispose()


def _snapshot(engine: Engine, scratch: Path) -> tuple[str, list[Table], dict[str, Any]]:
    if engine.dialect.name == "sqlite":
        with _sqlite_snapshot(engine, scratch) as conn:
            return _read_all(conn)
    with (
        engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as conn,
        conn.begin(),
    ):
        return _read_all(conn)


# --- writing the file -----------------------------------------------------------------------


def _layout(doc: dict[str, Any], tables: dict[str, Any]) -> str:
    """JSON with one row per line: small diffs, and a bad value can be found and fixed."""
    parts = [json.dumps(doc)[:-1] + ', "tables": {']
    for i, (name, data) in enumerate(tables.items()):
        rows = ",\n".join(json.dumps(row) for row in data["rows"])
        parts.append(
            f'{"," if i else ""}\n{json.dumps(name)}: {{"columns": '
            f'{json.dumps(data["columns"])}, "rows": [\n{rows}]}}'
        )
    parts.append("\n}}\n")
    return "".join(parts)


def _write(path: Path, text: str) -> None:
    """Write atomically: the old file stays until the new one is complete on disk.

    Only the owner may read it: it holds health records and password hashes.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"{path}: cannot write the backup ({exc.strerror or exc})") from None


def backup(engine: Engine, path: Path) -> BackupReport:
    """Write one consistent snapshot of every table to `path`."""
    if not path.parent.is_dir():
        raise BackupError(f"{path}: cannot write the backup (no folder {path.parent})")
    revision, tables, data = _snapshot(engine, path.parent)
    header = {
        "format": FORMAT,
        "revision": revision,
        "database": engine.dialect.name,
        "taken_at": datetime.now(UTC).isoformat(),
    }
    problems = check_rows(data, tables).problems.items
    _write(path, _layout(header, data))
    return BackupReport(
        path=path,
        revision=revision,
        problems=tuple(problems),
        counts={name: len(t["rows"]) for name, t in data.items()},
    )


def safety_backup_path(url: str, revision: str, now: datetime, folder: Path | None = None) -> Path:
    """A new file for the backup taken before a downgrade, named by revision and time.

    It goes next to a SQLite database file (where its owner looks for it), else in `folder`
    (the current folder by default).
    """
    parsed = make_url(url)
    if folder is None:
        name = parsed.database if parsed.get_backend_name() == "sqlite" else None
        folder = Path(name).resolve().parent if name and name != ":memory:" else Path.cwd()
    stem = f"calfcare-backup-{revision}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    path = folder / f"{stem}.json"
    n = 2
    while path.exists():
        path, n = folder / f"{stem}-{n}.json", n + 1
    return path


# --- restoring ------------------------------------------------------------------------------


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSON, UTF-8 and the limit on integer digits
        raise BackupError(f"{path}: cannot read the backup ({exc})") from None


def _lock(conn: Connection, tables: Sequence[Table]) -> None:
    """On PostgreSQL, keep every other session out until the restore commits."""
    if conn.dialect.name == "postgresql" and tables:
        names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables)
        conn.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")


def _reset_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """Move PostgreSQL's id sequences past the restored ids, so new rows get fresh ones."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        quote = conn.dialect.identifier_preparer
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence(%(t)s, %(c)s), "
            f"COALESCE(MAX({quote.quote(column.name)}), 0) + 1, false) "
            f"FROM {quote.format_table(table)}",
            {"t": table.name, "c": column.name},
        )


def _replace_rows(
    conn: Connection, tables: Sequence[Table], rows: dict[str, list[dict[str, Any]]]
) -> None:
    for table in reversed(tables):
        conn.execute(delete(table))
    for table in tables:
        batch = rows[table.name]
        for start in range(0, len(batch), CHUNK):
            conn.execute(insert(table), batch[start : start + CHUNK])
    _reset_sequences(conn, tables)


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Replace every row with those of the backup at `path`; returns the rows per table.

    Nothing is changed unless the whole file passes `backup_check`; then all rows are
    replaced in one transaction.
    """
    doc = _load(path)
    with engine.connect() as conn:
        revision = _revision(conn)
        tables = schema_tables(conn, revision)
    checked = check_rows(check_header(doc, revision, str(path)), tables)
    checked.problems.raise_if_any(str(path))
    try:
        with engine.begin() as conn:
            _lock(conn, tables)
            if _revision(conn) != revision:
                raise BackupError(f"{path}: the database changed revision during the restore")
            _replace_rows(conn, tables, checked.rows)
    except DBAPIError as exc:
        raise BackupError(
            f"{path}: the database refused the rows, so nothing was restored ({exc.orig})"
        ) from None
    return {name: len(rows) for name, rows in checked.rows.items()}
