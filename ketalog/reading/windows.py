"""Time windows and small helpers: outcome readings (no acute ones), the recent window, trailing means, the horizon."""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import overload

from ketalog.models import Checkin, ReportInputs, Session
from ketalog.reading.rules import ACUTE_AFTER, COURSE_HORIZON, MIN_CHECKINS, WINDOW


def horizon_start(inputs: ReportInputs) -> datetime | None:
    """Where the course-wide rules start reading: the course start, or two years before the period end."""
    course = inputs.course
    return max(course.started, inputs.end - COURSE_HORIZON) if course is not None else None


@overload
def _iso(moment: datetime) -> str: ...
@overload
def _iso(moment: None) -> None: ...
def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment else None


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _in_period(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment < until)


def _values(checkins: list[Checkin], name: str) -> list[int]:
    return [getattr(c, name) for c in checkins if getattr(c, name) is not None]


def _rated(checkins: list[Checkin], name: str) -> list[Checkin]:
    return [c for c in checkins if getattr(c, name) is not None]


def acute(moment: datetime, sessions: list[datetime]) -> bool:
    """Within 12 hours after a session: the drug's acute effect, left out of every outcome window."""
    index = bisect.bisect_right(sessions, moment) - 1  # the latest session at or before the moment
    return index >= 0 and moment - sessions[index] < ACUTE_AFTER


def outcome_readings(readings: list[Reading], sessions: list[datetime]) -> list[Reading]:
    return [(at, value) for at, value in readings if not acute(at, sessions)]


def between(readings: list[Reading], first: datetime, last: datetime) -> list[Reading]:
    """The readings (oldest first) from ``first`` to ``last``, both included: one slice found by bisection."""
    low = bisect.bisect_left(readings, first, key=lambda reading: reading[0])
    return readings[low : bisect.bisect_right(readings, last, lo=low, key=lambda reading: reading[0])]


def recent_start(inputs: ReportInputs) -> datetime:
    """Where "the last 14 days" begin: 14 days before the period end, never before the period (``--since``)
    nor before the course the report describes."""
    start = inputs.end - WINDOW
    for bound in (inputs.since, inputs.course_start):
        if bound is not None and bound > start:
            start = bound
    return start


def gap_after(inputs: ReportInputs) -> Session | None:
    """The latest session of the report's course that came 60+ days after the previous one, if any."""
    from ketalog.courses import LONG_GAP

    ordered = sorted(inputs.course_sessions, key=lambda s: s.at)
    found = None
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if current.at - previous.at >= LONG_GAP and current.at <= inputs.end:
            found = current
    return found


Reading = tuple[datetime, int]  # one mood rating and when: what the course-wide rules read


def mood_readings(checkins: list[Checkin]) -> list[Reading]:
    return sorted((c.at, c.mood) for c in checkins if c.mood is not None)


def trailing_means(readings: list[Reading], window: timedelta) -> list[tuple[datetime, float]]:
    """At each reading (oldest first): the mean over the ``window`` ending there, once it holds at least 3
    readings on at least 3 different days (three check-ins of one evening are one day, not a trend).

    One pass: the window's sum and its count of readings per day slide with it, so years of readings
    cost what their number is, not that times the window."""
    days = [at.date() for at, _ in readings]
    means, start, total = [], 0, 0.0
    per_day: dict = {}
    two_days = timedelta(days=2)
    for index, (at, value) in enumerate(readings):
        total += value
        per_day[days[index]] = per_day.get(days[index], 0) + 1
        while readings[start][0] <= at - window:
            total -= readings[start][1]
            left = per_day[days[start]] - 1
            if left:
                per_day[days[start]] = left
            else:
                del per_day[days[start]]
            start += 1
        if index - start + 1 >= MIN_CHECKINS and days[start] <= days[index] - two_days and len(per_day) >= MIN_CHECKINS:
            means.append((at, round(total / (index - start + 1), 2)))
    return means


def _listing(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
