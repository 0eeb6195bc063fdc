"""Every earlier schema version upgrades to the current one with every row intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ketalog import db as database
from ketalog.migrations import MIGRATION_NAMES

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("schema-v*.db"))


def snapshot(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'"
            )
        ]
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in tables}


def test_there_is_a_fixture_for_every_earlier_version():
    assert [f.name for f in FIXTURES] == [f"schema-v{n}.db" for n in range(1, len(MIGRATION_NAMES))]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_upgrade_keeps_every_row(fixture, tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(fixture, path)
    before = snapshot(path)
    assert any(before.values()), "fixture should hold data"
    db = database.open_db(path, create=True)
    assert database.schema_version(db) == database.latest_schema_version()
    assert {"surveys", "checkin_tags"} <= set(db.table_names())
    db.close()
    after = snapshot(path)
    for table, rows in before.items():
        assert after[table] == rows, table


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_upgraded_file_works_through_the_cli(fixture, tmp_path, cli):
    path = tmp_path / "old.db"
    shutil.copy(fixture, path)
    entries = cli.json("--db", str(path), "list", "--limit", "0")
    assert {e["kind"] for e in entries} >= {"session", "checkin", "journal"}
    session = next(e for e in entries if e["kind"] == "session" and e["route"] == "iv")
    assert sorted(session["side_effects"]) == ["metallic taste", "nausea"]
    assert session["at"] == "2026-01-05T10:00:00+01:00"  # stored UTC, shown at the user's offset
    before = cli.json("--db", str(path), "info")["counts"]["surveys"]
    cli("--db", str(path), "survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0")
    assert cli.json("--db", str(path), "info")["counts"]["surveys"] == before + 1
