"""Daylio: the CSV export (four layouts over the years, and files whose header line was lost) and the
`.daylio` backup (base64 JSON, moods by group, so custom moods need no map).

Layouts and value meanings come from the clinical reference, section 4.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions, UnknownMoods
from ketalog.formats.read import data_rows, one_record
from ketalog.formats.records import (
    MinutePositions,
    checkin_plan,
    checkin_row,
    html_to_text,
    local_time,
    localized_month_day,
    maybe_html,
    scale_to_ten,
)

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAYLIO_DEFAULT_MOODS = {"rad": 5, "good": 4, "meh": 3, "bad": 2, "awful": 1}
DAYLIO_HEADERS = {
    ("full_date", "date", "weekday", "time", "mood", "activities", "scales", "note_title", "note"): "current",
    ("full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"): "2021",
    ("year", "date", "weekday", "time", "mood", "activities", "note"): "2018",
    ("full_date", "date", "weekday", "time", "mood", "activities", "note"): "7-column",
}
# A file whose header line was lost (seen in the wild) is recognised by its shape: an ISO date first,
# and as many columns as one of the layouts above.
_DAYLIO_BY_WIDTH = {len(h): h for h, v in DAYLIO_HEADERS.items() if v != "2018"}
# Daylio's own translations of its five default moods, which need no --mood-map (only those verified).
DAYLIO_TRANSLATED_MOODS = {"wspaniale": 5, "dobrze": 4, "tak sobie": 3, "źle": 2, "okropnie": 1}  # Polish


def daylio_to_ten(value: int) -> int:
    """Daylio's 1-5 onto 0-10: 0, 2, 5, 8, 10."""
    return scale_to_ten(value, 5)


def parse_mood_map(text: str | None) -> dict[str, int]:
    if not text:
        return {}
    mapping = {}
    for pair in text.split(","):
        label, sep, value = pair.partition("=")
        if not sep or not label.strip() or not value.strip().isdigit() or not 1 <= int(value) <= 5:
            raise ImportFileError(
                "--mood-map", f"{pair.strip()!r}", 'use label=1..5 pairs on Daylio\'s scale, e.g. "great=5,ok=3"'
            )
        mapping[label.strip().lower()] = int(value)
    return mapping


# Daylio ---------------------------------------------------------------------------------------


_CLOCK_24H = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _daylio_time(text: str, path: Path, line: int) -> time:
    plain = _CLOCK_24H.fullmatch(text.strip())  # most exports: 20:39, read without strptime's cost
    if plain:
        hour, minute, second = int(plain[1]), int(plain[2]), int(plain[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raw = text.strip().lower().replace(".", "")
    for pattern in ("%I:%M %p", "%I:%M%p", "%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(raw, pattern).time()
        except ValueError:
            continue
    raise ImportFileError(path, f"line {line}", f"time {text!r} is not like 20:39 or 11:54 pm")


def _daylio_date(row: dict, version: str, path: Path, line: int) -> date:
    try:
        if version != "2018":
            return date.fromisoformat(row["full_date"].strip())
        year = int(row["year"])
        for pattern in ("%B %d", "%b %d", "%d %B", "%d %b", "%m-%d", "%d.%m."):
            try:
                parsed = datetime.strptime(row["date"].strip(), pattern)
                return date(year, parsed.month, parsed.day)
            except ValueError:
                continue
        month, day = localized_month_day(row["date"])
        return date(year, month, day)
    except (ValueError, KeyError):
        shown = row.get("full_date") or f"{row.get('year')} {row.get('date')}"
        raise ImportFileError(path, f"line {line}", f"date {shown!r} is not a valid date") from None


def _daylio_layout(path: Path, first: list[str]) -> tuple[tuple[str, ...], str, bool]:
    """(columns, layout name, whether the first row is data) from the first row."""
    header = tuple(cell.strip().lower() for cell in first)
    if header in DAYLIO_HEADERS:
        return header, DAYLIO_HEADERS[header], False
    if first and _ISO_DAY.match(first[0].strip()) and len(first) in _DAYLIO_BY_WIDTH:
        columns = _DAYLIO_BY_WIDTH[len(first)]
        return columns, DAYLIO_HEADERS[columns] + ", no header line", True
    layouts = "; ".join(",".join(h) for h in DAYLIO_HEADERS)
    raise ImportFileError(
        path,
        "line 1",
        f"columns {', '.join(header)} are not a Daylio export's (Daylio writes one of: {layouts}); "
        "if you edited the file, export it again from Daylio (Settings > Export entries > CSV)",
    )


def detect_header(header: tuple[str, ...]) -> bool:
    lowered = tuple(h.lower() for h in header)
    if lowered in DAYLIO_HEADERS or "full_date" in lowered:  # an edited Daylio header gets Daylio's own advice
        return True
    return bool(header) and bool(_ISO_DAY.match(header[0])) and len(header) in _DAYLIO_BY_WIDTH  # header lost


def detect_json(data: object) -> bool:
    return isinstance(data, dict) and "dayEntries" in data


def parse_csv(path: Path, rows: Iterator[list[str]], options: ParseOptions) -> ImportPlan:
    """Daylio's CSV export; mood labels from Daylio's defaults, then those remembered, then those given now."""
    given = parse_mood_map(options.mood_map)
    plan = parse_daylio(path, rows, {**options.saved.get("daylio", {}), **given})
    plan.remember = {"daylio": given}
    return plan


def parse_daylio(path: Path, rows: Iterator[list[str]], mood_map: dict[str, int]) -> ImportPlan:
    first = next(rows)
    header, version, first_is_data = _daylio_layout(path, first)
    moods = {**DAYLIO_DEFAULT_MOODS, **DAYLIO_TRANSLATED_MOODS, **mood_map}
    unknown: dict[str, list[int]] = {}
    recased: dict[str, list[int]] = {}  # "Good" read as Daylio's own "good": said, since it may be a renamed mood
    plan = checkin_plan("daylio", path)
    positions = MinutePositions("daylio")
    seen_rows: dict[tuple, int] = {}
    data = itertools.chain([first], rows) if first_is_data else rows
    for line, row in data_rows(path, header, data, 1 if first_is_data else 2, plan.warnings):
        written = row["mood"].strip()
        label = written.lower()
        if label not in moods:
            unknown.setdefault(written, []).append(line)
            continue
        if written != label and label not in mood_map:
            recased.setdefault(written, []).append(line)
        day = _daylio_date(row, version, path, line)
        clock = _daylio_time(row["time"], path, line)
        moment = local_time(datetime.combine(day, clock), plan, f"line {line}")
        title, body = maybe_html(row.get("note_title", "")).strip(), maybe_html(row.get("note", "")).strip()
        note = "\n".join(part for part in (title, body) if part) or None
        minute = f"{day.isoformat()} {clock:%H:%M}"
        content = (minute, label, row["activities"].strip(), note)
        if content in seen_rows:  # the same entry twice in one export: an app glitch, imported once
            plan.skipped.append(f"line {line}: an exact copy of line {seen_rows[content]}; imported once")
            continue
        seen_rows[content] = line
        entry_id = positions.id_for(minute)
        plan.tables["checkins"].append(checkin_row(entry_id, moment, mood=daylio_to_ten(moods[label]), note=note))
        for tag in dict.fromkeys(a.strip() for a in row["activities"].split("|") if a.strip()):
            plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
    if unknown:
        listed = ", ".join(
            f"{label!r} ({len(lines)} entr{'y' if len(lines) == 1 else 'ies'}, first on line {lines[0]})"
            for label, lines in unknown.items()
        )
        template = ",".join(f"{label}=?" for label in unknown)
        raise UnknownMoods(
            path,
            unknown,
            f"Daylio mood labels ketalog does not know: {listed}. Say where each sits on Daylio's 1-5 scale "
            f'(1 awful, 2 bad, 3 meh, 4 good, 5 rad): replace each ? in --mood-map "{template}"',
        )
    for written, lines in recased.items():
        plan.warnings.append(
            f"mood {written!r} ({len(lines)} entr{'y' if len(lines) == 1 else 'ies'}, first on line {lines[0]}) "
            f"read as Daylio's own {written.lower()!r} ({moods[written.lower()]} on its 1-5 scale); "
            f'if it is a mood you made, import again with --mood-map "{written}=N"'
        )
    used = ", ".join(
        f"{label}={value}→{daylio_to_ten(value)}"
        for label, value in moods.items()
        if label not in DAYLIO_TRANSLATED_MOODS or label in mood_map
    )
    plan.mapping = [
        f"date + time → check-in time, in your local time zone (Daylio export layout: {version})",
        f"mood → mood 0-10 from Daylio's 1-5 scale, 1→0, 2→2, 3→5, 4→8, 5→10 ({used})",
        "activities → check-in tags",
        "note → check-in note" if "note_title" not in header else "note_title and note → check-in note",
    ]
    if version == "current":
        plan.mapping.append("scales → not imported (ketalog has no matching field)")
    plan.mapping.append("weekday and date (display copies) → not needed")
    plan.mapping.append(
        "an entry is the same entry on re-import when its date, time and place among "
        "entries of that minute match, whatever its activities or note now say"
    )
    return plan


# The backup ------------------------------------------------------------------------------------


def parse_json(path: Path, data: dict, options: ParseOptions) -> ImportPlan:
    """Daylio's own backup (its free tier has no CSV): moods by their group (1 rad .. 5 awful), so custom
    moods need no map; months are 0-based; notes are HTML; activities ("tags") become check-in tags."""

    with one_record(path, "customMoods and tags", "lists of moods and tags as a Daylio backup holds them"):
        groups = {m.get("id"): m.get("mood_group_id") for m in data.get("customMoods") or [] if isinstance(m, dict)}
        names = {t.get("id"): t.get("name") for t in data.get("tags") or [] if isinstance(t, dict)}
    plan = checkin_plan("daylio", path)
    positions = MinutePositions("daylio")
    entries = data.get("dayEntries") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ImportFileError(path, "dayEntries", "must be a list of entries (objects)")
    for number, entry in enumerate(sorted(entries, key=lambda e: _number_or_zero(e.get("datetime"))), start=1):
        where = f"dayEntries item {number}"
        with one_record(path, where, "an entry as a Daylio backup holds it"):
            _daylio_backup_entry(path, where, entry, groups, names, plan, positions)
    plan.mapping = [
        "year, month (0-based), day, hour, minute → check-in time, at the offset Daylio recorded",
        "mood → its mood group (1 rad .. 5 awful, custom moods included) → mood 10, 8, 5, 2, 0",
        "note_title and note → check-in note (HTML turned into plain text)",
        "tags (activities) → check-in tags",
        "goals, achievements, assets (photos), reminders and settings → not imported",
    ]
    return plan


def _number_or_zero(value) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _daylio_backup_entry(path: Path, where: str, entry: dict, groups: dict, names: dict, plan, positions) -> None:
    """One Daylio backup entry into a check-in and its tags."""
    from datetime import timedelta, timezone

    try:
        offset = timezone(timedelta(milliseconds=int(entry.get("timeZoneOffset") or 0)))
        moment = datetime(
            int(entry["year"]),
            int(entry["month"]) + 1,
            int(entry["day"]),
            int(entry.get("hour", 12)),
            int(entry.get("minute", 0)),
            tzinfo=offset,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ImportFileError(path, where, "year, month (0-11), day, hour and minute must form a real time") from None
    group = groups.get(entry.get("mood"))
    if group not in (1, 2, 3, 4, 5):
        raise ImportFileError(path, where, f"mood {entry.get('mood')!r} is not one of the backup's moods")
    note = (
        "\n".join(
            part
            for part in (
                html_to_text(entry.get("note_title") or "").replace("\xa0", " "),
                html_to_text(entry.get("note") or "").replace("\xa0", " "),
            )
            if part
        )
        or None
    )
    entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
    plan.tables["checkins"].append(checkin_row(entry_id, moment, mood=scale_to_ten(6 - group, 5), note=note))
    for tag in dict.fromkeys(str(names[t]) for t in entry.get("tags") or [] if names.get(t)):
        plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
