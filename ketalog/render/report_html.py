"""The report as one self-contained, print-friendly HTML page with inline SVG charts (no scripts, no network)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape as _html_escape

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.reading.model import Report
from ketalog.reading.rules import ITEM_ANSWERS_KEPT
from ketalog.render import report_rows as rr
from ketalog.render.text import visible


def escape(text: str) -> str:
    """HTML-escaped, with control characters and bidi overrides made visible like everywhere else."""
    return _html_escape(visible(text))


# Charts are drawn in CHART_WIDTH units with CHART_FONT-unit text (the CSS below says the same); printed
# two to a row, each at least PRINT_CHART_SHARE of the printable width, that text is 9 pt or more.
CHART_WIDTH = 320
CHART_FONT = 12
PRINT_CHART_SHARE = 0.45
CHART_DOTS = 60  # up to this many scores get a dot each
SESSION_MARK_WIDTH = 6  # a session's triangle under a chart, in units
AXIS_FONT = 9  # axis numbers and dates: smaller than the headings, which they must not outshout
BAND_FONT = 8  # band names, drawn inside each band tall enough to hold one
BAND_LABEL_MIN = 9  # chart units

# Light to dark by severity, each step ~0.1-0.17 apart in luminance so the bands part in greyscale print.
BAND_COLOURS = ["#f3faf3", "#f4efc2", "#f6d6a8", "#f0b4a0", "#e08e8e"]

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.who { font-weight: 600; margin: .1rem 0; }
.demo { border: 2px dashed #555; padding: .2rem .4rem; } h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem;
     border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0; font-size: 13px; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #f4f4f4; } td.nw { white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; } p, li { overflow-wrap: break-word; }
@media (max-width: 480px) { body { margin: 1rem auto; } .charts figure { min-width: 100%; }
  td, th { white-space: nowrap; } }
.safety { border: 3px solid #b71c1c; background: #fff5f5; padding: .6rem 1rem; margin: 1rem 0; }
.safety p { margin: .2rem 0; }
.signs li { margin-bottom: .3rem; } .flags li { margin-bottom: .3rem; }
.muted { color: #555; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts figure { flex: 1 1 45%; min-width: 18rem; max-width: 30rem; }
.charts svg { width: 100%; height: auto; }
.course p { margin: .15rem 0; }
figure { margin: 0; } figcaption { font-size: 12px; color: #444; }
svg text { font: 12px system-ui, sans-serif; }
.itemgrid td { text-align: center; min-width: 2.2rem; } .itemgrid th { font-weight: normal; white-space: nowrap; }
@media print {
  .itemgrid { display: none; }
  body { margin: 0; max-width: none; font-size: 8pt; line-height: 1.1; }
  h1 { font-size: 13pt; margin: 0; } h2 { font-size: 9.5pt; margin: .25rem 0 .05rem; break-after: avoid; }
  table { font-size: 8pt; margin: .1rem 0; } th, td { padding: .04rem .3rem; }
  .muted { font-size: 7pt; } figcaption { font-size: 7.5pt; } p { margin: .1rem 0; }
  .course p { margin: 0; display: inline; } .course p::after { content: " "; }
  .charts { gap: .4rem; } .charts figure { flex: 1 1 45%; min-width: 45%; max-width: 49%; }
  .signs li, .flags li { margin-bottom: .1rem; } ul { margin: .1rem 0; padding-left: 1.1rem; }
  .safety { padding: .3rem .6rem; margin: .4rem 0; }
  .scroll { overflow: visible; } figure, .safety, tr { break-inside: avoid; } thead { display: table-header-group; }
  section#sessions h2, section#journal h2 { break-after: avoid; } section#longterm th { white-space: nowrap; }
  a { color: inherit; text-decoration: none; }
}
"""


def _table(headers: list[str], rows: list[list[str]], wraps: frozenset[str] = frozenset()) -> str:
    """A table; when ``wraps`` names the free-text columns, every other cell keeps its value on one line
    (a dose or a reading broken over two lines doubles a row's height on the printed page)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    keep = ["" if not wraps or h in wraps else ' class="nw"' for h in headers]
    body = "".join(
        "<tr>" + "".join(f"<td{k}>{escape(cell)}</td>" for k, cell in zip(keep, row, strict=False)) + "</tr>"
        for row in rows
    )
    # in its own box: on a phone a wide table scrolls inside it, and the page never scrolls sideways
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _findings(findings, css_class: str, empty: str) -> str:
    if not findings:
        return f"<p>{escape(empty)}</p>"
    items = "".join(f"<li><strong>{escape(f.title)}</strong> — {escape(f.detail)}</li>" for f in findings)
    return f'<ul class="{css_class}">{items}</ul>'


def band_colour(index: int, count: int) -> str:
    """Each instrument's bands spread over the whole palette by severity: its mildest band is always the
    lightest and its most severe the darkest (GAD-7 "severe" is PHQ-9 "severe", not "moderately severe")."""
    if count <= 1:
        return BAND_COLOURS[0]
    return BAND_COLOURS[round(index * (len(BAND_COLOURS) - 1) / (count - 1))]


def _ticks(values: list[int], y, min_gap: float) -> list[int]:
    """Tick values from the bottom up, leaving out any that would print on top of the one below it."""
    kept: list[int] = []
    for value in sorted(set(values)):
        if not kept or y(kept[-1]) - y(value) >= min_gap:
            kept.append(value)
        elif value == max(values):  # the scale's top always shows; drop the tick it would collide with
            kept[-1] = value
    return kept


def score_chart(
    instrument_id: str,
    history: list[tuple[str, int]],
    session_times: Sequence[datetime] = (),
    medication_marks: Sequence[tuple[str, str]] = (),
    item9_positive: Sequence[str] = (),
    width: int = CHART_WIDTH,
    height: int = 92,
) -> str:
    """Score over time: the published bands (or the cutoff region) shaded light to dark by severity with
    y ticks at their edges, the latest value labelled, sessions ticked, medication changes dashed (as
    eMoods marks dose changes) and a PHQ-9 whose item 9 was above 0 ringed. Drawn at 12 units so labels
    print at 9 pt or more two charts to a row."""
    instrument = inst.INSTRUMENTS.get(instrument_id)
    scale_range = inst.total_range(instrument_id)
    top = scale_range[1] if scale_range else max(total for _, total in history) or 1
    left, right, upper, lower = 26, 10, 10, 24
    plot_w, plot_h = width - left - right, height - upper - lower
    times = [datetime.fromisoformat(at).timestamp() for at, _ in history]
    start, end = min(times), max(times)
    span = end - start or 1

    def x(t: float) -> float:
        return left + (plot_w / 2 if end == start else (t - start) / span * plot_w)

    def y(value: float) -> float:
        return upper + plot_h - value / top * plot_h

    shapes = []
    edges = [0, top]
    legend = ""
    if instrument and instrument.bands:
        count = len(instrument.bands)
        for index, band in enumerate(instrument.bands):
            y_top, y_bottom = y(band.high + (1 if band.high < top else 0)), y(band.low)
            shapes.append(
                f'<rect x="{left}" y="{y_top:.1f}" width="{plot_w}" height="{y_bottom - y_top:.1f}" '
                f'fill="{band_colour(index, count)}"><title>{escape(band.label)} {band.low}-{band.high}</title></rect>'
            )
            if y_bottom - y_top >= BAND_LABEL_MIN:  # the band's name inside it, where it fits
                shapes.append(
                    f'<text class="band" x="{left + 3}" y="{(y_top + y_bottom) / 2 + 3:.1f}" '
                    f'font-size="{BAND_FONT}" fill="#555">{escape(band.label)}</text>'
                )
            if band.low > 0:  # a visible edge, so bands part in greyscale too
                shapes.append(
                    f'<line x1="{left}" x2="{left + plot_w}" y1="{y_bottom:.1f}" y2="{y_bottom:.1f}" '
                    'stroke="#888" stroke-width="0.6"/>'
                )
            edges.append(band.low)
        legend = "; shaded by band"
    elif instrument and instrument.cutoff is not None:
        shapes.append(
            f'<rect x="{left}" y="{upper}" width="{plot_w}" height="{y(instrument.cutoff) - upper:.1f}" '
            f'fill="{BAND_COLOURS[-2]}"/>'
        )
        shapes.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(instrument.cutoff):.1f}" '
            f'y2="{y(instrument.cutoff):.1f}" stroke="#c62828" stroke-dasharray="4 3"/>'
        )
        edges.append(instrument.cutoff)
        legend = f"; shaded: at or above the cutoff of {instrument.cutoff}"
    # Sessions whose marks would overlap (within a mark's width) share one, so a chart costs what its width
    # does, not what the years do: fifty years of sessions are a few dozen marks, each counting its own.
    ticked: dict[int, list[tuple[float, datetime]]] = {}
    for when in session_times:
        moment = when.timestamp()
        if start <= moment <= end:
            position = x(moment)
            ticked.setdefault(round(position / SESSION_MARK_WIDTH), []).append((position, when))
    half = SESSION_MARK_WIDTH / 2
    for marks in ticked.values():
        first, last = f"{marks[0][1]:%Y-%m-%d}", f"{marks[-1][1]:%Y-%m-%d}"  # only the ends are named
        title = f"session {first}" if len(marks) == 1 else f"{len(marks)} sessions, {first} to {last}"
        shapes.append(
            f'<path d="M{marks[0][0]:.1f},{upper + plot_h} l-{half:g},6 h{SESSION_MARK_WIDTH} z" fill="#6a1b9a">'
            f"<title>{escape(title)}</title></path>"
        )
    marked = [(at, label) for at, label in medication_marks if start <= datetime.fromisoformat(at).timestamp() <= end]
    for at, label in marked:
        moment = datetime.fromisoformat(at).timestamp()
        shapes.append(
            f'<g class="med-change"><line x1="{x(moment):.1f}" x2="{x(moment):.1f}" y1="{upper}" '
            f'y2="{upper + plot_h}" stroke="#00695c" stroke-dasharray="2 2"/>'
            f"<title>{escape(at[:10])}: {escape(label)}</title></g>"
        )
    points = " ".join(f"{x(t):.1f},{y(total):.1f}" for t, (_, total) in zip(times, history, strict=True))
    ringed = {at[:16] for at in item9_positive}
    last_at = history[-1][0]
    dotted = len(history) <= CHART_DOTS  # years of scores are a line: a dot each would bury it
    # the scores that get a dot or a ring: all of a few, else the latest and those ringed
    drawn = [
        (t, (at, total))
        for t, (at, total) in zip(times, history, strict=True)
        if dotted or at == last_at or at[:16] in ringed
    ]
    dots = "".join(
        (
            f'<circle cx="{x(t):.1f}" cy="{y(total):.1f}" r="3" fill="#1a237e"><title>{escape(at[:10])}: '
            f"{total}</title></circle>"
            if dotted or at == last_at
            else ""
        )
        + (
            f'<circle class="item9" cx="{x(t):.1f}" cy="{y(total):.1f}" r="7" fill="none" stroke="#b71c1c" '
            f'stroke-width="2"><title>{escape(at[:10])}: item 9 answered above 0</title></circle>'
            if at[:16] in ringed
            else ""
        )
        for t, (at, total) in drawn
    )
    last_x, last_y = x(times[-1]), y(history[-1][1])
    label_y = last_y - 10 if last_y - 10 > upper + 10 else last_y + 20  # clear of an item-9 ring
    latest = (
        f'<text class="latest" x="{min(last_x, left + plot_w):.1f}" y="{label_y:.1f}" '
        f'text-anchor="{"end" if last_x > left + plot_w / 2 else "start"}" font-weight="700">{history[-1][1]}</text>'
    )
    ticks = "".join(
        f'<text class="axis" x="{left - 4}" y="{y(value) + 3:.1f}" text-anchor="end" font-size="{AXIS_FONT}">'
        f"{value}</text>"
        f'<line x1="{left - 2}" x2="{left}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#555"/>'
        for value in _ticks(edges, y, AXIS_FONT + 1)
    )
    axis = (
        f'<line x1="{left}" y1="{upper + plot_h}" x2="{left + plot_w}" y2="{upper + plot_h}" stroke="#555"/>'
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{upper + plot_h}" stroke="#555"/>{ticks}'
        f'<text class="axis" x="{left}" y="{height - 6}" font-size="{AXIS_FONT}">{escape(history[0][0][:10])}</text>'
        f'<text class="axis" x="{left + plot_w}" y="{height - 6}" text-anchor="end" font-size="{AXIS_FONT}">'
        f"{escape(history[-1][0][:10])}</text>"
    )
    name = inst.display_name(instrument_id)
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(name)} over time">{"".join(shapes)}{axis}'
        f'<polyline points="{points}" fill="none" stroke="#1a237e" stroke-width="2"/>{dots}{latest}</svg>'
        f"<figcaption><strong>{escape(name)}</strong>, latest {history[-1][1]}{legend}"
        + (f" ({escape(instrument.bands_source)})" if instrument and instrument.bands else "")
        + ("; ▲ a session" if session_times else "")
        + ("; red ring: item 9 above 0" if any(at[:16] in ringed for _, (at, _) in drawn) else "")
        + ("; dashed: " + "; ".join(f"{escape(at[:10])} {escape(label)}" for at, label in marked) if marked else "")
        + "</figcaption></figure>"
    )


PAGE_SIZES = {"letter": "letter", "a4": "A4"}


def _section(section: rr.Section, block: rr.Block | None, empty: str) -> str:
    head = f'<section id="{section.id}"><h2>{escape(section.title)}</h2>'
    if block is None:
        return f"{head}<p>{escape(empty)}</p></section>"
    if section.kind in ("lines", "safety"):
        inner = '<div class="course">' + "".join(f"<p>{escape(line)}</p>" for line in block.lines) + "</div>"
    elif section.kind == "findings":
        inner = _findings(block.findings, "flags" if section.tone == "discuss" else "signs", empty)
    elif section.kind == "table":
        inner = _table(list(block.headers), [list(row) for row in block.rows], block.wraps)
        if block.note:
            inner += f'<p class="muted">{escape(" ".join(block.note.splitlines()))}</p>'
    else:
        inner = (
            "<ul>" + "".join(f"<li><em>{escape(at)}</em> — {escape(text)}</li>" for at, text in block.items) + "</ul>"
        )
    return f"{head}{inner}</section>"


def _charts(report: Report) -> str:
    session_times = report.session_times
    marks = [
        (c["at"], f"{c['name']} {rr.EVENT_SHORT[c['event']]}{' ' + c['dose'] if c['dose'] else ''}")
        for c in report.medications.changes
    ]
    item9 = [a["at"] for a in report.safety.answers if a["answer"]]
    charts = [
        score_chart(key, r.history, session_times, marks, item9 if key == inst.PHQ9.id else ())
        for key, r in report.instruments.items()
        if r.history
    ]
    return f'<div class="charts">{"".join(charts)}</div>' if charts else ""


ITEM_GRID_DATES = ITEM_ANSWERS_KEPT  # the latest scores a grid shows: it stays narrow on a phone
ITEM_SHADES = ("#ffffff", "#f6e7c4", "#efc27e", "#d98c5f", "#b8573e")  # 0 .. 4, light to dark in greyscale too


def _item_grids(report: Report) -> str:
    """Each questionnaire's items across its latest scores, 0 (light) to the top answer (dark); on screen only:
    the printed page keeps to one sheet."""
    grids = []
    for key, result in report.instruments.items():
        instrument = inst.INSTRUMENTS.get(key)
        history = result.answers_history[-ITEM_GRID_DATES:]
        if instrument is None or len(history) < 2:
            continue
        head = "".join(f"<th>{escape(at[5:10])}</th>" for at, _ in history)
        rows = []
        for number, text in enumerate(instrument.items, start=1):
            name = instrument.item_names[number - 1] if instrument.item_names else text[:30]
            cells = []
            for _, answers in history:
                value = answers[number - 1] if number <= len(answers) else None
                shade = ITEM_SHADES[min(value, 4)] if value is not None else "#ffffff"
                cells.append(f'<td style="background:{shade}">{"–" if value is None else value}</td>')
            rows.append(f'<tr><th title="{escape(text)}">{number} {escape(name)}</th>{"".join(cells)}</tr>')
        grids.append(
            f'<figure class="itemgrid"><figcaption>{escape(result.name)} item by item (0 light, '
            f'{instrument.max_option} dark; – not answered)</figcaption><div class="scroll"><table>'
            f"<tr><th>Item</th>{head}</tr>{''.join(rows)}</table></div></figure>"
        )
    return "".join(grids)


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
            f"<p>{escape(rr.item9_line(report) or '')}</p>"
            f"<p>{escape(crisis.headline(rr.positive_days_ago(report)))}</p><ul>{resources}</ul>"
            f"<p><strong>{escape(crisis.IMMEDIATE_DANGER)}</strong></p>"
            f'<p class="muted">Crisis numbers last reviewed {escape(crisis.REVIEWED)}.</p></section>'
        )
    for section, block, empty in rr.sections(report):
        body.append(_section(section, block, empty))
        if section.id == "questionnaires":
            body.append(_charts(report))
            body.append(_item_grids(report))
    body.append(f'<p class="muted"><em>{escape(rr.DISCLAIMER)}</em></p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(rr.TITLE)}</title><style>{CSS}"
        f"@page {{ size: {PAGE_SIZES.get(paper, 'A4')}; margin: 8mm 10mm; }}</style></head><body>"
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
    return weasyprint.HTML(string=html, url_fetcher=embedded_only(weasyprint)).write_pdf()


def embedded_only(weasyprint):
    """A URL fetcher that loads nothing from outside the page (no http, no file:, no ftp): only ``data:``.
    The page embeds everything it shows, so a link that got into it can never make the PDF call out or
    read a local file. WeasyPrint 61+ takes a ``URLFetcher`` (here limited by protocol); older ones a function."""
    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if isinstance(fetcher_class, type):
        return fetcher_class(allowed_protocols=("data",), fail_on_errors=False)

    def fetch(url: str):
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url)
        raise ValueError(f"the report loads nothing from outside the page ({url[:60]})")

    return fetch
