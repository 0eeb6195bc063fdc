"""Things to discuss with the provider: safety, gaps, returns, worsening and reassess, in one list
(the flags read from the sessions themselves come from ``vitals``)."""

from __future__ import annotations

import statistics
from datetime import datetime

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.models import ReportInputs, Survey
from ketalog.reading import longterm
from ketalog.reading.model import Durability, Finding, InstrumentResult, RatingResult
from ketalog.reading.picture import CoursePicture
from ketalog.reading.rules import (
    DRIFT_MARGIN,
    DRIFT_WINDOW,
    HIGHER_IS_BETTER,
    MIN_CHECKINS,
    MOOD_FLOOR,
    RATING_LABELS,
    RATING_THRESHOLD,
    REASSESS,
    REASSESS_UNTIL,
    SOME_IMPROVEMENT_FALL,
    SYMPTOM_RETURN_INSTRUMENTS,
    WINDOW,
)
from ketalog.reading.scores import compare_with_baseline, meets_caseness, some_improvement
from ketalog.reading.signs import _rating_evidence
from ketalog.reading.vitals import (
    bladder_flag,
    blood_pressure_flags,
    dissociation_rising,
    heart_rate_flag,
    medication_note,
)
from ketalog.reading.windows import (
    _day,
    _in_period,
    _listing,
    between,
    gap_after,
    horizon_start,
    outcome_readings,
)
from ketalog.timeparse import days_ago


def find_flags(
    inputs: ReportInputs,
    instruments: dict[str, InstrumentResult],
    ratings: dict[str, RatingResult],
    durability: Durability,
    picture: CoursePicture,
) -> list[Finding]:
    flags: list[Finding] = []
    positive = [a for a in inputs.period_scores.safety if a.positive]
    if positive:
        dates = ", ".join(f"{_day(a.at)} (answered {a.answer})" for a in positive)
        flags.append(
            Finding(
                "safety",
                "PHQ-9 item 9: thoughts of being better off dead or of self-harm",
                f"Item 9 was answered above 0 on {dates}. Please raise this with your provider. "
                + crisis.IMMEDIATE_DANGER,
            )
        )
    skipped = [a for a in inputs.period_scores.safety if a.unanswered]
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
    flags += blood_pressure_flags(inputs.period_sessions.notable)
    answered = longterm.concerns(inputs.followups, inputs.since, inputs.until)
    for finding in (
        heart_rate_flag(inputs.period_sessions.notable),
        bladder_flag(inputs, answered.bladder),
        longterm.memory_flag(answered),
        longterm.use_flag(answered),
        longterm.lab_flag(inputs.labs),
        dissociation_rising(inputs.course_rated),
        mood_returning(inputs, ratings, durability, picture),
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
    reassess = reassess_flag(inputs, instruments, ratings, picture)
    if reassess:
        flags.append(reassess)
    note = medication_note(inputs)
    if note:
        flags.append(note)
    counts = inputs.period_sessions.side_effects
    total = inputs.period_sessions.count
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
    if start is None or inputs.course_start is None:
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


def mood_returning(
    inputs: ReportInputs, ratings: dict[str, RatingResult], durability: Durability, picture: CoursePicture
) -> Finding | None:
    """In this course mood's best 14-day mean (the picture's, >= 3 readings on >= 3 days, none across an
    unmarked gap) rose 2 points above baseline, and now it is back within 1 point of it: over the last 7 days
    (>= 2 readings), or over the last 3 readings when they all lie in the last 14 days. Outcome readings only
    (none within 12 h after a dose)."""
    mood = ratings["mood"]
    course = inputs.course
    best = picture.best("mood")
    if course is None or mood.baseline is None or best is None or best.at is None:
        return None
    if best.value < mood.baseline + RATING_THRESHOLD:
        return None
    start, end = max(horizon_start(inputs) or course.started, course.started), inputs.end
    first = max(start - WINDOW, course.started)
    readings = outcome_readings(between(inputs.course_mood, first, end), inputs.session_times)
    last_week = [value for at, value in readings if end - DRIFT_WINDOW < at]
    last_three = readings[-MIN_CHECKINS:]
    if len(last_week) >= 2:
        now, over = statistics.fmean(last_week), f"over the last {DRIFT_WINDOW.days} days"
    elif len(last_three) == MIN_CHECKINS and last_three[0][0] > inputs.end - WINDOW:
        now, over = statistics.fmean(v for _, v in last_three), f"over the last {MIN_CHECKINS} check-ins"
    else:
        return None
    if now > mood.baseline + DRIFT_MARGIN:
        return None
    best_at = best.at
    if best_at >= readings[-1][0] - DRIFT_WINDOW and over.endswith("days"):
        return None  # the peak is inside the last week itself: no rise then fall to speak of yet
    since_session = durability.last_session_days_ago
    return Finding(
        "mood_returning",
        "Mood has drifted back towards where it started",
        f"mood rose from {mood.baseline:.1f} (baseline) to a {WINDOW.days}-day mean of {best.value:.1f} "
        f"by {_day(best_at)} "
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
    totals = [(s, s.total) for s in after if s.total is not None]
    responded = [(s, total) for s, total in totals if result.baseline > 0 and total <= 0.5 * result.baseline]
    if not responded:
        return None
    best, best_total = min(responded, key=lambda pair: pair[1])
    mcid = inst.mcid(instrument_id) or 0
    if result.response and result.latest < best_total + mcid:
        return None
    return Finding(
        "symptom_return",
        f"{result.name}: symptoms may be returning",
        f"{best.total} on {_day(best.at)} was half the baseline of {result.baseline} or better; now "
        f"{result.latest} on {(result.latest_at or '')[:10]}. Worth raising with your provider.",
        (instrument_id,),
    )


def reassess_flag(
    inputs: ReportInputs,
    instruments: dict[str, InstrumentResult],
    ratings: dict[str, RatingResult],
    picture: CoursePicture,
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
    if not measured or improvement_seen(inputs, ratings, picture):
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


def improvement_seen(inputs: ReportInputs, ratings: dict[str, RatingResult], picture: CoursePicture) -> bool:
    """Whether anything since the course began showed at least some improvement: any score compared with its
    baseline (the MCID or a fall of 20%), a daily rating better now, or a rating's best 14-day mean in the
    course picture 2 points better than its baseline (outcome readings only)."""
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
    for name, rating in ratings.items():
        best = picture.best(name)
        if rating.baseline is None or best is None:
            continue
        gain = best.value - rating.baseline if HIGHER_IS_BETTER[name] else rating.baseline - best.value
        if gain >= RATING_THRESHOLD:
            return True
    return False
