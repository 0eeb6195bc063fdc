"""The report as one self-contained, print-friendly HTML page with inline SVG charts (no scripts, no network)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.progress import Report
from ketalog.render import report_rows as rr

BAND_COLOURS = ["#e8f5e9", "#f1f8e9", "#fffde7", "#fff3e0", "#ffebee"]

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.who { font-weight: 600; margin: .1rem 0; }
.demo { border: 2px dashed #555; padding: .2rem .4rem; } h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem;
     border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0; font-size: 13px; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #f4f4f4; }
.safety { border: 3px solid #b71c1c; background: #fff5f5; padding: .6rem 1rem; margin: 1rem 0; }
.safety p { margin: .2rem 0; }
.signs li { margin-bottom: .3rem; } .flags li { margin-bottom: .3rem; }
.muted { color: #555; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts figure { flex: 1 1 45%; min-width: 18rem; max-width: 30rem; }
.charts svg { width: 100%; height: auto; }
.course p { margin: .15rem 0; }
figure { margin: 0; } figcaption { font-size: 12px; color: #444; }
svg text { font: 10px system-ui, sans-serif; fill: #333; }
@media print {
  body { margin: 0; max-width: none; font-size: 8pt; line-height: 1.18; }
  h1 { font-size: 13pt; margin: 0; } h2 { font-size: 9.5pt; margin: .35rem 0 .1rem; break-after: avoid; }
  table { font-size: 8pt; margin: .1rem 0; } th, td { padding: .04rem .3rem; }
  .muted, figcaption { font-size: 7pt; } p { margin: .1rem 0; } .course p { margin: 0; }
  .charts { gap: .4rem; } .charts figure { flex: 1 1 30%; min-width: 0; max-width: 25%; }
  .signs li, .flags li { margin-bottom: .1rem; } ul { margin: .1rem 0; padding-left: 1.1rem; }
  .safety { padding: .3rem .6rem; margin: .4rem 0; }
  table, figure, .safety { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _findings(findings, css_class: str, empty: str) -> str:
    if not findings:
        return f"<p>{escape(empty)}</p>"
    items = "".join(f"<li><strong>{escape(f.title)}</strong><br>{escape(f.detail)}</li>" for f in findings)
    return f'<ul class="{css_class}">{items}</ul>'


def score_chart(
    instrument_id: str,
    history: list[tuple[str, int]],
    session_times: Sequence[str] = (),
    medication_marks: Sequence[tuple[str, str]] = (),
    width: int = 420,
    height: int = 190,
) -> str:
    """Score over time, with the published severity bands (or the cutoff region) shaded, sessions ticked,
    and medication changes marked with a dashed line and the medicine's name (as eMoods marks dose changes)."""
    instrument = inst.INSTRUMENTS.get(instrument_id)
    scale_range = inst.total_range(instrument_id)
    top = scale_range[1] if scale_range else max(total for _, total in history) or 1
    left, right, upper, lower = 34, 10, 10, 24
    plot_w, plot_h = width - left - right, height - upper - lower
    times = [datetime.fromisoformat(at).timestamp() for at, _ in history]
    start, end = min(times), max(times)
    span = end - start or 1

    def x(t: float) -> float:
        return left + (plot_w / 2 if end == start else (t - start) / span * plot_w)

    def y(value: float) -> float:
        return upper + plot_h - value / top * plot_h

    shapes = []
    if instrument and instrument.bands:
        for index, band in enumerate(instrument.bands):
            colour = BAND_COLOURS[min(index * len(BAND_COLOURS) // len(instrument.bands), len(BAND_COLOURS) - 1)]
            y_top, y_bottom = y(band.high + (1 if band.high < top else 0)), y(band.low)
            shapes.append(
                f'<rect x="{left}" y="{y_top:.1f}" width="{plot_w}" height="{y_bottom - y_top:.1f}" '
                f'fill="{colour}"><title>{escape(band.label)} {band.low}-{band.high}</title></rect>'
            )
            shapes.append(
                f'<text x="{left + plot_w - 2}" y="{y_bottom - 3:.1f}" text-anchor="end">{escape(band.label)}</text>'
            )
    elif instrument and instrument.cutoff is not None:
        shapes.append(
            f'<rect x="{left}" y="{upper}" width="{plot_w}" height="{y(instrument.cutoff) - upper:.1f}" '
            f'fill="{BAND_COLOURS[-1]}"/>'
        )
        shapes.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(instrument.cutoff):.1f}" '
            f'y2="{y(instrument.cutoff):.1f}" stroke="#c62828" stroke-dasharray="4 3"/>'
        )
        shapes.append(
            f'<text x="{left + plot_w - 2}" y="{y(instrument.cutoff) - 3:.1f}" text-anchor="end">'
            f"cutoff {instrument.cutoff}</text>"
        )
    for at in session_times:
        moment = datetime.fromisoformat(at).timestamp()
        if start <= moment <= end:
            shapes.append(
                f'<path d="M{x(moment):.1f},{upper + plot_h} l-3,6 h6 z" fill="#6a1b9a">'
                f"<title>session {escape(at[:10])}</title></path>"
            )
    for at, label in medication_marks:
        moment = datetime.fromisoformat(at).timestamp()
        if start <= moment <= end:
            shapes.append(
                f'<g class="med-change"><line x1="{x(moment):.1f}" x2="{x(moment):.1f}" y1="{upper}" '
                f'y2="{upper + plot_h}" stroke="#00695c" stroke-dasharray="2 2"/>'
                f'<text x="{x(moment) + 2:.1f}" y="{upper + 9}" fill="#00695c">{escape(label)}</text>'
                f"<title>{escape(at[:10])}: {escape(label)}</title></g>"
            )
    points = " ".join(f"{x(t):.1f},{y(total):.1f}" for t, (_, total) in zip(times, history, strict=True))
    dots = "".join(
        f'<circle cx="{x(t):.1f}" cy="{y(total):.1f}" r="3" fill="#1a237e"><title>{escape(at[:10])}: '
        f"{total}</title></circle>"
        for t, (at, total) in zip(times, history, strict=True)
    )
    axis = (
        f'<line x1="{left}" y1="{upper + plot_h}" x2="{left + plot_w}" y2="{upper + plot_h}" stroke="#555"/>'
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{upper + plot_h}" stroke="#555"/>'
        f'<text x="{left - 4}" y="{upper + 4}" text-anchor="end">{top}</text>'
        f'<text x="{left - 4}" y="{upper + plot_h}" text-anchor="end">0</text>'
        f'<text x="{left}" y="{height - 6}">{escape(history[0][0][:10])}</text>'
        f'<text x="{left + plot_w}" y="{height - 6}" text-anchor="end">{escape(history[-1][0][:10])}</text>'
    )
    name = inst.display_name(instrument_id)
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(name)} over time">{"".join(shapes)}{axis}'
        f'<polyline points="{points}" fill="none" stroke="#1a237e" stroke-width="2"/>{dots}</svg>'
        f"<figcaption>{escape(name)} over time"
        + (f" (bands: {escape(instrument.bands_source)})" if instrument and instrument.bands else "")
        + ("; ▲ = a session" if session_times else "")
        + (
            "; dashed line = a medication change"
            if any(start <= datetime.fromisoformat(at).timestamp() <= end for at, _ in medication_marks)
            else ""
        )
        + "</figcaption></figure>"
    )


PAGE_SIZES = {"letter": "letter", "a4": "A4"}


def render(report: Report, who: str | None = None, paper: str = "a4") -> str:
    body = [f"<h1>{escape(rr.TITLE)}</h1>"]
    if who:
        demo = " demo" if who == rr.DEMO else ""
        body.append(f'<p class="who{demo}">{escape(rr.for_text(who) or "")}</p>')
    body.append(f'<p class="muted">{escape(rr.period_text(report))}</p>')
    if report.safety.notice:
        resources = "".join(f"<li>{escape(region)}: {escape(text)}</li>" for region, text in crisis.RESOURCES)
        body.append(
            '<section class="safety" id="safety"><h2>Safety first</h2>'
            f"<p><strong>{escape(rr.safety_dated_line(report) or '')}</strong></p>"
            f"<p>{escape(crisis.HEADLINE)}</p><ul>{resources}</ul>"
            f"<p><strong>{escape(crisis.IMMEDIATE_DANGER)}</strong></p>"
            f'<p class="muted">Crisis numbers last reviewed {escape(crisis.REVIEWED)}.</p>'
            f"<p>{escape(rr.item9_line(report) or '')}</p></section>"
        )
    elif rr.item9_line(report):
        body.append(f'<section id="safety"><h2>Safety</h2><p>{escape(rr.item9_line(report) or "")}</p></section>')
    body.append(
        '<h2>Course</h2><div class="course">'
        + "".join(f"<p>{escape(line)}</p>" for line in rr.course_lines(report))
        + "</div>"
    )
    body.append(
        "<h2>To discuss with your provider</h2>" + _findings(report.flags, "flags", rr.flags_empty_text(report))
    )
    if report.instruments:
        body.append(
            "<h2>Questionnaires</h2>"
            + _table(rr.INSTRUMENT_HEADERS, rr.instrument_rows(report))
            + f'<p class="muted">{escape(" ".join(rr.instrument_dates(report)))}</p>'
        )
        session_times = [session["at"] for session in report.sessions]
        marks = [
            (c["at"], f"{c['name']} {rr.EVENT_SHORT[c['event']]}{' ' + c['dose'] if c['dose'] else ''}")
            for c in report.medications["changes"]
        ]
        charts = [
            score_chart(key, r.history, session_times, marks) for key, r in report.instruments.items() if r.history
        ]
        if charts:
            body.append(f'<div class="charts">{"".join(charts)}</div>')
    body.append(
        "<h2>Daily ratings</h2>"
        + _table(rr.RATING_HEADERS, rr.rating_rows(report))
        + f'<p class="muted">{escape(rr.rating_note(report))}</p>'
    )
    body.append("<h2>Signs of progress</h2>" + _findings(report.signs, "signs", "None of the signs shows clearly yet."))
    if rr.medication_lines(report):
        body.append("<h2>Medications</h2>" + "".join(f"<p>{escape(line)}</p>" for line in rr.medication_lines(report)))
    if report.sessions:
        body.append(
            "<h2>Sessions</h2>"
            + _table(rr.SESSION_HEADERS, rr.session_rows(report))
            + (f'<p class="muted">{escape(rr.sessions_note(report))}</p>' if rr.sessions_note(report) else "")
        )
    if report.journal:
        notes = "".join(f"<li><em>{escape(j['at'][:10])}</em> — {escape(j['text'])}</li>" for j in report.journal)
        body.append(f"<h2>From your journal</h2><ul>{notes}</ul>")
    body.append(f'<p class="muted"><em>{escape(rr.DISCLAIMER)}</em></p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(rr.TITLE)}</title><style>{CSS}"
        f"@page {{ size: {PAGE_SIZES.get(paper, 'A4')}; margin: 10mm; }}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def to_pdf(html: str) -> bytes:
    """The same page as PDF through WeasyPrint (the optional extra `ketalog[pdf]`), imported only here."""
    try:
        import weasyprint  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except (ImportError, OSError):  # not installed, or its system libraries (Pango) are missing
        from ketalog.errors import KetalogError

        raise KetalogError(
            "a PDF needs the optional extra: pip install 'ketalog[pdf]'; or use --format html "
            "and print it to PDF from any browser"
        ) from None
    return weasyprint.HTML(string=html).write_pdf()
