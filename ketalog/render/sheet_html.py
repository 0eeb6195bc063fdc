"""One printable page per session, laid out like a clinic's monitoring record (the Spravato REMS form, a KAP
session log): what was given and when, the vital-signs grid, what staff observed, when ready to leave.

A logged session fills it in; `next` pre-fills what the plan and the last protocol say and leaves the rest as
boxes to fill by hand. Every value passes the one neutralising escape, like the report.
"""

from __future__ import annotations

from datetime import date

from ketalog.models import Session
from ketalog.render.report_html import PAGE_SIZES, escape
from ketalog.session_record import OBSERVATIONS, point_key, point_label

# The grid's columns before any reading: the form's three times (before dosing, about 40 minutes after, before
# leaving). Recorded readings at other minutes add their own columns.
GRID_POINTS: tuple[int | str, ...] = (0, 40, "end")
GRID_ROWS = (("bp", "Blood pressure (mmHg)"), ("hr", "Heart rate (/min)"), ("spo2", "SpO2 (%)"))
NO_DRIVING = (
    "Do not drive or operate machinery until the next day, after a restful sleep "
    "(the esketamine label's instruction; ask your clinic what applies to your treatment)."
)
BLANK = '<span class="blank"></span>'

CSS = """
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; max-width: 48rem;
       margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.35rem; margin: 0 0 .2rem; }
h2 { font-size: 1rem; margin: 1rem 0 .3rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: .35rem .5rem;
  text-align: left; vertical-align: top; } th { background: #f2f2f2; width: 12rem; }
.grid td { text-align: center; height: 1.6rem; } .grid th { width: auto; }
.blank { display: inline-block; min-width: 5rem; border-bottom: 1px solid #555; height: 1em; }
.box { display: inline-block; width: .9em; height: .9em; border: 1px solid #333; vertical-align: -.1em;
  margin: 0 1.2rem 0 .3rem; text-align: center; line-height: .9em; font-size: .8em; }
.grid td { width: 22%; } .grid tr + tr td { height: 2rem; }
.muted { color: #444; font-size: 11px; } .warn { border: 2px solid #333; padding: .4rem .6rem; margin-top: 1rem; }
@media print { body { margin: 0; max-width: none; font-size: 9.5pt; line-height: 1.3; }
  h1 { font-size: 14pt; } h2 { font-size: 10.5pt; margin: .6rem 0 .2rem; break-after: avoid; }
  th, td { padding: .2rem .45rem; } .grid tr + tr td { height: 1.6rem; }
  table, .warn { break-inside: avoid; } .warn { margin-top: .6rem; } }
"""


def _value(reading: dict) -> str:
    return "/".join(map(str, reading["value"])) if reading["what"] == "bp" else str(reading["value"])


def _cell(text: str | None) -> str:
    return escape(text) if text else BLANK


def _box(ticked: bool | None) -> str:
    return f'<span class="box">{"✓" if ticked else ""}</span>'


def _grid(session: Session | None) -> str:
    vitals = list(session.vitals) if session else []
    points = sorted({*GRID_POINTS, *(r["at"] for r in vitals)}, key=point_key)
    head = "".join(
        f"<th>{escape({0: 'Before dosing', 'end': 'Before leaving'}.get(p, point_label(p)))}</th>" for p in points
    )
    rows = []
    for what, label in GRID_ROWS:
        cells = []
        for point in points:
            found = [r for r in vitals if r["what"] == what and r["at"] == point]
            cells.append(f"<td>{escape(_value(found[0])) if found else ''}</td>")
        rows.append(f"<tr><th>{escape(label)}</th>{''.join(cells)}</tr>")
    return (
        f'<table class="grid"><tr><th>Reading</th>{head}</tr>{"".join(rows)}<tr><th>Time taken</th>'
        + ("<td></td>" * len(points))
        + "</tr></table>"
    )


def render(
    session: Session | None,
    *,
    template: Session | None = None,
    planned: date | None = None,
    who: str | None = None,
    paper: str = "a4",
) -> str:
    """The sheet of a logged ``session``; with None, a sheet for the next one, pre-filled from ``template``
    (the last session's protocol) and the ``planned`` day."""
    shown = session or template
    day = session.at.strftime("%Y-%m-%d %H:%M") if session else (planned.isoformat() if planned else None)
    title = f"Session {session.number}" if session and session.number else "Next session"
    facts = [
        ("Date and time", _cell(day)),
        ("Route", _cell(shown.route if shown else None)),
        ("Drug", _cell(shown.drug if shown else None)),
        ("Product", _cell(shown.product if shown else None)),
        ("Doses (minutes after the first)", _cell(shown.dose if shown else None)),
        ("Lot", _cell(session.lot if session else None)),
    ]
    if shown is not None and shown.sprays:
        facts.insert(5, ("Nasal devices", _cell(str(shown.sprays))))
    observed = set(session.observed) if session else set()
    observation_rows = "".join(
        f"<tr><th>{escape(name.replace('-', ' ').capitalize())}</th><td>Yes{_box(name in observed)}"
        f"No{_box(False)}</td></tr>"  # only what was observed is recorded: "no" is never inferred
        for name in OBSERVATIONS
    )
    ratings = [
        ("Mood before (0-10)", session.mood_before if session else None),
        ("Mood after (0-10)", session.mood_after if session else None),
        ("Sedation (0-10)", session.sedation if session else None),
        ("Dissociation (0-10)", session.dissociation if session else None),
    ]
    ready = f"after {session.ready_after_min} minutes" if session and session.ready_after_min is not None else None
    body = [
        f"<h1>{escape(title)}: monitoring record</h1>",
        f'<p class="muted">{escape(who) + " · " if who else ""}made with ketalog; for you and your clinic</p>',
        f"<h2>{'What was given' if session else 'What is planned (your last session, to check)'}</h2><table>"
        + "".join(f"<tr><th>{escape(label)}</th><td>{value}</td></tr>" for label, value in facts)
        + "</table>",
        "<h2>Vital signs</h2>" + _grid(session),
        "<h2>Observed by staff</h2><table>" + observation_rows + "</table>",
        "<h2>How it felt</h2><table>"
        + "".join(
            f"<tr><th>{escape(label)}</th><td>{_cell(None if value is None else str(value))}</td></tr>"
            for label, value in ratings
        )
        + f"<tr><th>Ready to leave</th><td>{_cell(ready)}</td></tr>"
        + f"<tr><th>Side effects</th><td>{_cell(', '.join(session.side_effects) if session else None)}</td></tr>"
        + f"<tr><th>Notes</th><td>{_cell(session.note if session else None)}</td></tr></table>",
        f'<p class="warn"><strong>{escape(NO_DRIVING)}</strong></p>',
        '<p class="muted">A record of what happened, not medical advice.</p>',
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}"
        f"@page {{ size: {PAGE_SIZES.get(paper, 'A4')}; margin: 12mm 14mm; }}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
