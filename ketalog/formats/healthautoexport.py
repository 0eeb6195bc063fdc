"""Health Auto Export (an iOS app) JSON: `{"data": {"metrics": [...], "stateOfMind": [...]}}`.

Sleep, resting heart rate, HRV, mindful minutes and blood pressure follow the same rules as Apple Health's
own export. State of Mind (valence -1..1, its classification, labels, associations) is kept as its own
readings, never turned into ketalog's 0-10 mood: it is a different construct. Some of the app's words come
out in the phone's language; a value ketalog does not know is reported, never guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from ketalog.formats.health import HealthPlan, daily_median, fixed
from ketalog.formats.plan import ImportFileError

CLASSIFICATIONS = (
    "very_unpleasant", "unpleasant", "slightly_unpleasant", "neutral", "slightly_pleasant", "pleasant",
    "very_pleasant",
)  # fmt: skip
KINDS = ("momentaryEmotion", "dailyMood")
METRIC_NAMES = {  # the app's metric name -> ketalog's
    "resting_heart_rate": "resting_hr",
    "heart_rate_variability": "hrv_sdnn",
    "heart_rate_variability_sdnn": "hrv_sdnn",
    "mindful_minutes": "mindful_minutes",
}


def sniff(path: Path) -> bool:
    """A JSON object that opens with `{"data": {"metrics"` (or `stateOfMind`), as the app writes it."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    import re

    return (
        re.match(rb'\s*\{\s*"data"\s*:\s*\{\s*"(metrics|stateOfMind|workouts)"', head.lstrip(b"\xef\xbb\xbf"))
        is not None
    )


def _when(text: str) -> datetime:
    """'2024-01-02 07:10:00 -0800' (the app's format) or ISO 8601."""
    text = text.strip()
    if len(text) >= 25 and text[10] == " " and text[19] == " ":
        sign = -1 if text[20] == "-" else 1
        minutes = sign * (int(text[21:23]) * 60 + int(text[23:25]))
        return datetime.fromisoformat(text[:19]).replace(tzinfo=fixed(minutes))
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time without its offset")
    return moment


def parse(path: Path, tick=None) -> HealthPlan:
    from ketalog.formats.read import capped_json

    plan = HealthPlan("healthautoexport", path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise ImportFileError(path, "file", "not readable UTF-8 JSON") from None
    data = capped_json(path, text)
    body = data.get("data") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise ImportFileError(path, "top level", 'not a Health Auto Export file (expected {"data": {...}})')
    unreadable = 0
    unknown: dict[str, set] = defaultdict(set)
    for metric in body.get("metrics") or []:
        if not isinstance(metric, dict):
            continue
        name = str(metric.get("name", ""))
        values: dict[str, list[float]] = defaultdict(list)
        for row in metric.get("data") or []:
            try:
                if name == "sleep_analysis":
                    hours = row.get("totalSleep", row.get("asleep"))
                    end = _when(row.get("sleepEnd") or row["date"])
                    plan.daily[("sleep_hours", end.date().isoformat())] = round(float(hours), 2)
                    plan.counts["sleep_hours"] += 1
                elif name == "blood_pressure":
                    plan.add_reading(
                        "blood_pressure", "", _when(row["date"]), float(row["systolic"]), float(row["diastolic"])
                    )
                elif name in METRIC_NAMES:
                    values[_when(row["date"]).date().isoformat()].append(float(row["qty"]))
                    plan.counts[METRIC_NAMES[name]] += 1
                else:
                    plan.skipped[name or "a metric without a name"] += 1
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                unreadable += 1
        if METRIC_NAMES.get(name) == "mindful_minutes":  # a day's sum, as in Apple's own export
            for day, found in values.items():
                plan.daily[("mindful_minutes", day)] = round(sum(found), 1)
        elif name in METRIC_NAMES:  # a day's median
            for day, value in daily_median(values).items():
                plan.daily[(METRIC_NAMES[name], day)] = value
    for row in body.get("stateOfMind") or []:
        try:
            at = _when(row.get("start") or row["date"])
            valence = float(row["valence"])
            if not -1 <= valence <= 1:
                raise ValueError("valence outside -1..1")
            classification = row.get("valenceClassification")
            if classification is not None and classification not in CLASSIFICATIONS:
                unknown["valenceClassification"].add(str(classification))
            kind = str(row.get("kind") or "")
            if kind and kind not in KINDS:
                unknown["kind"].add(kind)
            detail = {
                "classification": classification,
                "labels": [str(label) for label in row.get("labels") or []],
                "associations": [str(item) for item in row.get("associations") or []],
            }
            plan.add_reading("state_of_mind", kind, at, valence, None, json.dumps(detail, ensure_ascii=False))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            unreadable += 1
    for field, words in unknown.items():
        listed = ", ".join(sorted(words)[:5])
        plan.warnings.append(
            f"{field} values ketalog does not know (perhaps in the phone's language): {listed}; kept as written, "
            "not translated"
        )
    if unreadable:
        plan.warnings.append(f"{unreadable} entries had a date or value ketalog could not read; left out")
    return plan
