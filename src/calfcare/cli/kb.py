"""`calfcare kb ...`: prove the knowledge base whole."""

from __future__ import annotations

import typer

app = typer.Typer(help="Work with the knowledge base.", no_args_is_help=True)


@app.command("check")
def check() -> None:
    """Validate every knowledge file: schema, references, reachability, coverage."""
    from calfcare.errors import KnowledgeBaseError
    from calfcare.kb.checks import check_kb
    from calfcare.kb.loader import load_kb

    try:
        knowledge = load_kb()
    except KnowledgeBaseError as exc:
        typer.echo(f"The knowledge base does not load:\n{exc}", err=True)
        raise typer.Exit(1) from None
    problems = check_kb(knowledge)
    for p in problems:
        typer.echo(str(p), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found.", err=True)
        raise typer.Exit(1)
    statements = sum(
        len(getattr(g, name)) for g in knowledge.guides.values()
        for name in ("causes", "complications", "do_now", "self_care", "treatment_later",
                     "prevention", "folk_remedies", "kit", "seek_help")
    )
    typer.echo(
        f"Knowledge base {knowledge.content_hash} is whole: {len(knowledge.guides)} conditions, "
        f"{len(knowledge.findings)} findings, {len(knowledge.questions)} questions, "
        f"{len(knowledge.rules)} alarm rules, {len(knowledge.likelihoods)} likelihoods, "
        f"{statements} graded statements, {len(knowledge.references)} references; "
        f"{len(knowledge.exercises)} exercises with their drawings, "
        f"{len(knowledge.programmes)} rehabilitation programmes."
    )
