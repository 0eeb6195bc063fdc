"""Check and normalise every value a user can enter, before anything is stored.

Each parser takes the raw text (as typed or passed by flag) and either returns
the clean value or raises ``InputError`` naming the field and what is allowed.
The database CHECK constraints repeat the ranges as a last line of defence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ketalog.errors import InputError

ROUTES = ("iv", "im", "intranasal", "oral", "sublingual", "buccal", "other")
DOSE_UNITS = ("mg", "mg/kg")
KNOWN_SIDE_EFFECTS = (
    "nausea",
    "dizziness",
    "headache",
    "blurred-vision",
    "sedation",
    "vomiting",
    "anxiety",
    "numbness",
    "elevated-bp",
    "bladder",
)


@dataclass(frozen=True)
class Rating:
    """One daily 0-10 self-rating: every prompt, option, table header and report line reads it from here."""

    name: str
    label: str  # report and table label
    short: str  # narrow column header (trends)
    low: str  # what 0 means
    high: str  # what 10 means
    higher_is_better: bool

    @property
    def question(self) -> str:
        return f"{self.label} (0 {self.low} - 10 {self.high})"

    @property
    def help(self) -> str:
        return f"{self.label}, 0 ({self.low}) to 10 ({self.high})."


RATINGS = {
    rating.name: rating
    for rating in (
        Rating("mood", "Mood", "mood", "worst", "best", True),
        Rating("anxiety", "Anxiety", "anx", "none", "worst", False),
        Rating("pain", "Pain", "pain", "none", "worst", False),
        Rating("energy", "Energy", "energy", "none", "plenty", True),
        Rating("motivation", "Motivation", "motiv", "none", "plenty", True),
        Rating("sleep", "Sleep quality", "sleep", "worst", "best", True),
        Rating("thoughts", "Negative thought loops", "loops", "none", "constant", False),
    )
}
RATING_NAMES = tuple(RATINGS)

SYSTOLIC_RANGE = (50, 260)
DIASTOLIC_RANGE = (30, 160)
HEART_RATE_RANGE = (20, 250)
DURATION_RANGE = (1, 600)
SLEEP_HOURS_RANGE = (0, 24)
# A session's cost in any currency (a few hundred dollars is millions of rupiah): the top only catches slips
# such as 1e308, which would make every total meaningless.
COST_RANGE = (0, 1_000_000_000)

# A lab value in any unit: the bound only catches slips such as 1e308.
LAB_VALUE_LIMIT = 1e9
LAB_NAME_MAX = 100


def lab_range(text: str, field: str = "--range") -> tuple[float, float]:
    """'7-56', '7 - 56', '0.1-1.2' -> (low, high), low <= high: the reference range the lab printed."""
    match = re.fullmatch(r"\s*(-?[0-9]*\.?[0-9]+)\s*(?:-|–|to)\s*(-?[0-9]*\.?[0-9]+)\s*", text or "")
    if not match:
        raise InputError(field, f"must be LOW-HIGH as the lab printed it, e.g. 7-56 (got {text!r})")
    low, high = (number(part, field, -LAB_VALUE_LIMIT, LAB_VALUE_LIMIT) for part in match.groups())
    if low > high:
        raise InputError(field, f"the low end must not be above the high end (got {text!r})")
    return low, high


def lab_text(text: str, field: str, limit: int = LAB_NAME_MAX) -> str:
    """A lab's name or unit: 1 to ``limit`` printable characters."""
    from ketalog.neutral import visible

    value = (text or "").strip()
    if not value or len(value) > limit or visible(value) != value:
        raise InputError(field, f"must be 1 to {limit} printable characters (got {text!r})")
    return value


# Above these a dose is almost surely a slip (5 for 0.5 mg/kg, 840 for 84 mg). A product rule to catch typos,
# not a clinical limit: --force keeps an unusual dose that is right.
MAX_DOSE_MG_PER_KG = 2.0
MAX_DOSE_MG = {"intranasal": 200.0}
MAX_DOSE_MG_OTHER = 1000.0
# The top that even --force keeps: no dose of anything is this large, so it can only be a slip (1e308).
DOSE_HARD_LIMITS = {"mg": 100_000.0, "mg/kg": 100.0}

_DOSE = re.compile(r"^([0-9]*\.?[0-9]+)\s*(mg/kg|mg)?$")
_BP = re.compile(r"^(\d{2,3})\s*/\s*(\d{2,3})$")


def whole_number(text: str | int, field: str, low: int, high: int) -> int:
    value = str(text).strip()
    if not re.fullmatch(r"[+-]?\d+", value):
        raise InputError(field, f"must be a whole number from {low} to {high} (got {text!r})")
    number = int(value)
    if not low <= number <= high:
        raise InputError(field, f"must be a whole number from {low} to {high} (got {number})")
    return number


def rating(text: str | int | None, field: str) -> int | None:
    """A 0-10 self-rating; None stays None (the rating was skipped)."""
    if text is None:
        return None
    return whole_number(text, field, 0, 10)


def number(text: str | float, field: str, low: float, high: float | None = None) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    allowed = f"a number from {low:g} to {high:g}" if high is not None else f"a number of at least {low:g}"
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        raise InputError(field, f"must be {allowed} (got {text!r})")
    return value


def one_of(text: str, allowed: tuple[str, ...], field: str) -> str:
    value = text.strip().lower()
    if value not in allowed:
        raise InputError(field, f"must be one of {', '.join(allowed)} (got {text!r})")
    return value


def route(text: str, field: str = "--route") -> str:
    value = text.strip().lower()
    if value not in ROUTES:
        raise InputError(field, f"must be one of {', '.join(ROUTES)} (got {text!r})")
    return value


def dose(text: str, field: str = "--dose") -> tuple[float, str]:
    """'0.5mg/kg', '0.5 mg/kg', '56mg', '56 mg' -> (amount, unit)."""
    raw = " ".join(text.strip().lower().split())
    if raw.startswith("-"):
        raise InputError(field, f"must be a positive amount with a unit, e.g. 56mg or 0.5mg/kg (got {text!r})")
    match = _DOSE.match(raw.replace(" /", "/").replace("/ ", "/"))
    if not match:
        raise InputError(field, f"must be an amount with a unit, mg or mg/kg, e.g. 56mg or 0.5mg/kg (got {text!r})")
    amount, unit = float(match.group(1)), match.group(2)
    if unit is None:
        raise InputError(field, f"needs a unit: {text.strip()}mg or {text.strip()}mg/kg? (got {text!r})")
    if amount <= 0:
        raise InputError(field, f"must be more than 0 (got {text!r})")
    dose_within_limits(amount, unit, field)
    return amount, unit


def dose_within_limits(amount: float, unit: str, field: str = "dose_amount") -> None:
    """A dose's unit is mg or mg/kg and its amount above 0 and under the hard top (even with --force)."""
    if unit not in DOSE_HARD_LIMITS:
        raise InputError(field, f"the unit must be mg or mg/kg (got {unit!r})")
    top = DOSE_HARD_LIMITS[unit]
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not 0 < amount <= top:
        raise InputError(field, f"must be more than 0 and at most {top:g} {unit}, even with --force (got {amount!r})")


def implausible_dose(route: str | None, amount: float | None, unit: str | None) -> str | None:
    """Why this dose for this route looks like a slip, or None. Callers refuse it unless --force."""
    if amount is None:
        return None
    shown = format_dose(amount, unit)
    if unit == "mg/kg" and route == "intranasal":
        return f"intranasal esketamine is dosed in mg (28, 56 or 84 mg), not mg/kg (got {shown})"
    if unit == "mg/kg" and amount > MAX_DOSE_MG_PER_KG:
        return f"{shown} is more than ketalog expects (0-{MAX_DOSE_MG_PER_KG:g} mg/kg)"
    limit = MAX_DOSE_MG.get(route or "", MAX_DOSE_MG_OTHER)
    if unit == "mg" and amount > limit:
        return f"{shown} is more than ketalog expects for {route or 'this route'} (0-{limit:g} mg)"
    return None


def plausible_dose(route: str | None, amount: float | None, unit: str | None, force: bool, field="--dose") -> None:
    problem = None if force else implausible_dose(route, amount, unit)
    if problem:
        raise InputError(field, f"{problem}; check it, or add --force if it is right")


def format_dose(amount: float | None, unit: str | None) -> str:
    if amount is None:
        return ""
    return f"{amount:g} {unit}"


def blood_pressure(text: str, field: str) -> tuple[int, int]:
    match = _BP.match(text.strip())
    allowed = (
        f"must be SYS/DIA, e.g. 128/82, systolic {SYSTOLIC_RANGE[0]}-{SYSTOLIC_RANGE[1]}, "
        f"diastolic {DIASTOLIC_RANGE[0]}-{DIASTOLIC_RANGE[1]}, systolic above diastolic"
    )
    if not match:
        raise InputError(field, f"{allowed} (got {text!r})")
    systolic, diastolic = int(match.group(1)), int(match.group(2))
    if not (
        SYSTOLIC_RANGE[0] <= systolic <= SYSTOLIC_RANGE[1]
        and DIASTOLIC_RANGE[0] <= diastolic <= DIASTOLIC_RANGE[1]
        and systolic > diastolic
    ):
        raise InputError(field, f"{allowed} (got {text!r})")
    return systolic, diastolic


def format_bp(systolic: int | None, diastolic: int | None) -> str:
    return f"{systolic}/{diastolic}" if systolic is not None else ""


def side_effect(text: str, field: str = "--side-effect") -> str:
    """A known effect in its canonical spelling, or the user's own words, trimmed."""
    value = text.strip()
    if not value:
        raise InputError(field, f"must not be empty; known effects: {', '.join(KNOWN_SIDE_EFFECTS)}, or your own words")
    canonical = re.sub(r"[\s_]+", "-", value.lower())
    aliases = {
        "blurred-vision": ("blurry-vision", "blurred"),
        "elevated-bp": ("high-bp", "raised-bp", "high-blood-pressure"),
    }
    for known in KNOWN_SIDE_EFFECTS:
        if canonical == known or canonical in aliases.get(known, ()):
            return known
    return value


def side_effects(values: list[str] | None, field: str = "--side-effect") -> list[str]:
    """Clean, de-duplicated, in the order given."""
    seen: dict[str, None] = {}
    for value in values or []:
        seen.setdefault(side_effect(value, field), None)
    return list(seen)


def tags(values: list[str] | None, field: str = "--tag") -> list[str]:
    seen: dict[str, None] = {}
    for value in values or []:
        tag = value.strip()
        if not tag:
            raise InputError(field, "must not be empty")
        seen.setdefault(tag, None)
    return list(seen)


def short_text(text: str | None, field: str, limit: int = 100) -> str | None:
    """A name, dose or schedule as written: trimmed, spaces folded, one line, at most ``limit`` characters."""
    if text is None:
        return None
    value = " ".join(text.split())
    if not value or len(value) > limit:
        raise InputError(field, f"must be 1 to {limit} characters (got {len(value)})")
    return value
