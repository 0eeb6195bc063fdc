"""How long mood stays up after each session, read as survival: only days someone logged are evidence.

Per session: the days from the session up to the last *observed* check-in at or above the mood baseline
+ 1. An **event** when a check-in falls below before the next session; **censored** (the time is at least
that long) at the next session, at the last check-in, or at a gap of more than 3 days without one; a
session with no outcome check-in before the next one is **no_data**: never censored, never counted.
Check-ins within 12 hours after a dose are the drug's acute effect and are left out. The summary is a
Kaplan-Meier estimate over events and censored times, so sessions cut short by the next one raise the
median instead of being dropped (which biased it low). Rules: docs/progress-rules.md. Pure.
"""

from __future__ import annotations

import bisect
import math
import statistics
from datetime import date, datetime, timedelta

from ketalog.reading.model import Durability

LIFT_MARGIN = 1.0  # mood counts as "up" while a day's mean is >= baseline + 1 (product rule)
MAX_GAP_DAYS = 3  # more days than this without a check-in ends what is known (product rule)
ACUTE_AFTER = timedelta(hours=12)  # reference section 5: outcome is read from 12 h after a dose
CI_MIN_EVENTS = 5  # a 95% interval is given only with this many events
Z_95 = 1.959964


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def daily_means(readings: list[tuple[datetime, int]]) -> dict[date, float]:
    """Mean mood per local calendar day."""
    days: dict[date, list[int]] = {}
    for at, value in readings:
        days.setdefault(at.date(), []).append(value)
    return {day: statistics.fmean(values) for day, values in days.items()}


def per_session(sessions: list, readings: list[tuple[datetime, int]], baseline: float | None) -> list[dict]:
    """One row per session (oldest first): ``status`` event | censored | no_data | no_baseline, ``days`` and,
    when censored, ``until`` (next_session, last_checkin or gap) and the ``last_checkin`` it rests on."""
    ordered = sorted(sessions, key=lambda s: s.at)
    if baseline is None:
        return [{"at": _iso(s.at), "status": "no_baseline", "days": None} for s in ordered]
    threshold = baseline + LIFT_MARGIN
    readings = sorted(readings)
    times = [at for at, _ in readings]
    rows = []
    for index, session in enumerate(ordered):
        following = ordered[index + 1].at if index + 1 < len(ordered) else None
        start = bisect.bisect_left(times, session.at + ACUTE_AFTER)
        stop = bisect.bisect_left(times, following) if following is not None else len(times)
        days = daily_means(readings[start:stop])
        rows.append(_one_session(session.at, days, threshold, following is None))
    return rows


def _one_session(at: datetime, days: dict[date, float], threshold: float, last: bool) -> dict:
    row: dict = {"at": _iso(at)}
    if not days:
        return {**row, "status": "no_data", "days": None}
    known = at.date()  # the last day mood is known to have been up (the session's own day to begin with)
    for day in sorted(days):
        if (day - known).days > MAX_GAP_DAYS:
            return {**row, "status": "censored", "until": "gap", "days": (known - at.date()).days}
        if days[day] < threshold:
            return {**row, "status": "event", "days": (day - at.date()).days}
        known = day
    until = "last_checkin" if last else "next_session"
    return {**row, "status": "censored", "until": until, "days": (known - at.date()).days, "last_checkin": str(known)}


def kaplan_meier(rows: list[dict]) -> list[tuple[int, float, float]]:
    """(day, S(day), Greenwood variance of S) at each event time, from the event and censored rows."""
    times = sorted((row["days"], row["status"] == "event") for row in rows if row["status"] in ("event", "censored"))
    at_risk, survival, greenwood, curve = len(times), 1.0, 0.0, []
    index = 0
    while index < len(times):
        day = times[index][0]
        same = [event for t, event in times[index:] if t == day]
        deaths = sum(same)
        if deaths and at_risk:
            survival *= 1 - deaths / at_risk
            if at_risk > deaths:
                greenwood += deaths / (at_risk * (at_risk - deaths))
            curve.append((day, survival, survival * survival * greenwood))
        at_risk -= len(same)
        index += len(same)
    return curve


def km_median(curve: list[tuple[int, float, float]]) -> int | None:
    """The first day S falls to 0.5 or below; None when it never does."""
    return next((day for day, survival, _ in curve if survival <= 0.5), None)


def brookmeyer_crowley(curve: list[tuple[int, float, float]]) -> list[int | None] | None:
    """The 95% interval of the median (Brookmeyer & Crowley 1982): the event days at which a median there is
    not rejected, |S(t) - 0.5| <= 1.96 standard errors (Greenwood). The upper end is None (not known) when
    the last event day is still inside."""
    inside = [day for day, survival, variance in curve if abs(survival - 0.5) <= Z_95 * math.sqrt(variance)]
    if not inside:
        return None
    return [min(inside), None if max(inside) == curve[-1][0] else max(inside)]


def summary(rows: list[dict], last_session_days_ago: int | None) -> Durability:
    events = [row for row in rows if row["status"] == "event"]
    censored = [row for row in rows if row["status"] == "censored"]
    curve = kaplan_meier(rows)
    median = km_median(curve)
    counted = events + censored
    return Durability(
        km_median_days=median,
        # with no median, what is known: at least as long as the longest time observed
        at_least_days=None if median is not None or not counted else max(row["days"] for row in counted) or None,
        ci95_days=brookmeyer_crowley(curve) if len(events) >= CI_MIN_EVENTS else None,
        events=len(events),
        censored=len(censored),
        no_data=sum(1 for row in rows if row["status"] == "no_data"),
        last_session_days_ago=last_session_days_ago,
        last=rows[-1] if rows else None,
        sessions=rows,
    )
