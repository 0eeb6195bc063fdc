"""How We Feel: an emotion word (no number) per check-in, tags, sleep minutes and notes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterator

from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.read import data_rows, header_and_rows
from ketalog.formats.records import MinutePositions, checkin_plan, checkin_row, local_time, number_in


def detect_header(header: tuple[str, ...]) -> bool:
    return header[:2] == ("Date", "Mood") and "Tags (People)" in header


def parse_csv(path: Path, rows: Iterator[list[str]], options: ParseOptions) -> ImportPlan:
    """One check-in per entry; the emotion word a tag, never a made-up rating."""
    header, cells = header_and_rows(path, rows)
    plan = checkin_plan("howwefeel", path)
    positions = MinutePositions("howwefeel")
    for line, row in data_rows(path, header, cells):
        try:
            naive = datetime.strptime(row["Date"].strip(), "%Y %a %b %d %I:%M %p")
        except ValueError:
            raise ImportFileError(
                path, f"line {line}", f"date {row['Date']!r} is not like 2025 Sat Oct 4 8:09 PM"
            ) from None
        moment = local_time(naive, plan, f"line {line}")
        values: dict = {}
        sleep = row.get("Sleep", "").strip()
        if sleep:
            minutes = number_in(sleep, 0, 24 * 60, path, line, "Sleep (minutes)")
            if minutes:
                values["sleep_hours"] = round(minutes / 60, 2)
        texts = [row.get(column, "").strip() for column in ("Notes", "Takeaways")]
        note = "\n".join(text for text in texts if text and text != "[]") or None
        entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
        plan.tables["checkins"].append(checkin_row(entry_id, moment, note=note, **values))
        tags = [row["Mood"].strip()] + [
            part.strip() for column in header if column.startswith("Tags (") for part in row[column].split(";")
        ]
        for tag in dict.fromkeys(t for t in tags if t):
            plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
    plan.mapping = [
        "Date → check-in time, in your local time zone",
        "Mood (an emotion word, with no number: no mood rating is made up) → a tag; People, Places, Events → tags",
        "Sleep (minutes) → hours slept; Notes and Takeaways → note",
        "Reflections (a chat transcript), steps, exercise, weather and drinks → not imported",
    ]
    return plan
