"""ketalog's own JSON export: every table, every column, in primary-key order, written row by row; and
reading one back into a plan (checked whole by `checks.check_plan`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ketalog.db import Connection, latest_schema_version, schema_version
from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.tables import EXPORTED_TABLES, table_rows

EXPORT_FORMAT = "ketalog-export"
EXPORT_VERSION = 2  # 2: sessions carry doses, timed readings and the drug (schema 14)
READABLE_VERSIONS = (1, 2)  # a format-1 session's summary columns become its lists on import


def export_data(db: Connection, exported_at: str, tick=None) -> dict:
    """Every row of every table, every column, in primary-key order (so exports are reproducible)."""
    tables = {}
    for table in EXPORTED_TABLES:
        tables[table] = list(table_rows(db, table))
        if tick:
            tick(table, len(tables[table]))
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "schema_version": schema_version(db),
        "exported_at": exported_at,
        "tables": tables,
    }


def export_json_chunks(db: Connection, exported_at: str, tick=None, head_extra: dict | None = None) -> Iterator[str]:
    """The text of ``to_json(export_data(...))``, byte for byte, one row at a time: a lifetime's export
    is written without ever holding it in memory (tests compare the two). The first chunk is the head (what
    differs between two devices holding the same diary); ``head_extra`` adds keys to it (a sync file's)."""
    from ketalog.render.text import json_line, to_json

    head = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "schema_version": schema_version(db),
        "exported_at": exported_at,
        **(head_extra or {}),
    }
    yield to_json(head)[:-2] + ',\n  "tables": {'
    for index, table in enumerate(EXPORTED_TABLES):
        yield ("," if index else "") + f"\n    {to_json(table)}: ["
        count = 0
        for row in table_rows(db, table):
            yield ("," if count else "") + "\n      " + json_line(row)
            count += 1
        yield "\n    ]" if count else "]"
        if tick:
            tick(table, count)
    yield "\n  }\n}"


def detect_json(data: object) -> bool:
    return isinstance(data, dict) and "format" in data


def parse_json(path: Path, data: object, options: ParseOptions | None = None) -> ImportPlan:
    """An export's tables as a plan, after its format, version and schema are known to be readable here."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportFileError(path, "top level", f'not a ketalog export (expected "format": "{EXPORT_FORMAT}")')
    if data.get("format_version") not in READABLE_VERSIONS:
        raise ImportFileError(
            path, "format_version", f"{data.get('format_version')!r} is not one this ketalog reads ({EXPORT_VERSION})"
        )
    if not isinstance(data.get("schema_version"), int) or data["schema_version"] > latest_schema_version():
        raise ImportFileError(path, "schema_version", "made by a newer ketalog; upgrade ketalog to import it")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise ImportFileError(path, "tables", "missing")
    unknown = set(tables) - set(EXPORTED_TABLES)
    if unknown:
        raise ImportFileError(path, "tables", f"unknown table {sorted(unknown)[0]!r}")
    plan = ImportPlan(
        "ketalog",
        path,
        {table: [] for table in EXPORTED_TABLES},
        mapping=["every table and column imported as exported"],
    )
    for table in EXPORTED_TABLES:
        rows = tables.get(table, [])
        if not isinstance(rows, list):
            raise ImportFileError(path, f"table {table}", "must be a list of rows")
        plan.tables[table] = rows
    return plan
