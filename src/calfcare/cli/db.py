"""`calfcare db ...`: schema migrations, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from calfcare.storage.backup import BackupReport

app = typer.Typer(
    help="Manage the database (SQLite by default, PostgreSQL by URL).", no_args_is_help=True
)


def _url() -> str:
    from calfcare.settings import load_settings

    return load_settings().database_url


def _stop(message: str, code: int = 2) -> typer.Exit:
    """Print why the command stops (on stderr when it failed) and the exit to raise."""
    typer.echo(message, err=code != 0)
    return typer.Exit(code)


@app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or upgrade the schema."""
    from calfcare.cli.rehab.upgrade import move_renamed_plans
    from calfcare.storage.migrate import head_revision
    from calfcare.storage.migrate import upgrade as do_upgrade

    url = _url()
    do_upgrade(url, revision)
    typer.echo(f"Database upgraded to {revision}.")
    if revision in ("head", head_revision()):
        move_renamed_plans(url)


def _plan_downgrade(engine: Engine, revision: str) -> tuple[str, list[str]]:
    """The current revision and what a downgrade to `revision` undoes; exits if nothing."""
    from calfcare.storage.migrate import MigrationError, current_revision, downgrade_steps

    current = current_revision(engine)
    if current is None:
        raise _stop("The database has no calfcare schema: there is nothing to downgrade.", 0)
    try:
        steps = downgrade_steps(current, revision)
    except MigrationError as exc:
        raise _stop(str(exc)) from None
    if not steps:
        raise _stop(f"The database is already at {current}: nothing to downgrade.", 0)
    return current, steps


def _backup_before(engine: Engine, url: str, current: str) -> Path:
    """Back up before a downgrade; exit without changing anything if the backup fails."""
    from datetime import UTC, datetime

    from calfcare.storage.backup import BackupError, backup, safety_backup_path

    path = safety_backup_path(url, current, datetime.now(UTC))
    try:
        report = backup(engine, path)
    except BackupError as exc:
        raise _stop(f"{exc}\nThe backup failed, so the database was not downgraded.") from None
    if report.problems:
        _print_problems(report)
        raise _stop(
            "The backup could not be restored as it is, so the database was not "
            "downgraded. Fix the values above and try again."
        )
    typer.echo(
        f"Backup of the database at revision {current} written to {path} "
        f"({sum(report.counts.values())} rows)."
    )
    return path


def _confirm_downgrade(current: str, revision: str, steps: list[str], yes: bool) -> None:
    typer.echo(f"Downgrading from {current} to {revision} undoes:")
    for step in steps:
        typer.echo(f"  {step}")
    if not yes and not typer.confirm(
        "Tables and columns added by these revisions are dropped with their data. Go on?"
    ):
        raise typer.Exit(1)


@app.command("downgrade")
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision ('base' removes every table).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Undo migrations down to REVISION, after asking and taking a backup.

    The backup goes next to the SQLite database file, or in the current folder.
    """
    from alembic.util import CommandError

    from calfcare.storage.db import make_engine
    from calfcare.storage.migrate import MigrationError
    from calfcare.storage.migrate import downgrade as do_downgrade

    url = _url()
    engine = make_engine(url)
    try:
        current, steps = _plan_downgrade(engine, revision)
        _confirm_downgrade(current, revision, steps, yes)
        path = _backup_before(engine, url, current)
    finally:
        engine.dispose()
    try:
        do_downgrade(url, revision)
    except (MigrationError, CommandError) as exc:
        raise _stop(f"The downgrade stopped: {exc}\nThe backup is in {path}.") from None
    typer.echo(
        f"Database downgraded to {revision}. To go back: `calfcare db upgrade "
        f"{current}`, then `calfcare db restore {path}`."
    )


@app.command("current")
def current() -> None:
    """Show the schema revision of the database and of this version of calfcare."""
    from calfcare.storage.db import make_engine
    from calfcare.storage.migrate import current_revision, head_revision

    engine = make_engine(_url())
    typer.echo(f"database: {current_revision(engine) or 'empty'}  code: {head_revision()}")
    engine.dispose()


def _print_problems(report: BackupReport) -> None:
    typer.echo(
        f"{report.path} cannot be restored as it is ({len(report.problems)} problems):", err=True
    )
    for problem in report.problems[:20]:
        typer.echo(f"  {problem}", err=True)
    if len(report.problems) > 20:
        typer.echo(f"  ... and {len(report.problems) - 20} more", err=True)


@app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="File to write (JSON).")]) -> None:
    """Write one consistent snapshot of every table to a portable JSON file."""
    from calfcare.storage.backup import BackupError
    from calfcare.storage.backup import backup as do_backup
    from calfcare.storage.db import make_engine

    engine = make_engine(_url())
    try:
        report = do_backup(engine, path)
    except BackupError as exc:
        raise _stop(str(exc)) from None
    finally:
        engine.dispose()
    typer.echo(
        f"Backup of revision {report.revision} written to {path}: "
        f"{sum(report.counts.values())} rows."
    )
    if report.problems:
        _print_problems(report)
        raise _stop("Fix these values in the database and take the backup again.", 1)


@app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `calfcare db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace every row in the database with those of a backup (checked in full first)."""
    from calfcare.storage.backup import BackupError
    from calfcare.storage.backup import restore as do_restore
    from calfcare.storage.db import make_engine

    if not yes and not typer.confirm("Replace everything in the database with this backup?"):
        raise typer.Exit(1)
    engine = make_engine(_url())
    try:
        counts = do_restore(engine, path)
    except BackupError as exc:
        raise _stop(str(exc)) from None
    finally:
        engine.dispose()
    typer.echo(f"Restored {sum(counts.values())} rows from {path}.")
