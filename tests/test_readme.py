"""The README's promises that a newcomer relies on stay true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    command = ci.strip().splitlines()[-1]
    assert command in README.split("## A short tour")[0]


def test_first_screen_has_the_two_setup_commands():
    first_screen = "\n".join(README.splitlines()[:30])
    assert len(re.findall(r"^pip install .*&& \S", first_screen, flags=re.M)) == 2


def test_every_table_and_column_is_documented(tmp_path):
    from ketalog import db as database

    handle = database.open_db(tmp_path / "absent.db", create=False)  # migrated, in memory
    try:
        for table in handle.table_names():
            assert f"`{table}`" in README, table
            for column in handle.utils[table].columns_dict:
                if table != "_sqlite_migrations":
                    assert f"`{column}`" in README, f"{table}.{column}"
    finally:
        handle.close()
