"""`calfcare conditions` and `calfcare explain`: the condition guides in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

#: Room the two text columns need beside the widest id before the table becomes a list.
NARROW_MARGIN = 50


def conditions() -> None:
    """List every condition calfcare knows, with its usual level of care."""
    from rich.console import Console
    from rich.table import Table

    from calfcare.kb.loader import load_kb
    from calfcare.services.guides import list_guides

    guides = list_guides(load_kb())
    console = Console()
    # Ids are for copying into `calfcare explain`: never cut. A narrow terminal gets a list.
    widest = max(len(g["id"]) for g in guides)
    if console.width < widest + NARROW_MARGIN:
        for g in guides:
            console.print(f"[bold]{g['id']}[/bold]", soft_wrap=True)
            console.print(f"  {g['common_name']}. {g['usual_care_label']}.")
        return
    table = Table(title="Conditions", show_lines=False)
    table.add_column("id", style="bold", no_wrap=True, min_width=widest)
    table.add_column("Common name", ratio=1, overflow="fold")
    table.add_column("Usual care", ratio=1, overflow="fold")
    for g in guides:
        table.add_row(g["id"], g["common_name"], g["usual_care_label"])
    console.print(table)


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
