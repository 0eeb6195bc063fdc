"""Pixels: one pixel a day, as its JSON backup holds it (old layout: `mood` and `emotions`; current:
`scores`, one to four a day, and `tags`)."""

from __future__ import annotations

import re
import statistics
from datetime import date, datetime, time
from pathlib import Path

from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.read import one_record
from ketalog.formats.records import MinutePositions, checkin_plan, checkin_row, scale_to_ten
from ketalog.timeparse import to_local


def detect_json(data: object) -> bool:
    return isinstance(data, list)


def parse_json(path: Path, data: list, options: ParseOptions) -> ImportPlan:
    """Pixels: one pixel a day. The old export has `mood` 1-5 and `emotions`; the current one `scores`
    (one or more 1-5 per day) and `tags` [{type, entries}]."""
    plan = checkin_plan("pixels", path)
    positions = MinutePositions("pixels")
    for number, pixel in enumerate(data, start=1):
        where = f"item {number}"
        if not isinstance(pixel, dict):
            raise ImportFileError(path, where, "must be an object with a date")
        with one_record(path, where, "a day as a Pixels backup holds it"):
            _pixel(path, where, pixel, plan, positions)
    plan.mapping = [
        "date → check-in at 12:00 local time that day (Pixels records days)",
        "mood (old) or the mean of scores (current), 1-5 → mood 0, 2, 5, 8, 10",
        "emotions and tags → check-in tags; notes → note",
    ]
    return plan


_PIXELS_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _pixels_day(text: str) -> date | None:
    """A Pixels day: current backups write it without zero padding (2021-1-1), older ones padded."""
    found = _PIXELS_DATE.fullmatch(text.strip())
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _pixel(path: Path, where: str, pixel: dict, plan, positions) -> None:
    """One Pixels day into a check-in and its tags."""
    day = _pixels_day(str(pixel.get("date")))
    if day is None:
        raise ImportFileError(path, where, f"date {pixel.get('date')!r} is not a date like 2021-01-31 or 2021-1-31")
    given = pixel.get("scores") if "scores" in pixel else [pixel.get("mood")]
    scores: list[float] = [s for s in given or [] if s is not None]
    if not scores or not all(isinstance(s, (int, float)) and 1 <= s <= 5 for s in scores):
        raise ImportFileError(path, where, f"mood must be 1-5 (got {scores!r})")
    for key in ("emotions", "tags"):
        if pixel.get(key) is not None and not isinstance(pixel[key], list):
            raise ImportFileError(path, where, f"{key} must be a list (got {type(pixel[key]).__name__})")
    tags = list(pixel.get("emotions") or [])
    for group in pixel.get("tags") or []:
        if isinstance(group, dict):
            tags += [str(entry) for entry in group.get("entries") or []]
    moment = to_local(datetime.combine(day, time(12)))
    entry_id = positions.id_for(day.isoformat())
    note = str(pixel.get("notes") or "").strip() or None
    plan.tables["checkins"].append(
        checkin_row(entry_id, moment, mood=scale_to_ten(statistics.fmean(scores), 5), note=note)
    )
    for tag in dict.fromkeys(str(t).strip() for t in tags if str(t).strip()):
        plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
