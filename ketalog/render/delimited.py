"""Rows as CSV or TSV (like sqlite-utils' ``--csv``/``--tsv``): one header row, cells a spreadsheet will not run.

Every cell and header passes ``text.visible`` (no terminal escape or bidi override survives, and a
bare CR, which a spreadsheet reads as a new row, becomes a visible symbol), then formula defusing.
CSV ends lines with CRLF (RFC 4180) and quotes any cell holding a line break.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

from ketalog.render.text import visible

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        value = visible(value)  # CSV is for reading, never re-imported; JSON export stays lossless
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def writer(handle: IO, tsv: bool = False):
    """The one CSV/TSV dialect: CRLF for CSV, LF for TSV lines in a pipe; a cell with a line break is quoted."""
    return csv.writer(handle, delimiter="\t" if tsv else ",", lineterminator="\n" if tsv else "\r\n")


def write_rows(handle: IO, columns: Sequence[str], rows: Iterable[Sequence], tsv: bool = False) -> None:
    out = writer(handle, tsv)
    out.writerow([csv_cell(name) for name in columns])
    for row in rows:
        out.writerow([csv_cell(value) for value in row])
