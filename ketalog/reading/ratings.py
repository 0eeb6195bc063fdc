"""Daily 0-10 ratings: baseline and recent windows, status, and which scale (source) they sit on."""

from __future__ import annotations

from datetime import datetime

from ketalog.models import Checkin, ReportInputs
from ketalog.reading.model import RatingResult
from ketalog.reading.rules import HIGHER_IS_BETTER, MIN_CHECKINS, RATING_THRESHOLD, SCORE_EARLY_AFTER, WINDOW
from ketalog.reading.windows import _mean, _rated, _values, acute, recent_start
from ketalog.validation import RATING_NAMES


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


def rating_recent(name: str, inputs: ReportInputs) -> list[Checkin]:
    """The check-ins with the rating in the recent window (see ``recent_start``), acute ones left out."""
    start, end, sessions = recent_start(inputs), inputs.end, inputs.session_times
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
        base_checkins, kind = rating_baseline(name, inputs.checkins, inputs.course_start, inputs.session_times)
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
            baseline_checkins=len(base_checkins),
            baseline_at=base_checkins[-1].at if base_checkins else None,
            recent_at=recent_checkins[-1].at if recent is not None else None,
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
