"""The course picture: which days were observed, and for every rating and score one trajectory.

Baseline → best → latest, each with its date and how many readings support it. The rules that speak of
"the best so far" (mood drifting back, reassess) read it from here, so the report, `status` and the JSON
all tell one story. A day nobody logged is not in it: days are counted only where a reading exists.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

from ketalog import instruments as inst
from ketalog.models import ReportInputs
from ketalog.reading.model import InstrumentResult, RatingResult
from ketalog.reading.rules import HIGHER_IS_BETTER, WINDOW
from ketalog.reading.windows import (
    Reading,
    _iso,
    between,
    gap_after,
    horizon_start,
    outcome_readings,
    trailing_means,
)


@dataclass(frozen=True)
class Point:
    """One end of a trajectory: a value (a mean for ratings, a total for scores), when, and on how many readings."""

    value: float
    at: datetime | None
    readings: int

    def to_json(self) -> dict:
        return {"value": self.value, "at": _iso(self.at), "readings": self.readings}


@dataclass
class Trajectory:
    kind: str  # rating | score
    higher_is_better: bool | None  # None: a scale whose direction nobody gave
    baseline: Point | None = None
    baseline_kind: str = "none"
    baseline_source: str | None = None  # ratings: the app most of the baseline came from
    best: Point | None = None  # the best 14-day mean (ratings) or total (scores) since the course began
    latest: Point | None = None  # the last 14 days' mean (ratings), the latest total (scores)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "higher_is_better": self.higher_is_better,
            "baseline": self.baseline.to_json() if self.baseline else None,
            "baseline_kind": self.baseline_kind,
            "baseline_source": self.baseline_source,
            "best": self.best.to_json() if self.best else None,
            "latest": self.latest.to_json() if self.latest else None,
        }


@dataclass
class CoursePicture:
    start: datetime | None  # where the course-wide reading starts: the course start (or two years back)
    end: datetime
    observed: dict[str, dict] = field(default_factory=dict)  # per measure: days with a reading, first, last
    trajectories: dict[str, Trajectory] = field(default_factory=dict)

    def best(self, measure: str) -> Point | None:
        trajectory = self.trajectories.get(measure)
        return trajectory.best if trajectory else None

    def to_json(self) -> dict:
        return {
            "from": _iso(self.start),
            "to": _iso(self.end),
            "observed": self.observed,
            "trajectories": {name: t.to_json() for name, t in self.trajectories.items()},
        }


def observed_days(moments: list[datetime]) -> dict:
    """How many days have a reading, the first and last of them, and the longest run of days without one."""
    days = sorted({moment.date() for moment in moments})
    if not days:
        return {"days": 0, "first": None, "last": None, "longest_gap_days": None}
    gaps = [(later - earlier).days - 1 for earlier, later in zip(days, days[1:], strict=False)]
    return {
        "days": len(days),
        "first": days[0].isoformat(),
        "last": days[-1].isoformat(),
        "longest_gap_days": max(gaps, default=0),
    }


def best_mean(readings: list[Reading], higher_is_better: bool) -> Point | None:
    """The best 14-day trailing mean (>= 3 readings on >= 3 days), and how many readings it stands on; of
    equal means the first, so "rose to 8.0 by DATE" names the day it was first reached. Counted by bisection:
    years of daily readings are a few thousand, and a scan per mean would be millions of steps."""
    times = [at for at, _ in readings]
    best: Point | None = None
    for at, value in trailing_means(readings, WINDOW):
        if best is None or (value > best.value if higher_is_better else value < best.value):
            supporting = bisect.bisect_right(times, at) - bisect.bisect_right(times, at - WINDOW)
            best = Point(value, at, supporting)
    return best


def rating_trajectory(
    name: str, readings: list[Reading], result: RatingResult, start: datetime | None, inputs: ReportInputs
) -> Trajectory:
    better_up = HIGHER_IS_BETTER[name]
    trajectory = Trajectory("rating", better_up, baseline_kind=result.baseline_kind)
    if result.baseline is not None:
        trajectory.baseline = Point(result.baseline, result.baseline_at, result.baseline_checkins)
        trajectory.baseline_source = result.baseline_source
    if start is not None:
        # Outcome readings from the start (and the 14 days before, so the first mean can fill its window,
        # (never before the course itself: a pre-treatment day is no part of a best since it began)
        first = max(start - WINDOW, inputs.course_start or start)
        outcome = outcome_readings(between(readings, first, inputs.end), inputs.session_times)
        best = best_mean(outcome, better_up)
        if best is not None and best.at is not None and best.at >= start:
            trajectory.best = best
    if result.recent is not None:
        trajectory.latest = Point(result.recent, result.recent_at, result.recent_checkins)
    return trajectory


def score_trajectory(
    key: str, result: InstrumentResult, totals: list[tuple[int, datetime]], inputs: ReportInputs, start: datetime | None
) -> Trajectory:
    """``totals``: this instrument's scored (total, when), oldest first; the best is read after ``start``."""
    direction = inst.higher_is_better(key, inputs.scale_directions)
    trajectory = Trajectory("score", direction, baseline_kind=result.baseline_kind)
    if result.baseline is not None:
        trajectory.baseline = Point(result.baseline, _moment(result.baseline_at), 1)
    totals = [(total, at) for total, at in totals if start is not None and start < at <= inputs.end]
    if totals and direction is not None:
        total, at = (max if direction else min)(totals)
        trajectory.best = Point(total, at, 1)
    if result.latest is not None:
        trajectory.latest = Point(result.latest, _moment(result.latest_at), 1)
    return trajectory


def _moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def course_picture(
    inputs: ReportInputs, ratings: dict[str, RatingResult], instruments: dict[str, InstrumentResult]
) -> CoursePicture:
    """The picture of the reported course up to the period end; without a course, only what was observed."""
    start = horizon_start(inputs)
    gap = gap_after(inputs) if start is not None else None
    best_from = max(start, gap.at) if start is not None and gap is not None else start  # no best across a gap
    end = inputs.end
    picture = CoursePicture(start, end)
    for name, rating in ratings.items():
        readings = inputs.course_ratings.get(name, [])
        in_course = [at for at, _ in between(readings, start, end)] if start is not None else []
        picture.observed[name] = observed_days(in_course)
        picture.trajectories[name] = rating_trajectory(name, readings, rating, best_from, inputs)
    scored: dict[str, list[tuple[int, datetime]]] = {}
    for survey in inputs.surveys:  # one pass over the scores, not one per instrument
        if survey.total is not None:
            scored.setdefault(survey.instrument, []).append((survey.total, survey.at))
    for key, result in instruments.items():
        totals = scored.get(key, [])
        picture.observed[key] = observed_days([at for _, at in totals if start is not None and start <= at <= end])
        picture.trajectories[key] = score_trajectory(key, result, totals, inputs, best_from)
    return picture
