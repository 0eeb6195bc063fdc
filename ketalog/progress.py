"""The progress engine: records in, one report model out. Pure functions, no I/O.

Every rule is written down, with its source, in docs/progress-rules.md and
implemented exactly here: courses and baselines, questionnaire comparisons,
daily-rating windows, how long mood stays up after sessions, signs of progress,
and the things to discuss with a provider. Renderers (terminal, Markdown, HTML,
JSON) only present the ``Report`` built here. ketalog describes; it never advises.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ketalog import crisis, medicines
from ketalog import instruments as inst
from ketalog.courses import SCORE_LOOKBACK, Course, course_at, days_between
from ketalog.models import Checkin, ReportInputs, Session, Survey, TrendInputs
from ketalog.timeparse import days_ago
from ketalog.validation import RATING_NAMES, RATINGS

HIGHER_IS_BETTER = {name: rating.higher_is_better for name, rating in RATINGS.items()}
RATING_LABELS = {name: rating.label for name, rating in RATINGS.items()}

# Daily ratings (product rules; reference section 2 for the 2-point threshold)
RATING_THRESHOLD = 2.0  # points on a 0-10 rating that count as a real change
WINDOW = timedelta(days=14)  # baseline and recent windows for daily ratings
MIN_CHECKINS = 3  # a window needs this many check-ins with the rating to say anything
DRIFT_WINDOW = timedelta(days=7)  # "mood drifting back": the last 7 days...
DRIFT_MARGIN = 1.0  # ...averaging no more than 1 point above baseline
STEADIER_SD_DROP = 1.0
RELIEF_BEFORE = timedelta(hours=72)
RELIEF_AFTER = timedelta(hours=48)
RELIEF_MIN_SESSIONS = 2
RELIEF_MIN_LIFT = 1.0

# Questionnaires (reference section 5)
SCORE_EARLY_AFTER = timedelta(days=7)  # else the first score in the first 7 days: an "early" baseline
COMPARE_AFTER = timedelta(days=7)  # a comparison needs the latest score >= 7 days after the baseline
SOME_IMPROVEMENT_FALL = 0.20  # "some improvement": the MCID, or a fall of 20% (Transl Psychiatry 2024)
SYMPTOM_RETURN_INSTRUMENTS = ("phq9", "gad7", *(key for key, s in inst.CLINICIAN_SCALES.items() if s.outcome))
RECALL_COMPARE = {"pcl5": timedelta(days=30)}  # PCL-5 asks about the past month

# Reassess (product rule on reference section 5; esketamine judged at week 4, section 3)
REASSESS = {"default": (6, timedelta(days=21)), "intranasal": (8, timedelta(days=28))}
# ...and only in the early window of a course: after that, "no improvement yet" is no longer the question
REASSESS_UNTIL = (10, timedelta(days=60))  # at most this many sessions and days into the course
MOOD_FLOOR = 6.0  # a mood baseline above this has too little room to show improvement: no evidence either way
# Mood in the hours after a dose is the drug's acute effect, not the outcome (reference section 5, product rule)
ACUTE_AFTER = timedelta(hours=12)

# Flags (reference section 5)
BP_BEFORE = (140, 90)  # before dosing: strictly above is the label's example of an elevated baseline
BP_AFTER = (160, 100)  # after dosing: at or above is ketalog's product threshold (JNC 7 stage 2 range)
BP_CRISIS = (180, 120)  # any reading at or above: the AHA hypertensive-crisis range
HEART_RATE_HIGH = 120  # at or above: product threshold
HEART_RATE_LOW = 50  # below: product threshold
DISSOCIATION_RISE = 3.0  # mean of the last 3 sessions this far above the mean of the course's first 3
DISSOCIATION_SESSIONS = 3
# How long mood stays up, mood after sessions and mood drifting back read a course's last two years:
# the same answer for any course shorter than that, and a report that costs the same in the fiftieth
# year of maintenance as in the first (product rule; docs/progress-rules.md).
COURSE_HORIZON = timedelta(days=730)


# Which item of which questionnaire is the safety item (PHQ-9 item 9): the store finds the latest answer
# above 0 by it, whatever the period.
SAFETY_ITEMS = {key: instrument.safety_item for key, instrument in inst.INSTRUMENTS.items() if instrument.safety_item}


def horizon_start(inputs: ReportInputs) -> datetime | None:
    """Where the course-wide rules start reading: the course start, or two years before the period end."""
    course = inputs.course
    return max(course.started, inputs.end - COURSE_HORIZON) if course is not None else None


# Bladder or urinary symptoms (ketamine-associated uropathy): the words that raise it, in any note.
BLADDER_WORDS = ("bladder", "urin", "pee", "blood in", "cystitis", "uti", "dysuria", "haematuria", "hematuria")
_BLADDER = re.compile(
    r"\bbladder|\burin(e|ary|ating|ation|ate)\b|\bpee(ing)?\b|\bblood in (my |the )?(urine|pee)\b|\bcystitis\b"
    r"|\butis?\b|\bdysuria\b|\bh(a)?ematuria\b",
    re.IGNORECASE,
)
SPARKLINE_WEEKS = 26  # weekly means shown in the ratings sparklines
MEDICATION_NEAR = timedelta(hours=medicines.NEAR_SESSION_HOURS)  # as-needed doses "around" a session


@dataclass
class InstrumentResult:
    name: str
    baseline: int | None
    baseline_at: str | None
    latest: int | None
    latest_at: str | None
    change: float | None
    change_pct: float | None
    severity: str | None
    improved: bool | None
    worsened: bool | None
    response: bool | None
    remission: bool | None
    count: int
    history: list[tuple[str, int]] = field(default_factory=list)  # (ISO time, total) in the period
    difficulty: str | None = None  # the latest score's answer to the unscored difficulty question
    incomplete: int = 0  # scores in the period with too many items skipped to total
    latest_prorated: bool = False  # the latest total was prorated (some items not answered)
    baseline_kind: str = "none"  # pre_treatment | early | none
    comparison: str = "none"  # compared | too_soon | no_baseline | no_latest
    some_improvement: bool | None = None  # the MCID, or a fall of at least 20%

    @property
    def has_pair(self) -> bool:
        return self.change is not None

    def to_json(self) -> dict:
        # Field by field, not asdict(): that deep-copies the history (every score of the period) only to drop it.
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("name", "history")}


@dataclass
class RatingResult:
    baseline: float | None
    recent: float | None
    change: float | None
    status: str  # better | worse | steady | insufficient
    series: list[float] = field(default_factory=list)  # weekly means in the period, for sparklines
    baseline_kind: str = "none"  # pre_treatment | early | insufficient | none (no course)
    recent_checkins: int = 0
    baseline_source: str = "ketalog"  # the app most (> 50%) of the baseline's check-ins came from

    def to_json(self) -> dict:
        return {
            "baseline": self.baseline,
            "recent": self.recent,
            "change": self.change,
            "status": self.status,
            "baseline_kind": self.baseline_kind,
            "recent_checkins": self.recent_checkins,
            "baseline_source": self.baseline_source,
        }


@dataclass
class Finding:
    """A sign of progress or a thing to discuss: an id, a plain title, and its evidence."""

    id: str
    title: str
    detail: str
    # What it speaks of (ratings and instrument ids), so the reconciliation can keep the picture one:
    # never shown, never in the JSON.
    about: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "detail": self.detail}


@dataclass
class SafetyFacts:
    """PHQ-9 item 9 over time: every answer in the period, the last answer above 0 (even before the
    period), and the times it was left unanswered."""

    item: int | None = None  # which item is the safety item (9), when any score has one
    answers: list[dict] = field(default_factory=list)  # [{at, answer}] in the period; answer None = skipped
    last_positive: dict | None = None  # {at, answer}
    unanswered: list[str] = field(default_factory=list)
    in_period_positive: dict | None = None  # the latest answer above 0 in the period: the notice is dated by it
    not_known: list[str] = field(default_factory=list)  # PHQ-9 totals logged without answers: item 9 unknown

    @property
    def notice(self) -> bool:
        return self.in_period_positive is not None

    def to_json(self) -> dict:
        return {
            "item9": self.answers,
            "last_positive": self.last_positive,
            "unanswered": self.unanswered,
            "not_known": self.not_known,
            "crisis_resources": crisis.as_json() if self.notice else None,
        }


@dataclass
class Report:
    generated_at: str
    period: dict
    course: dict
    instruments: dict[str, InstrumentResult]
    ratings: dict[str, RatingResult]
    signs: list[Finding]
    flags: list[Finding]
    side_effects: dict[str, int]
    sessions: list[dict]
    journal: list[dict]
    safety: SafetyFacts = field(default_factory=SafetyFacts)
    durability: dict = field(default_factory=dict)
    judged: bool = False  # there was data to judge (a course, or ratings/scores in the period)
    last_checkin_days_ago: int | None = None  # the last check-in at or before the period end
    medications: dict = field(
        default_factory=lambda: {"current": [], "changes": [], "taken": [], "on_session_days": []}
    )

    def to_json(self) -> dict:
        return {
            "generated_at": self.generated_at,
            "period": self.period,
            "course": self.course,
            "instruments": {key: value.to_json() for key, value in self.instruments.items()},
            "ratings": {key: value.to_json() for key, value in self.ratings.items()},
            "signs": [sign.to_json() for sign in self.signs],
            "flags": [flag.to_json() for flag in self.flags],
            "side_effects": self.side_effects,
            "sessions": self.sessions,
            "journal": self.journal,
            "safety": self.safety.to_json(),
            "durability": self.durability,
            "medications": self.medications,
        }


# Small helpers -----------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment else None


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _in_period(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment < until)


def _values(checkins: list[Checkin], name: str) -> list[int]:
    return [getattr(c, name) for c in checkins if getattr(c, name) is not None]


def _rated(checkins: list[Checkin], name: str) -> list[Checkin]:
    return [c for c in checkins if getattr(c, name) is not None]


def instrument_name(instrument_id: str) -> str:
    return inst.display_name(instrument_id)


# Questionnaires ---------------------------------------------------------------------


def score_baseline(scores: list[Survey], course_start: datetime | None) -> tuple[Survey | None, str]:
    """The course's baseline score: the last in the 30 days up to the course start (`pre_treatment`), else
    the first in the 7 days after it (`early`), else none. No course: none."""
    if course_start is None:
        return None, "none"
    before = [s for s in scores if course_start - SCORE_LOOKBACK <= s.at <= course_start]
    if before:
        return before[-1], "pre_treatment"
    early = [s for s in scores if course_start < s.at <= course_start + SCORE_EARLY_AFTER]
    if early:
        return early[0], "early"
    return None, "none"


def meets_caseness(instrument_id: str, baseline: float) -> bool:
    """Response and remission are defined only for people who started ill (reference section 5): PHQ-9 and
    GAD-7 at 10, the clinician scales at their moderate band (MADRS 20, QIDS-SR16 11, HAM-D17 17, BDI-II 20)."""
    threshold = inst.caseness(instrument_id)
    return threshold is None or baseline >= threshold


def compare_with_baseline(scores: list[Survey], latest: Survey | None, course_start, directions=None):
    """(baseline, kind, comparison, change) for ``latest`` among one instrument's scored ``scores``.

    The one answer to "how does this score compare", used by the report and by the survey
    command right after a questionnaire is saved. ``comparison``: compared, too_soon,
    no_baseline or no_latest. Response and remission stay None unless the baseline met caseness.
    """
    baseline, kind = score_baseline(scores, course_start)
    if latest is None:
        return baseline, kind, "no_latest", None
    if baseline is None:
        return None, kind, "no_baseline", None
    if latest.id == baseline.id:
        return baseline, kind, "is_baseline", None
    if latest.at - baseline.at < compare_after(latest.instrument):
        return baseline, kind, "too_soon", None
    change = inst.compare(latest.instrument, baseline.total, latest.total, (directions or {}).get(latest.instrument))
    if not meets_caseness(latest.instrument, baseline.total):
        change = inst.Change(change.change, change.change_pct, change.improved, change.worsened, None, None)
    return baseline, kind, "compared", change


def compare_after(instrument_id: str) -> timedelta:
    """A score is compared with baseline only once their recall periods no longer overlap (reference
    section 5): 7 days for the 2-week questionnaires and the clinician scales, 30 for PCL-5 (past month)."""
    return RECALL_COMPARE.get(instrument_id, COMPARE_AFTER)


def some_improvement(change: inst.Change | None, instrument_id: str, directions=None) -> bool | None:
    """The MCID, or a change of 20% in the good direction; None where no direction is known (WHO-5 60 -> 28
    says nothing until the person says higher is better)."""
    direction = (directions or {}).get(instrument_id)
    if change is None or not (inst.judged(instrument_id) or direction is not None):
        return None
    good = -SOME_IMPROVEMENT_FALL * 100
    if direction is True and not inst.judged(instrument_id):
        return change.change_pct is not None and change.change_pct >= -good
    fell = change.change_pct is not None and change.change_pct <= good
    return bool(change.improved) or fell


def score_outcome(entry: Survey, history: list[Survey], course_start, result: inst.Score, directions=None) -> dict:
    """A just-saved score: total, band or cutoff, and its change from baseline and from the previous score.

    An incomplete score (no total) is compared with nothing; scored ones are compared only with scored ones.
    """
    instrument = inst.INSTRUMENTS.get(entry.instrument)
    known = instrument or inst.CLINICIAN_SCALES.get(entry.instrument)
    scored = [s for s in history if s.total is not None]
    outcome: dict = {
        "total": entry.total,
        "max_total": known.max_total if known else None,
        "band": entry.band,
        "at_or_above_cutoff": result.at_or_above_cutoff,
        "cutoff": instrument.cutoff if instrument else None,
        "clusters": result.clusters or None,
        "skipped": list(result.skipped),
        "prorated": result.prorated,
        "incomplete": result.total is None,
        "safety_item_unanswered": entry.safety_unanswered,
        "baseline": None,
        "baseline_kind": "none",
        "comparison": "no_baseline",
        "previous": None,
    }
    if entry.total is None:
        return outcome
    earlier = [s for s in scored if s.id != entry.id and (s.at, s.created_at) <= (entry.at, entry.created_at)]
    baseline, kind, comparison, change = compare_with_baseline(scored, entry, course_start, directions)
    outcome["baseline_kind"], outcome["comparison"] = kind, comparison
    if change is not None:
        outcome["baseline"] = {"at": baseline.at.isoformat(), "total": baseline.total, **change.__dict__}
    if earlier:
        previous = earlier[-1]
        step = inst.compare(entry.instrument, previous.total, entry.total)
        outcome["previous"] = {
            "at": previous.at.isoformat(),
            "total": previous.total,
            **{**step.__dict__, "response": None, "remission": None},
        }
    return outcome


def instrument_results(
    surveys: list[Survey], course_start, since, until, directions=None
) -> dict[str, InstrumentResult]:
    by_instrument: dict[str, list[Survey]] = {}
    for survey in sorted(surveys, key=lambda s: (s.at, s.created_at)):
        by_instrument.setdefault(survey.instrument, []).append(survey)
    results = {}
    for instrument_id, all_scores in by_instrument.items():
        scores = [s for s in all_scores if s.total is not None]  # an incomplete score has nothing to compare
        in_period = [s for s in scores if _in_period(s.at, since, until)]
        latest = in_period[-1] if in_period else None
        baseline, kind, comparison, change = compare_with_baseline(scores, latest, course_start, directions)
        results[instrument_id] = InstrumentResult(
            name=instrument_name(instrument_id),
            baseline=baseline.total if baseline else None,
            baseline_at=_iso(baseline.at) if baseline else None,
            latest=latest.total if latest else None,
            latest_at=_iso(latest.at) if latest else None,
            change=change.change if change else None,
            change_pct=change.change_pct if change else None,
            severity=latest.band if latest else None,
            improved=change.improved if change else None,
            worsened=change.worsened if change else None,
            response=change.response if change else None,
            remission=change.remission if change else None,
            count=len(in_period),
            history=[(_iso(s.at), s.total) for s in in_period],
            difficulty=inst.difficulty_label(latest.difficulty) if latest else None,
            incomplete=sum(1 for s in all_scores if s.total is None and _in_period(s.at, since, until)),
            latest_prorated=bool(latest and latest.prorated),
            baseline_kind=kind,
            comparison=comparison,
            some_improvement=some_improvement(change, instrument_id, directions),
        )
    return results


def safety_facts(surveys: list[Survey], since, until) -> SafetyFacts:
    """Item 9 over time, from every score that has a safety item (PHQ-9 with item answers); a PHQ-9 total
    logged without answers (`survey log PHQ-9 21`) is said to leave item 9 not known, never read as 0."""
    ordered = sorted(surveys, key=lambda s: (s.at, s.created_at))
    has_item = [s for s in ordered if inst.INSTRUMENTS.get(s.instrument) and inst.INSTRUMENTS[s.instrument].safety_item]
    with_item = [s for s in has_item if s.answers]
    not_known = [_iso(s.at) for s in has_item if not s.answers and _in_period(s.at, since, until)]
    if not with_item:
        item = inst.INSTRUMENTS[has_item[0].instrument].safety_item if not_known else None
        return SafetyFacts(item=item, not_known=not_known)
    item = inst.INSTRUMENTS[with_item[0].instrument].safety_item
    in_period = [s for s in with_item if _in_period(s.at, since, until)]
    last_positive = next(
        (s for s in reversed(with_item) if (until is None or s.at < until) and s.safety_positive), None
    )
    return SafetyFacts(
        item=item,
        answers=[{"at": _iso(s.at), "answer": s.safety_answer} for s in in_period],
        last_positive={"at": _iso(last_positive.at), "answer": last_positive.safety_answer} if last_positive else None,
        unanswered=[_iso(s.at) for s in in_period if s.safety_unanswered],
        in_period_positive=next(
            ({"at": _iso(s.at), "answer": s.safety_answer} for s in reversed(in_period) if s.safety_positive), None
        ),
        not_known=not_known,
    )


# Daily ratings -------------------------------------------------------------------


def rating_baseline(
    name: str,
    checkins: list[Checkin],
    course_start: datetime | None,
    sessions: list[datetime] = (),  # type: ignore[assignment]
) -> tuple[list[Checkin], str]:
    """The check-ins behind a rating's baseline, and its kind.

    The 14 days before the course start with >= 3 check-ins (`pre_treatment`); else the
    course's first 3 check-ins with the rating, within its first 7 days (`early`, as for scores);
    else `insufficient`. No course: `none`.
    """
    if course_start is None:
        return [], "none"
    rated = _rated(checkins, name)
    before = [c for c in rated if course_start - WINDOW <= c.at < course_start]
    if len(before) >= MIN_CHECKINS:
        return before, "pre_treatment"
    first = [
        c for c in rated if course_start <= c.at <= course_start + SCORE_EARLY_AFTER and not acute(c.at, sessions)
    ][:MIN_CHECKINS]
    if len(first) == MIN_CHECKINS:
        return first, "early"
    return [], "insufficient"


def session_times(inputs: ReportInputs) -> list[datetime]:
    """Every session the engine knows of (the course's and the period's), oldest first."""
    return sorted({s.at for s in (*inputs.course_sessions, *inputs.sessions)})


def acute(moment: datetime, sessions: list[datetime]) -> bool:
    """Within 12 hours after a session: the drug's acute effect, left out of every outcome window."""
    index = bisect.bisect_right(sessions, moment) - 1  # the latest session at or before the moment
    return index >= 0 and moment - sessions[index] < ACUTE_AFTER


def outcome_readings(readings: list[Reading], sessions: list[datetime]) -> list[Reading]:
    return [(at, value) for at, value in readings if not acute(at, sessions)]


def recent_start(inputs: ReportInputs) -> datetime:
    """Where "the last 14 days" begin: 14 days before the period end, never before the period (``--since``)
    nor before the course the report describes."""
    start = inputs.end - WINDOW
    for bound in (inputs.since, inputs.course_start):
        if bound is not None and bound > start:
            start = bound
    return start


def rating_recent(name: str, inputs: ReportInputs) -> list[Checkin]:
    """The check-ins with the rating in the recent window (see ``recent_start``), acute ones left out."""
    start, end, sessions = recent_start(inputs), inputs.end, session_times(inputs)
    return [c for c in _rated(inputs.checkins, name) if start <= c.at <= end and not acute(c.at, sessions)]


def rating_status(name: str, baseline: float | None, recent: float | None) -> str:
    if baseline is None or recent is None:
        return "insufficient"
    gain = (recent - baseline) if HIGHER_IS_BETTER[name] else (baseline - recent)
    if gain >= RATING_THRESHOLD:
        return "better"
    if gain <= -RATING_THRESHOLD:
        return "worse"
    return "steady"


def weekly_series(weekly: list[dict], name: str) -> list[float | None]:
    """Weekly means of one rating (aggregated by the store), for sparklines."""
    return [row.get(name) for row in weekly]


def rating_results(inputs: ReportInputs) -> dict[str, RatingResult]:
    results = {}
    for name in RATING_NAMES:
        base_checkins, kind = rating_baseline(name, inputs.checkins, inputs.course_start, session_times(inputs))
        recent_checkins = rating_recent(name, inputs)
        baseline = _mean(_values(base_checkins, name))
        recent = _mean(_values(recent_checkins, name)) if len(recent_checkins) >= MIN_CHECKINS else None
        change = round(recent - baseline, 2) if baseline is not None and recent is not None else None
        status = rating_status(name, baseline, recent)
        source = main_source(base_checkins)
        if status != "insufficient" and not same_scale(base_checkins, recent_checkins, inputs):
            status = "different_scale"  # another app's scale, mapped to 0-10: no better, worse or steady across it
        results[name] = RatingResult(
            baseline,
            recent,
            change,
            status,
            weekly_series(inputs.weekly, name),
            baseline_kind=kind,
            recent_checkins=len(recent_checkins),
            baseline_source=source,
        )
    return results


def same_scale(before: list[Checkin], after: list[Checkin], inputs: ReportInputs) -> bool:
    """Whether two windows of ratings may be compared: mostly from the same source, or from sources whose
    scale the person confirmed (`import --mood-map`, or trust-imported-scale)."""
    sources = {main_source(before), main_source(after)}
    return len(sources) == 1 or not sources - {"ketalog", *inputs.trusted_sources}


def main_source(checkins: list[Checkin]) -> str:
    """Where most (more than half) of these check-ins came from: an app they were imported from, else ketalog."""
    counts: dict[str, int] = {}
    for checkin in checkins:
        counts[checkin.source or "ketalog"] = counts.get(checkin.source or "ketalog", 0) + 1
    source, count = max(counts.items(), key=lambda item: item[1], default=("ketalog", 0))
    return source if count * 2 > len(checkins) else "ketalog"


Reading = tuple[datetime, int]  # one mood rating and when: what the course-wide rules read


def mood_readings(checkins: list[Checkin]) -> list[Reading]:
    return sorted((c.at, c.mood) for c in checkins if c.mood is not None)


def trailing_means(readings: list[Reading], window: timedelta) -> list[tuple[datetime, float]]:
    """At each reading (oldest first): the mean over the ``window`` ending there, once it holds at least 3
    readings on at least 3 different days (three check-ins of one evening are one day, not a trend)."""
    means, start, total = [], 0, 0.0
    for index, (at, value) in enumerate(readings):
        total += value
        while readings[start][0] <= at - window:
            total -= readings[start][1]
            start += 1
        if index - start + 1 >= MIN_CHECKINS and readings[start][0].date() <= at.date() - timedelta(days=2):
            if len({when.date() for when, _ in readings[start : index + 1]}) >= MIN_CHECKINS:
                means.append((at, round(total / (index - start + 1), 2)))
    return means


# Signs of progress ----------------------------------------------------------------


def _rating_evidence(name: str, rating: RatingResult) -> str:
    early = " (early baseline, after treatment began)" if rating.baseline_kind == "early" else ""
    return (  # one decimal, as the ratings table shows them
        f"{RATING_LABELS[name]} {rating.baseline:.1f} at baseline{early}, {rating.recent:.1f} over the last "
        f"{WINDOW.days} days ({rating.change:+.1f})"
    )


def mood_steadier(inputs: ReportInputs) -> Finding | None:
    base_checkins, _ = rating_baseline("mood", inputs.checkins, inputs.course_start, session_times(inputs))
    recent_checkins = rating_recent("mood", inputs)
    before, recent = _values(base_checkins, "mood"), _values(recent_checkins, "mood")
    if len(before) < MIN_CHECKINS or len(recent) < MIN_CHECKINS:
        return None
    if not same_scale(base_checkins, recent_checkins, inputs):
        return None  # five mapped levels spread differently from a 0-10 scale: no comparison of spread either
    sd_before, sd_recent = statistics.stdev(before), statistics.stdev(recent)
    if sd_before - sd_recent < STEADIER_SD_DROP:
        return None
    return Finding(
        "mood_steadier",
        "Your mood is steadier",
        f"mood varied by {sd_before:.1f} points (standard deviation) at baseline and by "
        f"{sd_recent:.1f} over the last {WINDOW.days} days",
        ("mood",),
    )


def mood_after_sessions(inputs: ReportInputs) -> tuple[float, int] | None:
    """Mean mood change from the last check-in within 72 h before each session to the first within 48 h after."""
    mood = inputs.course_mood
    times = [at for at, _ in mood]
    lifts = []
    start = horizon_start(inputs)
    for session in inputs.sessions:
        if start is not None and session.at < start:
            continue
        last_before = bisect.bisect_left(times, session.at) - 1  # latest check-in strictly before
        first_after = bisect.bisect_left(times, session.at + ACUTE_AFTER)  # earliest outcome check-in after
        before_ok = last_before >= 0 and times[last_before] >= session.at - RELIEF_BEFORE
        after_ok = first_after < len(times) and times[first_after] <= session.at + RELIEF_AFTER
        if before_ok and after_ok:
            lifts.append(mood[first_after][1] - mood[last_before][1])
    if len(lifts) < RELIEF_MIN_SESSIONS:
        return None
    return round(statistics.fmean(lifts), 2), len(lifts)


def _listing(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def find_signs(
    inputs: ReportInputs, instruments: dict[str, InstrumentResult], ratings: dict[str, RatingResult]
) -> list[Finding]:
    """Signs of change since the course began; none without a course (the pre-treatment picture)."""
    signs: list[Finding] = []
    if inputs.course is None:
        return signs

    def better(name: str) -> bool:
        return ratings[name].status == "better"

    if better("mood"):
        signs.append(
            Finding("mood_lifting", "Your mood is lifting", _rating_evidence("mood", ratings["mood"]), ("mood",))
        )
    if better("thoughts"):
        signs.append(
            Finding(
                "thought_loops_easing",
                "Negative thought loops are easing",
                _rating_evidence("thoughts", ratings["thoughts"]),
                ("thoughts",),
            )
        )
    returning = [n for n in ("energy", "motivation") if better(n)]
    if returning:
        title = _listing([RATING_LABELS[n] for n in returning]).capitalize()
        verb = "is" if len(returning) == 1 else "are"
        evidence = "; ".join(_rating_evidence(n, ratings[n]) for n in returning)
        signs.append(Finding("energy_returning", f"{title} {verb} returning", evidence, tuple(returning)))
    gad7 = instruments.get("gad7")
    if better("anxiety") or (gad7 and gad7.improved):
        parts = [_rating_evidence("anxiety", ratings["anxiety"])] if better("anxiety") else []
        if gad7 and gad7.improved:
            parts.append(f"GAD-7 {gad7.baseline} at baseline, {gad7.latest} on {(gad7.latest_at or '')[:10]}")
        about = ("anxiety", "gad7") if gad7 and gad7.improved else ("anxiety",)
        signs.append(Finding("anxiety_easing", "Anxiety is easing", "; ".join(parts), about))
    if better("pain"):
        signs.append(Finding("pain_easing", "Pain is easing", _rating_evidence("pain", ratings["pain"]), ("pain",)))
    if better("sleep"):
        signs.append(
            Finding("sleep_improving", "Sleep is improving", _rating_evidence("sleep", ratings["sleep"]), ("sleep",))
        )
    steadier = mood_steadier(inputs)
    if steadier:
        signs.append(steadier)
    after = mood_after_sessions(inputs)
    if after and after[0] >= RELIEF_MIN_LIFT:
        signs.append(
            Finding(
                "mood_after_sessions",
                "Mood after sessions",
                f"from the last check-in before to the first after {after[1]} sessions, mood changed by "
                f"{after[0]:+.1f} points on average",
            )
        )
    for instrument_id, result in instruments.items():
        if not result.has_pair:
            continue
        name = result.name
        pair = (
            f"{name} {result.baseline} at baseline ({(result.baseline_at or '')[:10]}), "
            f"{result.latest} on {(result.latest_at or '')[:10]}"
        )
        if result.baseline_kind == "early":
            pair += " (early baseline, after treatment began)"
        if result.improved:
            signs.append(
                Finding(
                    f"{instrument_id}_improved",
                    f"{name} improved meaningfully",
                    f"{pair}: {result.change:+g} points (meaningful change is {inst.mcid(instrument_id)} or more)",
                    (instrument_id,),
                )
            )
        if result.response:
            signs.append(
                Finding(
                    f"{instrument_id}_response",
                    f"{name}: score halved or better",
                    f"{pair}: {result.change_pct:+.0f}% (a response)",
                    (instrument_id,),
                )
            )
        if result.remission:
            scale = inst.CLINICIAN_SCALES.get(instrument_id)
            where = f"at or below {scale.remission_max}" if scale else "now in the minimal range (below 5)"
            signs.append(
                Finding(
                    f"{instrument_id}_remission",
                    f"{name}: {where.split(' (')[0]}",
                    f"{pair}: {where}",
                    (instrument_id,),
                )
            )
    return signs


# Things to discuss ------------------------------------------------------------------


def find_flags(
    inputs: ReportInputs,
    instruments: dict[str, InstrumentResult],
    ratings: dict[str, RatingResult],
    durability: dict,
) -> list[Finding]:
    flags: list[Finding] = []
    positive = [s for s in inputs.surveys if s.safety_positive and _in_period(s.at, inputs.since, inputs.until)]
    if positive:
        dates = ", ".join(f"{_day(s.at)} (answered {s.safety_answer})" for s in positive)
        flags.append(
            Finding(
                "safety",
                "PHQ-9 item 9: thoughts of being better off dead or of self-harm",
                f"Item 9 was answered above 0 on {dates}. Please raise this with your provider. "
                + crisis.IMMEDIATE_DANGER,
            )
        )
    skipped = [s for s in inputs.surveys if s.safety_unanswered and _in_period(s.at, inputs.since, inputs.until)]
    if skipped:
        flags.append(
            Finding(
                "safety_unanswered",
                "PHQ-9 item 9 was not answered",
                f"Item 9 (thoughts that you would be better off dead or of hurting yourself) was left unanswered "
                f"on {', '.join(_day(s.at) for s in skipped)}. It is never read as 0; worth going over with your "
                "provider.",
            )
        )
    gap = unmarked_gap(inputs)
    if gap:
        flags.append(gap)
    flags += blood_pressure_flags(inputs.sessions)
    for finding in (
        heart_rate_flag(inputs.sessions),
        bladder_flag(inputs),
        dissociation_rising(inputs.course_rated),
        mood_returning(inputs, ratings, durability),
    ):
        if finding:
            flags.append(finding)
    for instrument_id in SYMPTOM_RETURN_INSTRUMENTS:
        returned = symptom_return(inputs, instrument_id, instruments.get(instrument_id))
        if returned:
            flags.append(returned)
    worse = [r.name for r in instruments.values() if r.worsened] + [
        RATING_LABELS[name] for name, r in ratings.items() if r.status == "worse"
    ]
    if worse:
        details = [f"{r.name} {r.baseline} → {r.latest}" for r in instruments.values() if r.worsened]
        details += [_rating_evidence(name, r) for name, r in ratings.items() if r.status == "worse"]
        about = tuple(k for k, r in instruments.items() if r.worsened) + tuple(
            name for name, r in ratings.items() if r.status == "worse"
        )
        flags.append(Finding("worsening", "Something has got worse: " + ", ".join(worse), "; ".join(details), about))
    reassess = reassess_flag(inputs, instruments, ratings)
    if reassess:
        flags.append(reassess)
    note = medication_note(inputs)
    if note:
        flags.append(note)
    counts = side_effect_counts(inputs.sessions)
    total = len(inputs.sessions)
    recurring = [(name, n) for name, n in counts.items() if n >= 2 and n * 2 >= total]
    if recurring:
        flags.append(
            Finding(
                "recurring_side_effect",
                "Recurring side effects",
                "; ".join(f"{name} in {n} of {total} sessions" for name, n in recurring),
            )
        )
    return flags


def unmarked_gap(inputs: ReportInputs) -> Finding | None:
    """A session 60+ days after the previous one that was not marked as a new course: the report's baseline
    is still the old course's, so say so (and how to mark it), and call nothing across it a return."""
    start = gap_after(inputs)
    if start is None:
        return None
    before = max(s.at for s in inputs.course_sessions if s.at < start.at)
    days = (start.at - before).days
    return Finding(
        "long_gap",
        f"A {days}-day gap before the session of {_day(start.at)}",
        f"The session of {_day(start.at)} came {days} days after the one before and was not marked as the start "
        f"of a new course, so baselines still come from {_day(inputs.course_start)}. If it began a new course: "
        f"`ketalog edit {start.id[:8]} --new-course`.",
    )


def gap_after(inputs: ReportInputs) -> Session | None:
    """The latest session of the report's course that came 60+ days after the previous one, if any."""
    from ketalog.courses import LONG_GAP

    ordered = sorted(inputs.course_sessions, key=lambda s: s.at)
    found = None
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if current.at - previous.at >= LONG_GAP and current.at <= inputs.end:
            found = current
    return found


def medication_note(inputs: ReportInputs) -> Finding | None:
    """A benzodiazepine, stimulant, MAOI or opioid active on a session's day, or taken within 24 h of one,
    in the period: the reference's one-line fact and source (section 5). Information, never advice."""
    near = medicines.near_sessions(inputs.medications, inputs.medication_events, [s.at for s in inputs.sessions])
    if not near:
        return None
    details = []
    for item in near:
        fact, source = medicines.RAISED[item["class"]]
        how = " and ".join({"active": "being taken", "taken": "taken within 24 h"}[h] for h in item["how"])
        days = ", ".join(item["sessions"])
        details.append(
            f"{item['name']} ({medicines.label(item['class'])}) {how} around sessions on {days}: {fact} ({source})."
        )
    names = ", ".join(item["name"] for item in near)
    return Finding(
        "medication_note",
        f"Other medicines around sessions: {names}",
        " ".join(details) + " Worth raising with your provider.",
    )


def medication_section(inputs: ReportInputs) -> dict:
    """Current medicines at the period end, dated changes in the period, doses logged in the period of
    medicines not current (as-needed ones, or another app's dose log), as-needed doses on session days."""
    end = inputs.end
    events = inputs.medication_events
    standing = medicines.standing(inputs.medications, events, end)
    current = [
        {"name": m.name, "class": m.klass, "dose": m.dose, "schedule": m.schedule, "since": _iso(m.started)}
        for m in standing
        if m.active
    ]
    names = {row["key"]: row["name"] for row in inputs.medications}
    not_current = {m.key: m for m in standing if not m.active}
    taken: dict[str, dict] = {}
    for e in events:
        if e.event == "took" and e.medication in not_current and _in_period(e.at, inputs.since, inputs.until):
            medicine = not_current[e.medication]
            row = taken.setdefault(e.medication, {"name": medicine.name, "class": medicine.klass, "doses": 0})
            row.update(doses=row["doses"] + 1, dose=e.dose or row.get("dose"), last=_iso(e.at))
    changes = [
        {
            "at": _iso(e.at),
            "name": names.get(e.medication, e.medication),
            "event": e.event,
            "dose": e.dose,
            "schedule": e.schedule,
        }
        for e in events
        if e.event != "took" and _in_period(e.at, inputs.since, inputs.until)
    ]
    session_days = {s.at.date() for s in inputs.sessions}
    on_session_days = [
        {"at": _iso(e.at), "name": names.get(e.medication, e.medication), "dose": e.dose}
        for e in events
        if e.event == "took" and e.at.date() in session_days and _in_period(e.at, inputs.since, inputs.until)
    ]
    return {
        "current": current,
        "changes": changes,
        "taken": sorted(taken.values(), key=lambda row: row["name"].lower()),
        "on_session_days": on_session_days,
    }


READINGS_LISTED = 5  # a flag names its latest readings; years of them are counted, not listed


def _latest_listed(readings: list[str]) -> str:
    shown = readings[-READINGS_LISTED:]
    earlier = len(readings) - len(shown)
    return "; ".join(shown) + (f" (and {earlier} earlier)" if earlier else "")


def blood_pressure_flags(sessions: list[Session]) -> list[Finding]:
    """A reading in the hypertensive-crisis range comes first; other raised readings follow the label's
    before-dosing guide and ketalog's after-dosing product threshold."""
    crisis_readings, raised = [], []
    for session in sessions:
        for label, sys_, dia in (
            ("before", session.bp_before_sys, session.bp_before_dia),
            ("after", session.bp_after_sys, session.bp_after_dia),
        ):
            if sys_ is None or dia is None:
                continue
            if sys_ >= BP_CRISIS[0] or dia >= BP_CRISIS[1]:
                found = crisis_readings
            elif label == "before" and (sys_ > BP_BEFORE[0] or dia > BP_BEFORE[1]):
                found = raised
            elif label == "after" and (sys_ >= BP_AFTER[0] or dia >= BP_AFTER[1]):
                found = raised
            else:
                continue  # most readings: no text is made for them
            found.append(f"{_day(session.at)} {label} dosing {sys_}/{dia}")
    flags = []
    if crisis_readings:
        flags.append(
            Finding(
                "blood_pressure_very_high",
                f"Blood pressure of {BP_CRISIS[0]}/{BP_CRISIS[1]} or higher",
                _latest_listed(crisis_readings)
                + ". This is the hypertensive-crisis range (American Heart Association). "
                "The esketamine label sends anyone with chest pain, shortness of breath, sudden severe headache, "
                "visual disturbances, seizures or confusion to emergency care at once. Tell your provider about "
                "this reading.",
            )
        )
    if raised:
        flags.append(
            Finding(
                "blood_pressure",
                "Raised blood pressure at sessions",
                _latest_listed(raised)
                + f". Before dosing, above {BP_BEFORE[0]}/{BP_BEFORE[1]} is the esketamine label's "
                "example of an elevated baseline (a guide, not a cutoff); after dosing a rise is expected, and "
                f"{BP_AFTER[0]}/{BP_AFTER[1]} or more is ketalog's own threshold for worth raising with your provider.",
            )
        )
    return flags


def heart_rate_flag(sessions: list[Session]) -> Finding | None:
    odd = [
        f"{_day(s.at)} {s.heart_rate} bpm"
        for s in sessions
        if s.heart_rate is not None and (s.heart_rate >= HEART_RATE_HIGH or s.heart_rate < HEART_RATE_LOW)
    ]
    if not odd:
        return None
    return Finding(
        "heart_rate",
        "Heart rate outside 50-119 at sessions",
        _latest_listed(odd) + f". {HEART_RATE_HIGH} or more, or below {HEART_RATE_LOW}, is ketalog's own threshold "
        "for worth raising with your provider.",
    )


def bladder_flag(inputs: ReportInputs) -> Finding | None:
    """Mentions since the first session: ketamine cannot have caused what came before it (years of another
    app's notes, imported as the baseline, say "had to pee" too). Earlier mentions are counted beside them,
    so a bladder problem from before treatment is still in view when there is something to raise."""
    if not inputs.courses:
        return None
    first_session = inputs.courses[0].started
    found = [(at, where) for at, where, text in inputs.mentions if _BLADDER.search(text)]
    since_treatment = [(at, where) for at, where in found if at >= first_session]
    if not since_treatment:
        return None
    listed = "; ".join(f"{_day(at)} ({where})" for at, where in since_treatment[:5])
    more = f" and {len(since_treatment) - 5} more" if len(since_treatment) > 5 else ""
    before = [at for at, _ in found if at < first_session]
    times = "once" if len(before) == 1 else f"{len(before)} times"
    earlier = f" Also mentioned {times} before the first session (latest {_day(max(before))})." if before else ""
    return Finding(
        "bladder",
        "Bladder or urinary symptoms mentioned",
        f"{listed}{more}. Ketamine can affect the bladder with frequent use (ketamine-associated uropathy; "
        f"Chu et al., BJU Int 2008): worth raising with your provider at the first mention.{earlier}",
    )


def dissociation_rising(course_sessions: list[Session]) -> Finding | None:
    rated = [s for s in sorted(course_sessions, key=lambda s: s.at) if s.dissociation is not None]
    if len(rated) < DISSOCIATION_SESSIONS + 1:
        return None
    first = statistics.fmean(s.dissociation for s in rated[:DISSOCIATION_SESSIONS])
    last = statistics.fmean(s.dissociation for s in rated[-DISSOCIATION_SESSIONS:])
    if last - first < DISSOCIATION_RISE:
        return None
    return Finding(
        "dissociation_rising",
        "Dissociation has been rising",
        f"the last {DISSOCIATION_SESSIONS} sessions averaged {last:.1f}, the course's first {DISSOCIATION_SESSIONS} "
        f"{first:.1f} (0-10). A rise of {DISSOCIATION_RISE:g} points is ketalog's own threshold for worth raising.",
    )


def mood_returning(inputs: ReportInputs, ratings: dict[str, RatingResult], durability: dict) -> Finding | None:
    """In this course mood's 14-day mean once rose 2 points above baseline (>= 3 readings on >= 3 days), and
    now it is back within 1 point of it: over the last 7 days (>= 2 readings), or over the last 3 readings
    when they all lie in the last 14 days. Outcome readings only (none within 12 h after a dose)."""
    mood = ratings["mood"]
    course = inputs.course
    if course is None or mood.baseline is None:
        return None
    start = max(horizon_start(inputs) or course.started, course.started)
    readings = outcome_readings(
        [(at, value) for at, value in inputs.course_mood if at >= max(course.started, start - WINDOW)],
        session_times(inputs),
    )
    readings = [(at, value) for at, value in readings if at <= inputs.end]
    gap = gap_after(inputs)
    since_gap = gap.at if gap is not None else start
    peaks = [
        (at, mean)
        for at, mean in trailing_means(readings, WINDOW)
        if mean >= mood.baseline + RATING_THRESHOLD and at >= max(start, since_gap)
    ]
    if not peaks:
        return None
    last_week = [value for at, value in readings if inputs.end - DRIFT_WINDOW < at]
    last_three = readings[-MIN_CHECKINS:]
    if len(last_week) >= 2:
        now, over = statistics.fmean(last_week), f"over the last {DRIFT_WINDOW.days} days"
    elif len(last_three) == MIN_CHECKINS and last_three[0][0] > inputs.end - WINDOW:
        now, over = statistics.fmean(v for _, v in last_three), f"over the last {MIN_CHECKINS} check-ins"
    else:
        return None
    if now > mood.baseline + DRIFT_MARGIN:
        return None
    best_at, best = max(peaks, key=lambda peak: peak[1])
    if best_at >= readings[-1][0] - DRIFT_WINDOW and over.endswith("days"):
        return None  # the peak is inside the last week itself: no rise then fall to speak of yet
    since_session = durability.get("last_session_days_ago")
    return Finding(
        "mood_returning",
        "Mood has drifted back towards where it started",
        f"mood rose from {mood.baseline:g} (baseline) to a {WINDOW.days}-day mean of {best:.1f} by {_day(best_at)} "
        f"and has been {now:.1f} {over}"
        + (f"; the last session was {days_ago(since_session)}" if since_session is not None else "")
        + ". Worth raising with your provider.",
        about=("mood",),
    )


def symptom_return(inputs: ReportInputs, instrument_id: str, result: InstrumentResult | None) -> Finding | None:
    """A score after course start met response, and now the latest no longer does (or is >= best + MCID)."""
    course_start = inputs.course_start
    if result is None or result.baseline is None or result.latest is None or course_start is None:
        return None
    if result.comparison != "compared" or not meets_caseness(instrument_id, result.baseline):
        return None
    after = [
        s
        for s in inputs.surveys
        if s.instrument == instrument_id
        and s.total is not None
        and s.at > course_start
        and s.at >= (horizon_start(inputs) or course_start)
        and _in_period(s.at, None, inputs.until)
    ]
    gap = gap_after(inputs)
    after = [s for s in after if gap is None or s.at >= gap.at]  # a best before a long gap is not a return
    responded = [s for s in after if result.baseline > 0 and s.total <= 0.5 * result.baseline]
    if not responded:
        return None
    best = min(responded, key=lambda s: s.total)
    mcid = inst.mcid(instrument_id) or 0
    if result.response and result.latest < best.total + mcid:
        return None
    return Finding(
        "symptom_return",
        f"{result.name}: symptoms may be returning",
        f"{best.total} on {_day(best.at)} was half the baseline of {result.baseline} or better; now "
        f"{result.latest} on {(result.latest_at or '')[:10]}. Worth raising with your provider.",
        (instrument_id,),
    )


def reassess_flag(
    inputs: ReportInputs, instruments: dict[str, InstrumentResult], ratings: dict[str, RatingResult]
) -> Finding | None:
    """ "No clear improvement yet", the reassess point (reference section 3), only when every condition holds:

    - the early window of the course: after the route's minimum of sessions and days, and at most 10
      sessions and 60 days in (later, "not yet" is no longer the question);
    - a measure that can show improvement and is measured now: PHQ-9 or GAD-7 at caseness, or a clinician
      scale at its moderate band, scored in the last 14 days; or mood with a baseline of 6 or less and a
      recent mean (a measure below its floor, PHQ-9 0 -> 0, is no evidence either way);
    - nothing since the course began ever showed some improvement (a responder who relapsed, or stopped
      checking in because they felt well, is not a non-responder).
    """
    course = inputs.course
    if course is None:
        return None
    sessions_needed, days_needed = REASSESS["intranasal" if course.intranasal else "default"]
    sessions = course.session_count  # the course is read up to the period end
    into = inputs.end - course.started
    if sessions < sessions_needed or into < days_needed:
        return None
    if sessions > REASSESS_UNTIL[0] or into > REASSESS_UNTIL[1]:
        return None
    measured = [
        r.name
        for key, r in instruments.items()
        if inst.judged(key)
        and inst.caseness(key) is not None
        and r.baseline is not None
        and meets_caseness(key, r.baseline)
        and r.latest_at is not None
        and datetime.fromisoformat(r.latest_at) > inputs.end - WINDOW
    ]
    mood = ratings["mood"]
    if mood.baseline is not None and mood.baseline <= MOOD_FLOOR and mood.recent is not None:
        measured.append("mood")
    if not measured or improvement_seen(inputs, instruments, ratings):
        return None
    span = (course.last.date() - course.started.date()).days  # the sessions' own span, not the days to now
    return Finding(
        "reassess",
        "No clear improvement yet",
        f"{sessions} sessions over {span} days in this course ({_day(course.started)} to {_day(course.last)}), "
        f"now {into.days} days in, and nothing measured since it began "
        f"({_listing(measured)}) has shown even some improvement ({SOME_IMPROVEMENT_FALL:.0%} or the "
        "meaningful change). This is a usual point to review the plan together with your provider.",
    )


def improvement_seen(
    inputs: ReportInputs, instruments: dict[str, InstrumentResult], ratings: dict[str, RatingResult]
) -> bool:
    """Whether anything since the course began showed at least some improvement: any score compared with its
    baseline (the MCID or a fall of 20%), a daily rating better now, or mood's 14-day mean 2 points above
    baseline at any time in the course (outcome readings only)."""
    if any(r.status == "better" for r in ratings.values()):
        return True
    course_start = inputs.course_start
    by_instrument: dict[str, list[Survey]] = {}
    for survey in sorted(inputs.surveys, key=lambda s: s.at):
        if survey.total is not None:
            by_instrument.setdefault(survey.instrument, []).append(survey)
    directions = inputs.scale_directions
    for key, scores in by_instrument.items():
        if not (inst.judged(key) or key in directions):
            continue
        for score in scores:
            if course_start is not None and score.at <= course_start or score.at > inputs.end:
                continue
            _, _, comparison, change = compare_with_baseline(scores, score, course_start, directions)
            if comparison == "compared" and (some_improvement(change, key, directions) or (change and change.response)):
                return True
    mood = ratings["mood"]
    if mood.baseline is not None and course_start is not None:
        readings = outcome_readings(
            [(at, v) for at, v in inputs.course_mood if course_start <= at <= inputs.end], session_times(inputs)
        )
        if any(mean >= mood.baseline + RATING_THRESHOLD for _, mean in trailing_means(readings, WINDOW)):
            return True
    return False


def side_effect_counts(sessions: list[Session]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for session in sessions:
        for name in session.side_effects:
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# The report -------------------------------------------------------------------------


def course_summary(inputs: ReportInputs) -> dict:
    # planned days of the period up to its end: the ones that could have been done by now
    planned_so_far = [p for p in inputs.planned if p["local_date"] <= inputs.end.date().isoformat()]
    sessions = inputs.sessions
    routes: dict[str, int] = {}
    for session in sessions:
        routes[session.route] = routes.get(session.route, 0) + 1
    course = inputs.course
    last = course.last if course else None  # the last session, even when it lies before --since
    first = inputs.courses[0].started if inputs.courses else None
    return {
        "sessions_total": inputs.sessions_total,
        "sessions_in_period": len(sessions),
        "first_session": _iso(first),
        "last_session": _iso(last),
        "days_since_last_session": days_between(last, inputs.now) if last else None,
        "routes": routes,
        "number": course.number if course else None,
        "courses": len(inputs.courses),
        "started": _iso(course.started) if course else None,
        "phase": course.phase(inputs.end) if course else None,
        "sessions_in_course": course.session_count if course else 0,
        "checkin_before_start": _iso(inputs.checkin_before_course),
        "planned_in_period": len(planned_so_far),
        "planned_done": sum(1 for p in planned_so_far if p["done"]),
        # only when some cost was logged: no cost recorded is not a cost of 0
        "cost_in_period": sum(s.cost for s in sessions if s.cost is not None)
        if any(s.cost is not None for s in sessions)
        else None,
    }


def session_rows(sessions: list[Session], reflections: dict[str, str] | None = None) -> list[dict]:
    return [
        {
            "id": s.id,
            "at": _iso(s.at),
            "route": s.route,
            "dose": s.dose or None,
            "duration_min": s.duration_min,
            "therapy": None if s.therapy is None else bool(s.therapy),
            "dissociation": s.dissociation,
            "side_effects": list(s.side_effects),
            "bp_before": s.bp_before or None,
            "bp_after": s.bp_after or None,
            "cost": s.cost,
            "intention": s.intention,
            "reflection": (reflections or {}).get(s.id),
        }
        for s in sessions
    ]


def excerpt(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def durability_of(inputs: ReportInputs, baseline: float | None) -> dict:
    """How long mood stayed up after the course's sessions (``ketalog.durability``), read to the period end."""
    from ketalog import durability

    start = horizon_start(inputs)
    sessions = [s for s in inputs.course_sessions if start is None or s.at >= start]
    readings = [(at, value) for at, value in inputs.course_mood if at <= inputs.end]
    course = inputs.course
    return durability.summary(
        durability.per_session(sessions, readings, baseline),
        days_between(course.last, inputs.now) if course else None,
    )


def build_report(inputs: ReportInputs, private: bool = False) -> Report:
    instruments = instrument_results(
        inputs.surveys, inputs.course_start, inputs.since, inputs.until, inputs.scale_directions
    )
    ratings = rating_results(inputs)
    course = inputs.course
    durability = durability_of(inputs, ratings["mood"].baseline)
    from ketalog.reconcile import reconcile

    signs, flags = reconcile(
        find_signs(inputs, instruments, ratings), find_flags(inputs, instruments, ratings, durability)
    )
    if any(flag.id == "mood_returning" for flag in flags) and ratings["mood"].status == "better":
        ratings["mood"].status = "returning"  # the 14-day mean is still up, but the flag says where it is now
    judged = (
        course is not None
        or any(r.recent is not None for r in ratings.values())
        or any(r.latest is not None for r in instruments.values())
    )
    return Report(
        generated_at=_iso(inputs.now),
        period={"since": _iso(inputs.since), "until": _iso(inputs.until)},
        course=course_summary(inputs),
        instruments=instruments,
        ratings=ratings,
        signs=signs,
        flags=flags,
        side_effects=side_effect_counts(inputs.sessions),
        sessions=session_rows(inputs.sessions, {} if private else inputs.reflections),
        journal=[] if private else [{"at": _iso(j.at), "text": excerpt(j.text)} for j in inputs.journal],
        safety=safety_facts(inputs.surveys, inputs.since, inputs.until),
        durability=durability,
        judged=judged,
        last_checkin_days_ago=days_between(inputs.last_checkin_at, inputs.end) if inputs.last_checkin_at else None,
        medications=medication_section(inputs),
    )


# Trends -------------------------------------------------------------------------------


def session_intervals(
    sessions: list[Session], checkins: list[Checkin], courses: list[Course], now: datetime
) -> list[dict]:
    """One row per session: the mean ratings until the next session, and how long mood stayed up after it
    (measured against the mood baseline of the session's own course)."""
    from ketalog import durability

    ordered = sorted(sessions, key=lambda s: s.at)
    checkins = sorted(checkins, key=lambda c: c.at)
    times = [c.at for c in checkins]
    lasting: dict[str, dict] = {}
    for course in courses:
        members = [s for s in ordered if course_at(courses, s.at) is course]
        if not members:
            continue
        base, _ = rating_baseline("mood", checkins, course.started)
        baseline = _mean(_values(base, "mood"))
        following = [s for s in ordered if s.at > members[-1].at]
        rows = durability.per_session(members + following[:1], mood_readings(checkins), baseline)
        for session, row in zip(members, rows, strict=False):
            lasting[session.id] = row
    result = []
    for index, session in enumerate(ordered):
        end = ordered[index + 1].at if index + 1 < len(ordered) else now + timedelta(seconds=1)
        interval = checkins[bisect.bisect_right(times, session.at) : bisect.bisect_left(times, end)]
        row = lasting.get(session.id, {"status": "no_baseline", "days": None})
        result.append(
            {
                "id": session.id,
                "at": _iso(session.at),
                "route": session.route,
                "dose": session.dose or None,
                "dissociation": session.dissociation,
                "side_effects": list(session.side_effects),
                "ratings": {name: _mean(_values(interval, name)) for name in RATING_NAMES},
                "checkins": len(interval),
                "mood_lifted_days": row["days"],
                "durability": row["status"],
            }
        )
    return result


TREND_DEFAULT_ROWS = {"week": 26, "month": 24, "session": 20}  # one screen when no --since is given


def trend_start(by: str, now: datetime) -> datetime:
    """Where a week or month table starts without --since: its last N periods."""
    from datetime import time

    count = TREND_DEFAULT_ROWS[by]
    if by == "week":
        monday = now.date() - timedelta(days=now.weekday() + 7 * (count - 1))
        return datetime.combine(monday, time()).astimezone()
    month_index = now.year * 12 + now.month - 1 - (count - 1)
    return datetime(month_index // 12, month_index % 12 + 1, 1).astimezone()


def build_trends(inputs: TrendInputs) -> list[dict]:
    """The rows of a trends table, per week or month, or per session with how long mood stayed up."""
    if inputs.by == "session":
        return session_intervals(inputs.sessions, inputs.checkins, inputs.courses, inputs.now)
    return trend_rows(inputs.rating_means, inputs.instrument_means)


def trend_rows(rating_rows: list[dict], instrument_rows: list[dict]) -> list[dict]:
    """Merge per-period rating means and instrument means (both from SQL) into one table."""
    periods: dict[str, dict] = {}
    for row in rating_rows:
        periods.setdefault(row["period"], {"period": row["period"], "checkins": 0, "ratings": {}, "instruments": {}})
        periods[row["period"]]["checkins"] = row["checkins"]
        periods[row["period"]]["ratings"] = {name: row[name] for name in RATING_NAMES}
    for row in instrument_rows:
        periods.setdefault(
            row["period"],
            {
                "period": row["period"],
                "checkins": 0,
                "ratings": {name: None for name in RATING_NAMES},
                "instruments": {},
            },
        )
        periods[row["period"]]["instruments"][row["instrument"]] = row["mean_total"]
    return [periods[key] for key in sorted(periods)]
