"""What every importer builds rows with: stable ids, the one scale conversion, check-in rows, note text."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from pathlib import Path

from ketalog.formats.plan import ImportFileError, ImportPlan
from ketalog.timeparse import storage_fields

ID_NAMESPACE = uuid.UUID("6f1c2a44-5b7e-4d0a-9c61-0e6a2d9b8f10")


def scale_to_ten(value: float, top: int) -> int:
    """Another app's 1..top scale onto ketalog's 0-10, linearly (1 -> 0, top -> 10), halves to even.

    The one conversion every importer uses: 1-5 gives 0, 2, 5, 8, 10; 1-4 gives 0, 3, 7, 10.
    """
    return round((value - 1) * (10 / (top - 1)))


def stable_id(*parts: object) -> str:
    """``uuid.uuid5(ID_NAMESPACE, ...).hex``, computed without building UUID objects (a long import makes
    one per row; the ids must never change, or re-importing would duplicate every entry)."""
    digest = bytearray(hashlib.sha1(ID_NAMESPACE.bytes + "\x1f".join(str(p) for p in parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return digest.hex()


def checkin_plan(source: str, path: Path) -> ImportPlan:
    return ImportPlan(source, path, {"checkins": [], "checkin_tags": []})


def local_time(naive: datetime, plan: ImportPlan, where: str) -> datetime:
    """A wall-clock time from a file, in the local time zone. One the clocks skipped (the spring-forward gap)
    is stored as the hour after it (02:30 becomes 03:30) and said in the summary, never moved silently."""
    from ketalog.timeparse import NonexistentTime, wall_clock

    try:
        return wall_clock(naive)
    except NonexistentTime:  # read on the offset before the jump, so it shows as the hour after it
        moment = max(naive.astimezone(), naive.replace(fold=1).astimezone())
        note = (
            f"{where}: {naive:%Y-%m-%d %H:%M} does not exist in your time zone (the clocks jumped forward); "
            f"stored as {moment:%H:%M}"
        )
        if note not in plan.warnings:
            plan.warnings.append(note)
        return moment


def checkin_row(entry_id: str, moment: datetime, **values) -> dict:
    # An imported entry is dated by its own time, not the import's: a later edit in ketalog then shows
    # as updated_at > created_at, and no re-import of the app's file overwrites it.
    fields = storage_fields(moment)
    return {"id": entry_id, **fields, **values, "created_at": fields["at"], "updated_at": fields["at"]}


class MinutePositions:
    """An entry's identity in another app is (app, local date and time, position among the entries of
    that same minute) -- never its content, which the app may rewrite (renamed activities)."""

    def __init__(self, source: str):
        self.source = source
        self.seen: dict[str, int] = {}

    def id_for(self, minute: str) -> str:
        position = self.seen.get(minute, 0)
        self.seen[minute] = position + 1
        return stable_id(self.source, minute, position)


def number_in(text: str, low: float, high: float, path: Path, line: int, what: str) -> float:
    """A number from a cell, within [low, high], or an import error naming the line and what is allowed."""
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not low <= value <= high:
        raise ImportFileError(path, f"line {line}", f"{what} must be {low:g}-{high:g} (got {text!r})")
    return value


def html_to_text(html: str) -> str:
    """A Daylio note's HTML as plain text: line breaks and list items kept, tags dropped, entities decoded."""
    from html import unescape

    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", html)
    text = re.sub(r"(?i)<li[^>]*>", "\n- ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(line.rstrip() for line in unescape(text).strip().splitlines() if line.strip())


_HTML_MARKS = re.compile(
    r"(?i)<(br|p|div|li|ul|ol|b|i|u|em|strong|span)\b[^>]*>|</(p|div|li|ul|ol|b|i|u|em|strong|span)>|&(nbsp|amp|lt|gt|quot|#\d+);"
)


def maybe_html(text: str) -> str:
    """A note from a Daylio CSV: since 2024 the app writes HTML there too (`<br>`, `&nbsp;`). Converted like
    the backup's notes when it holds a tag or entity Daylio writes; a plain note ("I <3 this") is left as it is."""
    if not _HTML_MARKS.search(text):
        return text
    return html_to_text(text).replace("\xa0", " ")


# The languages the apps ship (Daylio's list, the longest); month names come from Babel's CLDR data,
# not hand-written tables.
APP_LOCALES = (
    "en",
    "de",
    "es",
    "fr",
    "it",
    "pt",
    "pt_BR",
    "ru",
    "uk",
    "pl",
    "cs",
    "sk",
    "nl",
    "sv",
    "da",
    "nb",
    "fi",
    "tr",
    "hu",
    "ro",
    "el",
    "bg",
    "hr",
    "sl",
    "sr_Latn",
    "ca",
    "id",
    "vi",
    "lt",
    "lv",
    "et",
)
_MONTHS: dict[str, int] = {}


def _month_names() -> dict[str, int]:
    """Every wide month name (formatting and stand-alone: "września", "wrzesień") and the abbreviations that
    mean the same month in every language, lower-cased: built once, only when a date needs it."""
    if not _MONTHS:
        from babel import Locale

        wide: dict[str, int] = {}
        short: dict[str, set[int]] = {}
        for code in APP_LOCALES:
            months = Locale.parse(code).months
            for context in ("format", "stand-alone"):
                for number, name in months[context]["wide"].items():
                    wide.setdefault(name.lower().strip("."), number)
                for number, name in months[context]["abbreviated"].items():
                    short.setdefault(name.lower().strip("."), set()).add(number)
        _MONTHS.update({name: numbers.pop() for name, numbers in short.items() if len(numbers) == 1})
        _MONTHS.update(wide)
    return _MONTHS


def localized_month_day(text: str) -> tuple[int, int]:
    """ "7 września", "16 de octubre", "22. Juni", "juin 3" -> (month, day)."""
    words = re.findall(r"[^\W\d_]+\.?|\d+", text.lower())
    days = [int(w) for w in words if w.isdigit()]
    months = [_month_names()[w.strip(".")] for w in words if not w.isdigit() and w.strip(".") in _month_names()]
    if len(days) != 1 or len(months) != 1:
        raise ValueError(text)
    return months[0], days[0]
