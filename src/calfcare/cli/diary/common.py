"""What the `calfcare diary` commands share: the Typer app they register on, and the `--user`
option that chooses whose diary it is."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Keep a diary of cramps and calf pain, and see what it shows.", no_args_is_help=True
)

UserOption = Annotated[
    str,
    typer.Option(
        "--user",
        envvar="CALFCARE_USER",
        show_default=False,
        help="Email of the person whose diary this is (or set CALFCARE_USER).",
    ),
]
