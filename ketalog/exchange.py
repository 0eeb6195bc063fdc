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
from datetime import timedelta
from pathlib import Path
from typing import Iterator, Sequence

from ketalog import instruments as inst
from ketalog import store
from ketalog import validation as valid
from ketalog.db import Connection, latest_schema_version, schema_version, writing
from ketalog.errors import InputError, KetalogError
from ketalog.files import make_private_folder, private_output, refuse_protected
from ketalog.render.delimited import csv_cell
from ketalog.store import KINDS
from ketalog.timeparse import to_utc_text

EXPORT_FORMAT = "ketalog-export"
EXPORT_VERSION = 1

# Entry tables and the child tables that hang off each (child table, foreign key, value column),
# read from the store's one description of the kinds of entry.
ENTRY_TABLES = {
    kind.table: (kind.child_table, kind.child_key, kind.child_value) if kind.child_table else None
    for kind in KINDS.values()
}
CHILD_VALUES = {child: value for child, _, value in filter(None, ENTRY_TABLES.values())}
_CHILD_COLUMNS = {child: (key, value) for child, key, value in filter(None, ENTRY_TABLES.values())}
# Non-entry tables and their columns; on import, local rows win (a row is added only when new).
SETTINGS_TABLES = {
    "mood_labels": ("source", "label", "level"),
    "scale_directions": ("name", "higher_is_better"),
    "planned_sessions": ("id", "local_date", "note", "created_at", "updated_at"),
}
# Tables entries refer to, keyed by a natural key so two machines' rows merge: imported first; a
# newer copy from a ketalog export replaces an older one, another app's copy never replaces a local row.
PARENT_TABLES = {"medications": ("key", "name", "class", "schedule", "note", "created_at", "updated_at")}
TABLE_ORDER = [
    *PARENT_TABLES,
    *(table for kind in KINDS.values() for table in (kind.table, kind.child_table) if table),
    *SETTINGS_TABLES,
]

_ID = re.compile(r"[0-9a-f]{32}")
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHECKED_ABOVE = frozenset({"id", "at", "utc_offset", "local_date", "created_at", "updated_at"})
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate ("\\ud800" in JSON) cannot be stored as UTF-8
# Another device's clock may run a little ahead; anything later than this is not a diary entry.
FUTURE_TOLERANCE = timedelta(days=1)


class ImportFileError(InputError):
    """A problem in the file being imported: names the file, the line or row, and what is wrong."""

    def __init__(self, path: Path | str, where: str, problem: str):
        super().__init__(str(path), f"{where}: {problem}; nothing was imported")


# Export -------------------------------------------------------------------------------


def _columns(db: Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


def _order_by(db: Connection, table: str) -> str:
    keys = [row[1] for row in sorted(db.execute(f'PRAGMA table_info("{table}")'), key=lambda r: r[5]) if row[5]]
    return ", ".join(f'"{key}"' for key in keys) or "rowid"


def table_rows(db: Connection, table: str):
    """A table's rows in primary-key order, read from the cursor as they are written (never all at once)."""
    return db.query(f'SELECT * FROM "{table}" ORDER BY {_order_by(db, table)}')


def export_data(db: Connection, exported_at: str, progress=None) -> dict:
    """Every row of every table, every column, in primary-key order (so exports are reproducible)."""
    tables = {}
    for table in TABLE_ORDER:
        tables[table] = list(table_rows(db, table))
        if progress:
            progress(table, len(tables[table]))
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "schema_version": schema_version(db),
        "exported_at": exported_at,
        "tables": tables,
    }


def export_json_chunks(db: Connection, exported_at: str, progress=None) -> Iterator[str]:
    """The text of ``to_json(export_data(...))``, byte for byte, one row at a time: a lifetime's export
    is written without ever holding it in memory (tests compare the two)."""
    from ketalog.render.text import json_line, to_json

    head = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "schema_version": schema_version(db),
        "exported_at": exported_at,
    }
    yield to_json(head)[:-2] + ',\n  "tables": {'
    for index, table in enumerate(TABLE_ORDER):
        yield ("," if index else "") + f"\n    {to_json(table)}: ["
        count = 0
        for row in table_rows(db, table):
            yield ("," if count else "") + "\n      " + json_line(row)
            count += 1
        yield "\n    ]" if count else "]"
        if progress:
            progress(table, count)
    yield "\n  }\n}"


def write_csv_tables(db: Connection, destination: Path, progress=None, protected=()) -> list[str]:
    """One CSV per table, into a folder (made 0700 when new) or a .zip (0600), streamed row by row."""
    import io
    import zipfile

    from ketalog.render.delimited import writer as csv_writer

    def write_table(table: str, handle) -> None:
        columns = _columns(db, table)
        writer = csv_writer(handle)
        writer.writerow(columns)
        count = 0
        for row in table_rows(db, table):
            writer.writerow([csv_cell(row[c]) for c in columns])
            count += 1
        if progress:
            progress(table, count)

    names = [f"{table}.csv" for table in TABLE_ORDER]
    if destination.suffix.lower() == ".zip":
        with (
            private_output(destination, binary=True, protected=protected) as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for table, name in zip(TABLE_ORDER, names, strict=True):
                with archive.open(name, "w") as member, io.TextIOWrapper(member, encoding="utf-8", newline="") as text:
                    write_table(table, text)
        return names
    refuse_protected(destination, protected)
    make_private_folder(destination)
    for table, name in zip(TABLE_ORDER, names, strict=True):
        with private_output(destination / name, protected=protected) as handle:
            write_table(table, handle)
    return names


# Import plans -------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    source: str  # "ketalog", "daylio" or "emoods"
    path: Path
    tables: dict[str, list[dict]]  # rows per table, ready to insert
    mapping: list[str] = field(default_factory=list)  # how each source column was used
    skipped: list[str] = field(default_factory=list)  # source rows not imported, with why
    warnings: list[str] = field(default_factory=list)  # rows imported despite a quirk, with what it was
    remember: dict[str, dict[str, int]] = field(default_factory=dict)  # mood labels to save: {source: {label: level}}


@dataclass
class ImportResult:
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    safety_positive: list[dict]  # PHQ-9 rows with item 9 > 0 that arrive with this import
    kept_edits: dict[str, int] = field(default_factory=dict)  # rows edited in ketalog since, left alone
    kept_deleted: dict[str, int] = field(default_factory=dict)  # rows deleted in ketalog, not brought back


def load_json(path: Path, text: str):
    """A file's JSON, or one error naming the file: bad syntax, a number of thousands of digits, or nesting
    deeper than any export (each a traceback from ``json`` otherwise)."""
    try:
        data = json.loads(text)
        # A lone surrogate ("\ud800") decodes but can never be stored as UTF-8. Only a \u escape of one
        # can make it, so files without such an escape (every export ketalog writes) skip the walk.
        if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(data):
            raise ImportFileError(path, "file", "holds a lone surrogate escape (\\ud800-\\udfff), which is not text")
        return data
    except json.JSONDecodeError as error:
        raise ImportFileError(path, f"line {error.lineno}", f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise ImportFileError(path, "file", "nested too deeply to be an export") from None
    except ValueError:
        raise ImportFileError(path, "file", "holds a number of thousands of digits, which no export does") from None


def _holds_lone_surrogate(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def parse_ketalog(path: Path, text: str) -> ImportPlan:
    data = load_json(path, text)
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportFileError(path, "top level", f'not a ketalog export (expected "format": "{EXPORT_FORMAT}")')
    if data.get("format_version") != EXPORT_VERSION:
        raise ImportFileError(
            path, "format_version", f"{data.get('format_version')!r} is not one this ketalog reads ({EXPORT_VERSION})"
        )
    if not isinstance(data.get("schema_version"), int) or data["schema_version"] > latest_schema_version():
        raise ImportFileError(path, "schema_version", "made by a newer ketalog; upgrade ketalog to import it")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise ImportFileError(path, "tables", "missing")
    unknown = set(tables) - set(TABLE_ORDER)
    if unknown:
        raise ImportFileError(path, "tables", f"unknown table {sorted(unknown)[0]!r}")
    plan = ImportPlan(
        "ketalog", path, {table: [] for table in TABLE_ORDER}, mapping=["every table and column imported as exported"]
    )
    for table in TABLE_ORDER:
        rows = tables.get(table, [])
        if not isinstance(rows, list):
            raise ImportFileError(path, f"table {table}", "must be a list of rows")
        plan.tables[table] = rows
    check_plan(plan)
    return plan


def check_plan(plan: ImportPlan) -> None:
    """Every row of every table through one validation, whichever app the file came from: an import stores
    exactly what the CLI accepts (with --force), so a person's own export always imports again, and another
    app's history cannot store what `check` would then call damaged."""
    from ketalog.timeparse import now

    latest = to_utc_text(now() + FUTURE_TOLERANCE)
    owners: dict[str, str] = {}  # entry id -> its table: an id in two tables could not be addressed
    for table in TABLE_ORDER:
        for number, row in enumerate(plan.tables.get(table, []), start=1):
            if not isinstance(row, dict):
                raise ImportFileError(plan.path, _row(table, number), "must be an object")
            if table in ENTRY_TABLES:
                _check_entry_row(plan.path, table, number, row)
                if row["at"] > latest:
                    raise ImportFileError(
                        plan.path, _row(table, number), f"at {row['at']} is in the future; entries are for the past"
                    )
                other = owners.setdefault(row["id"], table)
                if other != table:
                    raise ImportFileError(plan.path, _row(table, number), f"id {row['id']} is also a row of {other}")
            elif table == "medications":
                _check_medication(plan.path, _row(table, number), row)
            elif table == "mood_labels":
                _check_mood_label(plan.path, _row(table, number), row)
            elif table == "scale_directions":
                _check_scale_direction(plan.path, _row(table, number), row)
            elif table == "planned_sessions":
                _check_planned(plan.path, _row(table, number), row)
            elif table in CHILD_VALUES:
                _check_child(plan.path, table, number, row)


def _check_child(path: Path, table: str, number: int, row: dict) -> None:
    key, value = _CHILD_COLUMNS[table]
    if not isinstance(row.get(key), str) or not _ID.fullmatch(row[key]):
        raise ImportFileError(path, _row(table, number), f"{key} must be an entry id (got {row.get(key)!r})")
    text = row.get(value)
    if not isinstance(text, str) or not text.strip():
        raise ImportFileError(path, _row(table, number), f"{value} must be non-empty text (got {text!r})")


def _check_entry_row(path: Path, table: str, number: int, row: dict) -> None:
    """Every value of an imported entry row through the CLI's own validators, normalised in place.

    A value that no later read could use (a three-digit year, an offset of 100000
    minutes, "lots" as a dose) stops the import here, naming table, row and column.
    Runs once per row of a lifetime's export, so the common case does no string work.
    """
    from ketalog.timeparse import stored_time_problem

    entry_id = row.get("id")
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise ImportFileError(path, _row(table, number), f"id must be 32 lowercase hex characters (got {entry_id!r})")
    problem = stored_time_problem(row.get("at"), row.get("utc_offset"), row.get("local_date"))
    if problem:
        raise ImportFileError(path, _row(table, number), problem)
    for column in ("created_at", "updated_at"):
        if not isinstance(row.get(column), str) or not _AT.match(row[column]):
            raise ImportFileError(
                path, _row(table, number), f"{column} must be UTC like 2026-03-04T13:30:00Z (got {row.get(column)!r})"
            )
    checks = _COLUMN_CHECKS[table]
    if len(row) > len(checks) + len(_CHECKED_ABOVE) or not row.keys() <= _ALLOWED[table]:
        extra = sorted(row.keys() - _ALLOWED[table])  # every column ketalog stores has a check
        raise ImportFileError(path, _row(table, number), f"unknown column {extra[0]!r}")
    for column, check in checks.items():
        value = row.get(column)
        if value is None:
            continue
        try:
            row[column] = check(value, column)
        except InputError as error:
            raise ImportFileError(path, _row(table, number), error.message) from None
        except (TypeError, AttributeError, ValueError):
            raise ImportFileError(
                path, _row(table, number), f"{column}: {value!r} is not a value ketalog stores there"
            ) from None
    if table == "surveys":
        _check_survey_row(path, _row(table, number), row)
    elif table == "sessions":
        _check_session_row(path, _row(table, number), row)


def _check_session_row(path: Path, where: str, row: dict) -> None:
    """What the CLI checks across a session's fields: a dose has its unit and is under the hard top that
    even --force keeps; a blood pressure is both numbers, systolic above diastolic."""
    amount, unit = row.get("dose_amount"), row.get("dose_unit")
    if (amount is None) != (unit is None):
        raise ImportFileError(path, where, "dose_amount and dose_unit go together")
    if amount is not None:
        try:
            valid.dose_within_limits(amount, unit)
        except InputError as error:
            raise ImportFileError(path, where, error.message) from None
    for when in ("before", "after"):
        systolic, diastolic = row.get(f"bp_{when}_sys"), row.get(f"bp_{when}_dia")
        if (systolic is None) != (diastolic is None):
            raise ImportFileError(path, where, f"bp_{when}_sys and bp_{when}_dia go together")
        if systolic is not None and systolic <= diastolic:
            raise ImportFileError(path, where, f"bp_{when}: systolic {systolic} must be above diastolic {diastolic}")


def _row(table: str, number: int) -> str:
    return f"table {table} row {number}"


def _check_medication(path: Path, where: str, row: dict) -> None:
    from ketalog.medicines import CLASSES, key

    if set(row) != set(PARENT_TABLES["medications"]):
        raise ImportFileError(path, where, "needs exactly " + ", ".join(PARENT_TABLES["medications"]))
    if not isinstance(row["name"], str) or not row["name"].strip() or row["key"] != key(row["name"]):
        raise ImportFileError(path, where, f"name must be text and key its lower-cased form (got {row['key']!r})")
    if row["class"] not in CLASSES:
        raise ImportFileError(path, where, f"class must be one of {', '.join(CLASSES)} (got {row['class']!r})")
    for column in ("schedule", "note"):
        if row[column] is not None and not isinstance(row[column], str):
            raise ImportFileError(path, where, f"{column} must be text")
    for column in ("created_at", "updated_at"):
        if not isinstance(row[column], str) or not _AT.match(row[column]):
            raise ImportFileError(path, where, f"{column} must be UTC like 2026-03-04T13:30:00Z (got {row[column]!r})")


def _check_mood_label(path: Path, where: str, row: dict) -> None:
    if set(row) != {"source", "label", "level"}:
        raise ImportFileError(path, where, "needs exactly source, label and level")
    if not all(isinstance(row[c], str) and row[c].strip() for c in ("source", "label")):
        raise ImportFileError(path, where, "source and label must be non-empty text")
    if isinstance(row["level"], bool) or not isinstance(row["level"], int) or not 1 <= row["level"] <= 5:
        raise ImportFileError(path, where, f"level must be a whole number 1-5 (got {row['level']!r})")


def _check_scale_direction(path: Path, where: str, row: dict) -> None:
    if set(row) != {"name", "higher_is_better"}:
        raise ImportFileError(path, where, "needs exactly name and higher_is_better")
    if not isinstance(row["name"], str) or not row["name"].strip():
        raise ImportFileError(path, where, "name must be non-empty text")
    if row["higher_is_better"] not in (0, 1) or isinstance(row["higher_is_better"], float):
        raise ImportFileError(path, where, f"higher_is_better must be 0 or 1 (got {row['higher_is_better']!r})")


def _check_planned(path: Path, where: str, row: dict) -> None:
    if set(row) != set(SETTINGS_TABLES["planned_sessions"]):
        raise ImportFileError(path, where, "needs exactly " + ", ".join(SETTINGS_TABLES["planned_sessions"]))
    from ketalog.timeparse import plan_day_problem

    problem = plan_day_problem(row["local_date"])
    if problem:
        raise ImportFileError(path, where, problem)
    if not isinstance(row["id"], str) or not re.fullmatch(r"[0-9a-f]{32}", row["id"]):
        raise ImportFileError(path, where, f"id must be 32 lowercase hex characters (got {row['id']!r})")
    if row["note"] is not None and not isinstance(row["note"], str):
        raise ImportFileError(path, where, "note must be text")


def _text(value, column: str) -> str:
    if not isinstance(value, str):
        raise InputError(column, f"must be text (got {value!r})")
    return value


def _required_text(value, column: str) -> str:
    if not _text(value, column).strip():
        raise InputError(column, "must not be empty")
    return value


def _whole(low: int, high: int | None = None):
    top = high if high is not None else 2**62

    def check(value, column: str) -> int:
        if type(value) is int and low <= value <= top:  # what exports hold: no parsing needed
            return value
        if isinstance(value, bool):
            raise InputError(column, f"must be a whole number (got {value!r})")
        return valid.whole_number(value, column, low, top)

    return check


def _number(low: float, high: float | None = None, *, above_low: bool = False):
    def check(value, column: str) -> float:
        if isinstance(value, (bool, str)):
            raise InputError(column, f"must be a number (got {value!r})")
        number = valid.number(value, column, low, high)
        if above_low and number <= low:
            raise InputError(column, f"must be more than {low:g} (got {value!r})")
        return number

    return check


def _one_of(allowed: tuple):
    def check(value, column: str):
        if value not in allowed:
            raise InputError(column, f"must be one of {', '.join(map(str, allowed))} (got {value!r})")
        return value

    return check


def _answers(value, column: str) -> str:
    try:
        answers = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        raise InputError(column, f"must be a JSON list of whole numbers (got {value!r})") from None
    if not isinstance(answers, list) or not all(
        a is None or (isinstance(a, int) and not isinstance(a, bool)) for a in answers
    ):
        raise InputError(column, f"must be a JSON list of whole numbers, null for a skipped item (got {value!r})")
    return json.dumps(answers)


_RATING = _whole(0, 10)
# Each column of each entry table and the check its value passes; the same rules as the options
# that write it (validation.py), so an import can store nothing that `add` or `checkin` would refuse.
_COLUMN_CHECKS = {
    "sessions": {
        "route": _one_of(valid.ROUTES),
        "dose_amount": _number(0, above_low=True),
        "dose_unit": _one_of(valid.DOSE_UNITS),
        "duration_min": _whole(*valid.DURATION_RANGE),
        "clinic": _text,
        "provider": _text,
        "dissociation": _RATING,
        "bp_before_sys": _whole(*valid.SYSTOLIC_RANGE),
        "bp_before_dia": _whole(*valid.DIASTOLIC_RANGE),
        "bp_after_sys": _whole(*valid.SYSTOLIC_RANGE),
        "bp_after_dia": _whole(*valid.DIASTOLIC_RANGE),
        "heart_rate": _whole(*valid.HEART_RATE_RANGE),
        "cost": _number(*valid.COST_RANGE),
        "therapy": _one_of((0, 1)),
        "new_course": _one_of((0, 1)),
        "intention": _text,
        "note": _text,
    },
    "checkins": {
        **{name: _RATING for name in valid.RATING_NAMES},
        "sleep_hours": _number(*valid.SLEEP_HOURS_RANGE),
        "note": _text,
        "source": _text,
    },
    "journal": {"text": _required_text, "session_id": _text},
    "medication_events": {
        "medication": _required_text,
        "event": _one_of(("start", "change", "stop", "took")),
        "dose": _text,
        "schedule": _text,
        "note": _text,
    },
    "visits": {"note": _text},
    "surveys": {
        "instrument": _required_text,
        "answers": _answers,
        "total": _whole(0),
        "band": _text,
        "difficulty": _whole(0, 3),
        "prorated": _one_of((0, 1)),
    },
}


_ALLOWED = {table: frozenset(checks) | _CHECKED_ABOVE for table, checks in _COLUMN_CHECKS.items()}


def _check_survey_row(path: Path, where: str, row: dict) -> None:
    """A questionnaire's total, band and prorating are recomputed from its answers, never trusted from the file.

    The name is stored as the instrument's id however the file spells it ('PHQ-9' is phq9), so a PHQ-9
    always passes the item-9 rule and its answers are always checked."""
    if not isinstance(row.get("instrument"), str):
        raise ImportFileError(path, where, "instrument is missing")
    row["instrument"] = inst.normalise_id(row["instrument"])
    instrument = inst.INSTRUMENTS.get(row["instrument"])
    answers = row.get("answers")
    if answers is None:
        if row.get("total") is None:
            raise ImportFileError(path, where, "total is missing")
        if row.get("prorated"):
            raise ImportFileError(path, where, "prorated: a logged total has no answers to prorate from")
        try:
            row["band"] = inst.score_total(row["instrument"], row["total"]).band
        except KetalogError as error:
            raise ImportFileError(path, where, error.message) from None
        return
    if instrument is None:
        return
    try:
        result = inst.score(instrument, json.loads(answers))
    except (ValueError, TypeError, KetalogError):
        raise ImportFileError(
            path,
            where,
            f"{instrument.name} answers must be {len(instrument.items)} values 0-{instrument.max_option} "
            "(null for a skipped item)",
        ) from None
    if result.total != row.get("total"):
        expected = "no total (too many items skipped)" if result.total is None else result.total
        raise ImportFileError(path, where, f"total {row.get('total')!r} does not follow from the answers ({expected})")
    row["band"] = result.band
    row["prorated"] = int(result.prorated)


# Applying a plan ----------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the import transaction to roll it back after counting."""


def apply_plan(db: Connection, plan: ImportPlan, *, dry_run: bool, progress=None) -> ImportResult:
    """All of the plan in one transaction, or none of it. ``dry_run`` counts and rolls back.

    ``progress(done, total)`` is called as entries are written (for a progress bar)."""
    result = ImportResult({}, {}, {}, [])
    try:
        with writing(db):
            _apply_parents(db, plan, result)
            _apply(db, plan, result, progress)
            _refuse_shared_ids(db, plan)
            _apply_settings(db, plan, result)
            _remember_mood_labels(db, plan.remember)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return result


_IN_CHUNK = 500  # ids per "IN (...)": well under SQLite's limit on bound parameters


def _in_chunks(values: list) -> Iterator[tuple[list, str]]:
    """``values`` in slices for ``IN (...)``, each with its placeholders."""
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        yield chunk, ", ".join("?" for _ in chunk)


def _plan_children(plan: ImportPlan, table: str) -> dict[str, set[str]]:
    """The plan's child values (tags, side effects) per entry id."""
    spec = ENTRY_TABLES.get(table)
    found: dict[str, set[str]] = {}
    if spec:
        child, key, value = spec
        for row in plan.tables.get(child, []):
            found.setdefault(row[key], set()).add(row[value])
    return found


def _stored_children(db: Connection, table: str, ids: list[str]) -> dict[str, set[str]]:
    """The stored tags or side effects of these entries, a few queries for any number of them."""
    spec = ENTRY_TABLES.get(table)
    found: dict[str, set[str]] = {}
    if not spec:
        return found
    child, key, value = spec
    for chunk, marks in _in_chunks(ids):
        for entry_id, name in db.execute(f'SELECT "{key}", "{value}" FROM "{child}" WHERE "{key}" IN ({marks})', chunk):
            found.setdefault(entry_id, set()).add(name)
    return found


def _foreign_decision(
    row: dict, existing: dict | None, children: set[str], stored: set[str], earlier: set[tuple[str, object]]
) -> str:
    """What an entry from another app's file does: add, update, keep (edited here), or nothing.

    Identity is the app, the entry's time and its place in that minute; an entry edited in ketalog
    since (updated_at moved past created_at) is never overwritten by the app's copy. ``earlier``: the
    (at, mood) of check-ins stored before this import, for rows imported before identity was positional.
    """
    if existing is None:
        # imported before identity was positional (content ids): the same time and mood is the same entry
        if (row["at"], row.get("mood")) in earlier:  # only check-ins are looked up
            return "unchanged"
        return "add"
    if existing["updated_at"] != existing["created_at"]:
        return "kept"
    same = all(
        existing.get(column) == value for column, value in row.items() if column not in ("created_at", "updated_at")
    )
    return "unchanged" if same and stored == children else "update"


_BOOKKEEPING = ("id", "created_at", "updated_at")


def _same_content(row: dict, stored: dict) -> bool:
    """The file's row says what the stored entry holds (its columns; ids and times of writing aside)."""
    return all(stored.get(column) == value for column, value in row.items() if column not in _BOOKKEEPING)


def _match_same_minute(plan: ImportPlan, table: str, rows: list[dict], existing_rows: dict[str, dict]) -> None:
    """Entries of one minute that the app wrote in another order this time: identity is (app, minute,
    position), so a swap would move one entry's content onto the other's id, and an edit made here onto the
    wrong entry. Within each such minute, a stored entry not edited here claims the file's row with exactly
    its content first; the rest keep their positions. Ids are re-pointed in the plan, children included."""
    by_minute: dict[str, list[dict]] = {}
    for row in rows:
        by_minute.setdefault(row["at"], []).append(row)
    moved: dict[str, str] = {}
    for group in by_minute.values():
        stored = [existing_rows.get(row["id"]) for row in group]
        if len(group) < 2 or any(row is None for row in stored):
            continue
        ids = [row["id"] for row in group]
        free = {entry["id"]: entry for entry in stored if entry and entry["updated_at"] == entry["created_at"]}
        claimed: dict[int, str] = {}
        for index, row in enumerate(group):
            match = next((entry_id for entry_id, entry in free.items() if _same_content(row, entry)), None)
            if match is not None:
                claimed[index] = match
                del free[match]
        rest = iter(entry_id for entry_id in ids if entry_id not in claimed.values())
        for index, row in enumerate(group):
            new_id = claimed.get(index) or next(rest)
            if new_id != row["id"]:
                moved[row["id"]] = new_id
    if not moved:
        return
    for row in rows:
        row["id"] = moved.get(row["id"], row["id"])
    spec = ENTRY_TABLES.get(table)
    if spec:
        child, key, _ = spec
        plan.tables[child] = [
            {**child_row, key: moved.get(child_row[key], child_row[key])} for child_row in plan.tables.get(child, [])
        ]


def _deleted_ids(db: Connection, ids: list[str]) -> set[str]:
    """Which of these ids were deleted in ketalog (table `deleted_entries`), in a few queries."""
    found: set[str] = set()
    for chunk, marks in _in_chunks(ids):
        found.update(row[0] for row in db.execute(f"SELECT id FROM deleted_entries WHERE id IN ({marks})", chunk))
    return found


def _existing_rows(db: Connection, table: str, ids: list[str]) -> dict[str, dict]:
    """The stored rows among ``ids``, in a few queries however long the import (not one per row)."""
    found: dict[str, dict] = {}
    for chunk, marks in _in_chunks(ids):
        found.update((row["id"], row) for row in db.query(f'SELECT * FROM "{table}" WHERE id IN ({marks})', chunk))
    return found


def _refuse_shared_ids(db: Connection, plan: ImportPlan) -> None:
    """After the rows are written (inside the import's transaction): an id that is now an entry of two kinds
    would make both unaddressable by `show`, `edit` and `delete`. One join per pair of tables, on the keys."""
    tables = list(ENTRY_TABLES)
    for index, first in enumerate(tables):
        for second in tables[index + 1 :]:
            clash = next(db.query(f'SELECT a.id FROM "{first}" a JOIN "{second}" b ON a.id = b.id LIMIT 1'), None)
            if clash is None:
                continue
            for table in (first, second):
                for number, row in enumerate(plan.tables.get(table, []), start=1):
                    if row["id"] == clash["id"]:
                        other = second if table == first else first
                        raise ImportFileError(
                            plan.path, _row(table, number), f"id {clash['id']} is already one of your {other}"
                        )


def _checkins_at(db: Connection, times: list[str]) -> set[tuple[str, object]]:
    """(at, mood) of the stored check-ins at these times: an earlier import's rows by content."""
    found: set[tuple[str, object]] = set()
    for chunk, marks in _in_chunks(times):
        found.update(db.execute(f"SELECT at, mood FROM checkins WHERE at IN ({marks})", chunk))
    return found


def _write_rows(db: Connection, plan: ImportPlan, table: str, rows: list[tuple[int, dict]], update: bool) -> None:
    """Insert (or update by id) rows with ``executemany``, one statement per set of columns; on a
    constraint failure, the rows again one by one so the message names the row."""
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = {}
    for number, row in rows:
        groups.setdefault(tuple(row), []).append((number, row))
    for columns, members in groups.items():
        names = ", ".join(f'"{c}"' for c in columns)
        if update:
            sql = f'UPDATE "{table}" SET ' + ", ".join(f'"{c}" = ?' for c in columns) + " WHERE id = ?"
            numbered = [(number, [*row.values(), row["id"]]) for number, row in members]
        else:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
            numbered = [(number, list(row.values())) for number, row in members]
        _run_batch(db, plan, table, sql, numbered)


def _run_batch(db: Connection, plan: ImportPlan, table: str, sql: str, numbered: list[tuple[int, Sequence]]) -> int:
    """One statement over many rows with ``executemany``; on a constraint failure the batch is undone and
    replayed row by row, so the message names the row. Returns the rows changed."""
    db.execute("SAVEPOINT ketalog_batch")  # so a failed batch can be undone and replayed from its start
    try:
        return db.conn.executemany(sql, [params for _, params in numbered]).rowcount
    except sqlite3.IntegrityError:
        db.execute("ROLLBACK TO ketalog_batch")
        for number, params in numbered:
            try:
                db.execute(sql, params)
            except sqlite3.IntegrityError as error:
                raise ImportFileError(plan.path, _row(table, number), _explain(error)) from None
        raise
    finally:
        db.execute("RELEASE ketalog_batch")


def _apply(db: Connection, plan: ImportPlan, result: ImportResult, progress=None) -> None:
    total = sum(len(plan.tables.get(table, [])) for table in ENTRY_TABLES)
    done = 0
    replaced: set[tuple[str, str]] = set()
    untouched: set[str] = set()  # entries whose children must not change (kept edits, already here)
    foreign = plan.source != "ketalog"
    for table in ENTRY_TABLES:
        rows = plan.tables.get(table, [])
        columns = set(_columns(db, table))
        plan_children = _plan_children(plan, table) if foreign else {}
        existing_rows = _existing_rows(db, table, [row["id"] for row in rows])
        if foreign:
            _match_same_minute(plan, table, rows, existing_rows)
        deleted = _deleted_ids(db, [row["id"] for row in rows if row["id"] not in existing_rows])
        earlier = _checkins_at(db, [row["at"] for row in rows]) if foreign and table == "checkins" else set()
        stored = _stored_children(db, table, list(existing_rows)) if foreign else {}
        inserts: list[tuple[int, dict]] = []
        updates: list[tuple[int, dict]] = []
        for number, row in enumerate(rows, start=1):
            if progress and number % 1000 == 0:
                progress(done + number, total)
            extra = set(row) - columns
            if extra:
                raise ImportFileError(plan.path, _row(table, number), f"unknown column {sorted(extra)[0]!r}")
            existing = existing_rows.get(row["id"])
            if existing is None and row["id"] in deleted:  # deleted here: a delete stays deleted
                _count(result.kept_deleted, table)
                untouched.add(row["id"])
                continue
            if foreign:
                decision = _foreign_decision(
                    row, existing, plan_children.get(row["id"], set()), stored.get(row["id"], set()), earlier
                )
            elif existing is None:
                decision = "add"
            elif str(row.get("updated_at") or "") > str(existing["updated_at"] or ""):
                decision = "update"
            else:
                decision = "unchanged"
            if decision == "add":
                inserts.append((number, row))
                _count(result.added, table)
            elif decision == "update":
                updates.append((number, row))
                replaced.add((table, row["id"]))
                _count(result.updated, table)
            else:
                _count(result.kept_edits if decision == "kept" else result.unchanged, table)
                if foreign:
                    untouched.add(row["id"])
                continue
            if (
                table == "surveys"
                and row.get("answers")
                and inst.safety_positive(row["instrument"], json.loads(row["answers"]))
            ):
                result.safety_positive.append(row)
        _write_rows(db, plan, table, inserts, update=False)
        _write_rows(db, plan, table, updates, update=True)
        done += len(rows)
        if progress:
            progress(done, total)
    for parent, (child, key, value) in ((p, c) for p, c in ENTRY_TABLES.items() if c):
        stale = [(entry_id,) for entry_table, entry_id in replaced if entry_table == parent]
        db.conn.executemany(f'DELETE FROM "{child}" WHERE "{key}" = ?', stale)
        pairs = []
        for number, row in enumerate(plan.tables.get(child, []), start=1):
            if set(row) != {key, value}:
                raise ImportFileError(plan.path, _row(child, number), f"needs exactly {key} and {value}")
            if row[key] not in untouched:
                pairs.append((number, (row[key], row[value])))
        sql = f'INSERT OR IGNORE INTO "{child}" ("{key}", "{value}") VALUES (?, ?)'
        added = _run_batch(db, plan, child, sql, pairs)
        if added > 0:
            result.added[child] = result.added.get(child, 0) + added


def _apply_parents(db: Connection, plan: ImportPlan, result: ImportResult) -> None:
    """Medicines, merged by key: new ones added; a newer copy from a ketalog export replaces an older one."""
    for table, columns in PARENT_TABLES.items():
        key = columns[0]
        for row in plan.tables.get(table, []):
            existing = next(db.query(f'SELECT updated_at FROM "{table}" WHERE "{key}" = ?', [row[key]]), None)
            if existing is None:
                store.insert_row(db, table, {column: row[column] for column in columns})
                _count(result.added, table)
            elif plan.source == "ketalog" and row["updated_at"] > existing["updated_at"]:
                store.update_row(db, table, (key, row[key]), {column: row[column] for column in columns[1:]})
                _count(result.updated, table)
            else:
                _count(result.unchanged, table)


def _apply_settings(db: Connection, plan: ImportPlan, result: ImportResult) -> None:
    """Rows of the settings tables (remembered mood labels): added when new, never replacing a local row."""
    for table, columns in SETTINGS_TABLES.items():
        placeholders = ", ".join("?" for _ in columns)
        for row in plan.tables.get(table, []):
            cursor = db.execute(
                f'INSERT OR IGNORE INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})',
                [row[column] for column in columns],
            )
            _count(result.added if cursor.rowcount else result.unchanged, table)


def _remember_mood_labels(db: Connection, remember: dict[str, dict[str, int]]) -> None:
    """Mood labels placed for this import, kept for the next one (in the import's own transaction)."""
    for source, labels in remember.items():
        for label, level in labels.items():
            db.execute(
                "INSERT OR REPLACE INTO mood_labels (source, label, level) VALUES (?, ?, ?)", [source, label, level]
            )


def saved_mood_labels(db: Connection) -> dict[str, dict[str, int]]:
    saved: dict[str, dict[str, int]] = {}
    for row in db.query("SELECT source, label, level FROM mood_labels"):
        saved.setdefault(row["source"], {})[row["label"]] = row["level"]
    return saved


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
