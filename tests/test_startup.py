"""Start-up discipline: what each entry point loads (timings live in benchmarks/, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = [
    "rich",
    "sqlite_utils",
    "sqlite3",
    "pydantic",
    "sqlcipher3",
    "ketalog.store",
    "ketalog.db",
    "ketalog.progress",
    "ketalog.render.terminal",
    "ketalog.render.report_html",
    "ketalog.instruments",
]


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "KETALOG_NOW": "2026-03-10T10:00:00+00:00"},
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_only_the_standard_library_and_typer():
    modules = loaded_after("import ketalog.cli")
    assert not [name for name in HEAVY if name in modules]


def test_help_loads_neither_sqlite_nor_rich():
    modules = loaded_after("from ketalog.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass")
    assert not [name for name in HEAVY if name in modules]


def test_add_loads_sqlite_but_not_rich_or_analysis(tmp_path):
    code = (
        f"from ketalog.cli import app\ntry:\n    app(['--db', {str(tmp_path / 'k.db')!r}, 'add', '--route', 'iv'])\n"
        "except SystemExit as e:\n    assert not e.code"
    )
    modules = loaded_after(code)
    assert "sqlite_utils" in modules
    assert (
        not {
            "rich",
            "pydantic",
            "ketalog.progress",
            "ketalog.instruments",
            "ketalog.commands.report",
            "ketalog.commands.data",
            "ketalog.commands.survey",
            "ketalog.commands.entries",
        }
        & modules
    )


def test_every_listed_command_loads_and_has_help(cli):
    from ketalog.cli import LAZY_COMMANDS

    listing = cli("--help").stdout
    for name in LAZY_COMMANDS:
        assert name in listing
        assert "Usage:" in cli(name, "--help").stdout
    assert "no command 'frobnicate'" in cli("frobnicate", expect=2).stderr
