"""`calfcare kb ...`: prove the knowledge base whole."""

from __future__ import annotations

import typer

app = typer.Typer(help="Work with the knowledge base.", no_args_is_help=True)


@app.command("check")
def check() -> None:
    """Validate every knowledge file: schema, references, reachability, coverage."""
    from calfcare.errors import KnowledgeBaseError
    from calfcare.kb.checks import check_kb
    from calfcare.kb.loader import read_kb
    from calfcare.kb.report import summary_line

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
