"""Start-up discipline: what each entry point loads (timings live in benchmarks/, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = [
    "rich",
    "sqlite_utils",
    "sqlite3",
    "pydantic",
    "sqlcipher3",
    "ketalog.store",
    "ketalog.db",
    "ketalog.reading.rules",
    "ketalog.reading.report",
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


def _run_in_process(db: str, *args: str) -> str:
    return (
        f"from ketalog.cli import app\ntry:\n    app(['--db', {db!r}, *{list(args)!r}])\n"
        "except SystemExit as e:\n    assert not e.code, e.code"
    )


DAILY = [
    ("add", "--route", "iv", "--no-input"),
    ("checkin", "--mood", "5", "--no-input"),
    ("status", "--short"),
]


@pytest.mark.parametrize("command", DAILY, ids=lambda c: c[0] + (" --short" if "--short" in c else ""))
def test_daily_commands_load_sqlite3_but_not_sqlite_utils_rich_or_analysis(tmp_path, command):
    db = str(tmp_path / "k.db")
    loaded_after(_run_in_process(db, "checkin", "--mood", "4"))  # the file exists and is up to date
    modules = loaded_after(_run_in_process(db, *command))
    assert "sqlite3" in modules
    # sqlite-utils is ~55 ms with the Click, pluggy and dateutil it brings: only migrations, import, export
    forbidden = {"sqlite_utils", "rich", "pydantic", "ketalog.commands.report", "ketalog.commands.data"}
    if command[0] != "status":  # status judges what is due, so it reads the questionnaires' rules
        forbidden |= {
            "ketalog.reading.rules",
            "ketalog.reading.report",
            "ketalog.instruments",
            "ketalog.commands.survey",
            "ketalog.commands.entries",
        }
    assert not forbidden & modules


def test_insights_load_neither_the_report_engine_nor_rich(tmp_path):
    db = str(tmp_path / "k.db")
    loaded_after(_run_in_process(db, "checkin", "--mood", "4"))
    modules = loaded_after(_run_in_process(db, "insights"))
    assert "ketalog.reading.insights" in modules
    engine = {"ketalog.reading.rules", "ketalog.reading.report"}  # the questionnaires' ids it may read
    assert not {"sqlite_utils", "rich", *engine} & modules


def test_a_new_file_is_migrated_through_sqlite_utils(tmp_path):
    assert "sqlite_utils" in loaded_after(_run_in_process(str(tmp_path / "new.db"), "checkin", "--mood", "4"))


def test_reports_on_an_up_to_date_file_do_not_load_sqlite_utils(tmp_path):
    db = str(tmp_path / "k.db")
    loaded_after(_run_in_process(db, "checkin", "--mood", "4"))
    for command in (("report",), ("progress",), ("trends",), ("status",), ("list",)):
        assert "sqlite_utils" not in loaded_after(_run_in_process(db, *command)), command


def test_every_listed_command_loads_and_has_help(cli):
    from ketalog.cli import LAZY_COMMANDS

    listing = cli("--help").stdout
    for name in LAZY_COMMANDS:
        assert name in listing
        assert "Usage:" in cli(name, "--help").stdout
    assert "no command 'frobnicate'" in cli("frobnicate", expect=2).stderr
