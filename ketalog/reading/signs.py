"""Signs of progress: what improved, each with its evidence."""

from __future__ import annotations

import bisect
import statistics

from ketalog import instruments as inst
from ketalog.models import ReportInputs
from ketalog.reading.model import Finding, InstrumentResult, RatingResult
from ketalog.reading.ratings import rating_baseline, rating_recent, same_scale
from ketalog.reading.rules import (
    ACUTE_AFTER,
    MIN_CHECKINS,
    RATING_LABELS,
    RELIEF_AFTER,
    RELIEF_BEFORE,
    RELIEF_MIN_LIFT,
    RELIEF_MIN_SESSIONS,
    STEADIER_SD_DROP,
    WINDOW,
)
from ketalog.reading.windows import _listing, _values, horizon_start


def _rating_evidence(name: str, rating: RatingResult) -> str:
    early = " (early baseline, after treatment began)" if rating.baseline_kind == "early" else ""
    return (  # one decimal, as the ratings table shows them
        f"{RATING_LABELS[name]} {rating.baseline:.1f} at baseline{early}, {rating.recent:.1f} over the last "
        f"{WINDOW.days} days ({rating.change:+.1f})"
    )


def mood_steadier(inputs: ReportInputs) -> Finding | None:
    base_checkins, _ = rating_baseline("mood", inputs.checkins, inputs.course_start, inputs.session_times)
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
    for at in inputs.period_sessions.times:
        if start is not None and at < start:
            continue
        last_before = bisect.bisect_left(times, at) - 1  # latest check-in strictly before
        first_after = bisect.bisect_left(times, at + ACUTE_AFTER)  # earliest outcome check-in after
        before_ok = last_before >= 0 and times[last_before] >= at - RELIEF_BEFORE
        after_ok = first_after < len(times) and times[first_after] <= at + RELIEF_AFTER
        if before_ok and after_ok:
            lifts.append(mood[first_after][1] - mood[last_before][1])
    if len(lifts) < RELIEF_MIN_SESSIONS:
        return None
    return round(statistics.fmean(lifts), 2), len(lifts)


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
    gad7 = instruments.get(inst.GAD7.id)
    if better("anxiety") or (gad7 and gad7.improved):
        parts = [_rating_evidence("anxiety", ratings["anxiety"])] if better("anxiety") else []
        if gad7 and gad7.improved:
            parts.append(f"GAD-7 {gad7.baseline} at baseline, {gad7.latest} on {(gad7.latest_at or '')[:10]}")
        about = ("anxiety", inst.GAD7.id) if gad7 and gad7.improved else ("anxiety",)
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
