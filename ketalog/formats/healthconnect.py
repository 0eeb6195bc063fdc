"""Android Health Connect's export: a zip holding `health_connect_export.db`, or that SQLite file itself.

Its schema is internal and unpublished, so every table and column is probed before it is read, and a table
this export lacks is named in the summary, never guessed at. Times are epoch milliseconds with a zone offset
in seconds beside them. Health Connect's HRV is RMSSD, kept as its own metric (never mixed with SDNN);
a sleep session without stages counts its whole length.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import zipfile
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ketalog.formats.health import HealthPlan, Segment, daily_median, fixed, nights
from ketalog.formats.plan import ImportFileError

MAGIC = b"SQLite format 3\x00"
MEMBER = "health_connect_export.db"
MAX_DB_BYTES = 4 * 2**30
# table -> (the columns read, what they become)
TABLES = {
    "sleep_session_record_table": ("start_time", "end_time", "start_zone_offset", "end_zone_offset"),
    "resting_heart_rate_record_table": ("time", "zone_offset", "beats_per_minute"),
    "heart_rate_variability_rmssd_record_table": ("time", "zone_offset", "heart_rate_variability_millis"),
    "blood_pressure_record_table": ("time", "zone_offset", "systolic", "diastolic"),
    "mindfulness_session_record_table": ("start_time", "end_time", "start_zone_offset", "end_zone_offset"),
}


def sniff(path: Path) -> bool:
    """The export zip (its database member) or a SQLite file with Health Connect's record tables."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
            if head[:2] == b"PK":
                handle.seek(0)
                with zipfile.ZipFile(handle) as archive:
                    return any(name.rsplit("/", 1)[-1] == MEMBER for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    if head != MAGIC:
        return False
    try:
        with _connect(path) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return False
    return any(name.endswith("_record_table") for name in names)


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def _moment(millis, offset_seconds) -> datetime:
    zone = fixed(int(offset_seconds or 0) // 60)
    return datetime.fromtimestamp(int(millis) / 1000, timezone.utc).astimezone(zone)


def parse(path: Path, tick=None) -> HealthPlan:
    with open(path, "rb") as handle:
        zipped = handle.read(2) == b"PK"
    if not zipped:
        return _parse_db(path, path)
    with tempfile.TemporaryDirectory(prefix="ketalog-hc-") as folder:  # 0700: only this user reads the copy
        try:
            with zipfile.ZipFile(path) as archive:
                info = next(i for i in archive.infolist() if i.filename.rsplit("/", 1)[-1] == MEMBER)
                if info.file_size > MAX_DB_BYTES:
                    raise ImportFileError(path, info.filename, "is far larger than any real export")
                copy = Path(folder) / MEMBER
                with archive.open(info) as member, open(copy, "wb") as out:
                    shutil.copyfileobj(member, out, 2**20)
        except (zipfile.BadZipFile, StopIteration):
            raise ImportFileError(path, "zip", f"holds no {MEMBER}") from None
        return _parse_db(path, copy)


def _parse_db(path: Path, db_path: Path) -> HealthPlan:
    plan = HealthPlan("healthconnect", path)
    try:
        conn = _connect(db_path)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        raise ImportFileError(path, "file", "not a readable SQLite database") from None
    missing = []
    rows: dict[str, list[tuple]] = {}
    with conn:
        for table, columns in TABLES.items():
            have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')} if table in tables else set()
            if not set(columns) <= have:
                missing.append(table if table not in tables else f"{table} (columns differ)")
                continue
            rows[table] = conn.execute(f'SELECT {", ".join(columns)} FROM "{table}"').fetchall()
        for table in sorted(tables - set(TABLES)):
            if table.endswith("_record_table"):
                plan.skipped[table] += conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    conn.close()
    unreadable = 0
    segments = []
    for start, end, start_offset, end_offset in rows.get("sleep_session_record_table", []):
        try:
            segments.append(Segment(_moment(start, start_offset), _moment(end, end_offset), True, False, "hc"))
            plan.counts["sleep_hours"] += 1
        except (TypeError, ValueError, OverflowError, OSError):
            unreadable += 1
    for night, hours in nights(segments).items():
        plan.daily[("sleep_hours", night.isoformat())] = hours
    for table, metric in (
        ("resting_heart_rate_record_table", "resting_hr"),
        ("heart_rate_variability_rmssd_record_table", "hrv_rmssd"),
    ):
        values: dict[str, list[float]] = defaultdict(list)
        for at, offset, value in rows.get(table, []):
            try:
                values[_moment(at, offset).date().isoformat()].append(float(value))
                plan.counts[metric] += 1
            except (TypeError, ValueError, OverflowError, OSError):
                unreadable += 1
        for day, median in daily_median(values).items():
            plan.daily[(metric, day)] = median
    minutes: dict[str, float] = defaultdict(float)
    for start, end, start_offset, end_offset in rows.get("mindfulness_session_record_table", []):
        try:
            begin = _moment(start, start_offset)
            minutes[begin.date().isoformat()] += max(0.0, (_moment(end, end_offset) - begin) / timedelta(minutes=1))
            plan.counts["mindful_minutes"] += 1
        except (TypeError, ValueError, OverflowError, OSError):
            unreadable += 1
    for day, total in minutes.items():
        plan.daily[("mindful_minutes", day)] = round(total, 1)
    for at, offset, systolic, diastolic in rows.get("blood_pressure_record_table", []):
        try:
            plan.add_reading("blood_pressure", "", _moment(at, offset), float(systolic), float(diastolic))
        except (TypeError, ValueError, OverflowError, OSError):
            unreadable += 1
    if missing:
        plan.warnings.append(
            "not in this export (its schema is unpublished, so nothing was guessed): " + ", ".join(missing)
        )
    if unreadable:
        plan.warnings.append(f"{unreadable} rows had a time or value ketalog could not read; left out")
    return plan
