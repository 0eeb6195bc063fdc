"""The progress engine: records in, one report model out. Pure functions, no I/O.

Every rule is defined in docs/progress-rules.md and implemented exactly here:
instrument baselines and changes, daily-rating baselines and recent means,
signs of progress, and the things to discuss with a provider. Renderers
(terminal, Markdown, HTML, JSON) only present the ``Report`` built here.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.models import Checkin, ReportInputs, Session, Survey, TrendInputs
from ketalog.validation import RATING_NAMES, RATINGS

HIGHER_IS_BETTER = {name: rating.higher_is_better for name, rating in RATINGS.items()}
RATING_LABELS = {name: rating.label for name, rating in RATINGS.items()}
RATING_THRESHOLD = 2.0  # points on a 0-10 rating that count as a real change
WINDOW = timedelta(days=14)  # baseline and recent windows for daily ratings
STEADIER_SD_DROP = 1.0
STEADIER_MIN_RATINGS = 3
RELIEF_BEFORE = timedelta(hours=72)
RELIEF_AFTER = timedelta(hours=48)
RELIEF_MIN_SESSIONS = 2
RELIEF_MIN_LIFT = 1.0
REASSESS_AFTER_SESSIONS = 4
PAIN_EASING_RATIO = 0.7
BP_SYSTOLIC = 140
BP_DIASTOLIC = 90
SYMPTOM_RETURN_INSTRUMENTS = ("phq9", "gad7")
BOOSTER_LIFT = 1.0  # mood points above baseline that count as "still lifted"
SPARKLINE_WEEKS = 26  # weekly means shown in the ratings sparklines


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

    @property
    def has_pair(self) -> bool:
        return self.change is not None

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("name", "history"):
            data.pop(key)
        return data


@dataclass
class RatingResult:
    baseline: float | None
    recent: float | None
    change: float | None
    status: str  # better | worse | steady | insufficient
    series: list[float] = field(default_factory=list)  # weekly means in the period, for sparklines

    def to_json(self) -> dict:
        return {"baseline": self.baseline, "recent": self.recent, "change": self.change, "status": self.status}


@dataclass
class Finding:
    """A sign of progress or a thing to discuss: an id, a plain title, and its evidence."""

    id: str
    title: str
    detail: str


@dataclass
class SafetyFacts:
    """PHQ-9 item 9 over time: every answer in the period, the last answer above 0 (even before the
    period), and the times it was left unanswered. ``notice``: an answer above 0 lies in the period."""

    item: int | None = None  # which item is the safety item (9), when any score has one
    answers: list[dict] = field(default_factory=list)  # [{at, answer}] in the period; answer None = skipped
    last_positive: dict | None = None  # {at, answer}
    unanswered: list[str] = field(default_factory=list)
    in_period_positive: dict | None = None  # the latest answer above 0 in the period: the notice is dated by it

    @property
    def notice(self) -> bool:
        return self.in_period_positive is not None

    def to_json(self) -> dict:
        return {
            "item9": self.answers,
            "last_positive": self.last_positive,
            "unanswered": self.unanswered,
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

    def to_json(self) -> dict:
        return {
            "generated_at": self.generated_at,
            "period": self.period,
            "course": self.course,
            "instruments": {key: value.to_json() for key, value in self.instruments.items()},
            "ratings": {key: value.to_json() for key, value in self.ratings.items()},
            "signs": [asdict(sign) for sign in self.signs],
            "flags": [asdict(flag) for flag in self.flags],
            "side_effects": self.side_effects,
            "sessions": self.sessions,
            "journal": self.journal,
            "safety": self.safety.to_json(),
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


def instrument_name(instrument_id: str) -> str:
    return inst.display_name(instrument_id)


# Instruments ---------------------------------------------------------------------


def compare_with_baseline(scores: list[Survey], latest: Survey | None, course_start):
    """(baseline, change) for ``latest`` among one instrument's ``scores`` (oldest first).

    The one answer to "how does this score compare", used by the report and by
    the survey command right after a questionnaire is saved.
    """
    baseline = inst.select_baseline(scores, course_start)
    if baseline is None or latest is None or baseline.id == latest.id:
        return baseline, None
    return baseline, inst.compare(latest.instrument, baseline.total, latest.total)


def score_outcome(entry: Survey, history: list[Survey], course_start, result: inst.Score) -> dict:
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
        "previous": None,
    }
    if entry.total is None:
        return outcome
    earlier = [s for s in scored if s.id != entry.id and (s.at, s.created_at) <= (entry.at, entry.created_at)]
    baseline, change = compare_with_baseline(scored, entry, course_start)
    if change is not None:
        outcome["baseline"] = {"at": baseline.at.isoformat(), "total": baseline.total, **change.__dict__}
    if earlier:
        previous = earlier[-1]
        step = inst.compare(entry.instrument, previous.total, entry.total)
        outcome["previous"] = {"at": previous.at.isoformat(), "total": previous.total, **step.__dict__}
    return outcome


def instrument_results(surveys: list[Survey], course_start, since, until) -> dict[str, InstrumentResult]:
    by_instrument: dict[str, list[Survey]] = {}
    for survey in sorted(surveys, key=lambda s: (s.at, s.created_at)):
        by_instrument.setdefault(survey.instrument, []).append(survey)
    results = {}
    for instrument_id, all_scores in by_instrument.items():
        scores = [s for s in all_scores if s.total is not None]  # an incomplete score has nothing to compare
        in_period = [s for s in scores if _in_period(s.at, since, until)]
        latest = in_period[-1] if in_period else None
        baseline, change = compare_with_baseline(scores, latest, course_start)
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
        )
    return results


def safety_facts(surveys: list[Survey], since, until) -> SafetyFacts:
    """Item 9 over time, from every score that has a safety item (PHQ-9 with item answers)."""
    with_item = [
        s
        for s in sorted(surveys, key=lambda s: (s.at, s.created_at))
        if s.answers and inst.INSTRUMENTS.get(s.instrument) and inst.INSTRUMENTS[s.instrument].safety_item
    ]
    if not with_item:
        return SafetyFacts()
    item = inst.INSTRUMENTS[with_item[0].instrument].safety_item
    in_period = [s for s in with_item if _in_period(s.at, since, until)]
    positive = [s for s in with_item if s.safety_positive and (until is None or s.at < until)]
    return SafetyFacts(
        item=item,
        answers=[{"at": _iso(s.at), "answer": s.safety_answer} for s in in_period],
        last_positive={"at": _iso(positive[-1].at), "answer": positive[-1].safety_answer} if positive else None,
        unanswered=[_iso(s.at) for s in in_period if s.safety_unanswered],
        in_period_positive=next(
            ({"at": _iso(s.at), "answer": s.safety_answer} for s in reversed(in_period) if s.safety_positive), None
        ),
    )


# Daily ratings -------------------------------------------------------------------


def baseline_window(name: str, baseline_checkins: list[Checkin], first_checkins: dict) -> list[Checkin]:
    """The 14 days before course start; if none there, the first 3 check-ins with that rating."""
    window = [c for c in baseline_checkins if getattr(c, name) is not None]
    return window if window else first_checkins.get(name, [])


def rating_baseline(name: str, baseline_checkins: list[Checkin], first_checkins: dict) -> float | None:
    return _mean(_values(baseline_window(name, baseline_checkins, first_checkins), name))


def rating_baseline_checkins(inputs: ReportInputs, name: str) -> list[Checkin]:
    return baseline_window(name, inputs.baseline_checkins, inputs.first_checkins)


def rating_recent_checkins(inputs: ReportInputs, name: str) -> list[Checkin]:
    """The 14 days ending at the last check-in in the period that has this rating."""
    rated = [
        c for c in inputs.checkins if getattr(c, name) is not None and _in_period(c.at, inputs.since, inputs.until)
    ]
    if not rated:
        return []
    end = max(c.at for c in rated)
    return [c for c in inputs.checkins if getattr(c, name) is not None and end - WINDOW < c.at <= end]


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
        baseline = rating_baseline(name, inputs.baseline_checkins, inputs.first_checkins)
        recent = _mean(_values(rating_recent_checkins(inputs, name), name))
        change = round(recent - baseline, 2) if baseline is not None and recent is not None else None
        results[name] = RatingResult(
            baseline, recent, change, rating_status(name, baseline, recent), weekly_series(inputs.weekly, name)
        )
    return results


# Signs of progress ----------------------------------------------------------------


def _rating_evidence(name: str, rating: RatingResult) -> str:
    return (
        f"{RATING_LABELS[name]} {rating.baseline:g} at baseline, {rating.recent:g} over the last {WINDOW.days} days "
        f"({rating.change:+g})"
    )


def mood_steadier(inputs: ReportInputs) -> Finding | None:
    before = _values(rating_baseline_checkins(inputs, "mood"), "mood")
    recent = _values(rating_recent_checkins(inputs, "mood"), "mood")
    if len(before) < STEADIER_MIN_RATINGS or len(recent) < STEADIER_MIN_RATINGS:
        return None
    sd_before, sd_recent = statistics.stdev(before), statistics.stdev(recent)
    if sd_before - sd_recent < STEADIER_SD_DROP:
        return None
    return Finding(
        "mood_steadier",
        "Your mood is steadier",
        f"mood varied by {sd_before:.1f} points (standard deviation) at baseline and by "
        f"{sd_recent:.1f} over the last {WINDOW.days} days",
    )


def relief_after_sessions(inputs: ReportInputs) -> tuple[float, int] | None:
    """Mean mood lift from the last check-in within 72 h before each session to the first within 48 h after."""
    mood = sorted((c for c in inputs.session_checkins if c.mood is not None), key=lambda c: c.at)
    times = [c.at for c in mood]
    lifts = []
    for session in inputs.sessions:
        last_before = bisect.bisect_left(times, session.at) - 1  # latest check-in strictly before
        first_after = bisect.bisect_right(times, session.at)  # earliest check-in strictly after
        before_ok = last_before >= 0 and times[last_before] >= session.at - RELIEF_BEFORE
        after_ok = first_after < len(times) and times[first_after] <= session.at + RELIEF_AFTER
        if before_ok and after_ok:
            lifts.append(mood[first_after].mood - mood[last_before].mood)
    if len(lifts) < RELIEF_MIN_SESSIONS:
        return None
    return round(statistics.fmean(lifts), 2), len(lifts)


def find_signs(
    inputs: ReportInputs, instruments: dict[str, InstrumentResult], ratings: dict[str, RatingResult]
) -> list[Finding]:
    signs: list[Finding] = []

    def better(name: str) -> bool:
        return ratings[name].status == "better"

    if better("mood"):
        signs.append(Finding("mood_lifting", "Your mood is lifting", _rating_evidence("mood", ratings["mood"])))
    if better("thoughts"):
        signs.append(
            Finding(
                "thought_loops_easing",
                "Negative thought loops are easing",
                _rating_evidence("thoughts", ratings["thoughts"]),
            )
        )
    if better("energy") or better("motivation"):
        evidence = "; ".join(_rating_evidence(n, ratings[n]) for n in ("energy", "motivation") if better(n))
        signs.append(Finding("energy_returning", "Energy and motivation are returning", evidence))
    gad7 = instruments.get("gad7")
    if better("anxiety") or (gad7 and gad7.improved):
        parts = [_rating_evidence("anxiety", ratings["anxiety"])] if better("anxiety") else []
        if gad7 and gad7.improved:
            parts.append(f"GAD-7 {gad7.baseline} at baseline, {gad7.latest} on {gad7.latest_at[:10]}")
        signs.append(Finding("anxiety_easing", "Anxiety is easing", "; ".join(parts)))
    pain = ratings["pain"]
    pain_ratio = (
        pain.baseline is not None
        and pain.recent is not None
        and pain.baseline >= 1
        and pain.recent <= PAIN_EASING_RATIO * pain.baseline
    )
    if better("pain") or pain_ratio:
        signs.append(
            Finding(
                "pain_easing",
                "Pain is easing",
                _rating_evidence("pain", pain)
                + (f", {pain.recent / pain.baseline:.0%} of baseline" if pain.baseline else ""),
            )
        )
    if better("sleep"):
        signs.append(Finding("sleep_improving", "Sleep is improving", _rating_evidence("sleep", ratings["sleep"])))
    steadier = mood_steadier(inputs)
    if steadier:
        signs.append(steadier)
    relief = relief_after_sessions(inputs)
    if relief and relief[0] >= RELIEF_MIN_LIFT:
        signs.append(
            Finding(
                "relief_after_sessions",
                "Sessions bring relief",
                f"mood rose by {relief[0]:+g} points on average from just before to just after {relief[1]} sessions",
            )
        )
    for instrument_id, result in instruments.items():
        name = result.name
        if not result.has_pair:
            continue
        pair = (
            f"{name} {result.baseline} at baseline ({result.baseline_at[:10]}), "
            f"{result.latest} on {result.latest_at[:10]}"
        )
        mcid = inst.mcid(instrument_id)
        if result.improved:
            signs.append(
                Finding(
                    f"{instrument_id}_improved",
                    f"{name} improved meaningfully",
                    f"{pair}: {result.change:+g} points (meaningful change is {mcid} or more)",
                )
            )
        if result.response:
            signs.append(
                Finding(
                    f"{instrument_id}_response",
                    f"{name} response",
                    f"{pair}: at least 50% lower than baseline ({result.change_pct:+.0f}%)",
                )
            )
        if result.remission:
            signs.append(Finding(f"{instrument_id}_remission", f"{name} remission", f"{pair}: below 5"))
    return signs


# Things to discuss ------------------------------------------------------------------


def find_flags(
    inputs: ReportInputs, instruments: dict[str, InstrumentResult], ratings: dict[str, RatingResult]
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

    any_improved = any(r.improved for r in instruments.values()) or any(r.status == "better" for r in ratings.values())
    any_pair = any(r.has_pair for r in instruments.values()) or any(
        r.status != "insufficient" for r in ratings.values()
    )
    if inputs.sessions_total >= REASSESS_AFTER_SESSIONS and any_pair and not any_improved:
        flags.append(
            Finding(
                "reassess",
                "No clear improvement yet",
                f"{inputs.sessions_total} sessions so far and no questionnaire or daily rating has improved "
                "meaningfully. Early signs usually appear within the first few treatments; it may be worth "
                "reviewing the dose, frequency or route with your provider.",
            )
        )

    for instrument_id in SYMPTOM_RETURN_INSTRUMENTS:
        result = instruments.get(instrument_id)
        returned = symptom_return(inputs, instrument_id, result)
        if returned:
            flags.append(returned)

    worse = [r.name for r in instruments.values() if r.worsened] + [
        RATING_LABELS[name] for name, r in ratings.items() if r.status == "worse"
    ]
    if worse:
        details = [f"{r.name} {r.baseline} → {r.latest}" for r in instruments.values() if r.worsened]
        details += [_rating_evidence(name, r) for name, r in ratings.items() if r.status == "worse"]
        flags.append(Finding("worsening", "Something has got worse: " + ", ".join(worse), "; ".join(details)))

    high = []
    for session in inputs.sessions:
        for label, sys_, dia in (
            ("before", session.bp_before_sys, session.bp_before_dia),
            ("after", session.bp_after_sys, session.bp_after_dia),
        ):
            if sys_ is not None and (sys_ >= BP_SYSTOLIC or dia >= BP_DIASTOLIC):
                high.append(f"{_day(session.at)} {label} {sys_}/{dia}")
    if high:
        flags.append(
            Finding(
                "blood_pressure",
                f"Blood pressure at or above {BP_SYSTOLIC}/{BP_DIASTOLIC}",
                "; ".join(high) + ". Worth raising with your provider (the esketamine label uses "
                f"{BP_SYSTOLIC}/{BP_DIASTOLIC} before dosing as a general guide, not a cutoff).",
            )
        )

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


def symptom_return(inputs: ReportInputs, instrument_id: str, result: InstrumentResult | None) -> Finding | None:
    """Best score after course start met response, and the latest is >= best + MCID."""
    if result is None or result.baseline is None or result.latest is None or inputs.course_start is None:
        return None
    after = [s for s in inputs.surveys if s.instrument == instrument_id and s.at > inputs.course_start]
    if not after:
        return None
    best = min(after, key=lambda s: s.total)
    mcid = inst.mcid(instrument_id)
    met_response = result.baseline > 0 and best.total <= 0.5 * result.baseline
    if not met_response or result.latest < best.total + mcid:
        return None
    return Finding(
        "symptom_return",
        f"{result.name}: symptoms may be returning",
        f"best {best.total} on {_day(best.at)} (a response from baseline {result.baseline}), "
        f"now {result.latest} on {result.latest_at[:10]}. Worth discussing booster timing with "
        "your provider.",
    )


def side_effect_counts(sessions: list[Session]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for session in sessions:
        for name in session.side_effects:
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# The report -------------------------------------------------------------------------


def course_summary(inputs: ReportInputs) -> dict:
    sessions = inputs.sessions
    routes: dict[str, int] = {}
    for session in sessions:
        routes[session.route] = routes.get(session.route, 0) + 1
    last = sessions[-1].at if sessions else None
    return {
        "sessions_total": inputs.sessions_total,
        "sessions_in_period": len(sessions),
        "first_session": _iso(inputs.course_start),
        "last_session": _iso(last),
        "days_since_last_session": (inputs.now.date() - last.date()).days if last else None,
        "routes": routes,
    }


def session_rows(sessions: list[Session]) -> list[dict]:
    return [
        {
            "id": s.id,
            "at": _iso(s.at),
            "route": s.route,
            "dose": s.dose or None,
            "dissociation": s.dissociation,
            "side_effects": list(s.side_effects),
            "bp_before": s.bp_before or None,
            "bp_after": s.bp_after or None,
        }
        for s in sessions
    ]


def excerpt(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_report(inputs: ReportInputs, private: bool = False) -> Report:
    instruments = instrument_results(inputs.surveys, inputs.course_start, inputs.since, inputs.until)
    ratings = rating_results(inputs)
    flags = find_flags(inputs, instruments, ratings)
    return Report(
        generated_at=_iso(inputs.now),
        period={"since": _iso(inputs.since), "until": _iso(inputs.until)},
        course=course_summary(inputs),
        instruments=instruments,
        ratings=ratings,
        signs=find_signs(inputs, instruments, ratings),
        flags=flags,
        side_effects=side_effect_counts(inputs.sessions),
        sessions=session_rows(inputs.sessions),
        journal=[] if private else [{"at": _iso(j.at), "text": excerpt(j.text)} for j in inputs.journal],
        safety=safety_facts(inputs.surveys, inputs.since, inputs.until),
    )


# Trends -------------------------------------------------------------------------------


def session_intervals(
    sessions: list[Session], checkins: list[Checkin], mood_baseline: float | None, now: datetime
) -> list[dict]:
    """One row per session: the mean ratings until the next session, and how long mood stayed lifted.

    ``mood_lifted_days``: days from the session to the last check-in (before the next
    session) in an unbroken run of check-ins with mood >= baseline + 1; 0 when the first
    check-in after the session is below that, None when there is no check-in or no baseline.
    """
    ordered = sorted(sessions, key=lambda s: s.at)
    checkins = sorted(checkins, key=lambda c: c.at)
    times = [c.at for c in checkins]
    rows = []
    for index, session in enumerate(ordered):
        end = ordered[index + 1].at if index + 1 < len(ordered) else now + timedelta(seconds=1)
        interval = checkins[bisect.bisect_right(times, session.at) : bisect.bisect_left(times, end)]
        lifted = None
        if mood_baseline is not None:
            with_mood = [c for c in interval if c.mood is not None]
            if with_mood:
                lifted = 0
                for checkin in with_mood:
                    if checkin.mood < mood_baseline + BOOSTER_LIFT:
                        break
                    lifted = (checkin.at.date() - session.at.date()).days
        rows.append(
            {
                "id": session.id,
                "at": _iso(session.at),
                "route": session.route,
                "dose": session.dose or None,
                "dissociation": session.dissociation,
                "side_effects": list(session.side_effects),
                "ratings": {name: _mean(_values(interval, name)) for name in RATING_NAMES},
                "checkins": len(interval),
                "mood_lifted_days": lifted,
            }
        )
    return rows


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
    """The rows of a trends table, per week or month, or per session with the days mood stayed lifted."""
    if inputs.by == "session":
        baseline = rating_baseline("mood", inputs.baseline_checkins, inputs.first_checkins)
        return session_intervals(inputs.sessions, inputs.following, baseline, inputs.now)
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
