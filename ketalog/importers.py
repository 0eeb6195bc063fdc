"""Read other mood apps' exports (Daylio CSV, eMoods backups) into ketalog check-ins.

Layouts and value meanings come from the clinical reference, section 4. Every
row is checked before anything is written; the first problem stops the import
with the file, line and what is wrong. Ids are derived from each row's content
(UUID5), so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
import re
import statistics
import uuid
import zipfile
import zlib
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator, TextIO

from ketalog.exchange import ImportFileError, ImportPlan, check_plan, load_json, parse_ketalog
from ketalog.timeparse import storage_fields, to_local, to_utc_text

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_NAMESPACE = uuid.UUID("6f1c2a44-5b7e-4d0a-9c61-0e6a2d9b8f10")

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


def scale_to_ten(value: float, top: int) -> int:
    """Another app's 1..top scale onto ketalog's 0-10, linearly (1 -> 0, top -> 10), halves to even.

    The one conversion every importer uses: 1-5 gives 0, 2, 5, 8, 10; 1-4 gives 0, 3, 7, 10.
    """
    return round((value - 1) * (10 / (top - 1)))


def daylio_to_ten(value: int) -> int:
    """Daylio's 1-5 onto 0-10: 0, 2, 5, 8, 10."""
    return scale_to_ten(value, 5)


def emoods_severity_to_ten(value: int) -> int:
    """eMoods 1-4 (none..severe) onto 0-10 severity: 0, 3, 7, 10."""
    return scale_to_ten(value, 4)


def stable_id(*parts: object) -> str:
    """``uuid.uuid5(ID_NAMESPACE, ...).hex``, computed without building UUID objects (a long import makes
    one per row; the ids must never change, or re-importing would duplicate every entry)."""
    digest = bytearray(hashlib.sha1(ID_NAMESPACE.bytes + "\x1f".join(str(p) for p in parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return digest.hex()


class UnknownMoods(ImportFileError):
    """Mood labels the file uses that no map places: the command may ask for them in a terminal."""

    def __init__(self, path: Path, labels: dict[str, list[int]], message: str):
        super().__init__(path, "mood", message)
        self.labels = labels


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


# Reading files --------------------------------------------------------------------------------

# Limits far above any real export (ten years of daily Daylio entries is ~1 MB; a 50-year ketalog
# export ~60 MB) and far below what would exhaust memory: a hostile file is refused, not read.
MAX_SOURCE_BYTES = 256 * 2**20
MAX_ZIP_RATIO = 100  # uncompressed / compressed, for members over 1 MiB (text zips ~5-15x)
# Every row is held (checked whole, then written in one transaction), at ~2.4 KB each: 200,000 lines keep
# an import under ~500 MB and are more than 50 years of ten entries a day.
MAX_ROWS = 200_000
# A JSON export is parsed whole, and a Python object per JSON object costs far more than its text: a
# 50-year ketalog export is 9 MB and 29,000 objects; 180 MB of "[{},{},...]" once took 4.4 GB.
MAX_JSON_CHARS = 64 * 2**20
MAX_JSON_OBJECTS = 300_000
MAX_FIELD_CHARS = 1_000_000  # one cell (a long journal note is ~10,000)


class _Capped(io.RawIOBase):
    """A byte stream that refuses to yield more than ``limit`` bytes (a zip member may lie about its size)."""

    def __init__(self, stream, limit: int, path: Path):
        self._stream, self._left, self._path = stream, limit, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise ImportFileError(
                self._path,
                "file",
                f"holds more than {MAX_SOURCE_BYTES // 2**20} MB of text, "
                "far more than any real export; refusing to read it",
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_source(path: Path) -> Iterator[TextIO]:
    """The text of a plain file, or of the entry.csv inside an eMoods zip backup, streamed and capped."""
    try:
        raw = open(path, "rb")
    except OSError as error:
        raise ImportFileError(path, "file", error.strerror or "cannot be read") from None
    with raw:
        size = os.fstat(raw.fileno()).st_size
        if size > MAX_SOURCE_BYTES:
            raise ImportFileError(
                path, "file", f"is {size // 2**20} MB, more than the {MAX_SOURCE_BYTES // 2**20} MB an import may be"
            )
        if raw.read(2) == b"PK":
            raw.seek(0)
            with _zip_member(path, raw) as member:
                yield io.TextIOWrapper(
                    io.BufferedReader(_Capped(member, MAX_SOURCE_BYTES, path)), encoding="utf-8-sig", newline=""
                )
            return
        raw.seek(0)
        yield io.TextIOWrapper(
            io.BufferedReader(_Capped(raw, MAX_SOURCE_BYTES, path)), encoding="utf-8-sig", newline=""
        )


@contextmanager
def _zip_member(path: Path, raw):
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile:
        raise ImportFileError(path, "zip", "damaged or not a zip file") from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.rsplit("/", 1)[-1].lower() in ("entry.csv", "backup.daylio")
        ]
        if not members:
            raise ImportFileError(
                path, "zip", "holds no entry.csv (eMoods) or backup.daylio (Daylio); is this a backup from one of them?"
            )
        info = members[0]
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_SOURCE_BYTES or (info.file_size > 2**20 and ratio > MAX_ZIP_RATIO):
            raise ImportFileError(
                path,
                f"zip member {info.filename}",
                f"unpacks to {info.file_size // 2**20} MB ({ratio:.0f} times its packed size), "
                "which no real export does; refusing to unpack it",
            )
        try:
            with archive.open(info) as member:
                yield member
        except (zipfile.BadZipFile, EOFError, zlib.error) as error:
            raise ImportFileError(path, f"zip member {info.filename}", f"damaged ({error})") from None
        except RuntimeError:  # zipfile's word for a member that needs a password
            raise ImportFileError(
                path, f"zip member {info.filename}", "is password-protected; export it again without a password"
            ) from None
        except NotImplementedError:
            raise ImportFileError(
                path,
                f"zip member {info.filename}",
                "is packed with a method ketalog cannot unpack; use zip's usual deflate",
            ) from None


def detect_format(first_line: str) -> str | None:
    stripped = first_line.lstrip()
    if stripped.startswith("{"):
        return "ketalog"
    csv.field_size_limit(MAX_FIELD_CHARS)  # the default (128 KiB) would fail a long first cell here
    try:
        header = tuple(cell.strip() for cell in next(csv.reader([stripped.split("\n", 1)[0]]), []))
    except csv.Error:
        return None
    if header[:2] == EMOODS_HEADER[:2]:
        return "emoods"
    if tuple(h.lower() for h in header) == BEARABLE_HEADER:
        return "bearable"
    if header[:5] == ("Date", "Day of week", "Hour", "Minute", "Level"):
        return "imoodjournal"
    if header[:2] == ("Date", "Mood") and "Tags (People)" in header:
        return "howwefeel"
    lowered = tuple(h.lower() for h in header)
    if lowered in DAYLIO_HEADERS or "full_date" in lowered:  # an edited Daylio header gets Daylio's own advice
        return "daylio"
    if header and _ISO_DAY.match(header[0]) and len(header) in _DAYLIO_BY_WIDTH:  # a Daylio file without header
        return "daylio"
    return None


def plan_import(path: Path, fmt: str | None, mood_map: str | None = None, saved: dict | None = None) -> ImportPlan:
    """Read and check the whole file. ``saved``: mood labels remembered by earlier imports, {source: {label: level}}.

    Every format's rows then pass ``exchange.check_plan``, the one validation a ketalog export passes.
    A shape no parser expected (a list where a number belongs, nesting 100,000 deep) is one error naming
    the file, never a traceback: the parsers name the row where they can, this is the net behind them."""
    try:
        with open_source(path) as text:
            plan = _plan(path, text, fmt, mood_map, saved or {})
    except UnicodeDecodeError:
        raise ImportFileError(path, "file", "not UTF-8 text") from None
    except RecursionError:
        raise ImportFileError(path, "file", "nested too deeply to be an export") from None
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError, UnicodeError) as error:
        raise ImportFileError(path, "file", f"not shaped like any export ketalog reads ({_kind(error)})") from None
    if plan.source != "ketalog":
        for row in plan.tables.get("checkins", []):
            row["source"] = plan.source  # another app's ratings sit on its scale: the engine labels them
        check_plan(plan)  # a ketalog export is checked as it is parsed
    return plan


def _kind(error: Exception) -> str:
    return {
        TypeError: "a value of the wrong type",
        AttributeError: "a value of the wrong type",
        KeyError: "a field missing",
        IndexError: "a list too short",
        OverflowError: "a date or number out of range",
    }.get(type(error), "a value out of range")


@contextmanager
def _item(path: Path, where: str, what: str) -> Iterator[None]:
    """One record of a file: a value of the wrong type or out of range names the record, not a traceback."""
    try:
        yield
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError) as error:
        raise ImportFileError(path, where, f"not {what} ({_kind(error)})") from None


def _plan(path: Path, text: TextIO, fmt: str | None, mood_map: str | None, saved: dict) -> ImportPlan:
    first = text.readline(MAX_FIELD_CHARS)
    while first and not first.strip():
        first = text.readline(MAX_FIELD_CHARS)
    if first.lstrip()[:1] in ("{", "[") or _BASE64_LINE.match(first.strip()):
        whole = first + text.read(MAX_JSON_CHARS + 1 - len(first))
        if len(whole) > MAX_JSON_CHARS:
            raise ImportFileError(
                path, "file", f"holds more than {MAX_JSON_CHARS // 2**20} MB of JSON, far more than any real export"
            )
        return _plan_json(path, whole, fmt)
    detected = detect_format(first)
    chosen = fmt or detected
    if chosen is None:
        raise ImportFileError(
            path,
            "line 1",
            "could not tell the format from its content; ketalog reads a ketalog export, a Daylio CSV or "
            "backup, an eMoods backup, Bearable, iMoodJournal and How We Feel CSVs and a Pixels backup "
            "(--format ketalog, daylio, emoods, bearable, imoodjournal, howwefeel or pixels)",
        )
    if fmt and detected and fmt != detected:
        raise ImportFileError(path, "line 1", f"looks like a {detected} file, not {fmt}")
    if chosen == "ketalog":
        return parse_ketalog(path, first + text.read())
    if not first:
        raise ImportFileError(path, "line 1", "the file is empty")
    rows = _csv_rows(path, itertools.chain([first], text))
    if chosen == "daylio":
        given = parse_mood_map(mood_map)
        plan = parse_daylio(path, rows, {**saved.get("daylio", {}), **given})
        plan.remember = {"daylio": given}
        return plan
    if chosen == "bearable":
        return parse_bearable(path, rows)
    if chosen == "imoodjournal":
        return parse_imoodjournal(path, rows)
    if chosen == "howwefeel":
        return parse_howwefeel(path, rows)
    return parse_emoods(path, rows)


_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/]{40,}={0,2}$")  # a Daylio backup's JSON, base64-encoded
JSON_FORMATS = {"ketalog": "ketalog", "daylio-backup": "daylio", "pixels": "pixels"}


def _plan_json(path: Path, text: str, fmt: str | None) -> ImportPlan:
    """A ketalog export, a Daylio backup (base64 or decoded) or a Pixels backup, told apart by content."""
    stripped = text.strip()
    if _BASE64_LINE.match(stripped.split("\n", 1)[0]):
        import base64
        import binascii

        try:
            stripped = base64.b64decode("".join(stripped.split()), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ImportFileError(path, "file", "not a Daylio backup, a ketalog export, or CSV") from None
    if stripped.count("{") + stripped.count("[") > MAX_JSON_OBJECTS:  # counted before parsing: each one
        raise ImportFileError(  # would become a Python dict or list
            path, "file", f"holds more than {MAX_JSON_OBJECTS:,} JSON objects, far more than any real export"
        )
    data = load_json(path, stripped)
    if isinstance(data, dict) and "dayEntries" in data:
        detected = "daylio-backup"
    elif isinstance(data, list):
        detected = "pixels"
    else:
        detected = "ketalog"
    if fmt and JSON_FORMATS[detected] != fmt:
        raise ImportFileError(path, "file", f"looks like a {detected} file, not {fmt}")
    if detected == "daylio-backup":
        return parse_daylio_backup(path, data)
    if detected == "pixels":
        return parse_pixels(path, data)
    return parse_ketalog(path, stripped)


def _html_to_text(html: str) -> str:
    """A Daylio note's HTML as plain text: line breaks and list items kept, tags dropped, entities decoded."""
    from html import unescape

    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", html)
    text = re.sub(r"(?i)<li[^>]*>", "\n- ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(line.rstrip() for line in unescape(text).strip().splitlines() if line.strip())


_HTML_MARKS = re.compile(
    r"(?i)<(br|p|div|li|ul|ol|b|i|u|em|strong|span)\b[^>]*>|</(p|div|li|ul|ol|b|i|u|em|strong|span)>|&(nbsp|amp|lt|gt|quot|#\d+);"
)


def _maybe_html(text: str) -> str:
    """A note from a Daylio CSV: since 2024 the app writes HTML there too (`<br>`, `&nbsp;`). Converted like
    the backup's notes when it holds a tag or entity Daylio writes; a plain note ("I <3 this") is left as it is."""
    if not _HTML_MARKS.search(text):
        return text
    return _html_to_text(text).replace("\xa0", " ")


def parse_daylio_backup(path: Path, data: dict) -> ImportPlan:
    """Daylio's own backup (its free tier has no CSV): moods by their group (1 rad .. 5 awful), so custom
    moods need no map; months are 0-based; notes are HTML; activities ("tags") become check-in tags."""

    with _item(path, "customMoods and tags", "lists of moods and tags as a Daylio backup holds them"):
        groups = {m.get("id"): m.get("mood_group_id") for m in data.get("customMoods") or [] if isinstance(m, dict)}
        names = {t.get("id"): t.get("name") for t in data.get("tags") or [] if isinstance(t, dict)}
    plan = _checkin_plan("daylio", path)
    positions = _MinutePositions("daylio")
    entries = data.get("dayEntries") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ImportFileError(path, "dayEntries", "must be a list of entries (objects)")
    for number, entry in enumerate(sorted(entries, key=lambda e: _number_or_zero(e.get("datetime"))), start=1):
        where = f"dayEntries item {number}"
        with _item(path, where, "an entry as a Daylio backup holds it"):
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
                _html_to_text(entry.get("note_title") or "").replace("\xa0", " "),
                _html_to_text(entry.get("note") or "").replace("\xa0", " "),
            )
            if part
        )
        or None
    )
    entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
    plan.tables["checkins"].append(_checkin_row(entry_id, moment, mood=scale_to_ten(6 - group, 5), note=note))
    for tag in dict.fromkeys(str(names[t]) for t in entry.get("tags") or [] if names.get(t)):
        plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})


def parse_pixels(path: Path, data: list) -> ImportPlan:
    """Pixels: one pixel a day. The old export has `mood` 1-5 and `emotions`; the current one `scores`
    (one or more 1-5 per day) and `tags` [{type, entries}]."""
    plan = _checkin_plan("pixels", path)
    positions = _MinutePositions("pixels")
    for number, pixel in enumerate(data, start=1):
        where = f"item {number}"
        if not isinstance(pixel, dict):
            raise ImportFileError(path, where, "must be an object with a date")
        with _item(path, where, "a day as a Pixels backup holds it"):
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
        _checkin_row(entry_id, moment, mood=scale_to_ten(statistics.fmean(scores), 5), note=note)
    )
    for tag in dict.fromkeys(str(t).strip() for t in tags if str(t).strip()):
        plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})


def _csv_rows(path: Path, lines) -> Iterator[list[str]]:
    """CSV rows one at a time, within the row and cell limits; a malformed line names its number."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(lines)
    try:
        for row in reader:
            if reader.line_num > MAX_ROWS:
                raise ImportFileError(
                    path,
                    f"line {reader.line_num}",
                    f"more than {MAX_ROWS:,} lines, far more than any real export; refusing to read on",
                )
            yield row
    except csv.Error as error:
        raise ImportFileError(path, f"line {reader.line_num}", f"not readable as CSV ({error})") from None


def _checkin_plan(source: str, path: Path) -> ImportPlan:
    return ImportPlan(source, path, {"checkins": [], "checkin_tags": []})


def _data_rows(path: Path, header: tuple[str, ...], rows, first_line: int = 2, warnings: list | None = None):
    """(line number, {column: value}) for each non-blank data row. A row missing only its last column
    (an empty note cut off by the app) is kept with a warning; any other wrong column count stops the import."""
    for line, cells in enumerate(rows, start=first_line):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) == len(header) - 1 and warnings is not None:
            warnings.append(f"line {line}: the last column ({header[-1]}) is missing; kept as empty")
            cells = [*cells, ""]
        if len(cells) != len(header):
            raise ImportFileError(path, f"line {line}", f"has {len(cells)} columns, the header has {len(header)}")
        yield line, dict(zip(header, cells, strict=True))


def _checkin_row(entry_id: str, moment: datetime, **values) -> dict:
    # An imported entry is dated by its own time, not the import's: a later edit in ketalog then shows
    # as updated_at > created_at, and no re-import of the app's file overwrites it.
    fields = storage_fields(moment)
    return {"id": entry_id, **fields, **values, "created_at": fields["at"], "updated_at": fields["at"]}


class _MinutePositions:
    """An entry's identity in another app is (app, local date and time, position among the entries of
    that same minute) -- never its content, which the app may rewrite (renamed activities)."""

    def __init__(self, source: str):
        self.source = source
        self.seen: dict[str, int] = {}

    def id_for(self, minute: str) -> str:
        position = self.seen.get(minute, 0)
        self.seen[minute] = position + 1
        return stable_id(self.source, minute, position)


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
        month, day = _localized_month_day(row["date"])
        return date(year, month, day)
    except (ValueError, KeyError):
        shown = row.get("full_date") or f"{row.get('year')} {row.get('date')}"
        raise ImportFileError(path, f"line {line}", f"date {shown!r} is not a valid date") from None


# The languages Daylio ships; their month names come from Babel's CLDR data, not hand-written tables.
DAYLIO_LOCALES = (
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
        for code in DAYLIO_LOCALES:
            months = Locale.parse(code).months
            for context in ("format", "stand-alone"):
                for number, name in months[context]["wide"].items():
                    wide.setdefault(name.lower().strip("."), number)
                for number, name in months[context]["abbreviated"].items():
                    short.setdefault(name.lower().strip("."), set()).add(number)
        _MONTHS.update({name: numbers.pop() for name, numbers in short.items() if len(numbers) == 1})
        _MONTHS.update(wide)
    return _MONTHS


def _localized_month_day(text: str) -> tuple[int, int]:
    """ "7 września", "16 de octubre", "22. Juni", "juin 3" -> (month, day)."""
    words = re.findall(r"[^\W\d_]+\.?|\d+", text.lower())
    days = [int(w) for w in words if w.isdigit()]
    months = [_month_names()[w.strip(".")] for w in words if not w.isdigit() and w.strip(".") in _month_names()]
    if len(days) != 1 or len(months) != 1:
        raise ValueError(text)
    return months[0], days[0]


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


def parse_daylio(path: Path, rows: Iterator[list[str]], mood_map: dict[str, int]) -> ImportPlan:
    first = next(rows)
    header, version, first_is_data = _daylio_layout(path, first)
    moods = {**DAYLIO_DEFAULT_MOODS, **DAYLIO_TRANSLATED_MOODS, **mood_map}
    unknown: dict[str, list[int]] = {}
    plan = _checkin_plan("daylio", path)
    positions = _MinutePositions("daylio")
    seen_rows: dict[tuple, int] = {}
    data = itertools.chain([first], rows) if first_is_data else rows
    for line, row in _data_rows(path, header, data, 1 if first_is_data else 2, plan.warnings):
        label = row["mood"].strip().lower()
        if label not in moods:
            unknown.setdefault(row["mood"].strip(), []).append(line)
            continue
        day = _daylio_date(row, version, path, line)
        clock = _daylio_time(row["time"], path, line)
        moment = to_local(datetime.combine(day, clock))
        title, body = _maybe_html(row.get("note_title", "")).strip(), _maybe_html(row.get("note", "")).strip()
        note = "\n".join(part for part in (title, body) if part) or None
        minute = f"{day.isoformat()} {clock:%H:%M}"
        content = (minute, label, row["activities"].strip(), note)
        if content in seen_rows:  # the same entry twice in one export: an app glitch, imported once
            plan.skipped.append(f"line {line}: an exact copy of line {seen_rows[content]}; imported once")
            continue
        seen_rows[content] = line
        entry_id = positions.id_for(minute)
        plan.tables["checkins"].append(_checkin_row(entry_id, moment, mood=daylio_to_ten(moods[label]), note=note))
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


# Bearable -------------------------------------------------------------------------------------

BEARABLE_HEADER = ("date", "weekday", "time of day", "category", "rating/amount", "detail", "notes")
# Bearable's time-of-day blocks, as a clock time for the check-in (product rule; exact times are kept)
BEARABLE_BLOCKS = {"am": time(9), "mid": time(13), "pm": time(18), "pre": time(22), "all day": time(12), "": time(12)}
_TAG_CATEGORIES = ("factors", "sleep factors", "food diary factors", "symptom")


def _number_in(text: str, low: float, high: float, path: Path, line: int, what: str) -> float:
    """A number from a cell, within [low, high], or an import error naming the line and what is allowed."""
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not low <= value <= high:
        raise ImportFileError(path, f"line {line}", f"{what} must be {low:g}-{high:g} (got {text!r})")
    return value


def parse_bearable(path: Path, rows: Iterator[list[str]]) -> ImportPlan:
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
    for line, row in _data_rows(path, header, rows):
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
        block = blocks.setdefault(to_local(datetime.combine(day, clock)), {"values": {}, "tags": [], "notes": []})
        category, amount, detail = row["category"].lower(), row["rating/amount"], row["detail"]
        if not amount and category in ("mood", "energy", "sleep quality", "sleep"):
            pass  # an empty amount is not logged (e.g. a sync placeholder): nothing to read
        elif category == "mood":
            block["values"]["mood"] = scale_to_ten(_number_in(amount, 1, 10, path, line, "Mood"), 10)
            block["tags"] += [part.strip() for part in detail.split("|")]
        elif category == "energy":
            block["values"]["energy"] = scale_to_ten(_number_in(amount, 1, 5, path, line, "Energy"), 5)
        elif category == "sleep quality":
            block["values"]["sleep"] = scale_to_ten(_number_in(amount, 1, 4, path, line, "Sleep quality"), 4)
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
                moment = to_local(datetime.combine(day, clock))
                medicines_seen.setdefault(medicine_key(name), (name, moment))
                doses.append((moment, medicine_key(name), f"{amount} {unit}".strip() or None))
        elif category == "gratitudes":
            block["notes"].append(f"Grateful for: {detail}")
        else:
            skipped[row["category"]] = skipped.get(row["category"], 0) + 1
            continue
        if row["notes"]:
            block["notes"].append(row["notes"])
    plan = _checkin_plan("bearable", path)
    positions = _MinutePositions("bearable")
    for moment in sorted(blocks):
        block = blocks[moment]
        if not (block["values"] or any(block["tags"]) or block["notes"]):
            continue  # only rows ketalog does not import fell in this block
        entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
        note = "\n".join(dict.fromkeys(block["notes"])) or None
        plan.tables["checkins"].append(_checkin_row(entry_id, moment, note=note, **block["values"]))
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
    positions = _MinutePositions("bearable-medicine")
    plan.tables["medication_events"] = [
        _checkin_row(
            positions.id_for(f"{moment:%Y-%m-%d %H:%M} {key}"), moment, medication=key, event="took", dose=dose
        )
        for moment, key, dose in sorted(doses, key=lambda d: d[0])
    ]


# iMoodJournal and How We Feel ---------------------------------------------------------------------


def _header_and_rows(path: Path, rows: Iterator[list[str]]):
    """The header without the empty trailing cells some apps write, and rows cut to its width."""
    header = [cell.strip() for cell in next(rows)]
    while header and not header[-1]:
        header.pop()
    return tuple(header), ([*cells[: len(header)], *[""] * (len(header) - len(cells))] for cells in rows)


def parse_imoodjournal(path: Path, rows: Iterator[list[str]]) -> ImportPlan:
    """iMoodJournal: a 1-10 level per entry, its comment, and one 0/1 column per hashtag."""
    header, cells = _header_and_rows(path, rows)
    hashtags = header[7:]
    plan = _checkin_plan("imoodjournal", path)
    positions = _MinutePositions("imoodjournal")
    for line, row in _data_rows(path, header, cells):
        try:
            day = datetime.strptime(row["Date"].strip(), "%B %d, %Y").date()
            clock = time(int(row["Hour"]), int(row["Minute"]))
            level = int(row["Level"])
            if not 1 <= level <= 10:
                raise ValueError(level)
        except ValueError:
            raise ImportFileError(
                path, f"line {line}", "needs a date like September 5, 2015, Hour 0-23, Minute 0-59 and Level 1-10"
            ) from None
        moment = to_local(datetime.combine(day, clock))
        entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
        note = row["Comment"].strip() or None
        plan.tables["checkins"].append(_checkin_row(entry_id, moment, mood=scale_to_ten(level, 10), note=note))
        for tag in hashtags:
            if row[tag].strip() == "1":
                plan.tables["checkin_tags"].append({"checkin_id": entry_id, "tag": tag})
    plan.mapping = [
        "Date, Hour, Minute → check-in time, in your local time zone",
        "Level 1-10 → mood 0-10 (LevelText is its label); Comment → note",
        "each hashtag column marked 1 → a tag (iMoodJournal's own #medication tags included)",
    ]
    return plan


def parse_howwefeel(path: Path, rows: Iterator[list[str]]) -> ImportPlan:
    """How We Feel: an emotion word (no number) per check-in, tags, sleep minutes and notes."""
    header, cells = _header_and_rows(path, rows)
    plan = _checkin_plan("howwefeel", path)
    positions = _MinutePositions("howwefeel")
    for line, row in _data_rows(path, header, cells):
        try:
            moment = to_local(datetime.strptime(row["Date"].strip(), "%Y %a %b %d %I:%M %p"))
        except ValueError:
            raise ImportFileError(
                path, f"line {line}", f"date {row['Date']!r} is not like 2025 Sat Oct 4 8:09 PM"
            ) from None
        values: dict = {}
        sleep = row.get("Sleep", "").strip()
        if sleep:
            minutes = _number_in(sleep, 0, 24 * 60, path, line, "Sleep (minutes)")
            if minutes:
                values["sleep_hours"] = round(minutes / 60, 2)
        texts = [row.get(column, "").strip() for column in ("Notes", "Takeaways")]
        note = "\n".join(text for text in texts if text and text != "[]") or None
        entry_id = positions.id_for(f"{moment:%Y-%m-%d %H:%M}")
        plan.tables["checkins"].append(_checkin_row(entry_id, moment, note=note, **values))
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


# eMoods ---------------------------------------------------------------------------------------


def parse_emoods(path: Path, rows: Iterator[list[str]]) -> ImportPlan:
    header = tuple(cell.strip() for cell in next(rows))
    if header != EMOODS_HEADER:
        raise ImportFileError(
            path, "line 1", f"columns are not an eMoods entry.csv's (expected {','.join(EMOODS_HEADER)})"
        )
    plan = _checkin_plan("emoods", path)
    positions = _MinutePositions("emoods")
    for line, row in _data_rows(path, header, rows):
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
        plan.tables["checkins"].append(_checkin_row(entry_id, moment, note="\n".join(notes) or None, **values))
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
