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
