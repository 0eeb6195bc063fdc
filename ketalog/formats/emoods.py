"""eMoods: the entry.csv of its backup (zip or plain), one row a day, 0-4 severities where 0 is "not logged"."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.read import data_rows
from ketalog.formats.records import MinutePositions, checkin_plan, checkin_row, scale_to_ten
from ketalog.timeparse import to_local

EMOODS_HEADER = (
    "ID",
    "DATE (YYYY-MM-DD)",
    "IRRITABILITY",
    "ANXIETY",
    "DEPRESSED",
    "ELEVATED",
    "SLEEP",
    "PSYCHOTIC SYMPTOMS",
    "NOTE",
    "THERAPY",
    "MENSTRUAL CYCLE",
    "WEIGHT",
)
EMOODS_SEVERITY = {1: "none", 2: "mild", 3: "moderate", 4: "severe"}


def emoods_severity_to_ten(value: int) -> int:
    """eMoods 1-4 (none..severe) onto 0-10 severity: 0, 3, 7, 10."""
    return scale_to_ten(value, 4)


def detect_header(header: tuple[str, ...]) -> bool:
    return header[:2] == EMOODS_HEADER[:2]


def parse_csv(path: Path, rows: Iterator[list[str]], options: ParseOptions) -> ImportPlan:
    """One check-in a day from the depression and anxiety columns; the rest as words in the note."""
    header = tuple(cell.strip() for cell in next(rows))
    if header != EMOODS_HEADER:
        raise ImportFileError(
            path, "line 1", f"columns are not an eMoods entry.csv's (expected {','.join(EMOODS_HEADER)})"
        )
    plan = checkin_plan("emoods", path)
    positions = MinutePositions("emoods")
    for line, row in data_rows(path, header, rows):
        row = {column: value.strip() for column, value in row.items()}
        try:
            day = date.fromisoformat(row["DATE (YYYY-MM-DD)"])
        except ValueError:
            raise ImportFileError(
                path, f"line {line}", f"date {row['DATE (YYYY-MM-DD)']!r} is not a valid YYYY-MM-DD date"
            ) from None
        levels = {}
        for column in ("IRRITABILITY", "ANXIETY", "DEPRESSED", "ELEVATED", "PSYCHOTIC SYMPTOMS"):
            value = row[column] or "0"
            if not value.isdigit() or int(value) > 4:
                raise ImportFileError(path, f"line {line}", f"{column} must be 0-4 (got {row[column]!r})")
            levels[column] = int(value)
        sleep = None
        if row["SLEEP"]:
            try:
                sleep = float(row["SLEEP"])
            except ValueError:
                sleep = -1
            if not 0 <= sleep <= 24:
                raise ImportFileError(path, f"line {line}", f"SLEEP must be hours 0-24 (got {row['SLEEP']!r})")
            if sleep == 0:
                sleep = None  # eMoods writes 0 for "not logged", never for a night without sleep
        values: dict = {}
        if levels["DEPRESSED"]:
            values["mood"] = 10 - emoods_severity_to_ten(levels["DEPRESSED"])
        if levels["ANXIETY"]:
            values["anxiety"] = emoods_severity_to_ten(levels["ANXIETY"])
        notes = [row["NOTE"]] if row["NOTE"] else []
        extra = [
            f"{column.lower()} {EMOODS_SEVERITY[level]}"
            for column, level in levels.items()
            if level and column in ("IRRITABILITY", "ELEVATED", "PSYCHOTIC SYMPTOMS")
        ]
        if row["THERAPY"] and row["THERAPY"] not in ("0", "0.0"):  # 0: no therapy logged that day
            extra.append(f"therapy {row['THERAPY']}")
        if extra:
            notes.append("eMoods: " + ", ".join(extra))
        if not values:
            plan.skipped.append(f"line {line} ({day}): no depression or anxiety rating logged")
            continue
        if sleep is not None:
            values["sleep_hours"] = sleep
        moment = to_local(datetime.combine(day, time(12)))
        entry_id = positions.id_for(day.isoformat())  # eMoods keeps one entry a day
        plan.tables["checkins"].append(checkin_row(entry_id, moment, note="\n".join(notes) or None, **values))
    plan.mapping = [
        "DATE → check-in at 12:00 local time that day (eMoods records days, not times)",
        "DEPRESSED 1-4 (none, mild, moderate, severe) → mood 10, 7, 3, 0 (inverted: eMoods rates depression)",
        "ANXIETY 1-4 → anxiety 0, 3, 7, 10; a 0 in any eMoods column means 'not logged' and is left empty",
        "SLEEP → sleep hours; 0 means not logged and is left empty",
        "NOTE → note; IRRITABILITY, ELEVATED, PSYCHOTIC SYMPTOMS and THERAPY → added to the note as words",
        "WEIGHT and MENSTRUAL CYCLE → not imported (ketalog has no matching field)",
        "rows with neither DEPRESSED nor ANXIETY logged → skipped",
    ]
    return plan
