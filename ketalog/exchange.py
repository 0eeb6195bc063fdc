"""Export every table losslessly, and import ketalog exports and other apps' files without ever writing half.

An import is first parsed into an ``ImportPlan`` (rows per table, plus how each
source column was mapped); nothing touches the database until the whole file
has been read and checked. Applying a plan is one transaction: rows whose id
is already present are skipped (or replaced when the incoming copy was edited
later), so re-importing a file adds nothing and two machines' exports merge.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from ketalog.db import latest_schema_version, schema_version, writing
from ketalog.errors import InputError, KetalogError
from ketalog.files import open_private

EXPORT_FORMAT = "ketalog-export"
EXPORT_VERSION = 1

# Entry tables and the child tables that hang off each (child table, foreign key, value column).
ENTRY_TABLES = {
    "sessions": ("side_effects", "session_id", "name"),
    "checkins": ("checkin_tags", "checkin_id", "tag"),
    "journal": ("journal_tags", "journal_id", "tag"),
    "surveys": None,
}
TABLE_ORDER = ["sessions", "side_effects", "checkins", "checkin_tags", "journal", "journal_tags", "surveys"]

_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ImportFileError(InputError):
    """A problem in the file being imported: names the file, the line or row, and what is wrong."""

    def __init__(self, path: Path | str, where: str, problem: str):
        super().__init__(str(path), f"{where}: {problem}; nothing was imported")


# Export -------------------------------------------------------------------------------

def _order_by(db: Database, table: str) -> str:
    return ", ".join(f'"{pk}"' for pk in db[table].pks)


def table_rows(db: Database, table: str):
    return db.query(f'SELECT * FROM "{table}" ORDER BY {_order_by(db, table)}')


def export_data(db: Database, exported_at: str, progress=None) -> dict:
    """Every row of every table, every column, in primary-key order (so exports are reproducible)."""
    tables = {}
    for table in TABLE_ORDER:
        tables[table] = list(table_rows(db, table))
        if progress:
            progress(table, len(tables[table]))
    return {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION, "schema_version": schema_version(db),
            "exported_at": exported_at, "tables": tables}


def write_csv_tables(db: Database, destination: Path, progress=None) -> list[str]:
    """One CSV per table, into a folder (0700) or a .zip (0600)."""
    import csv
    import io
    import os
    import zipfile

    def csv_text(table: str) -> str:
        buffer = io.StringIO()
        columns = list(db[table].columns_dict)
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        count = 0
        for row in table_rows(db, table):
            writer.writerow(["" if row[c] is None else row[c] for c in columns])
            count += 1
        if progress:
            progress(table, count)
        return buffer.getvalue()

    names = [f"{table}.csv" for table in TABLE_ORDER]
    if destination.suffix.lower() == ".zip":
        with open_private(destination, binary=True) as handle, \
                zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for table, name in zip(TABLE_ORDER, names):
                archive.writestr(name, csv_text(table))
        return names
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise InputError("--output", f"cannot create {destination}: {error.strerror}") from None
    os.chmod(destination, 0o700)
    for table, name in zip(TABLE_ORDER, names):
        with open_private(destination / name) as handle:
            handle.write(csv_text(table))
    return names


# Import plans -------------------------------------------------------------------------------

@dataclass
class ImportPlan:
    source: str                     # "ketalog", "daylio" or "emoods"
    path: Path
    tables: dict[str, list[dict]]   # rows per table, ready to insert
    mapping: list[str] = field(default_factory=list)   # how each source column was used
    skipped: list[str] = field(default_factory=list)   # source rows not imported, with why


@dataclass
class ImportResult:
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    safety_positive: list[dict]     # PHQ-9 rows with item 9 > 0 that arrive with this import


def parse_ketalog(path: Path, text: str) -> ImportPlan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(path, f"line {error.lineno}", f"not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportFileError(path, "top level", f'not a ketalog export (expected "format": "{EXPORT_FORMAT}")')
    if data.get("format_version") != EXPORT_VERSION:
        raise ImportFileError(path, "format_version", f"{data.get('format_version')!r} is not one this ketalog reads "
                                                      f"({EXPORT_VERSION})")
    if not isinstance(data.get("schema_version"), int) or data["schema_version"] > latest_schema_version():
        raise ImportFileError(path, "schema_version", "made by a newer ketalog; upgrade ketalog to import it")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise ImportFileError(path, "tables", "missing")
    unknown = set(tables) - set(TABLE_ORDER)
    if unknown:
        raise ImportFileError(path, "tables", f"unknown table {sorted(unknown)[0]!r}")
    plan = ImportPlan("ketalog", path, {table: [] for table in TABLE_ORDER},
                      mapping=["every table and column imported as exported"])
    for table in TABLE_ORDER:
        rows = tables.get(table, [])
        if not isinstance(rows, list):
            raise ImportFileError(path, f"table {table}", "must be a list of rows")
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                raise ImportFileError(path, f"table {table} row {number}", "must be an object")
            if table in ENTRY_TABLES:
                _check_entry_row(path, table, number, row)
            plan.tables[table].append(row)
    return plan


def _check_entry_row(path: Path, table: str, number: int, row: dict) -> None:
    where = f"table {table} row {number}"
    entry_id = row.get("id")
    if not isinstance(entry_id, str) or not re.fullmatch(r"[0-9a-f]{32}", entry_id):
        raise ImportFileError(path, where, f"id must be 32 lowercase hex characters (got {entry_id!r})")
    if not isinstance(row.get("at"), str) or not _AT.match(row["at"]):
        raise ImportFileError(path, where, f"at must be UTC like 2026-03-04T13:30:00Z (got {row.get('at')!r})")
    if not isinstance(row.get("local_date"), str) or not _DAY.match(row["local_date"]):
        raise ImportFileError(path, where, f"local_date must be YYYY-MM-DD (got {row.get('local_date')!r})")
    if table == "surveys":
        _check_survey_row(path, where, row)


def _check_survey_row(path: Path, where: str, row: dict) -> None:
    from ketalog import instruments as inst

    instrument = inst.INSTRUMENTS.get(row.get("instrument"))
    answers = row.get("answers")
    if instrument is None or answers is None:
        return
    try:
        values = json.loads(answers) if isinstance(answers, str) else answers
        result = inst.score(instrument, [int(v) for v in values])
    except (ValueError, TypeError, KetalogError):
        raise ImportFileError(path, where, f"{instrument.name} answers must be {len(instrument.items)} values "
                                           f"0-{instrument.max_option}") from None
    if result.total != row.get("total"):
        raise ImportFileError(path, where, f"total {row.get('total')!r} is not the sum of the answers ({result.total})")


# Applying a plan ----------------------------------------------------------------------------

class _DryRun(Exception):
    """Raised inside the import transaction to roll it back after counting."""


def apply_plan(db: Database, plan: ImportPlan, *, dry_run: bool) -> ImportResult:
    """All of the plan in one transaction, or none of it. ``dry_run`` counts and rolls back."""
    result = ImportResult({}, {}, {}, [])
    try:
        with writing(db):
            _apply(db, plan, result)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return result


def _apply(db: Database, plan: ImportPlan, result: ImportResult) -> None:
    replaced: set[tuple[str, str]] = set()
    for table in ENTRY_TABLES:
        columns = set(db[table].columns_dict)
        for number, row in enumerate(plan.tables.get(table, []), start=1):
            extra = set(row) - columns
            if extra:
                raise ImportFileError(plan.path, f"table {table} row {number}", f"unknown column {sorted(extra)[0]!r}")
            existing = next(db.query(f'SELECT updated_at FROM "{table}" WHERE id = ?', [row["id"]]), None)
            try:
                if existing is None:
                    db[table].insert(row)
                    _count(result.added, table)
                elif str(row.get("updated_at") or "") > str(existing["updated_at"] or ""):
                    db[table].update(row["id"], row)
                    replaced.add((table, row["id"]))
                    _count(result.updated, table)
                else:
                    _count(result.unchanged, table)
                    continue
            except sqlite3.IntegrityError as error:
                raise ImportFileError(plan.path, f"table {table} row {number}", _explain(error)) from None
            if table == "surveys" and row.get("instrument") == "phq9" and row.get("answers"):
                answers = json.loads(row["answers"]) if isinstance(row["answers"], str) else row["answers"]
                if len(answers) == 9 and answers[8] > 0:
                    result.safety_positive.append(row)
    for parent, (child, key, value) in ((p, c) for p, c in ENTRY_TABLES.items() if c):
        for entry_table, entry_id in replaced:
            if entry_table == parent:
                db.execute(f'DELETE FROM "{child}" WHERE "{key}" = ?', [entry_id])
        for number, row in enumerate(plan.tables.get(child, []), start=1):
            if set(row) != {key, value}:
                raise ImportFileError(plan.path, f"table {child} row {number}", f"needs exactly {key} and {value}")
            try:
                cursor = db.execute(f'INSERT OR IGNORE INTO "{child}" ("{key}", "{value}") VALUES (?, ?)',
                                    [row[key], row[value]])
            except sqlite3.IntegrityError as error:
                raise ImportFileError(plan.path, f"table {child} row {number}", _explain(error)) from None
            if cursor.rowcount:
                _count(result.added, child)


def _count(counter: dict[str, int], table: str) -> None:
    counter[table] = counter.get(table, 0) + 1


def _explain(error: sqlite3.IntegrityError) -> str:
    message = str(error)
    if "FOREIGN KEY" in message:
        return "refers to an entry that is not in the file or the database"
    if "CHECK" in message:
        return f"a value is outside what ketalog allows ({message})"
    if "NOT NULL" in message:
        return f"a required value is missing ({message.split(': ')[-1]})"
    return message
