"""Reading an import's file safely: capped streams, zip members, CSV rows and JSON, each problem one error.

Every reader refuses what no real export is (hundreds of MB, a zip bomb, a million-character cell,
JSON nested 100,000 deep) with a message naming the file, never a traceback or a memory blow-up.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from ketalog.formats.plan import ImportFileError

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate ("\\ud800" in JSON) cannot be stored as UTF-8

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
        if not members and "checkins.csv" in {info.filename.rsplit("/", 1)[-1] for info in archive.infolist()}:
            raise ImportFileError(
                path,
                "zip",
                "is ketalog's CSV export, which is for spreadsheets and does not import back; "
                "use `ketalog export --format json` for a file that imports back",
            )
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


def error_kind(error: Exception) -> str:
    return {
        TypeError: "a value of the wrong type",
        AttributeError: "a value of the wrong type",
        KeyError: "a field missing",
        IndexError: "a list too short",
        OverflowError: "a date or number out of range",
    }.get(type(error), "a value out of range")


@contextmanager
def one_record(path: Path, where: str, what: str) -> Iterator[None]:
    """One record of a file: a value of the wrong type or out of range names the record, not a traceback."""
    try:
        yield
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError) as error:
        raise ImportFileError(path, where, f"not {what} ({error_kind(error)})") from None


def _one_break_per_line(lines: Iterable[str]) -> Iterator[str]:
    """Lines as the CSV reader should see them: "\\r\\r\\n" (a file passed through a tool that added a
    carriage return to each line) is one line break, not two, so the messages' line numbers stay true."""
    held = None
    for line in lines:
        if held is not None:
            if line == "\r\n":
                yield held[:-1] + "\r\n"
                held = None
                continue
            yield held
            held = None
        if line.endswith("\r"):
            held = line
        else:
            yield line
    if held is not None:
        yield held


def csv_rows(path: Path, lines: Iterable[str]) -> Iterator[list[str]]:
    """CSV rows one at a time, within the row and cell limits; a malformed line names its number."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(_one_break_per_line(lines))
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


def data_rows(path: Path, header: tuple[str, ...], rows, first_line: int = 2, warnings: list | None = None):
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


def header_and_rows(path: Path, rows: Iterator[list[str]]):
    """The header without the empty trailing cells some apps write, and rows cut to its width."""
    header = [cell.strip() for cell in next(rows)]
    while header and not header[-1]:
        header.pop()
    return tuple(header), ([*cells[: len(header)], *[""] * (len(header) - len(cells))] for cells in rows)


def capped_json(path: Path, text: str):
    """``load_json`` within the caps: text and objects counted before parsing (each object would become a
    Python dict or list, far larger than its text)."""
    if len(text) > MAX_JSON_CHARS:
        raise ImportFileError(
            path, "file", f"holds more than {MAX_JSON_CHARS // 2**20} MB of JSON, far more than any real export"
        )
    if text.count("{") + text.count("[") > MAX_JSON_OBJECTS:
        raise ImportFileError(
            path, "file", f"holds more than {MAX_JSON_OBJECTS:,} JSON objects, far more than any real export"
        )
    return load_json(path, text)


def load_json(path: Path, text: str):
    """A file's JSON, or one error naming the file: bad syntax, a number of thousands of digits, or nesting
    deeper than any export (each a traceback from ``json`` otherwise)."""
    try:
        data = json.loads(text)
        # A lone surrogate ("\ud800") decodes but can never be stored as UTF-8. Only a \u escape of one
        # can make it, so files without such an escape (every export ketalog writes) skip the walk.
        if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(data):
            raise ImportFileError(path, "file", "holds a lone surrogate escape (\\ud800-\\udfff), which is not text")
        return data
    except json.JSONDecodeError as error:
        raise ImportFileError(path, f"line {error.lineno}", f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise ImportFileError(path, "file", "nested too deeply to be an export") from None
    except ValueError:
        raise ImportFileError(path, "file", "holds a number of thousands of digits, which no export does") from None


def _holds_lone_surrogate(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
