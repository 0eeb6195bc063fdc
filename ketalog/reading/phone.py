"""What the phone measured, beside what was logged: the last 14 days' means per source, and home blood pressure.

Pure. Sleep the phone measured and sleep typed into a check-in stay side by side, never merged or compared
into a verdict; a phone's metrics raise no flag. Home blood pressure is said as a fact: a reading in the days
before a session above the esketamine label's example of an elevated baseline, in the label's words (the
one rule in `blood_pressure`), and any reading in the hypertensive-crisis range.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

from ketalog.blood_pressure import bp_level
from ketalog.models import ReportInputs
from ketalog.reading.rules import HOME_BP_DAYS_BEFORE, WINDOW


def phone_summary(inputs: ReportInputs) -> dict:
    """{window_days, metrics: [{metric, source, mean, total, days}], sleep_checkin: {mean, checkins} | None,
    home_bp: [{at, systolic, diastolic, level, session}]} for the report's last 14 days and its period."""
    first, last = (inputs.end - WINDOW).date().isoformat(), inputs.end.date().isoformat()
    values: dict[tuple[str, str], list[float]] = {}
    for day, source, metric, value in inputs.phone_days:
        if first <= day <= last:
            values.setdefault((metric, source), []).append(value)
    metrics = [
        {"metric": metric, "source": source, "mean": round(statistics.fmean(found), 1),
         "total": round(sum(found), 1), "days": len(found)}
        for (metric, source), found in sorted(values.items())
    ]  # fmt: skip
    typed = [c.sleep_hours for c in inputs.checkins if c.sleep_hours is not None and c.at >= inputs.end - WINDOW]
    sleep_checkin = {"mean": round(statistics.fmean(typed), 1), "checkins": len(typed)} if typed else None
    sessions = inputs.period_sessions.times
    home = []
    for reading in inputs.home_bp:
        at, systolic, diastolic = reading["at"], int(reading["value"]), int(reading["value2"])
        upcoming = next((s for s in sessions if at < s <= at + timedelta(days=HOME_BP_DAYS_BEFORE)), None)
        level = bp_level("before", systolic, diastolic) if upcoming else bp_level("any", systolic, diastolic)
        home.append(
            {"at": at.isoformat(timespec="minutes"), "systolic": systolic, "diastolic": diastolic, "level": level,
             "session": upcoming.isoformat(timespec="minutes") if upcoming else None}
        )  # fmt: skip
    return {"window_days": WINDOW.days, "metrics": metrics, "sleep_checkin": sleep_checkin, "home_bp": home}
