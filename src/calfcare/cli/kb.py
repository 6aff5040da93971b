"""`calfcare kb ...`: prove the knowledge base whole, and list what editors must still confirm."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Work with the knowledge base.", no_args_is_help=True)


@app.command("check")
def check() -> None:
    """Validate every knowledge file: schema, references, reachability, coverage."""
    from calfcare.errors import KnowledgeBaseError
    from calfcare.kb.checks import check_kb
    from calfcare.kb.loader import read_kb
    from calfcare.kb.report import editorial_line, summary_line

    try:
        knowledge = read_kb()
    except KnowledgeBaseError as exc:
        typer.echo(f"The knowledge base does not load:\n{exc}", err=True)
        raise typer.Exit(1) from None
    problems = check_kb(knowledge)
    for p in problems:
        typer.echo(str(p), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found.", err=True)
        raise typer.Exit(1)
    typer.echo(summary_line(knowledge))
    typer.echo(editorial_line(knowledge))


@app.command("references")
def references(
    unconfirmed: Annotated[
        bool, typer.Option("--unconfirmed", help="Only the sources with a part not yet confirmed.")
    ] = False,
) -> None:
    """List the sources as readers see them, with the editors' flags and notes."""
    from calfcare.kb.loader import load_kb
    from calfcare.services.references import citation_text, editorial_flags, sort_key

    refs = sorted(load_kb().references.values(), key=sort_key)
    shown = [r for r in refs if r.unconfirmed] if unconfirmed else refs
    for ref in shown:
        typer.echo(f"{ref.id}\n  {citation_text(ref)}")
        if ref.unconfirmed:
            typer.echo(f"  Not confirmed: {', '.join(editorial_flags(ref))}.")
        if ref.note:
            typer.echo(f"  Note: {ref.note}")
    what = "with a part not yet confirmed" if unconfirmed else "in all"
    typer.echo(f"{len(shown)} sources {what}.")
