"""The command table, the modules behind it and the README agree (sqlite-utils' test_docs idea)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from ketalog.cli import LAZY_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMAND_MODULES = sorted(
    p.stem for p in (ROOT / "ketalog" / "commands").glob("*.py") if p.stem not in ("__init__", "common")
)


def _module_commands(module_name: str) -> set[str]:
    module = importlib.import_module(f"ketalog.commands.{module_name}")
    groups = {name for name, lazy in LAZY_COMMANDS.items() if lazy.module == module.__name__ and lazy.whole_group}
    return set(getattr(module, "COMMANDS", {})) | (groups if hasattr(module, "commands") else set())


def test_every_command_a_module_defines_is_reachable_and_nothing_else_is_listed():
    defined = set().union(*(_module_commands(name) for name in COMMAND_MODULES))
    assert defined == set(LAZY_COMMANDS)
    for name, lazy in LAZY_COMMANDS.items():
        module = importlib.import_module(lazy.module)
        assert name in getattr(module, "COMMANDS", {}) or (lazy.whole_group and hasattr(module, "commands"))


def _readme_commands() -> set[str]:
    table = README.split("| command |", 1)[1].split("\n\n", 1)[0]
    names = set()
    for row in table.splitlines()[2:]:
        first_cell = row.split(" | ", 1)[0]
        names |= {code.split()[0] for code in re.findall(r"`([^`]+)`", first_cell)}
    return names


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_command_is_in_the_readme_table_and_has_help(cli, name):
    assert name in _readme_commands(), f"{name} missing from README's command table"
    help_text = cli(name, "--help").stdout
    assert "Usage:" in help_text and len(help_text.split("\n\n")[1].strip()) > 10, help_text


def test_no_command_module_imports_another():
    for name in COMMAND_MODULES:
        tree = ast.parse((ROOT / "ketalog" / "commands" / f"{name}.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        others = {m for m in imported if m.startswith("ketalog.commands.") and m != "ketalog.commands.common"}
        assert not others, f"ketalog/commands/{name}.py imports {others}"


def test_every_file_contributing_md_names_exists():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:ketalog|tests|benchmarks|docs|\.ci)/[\w./-]+)`", text))
    assert named and not [path for path in named if not (ROOT / path).exists()]


def test_every_dependency_is_bounded_above_and_pinned_for_ci():
    """A new major release upstream never reaches users unasked, and CI tests known versions."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    requirements = [*project["dependencies"], *(r for group in extras for r in group)]
    assert requirements and all("<" in r for r in requirements), [r for r in requirements if "<" not in r]
    pinned = {
        re.split("==", line)[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    names = {re.split("[<>=!~ ]", r)[0].lower().replace("_", "-") for r in requirements}
    assert names <= pinned, names - pinned


def _first_sentence(doc: str) -> str:
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    found = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return found.group(1) if found else paragraph


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_the_command_tables_short_help_is_the_commands_own_first_sentence(name):
    """`ketalog --help` reads a static table (nothing is imported for it); the table must not drift from
    the docstrings that `ketalog NAME --help` shows."""
    lazy = LAZY_COMMANDS[name]
    module = importlib.import_module(lazy.module)
    doc = (module.commands.info.help if lazy.whole_group else module.COMMANDS[name].__doc__) or ""
    assert _first_sentence(doc) == lazy.short_help
