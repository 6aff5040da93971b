"""The `calfcare` command: a thin shell over the services.

Every command and command group lives in its own module and is imported only when it runs,
so `calfcare --help` loads Typer and nothing else (see `benchmarks/cli_startup.py`). The
summaries listed by `--help` are kept here for that reason; a test checks that they match
the commands' own help.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Annotated

import typer
from typer import _click as click
from typer.core import TyperGroup

SUMMARY = (
    "Assessment and advice for calf cramp and calf pain. Not a diagnosis: "
    "if you are worried, or have chest pain or breathlessness, call emergency services."
)


@dataclass(frozen=True)
class Entry:
    """Where a command lives and the one line `calfcare --help` shows for it."""

    module: str
    attribute: str  # `app` for a command group, the function's name for a single command
    summary: str

    def load(self, name: str) -> click.Command:
        target = getattr(import_module(self.module), self.attribute)
        command: click.Command
        if isinstance(target, typer.Typer):
            command = typer.main.get_group(target)
        else:
            single = typer.Typer(add_completion=False)
            single.command(name)(target)
            command = typer.main.get_command(single)
        command.name = name
        _plain_help(command)
        return command


ENTRIES: dict[str, Entry] = {
    "assess": Entry(
        "calfcare.cli.assess",
        "assess",
        "Answer a few questions about your calf and get the level of care you need.",
    ),
    "validate": Entry(
        "calfcare.cli.assess",
        "validate",
        "Score the assessment on vignettes: the figures of the case-format v1 "
        "scorer, with calibration (Brier score, expected calibration error).",
    ),
    "conditions": Entry(
        "calfcare.cli.info",
        "conditions",
        "List every condition calfcare knows, with its usual level of care.",
    ),
    "explain": Entry(
        "calfcare.cli.info",
        "explain",
        "Show the guide for one condition: symptoms, causes, what to do, when to get help.",
    ),
    "serve": Entry(
        "calfcare.cli.serve",
        "serve",
        "Start the web application (http://127.0.0.1:8000 by default).",
    ),
    "kb": Entry("calfcare.cli.kb", "app", "Work with the knowledge base."),
    "db": Entry(
        "calfcare.cli.db", "app", "Manage the database (SQLite by default, PostgreSQL by URL)."
    ),
    "users": Entry(
        "calfcare.cli.users",
        "app",
        "Manage accounts: reset codes for forgotten passwords, new accounts.",
    ),
    "diary": Entry(
        "calfcare.cli.diary", "app", "Keep a diary of cramps and calf pain, and see what it shows."
    ),
    "export": Entry(
        "calfcare.cli.interop",
        "export_app",
        "Export your records in a standard form: a FHIR R4 Bundle for health records.",
    ),
    "import": Entry(
        "calfcare.cli.interop",
        "import_app",
        "Import training sessions from sports watches and apps (GPX, TCX and FIT files).",
    ),
    "rehab": Entry(
        "calfcare.cli.rehab",
        "app",
        "Follow a rehabilitation programme: today's exercises, your logs, and when "
        "to move on. Stop and see a professional if a warning sign appears.",
    ),
    "plan": Entry(
        "calfcare.cli.plan",
        "app",
        "Prevent cramps: sweat test, session plan, your own cramp risk, night cramps.",
    ),
}


def _plain_help(command: click.Command) -> None:
    """Click's plain help for a command and everything under it: switches shown as switches,
    required options marked, summaries wrapped rather than cut, and no console library to
    load."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    if command.short_help is None and command.help:
        command.short_help = command.help.strip().split("\n\n")[0]
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


class LazyGroup(TyperGroup):
    """The top-level group: lists the commands from `ENTRIES`, imports one when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(ENTRIES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = ENTRIES.get(cmd_name)
        return entry.load(cmd_name) if entry is not None else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.summary) for name, entry in ENTRIES.items()])


app = typer.Typer(
    name="calfcare",
    cls=LazyGroup,
    help=SUMMARY,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
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
