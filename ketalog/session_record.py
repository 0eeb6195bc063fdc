"""A session's own record (schema 14): which drug, the doses within it, timed vital signs, staff observations.

Pure and standard library only: `add` and `edit` parse with it, the store derives a session's summary columns
from it (the total dose, the blood pressure before dosing and the highest after, the heart rate the flags
read), and every renderer formats with it. The summary columns are written only from these lists, so the two
never disagree; an imported row's summary is recomputed the same way.
"""

from __future__ import annotations

import json
import re

from ketalog.errors import InputError

DRUGS = ("ketamine", "esketamine", "arketamine", "other")
# The REMS monitoring form's yes/no items, as staff observed them.
OBSERVATIONS = ("sedation", "dissociation", "respiratory-depression")
SPRAY_MG = 28  # one Spravato device: 28 mg in two sprays, one per nostril (label)
END = "end"  # a reading taken before leaving
MAX_OFFSET = 600  # minutes into a session, as long as a session may last
MAX_SPRAYS = 12  # three 28 mg devices is the label's top (84 mg); room for other sprays
SPO2_RANGE = (50, 100)

_AT = re.compile(r"^(.*?)\s*@\s*([A-Za-z0-9]+)\s*$")


def split_point(text: str, field: str, *, default: int | str | None) -> tuple[str, int | str | None]:
    """'128/82@40' -> ('128/82', 40); '@end' -> END; '@pre' and '@0' -> 0 (before dosing); no '@' -> default."""
    match = _AT.match(text.strip())
    if not match and "@" not in text:
        return text.strip(), default
    if not match:
        raise InputError(field, f"the time after @ must be minutes 0-{MAX_OFFSET}, pre or end (got {text.strip()!r})")
    value, point = match.group(1), match.group(2).lower()
    if point in ("pre", "0"):
        return value, 0
    if point == END:
        return value, END
    if point.isdigit() and 0 < int(point) <= MAX_OFFSET:
        return value, int(point)
    raise InputError(field, f"the time after @ must be minutes 0-{MAX_OFFSET}, pre or end (got {text.strip()!r})")


def point_key(point: int | str | None) -> tuple[int, int]:
    """Order of readings: before dosing, then minutes in, then before leaving, then time not recorded."""
    if point is None:
        return (3, 0)
    if point == END:
        return (2, 0)
    return (1, int(point))


def point_label(point: int | str | None) -> str:
    if point is None:
        return "time not recorded"
    if point == END:
        return "end"
    return "pre" if point == 0 else f"{point}′"


def split_doses(text: str) -> list[str]:
    """Doses typed on one line: '28mg 28mg@5', '56 mg' (one dose), '0.25 mg/kg, 0.25 mg/kg@20'."""
    return [part.strip() for part in re.split(r",|\s+(?=\d)", text.strip()) if part.strip()]


def parse_doses(texts: list[str], field: str = "--dose") -> list[dict]:
    """'--dose 28mg --dose 28mg@5': one dose per option, the first at 0 unless timed; one unit throughout."""
    from ketalog import validation as valid

    doses: list[dict] = []
    for number, text in enumerate(texts):
        value, point = split_point(text, field, default=0 if number == 0 else None)
        if point is None:
            raise InputError(field, f"a second dose needs its time, e.g. {value}@30 (minutes in)")
        if point == END:
            raise InputError(field, f"a dose's time is minutes after the first, e.g. {value}@30 (got {text!r})")
        amount, unit = valid.dose(value, field)
        doses.append({"amount": amount, "unit": unit, "at": point})
    return check_doses(doses, field)


def check_doses(doses: list[dict], field: str) -> list[dict]:
    """One unit, distinct times, ordered by time; raises naming ``field``."""
    if len({d["unit"] for d in doses}) > 1:
        raise InputError(field, "the doses of one session share one unit (all mg or all mg/kg)")
    times = [d["at"] for d in doses]
    if len(set(times)) != len(times):
        raise InputError(field, "two doses at the same minute; give each its own time (@0, @20...)")
    return sorted(doses, key=lambda d: d["at"])


def total_dose(doses: list[dict]) -> tuple[float | None, str | None]:
    if not doses:
        return None, None
    return round(sum(d["amount"] for d in doses), 6), doses[0]["unit"]


def format_doses(doses: list[dict]) -> str:
    """'0.5 mg/kg' for one dose at the start; '28+28+28 mg @0/5/10′' for several."""
    if not doses:
        return ""
    unit = doses[0]["unit"]
    if len(doses) == 1 and doses[0]["at"] == 0:
        return f"{doses[0]['amount']:g} {unit}"
    amounts = "+".join(f"{d['amount']:g}" for d in doses)
    return f"{amounts} {unit} @{'/'.join(str(d['at']) for d in doses)}′"


def parse_bp(texts: list[str], field: str = "--bp") -> list[dict]:
    from ketalog import validation as valid

    readings = []
    for text in texts:
        value, point = split_point(text, field, default=None)
        if point is None:
            raise InputError(field, f"say when it was taken: {value}@pre, {value}@40 or {value}@end")
        systolic, diastolic = valid.blood_pressure(value, field)
        readings.append({"what": "bp", "at": point, "value": [systolic, diastolic]})
    return readings


def parse_number_readings(texts: list[str], what: str, field: str, low: int, high: int) -> list[dict]:
    """'--heart-rate 78@0' or '78' (time not recorded), '--spo2 97@40'."""
    from ketalog import validation as valid

    readings = []
    for text in texts:
        value, point = split_point(text, field, default=None)
        readings.append({"what": what, "at": point, "value": valid.whole_number(value, field, low, high)})
    return readings


def merge_vitals(old: list[dict], new: list[dict], field: str = "--bp") -> list[dict]:
    """``new`` readings replace ``old`` ones of the same kind at the same time; two new ones may not clash."""
    keys = [(r["what"], r["at"]) for r in new]
    if len(set(keys)) != len(keys):
        what, at = next(k for k in keys if keys.count(k) > 1)
        raise InputError(field, f"two {what} readings at {point_label(at)}; give one")
    kept = [r for r in old if (r["what"], r["at"]) not in set(keys)]
    return sorted(kept + new, key=lambda r: (r["what"], point_key(r["at"])))


_LEVELS = {None: 0, "raised": 1, "crisis": 2}


def _bp_rank(reading: dict) -> tuple:
    from ketalog.blood_pressure import bp_level

    systolic, diastolic = reading["value"]
    return (_LEVELS[bp_level("after", systolic, diastolic)], systolic, diastolic)


def summary_columns(doses: list[dict], vitals: list[dict]) -> dict:
    """The columns every older reader uses, derived from the lists: the total dose; the blood pressure before
    dosing; the highest after (by the rule's level, then systolic, diastolic); the heart rate furthest
    outside the usual range (what the flags should see)."""
    amount, unit = total_dose(doses)
    before = next((r["value"] for r in vitals if r["what"] == "bp" and r["at"] == 0), None)
    after_readings = [r for r in vitals if r["what"] == "bp" and r["at"] not in (0, None)]
    after = max(after_readings, key=_bp_rank)["value"] if after_readings else None
    rates = [r["value"] for r in vitals if r["what"] == "hr"]
    return {
        "dose_amount": amount,
        "dose_unit": unit,
        "bp_before_sys": before[0] if before else None,
        "bp_before_dia": before[1] if before else None,
        "bp_after_sys": after[0] if after else None,
        "bp_after_dia": after[1] if after else None,
        "heart_rate": max(rates, key=lambda rate: abs(rate - 85)) if rates else None,
    }


def legacy_lists(row: dict) -> tuple[list[dict], list[dict]]:
    """A session row of schema 13 or an export of format 1 as doses and vitals: one dose at 0, the blood
    pressure before dosing and before leaving, and the heart rate with its time not recorded."""
    doses: list[dict] = []
    if row.get("dose_amount") is not None:
        doses.append({"amount": row["dose_amount"], "unit": row["dose_unit"], "at": 0})
    vitals: list[dict] = []
    for when, point in (("before", 0), ("after", END)):
        systolic, diastolic = row.get(f"bp_{when}_sys"), row.get(f"bp_{when}_dia")
        if systolic is not None and diastolic is not None:
            vitals.append({"what": "bp", "at": point, "value": [systolic, diastolic]})
    if row.get("heart_rate") is not None:
        vitals.append({"what": "hr", "at": None, "value": row["heart_rate"]})
    return doses, vitals


def inferred_drug(route: str, *texts: str | None) -> str | None:
    """The drug an older session was: esketamine when intranasal and its words name Spravato or esketamine,
    ketamine for IV and IM (off-label racemic ketamine), else not known (`check` lists those)."""
    words = " ".join(t for t in texts if t).lower()
    if route == "intranasal" and ("spravato" in words or "esketamine" in words):
        return "esketamine"
    if route in ("iv", "im"):
        return "ketamine"
    return None


def encode(values: list[dict]) -> str | None:
    """A list as the store writes every JSON column (``json.dumps``), so an export imports back byte for byte."""
    return json.dumps(values) if values else None


def decode(text: str | None) -> list[dict]:
    return json.loads(text) if text else []


def observed(texts: list[str] | None, field: str = "--observed") -> list[str]:
    found: dict[str, None] = {}
    for text in texts or []:
        for part in text.split(","):
            name = part.strip().lower().replace(" ", "-")
            if not name:
                continue
            if name not in OBSERVATIONS:
                raise InputError(field, f"must be one of {', '.join(OBSERVATIONS)} (got {part.strip()!r})")
            found[name] = None
    return list(found)


def with_summary(values: dict, entry=None) -> dict:
    """A session's new or changed columns with the summary columns derived from its (new or kept) lists."""
    if "doses" not in values and "vitals" not in values:
        if entry is not None:
            return values
        # a new session given by its summary columns (the demo, generated histories): their lists, as the
        # migration to schema 14 made them
        doses, vitals = legacy_lists(values)
        return {**values, **summary_columns(doses, vitals), "doses": doses or None, "vitals": vitals or None}
    doses = values["doses"] if "doses" in values else list(getattr(entry, "doses", None) or [])
    vitals = values["vitals"] if "vitals" in values else list(getattr(entry, "vitals", None) or [])
    return {**values, **summary_columns(doses or [], vitals or []), "doses": doses or None, "vitals": vitals or None}


def vitals_text(vitals: list[dict], what: str = "bp") -> str:
    """'128/82 pre → 152/94 40′ → 134/86 end' (one kind of reading, in time order)."""
    shown = []
    for reading in sorted((r for r in vitals if r["what"] == what), key=lambda r: point_key(r["at"])):
        value = "/".join(map(str, reading["value"])) if what == "bp" else str(reading["value"])
        shown.append(f"{value} {point_label(reading['at'])}" if reading["at"] is not None else value)
    return " → ".join(shown)
