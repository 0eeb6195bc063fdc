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


def cell(text: str) -> Text:
    """Stored text as a Rich cell: never read as markup ("[/]" would crash, "[link=...]" hide a link)."""
    return Text(visible(text))
