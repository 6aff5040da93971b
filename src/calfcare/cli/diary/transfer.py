"""`calfcare diary export` and `import`: the whole diary out to files and back in.

The formats are the services'; these commands choose the file or folder, refuse a file where
a folder is needed (and the reverse), and report what was written or added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from calfcare.cli.diary.common import UserOption, app
from calfcare.cli.people import fail, person_session, zone_of_person


@app.command("export")
def export(
    user: UserOption,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            show_default=False,
            help="JSON: the file to write. CSV: a folder for episodes.csv, training_sessions.csv "
            "and saved_assessments.csv.",
        ),
    ],
    output: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
) -> None:
    """Write all of the diary to JSON (one file) or CSV (one file per record type)."""
    from calfcare.services import diary

    if output not in ("json", "csv"):
        fail("--format: choose json or csv.", 2)
    with person_session(user) as (session, person):
        if output == "json":
            if out.is_dir():
                fail(f"--out: {out} is a folder; give a file name for the JSON export.", 2)
            text = diary.export_json(session, owner_id=person.id)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            typer.echo(f"Diary written to {out}.")
            return
        if out.exists() and not out.is_dir():
            fail(f"--out: {out} is a file; CSV export needs a folder.", 2)
        files = diary.export_csv(session, owner_id=person.id)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8", newline="")
        typer.echo(f"Diary written to {out}/: {', '.join(files)}.")


@app.command("import")
def import_(
    user: UserOption,
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            show_default=False,
            help="A JSON file, or a folder of CSV files, written by `calfcare diary export`.",
        ),
    ],
) -> None:
    """Add the records of an export to the diary: all of them, or none if a row is bad."""
    from calfcare.errors import FormError
    from calfcare.services import diary

    with person_session(user) as (session, person):
        try:
            if path.is_dir():
                files = {
                    p.name: p.read_text(encoding="utf-8-sig") for p in sorted(path.glob("*.csv"))
                }
                if not files:
                    fail(f"{path} holds no CSV files.", 2)
                result = diary.import_csv(
                    session, owner_id=person.id, files=files, tz=zone_of_person(person)
                )
            else:
                result = diary.import_json(
                    session,
                    owner_id=person.id,
                    text=path.read_text(encoding="utf-8-sig"),
                    tz=zone_of_person(person),
                )
        except FormError as exc:
            for where, message in exc.errors.items():
                typer.echo(f"{where}: {message}", err=True)
            fail("Nothing was imported.", 2)
        session.commit()
    skipped = f"; {result.duplicates} already in the diary" if result.duplicates else ""
    typer.echo(
        f"Imported {result.episodes} episode(s), {result.training_sessions} training "
        f"session(s) and {result.saved_assessments} saved assessment(s){skipped}."
    )
