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


def render(report: Report, who: str | None = None) -> str:
    out = [f"# {rr.TITLE}", ""]
    if who:
        out += [_escape(rr.for_text(who) or ""), ""]
    out += [rr.period_text(report), ""]
    if report.safety.notice:
        out += [
            "> **Safety first**",
            ">",
            f"> **{_escape(rr.safety_dated_line(report) or '')}**",
            ">",
            f"> {crisis.HEADLINE}",
            ">",
        ]
        out += [f"> - {region}: {text}" for region, text in crisis.RESOURCES]
        out += [
            ">",
            f"> **{crisis.IMMEDIATE_DANGER}**",
            ">",
            f"> *Crisis numbers last reviewed {crisis.REVIEWED}.*",
            ">",
            f"> {_escape(rr.item9_line(report) or '')}",
            "",
        ]
    elif rr.item9_line(report):
        out += ["## Safety", "", _escape(rr.item9_line(report) or ""), ""]
    out += ["## Course", ""] + [f"- {_escape(line)}" for line in rr.course_lines(report)] + [""]
    out += ["## To discuss with your provider", ""]
    out += [f"- **{_escape(f.title)}** — {_escape(f.detail)}" for f in report.flags] or [rr.flags_empty_text(report)]
    out.append("")
    if report.instruments:
        out += ["## Questionnaires", ""] + _table(rr.INSTRUMENT_HEADERS, rr.instrument_rows(report))
        out += [_escape(" ".join(rr.instrument_dates(report))), ""]
    out += ["## Daily ratings", ""] + _table(rr.RATING_HEADERS, rr.rating_rows(report)) + [rr.rating_note(report), ""]
    out += ["## Signs of progress", ""]
    out += [f"- **{_escape(s.title)}** — {_escape(s.detail)}" for s in report.signs] or [
        "None of the signs shows clearly yet."
    ]
    out.append("")
    if rr.medication_lines(report):
        out += ["## Medications", ""] + [f"- {_escape(line)}" for line in rr.medication_lines(report)] + [""]
    if report.sessions:
        out += ["## Sessions", ""] + _table(rr.SESSION_HEADERS, rr.session_rows(report))
        if rr.sessions_note(report):
            out += [rr.sessions_note(report), ""]
    if report.journal:
        out += (
            ["## From your journal", ""] + [f"- *{j['at'][:10]}* — {_escape(j['text'])}" for j in report.journal] + [""]
        )
    out += [f"*{rr.DISCLAIMER}*", ""]
    return "\n".join(out)
