"""Rich rendering for people at a terminal: tables of entries. Imported only by commands that print tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ketalog.models import Entry
from ketalog.render.text import short_id, summary, visible, when


def console() -> Console:
    # Rich honours NO_COLOR and plain pipes by itself.
    return Console()


def entries_table(entries: list[Entry]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("id", style="dim", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("details", overflow="fold")
    for entry in entries:
        table.add_row(short_id(entry.id), when(entry), entry.kind, Text(summary(entry)))
    return table


def print_table(table: Table, out: Console | None = None) -> None:
    """At a terminal, the aligned table; in a pipe, a tab-separated line per row, never wrapped or padded,
    so `ketalog list | grep nausea` keeps whole ids and `cut -f` finds the columns."""
    out = out or console()
    if out.is_terminal:
        out.print(table)
        return
    lines = ["\t".join(_plain(column.header) for column in table.columns)]
    cells = zip(*(column.cells for column in table.columns), strict=True)
    lines += ["\t".join(_plain(value) for value in row) for row in cells]
    out.file.write("\n".join(lines) + "\n")


def _plain(value) -> str:
    text = value.plain if isinstance(value, Text) else str(value)
    return " ".join(text.split())


def cell(text: str) -> Text:
    """Stored text as a Rich cell: never read as markup ("[/]" would crash, "[link=...]" hide a link)."""
    return Text(visible(text))
