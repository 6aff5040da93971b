"""The `calfcare` command: a thin shell over the services.

Heavy modules (numpy, the knowledge base) are imported inside the commands so that
`calfcare --help` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from calfcare.cli import assess, db, diary, info, kb, rehab, serve, users

app = typer.Typer(
    name="calfcare",
    help="Assessment and advice for calf cramp and calf pain. Not a diagnosis: "
         "if you are worried, or have chest pain or breathlessness, call emergency services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("assess")(assess.assess)
app.command("validate")(assess.validate)
app.command("conditions")(info.conditions)
app.command("explain")(info.explain)
app.command("serve")(serve.serve)
app.add_typer(kb.app, name="kb")
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(diary.app, name="diary")
app.add_typer(rehab.app, name="rehab")


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")
                       ] = False,
) -> None:
    if version:
        from calfcare.version import __version__

        typer.echo(f"calfcare {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


def main() -> None:
    app()
