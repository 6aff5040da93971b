"""Every `calfcare` command the README and the docs show parses against the real command line.

Each command is read from the Markdown (code blocks and inline code), then handed to the
CLI's own parser without running it: an unknown command or option, a missing required option
or argument, or a value of the wrong kind fails here, as it would for a reader who copies it.
Shorthands that list several commands (`calfcare diary add / list --user EMAIL`) must at
least name commands that exist. `make` targets must exist in the Makefile.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from typer import _click as click
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from calfcare.cli import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
INLINE = re.compile(r"(?<!`)`([^`]+)`(?!`)")
BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.S)
ENV = re.compile(r"^[A-Z_]+=\S*$")
#: A plain file name in an example (`ride.fit`), made empty so that "must exist" checks pass.
EXAMPLE_FILE = re.compile(r"^[\w-]+\.(fit|gpx|tcx)$")


Example = tuple[str, str, dict[str, str]]  # document, command, environment set before it


def _block_commands(block: str, program: str) -> list[tuple[str, dict[str, str]]]:
    """Commands of a shell block, with continuation lines joined and `export`s applied."""
    env: dict[str, str] = {}
    found = []
    for line in block.replace("\\\n", " ").splitlines():
        line = line.strip().removeprefix("$ ").split("  #")[0].strip()
        if line.startswith("export ") and "=" in line:
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        elif line.startswith(program + " "):
            found.append((line, dict(env)))
    return found


def _commands(text: str, program: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for block in BLOCK.findall(text):
        found += _block_commands(block, program)
    for span in INLINE.findall(BLOCK.sub("", text)):
        words = [w for w in span.split() if not ENV.match(w)]
        if words and words[0] == program:
            found.append((" ".join(words), {}))
    return found


def _examples(program: str) -> list[Example]:
    return [
        (path.name, command, env)
        for path in DOCS
        for command, env in _commands(path.read_text(encoding="utf-8"), program)
    ]


def _parse(args: list[str]) -> None:
    """Parse like the shell would run it, down to the leaf command, without invoking it."""
    command: click.Command = typer.main.get_command(app)
    ctx = command.make_context("calfcare", args)
    while isinstance(command, TyperGroup):
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest:
            return
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            raise UsageError(f"no such command {rest[0]!r}", ctx)
        ctx = sub.make_context(rest[0], rest[1:], parent=ctx)
        command = sub


def _check_shorthand(command: str) -> None:
    """`calfcare diary add / list / insights --user EMAIL`: each named command exists."""
    head, *others = [part.strip() for part in command.split(" / ")]
    words = head.split()
    prefix = words[:-1]
    for name in [words[-1], *(other.split()[0] for other in others)]:
        _parse([*prefix[1:], name, "--help"])


def _names_only(args: list[str]) -> bool:
    """`calfcare explain` in prose names a command; it is not an example to copy."""
    command: click.Command = typer.main.get_command(app)
    for word in args:
        if not isinstance(command, TyperGroup):
            return False
        sub = command.get_command(click.Context(command), word)
        if sub is None:
            return False
        command = sub
    return True


@pytest.mark.parametrize(
    ("doc", "command", "env"), _examples("calfcare"), ids=lambda v: str(v)[:60] if v else "-"
)
def test_every_documented_command_parses(
    doc: str, command: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert "…" not in command, f"{doc}: give the whole command"
    assert "..." not in command, f"{doc}: give the whole command"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = [w.strip("[]") if w.startswith("[-") else w for w in shlex.split(command)[1:]]
    monkeypatch.chdir(tmp_path)
    for name in filter(EXAMPLE_FILE.match, args):  # a file the reader would have
        (tmp_path / name).write_bytes(b"")
    try:
        if " / " in command:
            _check_shorthand(command)
        elif _names_only(args):
            _parse([*args, "--help"])
        else:
            _parse(args)
    except typer.Exit:
        pass  # --help or --version: a valid command that exits at once
    except click.ClickException as exc:
        pytest.fail(f"{doc}: `{command}`: {exc.format_message()}")


def test_the_docs_show_commands_at_all() -> None:
    assert len(_examples("calfcare")) >= 20


@pytest.mark.parametrize(
    ("doc", "command", "env"), _examples("make"), ids=lambda v: str(v)[:40] if v else "-"
)
def test_every_documented_make_target_exists(doc: str, command: str, env: dict[str, str]) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    for word in shlex.split(command)[1:]:
        if "=" not in word:
            assert word in targets, f"{doc}: `{command}`: no target {word!r}"
