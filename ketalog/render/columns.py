"""A plain-text table that never breaks a value: dates, doses, blood pressure and numbers stay whole.

Only the columns named free text wrap (at spaces, long words folded); on a page too narrow for one of
them at a readable width, it leaves the table and goes to a line of its own under its row. No trailing
spaces, so a piped or saved report diffs cleanly.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.cells import cell_len

GAP = 2  # spaces between columns
MIN_FREE = 12  # a free-text column narrower than this reads worse than a line of its own
MIN_BELOW = 20  # the column that may move under its row stays in the table only this wide or wider
INDENT = "  ↳ "


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    wraps: frozenset[str] = frozenset(),
    below: str | None = None,
) -> list[str]:
    """The table as lines no wider than ``width`` where it can be (whole values come first). ``wraps``:
    the headers of free-text columns; ``below``: the one that moves under its row when the page is narrow."""
    columns = list(range(len(headers)))
    natural = {
        i: max([cell_len(rows_cell) for rows_cell in (row[i] for row in rows)] + [cell_len(headers[i])])
        for i in columns
    }
    # A fixed column's header may wrap at its spaces ("Side effects"), never its values
    least = {
        i: (
            max([cell_len(w) for w in headers[i].split()] + [cell_len(r[i]) for r in rows])
            if headers[i] not in wraps
            else max(min(natural[i], MIN_FREE), max((cell_len(w) for w in headers[i].split()), default=1))
        )
        for i in columns
    }
    kept = [i for i in columns if headers[i] != below]
    if sum(least[i] for i in kept) + GAP * (len(kept) - 1) > width:
        return stacked(headers, rows, width)
    free = [i for i in columns if headers[i] in wraps]
    moved = None
    widths = _widths(columns, least, natural, free, width)
    if below is not None and below in headers:
        index = headers.index(below)
        if widths is None or widths[index] < min(MIN_BELOW, natural[index]):  # too narrow to read: under its row
            moved = index
            columns.remove(index)
            widths = _widths(columns, least, natural, [i for i in free if i != index], width)
    assert widths is not None  # the kept columns fit: checked above
    lines = _row_lines([headers[i] for i in columns], [widths[i] for i in columns])
    for row in rows:
        lines += _row_lines([row[i] for i in columns], [widths[i] for i in columns])
        if moved is not None and row[moved] and row[moved] != "—":
            lines += [INDENT + line for line in _wrap(row[moved], max(20, width - len(INDENT)))]
    return lines


def _widths(columns: list[int], least: dict, natural: dict, free: list[int], width: int) -> dict[int, int] | None:
    """Each column's width: at least its least, free-text columns widened first (the narrowest first, each
    to an equal share of what is left), then fixed headers to one line; None when the least do not fit."""
    widths = {i: least[i] for i in columns}
    spare = width - sum(widths.values()) - GAP * (len(columns) - 1)
    if spare < 0:
        return None
    ordered = sorted(free, key=lambda i: natural[i])
    for position, i in enumerate(ordered):
        share = spare // (len(ordered) - position)
        grant = min(natural[i] - widths[i], max(0, share))
        widths[i] += grant
        spare -= grant
    for i in columns:  # what is left lets a fixed column's header stand on one line
        grant = min(natural[i] - widths[i], max(0, spare))
        widths[i] += grant
        spare -= grant
    return widths


def _row_lines(cells: list[str], widths: list[int]) -> list[str]:
    wrapped = [
        _wrap(cell, width) if cell_len(cell) > width else [cell] for cell, width in zip(cells, widths, strict=True)
    ]
    height = max(len(lines) for lines in wrapped)
    out = []
    for n in range(height):
        parts = [_pad(lines[n] if n < len(lines) else "", width) for lines, width in zip(wrapped, widths, strict=True)]
        out.append((" " * GAP).join(parts).rstrip())
    return out


def stacked(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """A page too narrow for the whole values side by side: each row as its first value, then "Header
    value" pairs, wrapped between pairs and never inside one (free text longer than a line wraps at spaces)."""
    indent = " " * len(INDENT)
    lines = []
    for row in rows:
        pieces = [f"{header} {value}" for header, value in zip(headers[1:], row[1:], strict=True) if value != "—"]
        line = row[0]
        for piece in pieces:
            if cell_len(line) + GAP + cell_len(piece) <= width:
                line = f"{line}{' ' * GAP}{piece}"
                continue
            lines.append(line)
            if cell_len(indent + piece) <= width:
                line = indent + piece
            else:
                *whole, line = [indent + part for part in _wrap(piece, width - len(indent))]
                lines += whole
        lines.append(line)
    return ["", *lines]  # no header row: each value carries its own
