"""The command line's help: fast to load, complete, and the same words as each command."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from calfcare.cli import ENTRIES, app

runner = CliRunner()


@pytest.mark.parametrize("name", list(ENTRIES))
def test_listed_summary_is_the_commands_own_help(name: str) -> None:
    command = ENTRIES[name].load(name)
    assert command.help is not None
    assert " ".join(command.help.split("\n\n")[0].split()) == ENTRIES[name].summary


def test_help_loads_no_command_module_and_no_console_library() -> None:
    probe = (
        "import sys\n"
        "from calfcare.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules\n"
        "                if m.startswith(('calfcare.cli.', 'rich.console', 'calfcare.kb')))\n"
        "print('LOADED', loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "LOADED []" in out


def test_every_command_is_listed_with_its_summary() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for name, entry in ENTRIES.items():
        assert f"{name}  " in result.output
        assert entry.summary.split(":")[0] in result.output


def _all_help_pages() -> list[list[str]]:
    pages = []
    for name, entry in ENTRIES.items():
        command = entry.load(name)
        pages.append([name, "--help"])
        pages += [[name, sub, "--help"] for sub in getattr(command, "commands", {})]
    return pages


@pytest.mark.parametrize("args", _all_help_pages(), ids=" ".join)
def test_help_shows_switches_as_switches(args: list[str]) -> None:
    result = runner.invoke(app, args, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    listed = result.output.partition("Commands:")[2]
    assert "..." not in listed  # summaries wrap rather than being cut


def test_unknown_command_is_named() -> None:
    result = runner.invoke(app, ["asses"])
    assert result.exit_code == 2
    assert "asses" in result.output
