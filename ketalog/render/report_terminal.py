"""The report for a person at a terminal (or a plain-text file), drawn with Rich."""

from __future__ import annotations

import textwrap
from typing import IO

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from ketalog.reading.model import Report
from ketalog.render import columns
from ketalog.render import report_rows as rr
from ketalog.render.terminal import cell
from ketalog.render.text import visible

PAGE = 100  # the widest a page is drawn: prose past ~100 columns is hard to read; off a terminal, always this


def _findings(findings, width: int) -> Group:
    parts = []
    for finding in findings:
        detail = textwrap.fill(visible(finding.detail), width, initial_indent="  ", subsequent_indent="  ")
        parts.append(Text.assemble(("• " + visible(finding.title), "bold"), "\n", detail))
    return Group(*parts)


def _prose(lines, width: int, style: str = "") -> Text:
    """Lines of ketalog's own prose (and the text in them), wrapped at spaces to the page, no trailing spaces."""
    wrapped = [textwrap.fill(visible(line), width) or "" for line in lines]
    return Text("\n".join(wrapped), style=style)


def _crisis_panel(report: Report) -> list:
    """The crisis panel, dated, when an item-9 answer above 0 lies in the period (the Safety section then
    stays out: the panel carries its line)."""
    if report.safety.notice:
        return [Panel("\n".join(rr.safety_lines(report)), title="Safety first", border_style="red bold")]
    return []


_TONES = {"plain": "bold", "discuss": "bold yellow", "good": "bold green"}


def _section(section: rr.Section, block: rr.Block | None, empty: str, width: int) -> list:
    parts: list = [Text(section.title, style=_TONES[section.tone])]
    if block is None:
        return [*parts, Text(empty), Text("")]
    if section.kind == "findings":
        parts.append(_findings(block.findings, width))
    elif section.kind in ("lines", "safety"):
        parts.append(_prose(block.lines, width))
    elif section.kind == "table":
        below = "Intention · reflection" if "Intention · reflection" in block.headers else None
        lines = columns.table(block.headers, block.rows, width, block.wraps, below)
        if lines[0]:
            parts.append(Text(visible(lines[0]), style="bold"))
        parts.append(cell("\n".join(lines[1:])))
        if block.note:
            parts.append(_prose(block.note.splitlines(), width, style="dim"))
    elif section.kind == "items":
        for at, text in block.items:
            lines = textwrap.wrap(visible(text), width - len(at) - 2) or [""]
            parts.append(Text.assemble((at + "  ", "dim"), ("\n" + " " * (len(at) + 2)).join(lines)))
    return [*parts, Text("")]


def report_renderables(report: Report, who: str | None = None, width: int = PAGE) -> list:
    parts: list = [Text(rr.TITLE, style="bold underline")]
    if who:
        parts.append(Text(visible(rr.for_text(who) or "")))
    parts += [_prose([rr.period_text(report)], width), Text("")]
    parts += _crisis_panel(report)
    for section, block, empty in rr.sections(report):
        parts += _section(section, block, empty, width)
    parts.append(_prose([rr.DISCLAIMER], width, style="dim italic"))
    return parts


def page_console(file: IO[str] | None = None) -> Console:
    """A console at most PAGE wide; off a terminal (piped or saved) exactly PAGE, so a report saved today
    and one saved next month line up."""
    console = Console(file=file, highlight=False, color_system=None if file else "auto")
    if file is not None or not console.is_terminal:
        console.width = PAGE
    else:
        console.width = min(console.width, PAGE)
    return console


def print_report(report: Report, file: IO[str] | None = None, who: str | None = None) -> None:
    console = page_console(file)
    for part in report_renderables(report, who, console.width):
        console.print(part)


def print_progress(report: Report) -> None:
    """The compact view: what to discuss, then the signs, in the report's own order."""
    console = page_console()
    for part in _crisis_panel(report):
        console.print(part)
    for section, block, empty in rr.sections(report, only=("safety", "discuss", "signs")):
        for part in _section(section, block, empty, console.width):
            console.print(part)
    for line in rr.item_lines(report):
        console.print(Text(line))
