"""The report for a person at a terminal (or a plain-text file), drawn with Rich."""

from __future__ import annotations

from typing import IO

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ketalog.reading.model import Report
from ketalog.render import report_rows as rr
from ketalog.render.terminal import cell
from ketalog.render.text import visible


def _table(headers: list[str], rows: list[list[str]]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 1))
    for header in headers:
        table.add_column(Text(visible(header)), overflow="fold")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    return table


def _findings(findings) -> Group:
    return Group(*(Text.assemble(("• " + visible(f.title), "bold"), "\n  ", visible(f.detail)) for f in findings))


def _safety(report: Report) -> list:
    """The crisis panel, dated, when an item-9 answer above 0 lies in the period; else the item-9 line alone."""
    if report.safety.notice:
        return [Panel("\n".join(rr.safety_lines(report)), title="Safety first", border_style="red bold")]
    line = rr.item9_line(report)
    return [Text("Safety", style="bold"), Text(line), Text("")] if line else []


def report_renderables(report: Report, who: str | None = None) -> list:
    parts: list = [Text(rr.TITLE, style="bold underline")]
    if who:
        parts.append(Text(visible(rr.for_text(who) or "")))
    parts += [Text(rr.period_text(report)), Text("")]
    parts += _safety(report)
    parts += [Text("Course", style="bold"), cell("\n".join(rr.course_lines(report))), Text("")]
    parts.append(Text("To discuss with your provider", style="bold yellow"))
    parts.append(_findings(report.flags) if report.flags else Text(rr.flags_empty_text(report)))  # before good news
    parts.append(Text(""))
    if report.instruments:
        parts += [
            Text("Questionnaires", style="bold"),
            _table(rr.INSTRUMENT_HEADERS, rr.instrument_rows(report)),
            Text(visible("\n".join(rr.instrument_dates(report))), style="dim"),
            Text(""),
        ]
    parts += [
        Text("Daily ratings", style="bold"),
        _table(rr.RATING_HEADERS, rr.rating_rows(report)),
        Text(rr.rating_note(report), style="dim"),
        Text(""),
    ]
    parts.append(Text("Signs of progress", style="bold green"))
    parts.append(_findings(report.signs) if report.signs else Text("None of the signs shows clearly yet."))
    parts.append(Text(""))
    if rr.medication_lines(report):
        parts += [Text("Medications", style="bold"), cell("\n".join(rr.medication_lines(report))), Text("")]
    if report.sessions:
        parts += [
            Text("Sessions", style="bold"),
            _table(rr.SESSION_HEADERS, rr.session_rows(report)),
            Text(rr.sessions_note(report), style="dim"),
        ]
    if report.journal:
        parts.append(Text("From your journal", style="bold"))
        parts += [Text.assemble((j["at"][:10] + "  ", "dim"), visible(j["text"])) for j in report.journal]
        parts.append(Text(""))
    parts.append(Text(rr.DISCLAIMER, style="dim italic"))
    return parts


def print_report(report: Report, file: IO[str] | None = None, who: str | None = None) -> None:
    console = Console(file=file, width=110 if file else None, color_system=None if file else "auto", highlight=False)
    for part in report_renderables(report, who):
        console.print(part)


def print_progress(report: Report) -> None:
    """The compact view: signs and flags only."""
    console = Console(highlight=False)
    for part in _safety(report):
        console.print(part)
    console.print(Text("Signs of progress", style="bold green"))
    console.print(_findings(report.signs) if report.signs else Text("None of the signs shows clearly yet."))
    console.print(Text("To discuss with your provider", style="bold yellow"))
    console.print(_findings(report.flags) if report.flags else Text(rr.flags_empty_text(report)))
