"""What a phone measured, read the same way from any app: nights of sleep, daily values, dated readings.

Shared by the Apple Health, Health Auto Export and Health Connect readers (`../shared/domain/health-exports.md`):
the plan they fill (`HealthPlan`), how segments of sleep become nights, which local day a moment belongs to
(the record's own time zone where it names one), and the one transaction that writes a plan. A re-import
replaces a day's value, never adds a second; a person's own check-ins and sessions are never touched.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

# metric -> (unit, how people read it)
METRICS = {
    "sleep_hours": ("h", "sleep"),
    "resting_hr": ("bpm", "resting heart rate"),
    "hrv_sdnn": ("ms", "heart rate variability (SDNN)"),
    "hrv_rmssd": ("ms", "heart rate variability (RMSSD)"),  # Health Connect's measure: never mixed with SDNN
    "mindful_minutes": ("min", "mindful minutes"),
}
READINGS = {"blood_pressure": "home blood pressure", "symptom": "symptoms", "state_of_mind": "State of Mind"}
SOURCE_NAMES = {
    "applehealth": "Apple Health",
    "healthautoexport": "Health Auto Export",
    "healthconnect": "Health Connect",
}
SHORT = {"sleep_hours": "sleep h", "resting_hr": "rest HR", "hrv_sdnn": "HRV SDNN", "hrv_rmssd": "HRV RMSSD",
         "mindful_minutes": "mindful min"}  # fmt: skip


def column_name(key: str) -> str:
    """A trends column for 'metric:source': 'sleep h (Apple Health)'."""
    metric, source = key.split(":", 1)
    return f"{SHORT.get(metric, metric)} ({SOURCE_NAMES.get(source, source)})"


NIGHT_GAP = timedelta(minutes=60)  # asleep segments closer than this are one night
SYMPTOMS = ("nausea", "headache", "dizziness", "vomiting", "mood_changes")


@dataclass(frozen=True)
class Segment:
    """A stretch of a night as one source (app or watch) recorded it."""

    start: datetime  # aware, in the zone the local day is read in
    end: datetime
    asleep: bool
    staged: bool  # a sleep stage (core, deep, REM), not "asleep" unspecified
    origin: str  # the app or device that recorded it


@dataclass
class HealthPlan:
    source: str
    path: Path
    daily: dict[tuple[str, str], float] = field(default_factory=dict)  # (metric, local day) -> value
    readings: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # (metric, name, at) -> row
    counts: Counter = field(default_factory=Counter)  # metric -> records read
    skipped: Counter = field(default_factory=Counter)  # record type or table -> how many were left out
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0

    def add_reading(self, metric: str, name: str, at: datetime, value=None, value2=None, detail=None) -> None:
        utc = at.astimezone(timezone.utc)
        stamp = f"{utc:%Y-%m-%dT%H:%M:%S}Z"
        self.readings[(metric, name, stamp)] = {
            "at": stamp,
            "utc_offset": int((at.utcoffset() or timedelta()).total_seconds() // 60),
            "local_date": at.date().isoformat(),
            "source": self.source,
            "metric": metric,
            "name": name,
            "value": value,
            "value2": value2,
            "detail": detail,
        }
        self.counts[metric] += 1

    def summary(self) -> dict[str, int]:
        """Per metric, the days or readings the plan holds."""
        found: Counter = Counter(metric for metric, _ in self.daily)
        found.update(metric for metric, _, _ in self.readings)
        return dict(sorted(found.items()))


@lru_cache(maxsize=64)
def zone(name: str):
    """An IANA zone by name (`HKTimeZone`), or None when this machine does not know it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=256)
def fixed(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def nights(segments: list[Segment]) -> dict[date, float]:
    """Hours asleep per night, credited to the local day of the night's final wake-up.

    Each origin's segments make its own nights (asleep stretches less than an hour apart are one night,
    overlaps counted once); where two origins cover the same day, the one that recorded stages wins, then
    the one that recorded more sleep."""
    by_origin: dict[str, list[Segment]] = {}
    for segment in segments:
        if segment.asleep and segment.end > segment.start:
            by_origin.setdefault(segment.origin, []).append(segment)
    best: dict[date, tuple[bool, float]] = {}
    for own in by_origin.values():
        own.sort(key=lambda s: s.start)
        night: list[Segment] = []
        ending: list[Segment | None] = [*own, None]  # None closes the last night
        for piece in ending:
            if piece is not None and (not night or piece.start - max(s.end for s in night) < NIGHT_GAP):
                night.append(piece)
                continue
            if night:
                day = max(s.end for s in night).date()
                candidate = (any(s.staged for s in night), _union_hours(night))
                if day not in best or candidate > best[day]:
                    best[day] = candidate
            night = [piece] if piece is not None else []
    return {day: round(hours, 2) for day, (_, hours) in sorted(best.items())}


def _union_hours(night: list[Segment]) -> float:
    """The hours covered by any asleep segment (a legacy 'Asleep' beside the stages counts once)."""
    total = timedelta()
    end = None
    for segment in sorted(night, key=lambda s: s.start):
        start = segment.start if end is None else max(segment.start, end)
        if end is None or segment.end > start:
            total += segment.end - start
        end = segment.end if end is None else max(end, segment.end)
    return total.total_seconds() / 3600


def daily_median(values: dict[str, list[float]]) -> dict[str, float]:
    return {day: round(statistics.median(found), 1) for day, found in values.items()}


def write(db, plan: HealthPlan, *, dry_run: bool) -> dict:
    """The plan in one transaction (or counted and rolled back): per table, added, updated and unchanged."""
    from ketalog.db import writing

    result: dict[str, Counter] = {"daily_metrics": Counter(), "health_readings": Counter()}

    class _DryRun(Exception):
        pass

    try:
        with writing(db):
            stored = {
                (row[0], row[1]): (row[2], row[3])
                for row in db.execute(
                    "SELECT metric, local_date, value, unit FROM daily_metrics WHERE source = ?", [plan.source]
                )
            }
            rows = []
            for (metric, day), value in sorted(plan.daily.items()):
                unit = METRICS[metric][0]
                before = stored.get((metric, day))
                kind = "added" if before is None else "unchanged" if before == (value, unit) else "updated"
                result["daily_metrics"][kind] += 1
                if kind != "unchanged":
                    rows.append((day, plan.source, metric, value, unit))
            db.conn.executemany(
                "INSERT INTO daily_metrics (local_date, source, metric, value, unit) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (source, metric, local_date) DO UPDATE SET value = excluded.value, unit = excluded.unit",
                rows,
            )
            known = {
                (row[0], row[1], row[2]): tuple(row[3:])
                for row in db.execute(
                    "SELECT metric, name, at, value, value2, detail FROM health_readings WHERE source = ?",
                    [plan.source],
                )
            }
            changed = []
            for key, row in sorted(plan.readings.items()):
                before = known.get(key)
                after = (row["value"], row["value2"], row["detail"])
                kind = "added" if before is None else "unchanged" if before == after else "updated"
                result["health_readings"][kind] += 1
                if kind != "unchanged":
                    changed.append(row)
            db.conn.executemany(
                "INSERT INTO health_readings (at, utc_offset, local_date, source, metric, name, value, value2, detail)"
                " VALUES (:at, :utc_offset, :local_date, :source, :metric, :name, :value, :value2, :detail)"
                " ON CONFLICT (source, metric, name, at) DO UPDATE SET value = excluded.value,"
                " value2 = excluded.value2, detail = excluded.detail, utc_offset = excluded.utc_offset,"
                " local_date = excluded.local_date",
                changed,
            )
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return {table: dict(counter) for table, counter in result.items()}
