"""The README's command table and the help agree: every command has a row, every option a command's
help lists is named in its row, and every subcommand of a group is in the group's row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketalog.cli import LAZY_COMMANDS, app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
GENERIC = {"--help", "--json", "--no-input"}  # said once for every command, above the table


def command_rows() -> dict[str, str]:
    table = README.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        first, _, rest = line.strip("|").partition("|")
        for name in re.findall(r"`([a-z][a-z-]*)", first):
            rows[name] = rows.get(name, "") + line
    return rows


def help_of(*args: str) -> str:
    return CliRunner().invoke(app, [*args, "--help"], terminal_width=200).output


def options(text: str) -> set[str]:
    return set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", text, re.M)) - GENERIC


@pytest.mark.parametrize("command", sorted(LAZY_COMMANDS))
def test_every_command_has_a_readme_row_naming_its_options(command):
    rows = command_rows()
    assert command in rows, f"no README row for {command}"
    text = help_of(command)
    subcommands = re.findall(r"^  ([a-z][a-z-]+)  ", text.split("Commands:", 1)[1], re.M) if "Commands:" in text else []
    for sub in subcommands:
        assert sub in rows[command], f"README row of {command} does not name {sub}"
    # edit takes the options of the entry's kind: each is named in the row of the command that logs it
    described = "".join(rows.values()) if command == "edit" else rows[command]
    missing = sorted(option for option in options(text) if option not in described)
    assert not missing, f"README row of {command} does not name {missing}"


def test_the_readme_says_once_what_every_command_takes():
    assert "--json" in README and "--no-input" in README
