"""One validation for every imported row, whichever app the file came from: the CLI's own validators, so an
import stores exactly what `add`, `checkin` and the rest accept (with --force), and nothing `check` would call
damaged."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from ketalog import followup
from ketalog import instruments as inst
from ketalog import validation as valid
from ketalog.errors import InputError, KetalogError
from ketalog.formats.plan import ImportFileError, ImportPlan
from ketalog.formats.tables import (
    _CHILD_COLUMNS,
    CHILD_VALUES,
    ENTRY_TABLES,
    EXPORTED_TABLES,
    PARENT_TABLES,
    SETTINGS_TABLES,
    TOMBSTONES,
)
from ketalog.session_record import DRUGS, MAX_OFFSET, MAX_SPRAYS
from ketalog.timeparse import to_utc_text

_ID = re.compile(r"[0-9a-f]{32}")
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_CHECKED_ABOVE = frozenset({"id", "at", "utc_offset", "local_date", "created_at", "updated_at"})
# Another device's clock may run a little ahead; anything later than this is not a diary entry.
FUTURE_TOLERANCE = timedelta(days=1)


def check_plan(plan: ImportPlan) -> None:
    """Every row of every table through one validation, whichever app the file came from: an import stores
    exactly what the CLI accepts (with --force), so a person's own export always imports again, and another
    app's history cannot store what `check` would then call damaged."""
    from ketalog.timeparse import now

    latest = to_utc_text(now() + FUTURE_TOLERANCE)
    owners: dict[str, str] = {}  # entry id -> its table: an id in two tables could not be addressed
    for table in EXPORTED_TABLES:
        for number, row in enumerate(plan.tables.get(table, []), start=1):
            if not isinstance(row, dict):
                raise ImportFileError(plan.path, row_name(table, number), "must be an object")
            if table in ENTRY_TABLES:
                _check_entry_row(plan.path, table, number, row)
                if row["at"] > latest:
                    raise ImportFileError(
                        plan.path, row_name(table, number), f"at {row['at']} is in the future; entries are for the past"
                    )
                other = owners.setdefault(row["id"], table)
                if other != table:
                    raise ImportFileError(
                        plan.path, row_name(table, number), f"id {row['id']} is also a row of {other}"
                    )
            elif table == "medications":
                _check_medication(plan.path, row_name(table, number), row)
            elif table == "mood_labels":
                _check_mood_label(plan.path, row_name(table, number), row)
            elif table == "scale_directions":
                _check_scale_direction(plan.path, row_name(table, number), row)
            elif table == "planned_sessions":
                _check_planned(plan.path, row_name(table, number), row)
            elif table in ("daily_metrics", "health_readings"):
                _check_phone_row(plan.path, table, row_name(table, number), row)
            elif table == TOMBSTONES:
                _check_tombstone(plan.path, row_name(table, number), row)
            elif table in CHILD_VALUES:
                _check_child(plan.path, table, number, row)


def _check_tombstone(path: Path, where: str, row: dict) -> None:
    from ketalog.store import KINDS

    if set(row) != {"id", "kind", "deleted_at"}:
        raise ImportFileError(path, where, "needs exactly id, kind and deleted_at")
    if not isinstance(row["id"], str) or not _ID.fullmatch(row["id"]):
        raise ImportFileError(path, where, f"id must be 32 lowercase hex characters (got {row['id']!r})")
    if row["kind"] not in KINDS:
        raise ImportFileError(path, where, f"kind must be one of {', '.join(KINDS)} (got {row['kind']!r})")
    if not isinstance(row["deleted_at"], str) or not _AT.match(row["deleted_at"]):
        raise ImportFileError(
            path, where, f"deleted_at must be UTC like 2026-03-04T13:30:00Z (got {row['deleted_at']!r})"
        )


def _check_child(path: Path, table: str, number: int, row: dict) -> None:
    key, value = _CHILD_COLUMNS[table]
    if not isinstance(row.get(key), str) or not _ID.fullmatch(row[key]):
        raise ImportFileError(path, row_name(table, number), f"{key} must be an entry id (got {row.get(key)!r})")
    text = row.get(value)
    if not isinstance(text, str) or not text.strip():
        raise ImportFileError(path, row_name(table, number), f"{value} must be non-empty text (got {text!r})")


def _check_entry_row(path: Path, table: str, number: int, row: dict) -> None:
    """Every value of an imported entry row through the CLI's own validators, normalised in place.

    A value that no later read could use (a three-digit year, an offset of 100000
    minutes, "lots" as a dose) stops the import here, naming table, row and column.
    Runs once per row of a lifetime's export, so the common case does no string work.
    """
    from ketalog.timeparse import stored_time_problem

    entry_id = row.get("id")
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise ImportFileError(
            path, row_name(table, number), f"id must be 32 lowercase hex characters (got {entry_id!r})"
        )
    problem = stored_time_problem(row.get("at"), row.get("utc_offset"), row.get("local_date"))
    if problem:
        raise ImportFileError(path, row_name(table, number), problem)
    for column in ("created_at", "updated_at"):
        if not isinstance(row.get(column), str) or not _AT.match(row[column]):
            raise ImportFileError(
                path,
                row_name(table, number),
                f"{column} must be UTC like 2026-03-04T13:30:00Z (got {row.get(column)!r})",
            )
    checks = _COLUMN_CHECKS[table]
    if len(row) > len(checks) + len(_CHECKED_ABOVE) or not row.keys() <= _ALLOWED[table]:
        extra = sorted(row.keys() - _ALLOWED[table])  # every column ketalog stores has a check
        raise ImportFileError(path, row_name(table, number), f"unknown column {extra[0]!r}")
    for column, check in checks.items():
        value = row.get(column)
        if value is None:
            continue
        try:
            row[column] = check(value, column)
        except InputError as error:
            raise ImportFileError(path, row_name(table, number), error.message) from None
        except (TypeError, AttributeError, ValueError):
            raise ImportFileError(
                path, row_name(table, number), f"{column}: {value!r} is not a value ketalog stores there"
            ) from None
    if table == "surveys":
        _check_survey_row(path, row_name(table, number), row)
    elif table == "sessions":
        _check_session_row(path, row_name(table, number), row)


def _check_session_row(path: Path, where: str, row: dict) -> None:
    """What the CLI checks across a session's fields: a dose has its unit and is under the hard top that
    even --force keeps; a blood pressure is both numbers, systolic above diastolic. The summary columns (total
    dose, blood pressure before and highest after, heart rate) are then recomputed from the doses and timed
    readings, never trusted from the file; a row written before them (export format 1) gets them as the
    migration to schema 14 made them."""
    _check_summary_columns(path, where, row)
    from ketalog import session_record as record

    if "doses" not in row and "vitals" not in row:
        doses, vitals = record.legacy_lists(row)
        row["doses"], row["vitals"] = record.encode(doses), record.encode(vitals)
        if "drug" not in row:
            row["drug"] = record.inferred_drug(
                row.get("route") or "", row.get("note"), row.get("intention"), row.get("clinic")
            )
    doses, vitals = record.decode(row.get("doses")), record.decode(row.get("vitals"))
    try:
        record.check_doses(doses, "doses")
    except InputError as error:
        raise ImportFileError(path, where, error.message) from None
    row.update(record.summary_columns(doses, vitals))


def _json_list(value, column: str, check_item) -> str | None:
    """A JSON list column (text as stored, or a list), each item checked; stored as the store writes it."""
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        raise InputError(column, f"must be a JSON list (got {value!r})") from None
    if not isinstance(items, list):
        raise InputError(column, f"must be a JSON list (got {value!r})")
    for item in items:
        check_item(item, column)
    return json.dumps(items) if items else None


def _point(at, column: str, *, end: bool = True) -> None:
    from ketalog.session_record import END, MAX_OFFSET

    if at is None or (end and at == END):
        return
    if type(at) is not int or not 0 <= at <= MAX_OFFSET:
        allowed = f"minutes 0-{MAX_OFFSET}" + (', "end"' if end else "")
        raise InputError(column, f"a time must be {allowed} or null (got {at!r})")


def _dose_item(item, column: str) -> None:
    if not isinstance(item, dict) or set(item) != {"amount", "unit", "at"}:
        raise InputError(column, f"each dose needs exactly amount, unit and at (got {item!r})")
    if item["at"] is None:
        raise InputError(column, "each dose needs its minute (at)")
    _point(item["at"], column, end=False)
    if isinstance(item["amount"], bool) or not isinstance(item["amount"], (int, float)):
        raise InputError(column, f"a dose's amount must be a number (got {item['amount']!r})")
    valid.dose_within_limits(item["amount"], item["unit"], column)


def _vital_item(item, column: str) -> None:
    from ketalog.session_record import SPO2_RANGE

    if not isinstance(item, dict) or set(item) != {"what", "at", "value"}:
        raise InputError(column, f"each reading needs exactly what, at and value (got {item!r})")
    _point(item["at"], column)
    value = item["value"]
    if item["what"] == "bp":
        if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
            raise InputError(column, f"a blood pressure is [systolic, diastolic] (got {value!r})")
        valid.blood_pressure(f"{value[0]}/{value[1]}", column)
    elif item["what"] in ("hr", "spo2"):
        low, high = valid.HEART_RATE_RANGE if item["what"] == "hr" else SPO2_RANGE
        if type(value) is not int or not low <= value <= high:
            raise InputError(column, f"a {item['what']} reading must be a whole number {low}-{high} (got {value!r})")
    else:
        raise InputError(column, f"a reading is bp, hr or spo2 (got {item['what']!r})")


def _observation(item, column: str) -> None:
    from ketalog.session_record import OBSERVATIONS

    if item not in OBSERVATIONS:
        raise InputError(column, f"an observation is one of {', '.join(OBSERVATIONS)} (got {item!r})")


def _check_summary_columns(path: Path, where: str, row: dict) -> None:
    """The columns older files carry as the record itself (format 1), checked as the CLI checked them."""
    amount, unit = row.get("dose_amount"), row.get("dose_unit")
    if (amount is None) != (unit is None):
        raise ImportFileError(path, where, "dose_amount and dose_unit go together")
    if amount is not None:
        try:
            valid.dose_within_limits(amount, str(unit))
        except InputError as error:
            raise ImportFileError(path, where, error.message) from None
    for when in ("before", "after"):
        systolic, diastolic = row.get(f"bp_{when}_sys"), row.get(f"bp_{when}_dia")
        if (systolic is None) != (diastolic is None):
            raise ImportFileError(path, where, f"bp_{when}_sys and bp_{when}_dia go together")
        if systolic is not None and systolic <= diastolic:
            raise ImportFileError(path, where, f"bp_{when}: systolic {systolic} must be above diastolic {diastolic}")


def row_name(table: str, number: int) -> str:
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


def _check_phone_row(path: Path, table: str, where: str, row: dict) -> None:
    """A day's metric or a dated reading from a phone export, as `formats.health` writes them."""
    from ketalog.formats.health import METRICS, READINGS, SOURCE_NAMES
    from ketalog.timeparse import plan_day_problem

    columns = SETTINGS_TABLES[table]
    if set(row) != set(columns):
        raise ImportFileError(path, where, "needs exactly " + ", ".join(columns))
    problem = plan_day_problem(row["local_date"])
    if problem:
        raise ImportFileError(path, where, problem)
    if row["source"] not in SOURCE_NAMES:
        raise ImportFileError(path, where, f"source must be one of {', '.join(SOURCE_NAMES)} (got {row['source']!r})")
    metrics = METRICS if table == "daily_metrics" else READINGS
    if row["metric"] not in metrics:
        raise ImportFileError(path, where, f"metric must be one of {', '.join(metrics)} (got {row['metric']!r})")
    numbers = ("value",) if table == "daily_metrics" else ("value", "value2")
    for column in numbers:
        value = row[column]
        if value is None and table == "health_readings":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1e9 <= value <= 1e9:
            raise ImportFileError(path, where, f"{column} must be a number (got {value!r})")
    if table == "daily_metrics":
        if row["unit"] != METRICS[row["metric"]][0]:
            raise ImportFileError(path, where, f"unit must be {METRICS[row['metric']][0]} (got {row['unit']!r})")
        return
    if not isinstance(row["at"], str) or not _AT.match(row["at"]):
        raise ImportFileError(path, where, f"at must be UTC like 2026-03-04T13:30:00Z (got {row['at']!r})")
    if isinstance(row["utc_offset"], bool) or not isinstance(row["utc_offset"], int) or abs(row["utc_offset"]) > 1080:
        raise ImportFileError(path, where, f"utc_offset must be minutes from -1080 to 1080 (got {row['utc_offset']!r})")
    if not isinstance(row["name"], str) or (row["detail"] is not None and not isinstance(row["detail"], str)):
        raise ImportFileError(path, where, "name and detail must be text")


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
        "drug": _one_of(DRUGS),
        "product": _text,
        "doses": lambda value, column: _json_list(value, column, _dose_item),
        "sprays": _whole(1, MAX_SPRAYS),
        "vitals": lambda value, column: _json_list(value, column, _vital_item),
        "sedation": _RATING,
        "observed": lambda value, column: _json_list(value, column, _observation),
        "ready_after_min": _whole(0, MAX_OFFSET),
        "lot": _text,
        "mood_before": _RATING,
        "mood_after": _RATING,
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
    "followups": {
        question.column: {
            "count": _whole(0, followup.MAX_VOIDS),
            "rating": _RATING,
            "choice": _one_of(question.choices),
            "text": _text,
        }[question.kind]
        for question in followup.QUESTIONS
    },
    "labs": {
        "name": _required_text,
        "value": _number(-valid.LAB_VALUE_LIMIT, valid.LAB_VALUE_LIMIT),
        "unit": _required_text,
        "range_low": _number(-valid.LAB_VALUE_LIMIT, valid.LAB_VALUE_LIMIT),
        "range_high": _number(-valid.LAB_VALUE_LIMIT, valid.LAB_VALUE_LIMIT),
        "note": _text,
    },
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
