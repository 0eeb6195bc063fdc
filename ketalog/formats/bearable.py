"""Bearable: the long export, one row per data point, gathered into check-ins per day and time of day,
and its medicine rows into medicines and doses taken."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Iterator

from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.read import data_rows
from ketalog.formats.records import MinutePositions, checkin_plan, checkin_row, local_time, number_in, scale_to_ten
from ketalog.timeparse import to_utc_text

BEARABLE_HEADER = ("date", "weekday", "time of day", "category", "rating/amount", "detail", "notes")
# Bearable's time-of-day blocks, as a clock time for the check-in (product rule; exact times are kept)
BEARABLE_BLOCKS = {"am": time(9), "mid": time(13), "pm": time(18), "pre": time(22), "all day": time(12), "": time(12)}
_TAG_CATEGORIES = ("factors", "sleep factors", "food diary factors", "symptom")


def detect_header(header: tuple[str, ...]) -> bool:
    return tuple(h.lower() for h in header) == BEARABLE_HEADER


def parse_csv(path: Path, rows: Iterator[list[str]], options: ParseOptions) -> ImportPlan:
    """Bearable's long export, one row per data point, gathered into one check-in per day and time of day."""
    header = tuple(cell.strip().lower() for cell in next(rows))
    if header != BEARABLE_HEADER:
        raise ImportFileError(path, "line 1", f"columns are not a Bearable export's ({','.join(BEARABLE_HEADER)})")
    from ketalog.medicines import classify
    from ketalog.medicines import key as medicine_key

    blocks: dict[datetime, dict] = {}
    skipped: dict[str, int] = {}
    medicines_seen: dict[str, tuple[str, datetime]] = {}  # key -> (name as first written, first dose)
    doses: list[tuple[datetime, str, str | None]] = []
    plan = checkin_plan("bearable", path)
    for line, row in data_rows(path, header, rows):
        row = {key: value.strip() for key, value in row.items()}
        try:
            day = datetime.strptime(re.sub(r"(\d+)(st|nd|rd|th)", r"\1", row["date"]), "%d %b %Y").date()
        except ValueError:
            raise ImportFileError(path, f"line {line}", f"date {row['date']!r} is not like 22nd Sep 2020") from None
        when = row["time of day"].lower()
        try:
            clock = BEARABLE_BLOCKS[when] if when in BEARABLE_BLOCKS else datetime.strptime(when, "%H:%M").time()
        except ValueError:
            raise ImportFileError(
                path,
                f"line {line}",
                f"time of day {row['time of day']!r} is not am, mid, pm, pre, all day or a clock time",
            ) from None
        moment = local_time(datetime.combine(day, clock), plan, f"line {line}")
        block = blocks.setdefault(moment, {"values": {}, "tags": [], "notes": []})
        category, amount, detail = row["category"].lower(), row["rating/amount"], row["detail"]
        if not amount and category in ("mood", "energy", "sleep quality", "sleep"):
            pass  # an empty amount is not logged (e.g. a sync placeholder): nothing to read
        elif category == "mood":
            block["values"]["mood"] = scale_to_ten(number_in(amount, 1, 10, path, line, "Mood"), 10)
            block["tags"] += [part.strip() for part in detail.split("|")]
        elif category == "energy":
            block["values"]["energy"] = scale_to_ten(number_in(amount, 1, 5, path, line, "Energy"), 5)
        elif category == "sleep quality":
            block["values"]["sleep"] = scale_to_ten(number_in(amount, 1, 4, path, line, "Sleep quality"), 4)
        elif category == "sleep":
            hours, _, minutes = amount.partition(":")
            if not hours.isdigit() or (minutes and not minutes.isdigit()):
                raise ImportFileError(path, f"line {line}", f"Sleep must be hours:minutes like 7:15 (got {amount!r})")
            block["values"]["sleep_hours"] = min(24.0, int(hours) + int(minutes or 0) / 60)
        elif category in _TAG_CATEGORIES:
            block["tags"] += [part.strip() for part in detail.split("|")]
        elif category == "meds/supplements":
            unit_match = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", detail)  # "Clomipramine (mg)"
            name, unit = unit_match.groups() if unit_match else (detail, "")
            name = " ".join(name.split())
            if name:
                medicines_seen.setdefault(medicine_key(name), (name, moment))
                doses.append((moment, medicine_key(name), f"{amount} {unit}".strip() or None))
        elif category == "gratitudes":
            block["notes"].append(f"Grateful for: {detail}")
        else:
            skipped[row["category"]] = skipped.get(row["category"], 0) + 1
            continue
        if row["notes"]:
            block["notes"].append(row["notes"])
    positions = MinutePositions("bearable")
    for moment in sorted(blocks):
        block = blocks[moment]
        if not (block["values"] or any(block["tags"]) or block["notes"]):
            continue  # only rows ketalog does not import fell in this block
        entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
        note = "\n".join(dict.fromkeys(block["notes"])) or None
        plan.tables["checkins"].append(checkin_row(entry_id, moment, note=note, **block["values"]))
        for tag in dict.fromkeys(t for t in block["tags"] if t):
            plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
    plan.skipped += [f"{n} {category} row(s): ketalog has no matching field" for category, n in skipped.items()]
    _bearable_medicines(plan, medicines_seen, doses, classify)
    plan.mapping = [
        "date + time of day → one check-in per block (am 09:00, mid 13:00, pm 18:00, pre 22:00, all day 12:00; "
        "exact times kept)",
        "Mood 1-10 → mood 0-10; its feelings → tags. Energy 1-5 → energy 0, 2, 5, 8, 10",
        "Sleep 7:15 → 7.25 hours slept; Sleep quality 1-4 → sleep 0, 3, 7, 10",
        "Symptoms (with their severity), Factors, Sleep and Food Diary factors → tags",
        "Meds/Supplements → your medicines (`med list`): each row a dose taken ('Clomipramine 100 mg'), "
        "the class from the name",
        "Gratitudes and notes → note",
    ]
    return plan


def _bearable_medicines(plan: ImportPlan, seen: dict, doses: list, classify) -> None:
    """Bearable's medicine rows as medicines and doses taken, identified by time, medicine and position."""
    plan.tables["medications"] = [
        {
            "key": key,
            "name": name,
            "class": classify(name),
            "schedule": None,
            "note": None,
            "created_at": to_utc_text(first),
            "updated_at": to_utc_text(first),
        }
        for key, (name, first) in seen.items()
    ]
    positions = MinutePositions("bearable-medicine")
    plan.tables["medication_events"] = [
        checkin_row(positions.id_for(f"{moment:%Y-%m-%d %H:%M} {key}"), moment, medication=key, event="took", dose=dose)
        for moment, key, dose in sorted(doses, key=lambda d: d[0])
    ]
