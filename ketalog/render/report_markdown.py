"""The report as Markdown, for pasting into notes or a patient portal message."""

from __future__ import annotations

from ketalog import crisis
from ketalog.reading.model import Report
from ketalog.render import report_rows as rr
from ketalog.render.text import visible

# Backslash-escaped so user text cannot become HTML (<script>, <img onerror>), a link or image
# (remote images would call out when the file is viewed), emphasis, or break a table cell.
_MARKDOWN_SPECIAL = {ord(c): "\\" + c for c in "\\`*_[]<>|~&!#"}


def _escape(text: str) -> str:
    """User or report text as inline Markdown: one line (a newline could start a heading), no markup."""
    return " ".join(visible(text).split()).translate(_MARKDOWN_SPECIAL)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _section(section: rr.Section, block: rr.Block | None, empty: str) -> list[str]:
    out = [f"## {section.title}", ""]
    if block is None:
        return [*out, empty, ""]
    if section.kind in ("lines", "safety"):
        out += [f"- {_escape(line)}" for line in block.lines] if section.kind == "lines" else [_escape(block.lines[0])]
    elif section.kind == "findings":
        out += [f"- **{_escape(f.title)}** — {_escape(f.detail)}" for f in block.findings]
    elif section.kind == "table":
        out += _table(list(block.headers), [list(row) for row in block.rows])[:-1]
        if block.note:
            out += ["", "  \n".join(_escape(line) for line in block.note.splitlines())]
    elif section.kind == "items":
        out += [f"- *{at}* — {_escape(text)}" for at, text in block.items]
    return [*out, ""]


def render(report: Report, who: str | None = None) -> str:
    out = [f"# {rr.TITLE}", ""]
    if who:
        out += [_escape(rr.for_text(who) or ""), ""]
    out += [rr.period_text(report), ""]
    if report.safety.notice:
        ago = rr.positive_days_ago(report)
        out += ["> **Safety first**", ">", f"> **{_escape(rr.safety_dated_line(report) or '')}**", ">"]
        if rr.item9_line(report):
            out += [f"> {_escape(rr.item9_line(report) or '')}", ">"]
        out += [f"> {crisis.headline(ago)}", ">"]
        out += [f"> - {region}: {text}" for region, text in crisis.RESOURCES]
        out += [
            ">",
            f"> **{crisis.IMMEDIATE_DANGER}**",
            ">",
            f"> *Crisis numbers last reviewed {crisis.REVIEWED}.*",
            "",
        ]
    for section, block, empty in rr.sections(report):
        out += _section(section, block, empty)
    out += [f"*{rr.DISCLAIMER}*", ""]
    return "\n".join(out)
