"""`calfcare conditions` and `calfcare explain`: the condition guides in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer


def conditions() -> None:
    """List every condition calfcare knows, with its usual level of care."""
    from rich.console import Console
    from rich.table import Table

    from calfcare.kb.loader import load_kb
    from calfcare.services.guides import list_guides

    table = Table(title="Conditions", show_lines=False)
    table.add_column("id", style="bold")
    table.add_column("Common name")
    table.add_column("Usual care")
    for g in list_guides(load_kb()):
        table.add_row(g["id"], g["common_name"], g["usual_care_label"])
    Console().print(table)


def explain(
    condition_id: Annotated[str, typer.Argument(help="A condition id; see `calfcare conditions`.")],
) -> None:
    """Show the guide for one condition: symptoms, causes, what to do, when to get help."""
    from rich.console import Console
    from rich.markdown import Markdown

    from calfcare.errors import NotFoundError
    from calfcare.kb.loader import load_kb
    from calfcare.services.guides import guide_markdown

    try:
        text = guide_markdown(condition_id, load_kb())
    except NotFoundError as exc:
        typer.echo(f"{exc} Run `calfcare conditions` to list them.", err=True)
        raise typer.Exit(2) from None
    Console().print(Markdown(text))
