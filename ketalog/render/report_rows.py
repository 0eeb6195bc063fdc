"""The report model as rows of strings, shared by every format so they all say the same thing."""

from __future__ import annotations

from ketalog import instruments as inst
from ketalog.progress import RATING_LABELS, RATING_THRESHOLD, WINDOW, Report
from ketalog.render.sparkline import sparkline
from ketalog.validation import RATINGS

DISCLAIMER = (
    "ketalog shows what your own records say. It is not medical advice: bring it to your provider and decide together."
)

INSTRUMENT_HEADERS = ["Scale", "Baseline", "Latest", "Change", "Severity", "Outcome", "Trend"]
RATING_HEADERS = ["Rating", "Baseline", f"Last {WINDOW.days} days", "Change", "Status", "Weekly"]
SESSION_HEADERS = ["Date", "Route", "Dose", "Dissociation", "Side effects", "BP before", "BP after"]


def outcome(result) -> str:
    """Improved / worsened (by the MCID), response and remission, in words."""
    if result.change is None:
        return "no pair to compare yet"
    words = []
    if result.improved:
        words.append("improved")
    elif result.worsened:
        words.append("worse")
    elif result.improved is False:
        words.append("no meaningful change")
    if result.response:
        words.append("response")
    if result.remission:
        words.append("remission")
    return ", ".join(words) or "—"


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+g}" if signed else f"{value:g}"


TITLE = "ketalog — treatment progress report"


def period_text(report: Report) -> str:
    since, until = report.period["since"], report.period["until"]
    span = f"{since[:10] if since else 'the beginning'} to {until[:10] if until else 'now'}"
    return f"Period: {span}. Generated {report.generated_at[:16].replace('T', ' ')}."


def course_lines(report: Report) -> list[str]:
    course = report.course
    if not course["sessions_total"]:
        return ["No treatment sessions logged yet."]
    routes = ", ".join(f"{route} × {count}" for route, count in course["routes"].items()) or "none in period"
    doses: list[tuple[str, int]] = []
    for session in report.sessions:
        label = f"{session['dose']} {session['route']}" if session["dose"] else session["route"]
        if not doses or doses[-1][0] != label:
            doses.append((label, 1))
        else:
            doses[-1] = (label, doses[-1][1] + 1)
    lines = [
        f"Sessions: {course['sessions_in_period']} in this period, {course['sessions_total']} in the course "
        f"(first {course['first_session'][:10]}).",
        f"Routes in this period: {routes}.",
    ]
    if doses:
        lines.append("Dose history: " + " → ".join(f"{label} ×{n}" for label, n in doses) + ".")
    if course["last_session"]:
        lines.append(f"Last session {course['last_session'][:10]}, {course['days_since_last_session']} days ago.")
    return lines


def instrument_rows(report: Report) -> list[list[str]]:
    rows = []
    for instrument_id, result in report.instruments.items():
        instrument = inst.INSTRUMENTS.get(instrument_id)
        severity = result.severity or "—"
        if instrument and instrument.cutoff is not None and result.latest is not None and not instrument.bands:
            relation = ">=" if result.latest >= instrument.cutoff else "<"
            severity = f"{relation} cutoff {instrument.cutoff}"
        change = (
            "—"
            if result.change is None
            else f"{result.change:+g}" + (f" ({result.change_pct:+.0f}%)" if result.change_pct is not None else "")
        )
        rows.append(
            [
                result.name,
                _num(result.baseline),
                _num(result.latest),
                change,
                severity,
                outcome(result),
                sparkline([total for _, total in result.history], 0, instrument.max_total if instrument else None),
            ]
        )
    return rows


def instrument_dates(report: Report) -> list[str]:
    """When each baseline and latest score was taken (kept out of the table so it fits 80 columns)."""
    lines = []
    for result in report.instruments.values():
        parts = [
            f"baseline {result.baseline_at[:10]}" if result.baseline_at else "",
            f"latest {result.latest_at[:10]}" if result.latest_at else "no score in this period",
            f"{result.count} score{'s' if result.count != 1 else ''} in this period",
        ]
        lines.append(f"{result.name}: " + ", ".join(part for part in parts if part) + ".")
    return lines


def rating_rows(report: Report) -> list[list[str]]:
    return [
        [
            RATING_LABELS[name],
            _num(r.baseline),
            _num(r.recent),
            _num(r.change, signed=True),
            r.status,
            sparkline(r.series, 0, 10),
        ]
        for name, r in report.ratings.items()
    ]


SESSIONS_SHOWN = 20  # one page: the most recent sessions; JSON keeps them all


def session_rows(report: Report) -> list[list[str]]:
    return [
        [
            s["at"][:10],
            s["route"],
            s["dose"] or "—",
            _num(s["dissociation"]),
            ", ".join(s["side_effects"]) or "—",
            s["bp_before"] or "—",
            s["bp_after"] or "—",
        ]
        for s in report.sessions[-SESSIONS_SHOWN:]
    ]


def sessions_note(report: Report) -> str:
    """Said under the table when older sessions of the period are left out of the page."""
    hidden = len(report.sessions) - SESSIONS_SHOWN
    return (
        (
            f"The {SESSIONS_SHOWN} most recent of {len(report.sessions)} sessions in this period; "
            "`--since` narrows the period, `--format json` lists them all."
        )
        if hidden > 0
        else ""
    )


def rating_direction_note() -> str:
    def names(higher: bool) -> str:
        words = [
            r.label.lower().replace("negative ", "").replace(" quality", "")
            for r in RATINGS.values()
            if r.higher_is_better == higher
        ]
        return ", ".join(words[:-1]) + " and " + words[-1]

    return (
        f"Ratings are 0–10. Higher is better for {names(True)}; lower is better for {names(False)}. "
        f'"better"/"worse" means a change of {RATING_THRESHOLD:g} points or more.'
    )
