"""Every earlier schema version upgrades to the current one with every row intact."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ketalog import db as database
from ketalog.migrations import MIGRATION_NAMES

FIXTURES = sorted(
    (Path(__file__).parent / "fixtures").glob("schema-v*.db"), key=lambda path: int(path.stem.rsplit("v", 1)[1])
)


def snapshot(path: Path, columns: dict[str, list[str]] | None = None) -> dict[str, list[dict]]:
    """Every row of every ketalog table as dicts; ``columns`` picks the columns an older file had."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'"
            )
        ]
        result = {}
        for table in tables:
            if columns is not None and table not in columns:
                continue
            names = columns[table] if columns else [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            found = conn.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
            result[table] = sorted((dict(row) for row in found), key=repr)
        return result


def expected_after_upgrade(version: int, table: str, row: dict) -> dict:
    """The changes migrations make on purpose: 004 recomputes bands and names known clinician scales by id;
    010 names every known questionnaire or scale by its id ('PHQ-9' is phq9) and scores it as that; 011 says
    which app a check-in imported before 010 came from, by its id."""
    from ketalog import instruments

    if table == "checkins" and version < 11:
        imported = {"96928e5ebeee5fcbad127d080d00a4a9": "daylio", "17ae3393ae6353feb79c3399e3abc516": "emoods"}
        if row["id"] in imported:
            return {**row, "source": imported[row["id"]]}
    if table != "surveys":
        return row
    if version < 4:
        known = instruments.INSTRUMENTS.get(row["instrument"])
        if known is not None:
            row = {**row, "band": known.band(row["total"])}
        else:
            row = {**row, "instrument": instruments.normalise_id(row["instrument"])}
    if version < 10:
        name = instruments.normalise_id(row["instrument"])
        fields = instruments.rescored(name, row["answers"], row["total"]) if name != row["instrument"] else None
        if fields is not None:
            row = {**row, "instrument": name, **fields}
        scale = instruments.CLINICIAN_SCALES.get(row["instrument"])
        if scale is not None and row["total"] is not None:
            row = {**row, "band": scale.band(row["total"])}
    return row


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
    after = snapshot(path, {table: list(rows[0]) if rows else ["rowid"] for table, rows in before.items()})
    for table, rows in before.items():
        version = int(fixture.stem.rsplit("v", 1)[1])
        expected = sorted((expected_after_upgrade(version, table, row) for row in rows), key=repr)
        assert after[table] == expected, table


def test_version_4_recomputes_stale_bands_and_names_known_scales(tmp_path):
    path = tmp_path / "v3.db"
    shutil.copy(FIXTURES[2], path)
    before = {row["id"]: row for row in snapshot(path)["surveys"]}
    assert before["a7" * 16]["band"] == "minimal" and before["b8" * 16]["instrument"] == "Madrs"
    database.open_db(path, create=True).close()
    after = {row["id"]: row for row in snapshot(path)["surveys"]}
    assert after["a7" * 16]["band"] == "severe" and after["a7" * 16]["prorated"] == 0
    assert after["b8" * 16]["instrument"] == after["f6" * 16]["instrument"] == "madrs"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_upgraded_file_works_through_the_cli(fixture, tmp_path, cli):
    path = tmp_path / "old.db"
    shutil.copy(fixture, path)
    entries = cli.json("--db", str(path), "list", "--limit", "0")
    assert {e["kind"] for e in entries} >= {"session", "checkin", "journal"}
    session = next(e for e in entries if e["id"] == "a1" * 16)
    assert sorted(session["side_effects"]) == ["metallic taste", "nausea"]
    assert session["at"] == "2026-01-05T10:00:00+01:00"  # stored UTC, shown at the user's offset
    before = cli.json("--db", str(path), "info")["counts"]["surveys"]
    cli("--db", str(path), "survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0")
    assert cli.json("--db", str(path), "info")["counts"]["surveys"] == before + 1


def test_version_10_makes_an_imported_phq9_spelt_otherwise_a_phq9_with_its_item_9_rule(tmp_path, cli):
    path = tmp_path / "v9.db"
    shutil.copy(FIXTURES[8], path)
    assert ("PHQ-9",) in [(row["instrument"],) for row in snapshot(path)["surveys"]]
    entries = cli.json("--db", str(path), "list", "--kind", "survey", "--limit", "0")
    phq9 = next(e for e in entries if e["id"] == "a9" * 16)
    assert (phq9["instrument"], phq9["band"]) == ("phq9", "moderate")
    report = json.loads(cli("--db", str(path), "report", "--format", "json").stdout)
    assert report["safety"]["last_positive"] == {"at": "2026-01-08T10:00+01:00", "answer": 2}
