"""`calfcare rehab handout`: a programme, or your own plan, as a printable PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calfcare.cli.people import fail
from calfcare.cli.rehab.common import app, knowledge, no_plan, person, programme_changed

if TYPE_CHECKING:
    from calfcare.kb.loader import KnowledgeBase


def _programme_pdf(kb: KnowledgeBase, programme: str, variant: str | None) -> bytes:
    """A programme's PDF; exit 2 naming --programme or --variant when either is wrong."""
    from calfcare.services.rehab.handout import programme_pdf

    pid = programme.strip().lower()
    if pid not in kb.programmes:
        fail(
            f"--programme: Must be one of {', '.join(sorted(kb.programmes))} (got '{programme}').",
            2,
        )
    vids = [v.id for v in kb.programmes[pid].variants]
    vid = variant.strip().lower() if variant else (vids[0] if len(vids) == 1 else None)
    if vid not in vids:
        rule = f"one of {', '.join(vids)}"
        fail(
            f"--variant: Must be {rule} (got '{variant}')."
            if variant
            else f"--variant: Required: {rule}.",
            2,
        )
    return programme_pdf(kb, pid, vid)


def _plan_pdf(kb: KnowledgeBase, user: str | None, variant: str | None) -> bytes:
    """The person's own plan as a PDF, with their clinician's doses."""
    from calfcare.errors import NotFoundError
    from calfcare.services import rehab
    from calfcare.services.rehab.handout import plan_pdf

    if variant is not None:
        fail("--variant: Give --programme too, or leave both out to print your plan.", 2)
    if not user:
        fail(
            "--programme: Required: the programme to print, or give --user (or set "
            "CALFCARE_USER) to print your own plan.",
            2,
        )
    with person(user) as (session, who, today):
        try:
            return plan_pdf(
                session, owner_id=who.id, kb=kb, today=today, person_name=who.display_name
            )
        except NotFoundError as exc:
            no_plan(str(exc))
        except rehab.ProgrammeChangedError as exc:
            programme_changed(exc)


@app.command("handout")
def handout(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            show_default=False,
            dir_okay=False,
            help="The PDF file to write, e.g. calf-programme.pdf.",
        ),
    ],
    programme: Annotated[
        str | None,
        typer.Option(
            "--programme",
            show_default=False,
            help="A programme to print (default: your own plan, with --user).",
        ),
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant", show_default=False, help="Its version (not needed when there is only one)."
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="CALFCARE_USER",
            show_default=False,
            help="Print this person's own plan, with their clinician's changes.",
        ),
    ] = None,
) -> None:
    """Write a printable PDF of a programme: the phases, exercises with drawings, and goals.

    Example: calfcare rehab handout --programme calf_strain --variant grade2_soleus
    --output calf.pdf
    """
    kb = knowledge()
    if output.exists() and output.is_dir():
        fail(f"--output: {output} is a folder; give a file name such as calf.pdf.", 2)
    pdf = (
        _programme_pdf(kb, programme, variant)
        if programme is not None
        else _plan_pdf(kb, user, variant)
    )
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
    except OSError as exc:
        fail(f"--output: could not write {output}: {exc.strerror or exc}.")
    typer.echo(f"Handout written to {output} ({len(pdf) // 1024 + 1} KB).")
