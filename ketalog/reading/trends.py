"""Trend tables: per week or month from SQL means, or per session with how long mood stayed up."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime, timedelta

from ketalog.courses import Course, course_at
from ketalog.models import Checkin, Session, TrendInputs
from ketalog.reading.ratings import rating_baseline
from ketalog.reading.windows import _iso, _mean, _values, mood_readings
from ketalog.validation import RATING_NAMES


def session_intervals(
    sessions: list[Session], checkins: list[Checkin], courses: list[Course], now: datetime
) -> list[dict]:
    """One row per session: the mean ratings until the next session, and how long mood stayed up after it
    (measured against the mood baseline of the session's own course)."""
    from ketalog.reading import durability

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
    return trend_rows(inputs.rating_means, inputs.instrument_means, inputs.phone_means)


def trend_rows(rating_rows: list[dict], instrument_rows: list[dict], phone_rows: Sequence[dict] = ()) -> list[dict]:
    """Merge per-period rating means, instrument means and the phone's daily metrics (all from SQL) into one
    table. Sleep from check-ins and sleep the phone measured stay side by side, never merged."""
    periods: dict[str, dict] = {}

    def period(key: str) -> dict:
        return periods.setdefault(
            key,
            {"period": key, "checkins": 0, "ratings": {name: None for name in RATING_NAMES}, "instruments": {},
             "sleep_hours": None, "phone": {}},
        )  # fmt: skip

    for row in rating_rows:
        found = period(row["period"])
        found["checkins"] = row["checkins"]
        found["ratings"] = {name: row[name] for name in RATING_NAMES}
        found["sleep_hours"] = row.get("sleep_hours")
    for row in instrument_rows:
        period(row["period"])["instruments"][row["instrument"]] = row["mean_total"]
    for row in phone_rows:
        period(row["period"])["phone"][f"{row['metric']}:{row['source']}"] = row["mean"]
    return [periods[key] for key in sorted(periods)]
