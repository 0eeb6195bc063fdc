"""The report model as rows of strings, shared by every format so they all say the same thing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.reading.model import Durability, Report
from ketalog.reading.rules import RATING_LABELS, RATING_THRESHOLD, WINDOW
from ketalog.render.sparkline import sparkline
from ketalog.render.text import count_of
from ketalog.session_record import point_key
from ketalog.timeparse import days_ago
from ketalog.validation import RATINGS

DISCLAIMER = (
    "ketalog shows what your own records say. It is not medical advice: bring it to your provider and decide together."
)

DOSE_CHANGES_SHOWN = 8  # the course line's dose history: its latest 8 runs of the same dose and route
TREND_SCORES = 26  # the questionnaire table's sparkline: the period's last 26 scores (a year, twice a month)
INSTRUMENT_HEADERS = ["Scale", "Baseline", "Latest", "Change", "Severity", "Outcome", "Difficulty", "Trend"]
RATING_HEADERS = ["Rating", "Baseline", f"Last {WINDOW.days} days", "Change", "Status", "Weekly"]
SESSION_HEADERS = [
    "Date",
    "Route",
    "Dose",
    "Min",
    "Therapy",
    "Dissoc.",
    "Side effects",
    "BP",
    "Intention · reflection",
]
REFLECTION_CHARS = 70  # the intention and the reflection's first line, cut so the table stays one line a session


def outcome(result) -> str:
    """Improved / worsened (by the MCID), response and remission, in plain words; or why there is no comparison."""
    if result.comparison == "no_baseline":
        return "no score in the 30 days before treatment"
    if result.comparison == "is_baseline":
        return "this score is the baseline"
    if result.comparison == "too_soon":
        return "too soon to compare"
    if result.change is None:
        return "no pair to compare yet"
    words = []
    if result.improved:
        words.append("improved")
    elif result.worsened:
        words.append("worse")
    elif result.improved is False:
        words.append("no meaningful change")
    elif result.some_improvement:
        words.append("some improvement")
    if result.response:
        words.append("score halved or better")
    if result.remission:
        words.append("remission")
    if result.baseline_kind == "early":
        words.append("early baseline")
    return ", ".join(words) or "—"


NOTHING_FLAGGED = "Nothing flagged."
NOT_ENOUGH = "Not enough data to judge yet."


def flags_empty_text(report: Report) -> str:
    """Said when there is nothing to discuss: "Nothing flagged." only when there was data to judge."""
    return NOTHING_FLAGGED if report.judged else NOT_ENOUGH


def durability_line(report: Report) -> str | None:
    """How long mood has stayed up after sessions, from logged days only (descriptive, never advice)."""
    return durability_text(report.durability, report.generated_at[:10])


def durability_text(d: Durability, today: str, *, short: bool = False) -> str | None:
    """The survival summary in words: "Half of the sessions kept mood up for at least N days (k ended with
    a dip, m still up when last seen)", and where the last session stands."""
    if d.last_session_days_ago is None:
        return None
    events, censored = d.events, d.censored
    counts = f"{count_of(events, 'session')} ended with a dip, {censored} still up when last seen"
    if d.km_median_days is not None:
        text = f"Half of the sessions kept mood up for at least {count_of(d.km_median_days, 'day')} ({counts})"
    elif d.at_least_days is not None and events + censored:
        text = (
            f"More than half of the sessions followed kept mood up for at least "
            f"{count_of(d.at_least_days, 'day')} ({counts})"
        )
    else:
        return None
    ci = d.ci95_days
    if ci and not short:
        text += f"; 95% interval {ci[0]} to {ci[1] if ci[1] is not None else 'not yet known'} days"
    last = d.last or {}
    if last.get("until") == "last_checkin" and last.get("last_checkin"):
        quiet = (date.fromisoformat(today) - date.fromisoformat(last["last_checkin"])).days
        if quiet > 3:
            text += (
                f". After the last session mood was still up at the last check-in ({last['last_checkin']}, "
                f"{count_of(last['days'], 'day')} after it); no check-in since"
            )
        else:
            text += f". Mood is still up {count_of(last['days'], 'day')} after the last session"
    if d.no_data and not short:
        text += f"; {count_of(d.no_data, 'session')} had no check-in before the next, and count for nothing"
    return text + f"; the last session was {days_ago(d.last_session_days_ago)}."


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+g}" if signed else f"{value:g}"


def _mean(value: float | None, signed: bool = False) -> str:
    """A mean rating: always one decimal, so 3.0 is never printed "3" beside "6.6"."""
    if value is None:
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


TITLE = "ketalog — treatment progress report"


DEMO = "DEMO DATA: a made-up 8-week journey, not a real person's record."


def for_text(who: str | None) -> str | None:
    """The header's "For Alex Doe · Calm Clinic" line, only when a name or clinic is set."""
    if who == DEMO:  # the demo's header says what it is, not whose it is
        return DEMO
    return f"For {who}." if who else None


def period_text(report: Report) -> str:
    """The real first and last days of the period, and when the page was made."""
    period = report.period
    generated = report.generated_at[:16].replace("T", " ")
    first, last = period.get("from"), period.get("to")
    if first is None:
        upto = f" up to {last}" if period.get("until") else ""
        return f"Period: nothing recorded yet{upto}. Generated {generated}."
    today = " (today)" if last == report.generated_at[:10] else ""
    return f"Period: {first} to {last}{today}. Generated {generated}."


def positive_days_ago(report: Report) -> int | None:
    """How many days before the report the latest answer above 0 in the period was given."""
    latest = report.safety.in_period_positive
    if latest is None:
        return None
    return (date.fromisoformat(report.generated_at[:10]) - date.fromisoformat(latest["at"][:10])).days


def safety_dated_line(report: Report) -> str | None:
    """The crisis notice's first line, dated: what was answered, when, and how long ago."""
    latest = report.safety.in_period_positive
    if latest is None:
        return None
    ago = positive_days_ago(report) or 0
    return (
        f"On {latest['at'][:10]} ({days_ago(ago)}) you answered {latest['answer']} to item {report.safety.item} "
        "of the PHQ-9 (thoughts that you would be better off dead or of hurting yourself in some way)."
    )


def safety_lines(report: Report) -> list[str]:
    """The safety section as plain lines: the dated notice, then every item-9 answer newest first (a later
    0 is read before the resources, not under them), then the crisis resources in the tense the answer's
    age calls for (when an answer above 0 lies in the period); else the item-9 line alone."""
    lines = []
    dated = safety_dated_line(report)
    item9 = item9_line(report)
    if dated:
        lines.append(dated)
    if item9:
        lines.append(item9)
    if dated:
        lines += crisis.lines(positive_days_ago(report))
    return lines


ITEM9_LISTED = 6  # up to this many answers are listed one by one
ITEM9_NOTABLE = 10  # beyond that, every answer above 0 or skipped is listed, the latest this many


def _item9_answer(answer: dict) -> str:
    return f"{answer['at'][:10]} " + ("not answered" if answer["answer"] is None else f"answered {answer['answer']}")


def _item9_answers(answers: list[dict]) -> str:
    """A few answers one by one; years of them as a count of zeros and, dated, every one that was not 0
    (the answers a clinician needs; a page of "answered 0" would hide them)."""
    if len(answers) <= ITEM9_LISTED:
        return "newest first: " + "; ".join(_item9_answer(a) for a in reversed(answers))
    zeros = sum(1 for a in answers if a["answer"] == 0)
    notable = [a for a in answers if a["answer"] != 0]
    text = f"{len(answers)} answers from {answers[0]['at'][:10]} to {answers[-1]['at'][:10]}, {zeros} of them 0"
    if notable:
        shown = notable[-ITEM9_NOTABLE:]
        earlier = len(notable) - len(shown)
        text += "; newest first: " + "; ".join(_item9_answer(a) for a in reversed(shown))
        if earlier:
            text += f" (and {earlier} earlier above 0 or not answered)"
    return text + f"; the latest {_item9_answer(answers[-1])}"


def item9_line(report: Report) -> str | None:
    """Every item-9 answer in the period with its date, and the last answer above 0 even before it."""
    safety = report.safety
    if safety.item is None:
        return None
    not_known = (
        f"PHQ-9 totals logged without answers on {', '.join(at[:10] for at in safety.not_known)}: "
        f"item {safety.item} not known."
        if safety.not_known
        else ""
    )
    if not safety.answers and safety.last_positive is None:
        return not_known or None
    line = f"PHQ-9 item {safety.item} in this period: " + (
        _item9_answers(safety.answers) if safety.answers else "no PHQ-9 with item answers"
    )
    last = safety.last_positive
    if last is None:
        line += f". No answer above 0 to item {safety.item} on record."
    else:
        before = report.period["since"] is not None and last["at"] < report.period["since"]
        line += f". Last answer above 0: {last['at'][:10]} ({last['answer']})" + (
            ", before this period." if before else "."
        )
    return f"{line} {not_known}".rstrip()


def course_lines(report: Report) -> list[str]:
    course = report.course
    if not course.sessions_total:
        return ["No treatment sessions logged yet: this report shows the pre-treatment picture."]
    routes = ", ".join(f"{route} × {count}" for route, count in course.routes.items()) or "none in period"
    doses = course.dose_history
    lines = []
    if course.number and course.started:
        of = f" of {course.courses}" if course.courses > 1 else ""
        lines.append(
            f"Course {course.number}{of}, started {course.started[:10]}: {course.phase}, "
            f"{count_of(course.sessions_in_course, 'session')} so far."
        )
    lines.append(
        f"Sessions: {course.sessions_in_period} in this period, {course.sessions_total} in all "
        f"(first {(course.first_session or '')[:10]})."
    )
    lines.append(f"Routes in this period: {routes}.")
    if course.planned_in_period:
        lines.append(
            f"Plan: {course.planned_done} of the {count_of(course.planned_in_period, 'session')} planned "
            "up to now were logged."
        )
    if doses:
        shown = doses[-DOSE_CHANGES_SHOWN:]
        earlier = sum(n for _, n in doses[: len(doses) - len(shown)])
        lines.append(
            "Dose history: "
            + (f"{count_of(earlier, 'earlier session')} → " if earlier else "")
            + " → ".join(f"{label} ×{n}" for label, n in shown)
            + "."
        )
    if course.cost_in_period is not None:
        lines.append(f"Logged session costs in this period: {course.cost_in_period:,.2f}.")
    if course.last_session and course.days_since_last_session is not None:
        lines.append(f"Last session {course.last_session[:10]}, {days_ago(course.days_since_last_session)}.")
    durability = durability_line(report)
    if durability:
        lines.append(durability)
    return lines


def instrument_rows(report: Report) -> list[list[str]]:
    from ketalog.render.survey import cutoff_text

    rows = []
    for instrument_id, result in report.instruments.items():
        instrument = inst.INSTRUMENTS.get(instrument_id)
        known = instrument or inst.CLINICIAN_SCALES.get(instrument_id)
        severity = result.severity or "—"
        if instrument and instrument.cutoff is not None and result.latest is not None and not instrument.bands:
            severity = cutoff_text(instrument, result.latest)
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
                result.difficulty or "—",
                sparkline(
                    [total for _, total in result.history][-TREND_SCORES:], 0, known.max_total if known else None
                ),
            ]
        )
    return rows


def _moved_item(row: dict, names: tuple[str, ...]) -> str:
    name = f" ({names[row['item'] - 1]})" if names else ""
    return f"{row['item']}{name} {row['change']:+d}"


def item_lines(report: Report) -> list[str]:
    """The questionnaire items that moved by 2 or more since the baseline, in one line: "PHQ-9 2 (low mood) -2,
    4 (energy) -3; GAD-7 1 (nervous) -3"."""
    parts = []
    for key, result in report.instruments.items():
        names = inst.INSTRUMENTS[key].item_names if key in inst.INSTRUMENTS else ()
        moved = [
            _moved_item(row, names)
            for row in result.items
            if row["change"] is not None and abs(row["change"]) >= inst.ITEM_MOVE
        ]
        if moved:
            parts.append(f"{result.name} {', '.join(moved)}")
    return [f"Items that moved {inst.ITEM_MOVE}+ since the baseline: {'; '.join(parts)}."] if parts else []


def instrument_dates(report: Report) -> list[str]:
    """When each baseline and latest score was taken (kept out of the table so it fits 80 columns)."""
    lines = []
    for result in report.instruments.values():
        parts = [
            f"baseline {result.baseline_at[:10]}" if result.baseline_at else "",
            f"latest {result.latest_at[:10]}" if result.latest_at else "no score in this period",
            f"{count_of(result.count, 'score')} in this period",
        ]
        if result.latest_prorated:
            parts.append("the latest total is prorated (an item was not answered)")
        if result.incomplete:
            parts.append(f"{result.incomplete} incomplete (too many items skipped to score)")
        lines.append(f"{result.name}: " + ", ".join(part for part in parts if part) + ".")
    return lines


def rating_rows(report: Report) -> list[list[str]]:
    return [
        [
            RATING_LABELS[name],
            _mean(r.baseline),
            _mean(r.recent),
            _mean(r.change, signed=True),
            r.status.replace("_", " "),  # "different scale": words, so a narrow column wraps between them
            sparkline(r.series, 0, 10),
        ]
        for name, r in report.ratings.items()
    ]


SESSIONS_SHOWN = 20  # one page: the most recent sessions; JSON keeps them all


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bp_cell(session: dict) -> str:
    """'128/82→152/94@40→134/86@end' from timed readings; 'before→after' for a session without them."""
    readings = sorted((r for r in session.get("vitals") or [] if r["what"] == "bp"), key=lambda r: point_key(r["at"]))
    if not readings:
        return "→".join(part for part in (session["bp_before"], session["bp_after"]) if part)
    return "→".join("/".join(map(str, r["value"])) + ("" if r["at"] in (0, None) else f"@{r['at']}") for r in readings)


def session_rows(report: Report) -> list[list[str]]:
    rows = []
    for s in report.sessions[-SESSIONS_SHOWN:]:
        words = " · ".join(part for part in (s.get("intention"), s.get("reflection")) if part)
        bp = _bp_cell(s)
        therapy = {True: "yes", False: "no"}.get(s.get("therapy"), "—")  # type: ignore[arg-type]
        rows.append(
            [
                s["at"][:10],
                s["route"] + (f" {s['drug']}" if s.get("drug") and s["drug"] != "ketamine" else ""),
                s["dose"] or "—",
                _num(s.get("duration_min")),
                therapy,
                _num(s["dissociation"]),
                ", ".join(s["side_effects"]) or "—",
                bp or "—",
                _cut(words, REFLECTION_CHARS) or "—",
            ]
        )
    return rows


_EVENT_WORDS = {"start": "started", "change": "changed to", "stop": "stopped"}
EVENT_SHORT = {"start": "started", "change": "→", "stop": "stopped"}  # the chart's mark labels


def medication_lines(report: Report) -> list[str]:
    """Current medicines, dated changes in the period, as-needed doses on session days; empty when none."""
    from ketalog.medicines import label

    meds = report.medications
    lines = []
    if meds.current:
        lines.append(
            "Current: "
            + "; ".join(
                " ".join(part for part in (m["name"], f"({label(m['class'])})", m["dose"], m["schedule"]) if part)
                + (f", since {m['since'][:10]}" if m["since"] else "")
                for m in meds.current
            )
            + "."
        )
    if meds.changes:
        lines.append(
            "Changes in this period: "
            + "; ".join(
                f"{c['at'][:10]} {c['name']} {_EVENT_WORDS[c['event']]}"
                + "".join(f" {part}" for part in (c["dose"], c["schedule"]) if part and c["event"] != "stop")
                for c in meds.changes
            )
            + "."
        )
    if meds.taken:
        lines.append(
            "Doses logged in this period: "
            + "; ".join(
                " ".join(part for part in (t["name"], f"({label(t['class'])})", t["dose"]) if part)
                + f" ×{t['doses']}, last {t['last'][:10]}"
                for t in meds.taken
            )
            + "."
        )
    if meds.on_session_days:
        lines.append(
            "As-needed doses on session days: "
            + "; ".join(
                f"{t['at'][:16].replace('T', ' ')} {t['name']}{' ' + t['dose'] if t['dose'] else ''}"
                for t in meds.on_session_days
            )
            + "."
        )
    return lines


def sessions_note(report: Report) -> str:
    """Said under the table when older sessions of the period are left out of the page."""
    in_period = report.course.sessions_in_period
    hidden = in_period - SESSIONS_SHOWN
    return (
        (
            f"The {SESSIONS_SHOWN} most recent of {in_period} sessions in this period; "
            "`--since` narrows the period, `--format json` lists them all."
        )
        if hidden > 0
        else ""
    )


# How each app's ratings reached 0-10 (the importers' mappings, README "Bringing data in from other apps").
IMPORTED_SCALES = {
    "daylio": "Daylio (5 levels mapped to 0, 2, 5, 8, 10)",
    "emoods": "eMoods (4 levels of severity mapped to 0–10)",
    "pixels": "Pixels (5 levels mapped to 0–10)",
}


def rating_note(report: Report) -> str:
    """Under the ratings table: what is there to compare (no course, stale check-ins), then how to read it."""
    notes = []
    if not report.course.number:
        notes.append("No treatment session yet: these are the pre-treatment ratings, with no baseline to compare.")
    gap = baseline_gap(report)
    if gap:
        notes.append(gap)
    imported = sorted({r.baseline_source for r in report.ratings.values() if r.baseline_source != "ketalog"})
    if imported:
        apps = ", ".join(IMPORTED_SCALES.get(app, f"{app.capitalize()} (its scale mapped to 0–10)") for app in imported)
        notes.append(
            f"Baselines from {apps}: another app's scale is not compared with ketalog's own ratings "
            "(“different scale”) unless you confirm it: `ketalog config set trust-imported-scale true`."
        )
    days = report.last_checkin_days_ago
    if days is None:
        notes.append("No check-ins yet.")
    elif days >= WINDOW.days:
        notes.append(f"No check-in in the last {WINDOW.days} days: the last was {days} days ago.")
    return " ".join([*notes, rating_direction_note()])


def baseline_gap(report: Report) -> str:
    """Why there is no pre-treatment baseline when check-ins (often another app's, imported) end before the
    rule's window: else the years someone brought along would seem to have been ignored."""
    course, before = report.course, report.course.checkin_before_start
    has_baseline = any(rating.baseline_kind == "pre_treatment" for rating in report.ratings.values())
    if not course.number or not course.started or before is None or has_baseline:
        return ""
    gap = (date.fromisoformat(course.started[:10]) - date.fromisoformat(before[:10])).days
    if gap < WINDOW.days:
        return ""
    return (
        f"No pre-treatment baseline: a baseline is the {WINDOW.days} days before the course began "
        f"({course.started[:10]}), and the last check-in before it was on {before[:10]}, {gap} days earlier."
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


# One ordered list of the report's sections -------------------------------------------------------
#
# Every format walks SECTIONS in order (provider first: safety, the course, what to discuss, then the
# measures, the signs, medicines, sessions and notes), so a section's title, order and empty text are
# written once; a renderer only knows how to draw each kind of block.

NO_SIGNS = "None of the signs shows clearly yet."


@dataclass(frozen=True)
class Block:
    """What one section shows: lines, findings, a table (with its note) or dated notes."""

    lines: Sequence[str] = ()
    findings: Sequence = ()
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    note: str = ""
    items: Sequence[tuple[str, str]] = ()  # (date, text)
    wraps: frozenset[str] = frozenset()  # the table's free-text columns: the only ones that may wrap


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    kind: str  # safety | lines | findings | table | items
    build: Callable[[Report], Block | None]  # None: nothing to show
    empty: Callable[[Report], str] | None = None  # said when there is nothing; None leaves the section out
    tone: str = "plain"  # plain | discuss | good: how a renderer may mark its heading


def _safety(report: Report) -> Block | None:
    """The item-9 line on its own; none while the crisis notice is shown, which carries it (every format
    draws that notice in its own way, before the sections)."""
    line = item9_line(report)
    return Block(lines=[line]) if line and not report.safety.notice else None


def _instruments(report: Report) -> Block | None:
    if not report.instruments:
        return None
    note = "\n".join(instrument_dates(report) + item_lines(report))
    return Block(headers=INSTRUMENT_HEADERS, rows=instrument_rows(report), note=note, wraps=INSTRUMENT_WRAPS)


def _sessions(report: Report) -> Block | None:
    if not report.sessions:
        return None
    note = "\n".join(filter(None, [sessions_note(report), *integration_lines(report)]))
    return Block(headers=SESSION_HEADERS, rows=session_rows(report), note=note, wraps=SESSION_WRAPS)


def _answer(value) -> str:
    return "—" if value is None else str(value).replace("-", " ")


LONG_TERM_HEADERS = (
    "Date", "Voids day/night", "Urgency", "Pain passing", "Blood", "Belly pain", "Memory", "Use outside",
    "Craving", "More than Rx",
)  # fmt: skip


def _long_term(report: Report) -> Block | None:
    """The follow-ups of the last six months as a table, and the period's lab results below it (by date);
    lab results alone make a small table of their own."""
    labs = lab_lines(report)
    if not report.followups:
        if not labs:
            return None
        return Block(headers=LAB_HEADERS, rows=[line.split(": ", 1) for line in labs], wraps=frozenset(LAB_HEADERS))
    from ketalog.followup import LABEL

    rows = [
        [
            row["at"][:10],
            f"{_answer(row['day_voids'])}/{_answer(row['night_voids'])}",
            *(_answer(row[column]) for column in ("urgency", "pain_passing", "blood_in_urine", "suprapubic_pain")),
            *(_answer(row[column]) for column in ("memory", "use_outside", "craving", "more_than_prescribed")),
        ]
        for row in report.followups
    ]
    note = f"The last 6 months; {LABEL}; 0–10; — skipped."
    if labs:
        note += "\n" + f"{LAB_HEADERS[1]}: " + "; ".join(labs)
    return Block(headers=LONG_TERM_HEADERS, rows=rows, note=note)


LAB_HEADERS = ("Date", "Lab results (range your lab printed)")


def lab_lines(report: Report) -> list[str]:
    """One line per date: 'ALT 62 U/L (7–56, outside the range your lab printed), AST 24 U/L (10–40)'."""
    by_day: dict[str, list[str]] = {}
    for lab in report.labs:
        ends = ["" if end is None else f"{end:g}" for end in lab["range"] or ()]
        printed = "–".join(ends)
        if lab["outside_range"]:
            printed += ", outside the range your lab printed"
        text = f"{lab['name']} {lab['value']:g} {lab['unit']}" + (f" ({printed})" if printed else "")
        by_day.setdefault(lab["at"][:10], []).append(text)
    return [f"{day}: {', '.join(texts)}" for day, texts in by_day.items()]


def phone_lines(report: Report) -> list[str]:
    """The phone's last 14 days beside what was logged, and home blood pressure as facts."""
    from ketalog.blood_pressure import BP_BEFORE, BP_CRISIS, EMERGENCY_SIGNS
    from ketalog.formats.health import METRICS, SOURCE_NAMES

    phone = report.phone or {}
    lines = []
    parts = []
    order = list(METRICS)
    for row in sorted(phone.get("metrics", []), key=lambda r: (order.index(r["metric"]), r["source"])):
        unit, name = METRICS[row["metric"]]
        label = f"{name[0].upper()}{name[1:]} ({SOURCE_NAMES[row['source']]})"
        if row["metric"] == "mindful_minutes":
            parts.append(f"{label} {row['total']:g} min in all ({count_of(row['days'], 'day')})")
        elif row["metric"] == "sleep_hours":
            parts.append(f"{label} {row['mean']:g} h a night ({count_of(row['days'], 'night')})")
        else:
            parts.append(f"{label} {row['mean']:g} {unit} ({count_of(row['days'], 'day')})")
    if parts:
        typed = phone.get("sleep_checkin")
        slept = sum(row["metric"] == "sleep_hours" for row in phone["metrics"])
        if typed and slept:  # beside the phone's sleep, never merged with it
            parts.insert(slept, f"Sleep (check-in) {typed['mean']:g} h ({count_of(typed['checkins'], 'check-in')})")
        lines.append(f"Last {phone['window_days']} days: " + "; ".join(parts) + ".")
    home = phone.get("home_bp", [])
    if home:
        latest = home[-1]
        lines.append(
            f"Home blood pressure: {len(home)} reading{'s' if len(home) != 1 else ''} in this period, latest "
            f"{latest['systolic']}/{latest['diastolic']} on {latest['at'][:10]}."
        )
    for reading in home:
        value = f"{reading['systolic']}/{reading['diastolic']} at home on {reading['at'][:10]}"
        if reading["level"] == "crisis":
            lines.append(
                f"{value} is in the hypertensive-crisis range ({BP_CRISIS[0]}/{BP_CRISIS[1]} or higher, American "
                f"Heart Association): tell your provider about it. {EMERGENCY_SIGNS}"
            )
        elif reading["level"] == "raised":
            lines.append(
                f"{value}, in the days before the session of {reading['session'][:10]}, is above "
                f"{BP_BEFORE[0]}/{BP_BEFORE[1]}, the esketamine label's example of an elevated baseline before "
                "dosing (a guide, not a cutoff): worth mentioning at the session."
            )
    return lines


def integration_lines(report: Report) -> list[str]:
    """Each session's integration reflections on one line, under the sessions table."""
    return [
        f"Reflections on session {group['session']} ({group['at'][:10]}): "
        + " · ".join(f"day {r['day'][1:]}: {_cut(r['text'], REFLECTION_CHARS)}" for r in group["reflections"])
        for group in report.integration
    ]


SESSION_WRAPS = frozenset({"Side effects", "Intention · reflection"})
INSTRUMENT_WRAPS = frozenset({"Severity", "Outcome", "Difficulty"})
RATING_WRAPS = frozenset({"Rating"})

SECTIONS: tuple[Section, ...] = (
    Section("safety", "Safety", "safety", _safety),
    Section("course", "Course", "lines", lambda r: Block(lines=course_lines(r))),
    Section(
        "discuss",
        "To discuss with your provider",
        "findings",
        lambda r: Block(findings=r.flags) if r.flags else None,
        flags_empty_text,
        "discuss",
    ),
    Section("questionnaires", "Questionnaires", "table", _instruments),
    Section(
        "ratings",
        "Daily ratings",
        "table",
        lambda r: Block(headers=RATING_HEADERS, rows=rating_rows(r), note=rating_note(r), wraps=RATING_WRAPS),
    ),
    Section(
        "signs",
        "Signs of progress",
        "findings",
        lambda r: Block(findings=r.signs) if r.signs else None,
        lambda r: NO_SIGNS,
        "good",
    ),
    Section(
        "better_days",
        "What went with better days",
        "lines",
        lambda r: Block(lines=r.better_days) if r.better_days else None,  # nothing found: nothing said
    ),
    Section(
        "medications", "Medications", "lines", lambda r: Block(lines=lines) if (lines := medication_lines(r)) else None
    ),
    Section("longterm", "Long-term checks", "table", _long_term),
    Section("phone", "From your phone", "lines", lambda r: Block(lines=lines) if (lines := phone_lines(r)) else None),
    Section("sessions", "Sessions", "table", _sessions),
    Section(
        "journal",
        "From your journal",
        "items",
        lambda r: Block(items=[(j["at"][:10], j["text"]) for j in r.journal]) if r.journal else None,
    ),
)


def sections(report: Report, only: Sequence[str] | None = None) -> list[tuple[Section, Block | None, str]]:
    """(section, block, empty text) in page order, leaving out the sections with nothing to say."""
    shown = []
    for section in SECTIONS:
        if only is not None and section.id not in only:
            continue
        block = section.build(report)
        if block is None and section.empty is None:
            continue
        shown.append((section, block, section.empty(report) if block is None and section.empty else ""))
    return shown
