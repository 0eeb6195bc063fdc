"""`ketalog progress`, `trends`, `report` and `demo`: the analysis commands.

Each loads only what its period needs (``store.report_inputs``), hands it to the
pure progress engine, and gives the one report model to a renderer.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ketalog.commands.common import CsvOpt, JsonOpt, SinceOpt, TsvOpt, UntilOpt, emit, emit_rows, period, say, state
from ketalog.errors import InputError


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"
    pdf = "pdf"


EXTENSIONS = {
    ".txt": Format.text,
    ".md": Format.markdown,
    ".html": Format.html,
    ".htm": Format.html,
    ".json": Format.json,
    ".pdf": Format.pdf,
}


class Paper(str, Enum):
    letter = "letter"
    a4 = "a4"


def _format_for(output_format: "Format | None", output: Path | None) -> "Format":
    """--format, else the -o file's extension, else text; an extension that contradicts --format is refused."""
    implied = EXTENSIONS.get(output.suffix.lower()) if output is not None else None
    if output is not None and output_format is None and str(output) != "-" and output.suffix and implied is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise InputError("--output", f"{output.name}: ketalog writes {known} (or give --format)")
    if output is not None and output_format is not None and implied is not None and implied != output_format:
        raise InputError("--output", f"{output.name} says {implied.value} but --format is {output_format.value}")
    chosen = output_format or implied or Format.text
    if chosen == Format.pdf and output is None:
        raise InputError("--output", "a PDF goes to a file: -o report.pdf")
    return chosen


class TrendBy(str, Enum):
    week = "week"
    month = "month"
    session = "session"


def build(
    db_state, since: str | None, until: str | None, private: bool = False, insights: bool = False, page: bool = True
):
    """The report of the period; a ``page`` (not JSON) loads whole records of only the sessions it prints."""
    from ketalog import reports, timeparse

    listed = None
    if page:
        from ketalog.render.report_rows import SESSIONS_SHOWN

        listed = SESSIONS_SHOWN
    start, end = period(db_state, since, until)
    with db_state.open(write=False) as db:
        return reports.build(db, timeparse.now(), start, end, private=private, insights=insights, listed=listed)


def _remember_flags(ctx: typer.Context, report) -> None:
    """`status` then says which flags are new since the last report or status a person read."""
    from ketalog import seen, timeparse

    seen.remember(state(ctx), report.flags, timeparse.now().date())


def progress_command(
    ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None, as_json: JsonOpt = False
) -> None:
    """Signs of progress and things to discuss, compactly.

    Examples:
      ketalog progress
      ketalog progress --since 2026-01-01
      ketalog progress --json
    """
    report = build(state(ctx), since, until, page=not as_json)
    if as_json:
        emit(report.to_json(), True, "")
        return
    _remember_flags(ctx, report)
    from ketalog.render.report_terminal import print_progress

    print_progress(report)


ReportFormatOpt = Annotated[
    Optional[Format],
    typer.Option("--format", "-f", help="text, markdown, html, json or pdf. Default: from -o's extension, else text."),
]


def report_command(
    ctx: typer.Context,
    since: SinceOpt = None,
    until: UntilOpt = None,
    output_format: ReportFormatOpt = None,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (mode 0600) instead of the screen."),
    ] = None,
    private: Annotated[bool, typer.Option("--private", help="Leave journal excerpts out.")] = False,
    paper: Annotated[
        Optional[Paper],
        typer.Option("--paper", help="letter or a4 for HTML/PDF. Default: `config set paper`, else from your locale."),
    ] = None,
) -> None:
    """The one-page appointment report (text, Markdown, HTML, JSON).

    Examples:
      ketalog report --since 2026-03-01
      ketalog report -o visit.html          (print it to PDF from any browser)
      ketalog report -o visit.pdf --paper a4   (needs pip install 'ketalog[pdf]')
    """
    from ketalog import settings

    chosen = _format_for(output_format, output)
    report = build(state(ctx), since, until, private=private, insights=True, page=chosen != Format.json)
    _remember_flags(ctx, report)
    values = settings.current()
    who = " · ".join(str(values[key]) for key in ("name", "clinic") if values.get(key)) or None
    if report.demo:
        from ketalog.render.report_rows import DEMO

        who = DEMO
    page = paper.value if paper else _paper(values)
    from ketalog.db import companion_files

    deliver(report, chosen, output, who, page, companion_files(state(ctx).path))


def _paper(values: dict) -> str:
    """The page size when --paper is not given: `config set paper`, else the locale's."""
    from ketalog import settings

    return str(values.get("paper") or settings.paper_from_locale())


def deliver(report, chosen: "Format", output: Path | None, who: str | None, page: str, protected) -> None:
    """The report to the screen or to ``output`` (0600, atomically; a PDF only to a file), then the crisis
    text again when item 9 was answered above 0: a file written is not a page read."""
    if chosen == Format.text and output is None:
        from ketalog.render.report_terminal import print_report

        print_report(report, who=who)
        return
    if chosen == Format.pdf:
        from ketalog.files import private_output
        from ketalog.render import report_html

        pdf = report_html.to_pdf(report_html.render(report, who=who, paper=page))
        with private_output(output, binary=True, protected=protected) as handle:  # type: ignore[arg-type]
            handle.write(pdf)
        text = ""
    else:
        text = render_report(report, chosen, who=who, paper=page)
    if output is None:
        say(text, nl=not text.endswith("\n"), wrap=False)
        return
    if text:
        from ketalog.files import write_private_text

        write_private_text(output, text, protected)
    say(f"Report written to {output}")
    if report.safety.notice:
        from ketalog.render import report_rows

        say("\n".join(report_rows.safety_lines(report)))


def render_report(report, output_format: "Format", who: str | None = None, paper: str = "a4") -> str:
    if output_format == Format.json:
        from ketalog.render.text import to_json

        return to_json(report.to_json()) + "\n"
    if output_format == Format.markdown:
        from ketalog.render import report_markdown

        return report_markdown.render(report, who=who)
    if output_format == Format.html:
        from ketalog.render import report_html

        return report_html.render(report, who=who, paper=paper)
    import io

    from ketalog.render.report_terminal import print_report

    buffer = io.StringIO()
    print_report(report, file=buffer, who=who)
    return buffer.getvalue()


def trends_command(
    ctx: typer.Context,
    by: Annotated[TrendBy, typer.Option("--by", help="week, month or session.")] = TrendBy.week,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
    csv: CsvOpt = False,
    tsv: TsvOpt = False,
) -> None:
    """Mean ratings and scores per week, month or session.

    Without --since: the last 26 weeks, 24 months or 20 sessions.

    Examples:
      ketalog trends
      ketalog trends --by session
      ketalog trends --by month --since 2025-01-01 --csv > months.csv
    """
    from ketalog import reports, timeparse

    start, end = period(state(ctx), since, until)
    with state(ctx).open(write=False) as db:
        table = reports.trends(db, timeparse.now(), by.value, start, end, asked=since is not None or until is not None)
    rows, start, shifted = table.rows, table.start, table.shifted
    if as_json:
        emit(rows, True, "")
        return
    if csv or tsv:
        from ketalog.render.trends import grid

        emit_rows(*grid(rows, by.value), csv, tsv)
        return
    if not rows:
        say("Nothing to show yet: log check-ins, questionnaires or sessions first.")
        return
    from ketalog.render.trends import print_trends

    print_trends(rows, by.value)
    if shifted is not None:
        say(
            f"(Nothing in the last {table.default_rows} {by.value}s: these are your most "
            f"recent data, {start:%Y-%m} to {shifted:%Y-%m}; --since and --until choose others.)"
        )
    elif since is None and start is not None:
        say(f"(From {start:%Y-%m-%d}; --since shows earlier ones.)")


def demo_command(
    db: Annotated[
        Optional[Path],
        typer.Option(
            "--db", metavar="PATH", help="Keep the demo database here (must not exist yet). Default: a temporary file."
        ),
    ] = None,
    output_format: ReportFormatOpt = None,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write the demo report to FILE instead of the screen."),
    ] = None,
) -> None:
    """Write a demo 8-week journey to a throwaway file; print its report.

    Examples:
      ketalog demo
      ketalog demo --format html > demo.html
      ketalog demo -o demo.pdf      (needs pip install 'ketalog[pdf]')
      ketalog demo --db demo.db && ketalog --db demo.db status
    """
    import tempfile

    from ketalog import demo, timeparse
    from ketalog.commands.common import State

    if db is not None and db.expanduser().exists():
        raise InputError("--db", f"{db} already exists; the demo only writes to a new file, never to your data")
    chosen = _format_for(output_format, output)
    with tempfile.TemporaryDirectory(prefix="ketalog-demo-") as scratch:
        path = db.expanduser() if db is not None else Path(scratch) / "demo.db"
        demo_state = State(str(path), announce=False)
        with demo_state.open(write=True) as handle:
            demo.write_journey(handle, timeparse.now())
        report = build(demo_state, None, None, page=chosen != Format.json)
        from ketalog import settings
        from ketalog.render.report_rows import DEMO as DEMO_LABEL

        deliver(report, chosen, output, DEMO_LABEL, _paper(settings.current()), ())
        # stdout may be the file being made: the hint then goes aside
        say(f"\n{DEMO_NEXT_STEP}", err=chosen != Format.text or output is not None)
        if db is not None:
            say(f"Demo data kept in {path}: try `ketalog --db {path} trends --by session`.", err=True)
        else:
            say("(Demo data lived in a temporary file and is gone; your own data was not touched.)", err=True)


DEMO_NEXT_STEP = (
    "Next step: start your own diary with `ketalog checkin` (20 seconds), or `ketalog add` after a session."
)


def sheet_command(
    ctx: typer.Context,
    which: Annotated[
        str,
        typer.Argument(
            metavar="SESSION|last|next", help="A session's id (or its start), last, or next (a sheet to bring)."
        ),
    ] = "next",
    output_format: Annotated[
        Optional[Format], typer.Option("--format", "-f", help="html or pdf. Default: from -o's extension, else html.")
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (mode 0600) instead of the screen."),
    ] = None,
    paper: Annotated[
        Optional[Paper],
        typer.Option("--paper", help="letter or a4. Default: `config set paper`, else from your locale."),
    ] = None,
) -> None:
    """A printable session sheet: doses, vital signs, observations. Laid out like a clinic's monitoring record;
    `next` pre-fills the planned day and your last protocol and leaves boxes to fill in by hand.

    Examples:
      ketalog sheet next -o next-session.html
      ketalog sheet last -o session.pdf      (needs pip install 'ketalog[pdf]')
    """
    from datetime import date

    from ketalog import settings, store, timeparse
    from ketalog.commands.common import session_for
    from ketalog.render import sheet_html

    chosen = _format_for(output_format or (Format.html if output is None else None), output)
    if chosen == Format.text and output is None:
        chosen = Format.html
    if chosen not in (Format.html, Format.pdf):
        raise InputError("--format", f"a session sheet is html or pdf (got {chosen.value})")
    values = settings.current()
    who = " · ".join(str(values[key]) for key in ("name", "clinic") if values.get(key)) or None
    with state(ctx).open(write=False) as db:
        if which.strip().lower() == "next":
            session, template = None, store.last_session(db)
            today = timeparse.now().date().isoformat()
            upcoming = [row for row in store.planned(db, today) if not row["done"]]
            planned = date.fromisoformat(upcoming[0]["local_date"]) if upcoming else None
        else:
            session, template, planned = session_for(db, which, "SESSION"), None, None
    html = sheet_html.render(
        session, template=template, planned=planned, who=who, paper=(paper.value if paper else _paper(values))
    )
    if chosen == Format.pdf:
        from ketalog.files import private_output
        from ketalog.render import report_html

        with private_output(output, binary=True) as handle:  # type: ignore[arg-type]
            handle.write(report_html.to_pdf(html))
        say(f"Sheet written to {output}")
    elif output is None:
        say(html, nl=False, wrap=False)
    else:
        from ketalog.files import write_private_text

        write_private_text(output, html)
        say(f"Sheet written to {output}")


def insights_command(
    ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None, as_json: JsonOpt = False
) -> None:
    """What went with better days: the associations that hold up.

    Tags, sleep, therapy, days since a session, as-needed medicines and side effects against mood, anxiety,
    energy and thought loops, the same day and the next. Each test corrects for day-to-day persistence and
    the whole set for how many were run (docs/insights-rules.md), so "nothing stands out yet" is the usual
    answer. An association, never a cause.

    Examples:
      ketalog insights
      ketalog insights --since 2026-01-01 --json
    """
    from datetime import timedelta

    from ketalog import timeparse
    from ketalog.reading.insights import sentence
    from ketalog.reports import insights_of, insights_span

    start, end = insights_span(timeparse.now(), *period(state(ctx), since, until))
    with state(ctx).open(write=False) as db:
        result = insights_of(db, start, end)
    first = timeparse.to_local(start).date()
    last = (
        (timeparse.to_local(end) - timedelta(microseconds=1)).date()
        if end
        else timeparse.to_local(timeparse.now()).date()
    )
    lines = [
        f"Over {first} to {last}{'' if since else ' (the last year; --since for longer)'}: tested {result.tested}"
        " associations (the same day and the next), corrected for how many."
    ]
    if result.findings:
        lines += [f"- {sentence(finding)}" for finding in result.findings]
    else:
        lines.append("Nothing stands out yet: no association is both clear after that correction and large enough.")
    if result.not_testable:
        lines.append(f"Not testable yet ({len(result.not_testable)}):")
        lines += [
            f"  {item['candidate']} with {item['outcome']}: {item['reason']}" for item in result.not_testable[:12]
        ]
        if len(result.not_testable) > 12:
            lines.append(f"  ... and {len(result.not_testable) - 12} more (--json lists them all)")
    emit({"since": first.isoformat(), "until": last.isoformat(), **result.to_json()}, as_json, "\n".join(lines))


COMMANDS = {
    "insights": insights_command,
    "progress": progress_command,
    "trends": trends_command,
    "report": report_command,
    "demo": demo_command,
    "sheet": sheet_command,
}
