"""`calfcare export fhir` and `calfcare import activity`: a person's records out in a standard
form, and training sessions in from sports watches and apps.

The person is chosen with `--user EMAIL` (or CALFCARE_USER), as for `calfcare diary`. An
import reads and commits the files in batches, each file whole or not at all, and shows a
progress bar when there are many; every file it could not read is named with the reason, and
the command then ends with exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from calfcare.cli.people import fail, person_session

EXPORT_HELP = "Export your records in a standard form: a FHIR R4 Bundle for health records."
IMPORT_HELP = "Import training sessions from sports watches and apps (GPX, TCX and FIT files)."
export_app = typer.Typer(help=EXPORT_HELP, no_args_is_help=True)
import_app = typer.Typer(help=IMPORT_HELP, no_args_is_help=True)
#: Files read and committed together: a failure later on keeps what was already imported.
BATCH = 200
#: From this many files on, the import shows a progress bar.
PROGRESS_FROM = 5
UserOption = Annotated[
    str,
    typer.Option(
        "--user",
        envvar="CALFCARE_USER",
        show_default=False,
        help="Email of the person whose records these are (or set CALFCARE_USER).",
    ),
]


@export_app.command("fhir")
def export_fhir(
    user: UserOption,
    out: Annotated[
        Path | None,
        typer.Option("--out", show_default=False, help="The file to write (default: print it)."),
    ] = None,
) -> None:
    """Write the person's records as one FHIR R4 Bundle (JSON): assessments, rehabilitation
    plans, diary episodes and training sessions."""
    import json
    from datetime import UTC, datetime

    from calfcare.kb.loader import load_kb
    from calfcare.services import interop
    from calfcare.services.assessment import Assessor

    if out is not None and out.is_dir():
        fail(f"--out: {out} is a folder; give a file name for the Bundle.", 2)
    with person_session(user) as (session, person):
        bundle = interop.person_bundle(
            session, owner_id=person.id, assessor=Assessor(load_kb()), now=datetime.now(UTC)
        )
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"FHIR Bundle of {len(bundle.get('entry', []))} resources written to {out}.")


def _read(path: Path) -> tuple[str, bytes]:
    try:
        return path.name, path.read_bytes()
    except OSError as exc:
        fail(f"{path}: cannot be read ({exc.strerror or exc}).", 2)


@import_app.command("activity")
def import_activity(
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True, dir_okay=False, show_default=False, help="GPX, TCX or FIT files."
        ),
    ],
    user: UserOption,
    intensity: Annotated[
        int,
        typer.Option(
            "--intensity",
            min=1,
            max=10,
            show_default=False,
            help="How hard these sessions were, 1 (very easy) to 10 (maximal effort): files "
            "do not record it.",
        ),
    ],
) -> None:
    """Add each file as a training session of the diary; files already there are skipped."""
    from rich.progress import Progress

    from calfcare.cli.people import rich_console
    from calfcare.services import activity

    imported, duplicates, errors = 0, 0, []
    with (
        person_session(user) as (session, person),
        Progress(console=rich_console(), transient=True, disable=len(files) < PROGRESS_FROM) as bar,
    ):
        task = bar.add_task("Importing", total=len(files))
        for start in range(0, len(files), BATCH):
            batch = [activity.ActivityFile(*_read(p)) for p in files[start : start + BATCH]]

            def advance(n: int, done: int = start) -> None:
                bar.update(task, completed=done + n)

            got = activity.import_activities(
                session, owner_id=person.id, files=batch, intensity=intensity, progress=advance
            )
            session.commit()
            imported += len(got.imported)
            duplicates += len(got.duplicates)
            errors += [message for _, message in got.errors]
    typer.echo(
        f"Imported {imported} training session{'s' if imported != 1 else ''}; "
        f"{duplicates} already in the diary; {len(errors)} not imported."
    )
    for message in errors:
        typer.echo(f"  {message}", err=True)
    if errors:
        raise typer.Exit(1)
