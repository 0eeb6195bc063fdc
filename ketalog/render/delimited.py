"""Rows as CSV or TSV (like sqlite-utils' ``--csv``/``--tsv``): one header row, cells a spreadsheet will not run."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # CSV is for reading, never re-imported; JSON export stays lossless
    return value


def write_rows(handle: IO, columns: Sequence[str], rows: Iterable[Sequence], tsv: bool = False) -> None:
    writer = csv.writer(handle, delimiter="\t" if tsv else ",", lineterminator="\n" if tsv else "\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
