"""Schema migrations with Alembic, driven from code (no alembic.ini to keep in step)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy import Engine, text

HERE = Path(__file__).parent


class MigrationError(Exception):
    """A migration would leave the database inconsistent, so it was rolled back."""


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str | None:
    return _scripts().get_current_head()


def downgrade_steps(current: str, target: str) -> list[str]:
    """What a downgrade from `current` to `target` undoes, newest first ("0004 rehab...").

    Lets `calfcare db downgrade` show what is about to be dropped, and refuse an unknown
    target before it takes a backup. `target` may be relative, e.g. "-1".
    """
    scripts = _scripts()
    try:
        if target.startswith("-") and target[1:].isdigit():
            revisions = list(scripts.iterate_revisions(current, "base"))[: int(target[1:])]
        else:
            revisions = list(scripts.iterate_revisions(current, target))
    except RevisionError as exc:
        raise MigrationError(f"Cannot downgrade from {current} to {target}: {exc}") from None
    return [
        f"{r.revision} {r.doc.splitlines()[0] if r.doc else ''}".rstrip()
        for r in revisions
        if r is not None
    ]


@contextmanager
def sqlite_foreign_keys_off() -> Iterator[None]:
    """Run a batch (move and copy) operation inside a migration without losing rows.

    On SQLite, rebuilding a table drops the old one, and with foreign keys on, DROP TABLE
    first deletes every row, so ON DELETE CASCADE empties every table that references it
    (a person's diary when `users` is rebuilt). The pragma is ignored inside a transaction,
    so it is switched off in an autocommit block (which commits the steps before it), the
    rebuild runs in one transaction, `PRAGMA foreign_key_check` proves that no reference was
    broken (or the rebuild is rolled back with MigrationError), and the pragma is switched on
    again, which commits the rebuild just before Alembic records the new revision.
    PostgreSQL alters tables in place and needs none of this.
    """
    ctx = op.get_context()
    if ctx.dialect.name != "sqlite":
        yield
        return
    with ctx.autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    if not ctx.as_sql:
        # pysqlite begins a transaction only at the first INSERT, which would leave the
        # CREATE TABLE of the copy behind after a rollback.
        op.execute("BEGIN")
    yield
    if not ctx.as_sql:
        _check_foreign_keys()
    with ctx.autocommit_block():
        op.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys() -> None:
    """Raise MigrationError, inside the migration's transaction, if a reference is broken."""
    broken = op.get_bind().execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        shown = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:10])
        raise MigrationError(f"{len(broken)} rows would point to missing rows: {shown}")
