"""iMoodJournal: a 1-10 level per entry, its comment, and one 0/1 column per hashtag."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.read import data_rows, header_and_rows
from ketalog.formats.records import (
    MinutePositions,
    checkin_plan,
    checkin_row,
    local_time,
    localized_month_day,
    scale_to_ten,
)


def imood_date(text: str) -> date:
    """The Date column, written in the phone's locale: "September 5, 2015", "5 September 2015", "5 sept. 2015",
    "5. September 2015". The year is the four-digit number; the month's name is read in any language the apps
    ship (Babel's CLDR data)."""
    cleaned = " ".join(text.replace(",", " ").split())
    for pattern in ("%B %d %Y", "%d %B %Y", "%b %d %Y", "%d %b %Y"):  # English, without Babel's cost
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    year = re.findall(r"\b\d{4}\b", cleaned)
    if len(year) != 1:
        raise ValueError(text)
    month, day = localized_month_day(cleaned.replace(year[0], " "))
    return date(int(year[0]), month, day)


def detect_header(header: tuple[str, ...]) -> bool:
    return header[:5] == ("Date", "Day of week", "Hour", "Minute", "Level")


def parse_csv(path: Path, rows: Iterator[list[str]], options: ParseOptions) -> ImportPlan:
    """One check-in per row; its 1-10 level onto 0-10, each hashtag column marked 1 a tag."""
    header, cells = header_and_rows(path, rows)
    hashtags = header[7:]
    plan = checkin_plan("imoodjournal", path)
    positions = MinutePositions("imoodjournal")
    for line, row in data_rows(path, header, cells):
        try:
            day = imood_date(row["Date"])
            clock = time(int(row["Hour"]), int(row["Minute"]))
            level = int(row["Level"])
            if not 1 <= level <= 10:
                raise ValueError(level)
        except ValueError:
            raise ImportFileError(
                path,
                f"line {line}",
                "needs a date like September 5, 2015 or 5 September 2015, Hour 0-23, Minute 0-59 and Level 1-10",
            ) from None
        moment = local_time(datetime.combine(day, clock), plan, f"line {line}")
        entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
        note = row["Comment"].strip() or None
        plan.tables["checkins"].append(checkin_row(entry_id, moment, mood=scale_to_ten(level, 10), note=note))
        for tag in hashtags:
            if row[tag].strip() == "1":
                plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
    plan.mapping = [
        "Date, Hour, Minute → check-in time, in your local time zone",
        "Level 1-10 → mood 0-10 (LevelText is its label); Comment → note",
        "each hashtag column marked 1 → a tag (iMoodJournal's own #medication tags included)",
    ]
    return plan
