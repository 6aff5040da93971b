"""`calfcare db ...`: schema migrations, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Manage the database (SQLite by default, PostgreSQL by URL).",
                  no_args_is_help=True)


def _url() -> str:
    from calfcare.settings import load_settings

    return load_settings().database_url


@app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or upgrade the schema."""
    from calfcare.storage.migrate import upgrade as do_upgrade

    do_upgrade(_url(), revision)
    typer.echo(f"Database upgraded to {revision}.")


@app.command("downgrade")
def downgrade(revision: Annotated[str, typer.Argument(help="Target revision.")]) -> None:
    """Undo migrations down to REVISION ('base' removes every table)."""
    from calfcare.storage.migrate import downgrade as do_downgrade

    do_downgrade(_url(), revision)
    typer.echo(f"Database downgraded to {revision}.")


@app.command("current")
def current() -> None:
    """Show the schema revision of the database and of this version of calfcare."""
    from calfcare.storage.db import make_engine
    from calfcare.storage.migrate import current_revision, head_revision

    engine = make_engine(_url())
    typer.echo(f"database: {current_revision(engine) or 'empty'}  code: {head_revision()}")
    engine.dispose()


@app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="File to write (JSON).")]) -> None:
    """Write every row of every table to a portable JSON file."""
    from calfcare.storage.backup import backup as do_backup
    from calfcare.storage.db import make_engine

    engine = make_engine(_url())
    counts = do_backup(engine, path)
    engine.dispose()
    typer.echo(f"Backup written to {path}: {sum(counts.values())} rows.")


@app.command("restore")
def restore(path: Annotated[Path, typer.Argument(help="A file written by `calfcare db backup`.")],
            yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")]
            = False) -> None:
    """Replace every row in the database with those of a backup."""
    from calfcare.storage.backup import BackupError
    from calfcare.storage.backup import restore as do_restore
    from calfcare.storage.db import make_engine

    if not yes and not typer.confirm("Replace everything in the database with this backup?"):
        raise typer.Exit(1)
    engine = make_engine(_url())
    try:
        counts = do_restore(engine, path)
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(f"Restored {sum(counts.values())} rows from {path}.")
